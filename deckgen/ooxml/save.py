"""Serialising a python-pptx presentation deterministically: same content, same bytes."""
from __future__ import annotations

import zipfile
from collections.abc import Mapping
from typing import BinaryIO

from pptx.opc.packuri import CONTENT_TYPES_URI, PACKAGE_URI

from deckgen.ooxml.outpackage import copy_member, relationships_xml, write_member
from deckgen.ooxml.package import SourceDeck
from deckgen.ooxml.pptx_private import content_types_xml, has_relationships, package_relationships, relationships

# python-pptx's own writer stamps every zip member with the current time, so two builds of the
# same inputs differ; rebuild manifests compare output hashes, so members get one fixed time
# (write_member's), and already-compressed media is stored rather than deflated again.


def write_presentation(presentation, handle: BinaryIO,
                       stored: Mapping[str, tuple[SourceDeck, str]] | None = None) -> None:
    """Write python-pptx ``presentation`` as a .pptx to ``handle``, identical for identical content.

    ``stored`` (part name -> source deck and part, as ``AssembledDeck.stored_binaries`` gives)
    names parts that python-pptx opened empty; those still empty are copied from their source as
    stored, so the media of a personalised deck is never read into memory.
    """
    stored = stored or {}
    package = presentation.part.package
    parts = list(package.iter_parts())
    with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
        write_member(archive, _name(CONTENT_TYPES_URI), content_types_xml(parts))
        write_member(archive, _name(PACKAGE_URI.rels_uri), relationships_xml(package_relationships(package)))
        for part in parts:
            name = _name(part.partname)
            source = stored.get(name)
            if source is not None and not part.blob:
                copy_member(source[0], source[1], archive, name)
            else:
                write_member(archive, name, part.blob)
            if has_relationships(part):
                # (python-pptx's own rels writer parses a small XML string per relationship)
                write_member(archive, _name(part.partname.rels_uri), relationships_xml(relationships(part.rels)))


def _name(pack_uri: str) -> str:
    return pack_uri.lstrip("/")

"""Serialising a python-pptx presentation deterministically: same content, same bytes."""
from __future__ import annotations

import contextlib
import io
import os
import threading
import zipfile
from collections.abc import Mapping
from typing import Any, BinaryIO, Callable

from pptx.opc.packuri import CONTENT_TYPES_URI, PACKAGE_URI

from deckgen.fsutil import OutputDigest
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
    with DeckWriter(presentation, handle, stored) as writer:
        writer.finish()


class DeckWriter:
    """Writes a personalised deck in two steps, so that flushing its media to disk overlaps the
    last edits.

    Created once the package's parts are final (after templating): it writes [Content_Types].xml
    and the package relationships (first in the zip, where file-type sniffers look) and the media
    still empty in the working copy, copied from their library files, then has a thread flush
    them to disk. ``finish()``, called after edits that change XML only (text fit), writes every
    XML part and relationship. The media are most of a deck's bytes, and the disk writes them
    while the text is fitted. (The copy itself stays in this thread: a thread doing many small
    reads and writes beside a busy interpreter waits for the interpreter lock at each one.)
    """

    def __init__(self, presentation, handle: BinaryIO,
                 stored: Mapping[str, tuple[SourceDeck, str]] | None = None, digest: OutputDigest | None = None):
        stored = stored or {}
        self._package = presentation.part.package
        self._parts = list(self._package.iter_parts())
        self._archive = zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED)
        self._finished = False
        self._copied: set[int] = set()
        try:
            write_member(self._archive, _name(CONTENT_TYPES_URI), content_types_xml(self._parts))
            write_member(self._archive, _name(PACKAGE_URI.rels_uri),
                         relationships_xml(package_relationships(self._package)))
            for part in self._parts:
                source = stored.get(_name(part.partname))
                if source is not None and not part.blob:
                    copy_member(source[0], source[1], self._archive, _name(part.partname))
                    self._copied.add(id(part))
            handle.flush()
        except BaseException:           # a full disk, a damaged module: the output is discarded
            self._close_discarded()
            raise
        # two threads, each outside the interpreter lock for nearly all its time: one has the
        # disk write the media, the other hashes them (these bytes are final: the rest of the zip
        # goes after them)
        fileno, written = _fileno(handle), handle.tell()
        self._failures: list[BaseException] = []
        self._threads = [threading.Thread(target=self._run, args=(_SYNC_DATA, fileno), name="deckgen-sync",
                                          daemon=True)] if fileno is not None else []
        if fileno is not None and digest is not None:
            self._threads.append(threading.Thread(target=self._run, args=(digest.hash_prefix, fileno, written),
                                                  name="deckgen-hash", daemon=True))
        for thread in self._threads:
            thread.start()

    def _run(self, work: Callable[..., None], *args: Any) -> None:
        try:
            work(*args)
        except BaseException as exc:    # re-raised by finish() in the building thread
            self._failures.append(exc)

    def finish(self) -> None:
        """Write the XML parts and relationships (as they are now) and the zip's directory."""
        self._join()
        if self._failures:
            raise self._failures[0]
        if list(self._package.iter_parts()) != self._parts:
            raise RuntimeError("the deck's parts changed after its writer started")   # a bug, not input
        for part in self._parts:
            if id(part) not in self._copied:
                write_member(self._archive, _name(part.partname), part.blob)
            if has_relationships(part):
                # (python-pptx's own rels writer parses a small XML string per relationship)
                write_member(self._archive, _name(part.partname.rels_uri), relationships_xml(relationships(part.rels)))
        self._archive.close()
        self._finished = True

    def __enter__(self) -> DeckWriter:
        return self

    def __exit__(self, *exc: Any) -> None:
        if not self._finished:          # the build failed: the output is discarded
            self._join()
            self._close_discarded()

    def _close_discarded(self) -> None:
        # closed now, while its file is open (the zip would write its directory when collected);
        # what fails here is the discarded output's, and the build's own error is the one to show
        with contextlib.suppress(OSError, ValueError):
            self._archive.close()

    def _join(self) -> None:
        for thread in self._threads:
            thread.join()


_SYNC_DATA = getattr(os, "fdatasync", os.fsync)     # macOS and Windows have no fdatasync


def _fileno(handle: BinaryIO) -> int | None:
    try:
        return handle.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):
        return None


def _name(pack_uri: str) -> str:
    return pack_uri.lstrip("/")

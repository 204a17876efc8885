"""The output package: its parts and relationships, [Content_Types].xml, and writing the zip."""
from __future__ import annotations

import errno
import io
import os
import shutil
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import etree

from deckgen.fsutil import atomic_output
from deckgen.ooxml import names as n
from deckgen.ooxml.names import qn
from deckgen.ooxml.package import SourceDeck
from deckgen.ooxml.zipio import can_copy_raw, copy_raw

ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed, so the same inputs always give the same bytes
# already-compressed formats: deflating them again costs time and saves nothing
_STORED_EXTENSIONS = frozenset({"png", "jpg", "jpeg", "jpe", "gif", "mp4", "m4v", "mov", "mp3", "m4a",
                                "wma", "wmv", "avi", "webm", "ogg", "xlsx", "xlsm", "docx", "pptx",
                                "zip", "wdp", "jxr", "tif", "tiff"})
_COPY_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError)
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS}


@dataclass
class OutRel:
    """A relationship of an output part: to another output part, or to an external URI, or
    (``verbatim``) an internal target written as it was, such as a ``#fragment`` of the part."""

    rid: str
    reltype: str
    target: str
    external: bool = False
    verbatim: bool = False


@dataclass
class OutPart:
    """One part of the output: bytes, or XML still to change (``root``), or a source member
    copied as stored when the package is written (``deck`` and ``source_name``)."""

    name: str
    content_type: str
    rels: list[OutRel] = field(default_factory=list)
    data: bytes | None = None
    root: etree._Element | None = None
    deck: SourceDeck | None = None
    source_name: str | None = None

    def copy_as_stored(self, deck: SourceDeck, source_name: str) -> None:
        """Write this part as ``source_name``'s stored bytes (its XML is not changed); parts
        whose bytes are mapped on reading (Strict XML) are read now instead."""
        data = deck.read(source_name) if deck.rewrites(source_name) else None
        self.root, self.data, self.deck, self.source_name = None, data, deck, source_name

    def add_rel(self, reltype: str, target: str) -> str:
        """Append a relationship with a fresh id and return the id."""
        rid = free_rid(self.rels)
        self.rels.append(OutRel(rid, reltype, target))
        return rid


def free_rid(rels: list[OutRel]) -> str:
    """An ``rIdN`` that none of ``rels`` uses."""
    used = {rel.rid for rel in rels}
    number = len(rels) + 1
    while f"rId{number}" in used:
        number += 1
    return f"rId{number}"


def serialize(root: etree._Element) -> bytes:
    """XML bytes of a part, with the declaration Office writes."""
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


class AssembledDeck:
    """A finished output package, written with ``save`` or ``to_bytes``.

    Parts that were not changed stay in their source zips until written, so memory stays small
    whatever the size of the media.
    """

    def __init__(self, parts: list[OutPart], slide_count: int, warnings: list[str],
                 decks: list[SourceDeck]):
        self._parts = parts
        self._content_types = content_types_xml(parts)
        self.slide_count = slide_count
        self.warnings = warnings
        self._decks = decks

    @property
    def part_names(self) -> list[str]:
        """Names of every part of the output, in the order they are written."""
        return [part.name for part in self._parts]

    @property
    def stored_binaries(self) -> dict[str, tuple[SourceDeck, str]]:
        """Parts that are not XML and are copied from a source as stored (pictures, media, OLE,
        workbooks): output part name -> (source deck, source part name)."""
        return {part.name: (part.deck, part.source_name) for part in self._parts
                if part.data is None and not is_xml_type(part.content_type)}

    def to_bytes(self, *, binaries: bool = True) -> bytes:
        """Return the whole .pptx package as bytes.

        With ``binaries=False`` the parts of ``stored_binaries`` are written empty: a working copy
        whose XML can be edited (by python-pptx, for personalisation) without reading any media,
        to be written out with ``copy_member`` for the parts left empty.
        """
        buffer = io.BytesIO()
        self._write(buffer, binaries=binaries)
        return buffer.getvalue()

    def save(self, path: str | os.PathLike) -> None:
        """Write the package to ``path`` atomically (complete file or none at all)."""
        with atomic_output(path) as handle:
            self._write(handle)

    def _write(self, handle: io.BufferedIOBase, *, binaries: bool = True) -> None:
        was_open = {id(deck): deck.is_open for deck in self._decks}
        try:
            with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as out:
                write_member(out, n.CONTENT_TYPES_PART, self._content_types)
                for part in self._parts:
                    if part.data is not None:     # (a working copy is read back at once: not deflated)
                        write_member(out, part.name, part.data, compress=binaries)
                    elif binaries or is_xml_type(part.content_type):
                        if is_xml_type(part.content_type):
                            part.deck.check_xml_part(part.source_name)   # copied unparsed
                        copy_member(part.deck, part.source_name, out, part.name)
                    else:
                        write_member(out, part.name, b"")
                    if part.rels:
                        write_member(out, n.rels_name(part.name), rels_xml(part))
        finally:
            for deck in self._decks:
                if not was_open[id(deck)]:
                    deck.close()


def is_xml_type(content_type: str) -> bool:
    """True for the content type of an XML part (``application/xml``, ``...+xml``)."""
    return content_type.endswith("xml")


def write_member(out: zipfile.ZipFile, name: str, data: bytes, *, compress: bool = True) -> None:
    """Add member ``name`` with a fixed date; media that is already compressed is stored as is
    (and everything, without ``compress``)."""
    info = zipfile.ZipInfo(name, ZIP_DATE)
    info.compress_type = (zipfile.ZIP_STORED if not compress or n.extension(name) in _STORED_EXTENSIONS
                          else zipfile.ZIP_DEFLATED)
    info.external_attr = 0o600 << 16
    out.writestr(info, data)


def copy_member(deck: SourceDeck, part: str, out: zipfile.ZipFile, name: str) -> None:
    """Add ``deck``'s ``part`` as member ``name``, copying its compressed bytes when the zip allows."""
    archive, info = deck.raw_member(part)
    try:
        if can_copy_raw(info):
            copy_raw(archive, info, out, name, ZIP_DATE)
            return
        target = zipfile.ZipInfo(name, ZIP_DATE)
        target.compress_type = zipfile.ZIP_DEFLATED
        target.file_size = info.file_size
        with deck.open_part(part) as stream, out.open(target, "w", force_zip64=True) as sink:
            shutil.copyfileobj(stream, sink, 1 << 20)
    except _COPY_ERRORS as exc:
        if isinstance(exc, OSError) and exc.errno in _WRITE_ERRNOS:
            raise       # a full disk is the output's problem (atomic_output names it), not the module's
        raise deck.damaged_part(part, exc) from exc


def rels_xml(part: OutPart) -> bytes:
    """The .rels part of ``part``, with targets relative to it."""
    return relationships_xml(
        (rel.rid, rel.reltype, rel.target if rel.external or rel.verbatim else n.relative_target(part.name, rel.target),
         rel.external) for rel in part.rels)


def relationships_xml(rows: Iterable[tuple[str, str, str, bool]]) -> bytes:
    """A .rels part of the relationships ``rows``: (id, type, target as written, external)."""
    root = etree.Element(qn("pr:Relationships"), nsmap={None: n.NS["pr"]})
    for rid, reltype, target, external in rows:
        element = etree.SubElement(root, qn("pr:Relationship"), Id=rid, Type=reltype, Target=target)
        if external:
            element.set("TargetMode", "External")
    return serialize(root)


def content_types_xml(parts: list[OutPart]) -> bytes:
    """[Content_Types].xml: a Default per extension for its most common type, Overrides for the
    XML parts and for parts whose type differs from their extension's Default."""
    by_extension: dict[str, dict[str, int]] = {}
    for part in parts:
        extension = n.extension(part.name)
        if extension != "xml":
            counts = by_extension.setdefault(extension, {})
            counts[part.content_type] = counts.get(part.content_type, 0) + 1
    defaults = {"rels": n.CT_RELATIONSHIPS, "xml": n.CT_XML}
    for extension, counts in by_extension.items():
        if extension and extension not in defaults:
            defaults[extension] = max(sorted(counts), key=counts.__getitem__)
    root = etree.Element(qn("ct:Types"), nsmap={None: n.NS["ct"]})
    for extension, content_type in defaults.items():
        etree.SubElement(root, qn("ct:Default"), Extension=extension, ContentType=content_type)
    for part in parts:
        if defaults.get(n.extension(part.name)) != part.content_type:
            etree.SubElement(root, qn("ct:Override"), PartName="/" + part.name,
                             ContentType=part.content_type)
    return serialize(root)

"""Reading source decks: a lazy view of one .pptx-family zip package (parts, rels, slides)."""
from __future__ import annotations

import hashlib
import os
import threading
import weakref
import zipfile
import zlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import IO, Iterator

from lxml import etree

from deckgen.errors import PackageError, SlideSelectionError
from deckgen.fsutil import display_path
from deckgen.ooxml import names as n
from deckgen.ooxml.names import qn
from deckgen.ooxml.strict import (is_strict_reltype, strict_namespaces_left,
                                  transitional_reltype, transitional_xml)

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_RESAVE = "open it in PowerPoint and save it as a PowerPoint Presentation (.pptx)"
# Errors zipfile/zlib raise on damaged members (bad CRC, cut-off data, odd compression).
# Bounds on a package (docs/limits.md): parts, and the unpacked size of each XML part (a slide
# of a few MB is already huge; a 1 GiB part in a 1 MB zip is a bomb)
MAX_PARTS = 20_000
MAX_XML_PART_BYTES = 32 * 1024 * 1024
_PROLOG_BYTES = 64 * 1024      # XML declaration, comments and PIs before the root element
_NO_DOCTYPE = ("document type declarations (<!DOCTYPE>) are not allowed in Office packages; "
               "re-save the file in PowerPoint")

_MEMBER_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
                  OSError)


@dataclass(frozen=True)
class SlideInfo:
    """One slide of a deck as a library sees it: stable id, position, part, title, hidden flag."""

    slide_id: int
    number: int
    partname: str
    title: str | None
    hidden: bool


@dataclass(frozen=True)
class Relationship:
    """One relationship of a part; ``part`` is the stored member name of an internal target."""

    rid: str
    reltype: str
    target: str
    external: bool
    part: str | None


def list_slides(path: str | os.PathLike) -> list[SlideInfo]:
    """Return the slides of the deck at ``path`` in show order; raise PackageError if unreadable."""
    with SourceDeck.open(path) as deck:
        return deck.slides


class SourceDeck:
    """A source package read lazily: only the members asked for are decompressed and parsed.

    The zip is opened on demand and may be closed between uses (``close``); reopening checks
    that the file did not change meanwhile, so parts copied later still match what was planned.
    Threads may share an open deck (closing it while others read is the caller's business).
    """

    def __init__(self, path: Path, display: str):
        self.path = path
        self.display = display
        self._archive: zipfile.ZipFile | None = None
        self._closer: weakref.finalize | None = None
        self._reopen_lock = threading.Lock()
        self._stat: tuple[int, int] | None = None
        self._members: dict[str, str] = {}  # case-folded name -> stored member name
        self._defaults: dict[str, str] = {}
        self._overrides: dict[str, str] = {}
        self._rels: dict[str, list[Relationship]] = {}
        self.main_part = ""
        self.main_content_type = ""
        # ISO 29500 Strict: its XML and relationship types are read as Transitional
        self.strict_ooxml = False
        self.slide_ids: list[int] = []
        self._slide_parts: dict[int, str] = {}
        self.slide_size: tuple[int, int] | None = None
        # values the copy engine derives from parts (content keys...): valid as long as the
        # deck is, since a changed file is refused when the zip is reopened
        self.derived: dict[tuple, object] = {}
        self._part_hashes: dict[str, bytes] = {}

    # -- opening -------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike) -> SourceDeck:
        """Open the package at ``path`` and read its slide list; raise PackageError if unusable."""
        target = Path(path)
        deck = cls(target, display_path(target))
        deck._check_file()
        try:
            deck._read_structure()
        except BaseException:
            deck.close()
            raise
        return deck

    def _fail(self, message: str, hint: str | None = None) -> PackageError:
        return PackageError(message, where=self.display, hint=hint)

    def _check_file(self) -> None:
        if not self.path.exists():
            raise self._fail("file not found", "check the path")
        if not self.path.is_file():
            raise self._fail("is a folder, not a .pptx file")
        try:
            with self.path.open("rb") as handle:
                head = handle.read(8)
        except OSError as exc:
            raise self._fail(f"cannot be read ({exc.strerror})") from exc
        if not head:
            raise self._fail("is an empty file, not a .pptx package")
        if head == _OLE2_MAGIC:
            if self._has_encrypted_stream():
                raise self._fail("is password-protected (encrypted), so its slides cannot be read",
                                 "remove the password in PowerPoint: File > Info > Protect "
                                 "Presentation > Encrypt with Password, clear it, and save")
            raise self._fail("is a PowerPoint 97-2003 (.ppt) file, not a .pptx package", _RESAVE)
        try:
            self._open_zip()
        except zipfile.BadZipFile as exc:
            if head.startswith(b"PK"):
                raise self._fail("is truncated or damaged (its zip directory cannot be read)",
                                 "copy or download the file again, or re-save it in PowerPoint"
                                 ) from exc
            raise self._fail("is not a .pptx package (not a zip file)", _RESAVE) from exc
        stat = self.path.stat()
        self._stat = (stat.st_size, stat.st_mtime_ns)
        self._members = {info.filename.lower(): info.filename
                         for info in self._archive.infolist() if not info.is_dir()}

    def _has_encrypted_stream(self) -> bool:
        """True when an OLE2 file holds an ``EncryptedPackage`` stream (an encrypted OOXML deck)."""
        tail = b""
        with self.path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                if _ENCRYPTED_STREAM in tail + chunk:
                    return True
                tail = chunk[-len(_ENCRYPTED_STREAM):]
        return False

    def _read_structure(self) -> None:
        if not self.has_part(n.CONTENT_TYPES_PART):
            raise self._fail("is a zip file but not an Office package (no [Content_Types].xml)",
                             _RESAVE)
        types = self.xml(n.CONTENT_TYPES_PART)
        for default in types.iter(qn("ct:Default")):
            self._defaults[default.get("Extension", "").lower()] = default.get("ContentType", "")
        for override in types.iter(qn("ct:Override")):
            name = n.resolve_target("", override.get("PartName", ""))
            self._overrides[name.lower()] = override.get("ContentType", "")
        self.strict_ooxml = any(is_strict_reltype(element.get("Type", ""))
                                 for element in self._rels_elements(""))
        main = [rel for rel in self.rels("") if rel.reltype == n.RT_OFFICE_DOCUMENT]
        if not main:
            raise self._fail("is a zip file but not an Office package (no main document part)",
                             _RESAVE)
        if main[0].part is None or not self.has_part(main[0].part):
            raise self._fail(f"its main part {main[0].target} is missing", _RESAVE)
        if len(self._members) > MAX_PARTS:
            raise self._fail(f"has {len(self._members):,} parts, more than the {MAX_PARTS:,} deckgen reads")
        self.main_part = main[0].part
        self.main_content_type = self.content_type(self.main_part)
        if self.main_content_type not in n.PRESENTATION_MAIN_TYPES:
            kind = n.OTHER_OFFICE_MAIN_TYPES.get(self.main_content_type)
            what = kind or f"a package of type '{self.main_content_type}'"
            raise self._fail(f"is {what}, not a PowerPoint deck")
        presentation = self.presentation_xml
        if strict_namespaces_left(presentation):
            raise self._strict(strict_namespaces_left(presentation)[0])
        if presentation.tag != qn("p:presentation"):
            raise self._fail(f"{self.main_part} is not a PowerPoint presentation part", _RESAVE)
        by_rid = {rel.rid: rel for rel in self.rels(self.main_part)}
        id_list = presentation.find(qn("p:sldIdLst"))
        for entry in id_list if id_list is not None else ():
            if entry.tag != qn("p:sldId"):
                continue
            rel = by_rid.get(entry.get(qn("r:id"), ""))
            try:
                slide_id = int(entry.get("id", ""))
            except ValueError:
                raise self._fail(f"{self.main_part} lists a slide with id "
                                 f"'{entry.get('id')}', which is not a number", _RESAVE) from None
            if rel is None or rel.part is None or slide_id in self._slide_parts:
                raise self._fail(f"{self.main_part} lists slide id {slide_id} without a usable "
                                 "relationship to its slide part", _RESAVE)
            self.slide_ids.append(slide_id)
            self._slide_parts[slide_id] = rel.part
        size = presentation.find(qn("p:sldSz"))
        if size is not None:
            try:
                self.slide_size = (int(size.get("cx", "")), int(size.get("cy", "")))
            except ValueError:
                raise self._fail(f"{self.main_part} has an unreadable slide size", _RESAVE
                                 ) from None

    def _strict(self, namespace: str) -> PackageError:
        return self._fail(f"is saved as Strict Open XML with namespace {namespace}, which deckgen "
                          "cannot map to the Transitional form",
                          "open it in PowerPoint and save it again choosing 'PowerPoint "
                          "Presentation (*.pptx)', not 'Strict Open XML Presentation'")

    # -- the zip -------------------------------------------------------------------------------

    def _zip(self) -> zipfile.ZipFile:
        with self._reopen_lock:
            if self._archive is None:
                try:
                    stat = self.path.stat()
                except OSError as exc:
                    raise self._fail("disappeared while deckgen was using it") from exc
                if (stat.st_size, stat.st_mtime_ns) != self._stat:
                    raise self._fail("changed while deckgen was using it",
                                     "run the command again")
                self._open_zip()
            return self._archive

    def _open_zip(self) -> None:
        handle = self.path.open("rb")
        try:
            self._archive = zipfile.ZipFile(handle)
        except BaseException:
            handle.close()
            raise
        # closes the file when a deck nobody closed is collected, even inside a reference
        # cycle, where the file object could otherwise be finalized first (a ResourceWarning)
        self._closer = weakref.finalize(self, handle.close)

    def close(self) -> None:
        """Release the open zip handle; later reads reopen it (after checking the file is same)."""
        if self._archive is not None:
            self._archive.close()
            self._archive = None
            self._closer()

    def __enter__(self) -> SourceDeck:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- parts ---------------------------------------------------------------------------------

    def has_part(self, part: str) -> bool:
        """True when the package stores ``part`` (compared case-insensitively, as OPC says)."""
        return part.lower() in self._members

    def member(self, part: str) -> zipfile.ZipInfo:
        """Zip entry of ``part``; raise PackageError when the package lacks it."""
        stored = self._members.get(part.lower())
        if stored is None:
            raise self._fail(f"part /{part} is missing from the package", _RESAVE)
        return self._zip().getinfo(stored)

    def package_file(self) -> IO[bytes]:
        """The deck's open package file, for another reader of the same package (python-pptx), so
        the file is not opened twice; zip readers seek before each read, so one thread may share it."""
        return self._zip().fp

    @property
    def is_open(self) -> bool:
        """True while the zip handle is open (reads reopen it when it is not)."""
        return self._archive is not None

    def raw_member(self, part: str) -> tuple[zipfile.ZipFile, zipfile.ZipInfo]:
        """The open zip and the entry of ``part``, for copying its stored bytes as they are."""
        info = self.member(part)
        return self._zip(), info

    def missing_part(self, part: str, referrer: str) -> PackageError:
        """The error for a relationship of ``referrer`` whose target part is not stored."""
        return self._fail(f"/{referrer} refers to /{part}, which is missing from the package",
                          _RESAVE)

    def damaged_structure(self, problem: str) -> PackageError:
        """The error for a package whose parts do not fit together as PowerPoint's do."""
        return self._fail(problem, _RESAVE)

    @cached_property
    def presentation_xml(self) -> etree._Element:
        """The parsed presentation part, shared: read it, never change it (use ``xml``)."""
        return self.xml(self.main_part)

    def open_part(self, part: str) -> IO[bytes]:
        """Binary stream of ``part``'s bytes (for copying large media without holding them)."""
        info = self.member(part)
        try:
            return self._zip().open(info)
        except _MEMBER_ERRORS as exc:
            raise self.damaged_part(part, exc) from exc

    def read(self, part: str) -> bytes:
        """Bytes of ``part``; raise PackageError if it is missing or damaged. The XML parts of a
        Strict package come back as Transitional XML."""
        try:
            with self.open_part(part) as stream:
                data = stream.read()
        except _MEMBER_ERRORS as exc:
            raise self.damaged_part(part, exc) from exc
        return transitional_xml(data) if self.rewrites(part) else data

    def rewrites(self, part: str) -> bool:
        """True when ``read`` gives other bytes than the stored ones (XML of Strict packages),
        so the part cannot be copied as stored."""
        return self.strict_ooxml and _is_xml_name(self.content_type(part), part)

    def damaged_part(self, part: str, exc: BaseException) -> PackageError:
        """The error for a member whose bytes cannot be read back (bad CRC, cut off...)."""
        return self._fail(f"part /{part} cannot be read ({exc})",
                          "the file is damaged: copy it again or re-save it in PowerPoint")

    def xml(self, part: str) -> etree._Element:
        """Freshly parsed root element of XML ``part`` (callers may change it)."""
        if self.member(part).file_size > MAX_XML_PART_BYTES:
            raise self._fail(f"part /{part} is more than the {MAX_XML_PART_BYTES // 2**20} MiB of XML "
                             "deckgen reads", _RESAVE)
        data = self.read(part)
        try:
            root = etree.fromstring(data, n.XML_PARSER)
        except etree.XMLSyntaxError as exc:
            raise self._fail(f"part /{part} is not well-formed XML ({exc})", _RESAVE) from exc
        if root.getroottree().docinfo.doctype:
            raise self._fail(f"part /{part} has a {_NO_DOCTYPE}")
        return root

    def check_xml_part(self, part: str) -> None:
        """Raise PackageError when XML ``part`` is over MAX_XML_PART_BYTES unpacked or declares a
        DOCTYPE (entities can make a part expand or mean other than it shows, and PowerPoint
        refuses them); only the part's prolog is unpacked. For parts copied without parsing."""
        info = self.member(part)
        if info.file_size > MAX_XML_PART_BYTES:
            raise self._fail(f"part /{part} is {info.file_size / 2**20:,.0f} MiB of XML unpacked, more "
                             f"than the {MAX_XML_PART_BYTES // 2**20} MiB deckgen reads", _RESAVE)
        with self.open_part(part) as stream:
            try:
                head = stream.read(1024)
                if prolog_has_doctype(head) is None:
                    head += stream.read(_PROLOG_BYTES - len(head))
            except _MEMBER_ERRORS as exc:
                raise self.damaged_part(part, exc) from exc
        if prolog_has_doctype(head):
            raise self._fail(f"part /{part} has a {_NO_DOCTYPE}")

    def xml_part_problems(self) -> list[str]:
        """Why XML parts of the package cannot be used (see ``check_xml_part``), for `check`."""
        found = []
        for name in sorted(self._members.values()):
            if name.lower().endswith((".xml", ".rels")) or is_xml_content_type(self.content_type(name)):
                try:
                    self.check_xml_part(name)
                except PackageError as exc:
                    found.append(exc.message.removeprefix(f"{self.display}: "))
        return found

    def content_type(self, part: str) -> str:
        """Content type of ``part`` from [Content_Types].xml ('' when it has none)."""
        return (self._overrides.get(part.lower())
                or self._defaults.get(n.extension(part), ""))

    def rels(self, part: str) -> list[Relationship]:
        """Relationships whose source is ``part`` ('' = the package), in document order."""
        if part in self._rels:
            return self._rels[part]
        found: list[Relationship] = []
        for element in self._rels_elements(part):
            external = element.get("TargetMode") == "External"
            target = element.get("Target", "")
            resolved = None
            if not external:
                resolved = n.resolve_target(part, target)
                resolved = self._members.get(resolved.lower(), resolved)
            found.append(Relationship(element.get("Id", ""),
                                      transitional_reltype(element.get("Type", "")),
                                      target, external, resolved))
        self._rels[part] = found
        return found

    def _rels_elements(self, part: str) -> list[etree._Element]:
        rels_part = n.rels_name(part)
        if not self.has_part(rels_part):
            return []
        return list(self.xml(rels_part).iter(qn("pr:Relationship")))

    # -- slides --------------------------------------------------------------------------------

    def slide_part(self, slide_id: int) -> str:
        """Part name of the slide with ``p:sldId/@id == slide_id``; SlideSelectionError if none."""
        try:
            return self._slide_parts[slide_id]
        except KeyError:
            raise SlideSelectionError(
                f"has no slide with id {slide_id}", where=self.display,
                hint="list the ids with `deckgen library ids`") from None

    def slide_id_at(self, number: int, where: str | None = None) -> int:
        """Id of the slide at 1-based position ``number``; SlideSelectionError (naming ``where``,
        default the file) if out of range."""
        if not 1 <= number <= len(self.slide_ids):
            count = len(self.slide_ids)
            raise SlideSelectionError(
                f"slide {number} does not exist (the deck has {count} slide"
                f"{'' if count == 1 else 's'})", where=where or self.display)
        return self.slide_ids[number - 1]

    @cached_property
    def slides(self) -> list[SlideInfo]:
        """Every slide in show order, with title and hidden flag (reads each slide's XML)."""
        infos = []
        for number, slide_id in enumerate(self.slide_ids, start=1):
            part = self._slide_parts[slide_id]
            root = self.xml(part)
            infos.append(SlideInfo(slide_id, number, part, _title(root),
                                   root.get("show") in ("0", "false")))
        return infos

    def notes_part(self, slide_id: int) -> str | None:
        """Part name of the slide's notes slide, or None when it has no notes."""
        for rel in self.rels(self.slide_part(slide_id)):
            if rel.reltype == n.RT_NOTES_SLIDE and not rel.external and self.has_part(rel.part):
                return rel.part
        return None

    def slide_text(self, slide_id: int) -> tuple[str, str]:
        """(text of the slide's shapes, tables and groups; text of its notes body), one line per
        paragraph."""
        slide = _shape_text(self.xml(self.slide_part(slide_id)), placeholder_types=None)
        notes_part = self.notes_part(slide_id)
        notes = ""
        if notes_part is not None:
            notes = _shape_text(self.xml(notes_part), placeholder_types={"body"})
        return slide, notes

    def closure(self, slide_id: int) -> list[str]:
        """Parts a copy of the slide reads: the slide, its notes, layout, master, theme, media,
        charts... (never other slides, other layouts or the source's notes master)."""
        start = self.slide_part(slide_id)
        seen = [start]
        pending = [start]
        while pending:
            part = pending.pop()
            for rel in self.rels(part):
                if (follows(self.content_type(part), rel) and rel.part not in seen
                        and self.has_part(rel.part)):
                    seen.append(rel.part)
                    pending.append(rel.part)
        return seen

    def closure_hash(self, slide_id: int) -> str:
        """sha256 over the name and content hash of every part in the slide's copy closure, plus
        the deck's slide size (what a rebuild must compare to know the slide changed)."""
        digest = hashlib.sha256(repr(self.slide_size).encode())
        for part in sorted(self.closure(slide_id)):
            digest.update(part.encode() + b"\0" + self.part_hash(part))
        return digest.hexdigest()

    def part_hash(self, part: str) -> bytes:
        """sha256 of a part's bytes, computed once per deck (a module's slides share their layout,
        master and theme)."""
        found = self._part_hashes.get(part)
        if found is None:
            digest = hashlib.sha256()
            with self.open_part(part) as stream:
                try:
                    while chunk := stream.read(1 << 20):
                        digest.update(chunk)
                except _MEMBER_ERRORS as exc:
                    raise self.damaged_part(part, exc) from exc
            found = self._part_hashes[part] = digest.digest()
        return found


def is_xml_content_type(content_type: str) -> bool:
    """True for the content type of an XML part (``application/xml``, ``...+xml``)."""
    return content_type.endswith("xml")


def prolog_has_doctype(head: bytes) -> bool | None:
    """True when the start of an XML document declares a DOCTYPE before its root element (or its
    prolog is longer than _PROLOG_BYTES, which no Office part's is); None when ``head`` is too
    short to tell."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", "ignore")
    else:
        text = head.decode("utf-8", "ignore").lstrip("\ufeff")
    position = 0
    while True:
        start = text.find("<", position)
        if start < 0:
            return True if len(head) >= _PROLOG_BYTES else None
        if text.startswith("<?", start):
            end = text.find("?>", start)
        elif text.startswith("<!--", start):
            end = text.find("-->", start)
        elif text.startswith("<!", start):
            return True                           # <!DOCTYPE (in any case), <!ENTITY...
        else:
            return False                          # the root element
        if end < 0:
            return True if len(head) >= _PROLOG_BYTES else None
        position = end + 2


def follows(source_content_type: str, rel: Relationship) -> bool:
    """True when copying the source of ``rel`` copies its target too (the copy closure rule).

    Not followed: slide-jump links (re-targeted later), a notes slide's link back to its slide,
    notes masters (the output has its own), the master's list of layouts (only layouts in use
    are copied), comments (not copied) and VBA (never copied).
    """
    if rel.external or rel.part is None:
        return False
    if rel.reltype in (n.RT_SLIDE, n.RT_NOTES_MASTER, n.RT_HANDOUT_MASTER, n.RT_VBA_PROJECT,
                       n.RT_COMMENT_AUTHORS) or rel.reltype in n.COMMENT_RELTYPES:
        return False
    if source_content_type == n.CT_SLIDE_MASTER and rel.reltype == n.RT_SLIDE_LAYOUT:
        return False
    return True


def _is_xml_name(content_type: str, part: str) -> bool:
    return (content_type.endswith("xml") or n.extension(part) in ("xml", "rels", "vml"))


# -- text ------------------------------------------------------------------------------------

def _paragraph_text(paragraph: etree._Element) -> str:
    pieces = []
    for element in paragraph.iter(qn("a:t"), qn("a:br")):
        pieces.append("\n" if element.tag == qn("a:br") else (element.text or ""))
    return "".join(pieces)


def _placeholder_type(shape: etree._Element) -> str | None:
    """The ``p:ph/@type`` of a shape ('obj' for a typeless placeholder), None if not one."""
    for nv_pr in shape.iter(qn("p:nvPr")):
        ph = nv_pr.find(qn("p:ph"))
        return None if ph is None else ph.get("type", "obj")
    return None


def _title(slide: etree._Element) -> str | None:
    for shape in slide.iter(qn("p:sp")):
        if _placeholder_type(shape) in ("title", "ctrTitle"):
            text = " ".join(_iter_paragraphs(shape)).replace("\n", " ").strip()
            return " ".join(text.split()) or None
    return None


def _iter_paragraphs(element: etree._Element) -> Iterator[str]:
    for paragraph in element.iter(qn("a:p")):
        text = _paragraph_text(paragraph)
        if text.strip():
            yield text


def _shape_text(root: etree._Element, placeholder_types: set[str] | None) -> str:
    """Paragraph text of every shape in the part's tree (tables and groups included); with
    ``placeholder_types`` only text of those placeholders."""
    tree = root.find(f"{qn('p:cSld')}/{qn('p:spTree')}")
    if tree is None:
        return ""
    if placeholder_types is None:
        return "\n".join(_iter_paragraphs(tree))
    lines = []
    for shape in tree.iter(qn("p:sp")):
        if _placeholder_type(shape) in placeholder_types:
            lines.extend(_iter_paragraphs(shape))
    return "\n".join(lines)


class DeckSet:
    """Source decks opened once each and closed together: only the decks it opened are closed.

    Keys are absolute paths as given (not resolved): resolving costs a system call per path
    component, and a batch asks for the same few modules tens of thousands of times.
    """

    def __init__(self) -> None:
        self._by_path: dict[str, SourceDeck] = {}
        self._opened: list[SourceDeck] = []
        self.all: list[SourceDeck] = []     # every deck handed out, in first-use order

    def get(self, source: str | os.PathLike | SourceDeck) -> SourceDeck:
        """Return the opened deck of ``source`` (a path, or a deck the caller opened)."""
        if isinstance(source, SourceDeck):
            if source not in self.all:
                self.all.append(source)
            return source
        key = os.path.abspath(source)
        deck = self._by_path.get(key)
        if deck is None:
            deck = self._by_path[key] = SourceDeck.open(source)
            self._opened.append(deck)
            self.all.append(deck)
        return deck

    def close_opened(self) -> None:
        for deck in self._opened:
            deck.close()
        self._opened.clear()
        self._by_path.clear()

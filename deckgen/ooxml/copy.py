"""The slide-copy engine: selected slides of source packages, with their closures, into one package.

How the output is put together (the choices users see):

* Each slide keeps its own look: its layout, master and theme come along ("keep source
  formatting"). Masters, layouts and media that are the same (byte-identical, or identical once
  relationship ids are normalised) are stored once, whichever deck they come from. Charts,
  SmartArt, OLE objects, tags and other per-slide parts are never shared between slides.
* Presentation-level settings (slide size, default text style, show settings, core properties)
  come from the base deck, or from the first source when there is no base. Slides of another
  size are refused with an error naming both sizes (they are not scaled).
* Text outside placeholders that would inherit a different ``p:defaultTextStyle`` in the output
  gets the source deck's defaults written into its own list style, so it looks the same.
* Notes slides are copied and share one notes master: the base's, else the first source's.
* Slide-to-slide links point at the copy of their target when it is in the output; otherwise
  they are removed with a warning. External links are kept as they are.
* Not copied: comments (a warning says so), VBA projects, custom shows, handout masters, the
  sources' sections (sections come from ``SlidePick.section`` instead), the thumbnail.
* The output is always a plain .pptx (.pptm/.ppsx/.potx/.potm sources included).
"""
from __future__ import annotations

import hashlib
import importlib.resources
import io
import mimetypes
import os
import posixpath
import re
import shutil
import uuid
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from lxml import etree

from deckgen.errors import DeckgenError, InputFileError, SlideSelectionError
from deckgen.fsutil import atomic_output
from deckgen.ooxml import names as n
from deckgen.ooxml.names import qn
from deckgen.ooxml.package import Relationship, SourceDeck, follows
from deckgen.ooxml.textstyle import carry_default_text_style
from deckgen.ooxml.zipio import can_copy_raw, copy_raw

BASE_SLIDES = ("none", "first", "last", "both")
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed, so one input always gives the same bytes
# already-compressed formats: deflating them again costs time and saves nothing
_STORED_EXTENSIONS = {"png", "jpg", "jpeg", "gif", "mp4", "m4v", "mov", "mp3", "m4a", "wma",
                      "wmv", "avi", "xlsx", "xlsm", "docx", "pptx", "zip", "wdp", "jxr"}
_CANONICAL_NAMES = {  # where PowerPoint itself puts parts of these types
    n.CT_SLIDE: "ppt/slides/slide.xml",
    n.CT_SLIDE_LAYOUT: "ppt/slideLayouts/slideLayout.xml",
    n.CT_SLIDE_MASTER: "ppt/slideMasters/slideMaster.xml",
    n.CT_NOTES_SLIDE: "ppt/notesSlides/notesSlide.xml",
    n.CT_NOTES_MASTER: "ppt/notesMasters/notesMaster.xml",
    n.CT_THEME: "ppt/theme/theme.xml",
}
_PRESENTATION_ORDER = ["p:sldMasterIdLst", "p:notesMasterIdLst", "p:handoutMasterIdLst",
                       "p:sldIdLst", "p:sldSz", "p:notesSz", "p:smartTags", "p:embeddedFontLst",
                       "p:custShowLst", "p:photoAlbum", "p:custDataLst", "p:kinsoku",
                       "p:defaultTextStyle", "p:modifyVerifier", "p:extLst"]
_SECTIONS_URI = "{521415D9-36F7-43E2-AB2F-B90AF26B5E84}"
_FONT_STYLES = ("regular", "bold", "italic", "boldItalic")
_DEFAULT_TABLE_STYLE = "{5C22544A-7EE6-4342-B048-85BDC9FD1C3A}"
_SLIDE_ID_MIN, _SLIDE_ID_MAX = 256, 2147483647
_FIRST_MASTER_ID = 2147483648
_HYPERLINK_TAGS = {qn("a:hlinkClick"), qn("a:hlinkMouseOver"), qn("a:hlinkHover")}


@dataclass(frozen=True)
class SlidePick:
    """One slide to copy: its deck (path or open SourceDeck), its ``p:sldId/@id``, and an
    optional section name (consecutive picks with one name form one section of the output)."""

    source: str | os.PathLike | SourceDeck
    slide_id: int
    section: str | None = None


@dataclass
class _Rel:
    rid: str
    reltype: str
    target: str  # output part name, or the URI of an external target
    external: bool = False


@dataclass
class _Part:
    """One part of the output: its bytes, or XML still to change, or a member to copy as is."""

    name: str
    content_type: str
    rels: list[_Rel]
    data: bytes | None = None
    root: etree._Element | None = None
    deck: SourceDeck | None = None
    source_name: str | None = None


@dataclass
class _Slide:
    part: _Part
    slide_id: int
    hidden: bool
    section: str | None
    notes: str | None


class AssembledDeck:
    """A finished output package, written with ``save`` or ``to_bytes``.

    Parts that were not changed stay in their source zips until written, so memory stays small
    whatever the size of the media.
    """

    def __init__(self, parts: list[_Part], content_types: bytes, slide_count: int,
                 warnings: list[str], decks: list[SourceDeck]):
        self._parts = parts
        self._content_types = content_types
        self.slide_count = slide_count
        self.warnings = warnings
        self._decks = decks

    @property
    def part_names(self) -> list[str]:
        """Names of every part of the output, in the order they are written."""
        return [part.name for part in self._parts]

    def to_bytes(self) -> bytes:
        """Return the whole .pptx package as bytes."""
        buffer = io.BytesIO()
        self._write(buffer)
        return buffer.getvalue()

    def save(self, path: str | os.PathLike) -> None:
        """Write the package to ``path`` atomically (complete file or none at all)."""
        with atomic_output(path) as handle:
            self._write(handle)

    def _write(self, handle: io.BufferedIOBase) -> None:
        was_open = {id(deck): deck.is_open for deck in self._decks}
        try:
            with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as out:
                _write_member(out, n.CONTENT_TYPES_PART, self._content_types)
                for part in self._parts:
                    if part.data is not None:
                        _write_member(out, part.name, part.data)
                    else:
                        _copy_member(part.deck, part.source_name, out, part.name)
                    if part.rels:
                        _write_member(out, n.rels_name(part.name), _rels_xml(part))
        finally:
            for deck in self._decks:
                if not was_open[id(deck)]:
                    deck.close()


def _write_member(out: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, _ZIP_DATE)
    info.compress_type = (zipfile.ZIP_STORED if n.extension(name) in _STORED_EXTENSIONS
                          else zipfile.ZIP_DEFLATED)
    info.external_attr = 0o600 << 16
    out.writestr(info, data)


def _copy_member(deck: SourceDeck, part: str, out: zipfile.ZipFile, name: str) -> None:
    archive, info = deck.raw_member(part)
    if can_copy_raw(info):
        copy_raw(archive, info, out, name, _ZIP_DATE)
        return
    target = zipfile.ZipInfo(name, _ZIP_DATE)
    target.compress_type = zipfile.ZIP_DEFLATED
    target.file_size = info.file_size
    with deck.open_part(part) as stream, out.open(target, "w", force_zip64=True) as sink:
        shutil.copyfileobj(stream, sink, 1 << 20)


def _rels_xml(part: _Part) -> bytes:
    root = etree.Element(qn("pr:Relationships"), nsmap={None: n.NS["pr"]})
    for rel in part.rels:
        element = etree.SubElement(root, qn("pr:Relationship"))
        element.set("Id", rel.rid)
        element.set("Type", rel.reltype)
        if rel.external:
            element.set("Target", rel.target)
            element.set("TargetMode", "External")
        else:
            element.set("Target", n.relative_target(part.name, rel.target))
    return _serialize(root)


def _serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def assemble(picks: Sequence[SlidePick], base: str | os.PathLike | SourceDeck | None = None,
             base_slides: str = "none") -> AssembledDeck:
    """Copy the picked slides, in order, into a new package and return it (not yet written).

    ``base`` gives the output its slide size and presentation-level properties; without it the
    first pick's deck does. ``base_slides`` adds the base's own "first" slide before the picks,
    its "last" slide after them, "both", or "none".
    """
    if base_slides not in BASE_SLIDES:
        raise DeckgenError(f"base_slides must be one of {', '.join(BASE_SLIDES)}, "
                           f"not '{base_slides}'")
    decks = _DeckSet()
    try:
        base_deck = decks.get(base) if base is not None else None
        resolved = [(decks.get(pick.source), pick) for pick in picks]
        if base_deck is not None and base_slides != "none":
            resolved = _with_base_slides(base_deck, base_slides, resolved)
        if not resolved:
            raise SlideSelectionError("no slides to assemble",
                                      hint="name at least one source deck or slide")
        for deck, pick in resolved:
            deck.slide_part(pick.slide_id)  # an unknown id fails before any copying
        builder = _Builder(base_deck or resolved[0][0])
        for deck, pick in resolved:
            builder.add_slide(deck, pick.slide_id, pick.section)
        return builder.finish(decks.all)
    finally:
        decks.close_opened()


def _with_base_slides(base: SourceDeck, which: str,
                      resolved: list[tuple[SourceDeck, SlidePick]]
                      ) -> list[tuple[SourceDeck, SlidePick]]:
    needed = 2 if which == "both" else 1
    if len(base.slide_ids) < needed:
        raise SlideSelectionError(
            f"has {len(base.slide_ids)} slide(s) but base_slides='{which}' needs {needed}",
            where=base.display)
    first = [(base, SlidePick(base, base.slide_ids[0]))] if which in ("first", "both") else []
    last = [(base, SlidePick(base, base.slide_ids[-1]))] if which in ("last", "both") else []
    return first + resolved + last


class _DeckSet:
    """Source decks of one assembly: each file opened once; only the ones it opened are closed."""

    def __init__(self) -> None:
        self._by_path: dict[Path, SourceDeck] = {}
        self._opened: list[SourceDeck] = []
        self.all: list[SourceDeck] = []

    def get(self, source: str | os.PathLike | SourceDeck) -> SourceDeck:
        if isinstance(source, SourceDeck):
            if source not in self.all:
                self.all.append(source)
            return source
        key = Path(source).resolve()
        if key not in self._by_path:
            deck = SourceDeck.open(source)
            self._by_path[key] = deck
            self._opened.append(deck)
            self.all.append(deck)
        return self._by_path[key]

    def close_opened(self) -> None:
        for deck in self._opened:
            deck.close()


class _PartNames:
    """Unique output part names (case-insensitively), numbered per folder and stem."""

    def __init__(self, reserved: Sequence[str]):
        self._taken = {name.lower() for name in reserved}
        self._next: dict[str, int] = {}

    def allocate(self, like: str) -> str:
        folder, base = posixpath.split(like)
        stem, dot, ext = base.rpartition(".")
        if not dot:
            stem, ext = base, ""
        folder = "/".join(_safe(segment) or "part" for segment in folder.split("/") if segment)
        stem = _safe(re.sub(r"\d+$", "", stem)) or "part"
        ext = _safe(ext)
        key = f"{folder}/{stem}.{ext}".lower()
        number = self._next.get(key, 1)
        while True:
            name = posixpath.join(folder, f"{stem}{number}{'.' if ext else ''}{ext}")
            if name.lower() not in self._taken:
                break
            number += 1
        self._next[key] = number + 1
        self._taken.add(name.lower())
        return name


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "", text)


class _Builder:
    """Collects the output's parts while slides are added, then completes the package."""

    def __init__(self, props: SourceDeck):
        self.props = props
        self.warnings: list[str] = []
        self._warned: set[str] = set()
        self._names = _PartNames(["ppt/presentation.xml", "ppt/presProps.xml",
                                  "ppt/viewProps.xml", "ppt/tableStyles.xml",
                                  "docProps/core.xml", "docProps/app.xml"])
        self._parts: list[_Part] = []
        self._by_name: dict[str, _Part] = {}
        self._memo: dict[tuple, str] = {}  # (context, deck, source part) -> output part
        self._shared_xml: dict[str, str] = {}  # content key -> output part
        self._shared_binary: dict[tuple, list[tuple[SourceDeck, str, str]]] = {}
        self._keys: dict[tuple[int, str], str] = {}
        self._sha: dict[tuple[int, str], str] = {}
        self._masters: list[str] = []
        self._layouts: dict[str, list[str]] = {}
        self._slides: list[_Slide] = []
        self._slide_copies: dict[tuple[int, str], str] = {}
        self._jumps: list[tuple[_Part, _Rel, SourceDeck, str, str]] = []
        self._notes_master: str | None = None
        self._slide_ids: set[int] = set()
        self._creation_ids: set[str] = set()
        self._table_styles: dict[int, set[str]] = {}
        self._decks: list[SourceDeck] = []
        self._props_text_style = _text_style(props)
        self._text_style_of: dict[int, etree._Element | None] = {}

    # -- warnings ------------------------------------------------------------------------------

    def _warn(self, message: str) -> None:
        if message not in self._warned:
            self._warned.add(message)
            self.warnings.append(message)

    # -- slides --------------------------------------------------------------------------------

    def add_slide(self, deck: SourceDeck, slide_id: int, section: str | None) -> None:
        """Copy one slide of ``deck`` (with its closure) to the end of the output."""
        self._check_size(deck)
        if deck not in self._decks:
            self._decks.append(deck)
            self._warn_about_deck(deck)
        source = deck.slide_part(slide_id)
        name = self._names.allocate(_CANONICAL_NAMES[n.CT_SLIDE])
        part = self._new_part(name, n.CT_SLIDE)
        part.root = deck.xml(source)
        self._memo[(name, id(deck), source)] = name
        self._slide_copies.setdefault((id(deck), source), name)
        part.rels = self._copy_rels(deck, source, part, name)
        self._finish_slide_xml(deck, part)
        notes = next((rel.target for rel in part.rels if rel.reltype == n.RT_NOTES_SLIDE), None)
        self._slides.append(_Slide(part, self._slide_id(slide_id),
                                   part.root.get("show") in ("0", "false"), section, notes))

    def _warn_about_deck(self, deck: SourceDeck) -> None:
        if deck.main_content_type != n.CT_PRESENTATION and any(
                rel.reltype == n.RT_VBA_PROJECT for rel in deck.rels(deck.main_part)):
            self._warn(f"{deck.display}: its macros (VBA) are not copied; the output is a "
                       "plain .pptx")

    def _check_size(self, deck: SourceDeck) -> None:
        want, have = self.props.slide_size, deck.slide_size
        if want is None or have is None or want == have:
            return
        raise InputFileError(
            f"its slides are {_describe_size(have)} but the output's are "
            f"{_describe_size(want)} (from {self.props.display}); deckgen does not scale slides",
            where=deck.display,
            hint="make the sizes match in PowerPoint (Design > Slide Size) or use a base deck "
                 "of the same size")

    def _slide_id(self, wanted: int) -> int:
        if not _SLIDE_ID_MIN <= wanted <= _SLIDE_ID_MAX or wanted in self._slide_ids:
            wanted = max(self._slide_ids | {_SLIDE_ID_MIN - 1}) + 1
        self._slide_ids.add(wanted)
        return wanted

    def _finish_slide_xml(self, deck: SourceDeck, part: _Part) -> None:
        root = part.root
        # a slide copied twice must not repeat its p14:creationId (pitfall 2)
        for creation in root.iter(qn("p14:creationId")):
            value = creation.get("val", "")
            while value in self._creation_ids:
                value = str(zlib.crc32(f"{part.name}:{value}".encode()))
            creation.set("val", value)
            self._creation_ids.add(value)
        styles = {element.text.strip() for element in root.iter(qn("a:tableStyleId"))
                  if element.text}
        if styles:
            self._table_styles.setdefault(id(deck), set()).update(styles)
        self._carry_text_style(deck, root)

    def _carry_text_style(self, deck: SourceDeck, root: etree._Element) -> bool:
        style = self._foreign_text_style(deck)
        return style is not None and carry_default_text_style(root, style)

    def _foreign_text_style(self, deck: SourceDeck) -> etree._Element | None:
        """The deck's p:defaultTextStyle when it differs from the output's, else None."""
        if id(deck) not in self._text_style_of:
            style = _text_style(deck) if deck is not self.props else None
            if style is not None and _same_xml(style, self._props_text_style):
                style = None
            self._text_style_of[id(deck)] = style
        return self._text_style_of[id(deck)]

    # -- parts and relationships ---------------------------------------------------------------

    def _new_part(self, name: str, content_type: str) -> _Part:
        part = _Part(name, content_type, [])
        self._parts.append(part)
        self._by_name[name] = part
        return part

    def _copy_rels(self, deck: SourceDeck, source: str, part: _Part, context: str) -> list[_Rel]:
        """Relationships of the copy of ``source``, keeping their ids (so the XML needs no
        change) and copying each internal target the closure rule says to follow."""
        content_type = deck.content_type(source)
        rels: list[_Rel] = []
        for rel in deck.rels(source):
            if rel.external:
                rels.append(_Rel(rel.rid, rel.reltype, rel.target, external=True))
            elif rel.reltype in n.COMMENT_RELTYPES:
                self._warn(f"{deck.display}: comments are not copied")
            elif rel.reltype == n.RT_SLIDE:
                rels.append(self._slide_link(deck, source, part, rel, content_type, context))
            elif rel.reltype == n.RT_NOTES_MASTER:
                rels.append(_Rel(rel.rid, rel.reltype, self._notes_master_part(deck, rel.part)))
            elif follows(content_type, rel):
                if not deck.has_part(rel.part):
                    raise deck.missing_part(rel.part, source)
                target = self._copy_part(deck, rel.part, rel.reltype, context)
                rels.append(_Rel(rel.rid, rel.reltype, target))
        if content_type == n.CT_NOTES_SLIDE and not any(
                rel.reltype == n.RT_NOTES_MASTER for rel in rels):
            # a notes slide without its master makes python-pptx fail on its notes (pitfall 7)
            rels.append(_Rel(_free_rid(rels), n.RT_NOTES_MASTER,
                             self._notes_master_part(deck, None)))
        return rels

    def _slide_link(self, deck: SourceDeck, source: str, part: _Part, rel: Relationship,
                    content_type: str, context: str) -> _Rel:
        if content_type == n.CT_NOTES_SLIDE and self._memo.get(
                (context, id(deck), rel.part)) == context:
            return _Rel(rel.rid, rel.reltype, context)  # a notes slide's link to its own slide
        link = _Rel(rel.rid, rel.reltype, "")
        self._jumps.append((part, link, deck, source, rel.part))
        return link

    def _copy_part(self, deck: SourceDeck, source: str, reltype: str, context: str) -> str:
        """Output name of the copy of ``source``: shared when an identical copy exists and
        the part may be shared, else one copy per ``context`` (slide, master or layout)."""
        shareable = reltype in n.SHAREABLE_RELTYPES
        memo_key = ("shared" if shareable else context, id(deck), source)
        if memo_key in self._memo:
            return self._memo[memo_key]
        content_type = deck.content_type(source) or _guess_type(deck, source, self)
        if shareable:
            existing = self._find_shared(deck, source, content_type)
            if existing is not None:
                self._memo[memo_key] = existing
                return existing
        name = self._names.allocate(_CANONICAL_NAMES.get(content_type, source))
        self._memo[memo_key] = name
        part = self._new_part(name, content_type)
        if shareable:
            self._register_shared(deck, source, content_type, name)
        if content_type in (n.CT_SLIDE_MASTER, n.CT_SLIDE_LAYOUT):
            part.root = deck.xml(source)
        else:
            part.deck, part.source_name = deck, source
        part.rels = self._copy_rels(deck, source, part, name if shareable else context)
        if content_type == n.CT_SLIDE_MASTER:
            self._masters.append(name)
            self._layouts[name] = []
            self._carry_text_style(deck, part.root)
        elif content_type == n.CT_SLIDE_LAYOUT:
            master = next((rel.target for rel in part.rels if rel.reltype == n.RT_SLIDE_MASTER),
                          None)
            if master is None:
                raise deck.damaged_structure(f"layout /{source} has no slide master")
            self._layouts[master].append(name)
            if not self._carry_text_style(deck, part.root):
                part.root, part.deck, part.source_name = None, deck, source  # copy as stored
        return name

    # -- sharing -------------------------------------------------------------------------------

    def _find_shared(self, deck: SourceDeck, source: str, content_type: str) -> str | None:
        if _is_xml(content_type, source):
            return self._shared_xml.get(self._content_key(deck, source))
        info = deck.member(source)
        for other_deck, other_source, name in self._shared_binary.get(
                (content_type, info.file_size, info.CRC), []):
            if self._sha256(deck, source) == self._sha256(other_deck, other_source):
                return name
        return None

    def _register_shared(self, deck: SourceDeck, source: str, content_type: str,
                         name: str) -> None:
        if _is_xml(content_type, source):
            self._shared_xml[self._content_key(deck, source)] = name
        else:
            info = deck.member(source)
            self._shared_binary.setdefault((content_type, info.file_size, info.CRC), []).append(
                (deck, source, name))

    def _sha256(self, deck: SourceDeck, part: str) -> str:
        key = (id(deck), part)
        if key not in self._sha:
            digest = hashlib.sha256()
            with deck.open_part(part) as stream:
                while chunk := stream.read(1 << 20):
                    digest.update(chunk)
            self._sha[key] = digest.hexdigest()
        return self._sha[key]

    def _content_key(self, deck: SourceDeck, part: str) -> str:
        """Digest that is equal for parts that would look the same in the output: content with
        relationship ids replaced by their targets' keys, plus those targets."""
        memo = (id(deck), part)
        if memo in self._keys:
            return self._keys[memo]
        self._keys[memo] = f"cycle:{part}"
        content_type = deck.content_type(part)
        digest = hashlib.sha256(content_type.encode() + b"\0")
        if content_type in (n.CT_SLIDE_MASTER, n.CT_SLIDE_LAYOUT):
            style = self._foreign_text_style(deck)
            digest.update(b"style:" + (_serialize(style) if style is not None else b"-"))
        targets: dict[str, str] = {}
        for rel in deck.rels(part):
            if rel.external:
                targets[rel.rid] = f"{rel.reltype} external {rel.target}"
            elif follows(content_type, rel) and deck.has_part(rel.part):
                if _is_xml(deck.content_type(rel.part), rel.part):
                    targets[rel.rid] = f"{rel.reltype} {self._content_key(deck, rel.part)}"
                else:
                    info = deck.member(rel.part)
                    targets[rel.rid] = f"{rel.reltype} {info.file_size}:{info.CRC}"
        data = deck.read(part)
        if targets:
            data = _normalised_xml(data, targets, content_type) or data
        digest.update(data)
        for value in sorted(targets.values()):
            digest.update(b"\0" + value.encode())
        self._keys[memo] = digest.hexdigest()
        return self._keys[memo]

    # -- notes master --------------------------------------------------------------------------

    def _notes_master_part(self, deck: SourceDeck, source: str | None) -> str:
        """The output's one notes master, copied on first need: the props deck's, else the
        given deck's, else python-pptx's default one."""
        if self._notes_master is None:
            for candidate, part in ((self.props, _presentation_target(self.props,
                                                                      n.RT_NOTES_MASTER)),
                                    (deck, source),
                                    (deck, _presentation_target(deck, n.RT_NOTES_MASTER))):
                if part is not None and candidate.has_part(part):
                    self._notes_master = self._copy_part(candidate, part, n.RT_NOTES_MASTER,
                                                         "notes master")
                    break
            else:
                self._notes_master = self._default_notes_master()
        return self._notes_master

    def _default_notes_master(self) -> str:
        templates = importlib.resources.files("pptx") / "templates"
        theme = self._new_part(self._names.allocate(_CANONICAL_NAMES[n.CT_THEME]), n.CT_THEME)
        theme.data = (templates / "theme.xml").read_bytes()
        master = self._new_part(self._names.allocate(_CANONICAL_NAMES[n.CT_NOTES_MASTER]),
                                n.CT_NOTES_MASTER)
        master.data = (templates / "notesMaster.xml").read_bytes()
        master.rels = [_Rel("rId1", n.RT_THEME, theme.name)]
        return master.name

    # -- finishing -----------------------------------------------------------------------------

    def finish(self, decks: list[SourceDeck]) -> AssembledDeck:
        """Resolve links, number masters and layouts, write presentation-level parts."""
        self._resolve_jumps()
        self._number_masters()
        presentation = self._presentation()
        package_parts = [presentation] + self._presentation_parts(presentation)
        package_parts += self._doc_props()
        for part in self._parts:
            if part.root is not None:
                part.data = _serialize(part.root)
                part.root = None
        parts = package_parts + [part for part in self._parts if part not in package_parts]
        package_rels = _Part("", "", [_Rel("rId1", n.RT_OFFICE_DOCUMENT, presentation.name)])
        for part in package_parts:
            if part.name == "docProps/core.xml":
                package_rels.rels.append(_Rel("rId2", n.RT_CORE_PROPERTIES, part.name))
            elif part.name == "docProps/app.xml":
                package_rels.rels.append(_Rel("rId3", n.RT_EXTENDED_PROPERTIES, part.name))
        root_rels = _Part("_rels/.rels", n.CT_RELATIONSHIPS, [], data=_rels_xml(package_rels))
        return AssembledDeck([root_rels] + parts, _content_types(parts), len(self._slides),
                             self.warnings, decks)

    def _resolve_jumps(self) -> None:
        for part, link, deck, source, target in self._jumps:
            copy = self._slide_copies.get((id(deck), target))
            if copy is not None:
                link.target = copy
                continue
            part.rels.remove(link)
            if part.root is None:
                part.root = deck.xml(source)
                part.deck = part.source_name = None
            for element in list(part.root.iter()):
                if element.get(qn("r:id")) == link.rid and element.tag in _HYPERLINK_TAGS:
                    element.getparent().remove(element)
                elif element.get(qn("r:id")) == link.rid:
                    del element.attrib[qn("r:id")]
            self._warn(f"{deck.display}: {_describe_part(deck, source)} links to "
                       f"{_describe_part(deck, target)}, which is not in the output; "
                       "the link was removed")

    def _number_masters(self) -> None:
        next_id = _FIRST_MASTER_ID
        self._master_ids: dict[str, int] = {}
        for master_name in self._masters:
            self._master_ids[master_name] = next_id
            next_id += 1
            master = self._by_name[master_name]
            id_list = master.root.find(qn("p:sldLayoutIdLst"))
            if id_list is None:
                id_list = etree.Element(qn("p:sldLayoutIdLst"))
                master.root.find(qn("p:cSld")).addnext(id_list)
                # p:clrMap sits between p:cSld and p:sldLayoutIdLst
                clr_map = master.root.find(qn("p:clrMap"))
                if clr_map is not None:
                    clr_map.addnext(id_list)
            for child in list(id_list):
                id_list.remove(child)
            for layout in self._layouts[master_name]:
                rid = _free_rid(master.rels)
                master.rels.append(_Rel(rid, n.RT_SLIDE_LAYOUT, layout))
                entry = etree.SubElement(id_list, qn("p:sldLayoutId"))
                entry.set("id", str(next_id))
                entry.set(qn("r:id"), rid)
                next_id += 1

    def _presentation(self) -> _Part:
        root = self.props.xml(self.props.main_part)
        for tag in ("p:sldMasterIdLst", "p:notesMasterIdLst", "p:handoutMasterIdLst",
                    "p:sldIdLst", "p:smartTags", "p:embeddedFontLst", "p:custShowLst",
                    "p:custDataLst", "p:modifyVerifier"):
            for element in root.findall(qn(tag)):
                root.remove(element)
        part = _Part("ppt/presentation.xml", n.CT_PRESENTATION, [])
        masters = etree.Element(qn("p:sldMasterIdLst"))
        for name in self._masters:
            entry = etree.SubElement(masters, qn("p:sldMasterId"))
            entry.set("id", str(self._master_ids[name]))
            entry.set(qn("r:id"), _add_rel(part, n.RT_SLIDE_MASTER, name))
        _insert_ordered(root, masters)
        if self._notes_master is not None:
            notes = etree.Element(qn("p:notesMasterIdLst"))
            etree.SubElement(notes, qn("p:notesMasterId")).set(
                qn("r:id"), _add_rel(part, n.RT_NOTES_MASTER, self._notes_master))
            _insert_ordered(root, notes)
        slides = etree.Element(qn("p:sldIdLst"))
        for slide in self._slides:
            entry = etree.SubElement(slides, qn("p:sldId"))
            entry.set("id", str(slide.slide_id))
            entry.set(qn("r:id"), _add_rel(part, n.RT_SLIDE, slide.part.name))
        _insert_ordered(root, slides)
        self._add_fonts(root, part)
        self._set_sections(root)
        part.root = root
        return part

    def _set_sections(self, root: etree._Element) -> None:
        ext_list = root.find(qn("p:extLst"))
        if ext_list is not None:
            for ext in ext_list.findall(qn("p:ext")):
                if ext.get("uri") == _SECTIONS_URI:
                    ext_list.remove(ext)
        if all(slide.section is None for slide in self._slides):
            if ext_list is not None and not len(ext_list):
                root.remove(ext_list)
            return
        if ext_list is None:
            ext_list = etree.Element(qn("p:extLst"))
            _insert_ordered(root, ext_list)
        ext = etree.Element(qn("p:ext"), uri=_SECTIONS_URI)
        ext_list.insert(0, ext)
        sections = etree.SubElement(ext, qn("p14:sectionLst"), nsmap={"p14": n.NS["p14"]})
        current_name, ids = None, None
        for index, slide in enumerate(self._slides):
            name = slide.section or current_name or "Default Section"
            if name != current_name:
                section = etree.SubElement(sections, qn("p14:section"))
                section.set("name", name)
                section.set("id", "{%s}" % str(uuid.uuid5(uuid.NAMESPACE_URL,
                                                         f"deckgen:{index}:{name}")).upper())
                ids = etree.SubElement(section, qn("p14:sldIdLst"))
                current_name = name
            etree.SubElement(ids, qn("p14:sldId")).set("id", str(slide.slide_id))

    def _add_fonts(self, root: etree._Element, part: _Part) -> None:
        """Embedded fonts of the props deck and of every deck slides came from, once per
        typeface (fonts are listed in presentation.xml, not reached from slides)."""
        fonts = etree.Element(qn("p:embeddedFontLst"))
        seen: set[str] = set()
        for deck in [self.props] + [d for d in self._decks if d is not self.props]:
            font_list = deck.presentation_xml.find(qn("p:embeddedFontLst"))
            rels = {rel.rid: rel for rel in deck.rels(deck.main_part)}
            for font in font_list if font_list is not None else ():
                face = font.find(qn("p:font"))
                typeface = face.get("typeface", "") if face is not None else ""
                if not typeface or typeface in seen:
                    continue
                seen.add(typeface)
                copied = etree.SubElement(fonts, qn("p:embeddedFont"))
                copied.append(_copy_element(face))
                for style in _FONT_STYLES:
                    element = font.find(qn(f"p:{style}"))
                    rel = rels.get(element.get(qn("r:id"), "")) if element is not None else None
                    if rel is None or rel.external or not deck.has_part(rel.part):
                        continue
                    target = self._copy_part(deck, rel.part, rel.reltype, "fonts")
                    etree.SubElement(copied, qn(f"p:{style}")).set(
                        qn("r:id"), _add_rel(part, n.RT_FONT, target))
        if len(fonts):
            _insert_ordered(root, fonts)

    def _presentation_parts(self, presentation: _Part) -> list[_Part]:
        """presProps, viewProps, theme link and merged table styles of the output."""
        parts = []
        props = self.props
        pres_props = _presentation_target(props, n.RT_PRES_PROPS)
        pres_root = props.xml(pres_props) if pres_props and props.has_part(pres_props) else (
            etree.Element(qn("p:presentationPr"), nsmap={"p": n.NS["p"]}))
        show = pres_root.find(qn("p:showPr"))
        for element in list(show) if show is not None else ():
            # custom shows and slide ranges name slides of the old deck
            if element.tag in (qn("p:custShow"), qn("p:sldRg")):
                element.addnext(etree.Element(qn("p:sldAll")))
                show.remove(element)
        parts.append(_Part("ppt/presProps.xml", _props_part_type(props, pres_props, "presProps"), [],
                           data=_serialize(pres_root)))
        _add_rel(presentation, n.RT_PRES_PROPS, "ppt/presProps.xml")
        view_props = _presentation_target(props, n.RT_VIEW_PROPS)
        if (view_props and props.has_part(view_props) and not props.rels(view_props)
                and not _has_relationship_attributes(props.xml(view_props))):
            parts.append(_Part("ppt/viewProps.xml", props.content_type(view_props), [],
                               data=props.read(view_props)))
            _add_rel(presentation, n.RT_VIEW_PROPS, "ppt/viewProps.xml")
        if self._masters:
            theme = next((rel.target for rel in self._by_name[self._masters[0]].rels
                          if rel.reltype == n.RT_THEME), None)
            if theme is not None:
                _add_rel(presentation, n.RT_THEME, theme)
        parts.append(_Part("ppt/tableStyles.xml", _props_part_type(props, _presentation_target(
            props, n.RT_TABLE_STYLES), "tableStyles"), [], data=_serialize(self._table_styles_xml())))
        _add_rel(presentation, n.RT_TABLE_STYLES, "ppt/tableStyles.xml")
        presentation.data = _serialize(presentation.root)
        presentation.root = None
        return parts

    def _table_styles_xml(self) -> etree._Element:
        """The props deck's table styles plus the custom styles copied tables use."""
        root = _table_styles(self.props)
        if root is None:
            root = etree.Element(qn("a:tblStyleLst"), nsmap={"a": n.NS["a"]})
            root.set("def", _DEFAULT_TABLE_STYLE)
        have = {style.get("styleId") for style in root.iter(qn("a:tblStyle"))}
        for deck in self._decks:
            wanted = self._table_styles.get(id(deck), set()) - have
            other = _table_styles(deck) if wanted and deck is not self.props else None
            for style in other.iter(qn("a:tblStyle")) if other is not None else ():
                if style.get("styleId") in wanted:
                    root.append(_copy_element(style))
                    have.add(style.get("styleId"))
        return root

    def _doc_props(self) -> list[_Part]:
        parts = []
        core = next((rel.part for rel in self.props.rels("")
                     if rel.reltype == n.RT_CORE_PROPERTIES and not rel.external), None)
        if core is not None and self.props.has_part(core):
            parts.append(_Part("docProps/core.xml", n.CT_CORE_PROPERTIES, [],
                               data=self.props.read(core)))
        app = etree.Element(qn("ep:Properties"), nsmap={None: n.NS["ep"], "vt": n.NS["vt"]})
        media = {rel.target for slide in self._slides for rel in slide.part.rels
                 if rel.reltype in (n.RT_VIDEO, n.RT_AUDIO) and not rel.external}
        for tag, value in (("Application", "deckgen"), ("Slides", len(self._slides)),
                           ("Notes", sum(1 for s in self._slides if s.notes)),
                           ("HiddenSlides", sum(1 for s in self._slides if s.hidden)),
                           ("MMClips", len(media))):
            etree.SubElement(app, qn(f"ep:{tag}")).text = str(value)
        parts.append(_Part("docProps/app.xml", n.CT_EXTENDED_PROPERTIES, [],
                           data=_serialize(app)))
        return parts


# -- helpers -----------------------------------------------------------------------------------

def _describe_size(size: tuple[int, int]) -> str:
    width, height = size
    ratio = width / height if height else 0
    known = {16 / 9: "16:9", 4 / 3: "4:3", 16 / 10: "16:10"}
    name = next((label for value, label in known.items() if abs(value - ratio) < 0.01), None)
    text = f"{width / 360000:.2f} x {height / 360000:.2f} cm"
    return f"{text} ({name})" if name else text


def _describe_part(deck: SourceDeck, part: str) -> str:
    for number, slide_id in enumerate(deck.slide_ids, start=1):
        if deck.slide_part(slide_id) == part:
            return f"slide {number}"
    return f"/{part}"


def _text_style(deck: SourceDeck) -> etree._Element | None:
    return deck.presentation_xml.find(qn("p:defaultTextStyle"))


def _same_xml(first: etree._Element | None, second: etree._Element | None) -> bool:
    if first is None or second is None:
        return first is second
    return etree.tostring(first, method="c14n") == etree.tostring(second, method="c14n")


def _presentation_target(deck: SourceDeck, reltype: str) -> str | None:
    return next((rel.part for rel in deck.rels(deck.main_part)
                 if rel.reltype == reltype and not rel.external), None)


def _table_styles(deck: SourceDeck) -> etree._Element | None:
    part = _presentation_target(deck, n.RT_TABLE_STYLES)
    return deck.xml(part) if part is not None and deck.has_part(part) else None


def _props_part_type(deck: SourceDeck, part: str | None, kind: str) -> str:
    known = deck.content_type(part) if part else ""
    return known or f"application/vnd.openxmlformats-officedocument.presentationml.{kind}+xml"


def _has_relationship_attributes(root: etree._Element) -> bool:
    prefix = "{" + n.R_NS + "}"
    return any(name.startswith(prefix) for element in root.iter() for name in element.attrib)


def _copy_element(element: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(element))


def _is_xml(content_type: str, part: str) -> bool:
    return (content_type.endswith("+xml") or content_type in ("application/xml", "text/xml")
            or n.extension(part) == "xml")


def _normalised_xml(data: bytes, targets: dict[str, str], content_type: str) -> bytes | None:
    """XML with every relationship-id attribute replaced by its target's key (None if the part
    is not well-formed XML); a master's list of layouts is left out."""
    try:
        root = etree.fromstring(data, n.XML_PARSER)
    except etree.XMLSyntaxError:
        return None
    if content_type == n.CT_SLIDE_MASTER:
        for element in root.findall(qn("p:sldLayoutIdLst")):
            root.remove(element)
    prefix = "{" + n.R_NS + "}"
    for element in root.iter():
        for name, value in element.attrib.items():
            if name.startswith(prefix) and value in targets:
                element.set(name, targets[value])
    return etree.tostring(root)


def _guess_type(deck: SourceDeck, part: str, builder: _Builder) -> str:
    guessed = mimetypes.guess_type(part)[0] or "application/octet-stream"
    builder._warn(f"{deck.display}: /{part} has no content type; copied as {guessed}")
    return guessed


def _free_rid(rels: list[_Rel]) -> str:
    used = {rel.rid for rel in rels}
    number = len(rels) + 1
    while f"rId{number}" in used:
        number += 1
    return f"rId{number}"


def _add_rel(part: _Part, reltype: str, target: str) -> str:
    rid = _free_rid(part.rels)
    part.rels.append(_Rel(rid, reltype, target))
    return rid


def _insert_ordered(root: etree._Element, element: etree._Element) -> None:
    """Insert ``element`` into presentation.xml's root at its schema position."""
    order = [qn(tag) for tag in _PRESENTATION_ORDER]
    rank = order.index(element.tag)
    for index, child in enumerate(root):
        if child.tag in order and order.index(child.tag) > rank:
            root.insert(index, element)
            return
    root.append(element)


def _content_types(parts: list[_Part]) -> bytes:
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
    return _serialize(root)

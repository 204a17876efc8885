"""The slide-copy engine: selected slides of source packages, with their closures, into one package.

How the output is put together (the choices users see):

* Each slide keeps its own look: its layout, master and theme come along ("keep source
  formatting"). Masters, layouts and media that are the same (byte-identical, or identical once
  relationship ids are normalised) are stored once, whichever deck they come from; a master
  carries only the layouts that copied slides use. Charts (with their workbooks, styles and
  colours), SmartArt, OLE objects, tags and other per-slide parts are never shared.
* Presentation-level settings (slide size, default text style, show settings, core properties)
  come from the base deck, or from the first source when there is no base. Slides of another
  size are scaled by one factor and centred, with their layouts and masters, as PowerPoint's
  "Ensure Fit" does (``strict=True`` refuses them with an error naming both sizes instead).
* Text outside placeholders that would inherit a different ``p:defaultTextStyle`` in the output
  gets its old deck's defaults written into its own list style, so it looks the same. When a
  deck of the slides leaves some of the output's defaults undefined, the output has none.
* Notes slides are copied and share one notes master: the base's, else the first source's
  (``notes=False`` leaves out every notes slide, and so the notes master).
* Document properties (docProps/core.xml) are ``properties`` when given, else the props deck's.
* Slide-to-slide links point at the copy of their target when it is in the output; otherwise
  they are removed with a warning. External links are kept as they are.
* Sections come from ``SlidePick.section``; the sources' own sections are not kept.
* With a destination ``template`` (.potx or .pptx), slides are re-parented onto the template's
  layouts instead ("Use Destination Theme", see ``retarget``): the output holds the template's
  masters with all their layouts, takes its slide size and presentation settings from the
  template, and only picks with ``keep_look`` bring their own master.
* What PowerPoint tolerates is tolerated (unless ``strict``): a relationship to a missing part
  that nothing in its part uses is left out, a missing picture that is used becomes an empty
  picture, a link to a missing part an external link, each with a warning; a ``#fragment``
  target stays as it is. ISO 29500 Strict packages are read as Transitional.
* docProps/app.xml names the application the copied charts' decks agree on (readers take chart
  defaults from it); otherwise deckgen, with PowerPoint 2007's chart defaults written out.
* Not copied: comments (a warning says so), VBA projects (a warning says so), custom shows,
  handout masters, custom XML of the presentation, the thumbnail.
* The output is always a plain .pptx (.pptm/.ppsx/.potx/.potm sources included).
"""
from __future__ import annotations

import hashlib
import importlib.resources
import mimetypes
import os
import posixpath
import re
import struct
import zlib
from dataclasses import dataclass
from typing import Callable, Sequence

from lxml import etree

from deckgen.errors import DeckgenError, InputFileError, SlideSelectionError
from deckgen.ooxml import names as n
from deckgen.ooxml.charts import CT_CHART, AppIdentity, app_identity, write_office_2007_defaults
from deckgen.ooxml.names import qn
from deckgen.ooxml.outpackage import AssembledDeck, OutPart, OutRel, free_rid, serialize
from deckgen.ooxml.package import DeckSet, Relationship, SourceDeck, follows
from deckgen.ooxml.presentation import (RESERVED_NAMES, DocumentProperties, EmbeddedFont, SlideEntry,
                                        doc_props_parts, package_rels_part, presentation_part,
                                        properties_parts, table_styles_of, target_of)
from deckgen.ooxml.retarget import DestinationTemplate, LayoutChoice, retarget_slide
from deckgen.ooxml.scale import Fit, fit_part
from deckgen.ooxml.sharing import SharedParts, is_xml
from deckgen.ooxml.textstyle import carry_default_text_style, covers

BASE_SLIDES = ("none", "first", "last", "both")
_CANONICAL_NAMES = {  # where PowerPoint itself puts parts of these types
    n.CT_SLIDE: "ppt/slides/slide.xml",
    n.CT_SLIDE_LAYOUT: "ppt/slideLayouts/slideLayout.xml",
    n.CT_SLIDE_MASTER: "ppt/slideMasters/slideMaster.xml",
    n.CT_NOTES_SLIDE: "ppt/notesSlides/notesSlide.xml",
    n.CT_NOTES_MASTER: "ppt/notesMasters/notesMaster.xml",
    n.CT_THEME: "ppt/theme/theme.xml",
}
_FONT_STYLES = ("regular", "bold", "italic", "boldItalic")
_SLIDE_ID_MIN, _SLIDE_ID_MAX = 256, 2147483647
_FIRST_MASTER_ID = 2147483648  # master and layout ids share one space from here
_HYPERLINK_TAGS = {qn("a:hlinkClick"), qn("a:hlinkMouseOver"), qn("a:hlinkHover")}


@dataclass(frozen=True)
class SlidePick:
    """One slide to copy: its deck (path or open SourceDeck), its ``p:sldId/@id``, and an
    optional section name (a pick without one continues the section before it).

    ``shown_number`` fixes the number its slide-number fields show (a preview of slide 5 alone
    shows "5", not its position "1"); None keeps the fields live. In template mode ``keep_look``
    keeps the slide's own master (e.g. a partner's co-branded slide).
    """

    source: str | os.PathLike | SourceDeck
    slide_id: int
    section: str | None = None
    shown_number: int | None = None
    keep_look: bool = False


def assemble(picks: Sequence[SlidePick], base: str | os.PathLike | SourceDeck | None = None,
             base_slides: str = "none", strict: bool = False, *, notes: bool = True,
             properties: DocumentProperties | None = None,
             template: str | os.PathLike | SourceDeck | None = None) -> AssembledDeck:
    """Copy the picked slides, in order, into a new package and return it (not yet written).

    ``base`` gives the output its slide size and presentation-level properties; without it the
    first pick's deck does. ``base_slides`` adds the base's own "first" slide before the picks,
    its "last" slide after them, "both", or "none". Slides of another size than the output are
    scaled to fit it and centred. With ``strict`` a relationship to a part that is missing
    refuses the deck, as it did before such decks were repaired on the way, and so does a slide
    of another size. With ``template`` the slides are put on the template's layouts and the
    template sets size and properties. ``notes=False`` copies no notes slides; ``properties``
    replace the props deck's document properties.
    """
    if base_slides not in BASE_SLIDES:
        raise DeckgenError(f"base_slides must be one of {', '.join(BASE_SLIDES)}, "
                           f"not '{base_slides}'")
    decks = DeckSet()
    try:
        base_deck = decks.get(base) if base is not None else None
        destination = (DestinationTemplate.of(decks.get(template)) if template is not None
                       else None)
        resolved = [(decks.get(pick.source), pick) for pick in picks]
        if base_deck is not None and base_slides != "none":
            resolved = _with_base_slides(base_deck, base_slides, resolved)
        if not resolved:
            raise SlideSelectionError("no slides to assemble",
                                      hint="name at least one source deck or slide")
        for deck, pick in resolved:
            deck.slide_part(pick.slide_id)  # an unknown id fails before any copying
        props = destination.deck if destination is not None else base_deck or resolved[0][0]
        builder = _AssemblyBuilder(props, [deck for deck, _ in resolved], strict=strict, notes=notes,
                                   properties=properties, template=destination)
        for deck, pick in resolved:
            builder.add_slide(deck, pick.slide_id, pick.section, pick.shown_number,
                              pick.keep_look)
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


def _freeze_slide_numbers(root: etree._Element, number: int) -> bool:
    """Turn the slide's slide-number fields into plain text showing ``number``; True if any."""
    fields = [field for field in root.iter(qn("a:fld")) if field.get("type") == "slidenum"]
    for field in fields:
        run = etree.Element(qn("a:r"))
        properties = field.find(qn("a:rPr"))
        if properties is not None:
            run.append(properties)
        etree.SubElement(run, qn("a:t")).text = str(number)
        field.addprevious(run)
        field.getparent().remove(field)
    return bool(fields)


class _PartNames:
    """Unique output part names (case-insensitively), numbered per folder and stem."""

    def __init__(self, reserved: Sequence[str]):
        self._taken = {name.lower() for name in reserved}
        self._next: dict[str, int] = {}

    def allocate(self, like: str) -> str:
        """A free name shaped like ``like``: same folder and stem, the next number."""
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


class _ForeignTextStyles:
    """Each source deck's p:defaultTextStyle, when it differs from the output's (pitfall 13) or
    its slides are scaled (the inherited sizes must be scaled with them).

    The output takes the props deck's defaults, unless a deck that slides come from leaves
    some of them undefined (it has none at all, written by another tool, or it sets no font
    where the props deck does): its text would inherit them, although carrying writes out what
    its deck defines. Then the output has no defaults, so "not defined" stays that way for its
    slides, and every deck with defaults carries its own (pitfall 16).
    """

    def __init__(self, props: SourceDeck, slide_decks: Sequence[SourceDeck],
                 fit_of: Callable[[SourceDeck], Fit | None]):
        self._fit_of = fit_of
        output = _text_style(props)
        self.output_has_style = output is not None and all(
            deck is props or _style_digest(deck) == _style_digest(props)
            or (_text_style(deck) is not None and covers(_text_style(deck), output))
            for deck in slide_decks)
        self._output_digest = (_style_digest(props) if self.output_has_style
                               else hashlib.sha256(b"").digest())
        self._by_deck: dict[int, tuple[etree._Element | None, bytes]] = {}

    def foreign(self, deck: SourceDeck) -> etree._Element | None:
        """The deck's default text style if its slides would inherit another one, else None."""
        return self._lookup(deck)[0]

    def context(self, deck: SourceDeck) -> bytes:
        """What copying adds to the deck's masters and layouts: a digest of the text style it
        carries into them and of the fit that scales them (empty when neither)."""
        fit = self._fit_of(deck)
        return self._lookup(deck)[1] + (fit.key if fit is not None else b"")

    def _lookup(self, deck: SourceDeck) -> tuple[etree._Element | None, bytes]:
        if id(deck) not in self._by_deck:
            style, digest = _text_style(deck), _style_digest(deck)
            same = digest == self._output_digest and self._fit_of(deck) is None
            if style is None or same:
                style, digest = None, b""
            self._by_deck[id(deck)] = (style, digest)
        return self._by_deck[id(deck)]


@dataclass
class _Jump:
    """A slide-to-slide link waiting for its target's copy (or for removal)."""

    part: OutPart
    rel: OutRel
    deck: SourceDeck
    source: str
    target: str


class _AssemblyBuilder:
    """Collects the output's parts while slides are added, then completes the package."""

    def __init__(self, props: SourceDeck, slide_decks: Sequence[SourceDeck],
                 strict: bool = False, *, notes: bool = True,
                 properties: DocumentProperties | None = None, template: DestinationTemplate | None = None):
        self.props = props
        self.strict = strict
        self.keep_notes = notes
        self.properties = properties
        self.template = template
        self._template_added = False
        self._fits: dict[int, Fit | None] = {}
        self.warnings: list[str] = []
        self._names = _PartNames(RESERVED_NAMES)
        self._parts: list[OutPart] = []
        self._by_name: dict[str, OutPart] = {}
        self._memo: dict[tuple, str] = {}  # (context, deck, source part) -> output part
        self._text_styles = _ForeignTextStyles(props, slide_decks, self._fit_of)
        self._shared = SharedParts(self._text_styles.context)
        self._masters: list[str] = []
        self._layouts: dict[str, list[str]] = {}  # master -> its layouts, in order of use
        self._slides: list[SlideEntry] = []
        self._slide_copies: dict[tuple[int, str], str] = {}  # first copy of each source slide
        self._jumps: list[_Jump] = []
        self._notes_master: str | None = None
        self._slide_ids: set[int] = set()
        self._creation_ids: set[str] = set()
        self._table_style_ids: dict[int, set[str]] = {}
        self._decks: list[SourceDeck] = []
        self._empty_picture: str | None = None
        self._charts: list[tuple[SourceDeck, str, OutPart]] = []

    def _warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    # -- slides --------------------------------------------------------------------------------

    def add_slide(self, deck: SourceDeck, slide_id: int, section: str | None,
                  shown_number: int | None = None, keep_look: bool = False) -> None:
        """Copy one slide of ``deck`` (with its closure) to the end of the output; in template
        mode onto a layout of the template, unless ``keep_look``."""
        fit = self._fit_of(deck)  # slides of another size are refused here with strict
        if deck not in self._decks:
            self._decks.append(deck)
            self._warn_about_macros(deck)
        source = deck.slide_part(slide_id)
        choice = None
        if self.template is not None and not keep_look:
            self._add_template_masters()
            choice = self.template.choose(deck, source, fit)
        name = self._names.allocate(_CANONICAL_NAMES[n.CT_SLIDE])
        part = self._new_part(name, n.CT_SLIDE)
        part.root = deck.xml(source)
        self._memo[(name, id(deck), source)] = name
        self._slide_copies.setdefault((id(deck), source), name)
        layout = None if choice is None else self._copy_part(
            self.template.deck, choice.layout.part, n.RT_SLIDE_LAYOUT, name)
        part.rels = self._copy_rels(deck, source, part, name, layout)
        if not any(rel.reltype == n.RT_SLIDE_LAYOUT for rel in part.rels):
            raise deck.damaged_structure(f"slide /{source} has no slide layout")
        hidden = part.root.get("show") in ("0", "false")
        if choice is not None and not (choice.identical and fit is None):
            self._retarget(deck, source, part, choice, fit)
            changed = True
        else:
            changed = self._fit_slide_xml(deck, part)
        if shown_number is not None:
            changed = _freeze_slide_numbers(part.root, shown_number) or changed
        if not changed:
            part.copy_as_stored(deck, source)
        has_notes = any(rel.reltype == n.RT_NOTES_SLIDE for rel in part.rels)
        self._slides.append(SlideEntry(part, self._slide_id(slide_id), hidden, section,
                                       has_notes))

    def _add_template_masters(self) -> None:
        """Copy every master of the template with all its layouts, in the template's order, so
        the output offers the whole template (once, before the first slide)."""
        if self._template_added:
            return
        self._template_added = True
        for layout in self.template.layouts:
            self._copy_part(self.template.deck, layout.part, n.RT_SLIDE_LAYOUT, "template")

    def _retarget(self, deck: SourceDeck, source: str, part: OutPart, choice: LayoutChoice,
                  fit: Fit | None) -> None:
        """Make a slide re-parented onto a template layout fit it: scaled to the template's
        size, its placeholders pointed at the layout's (its own deck's default text style is
        not carried: text takes the template's)."""
        self._fit_slide_xml(deck, part, carry_text_style=False)
        retarget_slide(part.root, choice, deck, source, fit)
        if not choice.mapped:
            self._warn(f"{deck.display}: {_describe_part(deck, source)}: {choice.reason}")
        for placeholder in choice.unmatched:
            self._warn(f"{deck.display}: {_describe_part(deck, source)}: its "
                       f"{placeholder.describe()} has no place on template layout "
                       f"'{choice.layout.name}'; it keeps its own position")

    def _warn_about_macros(self, deck: SourceDeck) -> None:
        if any(rel.reltype == n.RT_VBA_PROJECT for rel in deck.rels(deck.main_part)):
            self._warn(f"{deck.display}: its macros (VBA) are not copied; the output is a "
                       "plain .pptx")

    def _fit_of(self, deck: SourceDeck) -> Fit | None:
        """How ``deck``'s slides, layouts and masters are scaled to the output size (None when
        the sizes are the same); with strict, another size is an error."""
        if id(deck) in self._fits:
            return self._fits[id(deck)]
        want, have = self.props.slide_size, deck.slide_size
        fit = Fit.between(have, want) if want is not None and have is not None else None
        if fit is not None and self.strict:
            raise InputFileError(
                f"its slides are {_describe_size(have)} but the output's are "
                f"{_describe_size(want)} (from {self.props.display}); strict mode refuses to "
                "scale them",
                where=deck.display,
                hint="make the sizes match in PowerPoint (Design > Slide Size), use a base deck "
                     "of the same size, or build without strict mode to scale them")
        if fit is not None:
            self._warn(f"{deck.display}: its slides are {_describe_size(have)}; they were scaled "
                       f"to {_describe_size(want)} (x{fit.scale:.3f}) and centred")
        self._fits[id(deck)] = fit
        return fit

    def _slide_id(self, wanted: int) -> int:
        if not _SLIDE_ID_MIN <= wanted <= _SLIDE_ID_MAX or wanted in self._slide_ids:
            wanted = max(self._slide_ids | {_SLIDE_ID_MIN - 1}) + 1
        self._slide_ids.add(wanted)
        return wanted

    def _fit_slide_xml(self, deck: SourceDeck, part: OutPart,
                       carry_text_style: bool = True) -> bool:
        """Make the copied slide's XML fit the output; return True when it changed."""
        root = part.root
        changed = False
        # a slide copied twice must not repeat its p14:creationId (pitfall 2)
        for creation in root.iter(qn("p14:creationId")):
            value = creation.get("val", "")
            while value in self._creation_ids:
                value = str(zlib.crc32(f"{part.name}:{value}".encode()))
                changed = True
            creation.set("val", value)
            self._creation_ids.add(value)
        styles = {element.text.strip() for element in root.iter(qn("a:tableStyleId"))
                  if element.text}
        if styles:
            self._table_style_ids.setdefault(id(deck), set()).update(styles)
        if carry_text_style:
            changed = self._carry_text_style(deck, root) or changed
        return self._apply_fit(deck, root) or changed

    def _apply_fit(self, deck: SourceDeck, root: etree._Element) -> bool:
        fit = self._fit_of(deck)
        if fit is not None:
            fit_part(root, fit)
        return fit is not None

    def _carry_text_style(self, deck: SourceDeck, root: etree._Element) -> bool:
        style = self._text_styles.foreign(deck)
        return style is not None and carry_default_text_style(root, style)

    # -- parts and relationships ---------------------------------------------------------------

    def _new_part(self, name: str, content_type: str) -> OutPart:
        part = OutPart(name, content_type)
        self._parts.append(part)
        self._by_name[name] = part
        return part

    def _copy_rels(self, deck: SourceDeck, source: str, part: OutPart,
                   context: str, layout: str | None = None) -> list[OutRel]:
        """Relationships of the copy of ``source``, keeping their ids (so the XML needs no
        change) and copying each internal target the closure rule says to follow; a slide's
        layout relationship points at ``layout`` when given (template mode)."""
        content_type = deck.content_type(source)
        rels: list[OutRel] = []
        for rel in deck.rels(source):
            if rel.external:
                rels.append(OutRel(rel.rid, rel.reltype, rel.target, external=True))
            elif rel.part == source:
                # "#_ftn1": a place in the part itself, whatever the part is called
                rels.append(OutRel(rel.rid, rel.reltype, rel.target, verbatim=True))
            elif rel.reltype in n.COMMENT_RELTYPES:
                self._warn(f"{deck.display}: comments are not copied")
            elif rel.reltype == n.RT_NOTES_SLIDE and not self.keep_notes:
                continue
            elif rel.reltype == n.RT_SLIDE:
                rels.append(self._slide_link(deck, source, part, rel, content_type, context))
            elif rel.reltype == n.RT_SLIDE_LAYOUT and layout is not None:
                rels.append(OutRel(rel.rid, rel.reltype, layout))
            elif rel.reltype == n.RT_NOTES_MASTER:
                rels.append(OutRel(rel.rid, rel.reltype,
                                   self._notes_master_part(deck, rel.part)))
            elif follows(content_type, rel) and not deck.has_part(rel.part):
                stand_in = self._missing_target(deck, source, rel)
                if stand_in is not None:
                    rels.append(stand_in)
            elif follows(content_type, rel):
                target = self._copy_part(deck, rel.part, rel.reltype, context)
                rels.append(OutRel(rel.rid, rel.reltype, target))
        if content_type == n.CT_NOTES_SLIDE and not any(
                rel.reltype == n.RT_NOTES_MASTER for rel in rels):
            # a notes slide without its master makes python-pptx fail on its notes (pitfall 7)
            rels.append(OutRel(free_rid(rels), n.RT_NOTES_MASTER,
                               self._notes_master_part(deck, None)))
        return rels

    def _missing_target(self, deck: SourceDeck, source: str, rel: Relationship
                        ) -> OutRel | None:
        """What stands in for a relationship whose target part is not in the package.

        PowerPoint opens such decks without a word (pitfall 17): a relationship nothing in the
        part uses is left out, a used picture becomes an empty picture and a used hyperlink an
        external one to the same address, each with a warning. Anything else, and everything
        under ``strict``, refuses the deck.
        """
        if self.strict:
            raise deck.missing_part(rel.part, source)
        where = f"{deck.display}: {_describe_part(deck, source)}"
        if not _uses_rid(deck, source, rel.rid):
            self._warn(f"{where} has an unused relationship to '{rel.target}', which is not in "
                       "the package; it was left out")
            return None
        if rel.reltype == n.RT_HYPERLINK:
            # nothing in the package resolves a link: it stays, as the address it was
            self._warn(f"{where} links to '{rel.target}', which is not in the package; the "
                       "link is kept as an external address")
            return OutRel(rel.rid, rel.reltype, rel.target, external=True)
        if rel.reltype == n.RT_IMAGE:
            self._warn(f"{where} shows the picture '{rel.target}', which is missing from the "
                       "package; an empty picture stands in for it")
            return OutRel(rel.rid, rel.reltype, self._empty_picture_part())
        raise deck.missing_part(rel.part, source)

    def _empty_picture_part(self) -> str:
        """The output's one transparent 1x1 PNG, for pictures missing from their deck."""
        if self._empty_picture is None:
            part = self._new_part(self._names.allocate("ppt/media/image.png"), "image/png")
            part.data = _transparent_png()
            self._empty_picture = part.name
        return self._empty_picture

    def _slide_link(self, deck: SourceDeck, source: str, part: OutPart, rel: Relationship,
                    content_type: str, context: str) -> OutRel:
        if content_type == n.CT_NOTES_SLIDE and self._memo.get(
                (context, id(deck), rel.part)) == context:
            return OutRel(rel.rid, rel.reltype, context)  # a notes slide's link to its slide
        link = OutRel(rel.rid, rel.reltype, "")
        self._jumps.append(_Jump(part, link, deck, source, rel.part))
        return link

    def _copy_part(self, deck: SourceDeck, source: str, reltype: str, context: str) -> str:
        """Output name of the copy of ``source``: shared when an identical copy exists and
        the part may be shared, else one copy per ``context`` (slide, master or layout)."""
        shareable = reltype in n.SHAREABLE_RELTYPES
        memo_key = ("shared" if shareable else context, id(deck), source)
        if memo_key in self._memo:
            return self._memo[memo_key]
        content_type = deck.content_type(source) or self._guess_type(deck, source)
        if shareable:
            existing = self._shared.find(deck, source, content_type)
            if existing is not None:
                self._memo[memo_key] = existing
                return existing
        name = self._names.allocate(_CANONICAL_NAMES.get(content_type, source))
        self._memo[memo_key] = name
        part = self._new_part(name, content_type)
        if shareable:
            self._shared.register(deck, source, content_type, name)
        part.copy_as_stored(deck, source)
        if content_type == CT_CHART:
            self._charts.append((deck, source, part))
        # parts below a shared part belong to it, not to the slide that happened to reach it
        part.rels = self._copy_rels(deck, source, part, name if shareable else context)
        if content_type == n.CT_SLIDE_MASTER:
            self._masters.append(name)
            self._layouts[name] = []
            part.root = deck.xml(source)  # its layout list is rebuilt
            self._carry_text_style(deck, part.root)
            self._apply_fit(deck, part.root)
        elif content_type == n.CT_SLIDE_LAYOUT:
            master = next((rel.target for rel in part.rels if rel.reltype == n.RT_SLIDE_MASTER),
                          None)
            if master is None:
                raise deck.damaged_structure(f"layout /{source} has no slide master")
            self._layouts[master].append(name)
            if self._text_styles.foreign(deck) is not None or self._fit_of(deck) is not None:
                root = deck.xml(source)
                if self._carry_text_style(deck, root) | self._apply_fit(deck, root):
                    part.root = root
        return name

    def _guess_type(self, deck: SourceDeck, part: str) -> str:
        guessed = mimetypes.guess_type(part)[0] or "application/octet-stream"
        self._warn(f"{deck.display}: /{part} has no content type; copied as {guessed}")
        return guessed

    # -- notes master --------------------------------------------------------------------------

    def _notes_master_part(self, deck: SourceDeck, source: str | None) -> str:
        """The output's one notes master, copied on first need: the props deck's, else the
        given deck's, else python-pptx's default one."""
        if self._notes_master is None:
            for candidate, part in ((self.props, target_of(self.props, n.RT_NOTES_MASTER)),
                                    (deck, source),
                                    (deck, target_of(deck, n.RT_NOTES_MASTER))):
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
        master.add_rel(n.RT_THEME, theme.name)
        return master.name

    # -- finishing -----------------------------------------------------------------------------

    def finish(self, decks: list[SourceDeck]) -> AssembledDeck:
        """Resolve links, number masters and layouts, add the presentation-level parts."""
        self._resolve_jumps()
        masters = self._number_masters()
        presentation = presentation_part(self.props, masters, self._notes_master, self._slides,
                                         self._embedded_fonts())
        if not self._text_styles.output_has_style:
            for style in presentation.root.findall(qn("p:defaultTextStyle")):
                presentation.root.remove(style)
        theme = next((rel.target for rel in self._by_name[self._masters[0]].rels
                      if rel.reltype == n.RT_THEME), None)
        head = [presentation] + properties_parts(self.props, presentation, theme,
                                                 self._custom_table_styles())
        doc_props = doc_props_parts(self.props, self._slides, self._app_identity(), self.properties)
        parts = [package_rels_part(presentation, doc_props)] + head + doc_props + self._parts
        for part in parts:
            if part.root is not None:
                part.data = serialize(part.root)
                part.root = None
        return AssembledDeck(parts, len(self._slides), self.warnings, decks)

    def _app_identity(self) -> AppIdentity:
        """The application the output names in docProps/app.xml (pitfall 15).

        Readers take chart defaults from it, so when every copied chart comes from decks that
        name one application, the output names it too. Otherwise it names deckgen, and charts
        from PowerPoint 2007 decks get the defaults that 2007 left implicit written out.
        """
        identities = {app_identity(deck) for deck, _, _ in self._charts}
        if len(identities) == 1 and next(iter(identities)).application:
            return identities.pop()
        for deck, source, part in self._charts:
            if app_identity(deck).office_2007:
                root = deck.xml(source)
                if write_office_2007_defaults(root):
                    part.root, part.data = root, None
        return AppIdentity("deckgen")

    def _resolve_jumps(self) -> None:
        for jump in self._jumps:
            copy = self._slide_copies.get((id(jump.deck), jump.target))
            if copy is not None:
                jump.rel.target = copy
                continue
            part = jump.part
            part.rels.remove(jump.rel)
            if part.root is None:
                part.root = jump.deck.xml(jump.source)
            for element in list(part.root.iter()):
                if element.get(qn("r:id")) != jump.rel.rid:
                    continue
                if element.tag in _HYPERLINK_TAGS:
                    element.getparent().remove(element)
                else:
                    del element.attrib[qn("r:id")]
            self._warn(f"{jump.deck.display}: {_describe_part(jump.deck, jump.source)} links to "
                       f"{_describe_part(jump.deck, jump.target)}, which is not in the output; "
                       "the link was removed")

    def _number_masters(self) -> list[tuple[str, int]]:
        """Give masters and their layouts ids from 2147483648 up and rebuild each master's
        layout list with the layouts copied slides use."""
        next_id = _FIRST_MASTER_ID
        numbered = []
        for name in self._masters:
            numbered.append((name, next_id))
            next_id += 1
            master = self._by_name[name]
            id_list = master.root.find(qn("p:sldLayoutIdLst"))
            if id_list is None:
                id_list = etree.Element(qn("p:sldLayoutIdLst"))
                # the list follows p:clrMap, which follows p:cSld
                anchor = master.root.find(qn("p:clrMap"))
                (anchor if anchor is not None else master.root.find(qn("p:cSld"))).addnext(
                    id_list)
            for child in list(id_list):
                id_list.remove(child)
            for layout in self._layouts[name]:
                entry = etree.SubElement(id_list, qn("p:sldLayoutId"))
                entry.set("id", str(next_id))
                entry.set(qn("r:id"), master.add_rel(n.RT_SLIDE_LAYOUT, layout))
                next_id += 1
        return numbered

    def _embedded_fonts(self) -> list[EmbeddedFont]:
        """Embedded fonts of the props deck and of every deck slides came from, once per
        typeface (fonts are listed in presentation.xml, not reached from slides)."""
        fonts: list[EmbeddedFont] = []
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
                parts = {}
                for style in _FONT_STYLES:
                    element = font.find(qn(f"p:{style}"))
                    rel = rels.get(element.get(qn("r:id"), "")) if element is not None else None
                    if rel is not None and not rel.external and deck.has_part(rel.part):
                        parts[style] = self._copy_part(deck, rel.part, rel.reltype, "fonts")
                fonts.append(EmbeddedFont(face, parts))
        return fonts

    def _custom_table_styles(self) -> list[etree._Element]:
        """Definitions of the custom table styles that copied tables use, from their decks."""
        styles = []
        for deck in self._decks:
            if deck is not self.props:
                styles += table_styles_of(deck, self._table_style_ids.get(id(deck), set()))
        return styles


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


def _uses_rid(deck: SourceDeck, part: str, rid: str) -> bool:
    """True when an attribute of the XML ``part`` holds relationship id ``rid`` (r:embed, r:id,
    VML's o:relid...); a part that is not XML counts as using all its relationships."""
    if not is_xml(deck.content_type(part), part):
        return True
    return any(rid in element.attrib.values() for element in deck.xml(part).iter())


def _transparent_png() -> bytes:
    """A valid 1x1 fully transparent PNG (RGBA), built by hand to need no image library."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\x00\x00\x00\x00")) + chunk(b"IEND", b""))


def _text_style(deck: SourceDeck) -> etree._Element | None:
    return deck.presentation_xml.find(qn("p:defaultTextStyle"))


def _style_digest(deck: SourceDeck) -> bytes:
    """sha256 of the deck's canonical p:defaultTextStyle (kept on the deck)."""
    if ("text style",) not in deck.derived:
        style = _text_style(deck)
        canonical = etree.tostring(style, method="c14n") if style is not None else b""
        deck.derived[("text style",)] = hashlib.sha256(canonical).digest()
    return deck.derived[("text style",)]

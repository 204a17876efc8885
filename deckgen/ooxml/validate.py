"""Structural checks of a .pptx package: content types, relationships, ids and presentation lists."""
from __future__ import annotations

import io
import os
import posixpath
import re
import zipfile
from collections import Counter
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from deckgen.errors import InputFileError
from deckgen.ooxml.names import (CONTENT_TYPES_PART, CT_HANDOUT_MASTER, CT_NOTES_MASTER, CT_NOTES_SLIDE,
                                 CT_PRESENTATION, CT_SLIDE, CT_SLIDE_LAYOUT, CT_SLIDE_MASTER, CT_VBA_PROJECT, NS,
                                 R_NS, RT_EXTENDED_PROPERTIES, RT_HANDOUT_MASTER, RT_NOTES_MASTER,
                                 RT_OFFICE_DOCUMENT, RT_SLIDE, RT_SLIDE_LAYOUT, RT_SLIDE_MASTER,
                                 RT_THEME, RT_VBA_PROJECT)

_CT_NS, _PKG_REL_NS, _P_NS, _EP_NS, _P14_NS = NS["ct"], NS["pr"], NS["p"], NS["ep"], NS["p14"]
_CT_PML = "application/vnd.openxmlformats-officedocument.presentationml."
_MAIN_KIND = {  # main content types of the other package flavours, for a message that names them
    _CT_PML + "slideshow.main+xml": "a slide show (.ppsx)",
    _CT_PML + "template.main+xml": "a template (.potx)",
    "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml": "a macro-enabled deck (.pptm)",
    "application/vnd.ms-powerpoint.slideshow.macroEnabled.main+xml": "a macro-enabled show (.ppsm)",
    "application/vnd.ms-powerpoint.template.macroEnabled.main+xml": "a macro-enabled template (.potm)",
}

_SLIDE_ID_MIN, _SLIDE_ID_MAX = 256, 2147483647  # ST_SlideId
_MASTER_ID_MIN, _MASTER_ID_MAX = 2147483648, 4294967295  # ST_SlideMasterId / ST_SlideLayoutId
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def validate_package(path_or_bytes: str | os.PathLike | bytes) -> list[str]:
    """Return the structural problems of a .pptx package, one readable line each ([] when valid).

    Each line starts with the part it concerns. A missing file raises ``InputFileError``; a file
    that is not a zip is reported as a single problem, because it is a (fatal) package defect.
    """
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        source = io.BytesIO(bytes(path_or_bytes))
    else:
        path = Path(path_or_bytes)
        if not path.is_file():
            raise InputFileError("file not found", where=str(path), hint="check the path")
        source = io.BytesIO(path.read_bytes())
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        return [f"package: not a readable zip archive ({exc})"]
    with archive:
        return _PackageChecker(archive).run()


class _PackageChecker:
    """One validation pass over an open zip; collects problems instead of stopping at the first."""

    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        self.problems: list[str] = []
        self.members = [info.filename for info in archive.infolist() if not info.is_dir()]
        # part name (no leading slash) by its case-folded form: OPC part names ignore case
        self.parts = {name.lower(): name for name in self.members if name != CONTENT_TYPES_PART}
        self._xml: dict[str, etree._Element | None] = {}
        self._rels: dict[str, list[_Relationship]] = {}
        self.content_types: dict[str, str] = {}
        self.slide_order: list[str] = []  # slide parts in p:sldIdLst order
        self.master_ids: list[tuple[str, str, int | None]] = []  # (part, element, id)

    def report(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def run(self) -> list[str]:
        self._check_member_names()
        if not self._read_content_types():
            return self.problems
        self._check_vba()
        for part in self._sorted_parts():
            self._check_relationships(part)
        for part in self._sorted_parts():
            self._check_relationship_attributes(part)
        presentation = self._presentation_part()
        if presentation is not None:
            self._check_presentation(presentation)
            self._check_masters_and_layouts()
            self._check_slides()
            self._check_notes(presentation)
            self._check_app_properties()
        return self.problems

    # -- zip members and content types --------------------------------------------------------

    def _sorted_parts(self) -> list[str]:
        return sorted(self.parts.values())

    def _check_member_names(self) -> None:
        for name, count in Counter(self.members).items():
            if count > 1:
                self.report(name, f"stored {count} times in the zip (duplicate member name)")
        by_folded: dict[str, set[str]] = {}
        for name in self.members:
            by_folded.setdefault(name.lower(), set()).add(name)
        for names in by_folded.values():
            if len(names) > 1:
                listed = ", ".join(sorted(names))
                self.report(sorted(names)[0], f"part names differ only in case: {listed}")

    def _read_content_types(self) -> bool:
        if CONTENT_TYPES_PART not in self.members:
            self.report(CONTENT_TYPES_PART, "missing, so no part has a content type")
            return False
        root = self._parse(CONTENT_TYPES_PART)
        if root is None:
            return False
        defaults = {d.get("Extension", "").lower(): d.get("ContentType", "")
                    for d in root.iter(f"{{{_CT_NS}}}Default")}
        overrides: dict[str, str] = {}
        for override in root.iter(f"{{{_CT_NS}}}Override"):
            name = override.get("PartName", "").lstrip("/")
            overrides[unquote(name).lower()] = override.get("ContentType", "")
            if unquote(name).lower() not in self.parts:
                self.report(CONTENT_TYPES_PART, f"Override for /{name}, which is not in the package")
        for folded, name in self.parts.items():
            base = posixpath.basename(folded)
            extension = base.rsplit(".", 1)[1] if "." in base else ""
            content_type = overrides.get(folded) or defaults.get(extension)
            if content_type:
                self.content_types[name] = content_type
            else:
                self.report(name, "has no content type (no Override for it and no Default for "
                                  f"extension '{extension}' in {CONTENT_TYPES_PART})")
        return True

    def _parts_of_type(self, content_type: str) -> list[str]:
        return sorted(name for name, ct in self.content_types.items() if ct == content_type)

    def _check_vba(self) -> None:
        for name, content_type in self.content_types.items():
            if content_type == CT_VBA_PROJECT or name.lower().endswith("vbaproject.bin"):
                self.report(name, "VBA project inside a .pptx (macros belong only in .pptm)")

    # -- XML and relationships ----------------------------------------------------------------

    def _parse(self, name: str) -> etree._Element | None:
        if name not in self._xml:
            try:
                self._xml[name] = etree.fromstring(self.archive.read(name), _XML_PARSER)
                if self._xml[name].getroottree().docinfo.doctype:
                    self.report(name, "has a DOCTYPE (PowerPoint refuses document type declarations)")
            except etree.XMLSyntaxError as exc:
                # untyped parts (application/xml, e.g. p:custData items) may hold any bytes
                if self._is_typed_xml_part(name) or name == CONTENT_TYPES_PART:
                    self.report(name, f"is not well-formed XML ({exc})")
                self._xml[name] = None
        return self._xml[name]

    def _is_typed_xml_part(self, name: str) -> bool:
        return self.content_types.get(name, "").endswith("+xml")

    def _is_xml_part(self, name: str) -> bool:
        content_type = self.content_types.get(name, "")
        return content_type.endswith("+xml") or content_type in ("application/xml", "text/xml")

    def rels_of(self, part: str) -> list[_Relationship]:
        """Relationships whose source is ``part`` ('' for the package itself)."""
        if part in self._rels:
            return self._rels[part]
        folder, base = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        relationships: list[_Relationship] = []
        stored = self.parts.get(rels_name.lower())
        root = self._parse(stored) if stored else None
        if root is not None:
            for element in root.iter(f"{{{_PKG_REL_NS}}}Relationship"):
                external = element.get("TargetMode") == "External"
                target = element.get("Target", "")
                relationships.append(_Relationship(
                    rid=element.get("Id", ""), reltype=element.get("Type", ""), target=target,
                    external=external, part=None if external else _resolve(part, target)))
        self._rels[part] = relationships
        return relationships

    def _check_relationships(self, name: str) -> None:
        if not name.endswith(".rels"):
            return
        folder, base = posixpath.split(name)
        if posixpath.basename(folder) != "_rels":
            self.report(name, "relationship part outside a _rels folder")
            return
        source = posixpath.join(posixpath.dirname(folder), base[: -len(".rels")])
        if source and source.lower() not in self.parts:
            self.report(name, f"relationships of /{source}, which is not in the package")
        counts = Counter(rel.rid for rel in self.rels_of(source))
        for rid, count in counts.items():
            if count > 1:
                self.report(name, f"relationship id {rid} is used {count} times")
        for rel in self.rels_of(source):
            if rel.reltype == RT_VBA_PROJECT:
                self.report(name, f"{rel.rid} links a VBA project (not allowed in a .pptx)")
            if not rel.external and rel.part.lower() not in self.parts:
                self.report(name, f"{rel.rid} targets {rel.target} (/{rel.part}), "
                                  "which is not in the package")

    def _target(self, source: str, rid: str) -> _Relationship | None:
        for rel in self.rels_of(source):
            if rel.rid == rid:
                return rel
        return None

    def _part(self, rel: _Relationship | None) -> str | None:
        """Stored name of the internal part a relationship targets, or None."""
        if rel is None or rel.external:
            return None
        return self.parts.get(rel.part.lower())

    def _check_relationship_attributes(self, name: str) -> None:
        if not self._is_xml_part(name) or name.endswith(".rels"):
            return
        root = self._parse(name)
        if root is None:
            return
        known = {rel.rid for rel in self.rels_of(name)}
        missing: dict[str, int] = {}
        for element in root.iter():
            for attribute, value in element.attrib.items():
                # an empty r:id is legal: e.g. a "next slide" action button has no target
                if attribute.startswith(f"{{{R_NS}}}") and value and value not in known:
                    local = etree.QName(attribute).localname
                    tag = etree.QName(element).localname
                    missing.setdefault(f"{tag}/@r:{local}=\"{value}\"", 0)
                    missing[f"{tag}/@r:{local}=\"{value}\""] += 1
        for reference, count in missing.items():
            times = f" ({count} times)" if count > 1 else ""
            self.report(name, f"{reference} has no relationship in its .rels{times}")

    # -- presentation-level lists -------------------------------------------------------------

    def _presentation_part(self) -> str | None:
        documents = [rel for rel in self.rels_of("") if rel.reltype == RT_OFFICE_DOCUMENT]
        if not documents:
            self.report("_rels/.rels", "no officeDocument relationship to presentation.xml")
            return None
        part = self._part(documents[0])
        if part is None:
            return None  # already reported as a dangling relationship
        content_type = self.content_types.get(part, "")
        if content_type != CT_PRESENTATION:
            kind = _MAIN_KIND.get(content_type, f"'{content_type}'")
            self.report(part, f"main content type is {kind}, not a plain presentation "
                              f"({CT_PRESENTATION})")
        return part if self._parse(part) is not None else None

    def _id_list(self, part: str, list_tag: str, item_tag: str, reltype: str,
                 content_type: str) -> list[tuple[int | None, str | None]]:
        """(id, target part) of each entry of ``list_tag`` in ``part``; reports bad references."""
        root = self._parse(part)
        entries: list[tuple[int | None, str | None]] = []
        id_list = root.find(f"{{{_P_NS}}}{list_tag}") if root is not None else None
        if id_list is None:
            return entries
        for item in id_list.iter(f"{{{_P_NS}}}{item_tag}"):
            rid = item.get(f"{{{R_NS}}}id", "")
            raw_id = item.get("id")
            try:
                number = int(raw_id) if raw_id is not None else None
            except ValueError:
                self.report(part, f"p:{item_tag} id=\"{raw_id}\" is not a number")
                number = None
            rel = self._target(part, rid)
            target = self._part(rel)
            if rel is not None and rel.reltype != reltype:
                self.report(part, f"p:{item_tag} r:id=\"{rid}\" is a {_short(rel.reltype)} "
                                  f"relationship, expected {_short(reltype)}")
                target = None
            elif target is not None and self.content_types.get(target) != content_type:
                self.report(part, f"p:{item_tag} r:id=\"{rid}\" targets /{target}, "
                                  f"which is not a {_short(reltype)} part")
                target = None
            entries.append((number, target))
        return entries

    def _check_presentation(self, presentation: str) -> None:
        slides = self._id_list(presentation, "sldIdLst", "sldId", RT_SLIDE, CT_SLIDE)
        self._check_ids(presentation, "p:sldId", [n for n, _ in slides],
                        _SLIDE_ID_MIN, _SLIDE_ID_MAX)
        self._check_listed(presentation, "p:sldIdLst", [t for _, t in slides],
                           self._parts_of_type(CT_SLIDE))
        self.slide_order = [t for _, t in slides if t is not None]

        masters = self._id_list(presentation, "sldMasterIdLst", "sldMasterId", RT_SLIDE_MASTER,
                                CT_SLIDE_MASTER)
        self._check_listed(presentation, "p:sldMasterIdLst", [t for _, t in masters],
                           self._parts_of_type(CT_SLIDE_MASTER))
        # masters and layouts share one id space, checked together below
        self.master_ids = [(presentation, "p:sldMasterId", n) for n, _ in masters]

        handouts = self._id_list(presentation, "handoutMasterIdLst", "handoutMasterId",
                                 RT_HANDOUT_MASTER, CT_HANDOUT_MASTER)
        self._check_listed(presentation, "p:handoutMasterIdLst", [t for _, t in handouts],
                           self._parts_of_type(CT_HANDOUT_MASTER))

    def _check_listed(self, part: str, list_name: str, listed: list[str | None],
                      present: list[str]) -> None:
        for target, count in Counter(t for t in listed if t is not None).items():
            if count > 1:
                self.report(part, f"{list_name} lists /{target} {count} times")
        for name in present:
            if name not in listed:
                self.report(part, f"{list_name} does not list /{name}")

    def _check_ids(self, part: str, what: str, numbers: list[int | None],
                   low: int, high: int) -> None:
        for number in numbers:
            if number is not None and not low <= number <= high:
                self.report(part, f"{what} id {number} is outside {low}..{high}")
        for number, count in Counter(n for n in numbers if n is not None).items():
            if count > 1:
                self.report(part, f"{what} id {number} is used {count} times")

    def _check_masters_and_layouts(self) -> None:
        ids = list(self.master_ids)
        owner_of_layout: dict[str, str] = {}
        for master in self._parts_of_type(CT_SLIDE_MASTER):
            if self._parse(master) is None:
                continue
            entries = self._id_list(master, "sldLayoutIdLst", "sldLayoutId", RT_SLIDE_LAYOUT,
                                    CT_SLIDE_LAYOUT)
            ids.extend((master, "p:sldLayoutId", n) for n, _ in entries)
            listed = [t for _, t in entries]
            related = sorted({self._part(rel) for rel in self.rels_of(master)
                              if rel.reltype == RT_SLIDE_LAYOUT} - {None})
            self._check_listed(master, "p:sldLayoutIdLst", listed, related)
            for layout in listed:
                if layout is None:
                    continue
                if layout in owner_of_layout:
                    self.report(layout, f"listed by two masters: /{owner_of_layout[layout]} "
                                        f"and /{master}")
                owner_of_layout[layout] = master
            if not any(rel.reltype == RT_THEME for rel in self.rels_of(master)):
                self.report(master, "slide master has no theme relationship")
        for layout in self._parts_of_type(CT_SLIDE_LAYOUT):
            masters = [self._part(rel) for rel in self.rels_of(layout)
                       if rel.reltype == RT_SLIDE_MASTER]
            if len(masters) != 1:
                self.report(layout, f"slide layout has {len(masters)} slideMaster relationships, "
                                    "expected 1")
            elif layout not in owner_of_layout:
                self.report(layout, "slide layout is not listed in any master's p:sldLayoutIdLst")
            elif masters[0] != owner_of_layout[layout]:
                self.report(layout, f"points to master /{masters[0]} but is listed by "
                                    f"/{owner_of_layout[layout]}")
        seen: dict[int, str] = {}
        for part, what, number in ids:
            if number is None:
                continue
            if not _MASTER_ID_MIN <= number <= _MASTER_ID_MAX:
                self.report(part, f"{what} id {number} is outside "
                                  f"{_MASTER_ID_MIN}..{_MASTER_ID_MAX}")
            if number in seen:
                self.report(part, f"{what} id {number} is already used by /{seen[number]} "
                                  "(master and layout ids share one number space)")
            seen.setdefault(number, part)

    def _check_slides(self) -> None:
        creation_ids: dict[str, str] = {}
        for slide in self._parts_of_type(CT_SLIDE):
            layouts = [rel for rel in self.rels_of(slide) if rel.reltype == RT_SLIDE_LAYOUT]
            if len(layouts) != 1:
                self.report(slide, f"slide has {len(layouts)} slideLayout relationships, "
                                   "expected 1")
            root = self._parse(slide)
            if root is None:
                continue
            # duplicated p14:creationId values have been reported to make decks unrepairable
            for element in root.iter(f"{{{_P14_NS}}}creationId"):
                value = element.get("val", "")
                if value in creation_ids:
                    self.report(slide, f"p14:creationId {value} is also used by "
                                       f"/{creation_ids[value]}")
                creation_ids.setdefault(value, slide)

    def _check_notes(self, presentation: str) -> None:
        notes_slides = self._parts_of_type(CT_NOTES_SLIDE)
        notes_masters = self._parts_of_type(CT_NOTES_MASTER)
        entries = self._id_list(presentation, "notesMasterIdLst", "notesMasterId",
                                RT_NOTES_MASTER, CT_NOTES_MASTER)
        listed = [t for _, t in entries if t is not None]
        if len(entries) > 1:
            self.report(presentation, f"p:notesMasterIdLst has {len(entries)} entries, "
                                      "at most 1 is allowed")
        if (notes_slides or notes_masters) and not listed:
            why = f"/{notes_slides[0]} exists" if notes_slides else f"/{notes_masters[0]} exists"
            self.report(presentation, f"p:notesMasterIdLst lists no notes master but {why}")
        for master in notes_masters if listed else []:
            if master not in listed:
                self.report(presentation, f"p:notesMasterIdLst does not list /{master}")
        for notes in notes_slides:
            targets = [self._part(rel) for rel in self.rels_of(notes)
                       if rel.reltype == RT_NOTES_MASTER]
            if len(targets) != 1:
                self.report(notes, f"notes slide has {len(targets)} notesMaster relationships, "
                                   "expected 1")
            elif listed and targets[0] not in listed:
                self.report(notes, f"points to notes master /{targets[0]}, which "
                                   "p:notesMasterIdLst does not list")

    def _check_app_properties(self) -> None:
        rels = [rel for rel in self.rels_of("") if rel.reltype == RT_EXTENDED_PROPERTIES]
        app = self._part(rels[0]) if rels else None
        root = self._parse(app) if app else None
        if root is None:
            return
        slides = self.slide_order
        hidden = sum(1 for slide in slides if _is_hidden(self._parse(slide)))
        for tag, actual in (("Slides", len(slides)), ("HiddenSlides", hidden)):
            element = root.find(f"{{{_EP_NS}}}{tag}")
            if element is None:
                continue
            text = (element.text or "").strip()
            if text != str(actual):
                self.report(app, f"<{tag}> says {text or 'nothing'} but the presentation has "
                                 f"{actual}")


class _Relationship:
    """One <Relationship> with its target resolved to a part name (None when external)."""

    __slots__ = ("rid", "reltype", "target", "external", "part")

    def __init__(self, rid: str, reltype: str, target: str, external: bool, part: str | None):
        self.rid, self.reltype, self.target = rid, reltype, target
        self.external, self.part = external, part


def _resolve(source: str, target: str) -> str:
    """Part name (no leading slash) that a relative or absolute internal target of ``source``
    points to; a fragment-only target (``#_ftn1``) is a place in ``source`` itself."""
    target = unquote(target.split("#", 1)[0])
    if not target:
        return source
    folder = posixpath.dirname(source)
    joined = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
    return posixpath.normpath(joined).lstrip("/") if joined else ""


def _is_hidden(root: etree._Element | None) -> bool:
    return root is not None and root.get("show") in ("0", "false")


def _short(reltype: str) -> str:
    return re.sub(r".*/", "", reltype)

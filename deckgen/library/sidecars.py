"""Help marketing write sidecars: list a module's slide ids, and start a sidecar from its titles."""
from __future__ import annotations

import json
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import yaml

from deckgen.errors import ConfigError, InputFileError
from deckgen.fsutil import write_bytes_atomic
from deckgen.library.index import load_library, sidecar_of
from deckgen.library.metadata import parse_sidecar
from deckgen.ooxml import list_slides
from deckgen.fsutil import display_path
from deckgen.problems import Problems
from deckgen.yamlio import load_file

_MAX_KEY_LENGTH = 40


@dataclass(frozen=True)
class ModuleSlide:
    """A slide of a module file as marketing sees it, with the key its sidecar gives it (if any)."""

    number: int
    slide_id: int
    title: str
    hidden: bool
    key: str | None


def module_slides(pptx: str | os.PathLike) -> list[ModuleSlide]:
    """Return every slide of a module file in order, with its sidecar key where one is assigned."""
    path = _module_path(pptx)
    keys: dict[int, str] = {}
    sidecar = sidecar_of(path)
    if sidecar is not None:
        try:
            entries, _ = parse_sidecar(load_file(sidecar), display_path(sidecar), Problems())
        except ConfigError:
            entries = []   # a broken sidecar is reported by the library index; ids are still useful
        keys = {entry.slide_id: entry.key for entry in entries}
    return [ModuleSlide(number=info.number, slide_id=info.slide_id, title=(info.title or "").strip(),
                        hidden=bool(info.hidden), key=keys.get(info.slide_id))
            for info in list_slides(path)]


def key_from_title(title: str) -> str:
    """Return a slide key made from a title: lower-case ASCII words joined by '-' (may be empty)."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
    key = ""
    for word in words:
        candidate = f"{key}-{word}" if key else word
        if len(candidate) > _MAX_KEY_LENGTH:
            break
        key = candidate
    return key or (words[0][:_MAX_KEY_LENGTH] if words else "")


def starter_sidecar(pptx: str | os.PathLike, taken: Iterable[str] = ()) -> str:
    """Return the YAML text of a starter sidecar for a module: one draft entry per slide.

    Keys come from slide titles (``MODULE-N`` for untitled slides) and never repeat ``taken``.
    """
    path = _module_path(pptx)
    used = set(taken)
    lines = [
        f"# Metadata for the slides of {path.name} (format: docs/formats.md, 'Slide library').",
        "# Started by `deckgen library init`: check each key (it must stay stable once recipes use it),",
        "# add tags (kind, segment, competitor, objection, ...), then set status: approved.",
        "owner: null            # e.g. maria.lopez@example.com",
        "review_by: null        # e.g. 2027-05-01",
        "status: draft",
        "tags: {}",
        "slides:",
    ]
    lines += _entry_lines(path, list(list_slides(path)), used)[0]
    return "\n".join(lines) + "\n"


def write_starter_sidecar(pptx: str | os.PathLike) -> Path:
    """Write NAME.yaml beside a module file (never over an existing sidecar); return its path."""
    path = _module_path(pptx)
    existing = sidecar_of(path)
    if existing is not None:
        raise ConfigError(f"sidecar {existing.name} already exists",
                          where=display_path(existing),
                          hint=f"edit it; `deckgen library ids {display_path(path)}` lists the slide ids")
    library = load_library(path.parent)
    taken = set(library.keys()) | set(library.broken)
    target = path.with_suffix(".yaml")
    write_bytes_atomic(target, starter_sidecar(path, taken).encode("utf-8"))
    return target


@dataclass(frozen=True)
class SidecarUpdate:
    """What ``update_sidecar`` did: the entries it appended and the entries whose slide is gone."""

    sidecar: Path
    added: tuple[str, ...]                   # keys of the new (draft) entries
    gone: tuple[tuple[str, int], ...]        # (key, slide_id) of entries whose slide left the deck


def update_sidecar(pptx: str | os.PathLike) -> SidecarUpdate:
    """Append a draft entry for every slide of the module its sidecar does not describe yet, and
    report the entries whose slide is no longer in the module; everything a person wrote stays
    as it is (new entries are added as text at the end of the ``slides:`` list)."""
    path = _module_path(pptx)
    sidecar = sidecar_of(path)
    if sidecar is None:
        raise ConfigError(f"{path.stem} has no sidecar to update", where=display_path(path),
                          hint=f"start one with `deckgen library init {display_path(path)}`")
    text = sidecar.read_text(encoding="utf-8-sig")
    data = load_file(sidecar)
    entries, _ = parse_sidecar(data, display_path(sidecar), Problems())
    described = {entry.slide_id for entry in entries}
    infos = list_slides(path)
    present = {info.slide_id for info in infos}
    gone = tuple((entry.key, entry.slide_id) for entry in entries if entry.slide_id not in present)
    new = [info for info in infos if info.slide_id not in described]
    if not new:
        return SidecarUpdate(sidecar, (), gone)
    library = load_library(path.parent)
    used = set(library.keys()) | set(library.broken) | {entry.key for entry in entries}
    block, keys = _entry_lines(path, new, used, status="draft")
    write_bytes_atomic(sidecar, _append_to_slides(text, block, sidecar).encode("utf-8"))
    return SidecarUpdate(sidecar, tuple(keys), gone)


def _entry_lines(path: Path, infos: list, used: set[str], status: str | None = None) -> tuple[list[str], list[str]]:
    """The YAML lines (indented as list items of ``slides:``) of one entry per slide, and their keys."""
    lines, keys = [], []
    for info in infos:
        title = (info.title or "").strip()
        base = key_from_title(title) or f"{key_from_title(path.stem) or 'slide'}-{info.number}"
        key, suffix = base, 2
        while key in used:
            key, suffix = f"{base}-{suffix}", suffix + 1
        used.add(key)
        keys.append(key)
        lines.append(f"  - key: {key}" + ("          # hidden in the deck" if info.hidden else ""))
        lines.append(f"    slide_id: {info.slide_id}")
        if title:
            lines.append(f"    title: {json.dumps(title, ensure_ascii=False)}")
        if status:
            lines.append(f"    status: {status}        # added by `deckgen library init --update`")
        lines.append("    tags: {}")
    return lines, keys


def _append_to_slides(text: str, block: list[str], sidecar: Path) -> str:
    """Insert ``block`` (list items) right after the last item of the top-level ``slides:`` list,
    re-indented to the list's own indentation."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    slides = next((value for key, value in (root.value if isinstance(root, yaml.MappingNode) else [])
                   if key.value == "slides"), None)
    if not isinstance(slides, yaml.SequenceNode):
        raise ConfigError("has no 'slides:' list to add entries to", where=display_path(sidecar),
                          hint="add 'slides:' with one entry per slide (docs/formats.md)")
    lines = text.splitlines()
    if slides.value:
        indent = slides.value[0].start_mark.column - 2       # the column of the item's '-'
        end = slides.end_mark.line if slides.end_mark.column == 0 else slides.end_mark.line + 1
    else:                                                    # 'slides: []' becomes a block list
        indent, end = 0, slides.start_mark.line + 1
        lines[slides.start_mark.line] = lines[slides.start_mark.line].replace("[]", "", 1).rstrip()
    while end > 0 and not lines[end - 1].strip():
        end -= 1
    shift = " " * indent
    moved = [shift + line[2:] if line.startswith("  ") else shift + line for line in block]
    return "\n".join(lines[:end] + moved + lines[end:]) + "\n"


def _module_path(pptx: str | os.PathLike) -> Path:
    path = Path(pptx)
    if not path.is_file():
        raise InputFileError("file not found", where=display_path(path))
    if path.suffix.lower() != ".pptx":
        raise InputFileError("not a .pptx module file", where=display_path(path),
                             hint="library modules are PowerPoint .pptx files")
    return path

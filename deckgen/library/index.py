"""The library index: every slide of slide_library/ that has metadata, in order, plus what is wrong."""
from __future__ import annotations

import datetime
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Iterable, Iterator, Mapping

from deckgen.errors import ConfigError, DeckgenError
from deckgen.library.cache import IndexCache, register
from deckgen.library.metadata import ANY_VALUE, SlideEntry, parse_sidecar
from deckgen.messagemap import MessageMap
from deckgen.ooxml import list_slides
from deckgen.ooxml.package import DeckSet
from deckgen.fsutil import display_path
from deckgen.problems import Location, Problem, Problems, problem_order
from deckgen.yamlio import load_file

register(Problem)   # cached with the module it was found in, with its Location
register(Location)

SIDECAR_SUFFIXES = (".yaml", ".yml")


@register
@dataclass(frozen=True, slots=True)   # slots: a large library holds thousands of these
class LibrarySlide:
    """One usable slide of the library: where it lives and what its metadata says."""

    key: str
    module: str                      # module file stem, e.g. "case-studies"
    path: Path                       # the module .pptx
    slide_id: int                    # p:sldId/@id, stable across reordering
    number: int                      # 1-based position in the module today
    title: str
    tags: Mapping[str, tuple[str, ...]]
    owner: str | None
    review_by: datetime.date | None
    expires: datetime.date | None
    status: str                      # draft | approved
    when: str | bool | None          # slide-level condition, or None
    hidden: bool = False
    where: str = ""                  # sidecar file:line of its entry
    priority: int | None = None      # selection order (1 first); None comes after every number
    keep_look: bool = False          # look: source, kept in template mode

    def is_expired(self, today: datetime.date) -> bool:
        """Return True when the slide's expiry date has passed on ``today``."""
        return self.expires is not None and today > self.expires

    def matches(self, wanted: Mapping[str, Iterable[str]]) -> bool:
        """Return True when, for every wanted tag, the slide's values meet the wanted values.

        Comparison ignores case; a slide value ``*`` meets every value; a slide without the tag
        meets nothing; an empty list of wanted values meets nothing.
        """
        for tag, want in fold_wanted(wanted).items():
            have = {value.casefold() for value in self.tags.get(tag, ())}
            if not have or not want:
                return False
            if ANY_VALUE not in have and have.isdisjoint(want):
                return False
        return True


def fold_wanted(wanted: Mapping[str, Iterable[str]]) -> dict[str, frozenset[str]]:
    """Return wanted tag values case-folded, as slides are matched against them."""
    return {tag: frozenset(value.casefold() for value in values) for tag, values in wanted.items()}


@dataclass(frozen=True)
class Library:
    """The index of a slide library: slides in library order, and every problem found."""

    folder: Path
    slides: tuple[LibrarySlide, ...]
    problems: tuple[Problem, ...] = ()
    broken: Mapping[str, Problem] = field(default_factory=dict)   # key -> why it is unusable
    modules: tuple[Path, ...] = ()
    _by_key: dict[str, LibrarySlide] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_key.update((slide.key, slide) for slide in self.slides)

    def __iter__(self) -> Iterator[LibrarySlide]:
        return iter(self.slides)

    def __len__(self) -> int:
        return len(self.slides)

    def get(self, key: str) -> LibrarySlide | None:
        """Return the slide with ``key``, or None."""
        return self._by_key.get(key)

    def keys(self) -> list[str]:
        """Return every usable key in library order."""
        return [slide.key for slide in self.slides]

    def matching(self, wanted: Mapping[str, Iterable[str]]) -> list[LibrarySlide]:
        """Return the slides that match ``wanted`` (see ``LibrarySlide.matches``), in library order."""
        candidates: set[int] | None = None
        for tag, want in fold_wanted(wanted).items():
            by_value = self._positions_by_tag_value.get(tag)
            if not want or not by_value:
                return []
            hits = set(by_value.get(ANY_VALUE, ())).union(*(by_value.get(value, ()) for value in want))
            candidates = hits if candidates is None else candidates & hits
            if not candidates:
                return []
        if candidates is None:
            return list(self.slides)
        return [self.slides[position] for position in sorted(candidates)]

    @cached_property
    def _positions_by_tag_value(self) -> dict[str, dict[str, list[int]]]:
        # tag -> case-folded value -> positions of the slides carrying it: a batch plans hundreds
        # of decks, each selecting from the whole library several times
        index: dict[str, dict[str, list[int]]] = {}
        for position, slide in enumerate(self.slides):
            for tag, values in slide.tags.items():
                by_value = index.setdefault(tag, {})
                for value in values:
                    by_value.setdefault(value.casefold(), []).append(position)
        return index

    def tag_names(self) -> set[str]:
        """Return every tag name some slide carries."""
        return set(self._tag_index)

    def tag_values(self, name: str) -> set[str]:
        """Return every value of tag ``name`` in the library (without ``*``), as written."""
        return self._tag_index.get(name, set()) - {ANY_VALUE}

    def tag_has_any_value(self, name: str) -> bool:
        """Return True when some slide's tag ``name`` is ``*`` (meets every value)."""
        return ANY_VALUE in self._tag_index.get(name, ())

    @cached_property
    def _tag_index(self) -> dict[str, set[str]]:
        # tag -> values as written, ``*`` included; recipes are checked against it for every deck
        index: dict[str, set[str]] = {}
        for slide in self.slides:
            for name, values in slide.tags.items():
                index.setdefault(name, set()).update(values)
        return index

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


def module_files(folder: Path) -> list[Path]:
    """Return the module .pptx files of a library folder in library order (by file name)."""
    return sorted((path for path in folder.glob("*.pptx")
                   if path.is_file() and not path.name.startswith(("~$", "."))),
                  key=lambda path: path.name)


def sidecar_of(module: Path) -> Path | None:
    """Return the existing sidecar of a module file (NAME.yaml, else NAME.yml), or None."""
    for suffix in SIDECAR_SUFFIXES:
        candidate = module.with_suffix(suffix)
        if candidate.is_file():
            return candidate
    return None


def load_library(folder: str | os.PathLike, today: datetime.date | None = None,
                 cache: IndexCache | None = None, message_map: MessageMap | None = None,
                 decks: DeckSet | None = None) -> Library:
    """Scan a library folder into a Library; problems are collected in ``Library.problems``.

    Only a missing folder raises (ConfigError). ``today`` decides expiry and review warnings.
    With ``cache``, a module whose .pptx and sidecar are unchanged since a previous scan is not
    read again (call ``cache.save()`` to keep what this scan read). With ``message_map``, slides
    whose tags it does not declare are dropped with an error (see ``conformance.conform``). With
    ``decks``, modules are opened through it, so a caller reading them next opens none again.
    """
    root = Path(folder)
    if not root.is_dir():
        raise ConfigError(f"slide library folder '{display_path(root)}' not found",
                          hint="set 'library:' in deckgen.yaml", code="no-library-folder")
    today = today or datetime.date.today()
    problems = Problems()
    modules = module_files(root)
    module_stems = {module.stem for module in modules}
    for suffix in SIDECAR_SUFFIXES:
        for sidecar in sorted(root.glob(f"*{suffix}")):
            if sidecar.stem not in module_stems:
                problems.error(display_path(sidecar), f"sidecar has no module file {sidecar.stem}.pptx",
                               "rename it to match its .pptx, or delete it if the module is gone")

    slides: list[LibrarySlide] = []
    broken: dict[str, Problem] = {}
    first_where: dict[str, str] = {}
    cwd = os.getcwd()   # problem locations are written relative to it
    for module in modules:
        if cache is None:
            module_slides, dropped, found = _read_module(module, decks)
        else:
            module_slides, dropped, found = cache.get_or_compute(
                ("module", os.path.join(cwd, module), cwd),
                [module, *(module.with_suffix(suffix) for suffix in SIDECAR_SUFFIXES)],
                lambda: _read_module(module, decks))
        problems.extend(found)
        for slide in module_slides:
            if slide.key in first_where:
                problems.error(slide.where, f"duplicate key '{slide.key}' (first used at {first_where[slide.key]})",
                               "keys must be unique across the library; rename one", code="duplicate-key")
                continue
            first_where[slide.key] = slide.where
            slides.append(slide)
        for key, problem in dropped.items():
            broken.setdefault(key, problem)

    for slide in slides:
        if slide.is_expired(today):
            problems.warning(slide.where, f"slide '{slide.key}' expired on {slide.expires.isoformat()}",
                             "recipes that name it fail and selectors leave it out; update the slide and its date, "
                             "or remove it", code="expired")
        elif slide.review_by is not None and today > slide.review_by:
            problems.warning(slide.where, f"slide '{slide.key}' was due for review on "
                                          f"{slide.review_by.isoformat()}",
                             f"owner: {slide.owner}" if slide.owner else None, code="review-date")
    for key in list(broken):
        if key in first_where:
            del broken[key]    # another entry supplies the key
    library = Library(folder=root, slides=tuple(slides), problems=tuple(sorted(problems.items, key=problem_order)),
                      broken=broken, modules=tuple(modules))
    if message_map is None:
        return library
    from deckgen.library.conformance import conform   # it builds on this module
    return conform(library, message_map)


def _read_module(module: Path,
                 decks: DeckSet | None = None) -> tuple[list[LibrarySlide], dict[str, Problem], list[Problem]]:
    """Return the usable slides of one module, {key: why} for its entries that cannot be used,
    and the module's problems."""
    problems = Problems()
    slides, dropped = _read_module_into(module, problems, decks)
    return slides, dropped, problems.items


def _read_module_into(module: Path, problems: Problems,
                      decks: DeckSet | None) -> tuple[list[LibrarySlide], dict[str, Problem]]:
    label = display_path(module)
    try:
        infos = decks.get(module).slides if decks is not None else list_slides(module)
    except DeckgenError as exc:
        problems.error(label, f"none of its slides can be used: {exc.message}", exc.hint, code="unreadable")
        return [], {}
    except OSError as exc:
        problems.error(label, f"none of its slides can be used: cannot read it ({exc.strerror})", code="unreadable")
        return [], {}
    sidecar = sidecar_of(module)
    if sidecar is None:
        problems.warning(label, f"module has no sidecar {module.stem}.yaml, so none of its "
                                f"{len(infos)} slides can be used",
                         f"run `deckgen library init {label}` to start one", code="no-metadata")
        return [], {}
    sidecar_label = display_path(sidecar)
    if module.with_suffix(".yml").is_file() and module.with_suffix(".yaml").is_file():
        problems.error(display_path(module.with_suffix(".yml")),
                       f"{module.stem} has both .yaml and .yml sidecars; only {module.stem}.yaml is read",
                       "merge them into one file")
    try:
        data = load_file(sidecar)
    except ConfigError as exc:
        problems.extend(exc.problems or [exc.as_problem(hint="none of this module's slides can be used until it is fixed")])
        return [], {}
    entries, dropped = parse_sidecar(data, sidecar_label, problems)

    by_id = {info.slide_id: info for info in infos}
    described: dict[int, str] = {}
    slides: list[LibrarySlide] = []
    stale: list[SlideEntry] = []
    for entry in entries:
        if entry.slide_id in described:
            dropped[entry.key] = Problem("error", entry.slide_id_where,
                                         f"slide_id {entry.slide_id} is already described by "
                                         f"'{described[entry.slide_id]}'", "each slide needs exactly one entry")
            problems.extend([dropped[entry.key]])
            continue
        described[entry.slide_id] = entry.key
        info = by_id.get(entry.slide_id)
        if info is None:
            stale.append(entry)
            continue
        slides.append(LibrarySlide(
            key=entry.key, module=module.stem, path=module, slide_id=info.slide_id, number=info.number,
            title=(info.title or entry.title or "").strip(), tags=entry.tags, owner=entry.owner,
            review_by=entry.review_by, expires=entry.expires, status=entry.status, when=entry.when,
            hidden=bool(info.hidden), where=entry.where, priority=entry.priority, keep_look=entry.keep_look))

    used_ids = {slide.slide_id for slide in slides}
    unassigned = [info for info in infos if info.slide_id not in used_ids]
    for entry in stale:
        dropped[entry.key] = Problem("error", entry.slide_id_where,
                                     f"key '{entry.key}': slide_id {entry.slide_id} is not in {module.name}",
                                     _stale_hint(entry, unassigned), code="stale-slide-id")
        problems.extend([dropped[entry.key]])
    for info in unassigned:
        title = f' "{info.title}"' if info.title else ""
        problems.warning(Location(label, slide=info.number),
                         f"slide {info.number} (id {info.slide_id}{title}) has no entry in {sidecar.name}, "
                         f"so no recipe can use it",
                         f"add '- key: ...' with 'slide_id: {info.slide_id}' to {sidecar_label}", code="no-metadata")
    return slides, dropped


def _stale_hint(entry: SlideEntry, unassigned: list) -> str:
    """Explain a slide_id that no longer resolves, pointing at the likeliest replacement."""
    if entry.title:
        same = [info for info in unassigned if (info.title or "").strip().casefold() == entry.title.strip().casefold()]
        if same:
            return (f"was the slide re-created? slide {same[0].number} \"{same[0].title}\" has id "
                    f"{same[0].slide_id}: set slide_id: {same[0].slide_id}")
    if not unassigned:
        return "did the slide get deleted? remove this entry; every slide of the module has an entry"
    listed = ", ".join(f'{info.slide_id} "{info.title or "(no title)"}"' for info in unassigned[:5])
    more = f" and {len(unassigned) - 5} more" if len(unassigned) > 5 else ""
    return f"did the slide get deleted? current unassigned slides: {listed}{more}"

"""Finding slides: filter the library by tags, rank full-text search hits, and describe one slide.

Search ranks with BM25 (k1=1.2, b=0.75) over three fields of each slide, weighted in the term
frequency: title and key x3, slide text x1, speaker notes x1. Words are compared case-folded,
with a plural "s" dropped ("plants" finds "plant").
"""
from __future__ import annotations

import logging
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

from deckgen.config import ProjectConfig
from deckgen.errors import ConfigError, DeckgenError, SlideSelectionError
from deckgen.library import Library, LibrarySlide, load_library
from deckgen.ooxml import SourceDeck
from deckgen.marketing.usage import Usage, load_recipes, recipe_usage
from deckgen.fsutil import display_path
from deckgen.problems import did_you_mean
from deckgen.prospect import Prospect, load_prospect
from deckgen.render.titles import example_titles

log = logging.getLogger(__name__)

K1 = 1.2
B = 0.75
TITLE_WEIGHT = 3
_WORD = re.compile(r"\w+", re.UNICODE)


def tokens(text: str) -> list[str]:
    """Return the search words of ``text``: case-folded, a plural 's' dropped."""
    words = []
    for word in _WORD.findall(text.casefold()):
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        words.append(word)
    return words


@dataclass(frozen=True)
class SlideDocument:
    """A library slide with the text a person would search: its title, body text and notes."""

    slide: LibrarySlide
    text: str
    notes: str


@dataclass(frozen=True)
class SearchHit:
    """A slide that matched a query, its score and the line that shows why."""

    slide: LibrarySlide
    score: float
    matched: tuple[str, ...]          # query words found
    snippet: str                      # the best matching line of title, text or notes
    snippet_from: str                 # "title" | "text" | "notes"


@dataclass
class LibraryCatalog:
    """A library together with each slide's text and the recipes that use it."""

    config: ProjectConfig
    library: Library
    documents: dict[str, SlideDocument]
    usage: dict[str, list[Usage]] = field(default_factory=dict)
    recipe_names: tuple[str, ...] = ()
    show_title: Callable[[str], str] = str     # a slide title as a reader sees it (tags filled)

    def document(self, key: str) -> SlideDocument:
        return self.documents[key]


def open_catalog(config: ProjectConfig, *, with_text: bool = True, raw_titles: bool = False) -> LibraryCatalog:
    """Load the library and recipes of a project and read each slide's text and notes.

    Titles are shown with their template tags filled for the project's example prospect, unless
    ``raw_titles`` (or there is none)."""
    library = load_library(config.library)
    loaded = load_recipes(config.recipes) if config.recipes.is_dir() else None
    recipes = loaded.recipes if loaded else ()
    documents: dict[str, SlideDocument] = {}
    if with_text:
        documents = read_documents(library)
    return LibraryCatalog(config=config, library=library, documents=documents,
                          usage=recipe_usage(recipes, library),
                          recipe_names=loaded.names if loaded else (),
                          show_title=str if raw_titles else example_titles(_example_prospect(config)))


def _example_prospect(config: ProjectConfig) -> Prospect | None:
    if config.example_prospect is None:
        return None
    try:
        return load_prospect(config.example_prospect, logos=config.logos)
    except DeckgenError as exc:     # a listing still works, with titles as written
        log.warning("titles are shown as written: the example prospect cannot be used: %s", exc)
        return None


def read_documents(library: Library) -> dict[str, SlideDocument]:
    """Return {key: the slide's text and notes}, opening each module once."""
    by_module: dict[Path, list[LibrarySlide]] = {}
    for slide in library:
        by_module.setdefault(slide.path, []).append(slide)
    documents: dict[str, SlideDocument] = {}
    for path, slides in by_module.items():
        with SourceDeck.open(path) as deck:
            for slide in slides:
                text, notes = deck.slide_text(slide.slide_id)
                documents[slide.key] = SlideDocument(slide, text, notes)
    return documents


def parse_tag_filters(filters: Sequence[str], library: Library) -> dict[str, tuple[str, ...]]:
    """Turn ``--tag k=v`` options into a selector: values of one tag are OR-ed, tags are AND-ed."""
    wanted: dict[str, list[str]] = {}
    names = library.tag_names()
    for option in filters:
        name, sep, value = option.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value:
            raise ConfigError(f"--tag {option}: expected NAME=VALUE", hint="e.g. --tag segment=enterprise")
        if names and name not in names:
            raise ConfigError(f"--tag {option}: no slide in the library has a '{name}' tag",
                              hint=did_you_mean(name, names) or "tags: " + ", ".join(sorted(names)))
        wanted.setdefault(name, []).extend(v.strip() for v in value.split(",") if v.strip())
    return {name: tuple(values) for name, values in wanted.items()}


def filter_slides(library: Library, wanted: Mapping[str, Sequence[str]]) -> list[LibrarySlide]:
    """Return the slides (library order) that carry every wanted tag with one of its values."""
    return library.matching(wanted)


def search(documents: Iterable[SlideDocument], query: str, limit: int | None = None) -> list[SearchHit]:
    """Return the slides matching any word of ``query``, best first (ties in library order)."""
    docs = list(documents)
    words = list(dict.fromkeys(tokens(query)))
    if not words or not docs:
        return []
    weighted = [_weighted_terms(doc) for doc in docs]
    lengths = [sum(terms.values()) for terms in weighted]
    average = sum(lengths) / len(lengths) or 1.0
    frequency = Counter(word for terms in weighted for word in set(terms) if word in words)
    hits = []
    for order, (doc, terms, length) in enumerate(zip(docs, weighted, lengths)):
        score = 0.0
        matched = []
        for word in words:
            tf = terms.get(word, 0)
            if not tf:
                continue
            matched.append(word)
            idf = math.log(1 + (len(docs) - frequency[word] + 0.5) / (frequency[word] + 0.5))
            score += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average))
        if matched:
            snippet, source = _snippet(doc, matched)
            hits.append((-score, order, SearchHit(doc.slide, round(score, 4), tuple(matched), snippet, source)))
    hits.sort(key=lambda item: (item[0], item[1]))
    found = [hit for _, _, hit in hits]
    return found[:limit] if limit else found


def _weighted_terms(doc: SlideDocument) -> Counter:
    terms: Counter = Counter()
    for word in tokens(f"{doc.slide.title} {doc.slide.key.replace('-', ' ')}"):
        terms[word] += TITLE_WEIGHT
    for word in tokens(doc.text) + tokens(doc.notes):
        terms[word] += 1
    return terms


def _snippet(doc: SlideDocument, matched: Sequence[str]) -> tuple[str, str]:
    """The line (title, text or notes) holding the most matched words."""
    best = ("", "", 0)
    wanted = set(matched)
    for source, text in (("title", doc.slide.title), ("text", doc.text), ("notes", doc.notes)):
        for line in text.splitlines():
            count = len(wanted & set(tokens(line)))
            if count > best[2]:
                best = (line.strip(), source, count)
    return best[0], best[1]


@dataclass(frozen=True)
class SlideDetails:
    """Everything `library show` prints about one slide."""

    slide: LibrarySlide
    text: str
    notes: str
    usage: tuple[Usage, ...]


def slide_details(catalog: LibraryCatalog, key: str) -> SlideDetails:
    """Return one slide's metadata, text, notes and recipe usage; unknown keys raise with a hint."""
    slide = catalog.library.get(key)
    if slide is None:
        broken = catalog.library.broken.get(key)
        if broken is not None:
            raise SlideSelectionError(f"slide '{key}' cannot be used: {broken.message}", where=broken.where,
                                      hint=broken.hint)
        raise SlideSelectionError(f"no slide with key '{key}' in {display_path(catalog.library.folder)}",
                                  hint=did_you_mean(key, catalog.library.keys()) or
                                  "list the keys with `deckgen library list`")
    document = catalog.documents.get(key)
    if document is None:
        try:
            with SourceDeck.open(slide.path) as deck:
                text, notes = deck.slide_text(slide.slide_id)
        except DeckgenError:
            text, notes = "", ""
    else:
        text, notes = document.text, document.notes
    return SlideDetails(slide, text, notes, tuple(catalog.usage.get(key, ())))


def tag_text(tags: Mapping[str, Sequence[str]]) -> str:
    """Return tags as ``kind=case-study segment=enterprise,mid-market`` (``*`` = every value)."""
    return " ".join(f"{name}={','.join(values) if values else '-'}" for name, values in tags.items())


__all__ = ["LibraryCatalog", "SearchHit", "SlideDetails", "SlideDocument", "filter_slides",
           "open_catalog", "parse_tag_filters", "read_documents", "search", "slide_details", "tag_text",
           "tokens"]

"""Tests of deckgen.ooxml: reading source decks and copying slides between packages."""
from __future__ import annotations

from pathlib import Path

import pytest
from pptx import Presentation
from pptx.util import Inches

from deckgen.errors import PackageError, SlideSelectionError
from deckgen.ooxml import SourceDeck, list_slides

FIXTURES = Path(__file__).parent / "fixtures" / "engine"


def _titled_deck(path: Path, titles: list[str], hidden: set[int] = frozenset()) -> Path:
    """Save a deck with one title slide per entry of ``titles`` (1-based ``hidden`` numbers)."""
    prs = Presentation()
    for number, title in enumerate(titles, start=1):
        slide = prs.slides.add_slide(prs.slide_layouts[5])
        slide.shapes.title.text = title
        box = slide.shapes.add_textbox(Inches(1), Inches(3), Inches(4), Inches(1))
        box.text_frame.text = f"body of {title}"
        if number in hidden:
            slide._element.set("show", "0")
    prs.save(path)
    return path


def test_list_slides_reports_ids_numbers_titles_and_hidden(tmp_path):
    deck = _titled_deck(tmp_path / "deck.pptx", ["Intro", "Pricing", "Thanks"], hidden={2})
    slides = list_slides(deck)
    assert [(s.slide_id, s.number, s.title, s.hidden) for s in slides] == [
        (256, 1, "Intro", False), (257, 2, "Pricing", True), (258, 3, "Thanks", False)]
    assert slides[0].partname == "ppt/slides/slide1.xml"


def test_list_slides_of_a_corpus_deck_matches_python_pptx():
    path = FIXTURES / "python-pptx__sld-slides.pptx"
    expected = [slide.slide_id for slide in Presentation(path).slides]
    assert [s.slide_id for s in list_slides(path)] == expected


def test_slide_text_includes_body_text_and_notes(tmp_path):
    path = _titled_deck(tmp_path / "deck.pptx", ["Intro", "Pricing"])
    prs = Presentation(path)
    prs.slides[1].notes_slide.notes_text_frame.text = "say the price slowly"
    prs.save(path)
    with SourceDeck.open(path) as deck:
        text, notes = deck.slide_text(deck.slide_id_at(2))
    assert text.splitlines() == ["Pricing", "body of Pricing"]
    assert notes == "say the price slowly"


def test_slide_number_outside_the_deck_names_file_and_count(tmp_path):
    path = _titled_deck(tmp_path / "deck.pptx", ["Intro"])
    with SourceDeck.open(path) as deck, pytest.raises(SlideSelectionError) as caught:
        deck.slide_id_at(4)
    assert str(caught.value).endswith("deck.pptx: slide 4 does not exist (the deck has 1 slide)")


def test_missing_file_is_a_package_error(tmp_path):
    with pytest.raises(PackageError, match="nope.pptx: file not found"):
        list_slides(tmp_path / "nope.pptx")

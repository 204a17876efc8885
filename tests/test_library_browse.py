"""deckgen library list|search|show on the shipped example library, and the search ranking itself."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from deckgen.cli import main
from deckgen.marketing.search import SlideDocument, search, tokens
from deckgen.library import LibrarySlide

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["library", *args])
    return result.exit_code, result.output


def keys_listed(output: str) -> list[str]:
    return [line.split()[0] for line in output.splitlines()[:-1]]


def test_list_filters_by_tags() -> None:
    code, output = run("list", "--tag", "kind=case-study")
    assert code == 0
    assert keys_listed(output) == ["case-kestrel", "case-meridian", "case-hartwell", "case-brightline", "case-alder",
                                   "case-pinecrest"]
    assert output.splitlines()[-1] == "6 of 39 slides"
    # different tags must all match; values of one tag are alternatives
    _, output = run("list", "--tag", "kind=case-study", "--tag", "segment=smb")
    assert keys_listed(output) == ["case-alder", "case-pinecrest"]
    _, output = run("list", "--tag", "kind=case-study", "--tag", "segment=smb,mid-market")
    assert keys_listed(output) == ["case-hartwell", "case-brightline", "case-alder", "case-pinecrest"]
    first = output.splitlines()[0].split()
    assert first[:4] == ["case-hartwell", "case-studies#3", "approved", "2027-06-30"]


def test_list_json_and_no_match() -> None:
    code, output = run("list", "--tag", "competitor=acme", "--format", "json")
    assert code == 0
    data = json.loads(output)
    assert [item["key"] for item in data] == ["battle-acme"]
    assert data[0]["file"] == "slide_library/competition.pptx" and data[0]["tags"]["competitor"] == ["acme"]
    assert run("list", "--tag", "competitor=nobody") == (0, "no slides match --tag competitor=nobody\n")


def test_list_rejects_an_unknown_tag_with_a_hint() -> None:
    code, output = run("list", "--tag", "segmnt=smb")
    assert code == 1
    assert output == "error: --tag segmnt=smb: no slide in the library has a 'segmnt' tag (did you mean 'segment'?)\n"
    code, output = run("list", "--tag", "segment")
    assert (code, output) == (1, "error: --tag segment: expected NAME=VALUE (e.g. --tag segment=enterprise)\n")


def test_search_ranks_text_and_notes_hits() -> None:
    code, output = run("search", "security", "-n", "3")
    assert code == 0
    lines = output.splitlines()
    assert lines[0].startswith(" 1. objection-security  (objections#2, score ")
    assert lines[1] == "    title: Security: your OT network stays yours"
    assert len([line for line in lines if line[:3].strip().endswith(".")]) == 3


def test_search_finds_words_only_in_speaker_notes() -> None:
    code, output = run("search", "reference", "call", "--format", "json")
    assert code == 0
    hits = json.loads(output)
    assert hits[0]["key"] == "case-kestrel"
    assert hits[0]["snippet_from"] == "notes"
    assert hits[0]["snippet"] == "Dana is happy to take one reference call per quarter; book through customer marketing."
    assert hits == sorted(hits, key=lambda hit: -hit["score"])


def test_search_with_a_tag_filter_and_no_hits() -> None:
    _, output = run("search", "security", "--tag", "kind=case-study", "--format", "json")
    assert {hit["key"] for hit in json.loads(output)} <= {"case-kestrel", "case-meridian", "case-hartwell",
                                                           "case-brightline", "case-alder", "case-pinecrest"}
    assert run("search", "zeppelin") == (0, "no slide mentions 'zeppelin'\n")


def _doc(key: str, title: str, text: str = "", notes: str = "") -> SlideDocument:
    slide = LibrarySlide(key=key, module="m", path=Path("m.pptx"), slide_id=256, number=1, title=title, tags={},
                         owner=None, review_by=None, expires=None, status="approved", when=None)
    return SlideDocument(slide, text, notes)


def test_title_hits_outrank_body_hits_and_rare_words_outrank_common_ones() -> None:
    docs = [_doc("a", "Uptime", text="we talk about predictive maintenance here"),
            _doc("b", "Predictive maintenance", text="uptime"),
            _doc("c", "Other", notes="maintenance maintenance")]
    assert [hit.slide.key for hit in search(docs, "predictive")] == ["b", "a"]
    # "predictive" is in two documents, "maintenance" in three: the rarer word weighs more
    ranked = search(docs, "predictive maintenance")
    assert [hit.slide.key for hit in ranked] == ["b", "a", "c"]
    assert ranked[0].matched == ("predictive", "maintenance")
    assert ranked[0].snippet_from == "title"
    assert tokens("Plants' PLANTS class") == ["plant", "plant", "class"]


def test_show_prints_metadata_text_notes_and_recipes() -> None:
    code, output = run("show", "approach-90-days")
    assert code == 0
    lines = output.splitlines()
    assert lines[:7] == [
        "key:       approach-90-days",
        "file:      slide_library/corporate.pptx slide 6 (id 261)",
        "title:     From first machine to every plant in 90 days",
        "status:    approved",
        "owner:     maria.lopez@northwind.example",
        "review_by: 2027-12-31",
        "expires:   -",
    ]
    assert "  kind: feature" in lines and "  persona: coo, plant-manager" in lines
    text = lines[lines.index("text:") + 1:lines.index("notes:")]
    assert "  From first machine to every plant in 90 days" in text
    notes = lines[lines.index("notes:") + 1:lines.index("used by:")]
    assert notes and all(line.startswith("  ") for line in notes if line)
    first_call = (REPO / "recipes/first-call.yaml").read_text().splitlines()
    line = next(n for n, text in enumerate(first_call, 1) if "slides: [approach-90-days]" in text)
    used_by = lines.index("used by:")
    assert lines[used_by + 1:lines.index("", used_by)] == [
        f"  first-call: section 'approach' names it (recipes/first-call.yaml:{line})"]
    assert lines[-3].startswith("scoreboard (last 90 days to ")   # its figures: tests/test_scoreboard.py


def test_show_unknown_key() -> None:
    code, output = run("show", "case-kestrl")
    assert (code, output) == (1, "error: no slide with key 'case-kestrl' in slide_library "
                                 "(did you mean 'case-kestrel'?)\n")


def test_list_without_filters_lists_every_slide_in_library_order() -> None:
    code, output = run("list")
    assert code == 0 and output.splitlines()[-1] == "39 of 39 slides"
    keys = keys_listed(output)
    assert keys[:3] == ["exec-summary", "business-case-roi", "rollout-plan"] and keys[-1] == "vp-real-oee"


def test_titles_are_shown_filled_for_the_example_prospect_and_raw_on_demand() -> None:
    _, output = run("list", "--tag", "kind=business-case")
    assert "What this means for Globex Corporation" in output and "{{" not in output
    _, raw = run("list", "--tag", "kind=business-case", "--raw-titles")
    assert "What this means for {{ prospect.company }}" in raw
    _, found = run("search", "return", "--format", "json")
    roi = next(hit for hit in json.loads(found) if hit["key"] == "business-case-roi")
    assert (roi["title"], roi["raw_title"]) == ("Three-year return for Globex Corporation",
                                                "Three-year return for {{ prospect.company }}")
    _, shown = run("show", "exec-summary")
    assert "title:     What this means for Globex Corporation" in shown


def test_plan_titles_are_filled_for_the_plan_s_own_prospect() -> None:
    result = CliRunner().invoke(main, ["plan", "executive-briefing", "-p", "prospects/vandelay.json"])
    assert result.exit_code == 0, result.output
    assert "What this means for Vandelay Industries" in result.stdout and "{{" not in result.stdout
    raw = CliRunner().invoke(main, ["plan", "executive-briefing", "-p", "prospects/vandelay.json", "--raw-titles"])
    assert "What this means for {{ prospect.company }}" in raw.stdout

"""Tests of deckgen.library: the index of module decks + sidecars, and every problem it reports."""
from __future__ import annotations

import datetime

import pytest
from click.testing import CliRunner
from pptx import Presentation

from conftest import write_text
from deckgen.cli import main
from deckgen.errors import ConfigError
from deckgen.library import load_library
from deckgen.library.sidecars import key_from_title

TODAY = datetime.date(2026, 6, 1)


@pytest.fixture
def lib(tmp_path, monkeypatch):
    """An empty library folder; the current directory is its parent so messages read slide_library/..."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "slide_library"
    folder.mkdir()
    return folder


def _messages(library, severity=None):
    return [str(p) for p in library.problems if severity is None or p.severity == severity]


def _remove_slide(path, number):
    """Delete slide ``number`` (1-based) from a deck the way PowerPoint does (id and part gone)."""
    prs = Presentation(path)
    sld_id = prs.slides._sldIdLst[number - 1]
    prs.part.drop_rel(sld_id.rId)
    prs.slides._sldIdLst.remove(sld_id)
    prs.save(path)


def _add_slide(path, title, position=None):
    """Add a titled slide (at 1-based ``position``, default last); return its new slide id."""
    prs = Presentation(path)
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    slide.shapes.title.text = title
    if position is not None:
        ids = prs.slides._sldIdLst
        entry = ids[-1]
        ids.remove(entry)
        ids.insert(position - 1, entry)
    prs.save(path)
    return slide.slide_id


def test_sample_library_is_indexed_in_module_then_slide_order(sample_library, monkeypatch):
    monkeypatch.chdir(sample_library.parent)
    library = load_library(sample_library, today=TODAY)
    assert [s.module for s in library][:4] == ["core", "core", "core", "objections"]
    assert library.keys()[:5] == ["title", "agenda", "closing", "obj-price", "obj-security"]
    case = library.get("case-enterprise")
    assert (case.slide_id, case.number, case.title, case.status) == (256, 1, "Globex saved 20%", "approved")
    # module defaults (tags: {kind: case-study}) merge under each slide's own tags
    assert dict(case.tags) == {"kind": ("case-study",), "segment": ("enterprise",), "industry": ("manufacturing",)}
    assert library.get("title").owner == "maria@northwind.example"
    assert library.get("case-draft").status == "draft"
    assert library.get("vp-old").expires == datetime.date(2020, 1, 31)
    assert _messages(library) == [
        f"{sample_library.name}/value.yaml:13: slide 'vp-old' expired on 2020-01-31 "
        "(recipes that use it fail; update the slide and its date, or remove it)"]


def test_keys_survive_reordering_and_inserting_slides(lib, make_module):
    make_module(lib, "pricing", ["Intro", "Pricing", "Thanks"], """
        status: approved
        slides:
          - {key: intro, slide_id: 256}
          - {key: pricing, slide_id: 257}
          - {key: thanks, slide_id: 258}
        """)
    _add_slide(lib / "pricing.pptx", "New first slide", position=1)
    library = load_library(lib, today=TODAY)
    assert [(s.key, s.number, s.title) for s in library] == [
        ("intro", 2, "Intro"), ("pricing", 3, "Pricing"), ("thanks", 4, "Thanks")]
    assert _messages(library) == [
        "slide_library/pricing.pptx slide 1: slide 1 (id 259 \"New first slide\") has no entry in pricing.yaml, "
        "so no recipe can use it (add '- key: ...' with 'slide_id: 259' to slide_library/pricing.yaml)"]


def test_a_slide_id_that_no_longer_resolves_is_an_error_with_the_unassigned_slides(lib, make_module):
    make_module(lib, "pricing", ["Intro", "Pricing", "Thanks"], """
        status: approved
        slides:
          - key: intro
            slide_id: 256
          - key: pricing
            slide_id: 257
          - key: thanks
            slide_id: 258
        """)
    _remove_slide(lib / "pricing.pptx", 2)
    _add_slide(lib / "pricing.pptx", "Plans and prices")
    library = load_library(lib, today=TODAY)
    assert library.keys() == ["intro", "thanks"]
    assert "pricing" in library.broken
    assert _messages(library, "error") == [
        "slide_library/pricing.yaml:6: key 'pricing': slide_id 257 is not in pricing.pptx "
        "(did the slide get deleted? current unassigned slides: 259 \"Plans and prices\")"]


def test_a_re_created_slide_with_the_same_title_is_suggested(lib, make_module):
    make_module(lib, "pricing", ["Intro", "Pricing", "Thanks"], """
        status: approved
        slides:
          - {key: intro, slide_id: 256}
          - {key: pricing, slide_id: 257, title: Pricing}
          - {key: thanks, slide_id: 258}
        """)
    _remove_slide(lib / "pricing.pptx", 2)
    assert _add_slide(lib / "pricing.pptx", "Pricing") == 259
    library = load_library(lib, today=TODAY)
    assert _messages(library, "error") == [
        "slide_library/pricing.yaml:4: key 'pricing': slide_id 257 is not in pricing.pptx (was the slide "
        "re-created? slide 3 \"Pricing\" has id 259: set slide_id: 259)"]


def test_module_without_sidecar_and_slides_without_entries_are_reported(lib, make_module):
    make_module(lib, "a-core", ["Hello", "Bye"], """
        status: approved
        slides:
          - key: hello
            slide_id: 256
        """)
    make_module(lib, "b-new", ["One", "Two", "Three"])
    library = load_library(lib, today=TODAY)
    assert library.keys() == ["hello"]
    assert _messages(library, "warning") == [
        "slide_library/a-core.pptx slide 2: slide 2 (id 257 \"Bye\") has no entry in a-core.yaml, so no recipe "
        "can use it (add '- key: ...' with 'slide_id: 257' to slide_library/a-core.yaml)",
        "slide_library/b-new.pptx: module has no sidecar b-new.yaml, so none of its 3 slides can be used "
        "(run `deckgen library init slide_library/b-new.pptx` to start one)"]
    assert library.errors == []


def test_duplicate_keys_across_modules(lib, make_module):
    make_module(lib, "a", ["A"], "status: approved\nslides:\n  - {key: intro, slide_id: 256}\n")
    make_module(lib, "b", ["B"], "status: approved\nslides:\n  - key: other\n    slide_id: 999\n  - key: intro\n    slide_id: 256\n")
    library = load_library(lib, today=TODAY)
    assert library.get("intro").module == "a"
    assert "slide_library/b.yaml:5: duplicate key 'intro' (first used at slide_library/a.yaml:3) " \
           "(keys must be unique across the library; rename one)" in _messages(library, "error")


def test_unreadable_pptx_and_orphan_sidecar(lib, make_module):
    (lib / "broken.pptx").write_bytes(b"this is not a zip file")
    write_text(lib / "broken.yaml", "slides: []\n")
    write_text(lib / "gone.yaml", "slides: []\n")
    make_module(lib, "ok", ["Fine"], "status: approved\nslides:\n  - {key: fine, slide_id: 256}\n")
    library = load_library(lib, today=TODAY)
    assert library.keys() == ["fine"]
    errors = _messages(library, "error")
    assert errors == [
        "slide_library/broken.pptx: none of its slides can be used: is not a .pptx package (not a zip file) "
        "(open it in PowerPoint and save it as a PowerPoint Presentation (.pptx))",
        "slide_library/gone.yaml: sidecar has no module file gone.pptx "
        "(rename it to match its .pptx, or delete it if the module is gone)"]


def test_bad_dates_status_tags_and_unknown_keys_drop_the_entry(lib, make_module):
    make_module(lib, "m", ["A", "B", "C", "D", "E"], """
        owner: maria@northwind.example
        slides:
          - key: a
            slide_id: 256
            expires: 2027-13-01
          - key: b
            slide_id: 257
            status: aproved
          - key: c
            slide_id: 258
            tgas: {kind: proof}
          - key: d
            slide_id: 259
            review_by: soon
            tags: {segment: [smb, no]}
          - key: e
            slide_id: 260
            when: "prospect.segment =="
        """)
    library = load_library(lib, today=TODAY)
    assert library.keys() == []
    assert sorted(library.broken) == ["a", "b", "c", "d", "e"]
    assert _messages(library, "error") == [
        "slide_library/m.yaml:5: 'expires' must be a date like 2027-05-01, found text '2027-13-01'",
        "slide_library/m.yaml:8: status must be one of draft, approved, found text 'aproved' (did you mean 'approved'?)",
        "slide_library/m.yaml:11: unknown key 'tgas' (did you mean 'tags'?)",
        "slide_library/m.yaml:14: 'review_by' must be a date like 2027-05-01, found text 'soon'",
        "slide_library/m.yaml:15: tag 'segment' values must be names, found false (true/false) "
        "(quote values such as 'yes', 'no' or 'on')",
        "slide_library/m.yaml:18: condition 'prospect.segment ==' is not a valid expression: "
        "unexpected 'end of template'",
    ]


def test_status_defaults_to_draft_and_dates_warn(lib, make_module):
    make_module(lib, "m", ["A", "B"], """
        owner: olga@northwind.example
        review_by: 2026-01-01
        slides:
          - {key: a, slide_id: 256}
          - {key: b, slide_id: 257, status: approved, review_by: 2027-01-01, expires: 2026-05-31}
        """)
    library = load_library(lib, today=TODAY)
    assert library.get("a").status == "draft"
    assert library.get("a").review_by == datetime.date(2026, 1, 1)
    assert _messages(library, "warning") == [
        "slide_library/m.yaml:4: slide 'a' was due for review on 2026-01-01 (owner: olga@northwind.example)",
        "slide_library/m.yaml:5: slide 'b' expired on 2026-05-31 "
        "(recipes that use it fail; update the slide and its date, or remove it)"]
    assert not library.get("b").is_expired(datetime.date(2026, 5, 31))   # the expiry day itself is still fine


def test_sidecar_yaml_error_names_the_line(lib, make_module):
    make_module(lib, "m", ["A"], "slides:\n  - key: a\n    slide_id: [256\n")
    library = load_library(lib, today=TODAY)
    (error,) = _messages(library, "error")
    assert error.startswith("slide_library/m.yaml:4: invalid YAML: ")
    assert error.endswith("(none of this module's slides can be used until it is fixed)")


def test_missing_library_folder_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="slide library folder .* not found"):
        load_library(tmp_path / "nope")


def test_tag_matching_ignores_case_and_knows_wildcards(sample_library):
    library = load_library(sample_library, today=TODAY)
    platform, everyone = library.get("vp-platform"), library.get("vp-everyone")
    assert platform.matches({"segment": ["Enterprise"], "kind": ["value-prop"]})
    assert not platform.matches({"segment": ["smb"]})
    assert everyone.matches({"segment": ["anything"]})
    assert not everyone.matches({"segment": []})          # the prospect has no value: nothing matches
    assert not platform.matches({"industry": ["manufacturing"]})   # no such tag on the slide


def test_key_from_title():
    assert key_from_title("Pricing & Plans — 2027!") == "pricing-plans-2027"
    assert key_from_title("Ünïcode Façade") == "unicode-facade"
    assert key_from_title("   ") == ""
    assert len(key_from_title("word " * 30)) <= 40


def test_library_ids_lists_ids_keys_and_titles(lib, make_module, tmp_path):
    make_module(lib, "m", ["Intro", "Pricing", "Backup"], "slides:\n  - {key: intro, slide_id: 256}\n", hidden=(3,))
    result = CliRunner().invoke(main, ["library", "ids", "slide_library/m.pptx"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "  #  slide_id  key    title",
        "  1       256  intro  Intro",
        "  2       257  -      Pricing",
        "  3       258  -      Backup  (hidden)",
    ]


def test_library_init_writes_a_sidecar_that_indexes_every_slide(lib, make_module):
    make_module(lib, "other", ["Pricing"], "status: approved\nslides:\n  - {key: pricing, slide_id: 256}\n")
    make_module(lib, "new", ["Pricing", "Pricing", "", "Café Story"])
    result = CliRunner().invoke(main, ["library", "init", "slide_library/new.pptx"])
    assert result.exit_code == 0, result.output
    assert result.output == "wrote slide_library/new.yaml: check the keys, add tags, then set status: approved\n"
    library = load_library(lib, today=TODAY)
    assert [(s.key, s.slide_id, s.status) for s in library if s.module == "new"] == [
        ("pricing-2", 256, "draft"), ("pricing-3", 257, "draft"), ("new-3", 258, "draft"),
        ("cafe-story", 259, "draft")]
    assert library.problems == ()

    again = CliRunner().invoke(main, ["library", "init", "slide_library/new.pptx"])
    assert again.exit_code == 1
    assert again.output == ("error: slide_library/new.yaml: sidecar new.yaml already exists "
                            "(edit it; `deckgen library ids slide_library/new.pptx` lists the slide ids)\n")


def test_library_init_update_appends_new_slides_and_flags_gone_ones_keeping_what_a_human_wrote(lib, make_module):
    written = ("# hand-written notes stay\nstatus: approved\nslides:\n"
               "  - key: intro   # the opener\n    slide_id: 256\n    tags: {kind: title}\n"
               "  - {key: old, slide_id: 999}\n"
               "owner: ana@example.com\n")
    make_module(lib, "m", ["Intro", "Pricing", "Café Story"], written)
    result = CliRunner().invoke(main, ["library", "init", "--update", "slide_library/m.pptx"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ("updated slide_library/m.yaml: added 2 draft entries (pricing, cafe-story); add tags, "
                             "then set status: approved\n")
    assert result.stderr == ("warning: slide_library/m.yaml: key 'old': slide_id 999 is no longer in m.pptx; "
                             "remove the entry or point it at the slide's new id\n")
    text = (lib / "m.yaml").read_text()
    assert text.startswith(written.split("  - {key: old")[0])          # the human part is untouched
    assert text.endswith("owner: ana@example.com\n")
    library = load_library(lib, today=TODAY)
    assert [(s.key, s.slide_id, s.status) for s in library if s.module == "m"] == [
        ("intro", 256, "approved"), ("pricing", 257, "draft"), ("cafe-story", 258, "draft")]
    again = CliRunner().invoke(main, ["library", "init", "--update", "slide_library/m.pptx"])
    assert again.stdout == "slide_library/m.yaml: every slide of m.pptx already has an entry\n"
    assert (lib / "m.yaml").read_text() == text


def test_library_commands_on_a_missing_file(lib):
    result = CliRunner().invoke(main, ["library", "ids", "slide_library/nope.pptx"])
    assert (result.exit_code, result.output) == (1, "error: slide_library/nope.pptx: file not found\n")


def test_library_check_exit_codes(lib, make_module):
    make_module(lib, "m", ["A", "B"], "status: approved\nslides:\n  - {key: a, slide_id: 256}\n")
    runner = CliRunner()
    ok = runner.invoke(main, ["library", "check"])
    assert ok.exit_code == 0
    assert ok.stdout == "slide_library: 1 slides in 1 modules, 1 warnings\n"
    assert "warning: slide_library/m.pptx slide 2: slide 2 (id 257 \"B\")" in ok.stderr
    strict = runner.invoke(main, ["library", "check", "--strict"])
    assert strict.exit_code == 1
    assert strict.stderr.endswith("error: 1 problem in the slide library slide_library\n")
    write_text(lib / "m.yaml", "status: approved\nslides:\n  - {key: a, slide_id: 300}\n")
    broken = runner.invoke(main, ["library", "check"])
    assert broken.exit_code == 1
    assert "error: slide_library/m.yaml:3: key 'a': slide_id 300 is not in m.pptx" in broken.stderr
    assert "Traceback" not in broken.output


@pytest.mark.parametrize("wanted", [
    {}, {"kind": ["case-study"]}, {"kind": ["CASE-STUDY"], "segment": ["smb"]},
    {"segment": ["enterprise", "smb"]}, {"segment": []}, {"segment": ["nowhere"]},
    {"kind": ["battle-card"], "competitor": ["initech", "globex"]}, {"no-such-tag": ["x"]},
])
def test_library_matching_is_every_slide_that_matches_in_library_order(sample_library, wanted):
    library = load_library(sample_library)
    assert library.matching(wanted) == [slide for slide in library if slide.matches(wanted)]

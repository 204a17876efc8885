"""Tests of `deckgen merge` (the CLI) and deckgen.pipeline.merge (its Python API)."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from pptx import Presentation
from pptx.util import Inches

from deckgen.cli import main
from deckgen.pipeline.merge import merge, parse_spec
from deckgen.errors import SlideSelectionError
from deckgen.ooxml.validate import validate_package

FIXTURES = Path(__file__).parent / "fixtures" / "engine"


def _deck(path: Path, titles: list[str]) -> Path:
    prs = Presentation()
    for title in titles:
        slide = prs.slides.add_slide(prs.slide_layouts[5])
        slide.shapes.title.text = title
    prs.save(path)
    return path


def _titles(path: Path) -> list[str]:
    return [slide.shapes.title.text for slide in Presentation(path).slides]


@pytest.fixture
def decks(tmp_path: Path) -> tuple[Path, Path]:
    return (_deck(tmp_path / "a.pptx", ["A1", "A2", "A3", "A4", "A5"]),
            _deck(tmp_path / "b.pptx", ["B1", "B2"]))


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_ranges_and_whole_decks_in_argument_order(tmp_path, decks):
    a, b = decks
    out = tmp_path / "out.pptx"
    code, stdout, stderr = _run("merge", "-o", str(out), f"{b}", f"{a}#1,3-4", f"{b}#1")
    assert (code, stderr) == (0, "")
    assert stdout == f"{out}: 6 slides\n"
    assert _titles(out) == ["B1", "B2", "A1", "A3", "A4", "B1"]
    assert validate_package(out) == []


def test_base_gives_properties_and_first_and_last_slides(tmp_path, decks):
    a, b = decks
    base = _deck(tmp_path / "base.pptx", ["Cover", "Unused", "Contact"])
    out = tmp_path / "out.pptx"
    code, _, stderr = _run("merge", "-o", str(out), "--base", str(base), "--base-slides", "both",
                           f"{a}#2")
    assert (code, stderr) == (0, "")
    assert _titles(out) == ["Cover", "A2", "Contact"]


def test_slide_outside_the_deck_is_one_line_and_writes_nothing(tmp_path, decks):
    a, _ = decks
    out = tmp_path / "out.pptx"
    code, stdout, stderr = _run("merge", "-o", str(out), f"{a}#2,9")
    assert code == 1 and stdout == ""
    assert stderr == f"error: {a}#2,9: slide 9 does not exist (the deck has 5 slides)\n"
    assert not out.exists()


@pytest.mark.parametrize("spec_suffix, message", [
    ("#x", "'x' is not a slide number or range"),
    ("#4-2", "'4-2' is not a valid range"),
    ("#0", "'0' is not a valid range"),
    ("#1,,2", "'' is not a slide number or range"),
])
def test_malformed_ranges_are_refused(tmp_path, decks, spec_suffix, message):
    a, _ = decks
    code, _, stderr = _run("merge", "-o", str(tmp_path / "out.pptx"), f"{a}{spec_suffix}")
    assert code == 1
    assert stderr.startswith(f"error: {a}{spec_suffix}: {message}")
    assert stderr.count("\n") == 1


@pytest.mark.parametrize("content, message", [
    (b"not a zip at all", "is not a .pptx package (not a zip file)"),
    (b"PK\x03\x04 cut short", "is truncated or damaged"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600 + "EncryptedPackage".encode("utf-16-le"),
     "is password-protected (encrypted)"),
], ids=["not-zip", "truncated", "encrypted"])
def test_unreadable_source_exits_non_zero_without_output(tmp_path, decks, content, message):
    a, _ = decks
    bad = tmp_path / "bad.pptx"
    bad.write_bytes(content)
    out = tmp_path / "out.pptx"
    code, _, stderr = _run("merge", "-o", str(out), str(a), str(bad))
    assert code == 1
    assert stderr.startswith(f"error: {bad}: {message}")
    assert "Traceback" not in stderr and stderr.count("\n") == 1
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pptx", "b.pptx", "bad.pptx"]


def test_missing_source_file(tmp_path):
    code, _, stderr = _run("merge", "-o", str(tmp_path / "out.pptx"), str(tmp_path / "no.pptx"))
    assert code == 1
    assert stderr == f"error: {tmp_path / 'no.pptx'}: file not found (check the path)\n"


def test_existing_output_is_left_alone_when_merge_fails(tmp_path, decks):
    a, _ = decks
    out = tmp_path / "out.pptx"
    out.write_bytes(b"previous build")
    code, _, _ = _run("merge", "-o", str(out), f"{a}#99")
    assert code == 1
    assert out.read_bytes() == b"previous build"


def test_size_mismatch_with_base_is_scaled_and_an_error_with_strict(tmp_path, decks):
    a, _ = decks
    wide = FIXTURES / "shapecrawler__015.pptx"
    code, _, stderr = _run("merge", "-o", str(tmp_path / "scaled.pptx"), "--base", str(a),
                           str(wide))
    assert code == 0
    assert "were scaled to 25.40 x 19.05 cm (4:3) (x0.750) and centred" in stderr
    code, _, stderr = _run("merge", "-o", str(tmp_path / "out.pptx"), "--base", str(a),
                           "--strict", str(wide))
    assert code == 1
    assert "its slides are 33.87 x 19.05 cm (16:9) but the output's are 25.40 x 19.05 cm " \
           "(4:3)" in stderr
    assert not (tmp_path / "out.pptx").exists()


def test_output_must_be_pptx(tmp_path, decks):
    a, _ = decks
    code, _, stderr = _run("merge", "-o", str(tmp_path / "out.pptm"), str(a))
    assert code == 1 and "the output must be a .pptx file" in stderr


def test_base_slides_needs_base(tmp_path, decks):
    a, _ = decks
    code, _, stderr = _run("merge", "-o", str(tmp_path / "out.pptx"), "--base-slides", "first",
                           str(a))
    assert code == 2 and "--base-slides needs --base" in stderr


def test_warnings_go_to_stderr(tmp_path):
    path = tmp_path / "linked.pptx"
    _deck(path, ["Start", "End"])
    prs = Presentation(path)
    box = prs.slides[0].shapes.add_textbox(Inches(1), Inches(5), Inches(2), Inches(1))
    box.text_frame.text = "to the end"
    box.click_action.target_slide = prs.slides[1]
    prs.save(path)
    code, stdout, stderr = _run("merge", "-o", str(tmp_path / "out.pptx"), f"{path}#1")
    assert code == 0 and stdout.endswith(": 1 slide\n")
    assert stderr == (f"warning: {path}: slide 1 links to slide 2, which is not in the output; "
                      "the link was removed\n")


def test_python_api_returns_the_assembled_deck(tmp_path, decks):
    a, b = decks
    out = tmp_path / "api.pptx"
    deck = merge([f"{b}#2", f"{a}#5"], out)
    assert deck.slide_count == 2 and deck.warnings == []
    assert _titles(out) == ["B2", "A5"]


def test_parse_spec_takes_an_existing_path_with_a_hash_whole(tmp_path):
    odd = _deck(tmp_path / "deck#2.pptx", ["Only"])
    assert parse_spec(str(odd)).numbers is None
    assert parse_spec(f"{odd}#1").numbers == (1,)
    assert parse_spec("x.pptx#2, 4-6").numbers == (2, 4, 5, 6)
    with pytest.raises(SlideSelectionError):
        parse_spec("x.pptx#")

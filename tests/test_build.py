"""End to end: `deckgen build` on the shipped example library, and its errors."""
from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from deckgen.cli import main
from deckgen.pipeline.deck import build
from deckgen.ooxml.validate import validate_package
from deckgen.prospect import load_prospect

ROOT = Path(__file__).resolve().parents[1]
PROSPECTS = ["globex.yaml", "bluth.yaml", "vandelay.json"]


@pytest.fixture
def project(example_project: Path) -> Path:
    return example_project


def _all_text(presentation) -> list[str]:
    texts = []
    for slide in presentation.slides:
        for shape in _walk(slide.shapes):
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if getattr(shape, "has_table", False) and shape.has_table:
                texts.extend(cell.text for row in shape.table.rows for cell in row.cells)
        if slide.has_notes_slide:
            texts.append(slide.notes_slide.notes_text_frame.text)
    return texts


def _walk(shapes):
    for shape in shapes:
        yield shape
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            yield from _walk(shape.shapes)


def _slide_titles(presentation) -> list[str]:
    return [slide.shapes.title.text if slide.shapes.title is not None else "" for slide in presentation.slides]


@pytest.mark.parametrize("prospect_file", PROSPECTS, ids=PROSPECTS)
def test_executive_briefing_is_finished_and_personalised(project, prospect_file):
    out = project / "build" / f"{prospect_file}.pptx"
    result = build("executive-briefing", out, prospect=f"prospects/{prospect_file}")
    prospect = load_prospect(f"prospects/{prospect_file}")

    assert validate_package(out) == []
    deck = Presentation(out)
    assert len(deck.slides) == len(result.plan.items)
    # the deck holds the planned slides, in order (titles come from the library's slides)
    assert _slide_titles(deck)[0] != ""
    texts = _all_text(deck)
    leftovers = [t for t in texts if "{{" in t or "{%" in t]
    assert leftovers == []
    assert any(prospect.company in t for t in texts)

    # the logo picture carries the prospect's image, not the placeholder
    logo_hash = hashlib.sha256(Image.open(prospect.logo).tobytes()).hexdigest()
    logos = [shape for slide in deck.slides for shape in _walk(slide.shapes)
             if shape.name == "logo" and shape.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert logos, "the title slide has a logo picture"
    for logo in logos:
        placed = Image.open(io.BytesIO(logo.image.blob))
        assert hashlib.sha256(placed.tobytes()).hexdigest() == logo_hash
        # aspect ratio kept (within a pixel's rounding)
        assert abs(logo.width / logo.height - placed.width / placed.height) < 0.02

    # the native chart carries the prospect's figures
    charts = [shape.chart for slide in deck.slides for shape in _walk(slide.shapes) if shape.has_chart]
    assert charts
    wanted = prospect.values["roi_chart"]
    chart = charts[0]
    assert list(chart.plots[0].categories) == list(wanted["categories"])
    got = {series.name: list(series.values) for series in chart.plots[0].series}
    assert got == {name: [float(v) for v in values] for name, values in wanted["series"].items()}


def test_prospects_get_visibly_different_decks(project):
    titles = {}
    for name in PROSPECTS:
        out = project / "build" / f"{name}.pptx"
        result = build("first-call", out, prospect=f"prospects/{name}")
        titles[name] = tuple(result.plan.keys())
    assert len(set(titles.values())) == len(PROSPECTS)


def test_same_inputs_give_the_same_bytes(project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")     # the deck's created/modified stamp
    first = build("first-call", project / "a.pptx", prospect="prospects/globex.yaml")
    second = build("first-call", project / "b.pptx", prospect="prospects/globex.yaml")
    assert (project / "a.pptx").read_bytes() == (project / "b.pptx").read_bytes()
    assert first.record == second.record


def test_build_record_names_every_input(project):
    result = build("first-call", project / "d.pptx", prospect="prospects/globex.yaml")
    record = result.record
    assert set(record["recipe_files"]) >= {"recipes/first-call.yaml", "recipes/base.yaml"}
    assert [s["key"] for s in record["slides"]] == result.plan.keys()
    assert all(len(s["closure"]) == 64 for s in record["slides"])
    assert record["output"] == hashlib.sha256((project / "d.pptx").read_bytes()).hexdigest()


def test_cli_build_and_set_override(project):
    runner = CliRunner()
    out = project / "out" / "smb.pptx"
    result = runner.invoke(main, ["build", "first-call", "--prospect", "prospects/globex.yaml",
                                  "--set", "company=Initrode", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "slides for Initrode" in result.output
    assert any("Initrode" in t for t in _all_text(Presentation(out)))


def _run_cli(args):
    result = CliRunner().invoke(main, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_undefined_variable_names_slide_and_variable_and_writes_nothing(project):
    deck = project / "slide_library" / "corporate.pptx"
    prs = Presentation(deck)
    prs.slides[0].shapes.title.text_frame.paragraphs[0].runs[0].text = "Hello {{ prospect.nickname }}"
    prs.save(deck)
    out = project / "build" / "x.pptx"
    result = _run_cli(["build", "first-call", "--prospect", "prospects/globex.yaml", "-o", str(out)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) <= 2, result.output
    assert "'title'" in result.output and "corporate.pptx" in result.output
    assert "nickname" in result.output
    assert not out.exists()
    assert list(project.rglob("*.part")) == []


def test_template_syntax_error_is_one_clear_line(project):
    deck = project / "slide_library" / "corporate.pptx"
    prs = Presentation(deck)
    prs.slides[0].shapes.title.text_frame.paragraphs[0].runs[0].text = "Hello {{ prospect.company"
    prs.save(deck)
    out = project / "x.pptx"
    result = _run_cli(["build", "first-call", "--prospect", "prospects/globex.yaml", "-o", str(out)])
    assert result.exit_code == 1
    assert "corporate.pptx" in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_existing_output_survives_a_failed_build(project):
    out = project / "deck.pptx"
    out.write_bytes(b"previous deck")
    result = _run_cli(["build", "first-call", "--set", "company=X", "--set", "segment=nonsense",
                       "-o", str(out)])
    assert result.exit_code == 1
    assert "segment" in result.output
    assert out.read_bytes() == b"previous deck"
    assert [p.name for p in project.iterdir() if p.name.startswith(".deck.pptx")] == []


@pytest.mark.parametrize("output, message", [
    ("deck.docx", "o.docx: the output must be a .pptx file (name it deck.pptx)"),
    ("deckgen.yaml/deck.pptx", "deck.pptx: cannot write the output ("),
], ids=["not-pptx", "folder-is-a-file"])
def test_an_unusable_output_path_is_one_line_and_nothing_is_written(project, output, message):
    result = _run_cli(["build", "first-call", "--prospect", "prospects/globex.yaml", "-o", output])
    assert result.exit_code == 1
    assert message.split(":", 1)[1] in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (project / "deck.docx").exists() and list(project.rglob("*.part")) == []


@pytest.mark.parametrize("args, message", [
    (["build", "no-such-recipe", "--prospect", "prospects/globex.yaml"], "no-such-recipe"),
    (["build", "first-call", "--prospect", "prospects/missing.yaml"], "missing.yaml"),
    (["build", "first-call"], "--prospect"),
], ids=["unknown-recipe", "missing-prospect", "no-prospect"])
def test_bad_invocations_fail_cleanly(project, args, message):
    out = project / "o.pptx"
    result = _run_cli(args + ["-o", str(out)])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.libreoffice
def test_pdf_beside_the_deck_has_one_page_per_slide(project):
    from deckgen.preview import page_count

    out = project / "build" / "globex.pptx"
    result = build("first-call", out, prospect="prospects/globex.yaml", pdf=True)
    assert result.pdf == out.with_suffix(".pdf")
    assert page_count(result.pdf) == len(result.plan.items)


@pytest.mark.libreoffice
def test_build_pdf_of_an_unchanged_deck_comes_from_the_render_cache(project, tmp_path, monkeypatch):
    import shutil

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")     # same inputs and build time, same deck

    calls = tmp_path / "soffice-calls"
    wrapper = tmp_path / "soffice"
    wrapper.write_text(f'#!/bin/sh\necho run >> "{calls}"\nexec "{shutil.which("soffice")}" "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("DECKGEN_SOFFICE", str(wrapper))
    monkeypatch.setenv("DECKGEN_CACHE_DIR", str(tmp_path / "cache"))
    out = project / "build" / "globex.pptx"
    first = build("first-call", out, prospect="prospects/globex.yaml", pdf=True)
    pdf = first.pdf.read_bytes()
    first.pdf.unlink()
    again = build("first-call", out, prospect="prospects/globex.yaml", pdf=True)
    assert again.pdf.read_bytes() == pdf
    assert calls.read_text().count("run") == 1          # the second PDF was not rendered again
    build("first-call", out, prospect="prospects/globex.yaml", sets=["company=Globex East"], pdf=True)
    assert calls.read_text().count("run") == 2          # a different deck is


def test_personalising_a_deck_never_decompresses_its_pictures(project, monkeypatch):
    # the library's pictures and logos go from the module zips to the deck as stored bytes; only
    # XML is read and rendered (memory follows the deck's XML, not its media)
    import zipfile

    from deckgen.pipeline.deck import render_plan
    from deckgen.pipeline.workspace import Workspace

    opened: list[str] = []     # every non-empty zip member inflated, by deckgen or by python-pptx
    real_open = zipfile.ZipFile.open

    def recording_open(archive, name, mode="r", *args, **kwargs):
        if mode == "r":
            info = name if isinstance(name, zipfile.ZipInfo) else archive.getinfo(name)
            if info.file_size:
                opened.append(info.filename)
        return real_open(archive, name, mode, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", recording_open)
    workspace = Workspace.discover()
    prospect = load_prospect("prospects/globex.yaml")
    plan = workspace.plan("executive-briefing", prospect)
    buffer = io.BytesIO()
    render_plan(workspace, plan, prospect, buffer)

    monkeypatch.undo()
    assert opened and not [part for part in opened if part.startswith("ppt/media/")]
    deck = Presentation(io.BytesIO(buffer.getvalue()))
    pictures = [shape for slide in deck.slides for shape in _walk(slide.shapes)
                if shape.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert pictures and all(Image.open(io.BytesIO(p.image.blob)).size[0] > 0 for p in pictures)
    assert validate_package(buffer.getvalue()) == []


def test_a_deck_lists_its_content_types_first_and_a_presentation_part_third(project):
    # file-type sniffers (libmagic's msooxml rule, MIME detection of mail gateways) read the first
    # local headers: [Content_Types].xml or _rels/ first, and ppt/ by the third, even though the
    # deck's media are written before its XML
    import zipfile

    result = build("first-call", project / "out" / "globex.pptx", prospect="prospects/globex.yaml")
    with zipfile.ZipFile(result.output) as archive:
        members = sorted(archive.infolist(), key=lambda info: info.header_offset)
        names = [info.filename for info in members]
        assert names[:2] == ["[Content_Types].xml", "_rels/.rels"] and names[2].startswith("ppt/")
        assert any(name.startswith("ppt/media/") for name in names) and archive.testzip() is None
    assert result.record["output"] == hashlib.sha256(result.output.read_bytes()).hexdigest()


def test_a_disk_error_while_the_media_are_flushed_is_the_output_s_error(project, monkeypatch):
    import errno
    import os

    import deckgen.ooxml.save as save
    from deckgen.errors import OutputError

    def full(fileno):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(save, "_SYNC_DATA", full)
    out = project / "out" / "globex.pptx"
    with pytest.raises(OutputError, match="No space left"):
        build("first-call", out, prospect="prospects/globex.yaml")
    assert not out.parent.exists() or list(out.parent.iterdir()) == []


def test_a_module_that_fails_while_its_media_are_copied_leaves_no_output(project, monkeypatch):
    # the error is the module's, the half-written deck is discarded, and its zip is closed at once
    # (an open zip collected later would write into a closed file: pytest fails on that warning)
    import gc

    import deckgen.ooxml.save as save
    from deckgen.errors import PackageError

    real_copy = save.copy_member

    def damaged(deck, part, out, name):
        if name.startswith("ppt/media/"):
            raise PackageError(f"part /{part} cannot be read (bad CRC)", where=str(deck.path))
        real_copy(deck, part, out, name)

    monkeypatch.setattr(save, "copy_member", damaged)
    out = project / "out" / "globex.pptx"
    with pytest.raises(PackageError, match="bad CRC"):
        build("first-call", out, prospect="prospects/globex.yaml")
    gc.collect()
    assert not out.parent.exists() or list(out.parent.iterdir()) == []

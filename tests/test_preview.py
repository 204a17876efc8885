"""Tests of deckgen.preview and `deckgen preview`: LibreOffice rendering, PNGs, cache, contact sheet."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.util import Inches

from deckgen.cli import main
from deckgen.errors import InputFileError, RenderError
from deckgen.ooxml import list_slides
from deckgen.preview import (SlideRef, contact_sheet, deck_pages, deck_pdf, open_cache,
                             page_count, pdf_to_pngs, slide_thumbnails, to_pdf)
from deckgen.preview import tools

RED = (220, 20, 20)


def _deck(path: Path, titles: list[str], hidden: tuple[int, ...] = ()) -> Path:
    """A 4:3 deck with one titled slide per entry; slide 1 carries a red square top left."""
    prs = Presentation()
    for number, title in enumerate(titles, start=1):
        slide = prs.slides.add_slide(prs.slide_layouts[5])
        slide.shapes.title.text = title
        if number == 1:
            square = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, Inches(5.5), Inches(2),
                                            Inches(2))
            square.fill.solid()
            square.fill.fore_color.rgb = RGBColor(*RED)
            square.line.fill.background()
        if number in hidden:
            slide._element.set("show", "0")
    prs.save(path)
    return path


@pytest.fixture
def three_slides(tmp_path) -> Path:
    return _deck(tmp_path / "three.pptx", ["Alpha", "Beta", "Gamma"], hidden=(2,))


@pytest.fixture
def soffice_calls(monkeypatch) -> list[list[str]]:
    """Every soffice command line run through deckgen.preview.tools.run (others pass through)."""
    calls: list[list[str]] = []
    real_run = tools.run

    def counting_run(argv, **kwargs):
        if Path(argv[0]).name in ("soffice", "libreoffice") and "--convert-to" in argv:
            calls.append(list(argv))
        return real_run(argv, **kwargs)

    monkeypatch.setattr(tools, "run", counting_run)
    return calls


@pytest.mark.libreoffice
def test_to_pdf_leaves_out_hidden_slides_unless_asked(three_slides, tmp_path):
    shown = to_pdf(three_slides, tmp_path / "out" / "shown.pdf")
    assert shown == tmp_path / "out" / "shown.pdf"
    assert page_count(shown) == 2
    everything = to_pdf(three_slides, tmp_path / "out" / "all.pdf", include_hidden=True)
    assert page_count(everything) == 3
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["all.pdf", "shown.pdf"]


@pytest.mark.libreoffice
def test_pdf_to_pngs_sizes_names_and_content(three_slides, tmp_path):
    pdf = to_pdf(three_slides, tmp_path / "deck.pdf", include_hidden=True)
    pngs = pdf_to_pngs(pdf, tmp_path / "png", width=200)
    assert [p.name for p in pngs] == ["slide-01.png", "slide-02.png", "slide-03.png"]
    for png in pngs:
        with Image.open(png) as image:
            assert image.size == (200, 150)  # 4:3 slide
    with Image.open(pngs[0]) as first, Image.open(pngs[1]) as second:
        # the red square sits bottom left on slide 1 only
        assert _is_red(first.convert("RGB").getpixel((20, 130)))
        assert not _is_red(second.convert("RGB").getpixel((20, 130)))
    low = pdf_to_pngs(pdf, tmp_path / "dpi", dpi=24, first=2, last=3)
    assert [p.name for p in low] == ["slide-02.png", "slide-03.png"]
    with Image.open(low[0]) as image:
        assert image.size == (240, 180)  # 10 x 7.5 inches at 24 dpi


def _is_red(pixel: tuple[int, int, int]) -> bool:
    return pixel[0] > 180 and pixel[1] < 80 and pixel[2] < 80


@pytest.mark.libreoffice
def test_cache_hit_does_not_run_soffice_again(three_slides, tmp_path, soffice_calls):
    cache = open_cache(tmp_path / "cache")
    first = deck_pages(three_slides, cache, width=160)
    assert len(first) == 3 and len(soffice_calls) == 1
    again = deck_pages(three_slides, cache, width=160)
    assert again == first and len(soffice_calls) == 1
    wider = deck_pages(three_slides, cache, width=320)  # new size: PDF reused, only rasterised
    assert len(soffice_calls) == 1
    with Image.open(wider[0]) as image:
        assert image.width == 320
    assert deck_pdf(three_slides, cache) is not None and len(soffice_calls) == 1
    _deck(three_slides, ["Alpha", "Beta", "Gamma", "Delta"])  # content changed: render again
    assert len(deck_pages(three_slides, cache, width=160)) == 4
    assert len(soffice_calls) == 2


@pytest.mark.libreoffice
def test_parallel_conversions_use_private_profiles(tmp_path, soffice_calls):
    decks = [_deck(tmp_path / f"d{n}.pptx", [f"Deck {n}"] * n) for n in (1, 2, 3)]
    pages: dict[int, int] = {}

    def convert(n: int, deck: Path) -> None:
        pages[n] = page_count(to_pdf(deck, tmp_path / f"d{n}.pdf"))

    threads = [threading.Thread(target=convert, args=(n, d)) for n, d in zip((1, 2, 3), decks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert pages == {1: 1, 2: 2, 3: 3}
    profiles = {next(a for a in argv if a.startswith("-env:UserInstallation=")) for argv in
                soffice_calls}
    assert len(profiles) == 3


def test_missing_soffice_is_a_clear_render_error(three_slides, tmp_path, monkeypatch):
    monkeypatch.setenv("DECKGEN_SOFFICE", str(tmp_path / "no-such-soffice"))
    with pytest.raises(RenderError) as caught:
        to_pdf(three_slides, tmp_path / "out.pdf")
    assert str(caught.value) == (
        f"cannot render: {tmp_path / 'no-such-soffice'} (from $DECKGEN_SOFFICE) was not found "
        "(install libreoffice-impress or set $DECKGEN_SOFFICE to its path)")
    assert not (tmp_path / "out.pdf").exists()
    monkeypatch.delenv("DECKGEN_SOFFICE")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RenderError, match="'soffice' on PATH was not found"):
        to_pdf(three_slides, tmp_path / "out.pdf")


def test_missing_input_deck(tmp_path):
    with pytest.raises(InputFileError, match="gone.pptx: file not found"):
        to_pdf(tmp_path / "gone.pptx", tmp_path / "out.pdf")


def test_tool_that_hangs_is_killed_with_a_clear_error():
    with pytest.raises(RenderError, match=r"sleep did not finish within 0.5 s"):
        tools.run(["sleep", "30"], timeout=0.5)


@pytest.mark.libreoffice
def test_failed_conversion_keeps_existing_output(tmp_path):
    garbage = tmp_path / "broken.pptx"
    garbage.write_bytes(b"PK\x03\x04 this is not really a zip")
    existing = tmp_path / "out.pdf"
    existing.write_bytes(b"previous")
    with pytest.raises(RenderError, match=r"broken.pptx: LibreOffice could not convert"):
        to_pdf(garbage, existing)
    assert existing.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.pptx", "out.pdf"]


def test_contact_sheet_grid_and_captions(tmp_path):
    images = []
    for n in range(5):
        path = tmp_path / f"s{n}.png"
        Image.new("RGB", (400, 300), (30 * n, 90, 160)).save(path)
        images.append(path)
    out = contact_sheet(images, tmp_path / "sheet.png", captions=[f"key-{n}" for n in range(5)],
                        thumb_width=100)
    with Image.open(out) as sheet:
        sheet = sheet.convert("RGB")
        # 4 columns x 2 rows of 100x75 thumbnails, 24 px margins, 16 px gaps, 24 px captions
        assert sheet.size == (24 * 2 + 4 * 100 + 3 * 16, 24 * 2 + 2 * (75 + 24) + 16)
        assert sheet.getpixel((24 + 50, 24 + 37)) == (0, 90, 160)  # first thumbnail
        second_row = 24 + 75 + 24 + 16
        assert sheet.getpixel((24 + 50, second_row + 37)) == (120, 90, 160)  # fifth one
        assert sheet.getpixel((24 + 116 + 50, second_row + 37)) == (255, 255, 255)  # empty cell
        caption = sheet.crop((24, 24 + 75 + 2, 124, 24 + 75 + 24))
        assert caption.convert("L").getextrema()[0] < 128  # caption text was drawn
    with pytest.raises(ValueError, match="2 captions for 5 images"):
        contact_sheet(images, tmp_path / "bad.png", captions=["a", "b"])
    assert not (tmp_path / "bad.png").exists()


@pytest.mark.libreoffice
def test_cli_preview_writes_pngs_pdf_and_contact_sheet(three_slides, tmp_path, soffice_calls):
    out = tmp_path / "preview"
    args = ["preview", str(three_slides), "-o", str(out), "--pdf", "--contact-sheet",
            "--width", "240", "--cache-dir", str(tmp_path / "cache")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert f"Wrote 3 slide PNGs to {out}" in result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "contact-sheet.png", "slide-01.png", "slide-02.png", "slide-03.png", "three.pdf"]
    assert page_count(out / "three.pdf") == 3  # hidden slide 2 included, as in the PNGs
    with Image.open(out / "slide-03.png") as image:
        assert image.size == (240, 180)
    with Image.open(out / "contact-sheet.png") as sheet:
        assert sheet.width == 24 * 2 + 3 * 320 + 2 * 16  # three columns of 320 px thumbnails
    assert len(soffice_calls) == 1

    _deck(three_slides, ["Only"])  # the deck shrank: old slide-02/03.png must not linger
    result = CliRunner().invoke(main, args[:4] + ["--cache-dir", str(tmp_path / "cache")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.glob("slide-*.png")) == ["slide-01.png"]


def test_cli_preview_missing_deck_is_one_line(tmp_path):
    result = CliRunner().invoke(main, ["preview", str(tmp_path / "nope.pptx"), "-o",
                                       str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [      # no progress bar before the error
        f"error: {tmp_path / 'nope.pptx'}: file not found (check the path)"]
    assert not (tmp_path / "out").exists()


def _retitle(path: Path, number: int, title: str) -> None:
    prs = Presentation(path)
    prs.slides[number - 1].shapes.title.text = title
    prs.save(path)


@pytest.mark.libreoffice
def test_library_slide_thumbnails_are_cached_per_slide(three_slides, tmp_path, soffice_calls):
    ids = [info.slide_id for info in list_slides(three_slides)]
    cache = open_cache(tmp_path / "cache")
    wanted = [SlideRef(three_slides, ids[0]), SlideRef(three_slides, ids[1])]
    first = slide_thumbnails(wanted, cache, width=160)
    assert len(first) == 2 and len(soffice_calls) == 1  # both slides in one LibreOffice run
    with Image.open(first[0]) as red, Image.open(first[1]) as hidden:
        assert red.size == hidden.size == (160, 120)  # the hidden slide 2 is rendered too
        assert _is_red(red.convert("RGB").getpixel((10, 110)))
        assert not _is_red(hidden.convert("RGB").getpixel((10, 110)))
    assert slide_thumbnails(wanted, cache, width=160) == first and len(soffice_calls) == 1

    _retitle(three_slides, 2, "Beta, edited")  # only slide 2's closure changes
    after_edit = slide_thumbnails(wanted, cache, width=160)
    assert len(soffice_calls) == 2
    assert after_edit[0] == first[0] and after_edit[1] != first[1]


def _wide_deck(path: Path, titles: list[str]) -> Path:
    """A 16:9 deck (the other decks here are 4:3)."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    for title in titles:
        prs.slides.add_slide(prs.slide_layouts[5]).shapes.title.text = title
    prs.save(path)
    return path


@pytest.mark.libreoffice
def test_library_slides_render_in_one_run_per_slide_size(tmp_path, soffice_calls):
    # starting LibreOffice costs more than a module's pages: the slides of every module of one
    # size go into one scratch deck; a module of another size keeps its own page shape
    first, second = _deck(tmp_path / "a.pptx", ["A1", "A2"]), _deck(tmp_path / "b.pptx", ["B1"])
    wide = _wide_deck(tmp_path / "w.pptx", ["W1", "W2"])
    wanted = [SlideRef(deck, info.slide_id) for deck in (first, wide, second) for info in list_slides(deck)]
    pngs = slide_thumbnails(wanted, open_cache(tmp_path / "cache"), width=160)
    assert len(soffice_calls) == 2
    sizes = []
    for png in pngs:
        with Image.open(png) as image:
            sizes.append(image.size)
    assert [size[0] for size in sizes] == [160] * 5
    assert [size[1] for size in sizes] == [120, 120, sizes[2][1], sizes[2][1], 120] and sizes[2][1] in (90, 91)
    reds = []       # each 4:3 deck's first slide has the red square: slide order is kept across modules
    for index in (0, 1, 4):
        with Image.open(pngs[index]) as image:
            reds.append(_is_red(image.convert("RGB").getpixel((10, 110))))
    assert reds == [True, False, True]


def test_a_failed_run_of_several_modules_is_retried_per_module_to_name_the_one_at_fault(tmp_path, monkeypatch):
    import deckgen.preview.render as render

    good, bad = _deck(tmp_path / "good.pptx", ["G"]), _deck(tmp_path / "bad.pptx", ["B"])
    runs: list[set[str]] = []

    def selection_pdf(chosen, sources, work, timeout):
        modules = {slide.path.name for slide in chosen}
        runs.append(modules)
        if "bad.pptx" in modules:
            raise RenderError("LibreOffice could not convert the deck", where=str(next(iter(chosen)).path))
        return to_pdf(good, work / "slides.pdf")

    monkeypatch.setattr(render, "_selection_pdf", selection_pdf)
    wanted = [SlideRef(deck, list_slides(deck)[0].slide_id) for deck in (good, bad)]
    with pytest.raises(RenderError) as caught:
        slide_thumbnails(wanted, open_cache(tmp_path / "cache"), width=160)
    assert runs == [{"good.pptx", "bad.pptx"}, {"good.pptx"}, {"bad.pptx"}]
    assert caught.value.where == str(bad)


@pytest.mark.libreoffice
def test_cli_preview_of_chosen_slides(three_slides, tmp_path):
    out = tmp_path / "chosen"
    result = CliRunner().invoke(main, ["preview", f"{three_slides}#1,3", "-o", str(out), "--pdf",
                                       "--contact-sheet", "--width", "200",
                                       "--cache-dir", str(tmp_path / "cache")])
    assert result.exit_code == 0, result.output
    assert "Wrote 2 slide PNGs" in result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "contact-sheet.png", "slide-01.png", "slide-03.png", "three.pdf"]
    assert page_count(out / "three.pdf") == 2
    with Image.open(out / "slide-01.png") as first:
        assert _is_red(first.convert("RGB").getpixel((12, 140)))

    result = CliRunner().invoke(main, ["preview", f"{three_slides}#4", "-o", str(out)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        f"error: {three_slides}#4: slide 4 does not exist (the deck has 3 slides)")


def _with_slide_number_fields(path: Path, count: int) -> Path:
    """A deck whose slides each show "Page <slide number field>" in a text box."""
    from lxml import etree

    prs = Presentation()
    for _ in range(count):
        slide = prs.slides.add_slide(prs.slide_layouts[6])
        box = slide.shapes.add_textbox(Inches(1), Inches(1), Inches(6), Inches(1))
        paragraph = box.text_frame.paragraphs[0]._p
        ns = "http://schemas.openxmlformats.org/drawingml/2006/main"
        run = etree.SubElement(paragraph, f"{{{ns}}}r")
        etree.SubElement(run, f"{{{ns}}}t").text = "Page "
        field = etree.SubElement(paragraph, f"{{{ns}}}fld", id="{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}",
                                 type="slidenum")
        etree.SubElement(field, f"{{{ns}}}t").text = "‹#›"
    prs.save(path)
    return path


@pytest.mark.libreoffice
def test_chosen_slides_show_their_own_slide_numbers(tmp_path):
    import subprocess

    deck = _with_slide_number_fields(tmp_path / "numbered.pptx", 6)
    out = tmp_path / "chosen"
    result = CliRunner().invoke(main, ["preview", f"{deck}#5-6", "-o", str(out), "--pdf",
                                       "--cache-dir", str(tmp_path / "cache")])
    assert result.exit_code == 0, result.output
    text = subprocess.run(["pdftotext", str(out / "numbered.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert [line for line in text.splitlines() if line.startswith("Page")] == ["Page 5", "Page 6"]

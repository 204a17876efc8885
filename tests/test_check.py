"""deckgen check: break a copy of the shipped example library in each way and read the exact report."""
from __future__ import annotations

import datetime
import json
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image, ImageFont
from pptx import Presentation
from pptx.dml.color import RGBColor

from deckgen.cli import main
from deckgen.render.slides import iter_shapes
from deckgen.marketing.check import check_project
from deckgen.marketing.check import runner as check_runner
from deckgen.ooxml import SourceDeck
from deckgen.marketing.textfit import FontBook, fit_text
from deckgen.config import project_config
from deckgen.ooxml.inspect import EMU_PER_PT, TextBox, TextParagraph, TextRun

REPO = Path(__file__).resolve().parents[1]
# Every review date of the shipped library lies after this day, so the copy checks clean.
TODAY = datetime.date(2026, 12, 1)
SCOPE = "(39 slides in 8 modules, 5 recipes)"


@pytest.fixture
def project(example_project: Path) -> Path:
    return example_project


def report(project: Path) -> list[str]:
    return check_project(project_config(project), today=TODAY).to_text().splitlines()


def replace_text(path: str, old: str, new: str) -> None:
    file = Path(path)
    text = file.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} should occur once in {path}"
    file.write_text(text.replace(old, new), encoding="utf-8")


def line_of(path: str, needle: str) -> int:
    """1-based number of the line of ``path`` that contains ``needle`` (exactly one must)."""
    lines = [n for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1) if needle in line]
    assert len(lines) == 1, (needle, lines)
    return lines[0]


def entry_line(path: str, key: str) -> int:
    return line_of(path, f"- key: {key}")


def edit_shape(module: str, number: int, shape_name: str, edit) -> None:
    """Open a library module with python-pptx, edit one named shape of slide ``number``, save."""
    prs = Presentation(module)
    shape = next(s for s in prs.slides[number - 1].shapes if s.name == shape_name)
    edit(shape)
    prs.save(module)


def set_first_run(text: str):
    def edit(shape) -> None:
        shape.text_frame.paragraphs[0].runs[0].text = text
    return edit


def test_shipped_library_is_clean(project: Path) -> None:
    assert report(project) == [f"check: no problems {SCOPE}"]
    result = CliRunner().invoke(main, ["check", "--strict", "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert result.output == f"check: no problems {SCOPE}\n"


def test_recipe_reference_that_does_not_resolve(project: Path) -> None:
    replace_text("recipes/first-call.yaml", "slides: [approach-90-days]", "slides: [approach-90-day]")
    line = line_of("recipes/first-call.yaml", "approach-90-day]")
    assert report(project) == [
        f"recipes/first-call.yaml:{line}: error: no slide with key 'approach-90-day' in the library",
        "    hint: did you mean 'approach-90-days'?",
        f"check: 1 error, 0 warnings, 0 notes {SCOPE}",
    ]


def test_metadata_whose_slide_id_is_gone(project: Path) -> None:
    replace_text("slide_library/pricing.yaml", "slide_id: 258", "slide_id: 999")
    line = line_of("slide_library/pricing.yaml", "slide_id: 999")
    assert report(project) == [
        'slide_library/pricing.pptx slide 3: warning: slide 3 (id 258 "Shop-floor Starter: one site, live in a '
        'week") has no entry in pricing.yaml, so no recipe can use it',
        "    hint: add '- key: ...' with 'slide_id: 258' to slide_library/pricing.yaml",
        f"slide_library/pricing.yaml:{line}: error: key 'pricing-starter': slide_id 999 is not in pricing.pptx",
        '    hint: was the slide re-created? slide 3 "Shop-floor Starter: one site, live in a week" has id 258: '
        'set slide_id: 258',
        "check: 1 error, 1 warning, 0 notes (38 slides in 8 modules, 5 recipes)",
    ]


def test_slide_without_metadata_and_the_recipe_that_needs_it(project: Path) -> None:
    replace_text("slide_library/corporate.yaml",
                 "- key: closing\n  slide_id: 263\n  title: Thank you\n  tags: {kind: closing}\n", "")
    line = line_of("recipes/closing.yaml", "slides: [closing]")
    assert report(project) == [
        f"recipes/closing.yaml:{line}: error: no slide with key 'closing' in the library",
        "    hint: see the keys in the sidecars of slide_library",
        'slide_library/corporate.pptx slide 8: warning: slide 8 (id 263 "Thank you") has no entry in '
        "corporate.yaml, so no recipe can use it",
        "    hint: add '- key: ...' with 'slide_id: 263' to slide_library/corporate.yaml",
        "check: 1 error, 1 warning, 0 notes (38 slides in 8 modules, 5 recipes)",
    ]


def test_template_variables_nothing_provides(project: Path) -> None:
    edit_shape("slide_library/corporate.pptx", 4, "TextBox 8", set_first_run(
        "TRUSTED BY {{ customer_count }} plants, {{ prospect.revenue }}, {{ prospect.values.headcount }} "
        "and {{ prospect.values.employees }} people at {{ presenter }}"))
    where = "slide_library/corporate.pptx slide 4 (about-northwind)"
    assert report(project) == [
        f"{where}: error: uses variable 'customer_count', which no recipe variable or prospect value provides",
        "    hint: give it a default under 'variables:' in a recipe, or add it to the 'values:' of the prospects "
        "in prospects/",
        f"{where}: error: uses 'prospect.revenue', which is not a prospect field",
        "    hint: prospect fields: company, crm_id, logo, segment, industry, competitors, objections, contact, values",
        f"{where}: error: uses 'prospect.values.headcount', which no prospect in prospects/ provides",
        "    hint: add 'headcount' to the 'values:' of the prospects, or read a recipe variable instead",
        f"check: 3 errors, 0 warnings, 0 notes {SCOPE}",
    ]


def test_a_recipe_default_or_a_prospect_value_provides_a_variable(project: Path) -> None:
    edit_shape("slide_library/corporate.pptx", 4, "TextBox 8", set_first_run("Shown by {{ presenter_title }}"))
    assert "uses variable 'presenter_title'" in "\n".join(report(project))
    replace_text("recipes/base.yaml", "  currency: \"$\"\n", "  currency: \"$\"\n  presenter_title: VP Sales\n")
    assert report(project) == [f"check: no problems {SCOPE}"]


def test_jinja_syntax_error(project: Path) -> None:
    edit_shape("slide_library/corporate.pptx", 4, "TextBox 8", set_first_run("TRUSTED BY {{ prospect.company } "))
    assert report(project) == [
        'slide_library/corporate.pptx slide 4 (about-northwind): error: template syntax error in "TRUSTED BY '
        '{{ prospect.company } Hartwell Foods  ·  Kestrel Aerospace  ·  Meridian Cold Chain  ·  Brightline '
        "Packaging  ·  Alder & Sons Machining\": unexpected '}'",
        "    hint: fix the {{ }} / {% %} tags in PowerPoint",
        f"check: 1 error, 0 warnings, 0 notes {SCOPE}",
    ]


def test_slide_past_its_review_date_is_a_warning(project: Path) -> None:
    replace_text("slide_library/corporate.yaml", "  tags: {kind: agenda}\n", "  tags: {kind: agenda}\n  review_by: 2026-10-31\n")
    line = entry_line("slide_library/corporate.yaml", "agenda")
    lines = report(project)
    assert lines == [
        f"slide_library/corporate.yaml:{line}: warning: slide 'agenda' was due for review on 2026-10-31",
        "    hint: owner: maria.lopez@northwind.example",
        f"check: 0 errors, 1 warning, 0 notes {SCOPE}",
    ]
    runner = CliRunner()
    assert runner.invoke(main, ["check", "--today", TODAY.isoformat()]).exit_code == 0
    assert runner.invoke(main, ["check", "--strict", "--today", TODAY.isoformat()]).exit_code == 1


def test_expired_slide_named_is_an_error_and_selected_a_warning(project: Path) -> None:
    replace_text("slide_library/corporate.yaml", "  title: From first machine to every plant in 90 days\n",
                 "  title: From first machine to every plant in 90 days\n  expires: 2026-11-15\n")
    replace_text("slide_library/case-studies.yaml", "slide_id: 256\n", "slide_id: 256\n  expires: 2026-11-15\n")
    approach = entry_line("slide_library/corporate.yaml", "approach-90-days")
    kestrel = entry_line("slide_library/case-studies.yaml", "case-kestrel")
    named = line_of("recipes/first-call.yaml", "slides: [approach-90-days]")
    exec_proof = line_of("recipes/executive-briefing.yaml", "select: {kind: case-study")
    first_proof = line_of("recipes/first-call.yaml", "select: {kind: case-study")
    renewal_proof = line_of("recipes/service-renewal.yaml", "select: {kind: case-study")
    maria = "ask maria.lopez@northwind.example to update the slide and its 'expires' date, or take it out of the recipe"
    lena = "ask lena.fischer@northwind.example to update the slide and its 'expires' date, or take it out of the recipe"
    assert report(project) == [
        f"recipes/executive-briefing.yaml:{exec_proof}: warning: section 'proof' can select slide 'case-kestrel', "
        f"which expired on 2026-11-15 (slide_library/case-studies.yaml:{kestrel}); builds leave it out",
        f"    hint: {lena}",
        f"recipes/first-call.yaml:{first_proof}: warning: section 'proof' can select slide 'case-kestrel', "
        f"which expired on 2026-11-15 (slide_library/case-studies.yaml:{kestrel}); builds leave it out",
        f"    hint: {lena}",
        f"recipes/first-call.yaml:{named}: error: section 'approach' names slide 'approach-90-days', "
        f"which expired on 2026-11-15 (slide_library/corporate.yaml:{approach}); builds fail",
        f"    hint: {maria}",
        f"recipes/service-renewal.yaml:{renewal_proof}: warning: section 'proof' can select slide 'case-kestrel', "
        f"which expired on 2026-11-15 (slide_library/case-studies.yaml:{kestrel}); builds leave it out",
        f"    hint: {lena}",
        f"slide_library/case-studies.yaml:{kestrel}: warning: slide 'case-kestrel' expired on 2026-11-15",
        "    hint: recipes that name it fail and selectors leave it out; update the slide and its date, or remove it",
        f"slide_library/corporate.yaml:{approach}: warning: slide 'approach-90-days' expired on 2026-11-15",
        "    hint: recipes that name it fail and selectors leave it out; update the slide and its date, or remove it",
        f"check: 1 error, 5 warnings, 0 notes {SCOPE}",
    ]


def test_draft_slides_used_by_recipes(project: Path) -> None:
    replace_text("slide_library/corporate.yaml", "  tags: {kind: agenda}\n", "  tags: {kind: agenda}\n  status: draft\n")
    replace_text("slide_library/value-props.yaml", "slide_id: 256\n", "slide_id: 256\n  status: draft\n")
    agenda = entry_line("slide_library/corporate.yaml", "agenda")
    platform = entry_line("slide_library/value-props.yaml", "vp-one-platform")
    base = line_of("recipes/base.yaml", "slides: [title, agenda]")
    exec_opening = line_of("recipes/executive-briefing.yaml", "slides: [title-executive, agenda]")
    exec_value = line_of("recipes/executive-briefing.yaml", "select: {kind: value-prop")
    first_value = line_of("recipes/first-call.yaml", "select: {kind: value-prop")
    approve = "    hint: set 'status: approved' in its sidecar"
    assert report(project) == [
        f"recipes/base.yaml:{base}: error: section 'opening' names slide 'agenda', which is a draft "
        f"(slide_library/corporate.yaml:{agenda}); builds fail",
        approve,
        f"recipes/executive-briefing.yaml:{exec_opening}: error: section 'opening' names slide 'agenda', which is a "
        f"draft (slide_library/corporate.yaml:{agenda}); builds fail",
        approve,
        f"recipes/executive-briefing.yaml:{exec_value}: note: section 'value' can select slide 'vp-one-platform', "
        f"which is a draft (slide_library/value-props.yaml:{platform}); builds leave it out",
        approve,
        f"recipes/first-call.yaml:{first_value}: note: section 'value' can select slide 'vp-one-platform', "
        f"which is a draft (slide_library/value-props.yaml:{platform}); builds leave it out",
        approve,
        f"check: 2 errors, 0 warnings, 2 notes {SCOPE}",
    ]


def test_duplicate_keys(project: Path) -> None:
    replace_text("slide_library/pricing.yaml", "key: pricing-starter", "key: pricing-tiers")
    first = line_of("slide_library/pricing.yaml", "slide_id: 256") - 1
    second = line_of("slide_library/pricing.yaml", "slide_id: 258") - 1
    assert report(project) == [
        f"slide_library/pricing.yaml:{second}: error: duplicate key 'pricing-tiers' "
        f"(first used at slide_library/pricing.yaml:{first})",
        "    hint: keys must be unique across the library; rename one",
        "check: 1 error, 0 warnings, 0 notes (38 slides in 8 modules, 5 recipes)",
    ]


def _corrupt_member(module: str, member: str) -> None:
    """Rewrite ``member`` of a module's zip with a PNG signature followed by junk."""
    with zipfile.ZipFile(module) as archive:
        infos = archive.infolist()
        data = {info.filename: archive.read(info) for info in infos}
    assert member in data
    data[member] = b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + b"cut off here"
    with zipfile.ZipFile(module, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in infos:
            archive.writestr(info, data[info.filename])


def _picture_part(module: str, slide_number: int, shape_name: str) -> str:
    """The zip member name of the picture a named picture shape shows."""
    slide = Presentation(module).slides[slide_number - 1]
    shape = next(s for s in iter_shapes(slide.shapes) if s.name == shape_name)
    return slide.part.related_part(shape._element.blipFill.blip.rEmbed).partname.lstrip("/")


def test_broken_picture_on_a_slide(project: Path) -> None:
    part = _picture_part("slide_library/corporate.pptx", 1, "logo")
    _corrupt_member("slide_library/corporate.pptx", part)
    hint = "    hint: insert the picture again in PowerPoint from a working PNG or JPEG"
    assert report(project) == [
        f"slide_library/corporate.pptx slide 1 (title): error: picture 'logo' (/{part}) cannot be opened: "
        "Truncated File Read",
        hint,
        f"slide_library/corporate.pptx slide 2 (title-executive): error: picture 'logo' (/{part}) cannot be "
        "opened: Truncated File Read",
        hint,
        f"check: 2 errors, 0 warnings, 0 notes {SCOPE}",
    ]


def test_broken_picture_on_the_master_is_reported_once(project: Path) -> None:
    prs = Presentation("slide_library/corporate.pptx")
    master = prs.slide_master
    picture = next(shape for shape in master.shapes if shape.shape_type == 13)
    part = master.part.related_part(picture._element.blipFill.blip.rEmbed).partname.lstrip("/")
    _corrupt_member("slide_library/corporate.pptx", part)
    lines = report(project)
    assert lines[0].startswith(f"slide_library/corporate.pptx: error: picture /{part} of the ")
    assert lines[0].endswith("cannot be opened: Truncated File Read (shown on slides 1, 2, 3, 4, 5, 6, 7, 8)")
    assert "slide master /ppt/slideMasters/slideMaster1.xml" in lines[0]
    assert lines[1:] == ["    hint: insert it again in PowerPoint under View > Slide Master",
                         f"check: 1 error, 0 warnings, 0 notes {SCOPE}"]


def test_a_master_picture_is_decoded_once_per_module_not_once_per_slide(project: Path, monkeypatch) -> None:
    import deckgen.marketing.check.images as images

    decoded: list[int] = []
    real_problem = images._image_problem

    def counting_problem(data: bytes) -> str | None:
        decoded.append(len(data))
        return real_problem(data)

    monkeypatch.setattr(images, "_image_problem", counting_problem)
    prs = Presentation("slide_library/corporate.pptx")
    inherited = {shape._element.blipFill.blip.rEmbed for layout in [prs.slide_master, *prs.slide_layouts]
                 for shape in layout.shapes if shape.shape_type == 13}
    own = sum(1 for slide in prs.slides for shape in iter_shapes(slide.shapes) if shape.shape_type == 13)
    for module in Path("slide_library").glob("*.pptx"):
        if module.name != "corporate.pptx":
            module.unlink()
    report(project)
    assert len(prs.slides) == 8 and inherited
    assert len(decoded) <= own + len(inherited) * 2       # not once per slide and inherited picture


def test_unreadable_module_file(project: Path) -> None:
    Path("slide_library/pricing.pptx").write_bytes(b"not a zip at all")
    assert report(project) == [
        "slide_library/pricing.pptx: error: none of its slides can be used: is not a .pptx package (not a zip file)",
        "    hint: open it in PowerPoint and save it as a PowerPoint Presentation (.pptx)",
        "check: 1 error, 0 warnings, 0 notes (36 slides in 8 modules, 5 recipes)",
    ]


def test_unreadable_module_file_without_a_message_map(project: Path) -> None:
    # without a map, a kind no slide carries any more is an unknown value for the recipe
    Path("deckgen.yaml").write_text(Path("deckgen.yaml").read_text().replace("message_map: message_map.yaml", ""))
    Path("slide_library/pricing.pptx").write_bytes(b"not a zip at all")
    pricing = line_of("recipes/executive-briefing.yaml", "select: {kind: pricing")
    assert report(project)[2:] == [
        f"recipes/executive-briefing.yaml:{pricing}: error: no slide in the library has kind=pricing",
        "    hint: kind values: about, agenda, battle-card, business-case, case-study, closing, feature, "
        "field-service, objection, proof, title, value-prop",
        "slide_library/pricing.pptx: error: none of its slides can be used: is not a .pptx package (not a zip file)",
        "    hint: open it in PowerPoint and save it as a PowerPoint Presentation (.pptx)",
        "check: 2 errors, 0 warnings, 1 note (36 slides in 8 modules, 5 recipes)",
    ]


_OVERFLOW = re.compile(r"^slide_library/corporate\.pptx slide 4 \(about-northwind\): warning: text overflows shape "
                       r"'TextBox 3': it needs (\d+\.\d) pt of height, the box has (\d+\.\d) pt "
                       r"\(measured with DejaVu Sans Condensed, Liberation Sans\)$")


def test_text_that_overflows_its_shape(project: Path) -> None:
    box = {}

    def lengthen(shape) -> None:
        run = shape.text_frame.paragraphs[-1].runs[-1]
        run.text += " More words about our plants." * 40
        frame = shape.text_frame
        box["height_pt"] = (shape.height - frame.margin_top - frame.margin_bottom) / 12700
    edit_shape("slide_library/corporate.pptx", 4, "TextBox 3", lengthen)
    lines = report(project)
    assert len(lines) == 3, lines
    match = _OVERFLOW.match(lines[0])
    assert match, lines[0]
    needed, has = float(match.group(1)), float(match.group(2))
    # the room is the shape's height less its insets; 40 more sentences need far more than that
    assert has == pytest.approx(box["height_pt"], abs=0.05)
    assert needed > has * 1.5
    assert lines[1:] == ["    hint: shorten the text, make the box bigger or the font smaller, or set the box to "
                         "shrink text on overflow", f"check: 0 errors, 1 warning, 0 notes {SCOPE}"]


def test_text_that_fits_is_not_reported_even_near_the_edge(project: Path) -> None:
    def one_more_line(shape) -> None:
        shape.text_frame.paragraphs[-1].runs[-1].text += " Short."
    edit_shape("slide_library/corporate.pptx", 4, "TextBox 3", one_more_line)
    assert report(project) == [f"check: no problems {SCOPE}"]


def test_fonts_and_colours_outside_the_brand_and_a_missing_font(project: Path) -> None:
    def off_brand(shape) -> None:
        run = shape.text_frame.paragraphs[0].runs[0]
        run.font.name = "Montserrat"
        run.font.color.rgb = RGBColor(0xFF, 0x00, 0xFF)
    edit_shape("slide_library/corporate.pptx", 4, "TextBox 8", off_brand)
    where = "slide_library/corporate.pptx slide 4 (about-northwind)"
    assert report(project) == [
        f"{where}: warning: uses font outside the brand fonts: 'Montserrat'",
        "    hint: use DejaVu Sans Condensed, Liberation Sans (brand.fonts in deckgen.yaml)",
        f"{where}: warning: uses colour outside the brand palette: #FF00FF",
        "    hint: pick a colour of brand.colors in deckgen.yaml",
        f"{where}: note: font 'Montserrat' is not installed here, so text overflow was measured with "
        "'DejaVu Sans', the font fontconfig substitutes for it",
        "    hint: install Montserrat for exact measurements (`fc-list` lists installed fonts)",
        f"check: 0 errors, 2 warnings, 1 note {SCOPE}",
    ]


def test_every_problem_is_reported_in_one_run_and_json_for_ci(project: Path) -> None:
    replace_text("recipes/first-call.yaml", "slides: [approach-90-days]", "slides: [approach-90-day]")
    replace_text("slide_library/pricing.yaml", "key: pricing-starter", "key: pricing-tiers")
    edit_shape("slide_library/corporate.pptx", 4, "TextBox 8", set_first_run("{{ customer_count }}"))
    result = CliRunner().invoke(main, ["check", "--format", "json", "--today", TODAY.isoformat()])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["ok"] is False
    assert data["summary"] == {"errors": 3, "warnings": 0, "notes": 0, "modules": 8, "slides": 38, "recipes": 5}
    assert [(p["rule"], p["file"], p["slide"], p["key"]) for p in data["problems"]] == [
        ("recipe-ref", "recipes/first-call.yaml", None, None),
        ("template-variable", "slide_library/corporate.pptx", 4, "about-northwind"),
        ("duplicate-key", "slide_library/pricing.yaml", None, None),
    ]
    assert data["problems"][0]["line"] == line_of("recipes/first-call.yaml", "approach-90-day]")
    assert data["problems"][0]["hint"] == "did you mean 'approach-90-days'?"


# -- textfit: the layout behind the overflow rule ------------------------------------------------

def _box(text: str, width_pt: float, height_pt: float, *, wrap: bool = True, autofit: str = "none",
         font_scale: float = 1.0, size: float = 20.0) -> TextBox:
    paragraphs = tuple(
        TextParagraph(runs=(TextRun(line, "Liberation Sans", size, False),), level=0, end_size_pt=size,
                      end_font="Liberation Sans", line_spacing=None, line_spacing_pt=None, space_before_pt=0.0,
                      space_after_pt=0.0, margin_left_pt=0.0, first_line_indent_pt=0.0)
        for line in text.split("\n"))
    return TextBox(shape_name="Box", shape_id=2, kind="shape", width_emu=round(width_pt * EMU_PER_PT),
                   height_emu=round(height_pt * EMU_PER_PT), insets_emu=(0, 0, 0, 0), wrap=wrap, autofit=autofit,
                   font_scale=font_scale, line_reduction=0.0, columns=1, paragraphs=paragraphs)


def _liberation(size_pt: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FontBook().match("Liberation Sans", False).path), round(size_pt * 16))


def test_textfit_wraps_at_the_box_width_with_real_metrics() -> None:
    font = _liberation(20)
    ascent, descent = font.getmetrics()
    line_pt = (ascent + descent) / 16
    words = "Predictive maintenance for every line"
    width_pt = font.getlength(words) / 16
    book = FontBook()
    one_line = fit_text(_box(words, width_pt + 0.5, 100), book)
    assert (one_line.lines, one_line.needed_height_pt) == (1, pytest.approx(line_pt))
    # one point narrower than the text: the last word moves to a second line
    two_lines = fit_text(_box(words, width_pt - 1, 100), book)
    assert (two_lines.lines, two_lines.needed_height_pt) == (2, pytest.approx(2 * line_pt))
    assert two_lines.widest_line_pt == pytest.approx(font.getlength("Predictive maintenance for every") / 16)
    # a box one line tall overflows by exactly one line
    assert fit_text(_box(words, width_pt - 1, line_pt), book).overflow_height_pt == pytest.approx(line_pt, abs=0.01)


def test_textfit_without_wrapping_measures_the_longest_line() -> None:
    font = _liberation(20)
    fit = fit_text(_box("short\na much longer line of text", 50, 200, wrap=False), FontBook())
    assert fit.lines == 2
    assert fit.widest_line_pt == pytest.approx(font.getlength("a much longer line of text") / 16)
    assert fit.overflow_width_pt > 0


def test_textfit_applies_the_stored_shrink_scale() -> None:
    text = "Every plant, every line, every machine, monitored " * 4
    full = fit_text(_box(text, 200, 50), FontBook())
    half = fit_text(_box(text, 200, 50, autofit="shrink", font_scale=0.5), FontBook())
    assert half.lines < full.lines
    assert half.needed_height_pt < full.needed_height_pt / 2 + 20


def test_fontconfig_substitute_for_a_missing_family() -> None:
    match = FontBook().match("Montserrat", True)
    assert match.exact is False and match.family != "Montserrat" and match.path.is_file()
    installed = FontBook().match("Liberation Sans", False)
    assert installed.exact is True and installed.family == "Liberation Sans"


@pytest.mark.libreoffice
def test_textfit_breaks_lines_where_libreoffice_does(tmp_path: Path) -> None:
    """Lay out boxes of growing text in two fonts; count LibreOffice's rendered lines of ink."""
    from pptx.util import Inches, Pt

    from deckgen.ooxml import SourceDeck
    from deckgen.ooxml.inspect import inspect_slide
    from deckgen.preview import pdf_to_pngs, to_pdf

    words = ("Predictive maintenance keeps every line running while the plant team focuses on throughput "
             "quality and safety across all shifts and sites ").split() * 6
    counts = [9, 21, 33, 45, 57, 65]
    fonts = ["Liberation Sans", "DejaVu Sans Condensed"]
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    for font in fonts:
        slide = prs.slides.add_slide(prs.slide_layouts[6])
        for index, count in enumerate(counts):
            box = slide.shapes.add_textbox(Inches(0.2 + index * 2.1), Inches(0.1), Inches(1.55), Inches(7.3))
            box.text_frame.word_wrap = True
            box.text_frame.auto_size = None
            run = box.text_frame.paragraphs[0].add_run()
            run.text = " ".join(words[:count])
            run.font.size, run.font.name = Pt(12), font
    prs.save(tmp_path / "boxes.pptx")
    pngs = pdf_to_pngs(to_pdf(tmp_path / "boxes.pptx", tmp_path / "boxes.pdf"), tmp_path, dpi=144)
    predicted, rendered = [], []
    with SourceDeck.open(tmp_path / "boxes.pptx") as deck:
        for slide_id, png in zip(deck.slide_ids, pngs):
            with Image.open(png) as image:
                gray = image.convert("L")
            pixels, height = gray.load(), gray.size[1]
            for index, box in enumerate(inspect_slide(deck, slide_id).text_boxes):
                predicted.append(fit_text(box, FontBook()).lines)
                left = int((0.2 + index * 2.1) * 144)
                ink = [any(pixels[x, y] < 160 for x in range(left, left + int(1.55 * 144))) for y in range(height)]
                rendered.append(sum(1 for y in range(1, height) if ink[y] and not ink[y - 1]))
    assert predicted == rendered
    assert predicted[:6] == sorted(predicted[:6]) and predicted[5] > 15


def test_rows_of_a_crm_export_in_the_prospects_folder_are_checked(project: Path) -> None:
    # the CSV export goes through batch.columns as in `deckgen batch`: a row without a company is
    # named by its line, and the export's values count as provided variables
    csv = Path("prospects/crm-export.csv")
    lines = csv.read_text(encoding="utf-8").splitlines()
    lines.append('"","smb","retail","acme","price","12","Nobody","logos/bluth.png"')
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert report(project) == [
        f"prospects/crm-export.csv:{len(lines)}: error: missing required field 'company'",
        "    hint: add 'company: ...'",
        f"check: 1 error, 0 warnings, 0 notes {SCOPE}",
    ]


def test_a_table_whose_rows_grow_past_the_slide_bottom(project: Path) -> None:
    # PowerPoint grows a row to fit its text, so the check is where the table ends, not each cell
    def long_cell(shape) -> None:
        shape.table.cell(1, 1).text_frame.text = "Every plant, every line, every shift. " * 12
    edit_shape("slide_library/pricing.pptx", 1, "pricing", long_cell)
    lines = report(project)
    assert len(lines) == 3, lines
    assert re.fullmatch(r"slide_library/pricing\.pptx slide 1 \(pricing-tiers\): warning: table 'pricing' runs "
                        r"\d+\.\d pt past the bottom of the slide once its rows grow to fit their text "
                        r"\(\d+\.\d pt tall; measured with [^)]+\)", lines[0]), lines[0]
    assert lines[1] == "    hint: shorten the cell text, make the font smaller, or move the table up"


def test_a_table_with_room_below_it_is_not_reported(project: Path) -> None:
    def one_more_line(shape) -> None:
        shape.table.cell(1, 1).text_frame.text = "Up to 25 machines, 2 lines"
    edit_shape("slide_library/pricing.pptx", 1, "pricing", one_more_line)
    assert report(project) == [f"check: no problems {SCOPE}"]


def _ungroup(module: str, group_name: str) -> None:
    """Move the members of every group named ``group_name`` onto the slide (python-pptx groups
    built by the generator have an identity child transform, so positions stay)."""
    prs = Presentation(module)
    for slide in prs.slides:
        for shape in list(slide.shapes):
            if shape.name == group_name:
                group = shape._element
                for member in [child for child in group if not child.tag.endswith(("nvGrpSpPr", "grpSpPr"))]:
                    group.addprevious(member)
                group.getparent().remove(group)
    prs.save(module)


def test_a_removable_logo_on_a_card_outside_its_group_leaves_an_empty_frame(project: Path) -> None:
    assert report(project)[-1].startswith("check: no problems")     # the shipped title slides group them
    _ungroup("slide_library/corporate.pptx", "Prepared for")
    lines = report(project)
    first = next(index for index, line in enumerate(lines) if "leaving shape" in line)
    found = lines[first:]
    assert found[0] == ("slide_library/corporate.pptx slide 1 (title): warning: picture 'logo' is removed when "
                        "'prospect.logo' is empty, leaving shape 'Rounded Rectangle 6' beneath it empty")
    assert found[1] == ("    hint: group 'Rounded Rectangle 6' with the picture (and its label) and give the group "
                        "the alt text 'if: prospect.logo'")
    assert found[2].startswith("slide_library/corporate.pptx slide 2 (title-executive): warning: picture 'logo'")


@pytest.mark.parametrize("brand_template", [True, False], ids=["on-template", "own-look"])
def test_a_check_opens_each_module_once(project: Path, monkeypatch: pytest.MonkeyPatch, brand_template: bool) -> None:
    # one deck cache for the library index and every rule family: the engine's reader and python-pptx
    # share one open file per module (and the brand template); without a template the slide-size
    # rule reads the modules too, and finds the 4:3 one
    if not brand_template:
        replace_text("deckgen.yaml", "  template: brand/northwind.potx", "")
    decks: list[str] = []
    zips: list[str] = []
    pptx_sources: list[object] = []
    open_deck, open_zip = SourceDeck.open.__func__, SourceDeck._open_zip

    def counted_open(cls, path):
        decks.append(Path(path).name)
        return open_deck(cls, path)

    def counted_zip(self):
        zips.append(self.path.name)
        open_zip(self)

    def counted_presentation(source):
        pptx_sources.append(source)
        return Presentation(source)

    monkeypatch.setattr(SourceDeck, "open", classmethod(counted_open))
    monkeypatch.setattr(SourceDeck, "_open_zip", counted_zip)
    monkeypatch.setattr(check_runner, "Presentation", counted_presentation)
    found = report(project)
    if brand_template:
        assert found == [f"check: no problems {SCOPE}"]
    else:
        assert found[0].startswith("recipes/service-renewal.yaml: note: recipe 'service-renewal' uses slides of "
                                   "different sizes: case-studies.pptx is 33.87 x 19.05 cm (16:9), "
                                   "field-service.pptx is 25.40 x 19.05 cm (4:3)")
        assert found[-1] == f"check: 0 errors, 0 warnings, 1 note {SCOPE}"
    modules = sorted(path.name for path in Path("slide_library").glob("*.pptx"))
    opened = modules + (["northwind.potx"] if brand_template else [])
    assert sorted(decks) == sorted(opened)
    assert sorted(zips) == sorted(opened)
    assert len(pptx_sources) == len(modules)
    assert not any(isinstance(source, (str, Path)) for source in pptx_sources)

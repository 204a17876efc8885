"""Template mode as users drive it: brand.template, --look, plan's layout reasons, check's findings."""
from __future__ import annotations

import datetime
import json
from pathlib import Path

from click.testing import CliRunner
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.util import Inches

from deckgen.cli import main
from deckgen.config import project_config
from deckgen.marketing.check import check_project

TODAY = datetime.date(2026, 12, 1)


def _run(*args: str):
    return CliRunner().invoke(main, list(args))


def _set_config(old: str, new: str) -> None:
    config = Path("deckgen.yaml")
    config.write_text(config.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_plan_says_which_template_layout_each_slide_takes_and_why(example_project):
    result = _run("plan", "service-renewal", "-p", "prospects/bluth.yaml")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1] == "On template brand/northwind.potx"
    overview = lines.index(next(line for line in lines if "field-service-overview" in line))
    assert lines[overview + 2].strip() == \
        "-> layout 'Title and Content': same layout name 'Title and Content'"
    proof = lines.index(next(line for line in lines if "case-alder" in line))
    assert lines[proof + 2].strip() == "-> layout 'Title Only': already on the template (same layout)"
    assert lines[4].strip() == "keeps its own look (look: source)"   # corporate title slide
    data = json.loads(_run("plan", "service-renewal", "-p", "prospects/bluth.yaml", "--format", "json").stdout)
    assert data["template"] == "brand/northwind.potx"
    layouts = {slide["key"]: slide["layout"] for slide in data["slides"]}
    assert layouts["title"] is None
    assert layouts["field-service-sla"] == {"name": "Title Only", "reason": "same layout name 'Title Only'",
                                           "mapped": True, "unmatched_placeholders": []}
    source = _run("plan", "service-renewal", "-p", "prospects/bluth.yaml", "--look", "source").stdout
    assert "On template" not in source and "-> layout" not in source


def test_check_lists_what_stays_off_brand_or_off_the_page_on_the_template(example_project):
    path = Path("slide_library/field-service.pptx")
    prs = Presentation(path)
    slide = prs.slides[1]
    box = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(7.5), Inches(7), Inches(2.5), Inches(1))
    box.name = "Sticker"
    box.fill.solid()
    box.fill.fore_color.rgb = RGBColor(0x12, 0x34, 0x56)
    box.text_frame.text = "Relay"
    box.text_frame.paragraphs[0].runs[0].font.name = "Comic Neue"
    prs.save(path)
    text = check_project(project_config(example_project), today=TODAY).to_text()
    where = "slide_library/field-service.pptx slide 2 (field-service-sla)"
    assert (f"{where}: warning: on the template's page these shapes fall off the slide: 'Sticker'"
            in text)
    assert (f"{where}: warning: sets a colour that stays after the switch to the template and not in "
            "its theme: #123456") in text
    assert (f"{where}: warning: sets a font that stays after the switch to the template and not among "
            "its theme fonts: 'Comic Neue'") in text
    # the corporate module keeps its own look (look: source): nothing about the template
    assert "corporate.pptx slide 1 (title): warning: sets" not in text


def test_look_template_needs_a_template_and_the_template_stays_inside_the_project(example_project):
    _set_config("  template: brand/northwind.potx", "")
    result = _run("build", "service-renewal", "-p", "prospects/bluth.yaml", "-o", "out.pptx",
                  "--look", "template")
    assert result.exit_code == 1
    assert "the template look needs a corporate template (pass --look source or" in result.output
    assert "set brand.template: PATH.potx in deckgen.yaml" in result.output
    assert not Path("out.pptx").exists()
    Path("deckgen.yaml").write_text(Path("deckgen.yaml").read_text().replace(
        "brand:\n", "brand:\n  template: ../elsewhere.potx\n"))
    result = _run("build", "service-renewal", "-p", "prospects/bluth.yaml", "-o", "out.pptx")
    assert result.exit_code == 1
    assert "brand.template '../elsewhere.potx' is outside the project folder" in result.output


def test_sidecar_look_must_be_template_or_source(example_project):
    sidecar = Path("slide_library/field-service.yaml")
    sidecar.write_text(sidecar.read_text().replace("status: approved\n", "status: approved\nlook: own\n"))
    result = _run("library", "check")
    assert result.exit_code == 1
    assert ("slide_library/field-service.yaml:8: look must be one of template, source, found text 'own'"
            in result.output)


def test_merge_template_puts_every_slide_on_the_template(example_project):
    result = _run("merge", "-o", "out.pptx", "--template", "brand/northwind.potx",
                  "slide_library/field-service.pptx", "slide_library/pricing.pptx#1")
    assert result.exit_code == 0, result.output
    prs = Presentation("out.pptx")
    assert [master.name for master in prs.slide_masters] == ["Northwind Proof"]
    assert (prs.slide_width, prs.slide_height) == (12192000, 6858000)
    assert [slide.shapes.title.text for slide in prs.slides][:2] == ["Field service included", "Service levels"]

"""deckgen coverage: the message map of the shipped library, and how gaps, drafts and expiry show."""
from __future__ import annotations

import datetime
import json
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner
from PIL import Image

from deckgen.cli import main
from deckgen.marketing.coverage import _COLORS, coverage_map, to_text
from deckgen.config import project_config

REPO = Path(__file__).resolve().parents[1]
TODAY = datetime.date(2026, 12, 1)
SEGMENT_HEADER = "competitor \\ segment  enterprise  mid-market    smb"


@pytest.fixture
def project(example_project: Path) -> Path:
    return example_project


def text(project: Path) -> list[str]:
    return to_text(coverage_map(project_config(project), today=TODAY)).splitlines()


def section(lines: list[str], title: str) -> list[str]:
    start = lines.index(title)
    return lines[start + 1:lines.index("", start)]


def replace_text(path: str, old: str, new: str) -> None:
    file = Path(path)
    content = file.read_text(encoding="utf-8")
    assert content.count(old) == 1
    file.write_text(content.replace(old, new), encoding="utf-8")


def test_shipped_library_map_shows_the_one_gap(project: Path) -> None:
    lines = text(project)
    assert section(lines, "Battle cards: competitors by segment") == [
        SEGMENT_HEADER,
        "acme                           1           1      -",
        "initech                        1           1      1",
        "umbrella                       1           1      1",
        "in-house                       1           1      1",
        "other                          1           1      1",
    ]
    kinds = section(lines, "Slide kinds by segment")
    assert kinds[0] == "kind \\ segment  enterprise  mid-market    smb"
    assert "case-study               2           2      2" in kinds
    assert "pricing                  2           1      2" in kinds
    # declared in the message map, no slide yet: a gap row; titles and agendas name no segment
    assert "corporate                -           -      -" in kinds
    assert not any(line.startswith("title ") for line in kinds)
    assert section(lines, "Recipe first-call: sections by competitor") == [
        "section \\ competitor   acme  initech  umbrella  in-house  other",
        "competition               1        1         1         1      1"]
    assert "  gap: kind=battle-card competitor=acme segment=smb" in lines
    assert lines[-1] == ("  kinds no slide tags with a segment (not counted by segment): feature, objection, "
                         "business-case, title, agenda, about, closing, field-service")


def without_map() -> None:
    replace_text("deckgen.yaml", "message_map: message_map.yaml", "")


def test_without_a_map_values_prospects_raise_become_gap_rows(project: Path) -> None:
    without_map()
    Path("prospects/initrode.yaml").write_text(
        "company: Initrode\nsegment: smb\ncompetitors: [siemens]\nobjections: [compliance]\n", encoding="utf-8")
    lines = text(project)
    battle = section(lines, "Battle cards: competitors by segment")
    assert "siemens                        -           -      -" in battle
    objections = section(lines, "Recipe executive-briefing: sections by objection")
    assert objections[0].split() == ["section", "\\", "objection", "adoption", "compliance", "integration",
                                     "price", "security", "switching-cost"]
    assert objections[1].split() == ["objections", "1", "-", "1", "1", "1", "1"]
    assert "  gap: recipe=executive-briefing section=objections objection=compliance" in lines
    assert "  competitor values prospects use that no slide is tagged with: siemens" in lines
    assert "  objection values prospects use that no slide is tagged with: compliance" in lines


def test_drafts_and_expired_slides_do_not_cover(project: Path) -> None:
    replace_text("slide_library/objections.yaml", "  title: 'Security: your OT network stays yours'\n",
                 "  title: 'Security: your OT network stays yours'\n  status: draft\n")
    replace_text("slide_library/competition.yaml", "  title: Northwind Ops vs Acme Asset Cloud\n",
                 "  title: Northwind Ops vs Acme Asset Cloud\n  expires: 2026-11-15\n")
    lines = text(project)
    objections = section(lines, "Recipe executive-briefing: sections by objection")
    assert objections[1].split() == ["objections", "1", "draft", "1", "1", "1"]
    battle = section(lines, "Battle cards: competitors by segment")
    assert battle[1] == "acme                           -           -      -"
    assert "  gap: recipe=executive-briefing section=objections objection=security (draft: objection-security)" in lines


def test_html_page_marks_gaps_and_lists_the_slides_behind_each_cell(project: Path) -> None:
    coverage = coverage_map(project_config(project), today=TODAY)
    covered, total = coverage.totals()
    result = CliRunner().invoke(main, ["coverage", "--format", "html", "-o", "map/coverage.html",
                                       "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote map/coverage.html: {covered} of {total} cells covered\n"
    page = lxml.html.fromstring(Path("map/coverage.html").read_text(encoding="utf-8"))
    assert not page.xpath("//script")
    assert [t.get("data-title") for t in page.xpath("//table")][:2] == [
        "Slide kinds by segment", "Battle cards: competitors by segment"]
    assert len(page.xpath("//td[@class='gap']")) == total - covered
    battle = page.xpath("//table[@data-title='Battle cards: competitors by segment']")[0]
    acme = battle.xpath(".//tr[th='acme']/td")
    assert [(td.get("class"), td.text_content(), td.get("title")) for td in acme] == [
        ("covered", "1", "battle-acme"), ("covered", "1", "battle-acme"), ("gap", "-", "no slide")]
    assert "kind=battle-card competitor=acme segment=smb" in [
        li.text_content().strip() for li in page.xpath("//ul[@class='gaps']/li")]


def _gap_pixels(path: Path) -> int:
    with Image.open(path) as image:
        colors = image.convert("RGB").getcolors(maxcolors=1 << 20)
    return sum(count for count, color in colors if color == _COLORS["gap"])


def test_png_shows_a_red_cell_per_gap(project: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["coverage", "--format", "png", "-o", "gaps.png"]).exit_code == 0
    one_gap = _gap_pixels(Path("gaps.png"))
    assert one_gap > 1000
    replace_text("slide_library/competition.yaml", "    segment: [enterprise, mid-market]\n",
                 "    segment: [enterprise, mid-market, smb]\n")
    assert runner.invoke(main, ["coverage", "--format", "png", "-o", "no-gap.png"]).exit_code == 0
    assert 0 < one_gap - _gap_pixels(Path("no-gap.png")) <= 93 * 27      # one red cell fewer
    with Image.open("no-gap.png") as image:
        assert image.format == "PNG" and image.size[0] > 600


def test_cli_text_json_and_usage_errors(project: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["coverage", "--today", TODAY.isoformat()])
    assert result.exit_code == 0
    assert result.output.splitlines() == text(project)
    data = json.loads(runner.invoke(main, ["coverage", "--format", "json", "--today", TODAY.isoformat()]).output)
    assert (data["covered"], data["cells"]) == coverage_map(project_config(project), today=TODAY).totals()
    acme_smb = [cell for cell in data["matrices"][1]["cells"] if (cell["row"], cell["column"]) == ("acme", "smb")]
    assert acme_smb == [{"row": "acme", "column": "smb", "state": "gap", "approved": [], "drafts": []}]
    result = runner.invoke(main, ["coverage", "--format", "png"])
    assert result.exit_code == 2 and "Error: --format png needs -o FILE" in result.output


def test_competitors_and_objections_of_a_crm_export_count_as_prospect_values(project: Path) -> None:
    without_map()
    csv = Path("prospects/crm-export.csv")
    csv.write_text(csv.read_text(encoding="utf-8") +
                   '"Wayne Enterprises","enterprise","defense","oscorp","export-control","90000","Lucius Fox",'
                   '"logos/globex.png"\n', encoding="utf-8")
    lines = text(project)
    assert "  competitor values prospects use that no slide is tagged with: oscorp" in lines
    assert "  objection values prospects use that no slide is tagged with: export-control" in lines

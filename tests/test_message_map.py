"""The message map: declared, validated, and enforced on sidecars, recipes, prospects and CRM rows;
coverage from the same matcher as recipes; intentional ordering."""
from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from deckgen.cli import main
from deckgen.config import project_config
from deckgen.errors import ConfigError
from deckgen.marketing.check import check_project
from deckgen.marketing.coverage import coverage_map, section_cells
from deckgen.messagemap import load_message_map
from deckgen.pipeline.workspace import Workspace
from deckgen.prospect import Prospect
from deckgen.recipes import load_recipe

from conftest import write_text

TODAY = datetime.date(2026, 12, 1)


def edit(path: str, old: str, new: str) -> None:
    file = Path(path)
    text = file.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    file.write_text(text.replace(old, new), encoding="utf-8")


def line_of(path: str, text: str) -> int:
    return next(number for number, line in enumerate(Path(path).read_text().splitlines(), 1) if text in line)


# --- the map file ------------------------------------------------------------------------------

def test_map_problems_are_all_reported_with_file_and_line(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_text(tmp_path / "map.yaml", """
        dimensions:
          segment:
            field: segmnet
            values:
              smb: {aliases: [SMB], lable: Small}
              mid-market: {aliases: [smb]}
        kinds: [value-prop]
        """)
    with pytest.raises(ConfigError) as caught:
        load_message_map("map.yaml")
    problems = [str(problem) for problem in caught.value.problems]
    assert "map.yaml:3: 'field' of dimension 'segment' must be a prospect field (segment, industry, competitors, " \
           "objections), found text 'segmnet' (did you mean 'segment'?)" in problems
    assert "map.yaml:5: unknown key 'lable' in value 'smb' (did you mean 'label'?)" in problems
    assert any(p.startswith("map.yaml:6: 'smb' is declared twice in 'segment' (also for 'smb')") for p in problems)


def test_config_names_a_missing_map_at_its_line(example_project: Path) -> None:
    edit("deckgen.yaml", "message_map: message_map.yaml", "message_map: messages.yaml")
    with pytest.raises(ConfigError) as caught:
        project_config()
    assert str(caught.value).startswith(f"deckgen.yaml:{line_of('deckgen.yaml', 'messages.yaml')}: "
                                        "message map file 'messages.yaml' not found")


def test_without_a_map_check_hints_at_one_and_behaves_as_before(example_project: Path) -> None:
    edit("deckgen.yaml", "message_map: message_map.yaml", "")
    report = check_project(project_config(), today=TODAY)
    assert report.exit_code() == 0
    notes = [f for f in report.findings if f.code == "message-map"]
    assert len(notes) == 1 and "deckgen map init" in notes[0].hint


# --- enforced on sidecars, recipes, prospects ----------------------------------------------------

def test_sidecar_typos_fail_check_with_line_and_suggestion(example_project: Path) -> None:
    sidecar = "slide_library/case-studies.yaml"
    edit(sidecar, "    segment: [mid-market]\n    industry: [food-beverage]",
         "    segmnet: [mid-market]\n    industry: [food-beverage]")
    edit(sidecar, "    segment: [mid-market]\n    industry: [packaging]",
         "    segment: [midmarkt]\n    industry: [packaging]")
    result = CliRunner().invoke(main, ["check", "--today", TODAY.isoformat()])
    assert result.exit_code == 1
    assert (f"{sidecar}:{line_of(sidecar, 'segmnet')}: error: slide 'case-hartwell': tag 'segmnet' is not a "
            f"dimension of the message map\n    hint: did you mean 'segment'?") in result.output
    assert (f"{sidecar}:{line_of(sidecar, 'midmarkt')}: error: slide 'case-brightline': segment 'midmarkt' is not "
            f"declared in the message map\n    hint: did you mean 'mid-market'?") in result.output
    library = CliRunner().invoke(main, ["library", "check"])
    assert library.exit_code == 1 and "tag 'segmnet' is not a dimension" in library.output
    # the slide is unusable, and a plan says so instead of silently falling back
    plan = CliRunner().invoke(main, ["plan", "first-call", "--prospect", "prospects/vandelay.json", "--strict"])
    assert plan.exit_code == 1 and "segmnet" in plan.output


def test_recipe_selectors_and_fields_are_checked_against_the_map(example_project: Path) -> None:
    recipe = "recipes/first-call.yaml"
    edit(recipe, "select: {kind: value-prop, segment: $segment}", "select: {kind: value-prop, segmnet: $segment}")
    edit(recipe, "select: {kind: case-study, segment: $segment}", "select: {kind: case-study, segment: $industry}")
    edit(recipe, "select: {kind: battle-card, competitor: $item}", "select: {kind: battlecard, competitor: $item}")
    report = check_project(project_config(), today=TODAY)
    found = {(f.where, f.message, f.hint) for f in report.findings if f.code == "recipe-ref"}
    assert (f"{recipe}:{line_of(recipe, 'segmnet')}", "tag 'segmnet' is not a dimension of the message map",
            "did you mean 'segment'?") in found
    assert (f"{recipe}:{line_of(recipe, '$industry')}", "segment is selected with $industry, which holds industry "
            "values (prospect field 'industry')", "use $segment") in found
    assert (f"{recipe}:{line_of(recipe, 'battlecard')}", "content kind 'battlecard' is not declared in the message map",
            "did you mean 'battle-card'?") in found


def test_crm_aliases_become_canonical_and_an_undeclared_value_fails_only_its_row(example_project: Path) -> None:
    write_text(Path("prospects/new-accounts.csv"), """
        "Account Name","Segment","Industry","Competitor","Objections","Employees","Contact","Logo","Account ID"
        "Initrode","Mid-Market","Packaging","Initech Corp.","Too expensive","300","Bill","logos/globex.png","A-1"
        "Penitrode","Midmrket","packaging","acme","price","300","Bob","logos/globex.png","A-2"
        """)
    result = CliRunner().invoke(main, ["batch", "first-call", "-p", "prospects/new-accounts.csv", "-o", "out"])
    assert result.exit_code == 1
    assert ("failed: prospects/new-accounts.csv:3: column 'Segment': segment 'Midmrket' is not a segment of the "
            "message map (did you mean 'mid-market'?)") in result.output
    assert "1 deck built, 0 up to date, 1 failed" in result.output
    manifest = json.loads(Path("out/deckgen-manifest.json").read_text())
    (deck,) = manifest["decks"].values()
    keys = [slide["key"] for slide in deck["record"]["slides"]]
    assert "vp-live-in-weeks" in keys and "battle-initech" in keys     # planned as mid-market, initech
    workspace = Workspace(project_config(), today=TODAY)
    row = workspace.canonical(Prospect(company="X", segment="SMB", competitors=("Acme Corp.",),
                                       objections=("Budget",), industry="F&B"))
    assert (row.segment, row.competitors, row.objections, row.industry) == ("smb", ("acme",), ("price",),
                                                                           "food-beverage")


def test_a_prospect_file_value_the_map_lacks_is_an_error_at_its_line(example_project: Path) -> None:
    edit("prospects/globex.yaml", "competitors: [acme, initech]", "competitors: [acme, initek]")
    result = CliRunner().invoke(main, ["plan", "first-call", "--prospect", "prospects/globex.yaml"])
    assert result.exit_code == 1
    assert (f"prospects/globex.yaml:{line_of('prospects/globex.yaml', 'initek')}: competitors 'initek' is not a "
            f"competitor of the message map (did you mean 'initech'?)") in result.output
    report = check_project(project_config(), today=TODAY)
    assert any(f.code == "prospect" and "initek" in f.message for f in report.findings)


# --- coverage = selection ------------------------------------------------------------------------

def test_coverage_equals_what_selection_does_on_every_cell(example_project: Path) -> None:
    coverage = coverage_map(project_config(), today=TODAY)
    workspace = Workspace(project_config(), today=TODAY, log_problems=False)
    compared = 0
    for name in ("first-call", "executive-briefing"):
        recipe = load_recipe(name, "recipes")
        for cells in section_cells(recipe):
            title = f"Recipe {name}: sections by {cells.tag}"
            matrix = next(m for m in coverage.matrices if m.title == title)
            for value in matrix.columns:
                fields = {"segment": "smb", "competitors": ("acme",), "objections": ("price",)}
                field = {"segment": "segment", "competitor": "competitors", "objection": "objections"}[cells.tag]
                fields[field] = value if field == "segment" else (value,)
                prospect = Prospect(company="Cell Co", **fields, values={"annual_savings": 1})
                plan = workspace.plan(name, prospect)
                picked = [item.key for item in plan.items if item.section == cells.section.name
                          and "fallback" not in item.rule]
                assert list(matrix.cell(cells.section.name, value).approved) == picked, (title, value)
                compared += 1
    assert compared == 3 * 3 + 5 + 2 * 3 + 5


def test_a_slide_without_a_segment_tag_covers_no_segment(example_project: Path) -> None:
    edit("slide_library/value-props.yaml", "    segment: [enterprise]\n", "")
    coverage = coverage_map(project_config(), today=TODAY)
    kinds = next(m for m in coverage.matrices if m.title == "Slide kinds by segment")
    assert "vp-enterprise-scale" not in kinds.cell("value-prop", "enterprise").approved
    assert kinds.cell("corporate", "smb").state == "gap"      # declared, no slide at all: a gap row


# --- ordering -------------------------------------------------------------------------------------

def test_a_module_sorting_first_changes_no_plan_unless_its_priority_says_so(example_project: Path,
                                                                            make_module) -> None:
    before = Workspace(project_config(), today=TODAY).plan(
        "first-call", Prospect(company="G", segment="enterprise")).keys()
    make_module(Path("slide_library"), "aaa-new", ["Brand new promise"], """
        status: approved
        tags: {kind: value-prop}
        slides:
          - key: vp-brand-new
            slide_id: 256
            tags: {segment: [enterprise]}
        """)
    workspace = Workspace(project_config(), today=TODAY)
    assert workspace.plan("first-call", Prospect(company="G", segment="enterprise")).keys() == before
    edit("slide_library/aaa-new.yaml", "  - key: vp-brand-new\n", "  - key: vp-brand-new\n    priority: 1\n")
    plan = Workspace(project_config(), today=TODAY).plan("first-call", Prospect(company="G", segment="enterprise"))
    assert plan.keys()[4:7] == ["vp-brand-new", "vp-one-platform", "vp-enterprise-scale"]


def test_check_warns_when_a_limit_cuts_slides_ordered_only_by_file_name(example_project: Path,
                                                                       make_module) -> None:
    text = Path("slide_library/value-props.yaml").read_text()
    Path("slide_library/value-props.yaml").write_text(
        "\n".join(line for line in text.splitlines() if "priority:" not in line) + "\n")
    make_module(Path("slide_library"), "aaa-new", ["Brand new promise"], """
        status: approved
        tags: {kind: value-prop}
        slides:
          - key: vp-brand-new
            slide_id: 256
            tags: {segment: [enterprise, mid-market, smb]}
        """)
    report = check_project(project_config(), today=TODAY)
    ordering = [f for f in report.findings if f.code == "ordering"]
    assert ordering and all(f.severity == "warning" for f in ordering)
    recipe = "recipes/first-call.yaml"
    first = next(f for f in ordering if f.where == f"{recipe}:{line_of(recipe, 'limit: 3')}")
    assert "keeps 'vp-brand-new' (aaa-new.pptx) and cuts" in first.message
    assert "priority" in first.hint


# --- starter map ----------------------------------------------------------------------------------

def test_map_init_declares_the_library_tags_and_flags_near_duplicates(example_project: Path) -> None:
    edit("deckgen.yaml", "message_map: message_map.yaml", "")
    Path("message_map.yaml").unlink()
    edit("slide_library/case-studies.yaml", "    segment: [mid-market]\n    industry: [packaging]",
         "    segment: [midmarket]\n    industry: [packaging]")
    result = CliRunner().invoke(main, ["map", "init"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "wrote message_map.yaml: 1 near-duplicate to merge (search for NEAR-DUPLICATE)",
        "add 'message_map: message_map.yaml' to deckgen.yaml to enforce it"]
    text = Path("message_map.yaml").read_text()
    assert "      midmarket: {label: \"Midmarket\"}  # NEAR-DUPLICATE of 'mid-market': make it an alias of one value" \
        in text
    written = load_message_map("message_map.yaml")
    assert written.dimensions["competitor"].prospect_field == "competitors"
    assert set(written.dimensions["segment"].values) == {"enterprise", "mid-market", "midmarket", "smb"}
    assert "value-prop" in written.kinds.values
    again = CliRunner().invoke(main, ["map", "init"])
    assert again.exit_code == 1 and "message_map.yaml: the file already exists" in again.output
    # wired up, the starter map passes check for the library it came from
    Path("deckgen.yaml").write_text(Path("deckgen.yaml").read_text() + "message_map: message_map.yaml\n")
    assert check_project(project_config(), today=TODAY).exit_code() == 0


def test_map_show_lists_values_and_aliases(example_project: Path) -> None:
    result = CliRunner().invoke(main, ["map", "show"])
    assert result.exit_code == 0
    assert "segment: Segment (prospect field 'segment')" in result.output
    assert "  mid-market: Mid-market  aliases: Mid-Market, Midmarket, Mid Market, MM" in result.output

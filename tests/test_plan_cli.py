"""Tests of `deckgen plan` (deckgen.cli.plan over deckgen.pipeline.plan): output, folders and errors."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from conftest import write_text
from deckgen.cli import main
from deckgen.errors import DeckgenError
from deckgen.pipeline.plan import plan_deck, plan_text


@pytest.fixture
def project(tmp_path, sample_library, monkeypatch):
    """A project without deckgen.yaml: ./slide_library, ./recipes, a prospect with a logo."""
    monkeypatch.chdir(tmp_path)
    write_text(tmp_path / "recipes" / "base.yaml", """
        name: Base
        sections:
          - name: opening
            slides: [title]
          - slot: body
          - include: closing
        """)
    write_text(tmp_path / "recipes" / "closing.yaml", "sections:\n  - {name: closing, slides: [closing]}\n")
    write_text(tmp_path / "recipes" / "first-call.yaml", """
        name: First call
        extends: base
        sections:
          - name: proof
            select: {kind: case-study, segment: $segment}
            limit: 1
            fallback: [case-generic]
          - name: objections
            for_each: objections
            select: {kind: objection, objection: $item}
        """)
    (tmp_path / "prospects").mkdir()
    Image.new("RGB", (30, 10), "red").save(tmp_path / "prospects" / "globex.png")
    write_text(tmp_path / "prospects" / "globex.yaml", """
        company: Globex
        logo: globex.png
        segment: enterprise
        objections: [price]
        """)
    return tmp_path


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_plan_prints_each_slide_with_its_rule(project):
    result = run("plan", "first-call", "--prospect", "prospects/globex.yaml")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Plan 'First call' (recipes/first-call.yaml) for Globex: 4 slides",
        "  1. title            core #1        Northwind for Globex",
        "       section 'opening': listed by key",
        "  2. case-enterprise  proof #1       Globex saved 20%",
        "       section 'proof': matched kind=case-study, segment=enterprise",
        "  3. obj-price        objections #1  Worth every cent",
        "       section 'objections' (for each objections: price): matched kind=objection, objection=price",
        "  4. closing          core #3        Next steps",
        "       section 'closing': listed by key",
        "Skipped:",
        "  - case-draft (section 'proof'): matched kind=case-study, segment=enterprise but is a draft "
        "(pass --allow-drafts to preview)",
    ]
    assert result.stderr == ("warning: slide_library/value.yaml:13: slide 'vp-old' expired on 2020-01-31 "
                             "(recipes that name it fail and selectors leave it out; update the slide and its date, or remove it)\n")


def test_set_overrides_change_the_plan(project):
    result = run("plan", "first-call", "--prospect", "prospects/globex.yaml",
                 "--set", "segment=smb", "--set", "objections=[price, security]")
    assert result.exit_code == 0, result.output
    assert "case-smb" in result.stdout and "obj-security" in result.stdout
    assert "case-enterprise" not in result.stdout


def test_json_is_complete_and_the_same_every_time(project):
    first = run("plan", "first-call", "--prospect", "prospects/globex.yaml", "--json")
    second = run("plan", "first-call", "--prospect", "prospects/globex.yaml", "--json")
    assert first.exit_code == 0, first.output
    assert first.stdout == second.stdout
    data = json.loads(first.stdout)
    assert [s["key"] for s in data["slides"]] == ["title", "case-enterprise", "obj-price", "closing"]
    assert data["slides"][1] == {
        "position": 2, "key": "case-enterprise", "module": "proof", "path": "slide_library/proof.pptx",
        "slide_id": 256, "number": 1, "title": "Globex saved 20%", "raw_title": "Globex saved 20%", "section": "proof",
        "rule": "section 'proof': matched kind=case-study, segment=enterprise"}
    assert data["recipe"] == "first-call" and data["recipe_file"] == "recipes/first-call.yaml"
    assert data["library_problems"][0]["where"] == "slide_library/value.yaml:13"
    assert data["skipped"] == [{"section": "proof", "key": "case-draft", "code": "draft",
                                "reason": "matched kind=case-study, segment=enterprise but is a draft",
                                "hint": "pass --allow-drafts to preview"}]


def test_folders_come_from_deckgen_yaml_found_from_a_subfolder(project, monkeypatch):
    (project / "slide_library").rename(project / "lib")
    (project / "recipes").rename(project / "decks")
    write_text(project / "deckgen.yaml", "library: lib\nrecipes: decks\n")
    (project / "work" / "deep").mkdir(parents=True)
    monkeypatch.chdir(project / "work" / "deep")
    result = run("plan", "first-call", "--prospect", "../../prospects/globex.yaml", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["slides"][0]["path"] == str(project / "lib" / "core.pptx")


def test_folder_options_and_a_recipe_path(project, monkeypatch):
    (project / "slide_library").rename(project / "lib")
    result = run("plan", "recipes/first-call.yaml", "--library", "lib", "--set", "company=Initech",
                 "--set", "segment=smb")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "Plan 'First call' (recipes/first-call.yaml) for Initech: 3 slides"


def test_allow_drafts_and_strict(project):
    drafts = run("plan", "first-call", "--prospect", "prospects/globex.yaml", "--allow-drafts", "--set", "segment=smb")
    assert drafts.exit_code == 0
    strict = run("plan", "first-call", "--prospect", "prospects/globex.yaml", "--strict")
    assert strict.exit_code == 1
    assert strict.stderr == ("error: slide_library/value.yaml:13: slide 'vp-old' expired on 2020-01-31 "
                             "(recipes that name it fail and selectors leave it out; update the slide and its date, or remove it)\n")


@pytest.mark.parametrize("recipe_text, message", [
    ("sections:\n  - name: proof\n    selct: {kind: case-study}\n",
     "error: recipes/bad.yaml: invalid recipe (2 problems):\n"
     "  recipes/bad.yaml:2: section 'proof' chooses no slides (give it 'slides: [key, ...]' or "
     "'select: {tag: value}', or use 'include: RECIPE')\n"
     "  recipes/bad.yaml:3: unknown key 'selct' (did you mean 'select'?)\n"),
    ("sections:\n  - name: proof\n    select: {kind: case-study}\n    limit: [1]\n",
     "error: recipes/bad.yaml:4: 'limit' must be a whole number of at least 1, found a list\n"),
    ("sections:\n  - name: opening\n    slides: [title, agneda]\n",
     "error: recipes/bad.yaml:3: no slide with key 'agneda' in the library (did you mean 'agenda'?)\n"),
    ("sections:\n  - name: opening\n    slides: [title]\n  - include: loop\n",
     "error: recipes/loop.yaml:2: include cycle: bad -> loop -> bad (remove the include that closes the loop)\n"),
], ids=["unknown-key", "wrong-type", "missing-slide", "include-cycle"])
def test_recipe_errors_are_one_clear_message(project, recipe_text, message):
    write_text(project / "recipes" / "bad.yaml", recipe_text)
    write_text(project / "recipes" / "loop.yaml", "sections:\n  - include: bad\n")
    result = run("plan", "bad", "--prospect", "prospects/globex.yaml")
    assert result.exit_code == 1
    assert result.stderr.endswith(message), result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args, message", [
    (["first-call"], "error: no prospect given (pass --prospect FILE, or --set company=... --set segment=...)\n"),
    (["first-cal", "--prospect", "prospects/globex.yaml"],
     "error: no recipe named 'first-cal' (did you mean 'first-call'?)\n"),
    (["first-call", "--prospect", "prospects/nope.yaml"], "error: prospects/nope.yaml: file not found\n"),
    (["first-call", "--prospect", "prospects/globex.yaml", "--set", "segment=enterprize"],
     "error: --set segment=enterprize: segment 'enterprize' is not a segment of the library "
     "(did you mean 'enterprise'?)\n"),
    (["first-call", "--prospect", "prospects/globex.yaml", "--library", "nowhere"],
     "error: slide library folder 'nowhere' not found (pass --library DIR or set 'library:' in deckgen.yaml)\n"),
], ids=["no-prospect", "unknown-recipe", "missing-prospect-file", "unknown-segment", "no-library"])
def test_input_errors(project, args, message):
    result = run("plan", *args)
    assert (result.exit_code, result.stderr[-len(message):]) == (1, message), result.output
    assert "Traceback" not in result.output


def test_an_empty_set_value_clears_a_field(project):
    result = run("plan", "first-call", "--prospect", "prospects/globex.yaml", "--set", "objections=")
    assert result.exit_code == 0
    assert "obj-price" not in result.stdout and "case-enterprise" in result.stdout


def test_prospect_errors_name_file_and_line(project):
    write_text(project / "prospects" / "bad.yaml", "company: Globex\nsegment: enterprise\nlogo: missing.png\n")
    result = run("plan", "first-call", "--prospect", "prospects/bad.yaml")
    assert result.exit_code == 1
    assert result.stderr == (f"error: prospects/bad.yaml:3: logo file 'missing.png' not found "
                             f"(looked for {project / 'prospects' / 'missing.png'})\n")


def test_the_installed_command_exits_non_zero_without_traceback(project):
    write_text(project / "recipes" / "bad.yaml", "sections:\n  - name: a\n    slides: [nope]\n")
    done = subprocess.run([sys.executable, "-m", "deckgen", "plan", "bad", "--set", "company=A",
                           "--set", "segment=smb"], capture_output=True, text=True, cwd=project)
    assert done.returncode == 1
    assert done.stderr.endswith("error: recipes/bad.yaml:3: no slide with key 'nope' in the library "
                                "(see the keys in the sidecars of slide_library)\n")
    assert "Traceback" not in done.stderr


# --- the shipped example project -------------------------------------------------------------

REPO = Path(__file__).resolve().parent.parent
SHIPPED_RECIPES = sorted(p.stem for p in (REPO / "recipes").glob("*.yaml"))
SHIPPED_PROSPECTS = sorted(p.name for p in (REPO / "prospects").glob("*") if p.suffix in (".yaml", ".json"))


def test_the_shipped_library_has_no_errors():
    from deckgen.config import load_config
    from deckgen.library import load_library

    config = load_config(REPO / "deckgen.yaml")
    library = load_library(config.library)
    assert [str(p) for p in library.errors] == []
    assert len(library) >= 30
    assert len(SHIPPED_RECIPES) >= 2 and len(SHIPPED_PROSPECTS) >= 3


@pytest.mark.parametrize("recipe", SHIPPED_RECIPES)
@pytest.mark.parametrize("prospect", SHIPPED_PROSPECTS)
def test_every_shipped_recipe_plans_for_every_shipped_prospect(recipe, prospect, monkeypatch):
    monkeypatch.chdir(REPO)
    result = run("plan", recipe, "--prospect", f"prospects/{prospect}", "--json")
    assert result.exit_code == 0, result.output
    slides = json.loads(result.stdout)["slides"]
    assert slides and all((REPO / s["path"]).is_file() for s in slides)


@pytest.mark.parametrize("recipe", ["first-call", "executive-briefing"])
def test_shipped_prospects_get_different_decks(recipe, monkeypatch):
    monkeypatch.chdir(REPO)
    decks = {tuple(s["key"] for s in json.loads(run("plan", recipe, "--prospect", f"prospects/{p}", "--json")
                                                .stdout)["slides"])
             for p in SHIPPED_PROSPECTS}
    assert len(decks) == len(SHIPPED_PROSPECTS)


# the core names no flags; the CLI adds them (see also test_flag_hints.py)
def test_a_skipped_draft_shows_the_allow_drafts_flag_only_in_the_cli(project):
    outcome = plan_deck("first-call", prospect="prospects/globex.yaml")
    skipped = [s for s in outcome.plan.skipped if s.code == "draft"]
    assert [s.key for s in skipped] == ["case-draft"]
    assert "--" not in plan_text(outcome)
    assert plan_text(outcome).endswith("(section 'proof'): matched kind=case-study, segment=enterprise but is a draft")
    result = run("plan", "first-call", "-p", "prospects/globex.yaml")
    assert result.exit_code == 0
    assert "but is a draft (pass --allow-drafts to preview)" in result.stdout


def test_strict_plan_problems_name_the_strict_flag_only_in_the_cli(project):
    # the expired slide and an objection no slide answers: two problems, refused together
    error = _core_error(plan_deck, "first-call", prospect="prospects/globex.yaml", sets=["objections=[price, nothing]"],
                        strict=True)
    assert error.code == "strict" and "--" not in error.headline()
    result = run("plan", "first-call", "-p", "prospects/globex.yaml", "--set", "objections=[price, nothing]",
                 "--strict")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: the library or plan has problems a strict plan refuses (3 problems) "
                                    "(drop --strict to let them pass):\n")


def _core_error(call, *args, **kwargs) -> DeckgenError:
    with pytest.raises(DeckgenError) as caught:
        call(*args, **kwargs)
    return caught.value

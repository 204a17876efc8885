"""`deckgen check` and `deckgen build` agree: every build rule (deckgen.recipes.rules.RULES) that
refuses a recipe is reported by check first, as an error of that rule."""
from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner

from deckgen.cli import main
from deckgen.pipeline.deck import build
from deckgen.recipes.rules import RULES


@pytest.fixture
def project(example_project: Path) -> Path:
    return example_project


def _sidecar_entry(project: Path, module: str, key: str, line: str) -> None:
    """Add ``line`` (e.g. "expires: 2020-01-31") to the sidecar entry of slide ``key``."""
    path = project / "slide_library" / f"{module}.yaml"
    text = path.read_text(encoding="utf-8")
    marker = f"- key: {key}\n"
    assert marker in text
    path.write_text(text.replace(marker, marker + f"  {line}\n"), encoding="utf-8")


def _resize(project: Path, module: str) -> None:
    """Make every slide of ``module`` 4:3 (25.4 x 19.05 cm) instead of the library's 16:9."""
    path = project / "slide_library" / f"{module}.pptx"
    with zipfile.ZipFile(path) as source:
        members = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in members:
            if info.filename == "ppt/presentation.xml":
                data = re.sub(rb'<p:sldSz cx="\d+" cy="\d+"', b'<p:sldSz cx="9144000" cy="6858000"', data)
            target.writestr(info, data)


# rule -> (make the example project break it for first-call + globex, what the build error says);
# a rule whose check severity is a warning refuses only under --strict, in build and check alike
SCENARIOS: dict[str, tuple[Callable[[Path], None], str]] = {
    "expired": (lambda project: _sidecar_entry(project, "corporate", "approach-90-days", "expires: 2020-01-31"),
                "slide 'approach-90-days' expired on 2020-01-31"),
    "draft": (lambda project: _sidecar_entry(project, "corporate", "agenda", "status: draft"),
              "slide 'agenda' is a draft"),
    "slide-size": (lambda project: _resize(project, "value-props"),
                   "slide_library/value-props.pptx: its slides are 25.40 x 19.05 cm (4:3) but the output's are "),
}


def test_every_rule_has_a_scenario():
    assert set(SCENARIOS) == set(RULES)


@pytest.mark.parametrize("rule", sorted(RULES))
def test_check_reports_first_what_build_refuses(project, rule):
    setup, refusal = SCENARIOS[rule]
    runner = CliRunner()
    assert runner.invoke(main, ["build", "first-call", "-p", "prospects/globex.yaml", "-o", "before.pptx"]
                         ).exit_code == 0
    setup(project)
    if rule == "slide-size":    # scaled, not refused: build and check agree it is no error
        scaled = runner.invoke(main, ["build", "first-call", "-p", "prospects/globex.yaml", "-o", "scaled.pptx"])
        assert scaled.exit_code == 0 and "scaled" in scaled.output, scaled.output
        assert runner.invoke(main, ["check"]).exit_code == 0
        strict = runner.invoke(main, ["build", "first-call", "-p", "prospects/globex.yaml", "-o", "deck.pptx",
                                      "--strict"])
        assert strict.exit_code == 1 and refusal in strict.output, strict.output
        assert not (project / "deck.pptx").exists()
        return
    built = runner.invoke(main, ["build", "first-call", "-p", "prospects/globex.yaml", "-o", "deck.pptx"])
    assert built.exit_code == 1 and refusal in built.output, built.output
    assert "Traceback" not in built.output and not (project / "deck.pptx").exists()
    checked = runner.invoke(main, ["check", "--format", "json"])
    assert checked.exit_code == 1
    errors = [problem for problem in json.loads(checked.output)["problems"]
              if problem["severity"] == "error" and problem["rule"] == rule]
    assert errors, checked.output
    assert any("first-call" in problem["where"] or "base" in problem["where"] for problem in errors)


def test_an_expired_slide_a_selector_matches_is_left_out_and_the_plan_says_why(project):
    _sidecar_entry(project, "case-studies", "case-kestrel", "expires: 2020-01-31")
    _sidecar_entry(project, "case-studies", "case-meridian", "expires: 2020-02-29")
    result = build("first-call", project / "deck.pptx", prospect="prospects/globex.yaml")
    assert "case-kestrel" not in result.plan.keys()
    proof = next(item for item in result.plan.items if item.section == "proof")
    assert proof.key == "case-generic"
    assert proof.rule == ("section 'proof': fallback key, because no usable slide matched kind=case-study, "
                          "segment=enterprise ('case-kestrel' expired on 2020-01-31; "
                          "'case-meridian' expired on 2020-02-29)")
    assert any("slide 'case-kestrel' matched section 'proof' but expired on 2020-01-31, so it was left out" in w
               for w in result.warnings)
    report = json.loads(CliRunner().invoke(main, ["check", "--format", "json"]).output)
    found = [p for p in report["problems"] if p["rule"] == "expired" and "can select slide 'case-kestrel'" in p["message"]]
    assert found and {p["severity"] for p in found} == {"warning"}
    assert all(p["message"].endswith("builds leave it out") for p in found)

"""The check report: every finding (a Problem whose code is its rule), counted, as text or JSON."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from deckgen.problems import ERROR, NOTE, SEVERITIES, WARNING, Problem


def finding_lines(problem: Problem) -> list[str]:
    """The report lines of one finding: ``where: severity: message`` and an indented ``hint:`` line."""
    head = f"{problem.location}: {problem.severity}: {problem.message}" if problem.location else \
        f"{problem.severity}: {problem.message}"
    return [head] + ([f"    hint: {problem.hint}"] if problem.hint else [])


def finding_dict(problem: Problem) -> dict[str, Any]:
    """One finding as JSON: its rule (the problem's code), location parts, message and hint."""
    return {"severity": problem.severity, "rule": problem.code, "where": problem.where,
            **problem.location.to_dict(), "message": problem.message, "hint": problem.hint}


@dataclass(frozen=True)
class CheckReport:
    """Every finding of one check run, in file order, and what was checked."""

    findings: tuple[Problem, ...]
    modules: int
    slides: int
    recipes: int

    def count(self, severity: str) -> int:
        return sum(1 for finding in self.findings if finding.severity == severity)

    def exit_code(self, strict: bool = False) -> int:
        """0 when clean, 1 with errors (or, with ``strict``, warnings); notes never fail."""
        failing = self.count(ERROR) + (self.count(WARNING) if strict else 0)
        return 1 if failing else 0

    def summary(self) -> str:
        scope = (f"{self.slides} slide{plural_s(self.slides)} in {self.modules} module{plural_s(self.modules)}, "
                 f"{self.recipes} recipe{plural_s(self.recipes)}")
        if not self.findings:
            return f"check: no problems ({scope})"
        counts = ", ".join(f"{self.count(sev)} {sev}{plural_s(self.count(sev))}" for sev in SEVERITIES)
        return f"check: {counts} ({scope})"

    def to_text(self) -> str:
        lines = [line for finding in self.findings for line in finding_lines(finding)]
        return "\n".join(lines + [self.summary()]) + "\n"

    def to_json(self, strict: bool = False) -> str:
        data = {"ok": self.exit_code(strict) == 0, "strict": strict,
                "summary": {"errors": self.count(ERROR), "warnings": self.count(WARNING),
                            "notes": self.count(NOTE), "modules": self.modules, "slides": self.slides,
                            "recipes": self.recipes},
                "problems": [finding_dict(finding) for finding in self.findings]}
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def plural_s(count: int) -> str:
    return "" if count == 1 else "s"


def in_file_order(findings: list[Problem]) -> list[Problem]:
    return [finding for _, finding in sorted(enumerate(findings), key=lambda item: (*item[1].location.order(), item[0]))]

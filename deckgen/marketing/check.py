"""`deckgen check`: lint the whole library and every recipe in one pass and report every problem.

Rules (each finding names its file and line, or module file, slide number and key, and a fix):

- library index problems: slides without metadata, metadata whose slide_id is gone, duplicate
  keys, unreadable module files or sidecars, review dates passed and expiry dates passed (warnings)
- recipes that do not load, and recipe references the library cannot resolve
- expired slides a recipe uses (error), draft slides a recipe names by key (error) or can select
  (note: builds skip drafts until they are approved)
- jinja syntax errors in slide text, tables, notes and shape marks
- template variables no recipe default or prospect provides (see ``provided_variables``)
- pictures that are missing or that pillow cannot open
- text that overflows its shape, and tables that grow past the slide's bottom, measured with the
  font files fontconfig finds (textfit)
- fonts and colours outside ``brand:`` in deckgen.yaml
- with ``brand.template``: slides that cannot be put on the template (no matching layout,
  placeholders without a place, shapes off its page) and explicit colours and fonts that stay
  off-brand after the switch (template_check)
"""
from __future__ import annotations

import datetime
import io
import json
import re
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Mapping

from jinja2 import nodes
from jinja2.exceptions import TemplateSyntaxError
from PIL import Image, UnidentifiedImageError
from pptx import Presentation

from deckgen.config import ProjectConfig
from deckgen.errors import DeckgenError
from deckgen.library import Library, LibrarySlide, load_library
from deckgen.ooxml import SourceDeck
from deckgen.ooxml.inspect import (EMU_PER_PT, SlideImage, SlideInspection, TableLayout, TextBox, TextParagraph,
                                   inspect_slide)
from deckgen.prospect import FIELDS as PROSPECT_FIELDS
from deckgen.prospect import Prospect
from deckgen.prospect_files import folder_prospects
from deckgen.recipes import Recipe, check_recipe
from deckgen.render import find_variables, make_environment, template_sources, template_syntax_errors
from deckgen.render.problems import dotted_path
from deckgen.marketing.textfit import Fit, FontBook, FontconfigMissing, FontMatch, fit_text
from deckgen.marketing.template_check import template_findings
from deckgen.marketing.usage import NAMED, Usage, load_recipes, recipe_usage
from deckgen.yamlio import Problem, did_you_mean, display_path

ERROR, WARNING, NOTE = "error", "warning", "note"
SEVERITIES = (ERROR, WARNING, NOTE)
BUILTIN_NAMES = frozenset({"prospect", "today", "recipe"})   # docs/formats.md "Slide templates"
OVERFLOW_TOLERANCE_PT = 0.5          # rounding slack before text counts as overflowing
_TEMPLATE_TAG = re.compile(r"\{\{(.*?)\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_PARAGRAPH_TAG = re.compile(r"^\s*\{%-?\s*(p|tr)\s.*%\}\s*$")
_SKIPPED_IMAGE_TYPES = {"image/svg+xml", "image/x-emf", "image/x-wmf", "image/emf", "image/wmf"}
_LOCATION = re.compile(r"^(?P<file>.*?)(?::(?P<line>\d+)| slide (?P<slide>\d+))?(?: \((?P<key>[^)]*)\))?$")


@dataclass(frozen=True)
class Finding:
    """One problem found by check: how bad, which rule, where, what, and how to fix it."""

    severity: str
    rule: str
    where: str
    message: str
    hint: str | None = None

    def location(self) -> dict[str, Any]:
        """Return {file, line, slide, key} parsed from ``where`` (None for parts it lacks)."""
        match = _LOCATION.match(self.where)
        if match is None:
            return {"file": self.where, "line": None, "slide": None, "key": None}
        return {"file": match.group("file"),
                "line": int(match.group("line")) if match.group("line") else None,
                "slide": int(match.group("slide")) if match.group("slide") else None,
                "key": match.group("key")}

    def to_dict(self) -> dict[str, Any]:
        return {"severity": self.severity, "rule": self.rule, "where": self.where, **self.location(),
                "message": self.message, "hint": self.hint}

    def lines(self) -> list[str]:
        """The report lines: ``where: severity: message`` and an indented ``hint:`` line."""
        head = f"{self.where}: {self.severity}: {self.message}" if self.where else f"{self.severity}: {self.message}"
        return [head] + ([f"    hint: {self.hint}"] if self.hint else [])


@dataclass(frozen=True)
class CheckReport:
    """Every finding of one check run, in file order, and what was checked."""

    findings: tuple[Finding, ...]
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
        scope = (f"{self.slides} slide{_s(self.slides)} in {self.modules} module{_s(self.modules)}, "
                 f"{self.recipes} recipe{_s(self.recipes)}")
        if not self.findings:
            return f"check: no problems ({scope})"
        counts = ", ".join(f"{self.count(sev)} {sev}{_s(self.count(sev))}" for sev in SEVERITIES)
        return f"check: {counts} ({scope})"

    def to_text(self) -> str:
        lines = [line for finding in self.findings for line in finding.lines()]
        return "\n".join(lines + [self.summary()]) + "\n"

    def to_json(self, strict: bool = False) -> str:
        data = {"ok": self.exit_code(strict) == 0, "strict": strict,
                "summary": {"errors": self.count(ERROR), "warnings": self.count(WARNING),
                            "notes": self.count(NOTE), "modules": self.modules, "slides": self.slides,
                            "recipes": self.recipes},
                "problems": [finding.to_dict() for finding in self.findings]}
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def check_project(config: ProjectConfig, *, today: datetime.date | None = None,
                  fonts: FontBook | None = None) -> CheckReport:
    """Lint the project's library, recipes and prospects; return every finding in file order.

    Raises only for what stops the whole run (a missing library folder); everything else is a
    finding. ``today`` decides review and expiry dates; ``fonts`` finds font files (fontconfig).
    """
    today = today or datetime.date.today()
    checker = _Checker(config, today, fonts or FontBook())
    checker.run()
    return CheckReport(findings=tuple(_in_file_order(checker.findings)), modules=len(checker.library.modules),
                       slides=len(checker.library.slides), recipes=len(checker.recipes))


def provided_variables(config: ProjectConfig, recipes: Iterable[Recipe],
                       prospect_values: Iterable[str]) -> set[str]:
    """Return the top-level names a slide template may read.

    The rule: deckgen's own names (``prospect``, ``today``, ``recipe``), jinja's globals, every
    variable some recipe gives a default, every key of ``values:`` in the prospects folder, and
    every ``values.NAME`` a CRM column maps to in ``batch.columns``.
    """
    names = set(BUILTIN_NAMES) | set(make_environment().globals)
    for recipe in recipes:
        names |= set(recipe.variables)
    names |= set(prospect_values)
    names |= {target.split(".", 1)[1].split(".")[0] for target in config.batch.columns.values()
              if target.startswith("values.")}
    return names


class _Checker:
    def __init__(self, config: ProjectConfig, today: datetime.date, fonts: FontBook):
        self.config = config
        self._template: SourceDeck | None = None   # brand.template, opened on first use
        self.today = today
        self.fonts = fonts
        self.findings: list[Finding] = []
        self.library: Library = load_library(config.library, today=today)
        self.recipes: tuple[Recipe, ...] = ()
        self.values: set[str] = set()
        self.samples = _Samples([])
        self.substitutes: dict[str, tuple[FontMatch, str]] = {}   # missing family -> (stand-in, first slide)
        self.fonts_missing: str | None = None

    def add(self, severity: str, rule: str, where: str, message: str, hint: str | None = None) -> None:
        finding = Finding(severity, rule, where, message, hint)
        if finding not in self.findings:
            self.findings.append(finding)

    def add_problems(self, problems: Iterable[Problem], rule: str) -> None:
        for problem in problems:
            self.add(problem.severity, rule, problem.where, problem.message, problem.hint)

    def run(self) -> None:
        for problem in self.library.problems:
            self.add(problem.severity, _library_rule(problem), problem.where, problem.message, problem.hint)
        loaded = load_recipes(self.config.recipes)
        self.recipes = loaded.recipes
        self.add_problems(loaded.problems, "recipe")
        for recipe in self.recipes:
            self.add_problems(check_recipe(recipe, self.library), "recipe-ref")
        self.check_usage(recipe_usage(self.recipes, self.library))
        prospects = self.load_prospects()
        self.values = {key for prospect in prospects for key in prospect.values}
        self.samples = _Samples(_sample_contexts(self.recipes, prospects, self.today))
        provided = provided_variables(self.config, self.recipes, self.values)
        for module in self.library.modules:
            self.check_module(module, provided)
        if self._template is not None:
            self._template.close()
        self.font_notes()

    # -- recipes and prospects -----------------------------------------------------------------

    def check_usage(self, usage: Mapping[str, list[Usage]]) -> None:
        for slide in self.library:
            for use in usage.get(slide.key, ()):
                how = "names" if use.how == NAMED else "can select"
                section = f"section '{use.section}'"
                if slide.is_expired(self.today):
                    self.add(ERROR, "expired", use.where,
                             f"{section} {how} slide '{slide.key}', which expired on {slide.expires.isoformat()} "
                             f"({slide.where})",
                             _owner(slide, "update the slide and its 'expires' date, or take it out of the recipe"))
                elif slide.status == "draft" and use.how == NAMED:
                    self.add(ERROR, "draft", use.where, f"{section} names draft slide '{slide.key}' ({slide.where})",
                             "set 'status: approved' in its sidecar once reviewed; builds refuse drafts "
                             "without --allow-drafts")
                elif slide.status == "draft":
                    self.add(NOTE, "draft", use.where, f"{section} can select draft slide '{slide.key}' "
                                                        f"({slide.where}); builds skip it until it is approved")

    def load_prospects(self) -> list[Prospect]:
        """Return the prospects of the prospects folder (CSV exports included); unusable ones are
        reported as errors."""
        found: list[Prospect] = []
        for item in folder_prospects(self.config.prospects, self.config.batch.columns):
            if isinstance(item, Prospect):
                found.append(item)
                continue
            problems = getattr(item, "problems", [])
            self.add_problems([Problem.from_error(item)] if len(problems) <= 1 else
                              [Problem("error", "", text) for text in problems], "prospect")
        return found

    # -- slides --------------------------------------------------------------------------------

    def check_module(self, module: Path, provided: set[str]) -> None:
        label = display_path(module)
        try:
            deck = SourceDeck.open(module)
        except DeckgenError:
            return   # the library index reports unreadable module files
        keyed = {slide.slide_id: slide for slide in self.library if slide.path == module}
        with deck:
            try:
                prs = Presentation(str(module))
                pptx_slides = {slide.slide_id: slide for slide in prs.slides}
            except Exception as exc:   # python-pptx raises many kinds on damaged packages
                self.add(ERROR, "unreadable", label, f"python-pptx cannot open the module: {exc}",
                         "re-save it from PowerPoint as .pptx")
                pptx_slides = {}
            inherited: dict[tuple[str, str], _InheritedImage] = {}
            for info in deck.slides:
                slide = keyed.get(info.slide_id)
                where = f"{label} slide {info.number}" + (f" ({slide.key})" if slide else "")
                pptx_slide = pptx_slides.get(info.slide_id)
                if pptx_slide is not None:
                    self.check_templates(pptx_slide, where, provided)
                try:
                    inspection = inspect_slide(deck, info.slide_id)
                except DeckgenError as exc:
                    problem = Problem.from_error(exc)
                    self.add(ERROR, "unreadable", where, problem.message, problem.hint)
                    continue
                self.check_images(inspection.images, where, info.number, inherited)
                self.check_overflow(inspection, where)
                self.check_brand(inspection, where)
                if slide is None or not slide.keep_look:
                    self.check_template(deck, info.slide_id, where)
            self.report_inherited_images(label, inherited)

    def check_templates(self, slide: Any, where: str, provided: set[str]) -> None:
        for error in template_syntax_errors(slide):
            problem = Problem.from_error(error)
            self.add(ERROR, "template-syntax", where, problem.message,
                     problem.hint or "fix the {{ }} / {% %} tags in PowerPoint")
        names = find_variables(slide).get(0, set())
        for name in sorted(names - provided):
            self.add(ERROR, "template-variable", where,
                     f"uses variable '{name}', which no recipe variable or prospect value provides",
                     did_you_mean(name, provided - BUILTIN_NAMES) or
                     f"give it a default under 'variables:' in a recipe, or add it to the 'values:' of the "
                     f"prospects in {display_path(self.config.prospects)}/")
        for path in sorted(_prospect_paths(slide)):
            parts = path.split(".")
            if parts[1] not in PROSPECT_FIELDS:
                self.add(ERROR, "template-variable", where, f"uses '{path}', which is not a prospect field",
                         did_you_mean(parts[1], PROSPECT_FIELDS) or "prospect fields: " + ", ".join(PROSPECT_FIELDS))
            elif parts[1] == "values" and len(parts) > 2 and parts[2] not in self.values:
                self.add(ERROR, "template-variable", where,
                         f"uses '{path}', which no prospect in {display_path(self.config.prospects)}/ provides",
                         did_you_mean(parts[2], self.values) or
                         f"add '{parts[2]}' to the 'values:' of the prospects, or read a recipe variable instead")

    def check_images(self, images: Iterable[SlideImage], where: str, number: int,
                     inherited: dict[str, _InheritedImage]) -> None:
        """Report the slide's own broken pictures; collect those of its layout and master in ``inherited``."""
        for image in images:
            if image.source != "slide":
                key = image.part or f"{image.source_part}#{image.rid}"
                entry = inherited.setdefault(key, _InheritedImage(image, _image_problem_of(image)))
                entry.owners.setdefault(f"slide {image.source} /{image.source_part}", None)
                entry.slides.setdefault(number, None)
                continue
            reason = _image_problem_of(image)
            if reason is not None:
                name = f"picture '{image.shape_name}'" if image.shape_name else "a picture"
                part = f" (/{image.part})" if image.part else ""
                self.add(ERROR, "broken-image", where, f"{name}{part} {reason}",
                         "insert the picture again in PowerPoint from a working PNG or JPEG")

    def report_inherited_images(self, label: str, inherited: dict[str, _InheritedImage]) -> None:
        for entry in inherited.values():
            if entry.reason is None:
                continue
            image = entry.image
            name = f"picture /{image.part}" if image.part else f"picture '{image.shape_name}'"
            slides = list(entry.slides)
            self.add(ERROR, "broken-image", label,
                     f"{name} of the {' and the '.join(entry.owners)} {entry.reason} "
                     f"(shown on slide{_s(len(slides))} {', '.join(map(str, slides))})",
                     "insert it again in PowerPoint under View > Slide Master")

    def check_overflow(self, inspection: SlideInspection, where: str) -> None:
        if self.fonts_missing is not None:
            return
        for box in inspection.text_boxes:
            if box.kind != "shape" or box.autofit == "resize" or not box.text.strip():
                continue
            fit = self.fit(box, where)
            if fit is None:
                return
            measured = _measured_with(fit)
            if fit.overflow_height_pt > OVERFLOW_TOLERANCE_PT:
                self.add(WARNING, "overflow", where,
                         f"text overflows shape '{box.shape_name}': it needs {fit.needed_height_pt:.1f} pt of "
                         f"height, the box has {fit.available_height_pt:.1f} pt (measured with {measured})",
                         _overflow_hint(box))
            if not box.wrap and fit.overflow_width_pt > OVERFLOW_TOLERANCE_PT:
                self.add(WARNING, "overflow", where,
                         f"text overflows shape '{box.shape_name}': its longest line is "
                         f"{fit.widest_line_pt:.1f} pt wide, the box has {fit.available_width_pt:.1f} pt "
                         f"(measured with {measured})", _overflow_hint(box))
        if inspection.slide_height_emu:
            for table in inspection.tables:
                if not self.check_table(table, inspection.slide_height_emu, where):
                    return

    def check_table(self, table: TableLayout, slide_height_emu: int, where: str) -> bool:
        """Warn when the table, its rows grown to fit their text as PowerPoint grows them, runs
        past the bottom of the slide; return False when fonts cannot be measured."""
        rows = [height / EMU_PER_PT for height in table.row_heights_emu]
        fonts: set[str] = set()
        for row, box in table.cells:
            if not box.text.strip() or row >= len(rows):
                continue
            fit = self.fit(box, where)
            if fit is None:
                return False
            fonts.update(match.family for match in fit.fonts)
            insets = (box.insets_emu[1] + box.insets_emu[3]) / EMU_PER_PT
            rows[row] = max(rows[row], fit.needed_height_pt + insets)
        bottom = table.top_emu / EMU_PER_PT + sum(rows)
        past = bottom - slide_height_emu / EMU_PER_PT
        if past > OVERFLOW_TOLERANCE_PT:
            measured = ", ".join(sorted(fonts))
            self.add(WARNING, "overflow", where,
                     f"table '{table.shape_name}' runs {past:.1f} pt past the bottom of the slide once its rows "
                     f"grow to fit their text ({sum(rows):.1f} pt tall; measured with {measured})",
                     "shorten the cell text, make the font smaller, or move the table up")
        return True

    def fit(self, box: TextBox, where: str) -> Fit | None:
        """Measure ``box`` (template tags filled with sample values); None when fontconfig is
        missing, which is reported once."""
        box = self.samples.with_sample_values(box)
        try:
            fit = fit_text(box, self.fonts, skip=_is_tag_paragraph)
        except FontconfigMissing as exc:
            self.fonts_missing = str(exc)
            self.add(NOTE, "overflow", where, f"text overflow was not checked: {exc}",
                     "install fontconfig (apt-get install fontconfig) and the brand fonts")
            return None
        for match in fit.fonts:
            if not match.exact:
                self.substitutes.setdefault(match.requested.casefold(), (match, where))
        return fit

    def check_brand(self, inspection: SlideInspection, where: str) -> None:
        brand = self.config.brand
        source = display_path(self.config.file) if self.config.file else "deckgen.yaml"
        if brand.fonts:
            allowed = {font.casefold() for font in brand.fonts}
            off = sorted(font for font in inspection.fonts if font.casefold() not in allowed)
            if off:
                self.add(WARNING, "brand-font", where,
                         "uses font" + _s(len(off)) + " outside the brand fonts: " + ", ".join(f"'{f}'" for f in off),
                         f"use {', '.join(brand.fonts)} (brand.fonts in {source})")
        if brand.colors:
            off = sorted(color for color in inspection.colors if color not in set(brand.colors))
            if off:
                self.add(WARNING, "brand-color", where,
                         "uses colour" + _s(len(off)) + " outside the brand palette: "
                         + ", ".join(f"#{c}" for c in off),
                         f"pick a colour of brand.colors in {source}")

    def check_template(self, deck: SourceDeck, slide_id: int, where: str) -> None:
        """In template mode (brand.template set): slides that cannot go on the template, and
        what stays off-brand there."""
        template = self.config.brand.template
        if template is None:
            return
        if self._template is None:
            try:
                self._template = SourceDeck.open(template)
            except DeckgenError as exc:
                problem = Problem.from_error(exc)
                self.config = replace(self.config, brand=replace(self.config.brand, template=None))
                self.add(ERROR, "template", problem.where, problem.message, problem.hint)
                return
        try:
            findings = template_findings(self._template, deck, slide_id, self.config.brand)
        except DeckgenError as exc:
            problem = Problem.from_error(exc)
            self.add(ERROR, "template", problem.where or where, problem.message, problem.hint)
            return
        for finding in findings:
            self.add(WARNING, finding.rule, where, finding.message, finding.hint)

    def font_notes(self) -> None:
        for match, where in self.substitutes.values():
            self.add(NOTE, "font-missing", where,
                     f"font '{match.requested}' is not installed here, so text overflow was measured with "
                     f"'{match.family}', the font fontconfig substitutes for it",
                     f"install {match.requested} for exact measurements (`fc-list` lists installed fonts)")


class _Samples:
    """Stands in for template tags when measuring text: the longest value a tag takes for the
    example prospects (with recipe defaults), or the expression as written when none evaluates.
    ``{% %}`` and ``{# #}`` tags take no room."""

    def __init__(self, contexts: list[dict[str, Any]]):
        self.contexts = contexts
        self.env = make_environment()
        self._cache: dict[str, str] = {}

    def value(self, expression: str) -> str:
        if expression not in self._cache:
            rendered = []
            for context in self.contexts:
                try:
                    rendered.append(str(self.env.expression(expression)(**context)))
                except Exception:   # undefined names, loop variables, filter errors: try the next
                    continue
            self._cache[expression] = max(rendered, key=len) if rendered else expression
        return self._cache[expression]

    def with_sample_values(self, box: TextBox) -> TextBox:
        """Return ``box`` with its template tags replaced by sample values, run by run."""
        if "{" not in box.text:
            return box
        return replace(box, paragraphs=tuple(self._paragraph(p) for p in box.paragraphs))

    def _paragraph(self, paragraph: TextParagraph) -> TextParagraph:
        text = paragraph.text
        if "{" not in text or _is_tag_paragraph(paragraph):
            return paragraph
        owners = [index for index, run in enumerate(paragraph.runs) for _ in run.text]
        pieces: list[list[str]] = [[] for _ in paragraph.runs]
        position = 0
        for match in _TEMPLATE_TAG.finditer(text):
            for at in range(position, match.start()):
                pieces[owners[at]].append(text[at])
            if match.group(1) is not None:
                pieces[owners[match.start()]].append(self.value(match.group(1).strip()))
            position = match.end()
        for at in range(position, len(text)):
            pieces[owners[at]].append(text[at])
        runs = tuple(replace(run, text="".join(piece)) for run, piece in zip(paragraph.runs, pieces))
        return replace(paragraph, runs=runs)


def _sample_contexts(recipes: Iterable[Recipe], prospects: list[Prospect],
                     today: datetime.date) -> list[dict[str, Any]]:
    """Return a render context per example prospect (recipe defaults, then its values)."""
    variables: dict[str, Any] = {}
    for recipe in recipes:
        for name, value in recipe.variables.items():
            variables.setdefault(name, value)
    if not prospects:
        return [{**variables, "today": today, "recipe": "check"}]
    return [{**variables, **prospect.as_context()["values"], "prospect": prospect.as_context(),
             "today": today, "recipe": "check"} for prospect in prospects]


# -- helpers ------------------------------------------------------------------------------------

_LIBRARY_RULES = (("was due for review", "review-date"), ("expired on", "expired"),
                  ("has no entry in", "no-metadata"), ("has no sidecar", "no-metadata"),
                  ("duplicate key", "duplicate-key"), ("cannot read module file", "unreadable"))


def _library_rule(problem: Problem) -> str:
    """Name the rule of a library index problem for JSON consumers ("library" when unsure)."""
    for words, rule in _LIBRARY_RULES:
        if words in problem.message:
            return rule
    if "slide_id" in problem.message and " is not in " in problem.message:
        return "stale-slide-id"
    return "library"


def _owner(slide: LibrarySlide, action: str) -> str:
    return f"ask {slide.owner} to {action}" if slide.owner else action


def _measured_with(fit: Fit) -> str:
    return ", ".join(sorted({m.family for m in fit.fonts}))


def _overflow_hint(box: TextBox) -> str:
    return "shorten the text, make the box bigger or the font smaller" + (
        "" if box.autofit == "shrink" else ", or set the box to shrink text on overflow")


def _is_tag_paragraph(paragraph: TextParagraph) -> bool:
    """A paragraph that holds only a `{%p %}`/`{%tr %}` tag is removed when the deck is rendered."""
    return bool(_PARAGRAPH_TAG.match(paragraph.text))


@dataclass
class _InheritedImage:
    """A picture of a layout or master, its problem, and where it shows (in first-seen order)."""

    image: SlideImage
    reason: str | None
    owners: dict[str, None] = field(default_factory=dict)
    slides: dict[int, None] = field(default_factory=dict)


def _image_problem_of(image: SlideImage) -> str | None:
    """Return "cannot be read: ..." / "cannot be opened: ..." for a broken picture, else None."""
    if image.problem is not None:
        return f"cannot be read: {image.problem}"
    if image.content_type in _SKIPPED_IMAGE_TYPES or image.data is None:
        return None
    reason = _image_problem(image.data)
    return None if reason is None else f"cannot be opened: {reason}"


def _image_problem(data: bytes) -> str | None:
    """Return why pillow cannot open (or fully decode) the picture bytes, or None."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
        except UnidentifiedImageError:
            return "pillow does not recognise it as a picture"
        except Exception as exc:   # pillow raises OSError, SyntaxError, ValueError... on bad data
            return str(exc) or type(exc).__name__
    return None


def _prospect_paths(slide: Any) -> set[str]:
    """Return the ``prospect.FIELD`` (and ``prospect.values.NAME``) paths a slide's templates read."""
    env = make_environment()
    found: set[str] = set()
    for source in template_sources(slide):
        try:
            ast = env.parse(source)
        except TemplateSyntaxError:
            continue
        for node in ast.find_all(nodes.Getattr):
            path = dotted_path(node)
            if path and path.startswith("prospect."):
                found.add(".".join(path.split(".")[:3] if path.startswith("prospect.values.") else path.split(".")[:2]))
    return found


def _in_file_order(findings: list[Finding]) -> list[Finding]:
    def key(item: tuple[int, Finding]) -> tuple[str, int, int]:
        index, finding = item
        location = finding.location()
        return (location["file"] or "", location["line"] or location["slide"] or 0, index)
    return [finding for _, finding in sorted(enumerate(findings), key=key)]


__all__ = ["BUILTIN_NAMES", "CheckReport", "ERROR", "Finding", "NOTE", "WARNING", "check_project",
           "provided_variables"]

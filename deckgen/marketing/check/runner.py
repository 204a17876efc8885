"""The check run: library, recipes and prospects loaded once, then each rule family applied to every module."""
from __future__ import annotations

import datetime
from pathlib import Path
from typing import Iterable, Mapping

from pptx import Presentation

from deckgen.config import ProjectConfig
from deckgen.errors import DeckgenError
from deckgen.fsutil import display_path
from deckgen.library import Library, load_library
from deckgen.ooxml.package import DeckSet, SourceDeck
from deckgen.ooxml.inspect import inspect_slide
from deckgen.problems import ERROR, Location, Problem, as_location
from deckgen.prospect import Prospect
from deckgen.prospect_files import folder_prospects
from deckgen.recipes import Recipe, check_recipe
from deckgen.recipes.rules import RULES, size_verdict, slide_verdict
from deckgen.render import make_environment
from deckgen.marketing.textfit import FontBook, FontMatch
from deckgen.marketing.usage import NAMED, Usage, load_recipes, recipe_usage
from deckgen.marketing.check.brand import BrandRules
from deckgen.marketing.check.frames import FrameRules
from deckgen.marketing.check.images import ImageRules, InheritedImage
from deckgen.marketing.check.message_map import MessageMapRules
from deckgen.marketing.check.report import CheckReport, in_file_order
from deckgen.marketing.check.templates import BUILTIN_NAMES, TemplateRules
from deckgen.marketing.check.text import Samples, TextFitRules, sample_contexts


def check_project(config: ProjectConfig, *, today: datetime.date | None = None,
                  fonts: FontBook | None = None) -> CheckReport:
    """Lint the project's library, recipes and prospects; return every finding in file order.

    Raises only for what stops the whole run (a missing library folder); everything else is a
    finding. ``today`` decides review and expiry dates; ``fonts`` finds font files (fontconfig).
    """
    today = today or datetime.date.today()
    checker = _Checker(config, today, fonts or FontBook())
    checker.run()
    return CheckReport(findings=tuple(in_file_order(checker.findings)), modules=len(checker.library.modules),
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


class _Checker(TemplateRules, ImageRules, TextFitRules, BrandRules, FrameRules, MessageMapRules):
    """One check run: loads the library, recipes and prospects, then applies every rule family."""

    def __init__(self, config: ProjectConfig, today: datetime.date, fonts: FontBook):
        self.config = config
        self.today = today
        self.fonts = fonts
        self.findings: list[Problem] = []
        # each module (and the brand template) opened once: by the library index, then shared by
        # the rule families (a module's file is released when its rules are done)
        self.decks = DeckSet()
        self.library: Library = load_library(config.library, today=today, message_map=config.message_map,
                                             decks=self.decks)
        self.recipes: tuple[Recipe, ...] = ()
        self.values: set[str] = set()
        self.samples = Samples([])
        self.substitutes: dict[str, tuple[FontMatch, str]] = {}   # missing family -> (stand-in, first slide)
        self.fonts_missing: str | None = None

    def add(self, severity: str, rule: str, where: Location | str, message: str, hint: str | None = None) -> None:
        finding = Problem(severity, as_location(where), message, hint, code=rule)
        if finding not in self.findings:
            self.findings.append(finding)

    def add_problems(self, problems: Iterable[Problem], rule: str) -> None:
        for problem in problems:
            self.add(problem.severity, rule, problem.location, problem.message, problem.hint)

    def run(self) -> None:
        try:
            self.run_rules()
        finally:
            self.decks.close_opened()
        self.font_notes()

    def run_rules(self) -> None:
        for problem in self.library.problems:
            self.add(problem.severity, problem.code or "library", problem.location, problem.message, problem.hint)
        loaded = load_recipes(self.config.recipes)
        self.recipes = loaded.recipes
        self.add_problems(loaded.problems, "recipe")
        for recipe in self.recipes:
            self.add_problems(check_recipe(recipe, self.library, self.config.message_map), "recipe-ref")
        self.check_usage(recipe_usage(self.recipes, self.library))
        prospects = self.load_prospects()
        self.check_ordering(prospects)
        self.map_note()
        self.values = {key for prospect in prospects for key in prospect.values}
        self.samples = Samples(sample_contexts(self.recipes, prospects, self.today))
        provided = provided_variables(self.config, self.recipes, self.values)
        for module in self.library.modules:
            self.check_module(module, provided)

    def open_deck(self, path: Path) -> SourceDeck | None:
        """The module (or template) at ``path``, opened on first use; None when it cannot be opened
        (the library index reports unreadable modules)."""
        try:
            return self.decks.get(path)
        except DeckgenError:
            return None

    def check_usage(self, usage: Mapping[str, list[Usage]]) -> None:
        """Report what the build rules (deckgen.recipes.rules) refuse or leave out, for every use."""
        for slide in self.library:
            for use in usage.get(slide.key, ()):
                verdict = slide_verdict(slide, self.today, named=use.how == NAMED)
                if verdict is None:
                    continue
                section = f"section '{use.section}'"
                if verdict.refused:
                    self.add(ERROR, verdict.rule, use.where,
                             f"{section} names slide '{slide.key}', which {verdict.message} ({slide.where}); "
                             f"builds fail", verdict.hint)
                else:
                    self.add(RULES[verdict.rule].left_out_severity, verdict.rule, use.where,
                             f"{section} can select slide '{slide.key}', which {verdict.message} ({slide.where}); "
                             f"builds leave it out", verdict.hint)
        self.check_slide_sizes(usage)

    def check_slide_sizes(self, usage: Mapping[str, list[Usage]]) -> None:
        """Report each recipe that can put slides of different sizes into one deck (builds scale
        them; --strict refuses). With a brand template every slide takes the template's size, so
        there is nothing to report."""
        if self.config.brand.template is not None:
            return
        modules: dict[str, list[Path]] = {}
        for slide in self.library:
            for use in usage.get(slide.key, ()):
                modules.setdefault(use.recipe, []).append(slide.path)

        def size_of(path: Path) -> tuple[int, int] | None:
            deck = self.open_deck(path)
            return deck.slide_size if deck is not None else None

        for recipe in self.recipes:
            verdict = size_verdict(modules.get(recipe.name, ()), size_of)
            if verdict is not None:
                self.add(RULES[verdict.rule].left_out_severity, verdict.rule, display_path(recipe.files[0]),
                         f"recipe '{recipe.name}' {verdict.message}; builds scale the slides of the other size",
                         verdict.hint)

    def load_prospects(self) -> list[Prospect]:
        """Return the prospects of the prospects folder (CSV exports included); unusable ones are
        reported as errors."""
        found: list[Prospect] = []
        for item in folder_prospects(self.config.prospects, self.config.batch.columns,
                                     self.config.logos):
            item = self.canonical(item)
            if isinstance(item, Prospect):
                found.append(item)
                continue
            self.add_problems(item.all_problems(), "prospect")
        return found

    def check_module(self, module: Path, provided: set[str]) -> None:
        label = display_path(module)
        deck = self.open_deck(module)
        if deck is None:
            return   # the library index reports unreadable module files
        keyed = {slide.slide_id: slide for slide in self.library if slide.path == module}
        with deck:    # its file is released when the module is done (DeckSet keeps the deck)
            for problem in deck.xml_part_problems():     # refused when a build copies the part
                self.add(ERROR, "unreadable", label, problem, "re-save it from PowerPoint as .pptx")
            try:
                # python-pptx reads the same open file (the template and frame rules use its shapes)
                prs = Presentation(deck.package_file())
                pptx_slides = {slide.slide_id: slide for slide in prs.slides}
            except Exception as exc:   # python-pptx raises many kinds on damaged packages
                self.add(ERROR, "unreadable", label, f"python-pptx cannot open the module: {exc}",
                         "re-save it from PowerPoint as .pptx")
                pptx_slides = {}
            inherited: dict[tuple[str, str], InheritedImage] = {}
            for info in deck.slides:
                slide = keyed.get(info.slide_id)
                where = Location(label, slide=info.number, key=slide.key if slide else None)
                pptx_slide = pptx_slides.get(info.slide_id)
                if pptx_slide is not None:
                    self.check_templates(pptx_slide, where, provided)
                    self.check_frames(pptx_slide, where)
                try:
                    inspection = inspect_slide(deck, info.slide_id)
                except DeckgenError as exc:
                    self.add(ERROR, "unreadable", where, exc.message, exc.hint)
                    continue
                self.check_images(inspection.images, where, info.number, inherited)
                self.check_overflow(inspection, where)
                self.check_brand(inspection, where)
                if slide is None or not slide.keep_look:
                    self.check_template(deck, info.slide_id, where)
            self.report_inherited_images(label, inherited)

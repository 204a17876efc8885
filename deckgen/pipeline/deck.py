"""Building one deck: recipe + prospect -> plan -> assembled slides -> personalised .pptx (and PDF)."""
from __future__ import annotations

import io
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Callable, Sequence

from pptx import Presentation

from deckgen import __version__
from deckgen.errors import ConfigError, OutputError, RenderError, SlideSelectionError
from deckgen.fsutil import OutputDigest, atomic_output
from deckgen.safepaths import check_output
from deckgen.ooxml import DocumentProperties, SlidePick, SourceDeck, assemble
from deckgen.ooxml.save import DeckWriter
from deckgen.pipeline.fitting import FitReport, Overflow, fit_presentation
from deckgen.pipeline.naming import DeckNamer
from deckgen.pipeline.properties import OutputPolicy, build_time, document_properties
from deckgen.pipeline.workspace import Workspace, prospect_hash
from deckgen.prospect import Prospect, load_prospect
from deckgen.recipes import DeckPlan, PlanItem
from deckgen.recipes.rules import size_verdict
from deckgen.render import SlideLabel, render_presentation
from deckgen.render.titles import slide_context
from deckgen.yamlio import display_path

log = logging.getLogger(__name__)


@dataclass
class BuildResult:
    """What one build produced, and the record of exactly what it was built from."""

    output: Path
    plan: DeckPlan
    record: dict[str, Any]
    pdf: Path | None = None
    warnings: list[str] = field(default_factory=list)
    overflows: list[Overflow] = field(default_factory=list)   # also in ``warnings``, as lines
    fit: FitReport = field(default_factory=FitReport)
    dropped: list[str] = field(default_factory=list)          # keys of hidden slides left out

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data (`deckgen build --format json`)."""
        return {"output": str(self.output), "pdf": str(self.pdf) if self.pdf else None,
                "recipe": self.plan.recipe, "prospect": self.plan.prospect,
                "slides": self.plan.keys(), "hidden_dropped": list(self.dropped),
                "shrunk": [{"slide": slide, "shape": shape, "font_scale": scale, "line_reduction": reduction}
                           for slide, shape, scale, reduction in self.fit.shrunk],
                "overflows": [overflow.to_dict() for overflow in self.overflows],
                "warnings": list(self.warnings), "policy": self.record.get("policy")}


@dataclass
class Rendered:
    """What ``render_plan`` did besides writing: the slides dropped and the text fitting."""

    dropped: list[str]
    fit: FitReport
    warnings: list[str] = field(default_factory=list)    # the assembly's (slides scaled, parts repaired)


def build_deck(workspace: Workspace, recipe: str | os.PathLike, prospect: Prospect,
               output: str | os.PathLike, *, pdf: bool = False, allow_drafts: bool = False,
               notes: str | None = None, hidden: str | None = None, look: str | None = None,
               strict: bool = False) -> BuildResult:
    """Build the deck of ``recipe`` for ``prospect`` into ``output`` (atomically) and return what was done.

    ``notes`` ("keep"/"strip") and ``hidden`` ("keep"/"drop") override the project's output
    policies. ``look`` is "source" (each slide keeps its own master) or "template" (slides go on
    brand.template's layouts); None takes "template" when deckgen.yaml sets brand.template.
    With ``strict``, nothing is written when text overflows its box after templating or a slide
    has another size than the output's (instead of a warning, or scaling it).
    """
    template = workspace.template_for(look)
    output = Path(output)
    if output.suffix.lower() != ".pptx":
        raise OutputError("the output must be a .pptx file", where=str(output),
                          hint=f"name it {output.with_suffix('.pptx').name}")
    prospect = workspace.canonical(prospect)
    inputs = [path for path in (prospect.logo, workspace.config.file) if path is not None]
    check_output(output, inputs=inputs, protected=workspace.config.input_folders)
    if pdf:
        check_output(output.with_suffix(".pdf"), inputs=inputs, protected=workspace.config.input_folders)
    policy = OutputPolicy.of(workspace.config, notes=notes, hidden=hidden)
    plan = workspace.plan(recipe, prospect, allow_drafts=allow_drafts)
    properties = deck_properties(workspace, plan, prospect)
    digest = OutputDigest()
    with atomic_output(output, digest=digest) as handle:
        rendered = render_plan(workspace, plan, prospect, handle, policy=policy, properties=properties,
                               template=template, strict=strict, digest=digest)
        if strict and rendered.fit.overflows:
            first = rendered.fit.overflows[0]
            more = len(rendered.fit.overflows) - 1
            raise RenderError(f"{first}" + (f" (and {more} more box{'es' if more > 1 else ''})" if more else ""),
                              where=str(output), hint="shorten the text, or set the box to shrink text on "
                                                      "overflow in the library", code="strict-overflow")
    output_hash = digest.hexdigest
    assert output_hash is not None
    pdf_path = None
    if pdf:
        pdf_path = _deck_pdf(output, output_hash)
    record = build_record(workspace, plan, prospect, output_hash, policy=policy, properties=properties, look=look)
    record["overflows"] = [str(overflow) for overflow in rendered.fit.overflows]
    workspace.index_cache.save()
    warnings = list(plan.warnings) + list(rendered.warnings) + [str(overflow) for overflow in rendered.fit.overflows]
    if rendered.fit.not_measured:
        warnings.append(rendered.fit.not_measured)
    return BuildResult(output=output, plan=plan, record=record, pdf=pdf_path, warnings=warnings,
                       overflows=list(rendered.fit.overflows), fit=rendered.fit, dropped=rendered.dropped)


def _deck_pdf(output: Path, output_hash: str) -> Path:
    """Write the deck's PDF beside it, from the render cache when the same deck was rendered before
    (the content hash is the key; under SOURCE_DATE_EPOCH identical inputs give identical decks)."""
    from deckgen.fsutil import default_cache_dir      # LibreOffice is only needed when a PDF is asked for
    from deckgen.preview import deck_pdf, open_cache
    from deckgen.preview.cache import copy_out

    cached = deck_pdf(output, open_cache(default_cache_dir()), include_hidden=False, content_hash=output_hash)
    return copy_out(cached, output.with_suffix(".pdf"))


def deck_properties(workspace: Workspace, plan: DeckPlan, prospect: Prospect) -> DocumentProperties:
    """The document properties of ``plan``'s deck for ``prospect``, stamped with the build time."""
    title = workspace.recipe(plan.recipe).title
    return document_properties(workspace.config, title, plan.recipe, prospect.as_context(), build_time())


def render_plan(workspace: Workspace, plan: DeckPlan, prospect: Prospect, handle: BinaryIO, *,
                policy: OutputPolicy | None = None, properties: DocumentProperties | None = None,
                template: SourceDeck | None = None, strict: bool = False,
                digest: OutputDigest | None = None) -> Rendered:
    """Write the finished .pptx of ``plan`` to ``handle``: slides assembled (onto ``template`` when
    given), personalised, text fitted.

    python-pptx opens a working copy whose pictures and other media are empty (personalisation
    edits XML only), and the writer copies those parts from the library files as stored: a deck's
    media is never decompressed or held in memory. ``digest`` (the one of ``handle``'s
    atomic_output) hashes the media while the text is fitted.
    """
    policy = policy or OutputPolicy.of(workspace.config)
    items, dropped = _kept_items(workspace, plan.items, policy)
    if strict and template is None:     # without --strict slides of another size are scaled to fit
        verdict = size_verdict([item.path for item in items], lambda path: workspace.source(path).slide_size)
        if verdict is not None:         # the rule `deckgen check` reports as slide-size
            raise SlideSelectionError(f"recipe '{plan.recipe}' {verdict.message}",
                                      where=display_path(workspace.recipe(plan.recipe).files[0]), hint=verdict.hint)
    picks = [SlidePick(workspace.source(item.path), item.slide_id, keep_look=item.keep_look) for item in items]
    assembled = assemble(picks, notes=policy.keep_notes, properties=properties, template=template, strict=strict)
    presentation = Presentation(io.BytesIO(assembled.to_bytes(binaries=False)))
    labels = [SlideLabel(key=item.key, module=item.path.name, number=item.number) for item in items]
    filled = render_presentation(presentation, labels,
                                 slide_context(plan.variables, prospect, workspace.today, plan.recipe),
                                 image_refusal=_image_refusal(workspace, prospect))
    # the parts are final now (fitting edits XML only): the media are written while text is fitted
    with DeckWriter(presentation, handle, assembled.stored_binaries, digest) as writer:
        fit = fit_presentation(presentation, filled, labels)
        writer.finish()
    return Rendered(dropped=dropped, fit=fit, warnings=list(assembled.warnings))


def _image_refusal(workspace: Workspace, prospect: Prospect) -> Callable[[Path], str | None]:
    """Why an image file a slide's ``image:`` names may not be read: the prospect's logo (already
    checked where it was loaded) may be; any other file must lie where ``logos:`` allows, the
    prospects folder or a folder it lists."""
    logos = workspace.config.logos

    def refusal(path: Path) -> str | None:
        if prospect.logo is not None and path == prospect.logo.resolve():
            return None
        return logos.refusal(path, workspace.config.prospects)
    return refusal


def _kept_items(workspace: Workspace, items: Sequence[PlanItem],
                policy: OutputPolicy) -> tuple[list[PlanItem], list[str]]:
    """The plan's slides that go into the deck, and the keys of the hidden ones left out."""
    if policy.keep_hidden:
        return list(items), []
    kept, dropped = [], []
    for item in items:
        slide = workspace.library.get(item.key)
        (dropped if slide is not None and slide.hidden else kept).append(item)
    if not kept:
        raise RenderError("every slide the recipe chose is hidden, so the deck would be empty",
                          hint="unhide them in PowerPoint, or keep hidden slides in the deck", code="all-hidden")
    return kept, [item.key for item in dropped]


def build_record(workspace: Workspace, plan: DeckPlan, prospect: Prospect, output_hash: str, *,
                 policy: OutputPolicy | None = None, properties: DocumentProperties | None = None,
                 look: str | None = None) -> dict[str, Any]:
    """Return the manifest record of one build: content hashes of every input (the brand template's
    too, in template mode), the output policy and document properties, and ``output_hash`` (the
    sha256 of the deck written)."""
    recipe = workspace.recipe(plan.recipe)
    policy = policy or OutputPolicy.of(workspace.config)
    properties = properties or deck_properties(workspace, plan, prospect)
    template = workspace.template_for(look)
    return {
        "policy": {"notes": policy.notes, "hidden": policy.hidden},
        "properties": {"title": properties.title, "subject": properties.subject,
                       "keywords": properties.keywords, "author": properties.author,
                       "company": properties.company},
        "deckgen": __version__,
        "recipe": plan.recipe,
        "recipe_files": {_relative(workspace._resolved(path), workspace.config.root): workspace.file_hash(path)
                         for path in recipe.files},
        "prospect": prospect_hash(prospect),
        "slides": [
            {"key": item.key, "module": item.module, "slide_id": item.slide_id,
             "closure": workspace.closure_hash(item.path, item.slide_id),
             **({"look": "source"} if template is not None and item.keep_look else {})}
            for item in plan.items
        ],
        "template": workspace.file_hash(template.path) if template is not None else None,
        "output": output_hash,
    }


def _relative(resolved: Path, root: Path) -> str:
    try:
        return resolved.relative_to(root).as_posix()
    except ValueError:
        return resolved.as_posix()


def build(recipe: str | os.PathLike, output: str | os.PathLike | None = None, *,
          prospect: str | os.PathLike | None = None, sets: Sequence[str] = (),
          library: str | os.PathLike | None = None, recipes: str | os.PathLike | None = None,
          pdf: bool = False, allow_drafts: bool = False, notes: str | None = None,
          hidden: str | None = None, look: str | None = None, strict: bool = False) -> BuildResult:
    """Build one deck from files: the Python API behind ``deckgen build``.

    Without ``output`` the deck goes to the project's output folder (``output:`` in deckgen.yaml),
    named by its ``batch.filename`` pattern, as batch would name it.
    """
    from deckgen.scoreboard.log import DeckLog   # the database layer loads only when a deck is built

    workspace = Workspace.discover(library=library, recipes=recipes)
    if prospect is None and not sets:
        raise ConfigError("no prospect given", code="no-prospect")
    loaded = load_prospect(prospect, sets, workspace.config.logos)
    if output is None:
        namer = DeckNamer(workspace.config.batch.filename, workspace.recipe(recipe).name)
        output = workspace.config.output / namer.render(loaded)
    if prospect is not None:
        check_output(output, inputs=[prospect], protected=workspace.config.input_folders)
    result = build_deck(workspace, recipe, loaded, output, pdf=pdf, allow_drafts=allow_drafts,
                        notes=notes, hidden=hidden, look=look, strict=strict)
    with DeckLog(workspace.config, "build") as deck_log:
        deck_log.record(result.plan.recipe, loaded, result.output, result.record)
    result.warnings.extend(deck_log.warnings)
    return result

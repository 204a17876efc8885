"""Building one deck: recipe + prospect -> plan -> assembled slides -> personalised .pptx (and PDF)."""
from __future__ import annotations

import io
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Sequence

from pptx import Presentation

from deckgen import __version__
from deckgen.errors import ConfigError, OutputError
from deckgen.fsutil import atomic_output, sha256_file
from deckgen.safepaths import check_output
from deckgen.ooxml import SlidePick, SourceDeck, assemble
from deckgen.ooxml.save import write_presentation
from deckgen.pipeline.naming import DeckNamer
from deckgen.pipeline.workspace import Workspace, prospect_hash
from deckgen.prospect import Prospect, load_prospect
from deckgen.recipes import DeckPlan
from deckgen.render import SlideLabel, render_presentation
from deckgen.render.titles import slide_context

log = logging.getLogger(__name__)


@dataclass
class BuildResult:
    """What one build produced, and the record of exactly what it was built from."""

    output: Path
    plan: DeckPlan
    record: dict[str, Any]
    pdf: Path | None = None
    warnings: list[str] = field(default_factory=list)


def build_deck(workspace: Workspace, recipe: str | os.PathLike, prospect: Prospect,
               output: str | os.PathLike, *, pdf: bool = False, allow_drafts: bool = False,
               look: str | None = None, strict: bool = False) -> BuildResult:
    """Build the deck of ``recipe`` for ``prospect`` into ``output`` (atomically) and return what was done.

    ``look`` is "source" (each slide keeps its own master) or "template" (slides go on
    brand.template's layouts); None takes "template" when deckgen.yaml sets brand.template.
    With ``strict``, slides of another size than the output's are refused instead of scaled.
    """
    template = workspace.template_for(look)
    output = Path(output)
    if output.suffix.lower() != ".pptx":
        raise OutputError("the output must be a .pptx file", where=str(output),
                          hint=f"name it {output.with_suffix('.pptx').name}")
    inputs = [path for path in (prospect.logo, workspace.config.file) if path is not None]
    check_output(output, inputs=inputs, protected=workspace.config.input_folders)
    if pdf:
        check_output(output.with_suffix(".pdf"), inputs=inputs, protected=workspace.config.input_folders)
    plan = workspace.plan(recipe, prospect, allow_drafts=allow_drafts)
    with atomic_output(output) as handle:
        warnings = render_plan(workspace, plan, prospect, handle, template=template, strict=strict)
    output_hash = sha256_file(output)
    pdf_path = None
    if pdf:
        pdf_path = _deck_pdf(output, output_hash)
    record = build_record(workspace, plan, prospect, output_hash, look)
    workspace.index_cache.save()
    return BuildResult(output=output, plan=plan, record=record, pdf=pdf_path,
                       warnings=list(plan.warnings) + warnings)


def _deck_pdf(output: Path, output_hash: str) -> Path:
    """Write the deck's PDF beside it, from the render cache when the same deck was rendered before
    (builds are byte-identical for identical inputs, so the content hash is the key)."""
    from deckgen.fsutil import default_cache_dir      # LibreOffice is only needed when a PDF is asked for
    from deckgen.preview import deck_pdf, open_cache
    from deckgen.preview.cache import copy_out

    cached = deck_pdf(output, open_cache(default_cache_dir()), include_hidden=False, content_hash=output_hash)
    return copy_out(cached, output.with_suffix(".pdf"))


def render_plan(workspace: Workspace, plan: DeckPlan, prospect: Prospect, handle: BinaryIO, *,
                template: SourceDeck | None = None, strict: bool = False) -> list[str]:
    """Write the finished .pptx of ``plan`` to ``handle``: slides assembled (onto ``template``
    when given), then personalised; return the assembly's warnings.

    python-pptx opens a working copy whose pictures and other media are empty (personalisation
    edits XML only), and the writer copies those parts from the library files as stored: a deck's
    media is never decompressed or held in memory.
    """
    picks = [SlidePick(workspace.source(item.path), item.slide_id, keep_look=item.keep_look)
             for item in plan.items]
    assembled = assemble(picks, template=template, strict=strict)
    presentation = Presentation(io.BytesIO(assembled.to_bytes(binaries=False)))
    labels = [SlideLabel(key=item.key, module=item.path.name, number=item.number) for item in plan.items]
    render_presentation(presentation, labels, slide_context(plan.variables, prospect, workspace.today, plan.recipe))
    write_presentation(presentation, handle, assembled.stored_binaries)
    return assembled.warnings


def build_record(workspace: Workspace, plan: DeckPlan, prospect: Prospect, output_hash: str,
                 look: str | None = None) -> dict[str, Any]:
    """Return the manifest record of one build: content hashes of every input (the brand template's
    too, in template mode), and ``output_hash`` (the sha256 of the deck written)."""
    recipe = workspace.recipe(plan.recipe)
    template = workspace.template_for(look)
    return {
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
          pdf: bool = False, allow_drafts: bool = False, look: str | None = None,
          strict: bool = False) -> BuildResult:
    """Build one deck from files: the Python API behind ``deckgen build``.

    Without ``output`` the deck goes to the project's output folder (``output:`` in deckgen.yaml),
    named by its ``batch.filename`` pattern, as batch would name it.
    """
    workspace = Workspace.discover(library=library, recipes=recipes)
    if prospect is None and not sets:
        raise ConfigError("no prospect given", code="no-prospect")
    loaded = load_prospect(prospect, sets)
    if output is None:
        namer = DeckNamer(workspace.config.batch.filename, workspace.recipe(recipe).name)
        output = workspace.config.output / namer.render(loaded)
    if prospect is not None:
        check_output(output, inputs=[prospect], protected=workspace.config.input_folders)
    return build_deck(workspace, recipe, loaded, output, pdf=pdf, allow_drafts=allow_drafts,
                      look=look, strict=strict)

"""Fidelity harness: do slides look the same after deckgen copies them into another deck?

`python bench/fidelity.py DIR [--jobs N] [--limit N] [--out OUT] [--look source|template]`

DIR is the shared corpus (../shared/corpus/pptx) or tests/fixtures/traits, the decks with
real-world traits (dangling relationships, Strict packages, PowerPoint 2007 charts...) made by
scripts/make_trait_decks.py.

For every .pptx in DIR (sorted by name): merge all its slides after a two-slide deck made from
python-pptx's default template (at the source's slide size, so no scaling is involved), check
the merged package with ``validate_package`` and by re-opening it in python-pptx, render source
and result with LibreOffice (PDF, then PNG pages at low resolution) and compare each source
slide with its page in the result. A slide counts as visually equal when at most 1% of its
pixels differ by more than a small per-channel tolerance (anti-aliasing).

With ``--look template`` the merge is done in template mode with the source deck itself as the
destination template: the two base slides are re-parented onto the source's layouts and the
source's own slides, already on that template, must come out looking the same; the merged
package must hold exactly the source's slide masters (a problem is recorded otherwise).

Hidden slides are rendered in both (LibreOffice leaves them out of PDFs by default), so every
slide is compared and page N of the source is always slide N.

Prints one row per deck and a summary line; writes OUT/fidelity.csv, OUT/fidelity.json (with
every structural problem and each slide's differing-pixel share), the merged decks under
OUT/merged/ and, for each slide that differs, OUT/diffs/DECK--slide-N.png: source | result |
differing pixels in red. Renders are cached by content hash (--cache-dir), so a re-run only
renders what changed.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import tempfile
import threading
import traceback
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from PIL import Image, ImageChops
from pptx import Presentation

from deckgen.errors import DeckgenError, RenderError
from deckgen.fsutil import write_bytes_atomic
from deckgen.ooxml.validate import validate_package
from deckgen.preview import deck_pages, default_cache_dir, open_cache
from deckgen.preview.cache import RenderCache

DEFAULT_WIDTH = 256         # pixels per rendered page: "low resolution"
DEFAULT_TOLERANCE = 48      # per-channel difference (0..255) still counted as the same pixel
DEFAULT_MAX_SHARE = 0.01    # share of differing pixels up to which a slide is visually equal
BASE_SLIDES = 2


@dataclass
class DeckRow:
    """The outcome for one source deck."""

    name: str
    slides: int = 0
    equal: int = 0
    problems: list[str] = field(default_factory=list)
    error: str = ""
    kind: str = "ok"  # ok | unreadable | source-render | crash | merged-render: see check_deck
    differing: list[float] = field(default_factory=list)  # per slide, share of pixels that differ

    def cells(self) -> list[str]:
        return [self.name, str(self.slides), str(self.equal), str(len(self.problems)),
                self.error]


@dataclass
class Settings:
    out: Path
    cache: RenderCache
    width: int = DEFAULT_WIDTH
    tolerance: int = DEFAULT_TOLERANCE
    max_share: float = DEFAULT_MAX_SHARE
    timeout: float = 300.0
    engine: str = "deckgen"  # or "baseline": bench/baseline.py, to compare against
    look: str = "source"     # or "template": the source deck is the destination template


_base_lock = threading.Lock()


def base_deck(size: tuple[int, int] | None, folder: Path) -> Path:
    """The two-slide deck (python-pptx default template) at ``size`` (EMU), made once per size."""
    width, height = size or (9144000, 6858000)
    path = folder / f"base-{width}x{height}.pptx"
    with _base_lock:
        if not path.exists():
            prs = Presentation()
            prs.slide_width, prs.slide_height = width, height
            title = prs.slides.add_slide(prs.slide_layouts[0])
            title.shapes.title.text = "Fidelity harness"
            title.placeholders[1].text = "python-pptx default template"
            bullets = prs.slides.add_slide(prs.slide_layouts[1])
            bullets.shapes.title.text = "Base slide two"
            bullets.placeholders[1].text = "The merged deck's own slides come first"
            buffer = io.BytesIO()
            prs.save(buffer)
            write_bytes_atomic(path, buffer.getvalue())
    return path


def merge_after_base(base: Path, source: Path, engine: str = "deckgen",
                     look: str = "source") -> tuple[bytes, int]:
    """(merged package bytes, number of source slides): every slide of ``base``, then of
    ``source``, copied with deckgen's slide-copy engine (or, for comparison, with the
    python-pptx baseline of bench/baseline.py: ``engine="baseline"``); with ``look="template"``
    onto ``source`` as the destination template."""
    from deckgen.ooxml import SourceDeck

    with SourceDeck.open(base) as base_source, SourceDeck.open(source) as source_deck:
        slide_ids = (list(base_source.slide_ids), list(source_deck.slide_ids))
        if engine == "baseline":
            return _baseline_merge(base, source, len(slide_ids[1])), len(slide_ids[1])
        from deckgen.ooxml import SlidePick, assemble

        picks = [SlidePick(base_source, slide_id) for slide_id in slide_ids[0]]
        picks += [SlidePick(source_deck, slide_id) for slide_id in slide_ids[1]]
        template = source_deck if look == "template" else None
        return assemble(picks, template=template).to_bytes(), len(slide_ids[1])


def _baseline_merge(base: Path, source: Path, count: int) -> bytes:
    import baseline  # bench/baseline.py, beside this file

    specs = [f"{base}#{n}" for n in range(1, BASE_SLIDES + 1)]
    specs += [f"{source}#{n}" for n in range(1, count + 1)]
    with tempfile.TemporaryDirectory(prefix="fidelity-baseline-") as work:
        output = Path(work) / "merged.pptx"
        baseline.merge(specs, output, baseline.available_method("auto"))
        return output.read_bytes()


def source_facts(source: Path) -> tuple[int, tuple[int, int] | None]:
    """(number of slides, slide size in EMU) of a source deck; PackageError when unreadable."""
    from deckgen.ooxml import SourceDeck

    with SourceDeck.open(source) as deck:
        return len(deck.slide_ids), deck.slide_size


def differing_share(a: Image.Image, b: Image.Image, tolerance: int) -> tuple[float, Image.Image]:
    """(share of pixels whose largest channel difference exceeds ``tolerance``, the mask)."""
    if a.size != b.size:
        return 1.0, Image.new("L", a.size, 255)
    red, green, blue = ImageChops.difference(a.convert("RGB"), b.convert("RGB")).split()
    largest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    mask = largest.point(lambda v: 255 if v > tolerance else 0)
    return mask.histogram()[255] / (a.width * a.height), mask


def diff_picture(a: Image.Image, b: Image.Image, mask: Image.Image) -> Image.Image:
    """Source | result | result dimmed with the differing pixels in red, side by side."""
    a, b = a.convert("RGB"), b.convert("RGB").resize(a.size)
    highlight = Image.blend(b, Image.new("RGB", b.size, (255, 255, 255)), 0.7)
    highlight.paste((230, 0, 0), mask=mask.resize(a.size))
    sheet = Image.new("RGB", (a.width * 3 + 8, a.height), (90, 90, 90))
    for index, image in enumerate((a, b, highlight)):
        sheet.paste(image, (index * (a.width + 4), 0))
    return sheet


def check_deck(source: Path, settings: Settings) -> DeckRow:
    """Merge, validate, render and compare one deck; every failure becomes part of the row.

    A deck deckgen refuses with a clear error is "unreadable" and a deck LibreOffice cannot
    render is "source-render": neither counts in the slide totals. An unexpected exception
    while merging ("crash") or a merged deck that does not render ("merged-render") counts
    all its slides as not equal: those are the engine's failures.
    """
    row = DeckRow(source.name)
    try:
        row.slides, size = source_facts(source)
        base = base_deck(size, settings.out)
        merged, _ = (merge_after_base(base, source, settings.engine, settings.look)
                     if settings.look == "template" else
                     merge_after_base(base, source, settings.engine))
    except DeckgenError as exc:
        row.kind, row.error = "unreadable", str(exc)
        return row
    except Exception as exc:  # an engine bug, not a user mistake: show where
        row.kind, row.error = "crash", _crash(exc)
        return row
    merged_path = settings.out / "merged" / source.name
    write_bytes_atomic(merged_path, merged)
    row.problems = validate_package(merged)
    try:
        Presentation(io.BytesIO(merged))
    except Exception as exc:
        row.problems.append(f"python-pptx cannot open the merged deck: {_crash(exc)}")
    if settings.look == "template":
        row.problems += master_problems(source, merged)
    if row.slides == 0:
        return row  # nothing to compare; the package was still checked
    try:
        before = deck_pages(source, settings.cache, width=settings.width,
                            timeout=settings.timeout)
    except RenderError as exc:
        row.kind, row.error = "source-render", str(exc)
        return row
    try:
        after = deck_pages(merged_path, settings.cache, width=settings.width,
                           timeout=settings.timeout)
    except RenderError as exc:
        row.kind, row.error = "merged-render", str(exc)
        return row
    if len(before) != row.slides:
        row.kind = "source-render"
        row.error = f"LibreOffice rendered {len(before)} pages for {row.slides} slides"
        return row
    if len(after) != BASE_SLIDES + len(before):
        row.error = (f"merged deck rendered {len(after)} pages, expected "
                     f"{BASE_SLIDES} + {len(before)}")
    for number, page in enumerate(before, start=1):
        result_index = BASE_SLIDES + number - 1
        if result_index >= len(after):
            row.differing.append(1.0)
            continue
        with Image.open(page) as a, Image.open(after[result_index]) as b:
            share, mask = differing_share(a, b, settings.tolerance)
            row.differing.append(round(share, 5))
            if share <= settings.max_share:
                row.equal += 1
            else:
                picture = diff_picture(a, b, mask)
                target = settings.out / "diffs" / f"{source.stem}--slide-{number}.png"
                target.parent.mkdir(parents=True, exist_ok=True)
                picture.save(target)
    return row


def master_problems(template: Path, merged: bytes) -> list[str]:
    """Template mode: the merged package must hold exactly the template's slide masters."""
    def masters(archive: zipfile.ZipFile) -> list[bytes]:
        return sorted(archive.read(name) for name in archive.namelist()
                      if name.lower().startswith("ppt/slidemasters/") and name.endswith(".xml"))

    with zipfile.ZipFile(template) as source, zipfile.ZipFile(io.BytesIO(merged)) as output:
        want, have = len(masters(source)), len(masters(output))
    return [] if want == have else [f"template mode: {have} slide masters, the template has {want}"]


def _crash(exc: BaseException) -> str:
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" at {Path(frame.filename).name}:{frame.lineno}" if frame else ""
    return f"{type(exc).__name__}: {exc}{where}".replace("\n", " ")


_EXCLUDED = ("unreadable", "source-render")  # not the engine's doing: left out of the totals


def summary(rows: list[DeckRow]) -> str:
    """One line: decks, slides, share visually equal, structural problems, unreadable decks."""
    counted = [r for r in rows if r.kind not in _EXCLUDED]
    slides = sum(r.slides for r in counted)
    equal = sum(r.equal for r in counted)
    identical = sum(1 for r in counted for share in r.differing if share == 0)
    problems = sum(len(r.problems) for r in rows)
    with_problems = sum(1 for r in rows if r.problems)
    kinds = {kind: sum(1 for r in rows if r.kind == kind)
             for kind in ("unreadable", "source-render", "crash", "merged-render")}
    percent = f"{100 * equal / slides:.1f}%" if slides else "n/a"
    return (f"decks: {len(rows)} ({len(counted)} counted, {kinds['unreadable']} unreadable, "
            f"{kinds['source-render']} source not rendered, {kinds['crash']} crashed, "
            f"{kinds['merged-render']} merged not rendered) | slides: {slides} | "
            f"visually equal: {equal} ({percent}), pixel-identical: {identical} | "
            f"structural problems: {problems} in {with_problems} decks")


def print_table(rows: list[DeckRow], stream=sys.stdout) -> None:
    header = ["deck", "slides", "equal", "problems", "error"]
    table = [header] + [r.cells() for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(4)]
    for line in table:
        cells = [line[i].ljust(widths[i]) if i == 0 else line[i].rjust(widths[i])
                 for i in range(4)]
        print("  ".join(cells + [line[4]]).rstrip(), file=stream)


def write_reports(rows: list[DeckRow], out: Path) -> None:
    with (out / "fidelity.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["deck", "slides", "equal", "problems", "error", "kind"])
        for row in rows:
            writer.writerow(row.cells() + [row.kind])
    report = {"summary": summary(rows), "decks": [asdict(row) for row in rows]}
    write_bytes_atomic(out / "fidelity.json", json.dumps(report, indent=2).encode("utf-8"))


def run(folder: Path, settings: Settings, jobs: int = 1, limit: int | None = None,
        progress=None) -> list[DeckRow]:
    """Check every .pptx in ``folder`` (name order, at most ``limit``); rows in that order."""
    decks = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".pptx" and p.is_file())
    decks = decks[:limit] if limit else decks
    settings.out.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        rows = []
        for row in pool.map(lambda deck: check_deck(deck, settings), decks):
            rows.append(row)
            if progress is not None:
                progress(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="folder of .pptx decks")
    parser.add_argument("--jobs", type=int, default=1, help="decks checked in parallel")
    parser.add_argument("--limit", type=int, help="check only the first N decks (by name)")
    parser.add_argument("--out", type=Path, help="report folder [default: a new temp folder]")
    parser.add_argument("--cache-dir", type=Path, help="render cache [default: deckgen's]")
    parser.add_argument("--width", type=int, default=DEFAULT_WIDTH, help="page width in pixels")
    parser.add_argument("--tolerance", type=int, default=DEFAULT_TOLERANCE,
                        help="per-channel difference still counted as equal (0-255)")
    parser.add_argument("--max-share", type=float, default=DEFAULT_MAX_SHARE,
                        help="share of differing pixels up to which a slide is equal")
    parser.add_argument("--engine", choices=["deckgen", "baseline"], default="deckgen",
                        help="copy with deckgen, or with bench/baseline.py for comparison")
    parser.add_argument("--look", choices=["source", "template"], default="source",
                        help="template: merge onto the source deck itself as destination template")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        parser.error(f"{args.folder}: not a folder")
    out = args.out or Path(tempfile.mkdtemp(prefix="deckgen-fidelity-"))
    settings = Settings(out=out, cache=open_cache(args.cache_dir or default_cache_dir()),
                        width=args.width, tolerance=args.tolerance, max_share=args.max_share,
                        engine=args.engine, look=args.look)
    rows = run(args.folder, settings, jobs=args.jobs, limit=args.limit,
               progress=lambda row: print(f"  checked {row.name}", file=sys.stderr))
    print_table(rows)
    write_reports(rows, out)
    print(summary(rows))
    for row in rows:
        if row.kind != "ok":
            print(f"  {row.kind}: {row.name}: {row.error}")
    print(f"reports: {out / 'fidelity.csv'}, {out / 'fidelity.json'}; diffs: {out / 'diffs'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

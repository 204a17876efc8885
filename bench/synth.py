"""Synthetic slide libraries for the benchmark: module .pptx files with sidecars, cached by parameters."""
from __future__ import annotations

import colorsys
import datetime
import io
import json
import os
import shutil
import struct
import zipfile
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml
from PIL import Image
from pptx import Presentation
from pptx.util import Inches, Pt

from zipcopy import read_stored, write_stored

# Bump when the generated files change shape, so stale caches are not reused.
GENERATOR_VERSION = 1
COMPLETE_MARKER = "library.json"
SEGMENTS = ["enterprise", "mid-market", "smb"]
KINDS = ["value-prop", "proof", "feature", "objection", "pricing", "battle-card"]
TOPICS = ["Cost of downtime", "One platform", "Rollout plan", "Security review", "Total cost",
          "Integrations", "Support model", "Roadmap", "Customer voice", "Analytics"]


@dataclass(frozen=True)
class LibrarySpec:
    """Shape of a synthetic library: ``files * copies`` module files of ``slides`` slides each.

    The first ``files`` modules are rendered with python-pptx; the others are byte copies of them
    with the slide text patched (their pictures are the same bytes as the module they copy).
    """

    files: int = 25
    slides: int = 20
    image_px: tuple[int, int] = (1600, 1000)
    copies: int = 1

    @property
    def module_count(self) -> int:
        return self.files * self.copies

    @property
    def dirname(self) -> str:
        width, height = self.image_px
        return f"lib-{self.files}x{self.slides}-img{width}x{height}-c{self.copies}-v{GENERATOR_VERSION}"

    def base(self) -> LibrarySpec:
        """Return the spec of the rendered library this one copies from."""
        return LibrarySpec(self.files, self.slides, self.image_px, 1)


@dataclass(frozen=True)
class Library:
    """A generated library on disk: ``root`` holds deckgen.yaml, slide_library/, recipes/, prospects/."""

    spec: LibrarySpec
    root: Path

    @property
    def slide_dir(self) -> Path:
        return self.root / "slide_library"

    @property
    def recipe_dir(self) -> Path:
        return self.root / "recipes"

    @property
    def prospect_dir(self) -> Path:
        return self.root / "prospects"

    def module_path(self, module: int) -> Path:
        return self.slide_dir / f"{module_name(module)}.pptx"


def module_name(module: int) -> str:
    return f"m{module:03d}"


def slide_key(module: int, slide_no: int) -> str:
    """Return the library key of 1-based slide ``slide_no`` of module ``module``."""
    return f"{module_name(module)}-s{slide_no:02d}"


def module_label(module: int) -> bytes:
    """Return the text that names a module on its slides (patched in copies)."""
    return f"Module {module:03d}".encode()


def industry(module: int) -> str:
    return f"industry-{module:03d}"


def ensure_library(spec: LibrarySpec, cache_dir: Path) -> Library:
    """Return the library for ``spec`` under ``cache_dir``, generating it unless a complete one exists."""
    library = Library(spec, cache_dir / spec.dirname)
    marker = library.root / COMPLETE_MARKER
    if marker.exists() and json.loads(marker.read_text()) == _marker_content(spec):
        return library
    base = ensure_library(spec.base(), cache_dir) if spec.copies > 1 else None
    if library.root.exists():
        shutil.rmtree(library.root)
    library.slide_dir.mkdir(parents=True)
    library.recipe_dir.mkdir()
    library.prospect_dir.mkdir()
    if base is None:
        _render_modules(library)
    else:
        _copy_modules(base, library)
    _write_project_files(library)
    marker.write_text(json.dumps(_marker_content(spec)))
    return library


def _marker_content(spec: LibrarySpec) -> dict:
    return {"generator": GENERATOR_VERSION, **asdict(spec), "image_px": list(spec.image_px)}


# --- rendering ---------------------------------------------------------------------------------

def _render_modules(library: Library) -> None:
    spec = library.spec
    pictures = [_noise_picture(spec.image_px, position) for position in range(spec.slides)]
    for module in range(spec.files):
        path = library.module_path(module)
        slide_ids = _render_module(path, module, spec.slides, pictures)
        _write_sidecar(library.slide_dir / f"{module_name(module)}.yaml", module, slide_ids)


def _render_module(path: Path, module: int, slides: int, pictures: list[bytes]) -> list[int]:
    """Write one module file; return its slides' sldId values in order."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    layout = prs.slide_layouts[1]  # "Title and Content" of python-pptx's default template
    label = module_label(module).decode()
    for position in range(slides):
        slide_no = position + 1
        topic = TOPICS[(module + position) % len(TOPICS)]
        slide = prs.slides.add_slide(layout)
        slide.shapes.title.text = f"{label} · slide {slide_no:02d}: {topic}"
        body = slide.placeholders[1]
        body.left, body.top, body.width, body.height = Inches(0.6), Inches(1.6), Inches(6.0), Inches(2.6)
        lines = [f"Why {{{{ prospect.company }}}} cares about {topic.lower()}",
                 f"{label}: point {slide_no} of {slides}, with numbers a buyer can check",
                 "Payback inside twelve months for plants of every size"]
        body.text_frame.text = lines[0]
        for line in lines[1:]:
            body.text_frame.add_paragraph().text = line
        table = slide.shapes.add_table(4, 3, Inches(0.6), Inches(4.5), Inches(6.0), Inches(2.2)).table
        for row in range(4):
            for col in range(3):
                cell = table.cell(row, col)
                cell.text = ["Metric", "Before", "After"][col] if row == 0 else f"{(module + 1) * (row * 10 + col)}"
                cell.text_frame.paragraphs[0].runs[0].font.size = Pt(14)
        picture = _recolour_png(pictures[position], module)
        slide.shapes.add_picture(io.BytesIO(picture), Inches(7.0), Inches(1.6), width=Inches(5.7))
        slide.notes_slide.notes_text_frame.text = (
            f"Speaker notes for {label} slide {slide_no}: open with the customer's own numbers.")
    _save_atomically(prs, path)
    return [slide.slide_id for slide in prs.slides]


def _save_atomically(prs, path: Path) -> None:
    partial = path.with_name(f".{path.name}.part")
    prs.save(partial)
    os.replace(partial, path)


def _noise_picture(size: tuple[int, int], position: int) -> bytes:
    """Return a palette PNG of gradient plus noise that compresses about as badly as a photo."""
    noise = Image.effect_noise(size, 16 + position % 24)
    gradient = Image.linear_gradient("L").rotate(90 * (position % 4)).resize(size)
    indices = Image.blend(noise, gradient, 0.5)
    picture = Image.frombytes("P", size, indices.tobytes())
    picture.putpalette(_palette(0))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def _palette(module: int, entries: int = 256) -> bytes:
    shift = (module * 0.618034) % 1.0  # golden-ratio hue steps keep neighbouring modules distinct
    colours = (colorsys.hsv_to_rgb((shift + i / entries) % 1.0, 0.65, 0.35 + 0.6 * i / entries)
               for i in range(entries))
    return bytes(round(channel * 255) for rgb in colours for channel in rgb)


def _recolour_png(png: bytes, module: int) -> bytes:
    """Return ``png`` with its palette replaced by the module's: distinct bytes and look, no re-encode."""
    out, pos = [png[:8]], 8
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        chunk_end = pos + 12 + length
        if kind == b"PLTE":
            data = _palette(module, length // 3)
            out.append(struct.pack(">I4s", length, kind) + data + struct.pack(">I", zlib.crc32(kind + data)))
        else:
            out.append(png[pos:chunk_end])
        pos = chunk_end
    return b"".join(out)


# --- copies ------------------------------------------------------------------------------------

def _copy_modules(base: Library, library: Library) -> None:
    spec = library.spec
    for module in range(spec.module_count):
        source_module = module % spec.files
        source = base.module_path(source_module)
        if module < spec.files:
            _link_or_copy(source, library.module_path(module))
        else:
            patch_module(source, library.module_path(module),
                         {module_label(source_module): module_label(module)})
        slide_ids = yaml.safe_load((base.slide_dir / f"{module_name(source_module)}.yaml").read_text())
        _write_sidecar(library.slide_dir / f"{module_name(module)}.yaml", module,
                       [entry["slide_id"] for entry in slide_ids["slides"]])


def _link_or_copy(source: Path, target: Path) -> None:
    # Hard links are safe: every later change to a module (the rebuild scenario) replaces the file.
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def patch_module(source: Path, target: Path, replacements: dict[bytes, bytes]) -> int:
    """Write a copy of ``source`` whose slide and notes XML has ``replacements`` applied.

    Every other member (media, layouts, masters) is copied as stored bytes, without re-deflating.
    Returns the number of members that changed.
    """
    partial = target.with_name(f".{target.name}.part")
    changed = 0
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(partial, "w") as dst:
        for info in src.infolist():
            if info.filename.startswith(("ppt/slides/slide", "ppt/notesSlides/notesSlide")):
                original = data = src.read(info)
                for old, new in replacements.items():
                    data = data.replace(old, new)
                changed += data != original
                dst.writestr(zipfile.ZipInfo(info.filename, info.date_time), data,
                             compress_type=info.compress_type)
            else:
                write_stored(dst, info.filename, info, read_stored(src, info))
    os.replace(partial, target)
    return changed


# --- sidecars, config, recipes, prospects --------------------------------------------------------

def _write_sidecar(path: Path, module: int, slide_ids: list[int]) -> None:
    entries = []
    for position, slide_id in enumerate(slide_ids):
        slide_no = position + 1
        tags: dict = {"segment": list(SEGMENTS)}
        if position == 0:
            tags.update(kind="case-study", industry=[industry(module)])
        else:
            tags["kind"] = KINDS[position % len(KINDS)]
        entries.append({"key": slide_key(module, slide_no), "slide_id": slide_id,
                        "title": f"Module {module:03d} slide {slide_no:02d}", "tags": tags})
    sidecar = {"owner": "bench@deckgen.example", "review_by": datetime.date(2099, 12, 31), "status": "approved",
               "slides": entries}
    path.write_text(yaml.safe_dump(sidecar, sort_keys=False))


def _write_project_files(library: Library) -> None:
    config = {"library": "slide_library", "recipes": "recipes", "prospects": "prospects",
              "output": "build",
              "batch": {"filename": "{{ prospect.company | slug }}-{{ recipe }}.pptx",
                        "columns": {"Account Name": "company", "Segment": "segment",
                                    "Industry": "industry"}}}
    (library.root / "deckgen.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    prospect = {"company": "Globex Corporation", "segment": "enterprise", "industry": industry(0)}
    (library.prospect_dir / "globex.yaml").write_text(yaml.safe_dump(prospect, sort_keys=False))


TEMPLATE_NAME = "brand-template.pptx"


def ensure_template(library: Library) -> Path:
    """Write the corporate template of template-mode builds (python-pptx's default deck, at the
    modules' size, with another theme: navy background, white text, serif fonts) and point
    brand.template at it; return its path. Idempotent."""
    path = library.root / TEMPLATE_NAME
    if not path.exists():
        from lxml import etree

        prs = Presentation()
        prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
        theme = prs.slide_master.part.part_related_by(
            "http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme")
        root = etree.fromstring(theme.blob)
        a = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
        for slot, value in (("dk1", "FFFFFF"), ("lt1", "1F3A5F")):
            element = root.find(f"{a}themeElements/{a}clrScheme/{a}{slot}")
            for child in list(element):
                element.remove(child)
            etree.SubElement(element, a + "srgbClr", val=value)
        for kind in ("majorFont", "minorFont"):
            root.find(f"{a}themeElements/{a}fontScheme/{a}{kind}/{a}latin").set("typeface", "DejaVu Serif")
        theme._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        _save_atomically(prs, path)
    config_path = library.root / "deckgen.yaml"
    config = yaml.safe_load(config_path.read_text())
    if config.get("brand", {}).get("template") != TEMPLATE_NAME:
        config.setdefault("brand", {})["template"] = TEMPLATE_NAME
        config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def write_recipe(library: Library, name: str, sections: list[dict], description: str) -> Path:
    """Write ``recipes/NAME.yaml`` in deckgen's recipe format and return its path."""
    path = library.recipe_dir / f"{name}.yaml"
    recipe = {"name": name, "description": description, "sections": sections}
    path.write_text(yaml.safe_dump(recipe, sort_keys=False))
    return path


def write_prospects_csv(library: Library, name: str, count: int) -> Path:
    """Write ``count`` prospects whose industries cycle over the library's modules; return the path.

    Prospect ``i`` has industry ``industry(i % files)``, so each module's case-study slide is
    chosen by ``count / files`` prospects.
    """
    path = library.prospect_dir / f"{name}.csv"
    rows = ["Account Name,Segment,Industry"]
    for index in range(count):
        rows.append(f"Prospect {index:04d} Inc,{SEGMENTS[index % len(SEGMENTS)]},"
                    f"{industry(index % library.spec.files)}")
    path.write_text("\n".join(rows) + "\n")
    return path


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Generate (or reuse) a synthetic deckgen library.")
    parser.add_argument("--files", type=int, default=25)
    parser.add_argument("--slides", type=int, default=20)
    parser.add_argument("--copies", type=int, default=1, help="library holds FILES*COPIES modules")
    parser.add_argument("--image", default="1600x1000", help="picture size WIDTHxHEIGHT in pixels")
    parser.add_argument("--cache-dir", type=Path, default=Path(__file__).parent / ".cache")
    args = parser.parse_args()
    width, height = (int(v) for v in args.image.lower().split("x"))
    print(ensure_library(LibrarySpec(args.files, args.slides, (width, height), args.copies),
                         args.cache_dir).root)

"""The shipped Northwind Ops example library: structure, coverage, brand, prospects, and its generator."""
from __future__ import annotations

import csv
import datetime
import hashlib
import importlib.util
import io
import json
import re
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from lxml import etree
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.util import Emu

REPO = Path(__file__).resolve().parent.parent
LIBRARY = REPO / "slide_library"
RECIPES = REPO / "recipes"
PROSPECTS = REPO / "prospects"
GENERATOR = REPO / "scripts" / "make_example_library.py"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
NS = {"a": A[1:-1]}


@pytest.fixture(scope="module")
def generator():
    """The generator script, imported as a module (dataclasses need it registered in sys.modules)."""
    spec = importlib.util.spec_from_file_location("make_example_library", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


@pytest.fixture(scope="module")
def decks() -> dict[str, Presentation]:
    return {path.stem: Presentation(path) for path in sorted(LIBRARY.glob("*.pptx"))}


@pytest.fixture(scope="module")
def sidecars() -> dict[str, dict]:
    return {path.stem: yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted(LIBRARY.glob("*.yaml"))}


@pytest.fixture(scope="module")
def config() -> dict:
    return yaml.safe_load((REPO / "deckgen.yaml").read_text(encoding="utf-8"))


def _slide_tags(sidecar: dict, entry: dict) -> dict[str, list[str]]:
    """The entry's tags merged over the sidecar's default tags, every value as a list."""
    merged = {**sidecar.get("tags", {}), **entry.get("tags", {})}
    return {name: value if isinstance(value, list) else [value] for name, value in merged.items()}


def _entries(sidecars: dict) -> list[tuple[str, dict, dict]]:
    return [(module, entry, _slide_tags(sidecar, entry)) for module, sidecar in sidecars.items()
            for entry in sidecar["slides"]]


def _slide_by_key(decks, sidecars, key: str):
    for module, entry, _ in _entries(sidecars):
        if entry["key"] == key:
            return decks[module].slides.get(entry["slide_id"])
    raise KeyError(key)


def _theme_root(prs) -> etree._Element:
    part = prs.slide_master.part.part_related_by(RT.THEME)
    return part._element if hasattr(part, "_element") else etree.fromstring(part.blob)


def _scheme_colours(prs) -> dict[str, str]:
    scheme = _theme_root(prs).find(".//a:clrScheme", NS)
    return {etree.QName(slot).localname: slot[0].get("val") for slot in scheme}


def _all_text(slide) -> list[str]:
    texts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            texts.append(shape.text_frame.text)
        if shape.has_table:
            texts.extend(cell.text for row in shape.table.rows for cell in row.cells)
    if slide.has_notes_slide:
        texts.append(slide.notes_slide.notes_text_frame.text)
    return texts


def _luminance(hex_colour: str) -> float:
    red, green, blue = (int(hex_colour[i:i + 2], 16) / 255 for i in (0, 2, 4))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


# --- the library -----------------------------------------------------------------------------


def test_library_has_at_least_four_modules_and_thirty_slides(decks):
    assert len(decks) >= 4
    assert sum(len(prs.slides) for prs in decks.values()) >= 30


LEGACY_MODULE = "field-service"   # made in an acquired company's old 4:3 template


def test_modules_are_widescreen_but_the_legacy_one(decks):
    for name, prs in decks.items():
        size = (Emu(9144000), Emu(6858000)) if name == LEGACY_MODULE else (Emu(12192000), Emu(6858000))
        assert (prs.slide_width, prs.slide_height) == size, name


def test_modules_use_two_visibly_different_brand_themes(decks):
    schemes = {name: _scheme_colours(prs) for name, prs in decks.items()}
    distinct = {tuple(sorted(scheme.items())) for scheme in schemes.values()}
    assert len(distinct) >= 2
    for name, scheme in schemes.items():
        # not python-pptx's default Office theme
        assert scheme["accent1"] != "4F81BD", name
    backgrounds = set()
    for name, prs in decks.items():
        if name == LEGACY_MODULE:   # its background is a theme colour of its own template
            continue
        fill = prs.slide_master.background.fill
        backgrounds.add(str(fill.fore_color.rgb))
    assert min(map(_luminance, backgrounds)) < 0.2, "one master should be dark"
    assert max(map(_luminance, backgrounds)) > 0.9, "one master should be light"


def test_masters_carry_brand_decoration_and_named_layouts(decks):
    for name, prs in decks.items():
        if name == LEGACY_MODULE:
            continue
        master = prs.slide_master
        decorations = [shape for shape in master.shapes if not shape.is_placeholder]
        assert len(decorations) >= 4, f"{name}: master has no brand decoration"
        pictures = [shape for shape in decorations if shape.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1, f"{name}: master should carry the Northwind wordmark"
        assert {layout.name for layout in master.slide_layouts} == {
            "Title", "Title and Content", "Section", "Title Only", "Blank"}, name


def test_every_slide_has_a_sidecar_entry_and_every_entry_a_slide(decks, sidecars):
    assert set(decks) == set(sidecars)
    for name, prs in decks.items():
        deck_ids = [slide.slide_id for slide in prs.slides]
        entry_ids = [entry["slide_id"] for entry in sidecars[name]["slides"]]
        assert sorted(deck_ids) == sorted(entry_ids), name


def test_sidecars_are_approved_owned_and_reviewed_in_the_future(sidecars):
    keys = [entry["key"] for _, entry, _ in _entries(sidecars)]
    assert len(keys) == len(set(keys)), "keys must be unique across the library"
    for name, sidecar in sidecars.items():
        assert sidecar["status"] == "approved", name
        assert re.fullmatch(r"[a-z.]+@northwind\.example", sidecar["owner"]), name
        assert sidecar["review_by"] >= datetime.date(2027, 1, 1), name
        for entry in sidecar["slides"]:
            assert entry["title"], entry["key"]


def test_library_index_reports_no_problems():
    from deckgen.library import load_library

    index = load_library(LIBRARY, today=datetime.date(2026, 12, 1))
    assert [str(problem) for problem in index.problems] == []
    assert len(index) >= 30


def test_library_covers_segments_competitors_objections_and_kinds(sidecars):
    values: dict[str, set[str]] = {}
    for _, _, tags in _entries(sidecars):
        for name, tag_values in tags.items():
            values.setdefault(name, set()).update(tag_values)
    assert {"enterprise", "mid-market", "smb"} <= values["segment"]
    assert len(values["competitor"] - {"other"}) >= 3
    assert {"price", "security", "integration", "switching-cost"} <= values["objection"]
    assert {"title", "value-prop", "case-study", "battle-card", "objection", "pricing"} <= values["kind"]
    for tag in ("industry", "persona", "stage"):
        assert values.get(tag), tag


def test_every_slide_has_speaker_notes(decks):
    for name, prs in decks.items():
        for number, slide in enumerate(prs.slides, start=1):
            assert slide.has_notes_slide, f"{name} #{number}"
            assert len(slide.notes_slide.notes_text_frame.text.splitlines()) >= 3, f"{name} #{number}"


def test_roi_chart_is_a_native_chart_named_for_personalisation(decks, sidecars):
    slide = _slide_by_key(decks, sidecars, "business-case-roi")
    charts = [shape for shape in slide.shapes if shape.has_chart]
    assert [shape.name for shape in charts] == ["chart:roi_chart"]
    plot = charts[0].chart.plots[0]
    assert list(plot.categories) == ["Year 1", "Year 2", "Year 3"]
    assert [series.name for series in plot.series] == ["Savings", "Northwind subscription"]


def test_pricing_is_a_real_table_of_three_tiers(decks, sidecars):
    slide = _slide_by_key(decks, sidecars, "pricing-tiers")
    tables = [shape.table for shape in slide.shapes if shape.has_table]
    assert len(tables) == 1
    table = tables[0]
    assert len(table.columns) == 4 and len(table.rows) >= 6
    header = [cell.text for cell in table.rows[0].cells]
    assert all(tier in " ".join(header) for tier in ("Essentials", "Professional", "Enterprise"))


def test_title_slides_carry_a_logo_placeholder_picture(decks, sidecars):
    titles = [(module, entry) for module, entry, tags in _entries(sidecars) if "title" in tags["kind"]]
    assert titles
    for module, entry in titles:
        slide = decks[module].slides.get(entry["slide_id"])
        # the logo, its white card and its label form one group that goes away without a logo
        group = next(shape for shape in slide.shapes if shape.name == "Prepared for")
        assert group.shape_type == MSO_SHAPE_TYPE.GROUP
        assert group._element.xpath("./p:nvGrpSpPr/p:cNvPr/@descr") == ["if: prospect.logo"]
        logos = [shape for shape in group.shapes if shape.name == "logo"]
        assert len(logos) == 1 and logos[0].shape_type == 13, entry["key"]
        width, height = Image.open(io.BytesIO(logos[0].image.blob)).size
        assert width > height, "the placeholder is a neutral landscape image"


def test_slides_use_documented_template_syntax(decks):
    texts = "\n".join(text for prs in decks.values() for slide in prs.slides for text in _all_text(slide))
    for expected in ("{{ prospect.company }}", "{{ prospect.contact.name }}", "{{ annual_savings | money }}",
                     "{%tr for s in sites %}", "{%tr endfor %}", "{%p if ", "{%p endif %}"):
        assert expected in texts, expected
    notes = [slide.notes_slide.notes_text_frame.text for prs in decks.values() for slide in prs.slides]
    assert sum("{{" in note for note in notes) >= 10


def test_security_badge_is_conditional_on_the_enterprise_segment(decks, sidecars):
    slide = _slide_by_key(decks, sidecars, "objection-security")
    alt_texts = [shape._element.xpath("./*[1]/p:cNvPr")[0].get("descr") for shape in slide.shapes]
    assert "if:prospect.segment == 'enterprise'" in alt_texts


def test_slides_use_only_brand_colours_and_fonts(config):
    colours = {colour.upper() for colour in config["brand"]["colors"]}
    fonts = set(config["brand"]["fonts"])
    part_names = re.compile(r"ppt/(slides|slideLayouts|slideMasters|charts)/[^/]+\.xml$")
    for path in sorted(LIBRARY.glob("*.pptx")):
        with zipfile.ZipFile(path) as package:
            for name in package.namelist():
                if not part_names.match(name):
                    continue
                root = etree.fromstring(package.read(name))
                used = {element.get("val").upper() for element in root.iter(f"{A}srgbClr")}
                assert used <= colours, f"{path.name}:{name} uses off-brand colours {sorted(used - colours)}"
                typefaces = {element.get("typeface") for tag in ("latin", "buFont")
                             for element in root.iter(f"{A}{tag}")}
                off_brand = {face for face in typefaces if not face.startswith("+") and face not in fonts}
                assert not off_brand, f"{path.name}:{name} uses {sorted(off_brand)}"
    for prs in Presentation(LIBRARY / "corporate.pptx"), Presentation(LIBRARY / "case-studies.pptx"):
        root = _theme_root(prs)
        assert {root.find(f".//a:{kind}/a:latin", NS).get("typeface") for kind in ("majorFont", "minorFont")} <= fonts
        assert set(_scheme_colours(prs).values()) <= colours


# --- prospects, recipes, config --------------------------------------------------------------


def _prospect_files() -> list[Path]:
    return sorted(path for path in PROSPECTS.iterdir() if path.suffix in (".yaml", ".yml", ".json"))


def _prospect_data(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)


def test_example_prospects_cover_three_segments_with_distinct_logos():
    prospects = {path.name: _prospect_data(path) for path in _prospect_files()}
    assert len(prospects) >= 3
    assert any(name.endswith(".json") for name in prospects)
    assert {data["segment"] for data in prospects.values()} >= {"enterprise", "mid-market", "smb"}
    logo_hashes = set()
    for name, data in prospects.items():
        logo = PROSPECTS / data["logo"]
        assert logo.is_file(), name
        with Image.open(logo) as image:
            assert image.format == "PNG" and min(image.size) >= 100, name
        logo_hashes.add(hashlib.sha256(logo.read_bytes()).hexdigest())
        assert data["competitors"] and data["objections"] and data["contact"]["name"], name
    assert len(logo_hashes) == len(prospects)


def test_crm_export_columns_match_the_batch_mapping(config):
    with open(PROSPECTS / "crm-export.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) >= 8
    assert set(rows[0]) == set(config["batch"]["columns"])
    assert {row["Segment"] for row in rows} == {"enterprise", "mid-market", "smb"}
    for row in rows:
        assert (PROSPECTS / row["Logo"]).is_file(), row["Account Name"]


def test_project_config_points_at_the_shipped_folders(config):
    for key in ("library", "recipes", "prospects"):
        assert (REPO / config[key]).is_dir(), key
    assert config["output"]["folder"] == "build"
    assert config["output"]["notes"] == "strip"      # coaching notes never reach the customer
    assert "{{ prospect.company | slug }}" in config["batch"]["filename"]


def test_recipes_extend_base_and_include_closing():
    recipes = {path.stem: yaml.safe_load(path.read_text()) for path in sorted(RECIPES.glob("*.yaml"))}
    children = [name for name, recipe in recipes.items() if recipe.get("extends") == "base"]
    assert len(children) >= 2
    for name in children:
        sections = recipes[name]["sections"]
        assert {"include": "closing"} in sections, name
        assert any("select" in section for section in sections), name
    used_keys = {key for recipe in recipes.values() for section in recipe["sections"]
                 for key in section.get("slides", []) + section.get("fallback", [])}
    library_keys = {entry["key"] for path in LIBRARY.glob("*.yaml")
                    for entry in yaml.safe_load(path.read_text())["slides"]}
    assert used_keys <= library_keys


@pytest.fixture(scope="module")
def built_decks(tmp_path_factory) -> dict[tuple[str, str], Path]:
    """Every example prospect built with every customer recipe through deckgen's Python API."""
    from deckgen.pipeline.deck import build

    out = tmp_path_factory.mktemp("built")
    built = {}
    for prospect in _prospect_files():
        for recipe in ("first-call", "executive-briefing"):
            target = out / f"{prospect.stem}-{recipe}.pptx"
            build(recipe, target, prospect=prospect, library=LIBRARY, recipes=RECIPES)
            built[(prospect.name, recipe)] = target
    return built


def test_example_prospects_build_into_visibly_different_decks(built_decks):
    for recipe in ("first-call", "executive-briefing"):
        titles = {}
        for (prospect, built_recipe), path in built_decks.items():
            if built_recipe != recipe:
                continue
            slides = Presentation(path).slides
            titles[prospect] = tuple(slide.shapes.title.text if slide.shapes.title else "" for slide in slides)
        assert len(set(titles.values())) == len(titles), recipe


def test_built_decks_are_fully_personalised(built_decks):
    for (prospect, recipe), path in built_decks.items():
        data = _prospect_data(PROSPECTS / prospect)
        prs = Presentation(path)
        texts = "\n".join(text for slide in prs.slides for text in _all_text(slide))
        assert "{{" not in texts and "{%" not in texts, (prospect, recipe)
        assert data["company"] in prs.slides[0].shapes.title.text + texts
        group = next(shape for shape in prs.slides[0].shapes if shape.name == "Prepared for")
        logo = next(shape for shape in group.shapes if shape.name == "logo")
        with Image.open(io.BytesIO(logo.image.blob)) as placed, \
                Image.open(PROSPECTS / data["logo"]) as own:
            assert abs(placed.size[0] / placed.size[1] - own.size[0] / own.size[1]) < 0.02, (prospect, recipe)
        if recipe == "executive-briefing" and "roi_chart" in data["values"]:
            chart = next(shape.chart for slide in prs.slides for shape in slide.shapes if shape.has_chart)
            wanted = data["values"]["roi_chart"]["series"]
            assert {series.name: list(series.values) for series in chart.plots[0].series} == \
                {name: [float(v) for v in values] for name, values in wanted.items()}


# --- the generator ---------------------------------------------------------------------------


def _deck_fingerprint(path: Path) -> list[tuple[int, list[str], list[str]]]:
    prs = Presentation(path)
    return [(slide.slide_id, [shape.name for shape in slide.shapes], _all_text(slide)) for slide in prs.slides]


def test_generator_reproduces_the_shipped_library(generator, tmp_path):
    written = generator.write_library(tmp_path)
    relative = sorted(str(path.relative_to(tmp_path)) for path in written)
    assert all((REPO / name).exists() for name in relative)
    for name in relative:
        generated, shipped = tmp_path / name, REPO / name
        if name.endswith(".pptx"):
            assert _deck_fingerprint(generated) == _deck_fingerprint(shipped), name
        elif name.endswith(".potx"):
            assert generated.read_bytes() == shipped.read_bytes(), name
        elif not name.endswith(".png"):
            assert generated.read_text(encoding="utf-8") == shipped.read_text(encoding="utf-8"), name


def test_generator_output_is_byte_identical_between_runs(generator):
    module = next(module for module in generator.MODULES if module.name == "business-case")  # has a chart
    assert generator.build_module(module) == generator.build_module(module)


@pytest.mark.libreoffice
def test_libreoffice_renders_every_slide_of_both_themes(tmp_path):
    from deckgen.preview import page_count, to_pdf

    for module in ("corporate", "pricing"):
        pdf = to_pdf(LIBRARY / f"{module}.pptx", tmp_path / f"{module}.pdf")
        assert page_count(pdf) == len(Presentation(LIBRARY / f"{module}.pptx").slides), module


def test_service_renewal_draws_on_three_templates_and_builds_on_the_brand_template(tmp_path):
    from deckgen.pipeline.deck import build

    looks = {}
    for look in ("source", "template"):
        target = tmp_path / f"{look}.pptx"
        result = build("service-renewal", target, prospect=PROSPECTS / "bluth.yaml", library=LIBRARY,
                       recipes=RECIPES, look=look)
        assert any("field-service.pptx: its slides are 25.40 x 19.05 cm (4:3)" in w for w in result.warnings)
        looks[look] = Presentation(target)
    masters = {look: sorted(master.name for master in prs.slide_masters) for look, prs in looks.items()}
    assert masters["source"] == ["Northwind Corporate", "Northwind Proof", "Relay Field Services 2016"]
    # the template's master, and the corporate look its sidecar keeps (look: source)
    assert masters["template"] == ["Northwind Corporate", "Northwind Proof"]
    service = [slide for slide in looks["template"].slides if slide.shapes.title is not None
               and slide.shapes.title.text in ("Field service included", "Service levels")]
    assert [slide.slide_layout.slide_master.name for slide in service] == ["Northwind Proof"] * 2
    for slide in service:
        for shape in slide.shapes:
            assert 0 <= shape.left and shape.left + shape.width <= Emu(12192000), shape.name

"""deckgen.render: personalising an assembled deck, and reading its templates for the linter."""
from __future__ import annotations

import datetime
import io

import pytest
from PIL import Image
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.shapes import MSO_SHAPE
from pptx.util import Inches

from deckgen.errors import DeckgenError, TemplateError
from deckgen.render import (SlideLabel, find_variables, make_environment, render_presentation,
                            template_sources, template_syntax_errors)
from deckgen.render.media import fit_inside

LABELS = [SlideLabel("title", "intro.pptx", 1), SlideLabel("vp-roi", "value-props.pptx", 3)]


def png(size, color):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


PLACEHOLDER_ART = png((100, 100), "grey")        # what marketing put in the logo frame
GLOBEX_LOGO = png((400, 100), "blue")            # the prospect's wide logo


def set_alt_text(shape, text):
    shape._element.xpath("./*[1]/p:cNvPr")[0].set("descr", text)


def split_runs(paragraph, pieces):
    """Replace the paragraph's runs by one run per (text, bold) piece, as PowerPoint splits them."""
    for r in list(paragraph.runs):
        paragraph._p.remove(r._r)
    for text, bold in pieces:
        run = paragraph.add_run()
        run.text = text
        run.font.bold = bold


def saved(prs):
    buffer = io.BytesIO()
    prs.save(buffer)
    return Presentation(io.BytesIO(buffer.getvalue()))


def shape_named(slide, name):
    return next(s for s in slide.shapes if s.name == name)


def context(**overrides):
    values = {
        "prospect": {"company": "Globex Corporation", "segment": "enterprise", "logo": GLOBEX_LOGO,
                     "contact": {"name": "Hank Scorpio", "title": "CEO"},
                     "objections": ["price", "security"]},
        "annual_savings": 1250000,
        "currency": "$",
        "sites": [{"name": "Springfield", "lines": 12}, {"name": "Cypress Creek", "lines": 4}],
        "roi_chart": {"categories": ["Y1", "Y2", "Y3"], "series": {"Savings": [0.4, 1.1, 1.9]}},
        "today": datetime.date(2026, 3, 1),
        "recipe": "first-call",
    }
    values.update(overrides)
    return values


@pytest.fixture
def deck():
    """Two slides as the assembly step leaves them: a title slide, and a value-prop slide with a
    split expression, a table, a chart, a logo, a conditional badge, a group and speaker notes."""
    prs = Presentation()
    title = prs.slides.add_slide(prs.slide_layouts[0])
    title.shapes.title.text = "Northwind for {{ prospect.company }}"
    title.placeholders[1].text = "Prepared for {{ prospect.contact.name }}, {{ today.year }}"

    slide = prs.slides.add_slide(prs.slide_layouts[5])
    slide.shapes.title.text = "What {{ prospect.company }} saves"
    box = slide.shapes.add_textbox(Inches(0.5), Inches(1.5), Inches(5), Inches(1))
    box.name = "savings"
    split_runs(box.text_frame.paragraphs[0],
               [("You save ", False), ("{{ annual_sa", True), ("vings | mo", True), ("ney }}", False),
                (" a year", False)])

    tbl_shape = slide.shapes.add_table(2, 2, Inches(0.5), Inches(3), Inches(4), Inches(0.8))
    tbl = tbl_shape.table
    tbl.cell(0, 0).text, tbl.cell(0, 1).text = "Site", "Lines"
    tbl.cell(1, 0).text = "{%tr for s in sites %}{{ s.name }}"
    tbl.cell(1, 1).text = "{{ s.lines }}{%tr endfor %}"

    data = CategoryChartData()
    data.categories = ["A", "B"]
    data.add_series("Placeholder", [1, 1])
    chart = slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(5), Inches(3), Inches(4),
                                   Inches(3), data)
    set_alt_text(chart, "chart:roi_chart")

    logo = slide.shapes.add_picture(io.BytesIO(PLACEHOLDER_ART), Inches(7), Inches(0.5), Inches(2), Inches(2))
    logo.name = "logo"

    badge = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, Inches(7), Inches(5), Inches(2), Inches(1))
    badge.name = "security badge"
    badge.text_frame.text = "SOC 2 certified"
    set_alt_text(badge, "if: 'security' in prospect.objections")

    group = slide.shapes.add_group_shape()
    member = group.shapes.add_textbox(Inches(0.5), Inches(6), Inches(4), Inches(0.5))
    member.text_frame.text = "Contact: {{ prospect.contact.title }}"

    slide.notes_slide.notes_text_frame.text = "Ask {{ prospect.contact.name }} about {{ sites | length }} sites."
    return prs


def test_text_tables_notes_and_groups_are_filled(deck):
    render_presentation(deck, LABELS, context())
    out = saved(deck)
    title, slide = out.slides
    assert title.shapes.title.text == "Northwind for Globex Corporation"
    assert title.placeholders[1].text == "Prepared for Hank Scorpio, 2026"
    assert slide.shapes.title.text == "What Globex Corporation saves"
    savings = shape_named(slide, "savings").text_frame.paragraphs[0]
    assert [(r.text, r.font.bold) for r in savings.runs] == [
        ("You save ", False), ("$1.25M", True), (" a year", False)]
    assert slide.notes_slide.notes_text_frame.text == "Ask Hank Scorpio about 2 sites."
    group = next(s for s in slide.shapes if s.shape_type == 6)
    assert group.shapes[0].text_frame.text == "Contact: CEO"
    texts = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
    assert not any("{{" in t or "{%" in t for t in texts)


def test_table_rows_repeat_from_a_list_and_the_frame_grows(deck):
    frame = next(s for s in deck.slides[1].shapes if s.has_table)
    row_height = frame.table.rows[1].height
    sites = [{"name": n, "lines": i} for i, n in enumerate(["Springfield", "Cypress Creek", "Ogdenville"])]
    render_presentation(deck, LABELS, context(sites=sites))
    frame = next(s for s in saved(deck).slides[1].shapes if s.has_table)
    assert [[c.text for c in row.cells] for row in frame.table.rows] == [
        ["Site", "Lines"], ["Springfield", "0"], ["Cypress Creek", "1"], ["Ogdenville", "2"]]
    assert frame.height == frame.table.rows[0].height + 3 * row_height


def test_logo_is_replaced_fitted_inside_its_frame_with_aspect_ratio_kept(deck):
    render_presentation(deck, LABELS, context())
    out = saved(deck)
    logo = shape_named(out.slides[1], "logo")
    assert logo.image.blob == GLOBEX_LOGO
    # a 4:1 logo in a 2in x 2in frame at (7in, 0.5in): full width, a quarter of the height, centred
    assert (logo.width, logo.height) == (Inches(2), Inches(0.5))
    assert (logo.left, logo.top) == (Inches(7), Inches(0.5) + Inches(0.75))
    assert (logo.crop_left, logo.crop_right, logo.crop_top, logo.crop_bottom) == (0, 0, 0, 0)
    blobs = [part.blob for part in out.part.package.iter_parts() if part.content_type.startswith("image/")]
    assert PLACEHOLDER_ART not in blobs       # the template art is not left in the package


def test_picture_placeholder_is_filled_with_alt_text_expression():
    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[8])        # Picture with Caption
    holder = slide.placeholders[1]
    frame = (holder.left, holder.top, holder.width, holder.height)
    set_alt_text(holder, "image:prospect.photo")
    render_presentation(prs, None, {"prospect": {"photo": png((300, 600), "green")}})
    picture = saved(prs).slides[0].placeholders[1]
    assert picture.shape_type == 14 and picture.image.size == (300, 600)   # a placeholder picture now
    assert (picture.left, picture.top, picture.width, picture.height) == fit_inside(frame, (300, 600))
    assert picture.height == frame[3] and picture.width < frame[2]
    assert (picture.crop_left, picture.crop_top) == (0, 0)


@pytest.mark.parametrize("box, image, expected", [
    ((0, 0, 200, 200), (400, 100), (0, 75, 200, 50)),
    ((10, 10, 200, 100), (100, 100), (60, 10, 100, 100)),
    ((0, 0, 300, 100), (30, 10), (0, 0, 300, 100)),
], ids=["wide-in-square", "square-in-wide", "same-ratio"])
def test_fit_inside_centres_the_largest_fitting_rectangle(box, image, expected):
    assert fit_inside(box, image) == expected


def test_logo_given_as_a_file_path(deck, tmp_path):
    path = tmp_path / "globex.jpg"
    Image.new("RGB", (120, 60), "red").save(path, "JPEG")
    render_presentation(deck, LABELS, context(prospect={**context()["prospect"], "logo": str(path)}))
    logo = shape_named(saved(deck).slides[1], "logo")
    assert logo.image.blob == path.read_bytes() and logo.image.content_type == "image/jpeg"
    assert (logo.width, logo.height) == (Inches(2), Inches(1))


def test_missing_logo_value_removes_the_placeholder_picture(deck):
    render_presentation(deck, LABELS, context(prospect={**context()["prospect"], "logo": None}))
    assert "logo" not in [s.name for s in saved(deck).slides[1].shapes]


def test_unreadable_logo_file_names_slide_picture_and_path(deck, tmp_path):
    missing = tmp_path / "nope.png"
    with pytest.raises(TemplateError) as caught:
        render_presentation(deck, LABELS, context(prospect={**context()["prospect"], "logo": str(missing)}))
    message = str(caught.value)
    assert message.startswith("slide 2 'vp-roi' (value-props.pptx #3): picture 'logo': image file")
    assert "nope.png" in message and "cannot be read" in message


def test_chart_series_values_come_from_the_prospect(deck):
    render_presentation(deck, LABELS, context())
    chart = next(s for s in saved(deck).slides[1].shapes if s.has_chart).chart
    assert list(chart.plots[0].categories) == ["Y1", "Y2", "Y3"]
    assert [(s.name, s.values) for s in chart.series] == [("Savings", (0.4, 1.1, 1.9))]


@pytest.mark.parametrize("value, problem", [
    ({"categories": ["Y1", "Y2"], "series": {"Savings": [1]}}, "series 'Savings' has 1 values for 2 categories"),
    ({"categories": ["Y1"], "series": {"Savings": ["lots"]}}, "series 'Savings' must be a list of numbers"),
    ([1, 2, 3], "expected a mapping {categories"),
], ids=["length", "not-numbers", "not-a-mapping"])
def test_bad_chart_data_is_a_clear_error(deck, value, problem):
    with pytest.raises(TemplateError, match="slide 2 'vp-roi' .*: chart 'Chart 4': " + problem.replace("{", r"\{")):
        render_presentation(deck, LABELS, context(roi_chart=value))


@pytest.mark.parametrize("objections, kept", [(["security"], True), (["price"], False)])
def test_conditional_shape_is_removed_when_false(deck, objections, kept):
    render_presentation(deck, LABELS, context(prospect={**context()["prospect"], "objections": objections}))
    names = [s.name for s in saved(deck).slides[1].shapes]
    assert ("security badge" in names) is kept


def test_undefined_variable_names_the_slide_and_the_variable(deck):
    values = context()
    del values["annual_savings"]
    with pytest.raises(TemplateError) as caught:
        render_presentation(deck, LABELS, values)
    assert str(caught.value) == (
        "slide 2 'vp-roi' (value-props.pptx #3): undefined variable 'annual_savings' "
        "(add it to the prospect's values or the recipe's variables)")
    assert isinstance(caught.value, DeckgenError) and caught.value.exit_code == 1


def test_undefined_attribute_is_named_by_its_full_path(deck):
    values = context(prospect={"company": "Globex", "logo": GLOBEX_LOGO, "objections": []})
    with pytest.raises(TemplateError) as caught:
        render_presentation(deck, LABELS, values)
    assert str(caught.value) == ("slide 1 'title' (intro.pptx #1): undefined variable "
                                    "'prospect.contact' (add it to the prospect file)")


def test_a_misspelt_prospect_field_gets_the_same_suggestion_as_check(deck):
    deck.slides[0].shapes.title.text_frame.text = "Hello {{ prospect.compnay }}"
    with pytest.raises(TemplateError) as caught:
        render_presentation(deck, LABELS, context())
    assert str(caught.value) == ("slide 1 'title' (intro.pptx #1): undefined variable 'prospect.compnay': "
                                 "'compnay' is not a prospect field (did you mean 'company'?)")


def test_undefined_variable_in_a_condition_is_an_error_too(deck):
    set_alt_text(shape_named(deck.slides[1], "security badge"), "if: show_badge")
    with pytest.raises(TemplateError, match=r"slide 2 'vp-roi' .*undefined variable 'show_badge'"):
        render_presentation(deck, LABELS, context())


def test_syntax_error_names_the_slide_and_the_line_of_text(deck):
    deck.slides[1].shapes.title.text_frame.add_paragraph().text = "Welcome {{ prospect.company }"
    with pytest.raises(TemplateError) as caught:
        render_presentation(deck, LABELS, context())
    assert str(caught.value) == ("slide 2 'vp-roi' (value-props.pptx #3): template syntax error in "
                                    "\"Welcome {{ prospect.company }\": unexpected '}'")


def test_unknown_filter_is_reported_with_its_line(deck):
    deck.slides[0].shapes.title.text = "Savings {{ annual_savings | moneyy }}"
    with pytest.raises(TemplateError, match=r"slide 1 'title' .*\"Savings \{\{ annual_savings \| moneyy \}\}\".*"
                                            r"No filter named 'moneyy'"):
        render_presentation(deck, LABELS, context())


@pytest.mark.parametrize("attack", [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os }}",
    "{{ prospect.company.__class__ }}",
], ids=["str-mro", "globals", "attribute-of-data"])
def test_sandbox_blocks_python_internals(deck, attack):
    deck.slides[0].shapes.title.text = attack
    with pytest.raises(TemplateError, match=r"slide 1 'title' .*: unsafe template code .*is unsafe"):
        render_presentation(deck, LABELS, context())


def test_prospect_values_are_data_never_template_code(deck):
    company = "Evil {{ 7*7 }} {% for x in range(3) %}x{% endfor %} Corp"
    render_presentation(deck, LABELS, context(prospect={**context()["prospect"], "company": company}))
    assert saved(deck).slides[0].shapes.title.text == "Northwind for " + company


def test_runtime_error_in_template_code_is_a_template_error(deck):
    deck.slides[0].shapes.title.text = "Ratio {{ annual_savings / 0 }}"
    with pytest.raises(TemplateError, match=r"slide 1 'title' .*template error in \"Ratio .*ZeroDivisionError"):
        render_presentation(deck, LABELS, context())


def test_notes_without_labels_are_named_by_position():
    prs = Presentation()
    prs.slides.add_slide(prs.slide_layouts[6]).notes_slide.notes_text_frame.text = "{{ missing }}"
    with pytest.raises(TemplateError, match=r"^slide 1: undefined variable 'missing'"):
        render_presentation(prs, None, {})


def test_image_mark_on_a_text_box_is_refused(deck):
    set_alt_text(shape_named(deck.slides[1], "savings"), "image:prospect.logo")
    with pytest.raises(TemplateError, match=r"shape 'savings' is marked 'image:prospect.logo' but is not a picture"):
        render_presentation(deck, LABELS, context())


# ------------------------------------------------------------------ filters

@pytest.mark.parametrize("source, expected", [
    ("{{ 1250000 | money }}", "$1.25M"),
    ("{{ 2000000000 | money }}", "$2B"),
    ("{{ 999999999 | money }}", "$1B"),
    ("{{ 45000 | money }}", "$45,000"),
    ("{{ 12.5 | money }}", "$12.50"),
    ("{{ -3500000 | money }}", "-$3.5M"),
    ("{{ 1250000 | money('\u20ac') }}", "\u20ac1.25M"),
    ("{{ '1,250,000' | money }}", "$1.25M"),
    ("{{ 12000 | number }}", "12,000"),
    ("{{ 3.14159 | number }}", "3.14"),
    ("{{ 2.5 | number(2) }}", "2.50"),
    ("{{ 0.42 | percent }}", "42%"),
    ("{{ 0.4251 | percent(1) }}", "42.5%"),
    ("{{ 0.125 | percent }}", "13%"),
    ("{{ 'Globex Corporation (EU)' | slug }}", "globex-corporation-eu"),
    ("{{ 'Ça Va Café' | slug }}", "ca-va-cafe"),
], ids=lambda v: v if isinstance(v, str) and v.startswith("{{") else None)
def test_filters(source, expected):
    assert make_environment().template(source).render() == expected


def test_money_uses_the_currency_variable():
    assert make_environment().template("{{ 1500000 | money }}").render(currency="\u00a3") == "\u00a31.5M"


def test_money_of_text_is_a_template_error(deck):
    with pytest.raises(TemplateError, match=r"the money filter needs a number, got 'lots'"):
        render_presentation(deck, LABELS, context(annual_savings="lots"))


# ------------------------------------------------------------------ linter API

def test_find_variables_lists_what_each_slide_reads(deck):
    assert find_variables(deck) == {
        0: {"prospect", "today"},
        1: {"prospect", "annual_savings", "sites", "roi_chart"},
    }
    assert find_variables(deck.slides[1]) == {0: {"prospect", "annual_savings", "sites", "roi_chart"}}


def test_template_syntax_errors_reports_every_problem_without_rendering(deck):
    slide = deck.slides[1]
    slide.shapes.title.text_frame.add_paragraph().text = "Welcome {{ prospect.company }"
    shape_named(slide, "savings").text_frame.add_paragraph().text = "Sites: {%p for s in sites %}"
    set_alt_text(shape_named(slide, "savings"), "chart:roi_chart")
    slide.notes_slide.notes_text_frame.text = "{% if x %}no end"
    problems = [str(p) for p in template_syntax_errors(deck, LABELS)]
    assert len(problems) == 4
    assert problems[3].startswith(
        "slide 2 'vp-roi' (value-props.pptx #3): template syntax error in \"{% if x %}no end\": "
        "Unexpected end of template.")
    assert problems[:3] == [
        "slide 2 'vp-roi' (value-props.pptx #3): template syntax error in \"Welcome {{ prospect.company }\": "
        "unexpected '}'",
        "slide 2 'vp-roi' (value-props.pptx #3): shape 'savings' is marked 'chart:roi_chart' but is not "
        "a chart (use a native PowerPoint chart)",
        "slide 2 'vp-roi' (value-props.pptx #3): a {%p %} tag must be alone in its paragraph in "
        "\"Sites: {%p for s in sites %}\"",
    ]


def test_clean_deck_has_no_template_syntax_errors(deck):
    assert template_syntax_errors(deck, LABELS) == []


def test_one_logo_on_many_slides_is_stored_once(deck):
    second = deck.slides.add_slide(deck.slide_layouts[6])
    picture = second.shapes.add_picture(io.BytesIO(PLACEHOLDER_ART), Inches(1), Inches(1), Inches(1), Inches(1))
    set_alt_text(picture, "logo")
    render_presentation(deck, LABELS, context())
    out = saved(deck)
    logos = [shape_named(out.slides[1], "logo"), next(s for s in out.slides[2].shapes if s.shape_type == 13)]
    assert [p.image.blob for p in logos] == [GLOBEX_LOGO, GLOBEX_LOGO]
    image_parts = {part.partname for part in out.part.package.iter_parts() if part.content_type == "image/png"}
    assert len(image_parts) == 1


def test_logo_in_a_format_python_pptx_cannot_embed_is_converted_to_png(deck):
    webp = io.BytesIO()
    Image.new("RGB", (300, 100), "orange").save(webp, "WEBP")
    render_presentation(deck, LABELS, context(prospect={**context()["prospect"], "logo": webp.getvalue()}))
    logo = shape_named(saved(deck).slides[1], "logo")
    assert logo.image.content_type == "image/png" and logo.image.size == (300, 100)


def test_chart_mark_on_an_xy_chart_is_refused():
    from pptx.chart.data import XyChartData

    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    data = XyChartData()
    data.add_series("s").add_data_point(1, 2)
    chart = slide.shapes.add_chart(XL_CHART_TYPE.XY_SCATTER, 0, 0, Inches(4), Inches(3), data)
    chart.name = "chart:roi_chart"
    with pytest.raises(TemplateError, match=r"chart 'chart:roi_chart' is an XY or bubble chart"):
        render_presentation(prs, None, context())


def test_template_sources_lists_every_piece_of_a_slide(deck):
    sources = template_sources(deck.slides[1])
    # title, savings, table, chart mark, logo mark, badge condition, group member, notes
    assert len(sources) == 8
    assert {"{{ roi_chart }}", "{{ prospect.logo }}",
            "{% if 'security' in prospect.objections %}{% endif %}"} <= set(sources)
    assert any("Ask {{ prospect.contact.name }}" in source for source in sources)
    assert not any("SOC 2" in source for source in sources)     # static text is not a template


def test_marks_inside_groups_are_found(deck):
    slide = deck.slides[1]
    outer = slide.shapes.add_group_shape()
    inner = outer.shapes.add_group_shape()
    member = inner.shapes.add_shape(MSO_SHAPE.OVAL, 0, 0, Inches(1), Inches(1))
    member.name = "enterprise seal"
    set_alt_text(member, "if: prospect.segment == 'smb'")
    inner.shapes.add_shape(MSO_SHAPE.OVAL, Inches(2), 0, Inches(1), Inches(1)).name = "static"
    render_presentation(deck, LABELS, context())
    groups = [s for s in saved(deck).slides[1].shapes if s.shape_type == 6]
    names = [s.name for s in groups[-1].shapes[0].shapes]
    assert names == ["static"]

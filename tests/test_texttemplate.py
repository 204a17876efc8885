"""deckgen.ooxml.splittags / texttemplate: tags split across runs, {%p %} paragraphs, {%tr %} rows, text written back."""
from __future__ import annotations

import io

import pytest
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Inches, Pt

from deckgen.ooxml.splittags import merge_split_tags
from deckgen.ooxml.texttemplate import MisplacedTagError, table_template, text_frame_template
from deckgen.render import make_environment

RED, BLUE, GREEN = RGBColor(0xC0, 0, 0), RGBColor(0, 0, 0xC0), RGBColor(0, 0x80, 0)


def set_runs(paragraph, pieces):
    """Replace the paragraph's runs by one run per (text, format) piece, as PowerPoint splits them.

    format keys: bold, italic, color (RGBColor), size (points).
    """
    for r in list(paragraph.runs):
        paragraph._p.remove(r._r)
    for text, fmt in pieces:
        run = paragraph.add_run()
        run.text = text
        if "bold" in fmt:
            run.font.bold = fmt["bold"]
        if "italic" in fmt:
            run.font.italic = fmt["italic"]
        if "color" in fmt:
            run.font.color.rgb = fmt["color"]
        if "size" in fmt:
            run.font.size = Pt(fmt["size"])


def run_formats(paragraph):
    """Return [(text, bold, italic, rgb or None, size pt or None)] of the paragraph's runs."""
    out = []
    for run in paragraph.runs:
        color = run.font.color.rgb if run.font.color.type is not None else None
        size = run.font.size.pt if run.font.size is not None else None
        out.append((run.text, run.font.bold, run.font.italic, color, size))
    return out


def reopen(prs):
    buffer = io.BytesIO()
    prs.save(buffer)
    return Presentation(io.BytesIO(buffer.getvalue()))


@pytest.fixture
def deck():
    """A presentation whose first slide holds one text box."""
    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    slide.shapes.add_textbox(Inches(1), Inches(1), Inches(6), Inches(3))
    return prs


@pytest.fixture
def frame(deck):
    return deck.slides[0].shapes[0].text_frame


def reopened(deck):
    """Return the text frame of the deck saved and opened again, as a user's PowerPoint reads it."""
    return reopen(deck).slides[0].shapes[0].text_frame


def render_frame(text_frame, **context):
    template = text_frame_template(text_frame)
    assert template is not None
    template.apply(make_environment().template(template.source).render(context))


# ------------------------------------------------------------------ merging split tags

SPLITS = [
    pytest.param([("{{ na", {}), ("me }}", {})], ["{{ name }}"], id="expression-in-two"),
    pytest.param([("{", {}), ("{ name }}", {})], ["{{ name }}"], id="opening-braces-split"),
    pytest.param([("{{ name }", {}), ("}", {})], ["{{ name }}"], id="closing-braces-split"),
    pytest.param([("Hi {{ first", {}), (" }} and {{ sec", {}), ("ond }}!", {})],
                 ["Hi {{ first }}", " and {{ second }}", "!"], id="two-tags-three-runs"),
    pytest.param([("{% i", {}), ("f ok %}yes{% en", {}), ("dif %}", {})],
                 ["{% if ok %}", "yes{% endif %}"], id="block-tags"),
    pytest.param([("{{ a }}", {}), (" plain ", {}), ("{{ b }}", {})],
                 ["{{ a }}", " plain ", "{{ b }}"], id="nothing-split-nothing-moves"),
    pytest.param([("{% if s == \u201cx\u201d %}", {})], ["{% if s == \"x\" %}"], id="curly-quotes-straightened"),
    pytest.param([("{{ x", {}), (" }} {{ y", {})], ["{{ x }}", " {{ y"], id="unclosed-tag-left-alone"),
]


@pytest.mark.parametrize("pieces, expected", SPLITS)
def test_merge_split_tags_puts_each_tag_in_the_run_where_it_starts(frame, pieces, expected):
    paragraph = frame.paragraphs[0]
    set_runs(paragraph, pieces)
    merge_split_tags(paragraph)
    assert [r.text for r in paragraph.runs] == expected


def test_expression_over_three_runs_keeps_the_formatting_around_it(deck, frame):
    paragraph = frame.paragraphs[0]
    set_runs(paragraph, [
        ("Dear ", {"italic": True}),
        ("{{ pros", {"bold": True, "color": RED}),
        ("pect.com", {"color": BLUE}),
        ("pany }}", {"color": GREEN}),
        (", welcome", {"bold": False, "size": 20}),
    ])
    merge_split_tags(paragraph)
    assert run_formats(paragraph) == [
        ("Dear ", None, True, None, None),
        ("{{ prospect.company }}", True, None, RED, None),
        (", welcome", False, None, None, 20.0),
    ]
    render_frame(frame, prospect={"company": "Globex"})
    assert run_formats(reopened(deck).paragraphs[0]) == [
        ("Dear ", None, True, None, None),
        ("Globex", True, None, RED, None),
        (", welcome", False, None, None, 20.0),
    ]


def test_tags_are_not_merged_across_a_line_break(frame):
    paragraph = frame.paragraphs[0]
    set_runs(paragraph, [("{{ a", {})])
    paragraph._p.append(paragraph._p.makeelement(
        "{http://schemas.openxmlformats.org/drawingml/2006/main}br", {}))
    paragraph.add_run().text = " }}"
    merge_split_tags(paragraph)
    assert [r.text for r in paragraph.runs] == ["{{ a", " }}"]


def test_frame_without_braces_has_no_template(frame):
    frame.text = "Plain text, no templates"
    assert text_frame_template(frame) is None


# ------------------------------------------------------------------ writing text back

def test_inline_loop_and_condition_inside_one_paragraph(deck, frame):
    paragraph = frame.paragraphs[0]
    set_runs(paragraph, [
        ("Sites: ", {"bold": True}),
        ("{% for s in sites %}{{ s }}{% if not loop.last %}, {% endif %}{% endfor %}", {"color": BLUE}),
        (".", {}),
    ])
    render_frame(frame, sites=["Springfield", "Shelbyville", "Ogdenville"])
    assert run_formats(reopened(deck).paragraphs[0]) == [
        ("Sites: ", True, None, None, None),
        ("Springfield, Shelbyville, Ogdenville", None, None, BLUE, None),   # one run, not six
        (".", None, None, None, None),
    ]


def test_loop_spanning_runs_repeats_each_runs_formatting(deck, frame):
    paragraph = frame.paragraphs[0]
    set_runs(paragraph, [
        ("{% for s in sites %}", {}),
        ("{{ s.name }}", {"bold": True}),
        (": {{ s.lines }} lines; ", {"italic": True}),
        ("{% endfor %}done", {"color": GREEN}),
    ])
    render_frame(frame, sites=[{"name": "A", "lines": 1}, {"name": "B", "lines": 2}])
    assert run_formats(reopened(deck).paragraphs[0]) == [
        ("A", True, None, None, None),
        (": 1 lines; ", None, True, None, None),
        ("B", True, None, None, None),
        (": 2 lines; ", None, True, None, None),
        ("done", None, None, GREEN, None),
    ]


def test_newlines_in_a_value_become_line_breaks_in_the_runs_format(deck, frame):
    set_runs(frame.paragraphs[0], [("To: ", {}), ("{{ address }}", {"bold": True, "size": 18})])
    render_frame(frame, address="1 Main St\nSpringfield\tUSA")
    p = reopened(deck).paragraphs[0]
    assert p.text == "To: 1 Main St\vSpringfield\tUSA"      # python-pptx shows a:br as \v
    assert [r.text for r in p.runs] == ["To: ", "1 Main St", "Springfield\tUSA"]
    br = p._p.find("{http://schemas.openxmlformats.org/drawingml/2006/main}br")
    assert br is not None and br[0].get("b") == "1" and br[0].get("sz") == "1800"


def test_empty_result_leaves_an_empty_line_at_the_runs_size(deck, frame):
    set_runs(frame.paragraphs[0], [("{{ title }}", {"size": 32})])
    frame.add_paragraph().text = "second"
    render_frame(frame, title="")
    paragraphs = reopened(deck).paragraphs
    assert [p.text for p in paragraphs] == ["", "second"]
    assert [r.font.size.pt for r in paragraphs[0].runs] == [32.0]


def test_values_can_never_inject_structure_marks_or_xml_control_characters(deck, frame):
    frame.text = "{{ v }}"
    render_frame(frame, v="a\ue012" + "0\ue01fb\x07c")
    assert reopened(deck).text == "a0bc"


# ------------------------------------------------------------------ {%p %} paragraphs

def test_paragraph_loop_repeats_paragraphs_with_their_formatting(deck, frame):
    frame.text = "Our sites:"
    frame.add_paragraph().text = "{%p for s in sites %}"
    item = frame.add_paragraph()
    item.level = 1
    set_runs(item, [("{{ s.name }}", {"bold": True}), (" \u2013 {{ s.lines }} lines", {})])
    frame.add_paragraph().text = "{%p endfor %}"
    frame.add_paragraph().text = "That's all."
    render_frame(frame, sites=[{"name": "Springfield", "lines": 12}, {"name": "Cypress Creek", "lines": 4}])
    paragraphs = reopened(deck).paragraphs
    assert [p.text for p in paragraphs] == [
        "Our sites:", "Springfield \u2013 12 lines", "Cypress Creek \u2013 4 lines", "That's all."]
    assert [p.level for p in paragraphs] == [0, 1, 1, 0]
    assert [r.font.bold for r in paragraphs[2].runs] == [True, None]


@pytest.mark.parametrize("show, expected", [(True, ["Intro", "Security detail", "End"]),
                                            (False, ["Intro", "End"])], ids=["kept", "removed"])
def test_paragraph_condition_keeps_or_removes_the_paragraphs_between(deck, frame, show, expected):
    frame.text = "Intro"
    frame.add_paragraph().text = "{%p if 'security' in objections %}"
    frame.add_paragraph().text = "Security detail"
    frame.add_paragraph().text = "{%p endif %}"
    frame.add_paragraph().text = "End"
    render_frame(frame, objections=["security"] if show else ["price"])
    assert [p.text for p in reopened(deck).paragraphs] == expected


def test_paragraph_tag_split_over_runs_is_still_recognised(deck, frame):
    set_runs(frame.paragraphs[0], [("{%", {}), ("p if ", {}), ("show %}", {"bold": True})])
    frame.add_paragraph().text = "hidden"
    frame.add_paragraph().text = "{%p endif %}"
    frame.add_paragraph().text = "visible"
    render_frame(frame, show=False)
    assert [p.text for p in reopened(deck).paragraphs] == ["visible"]


def test_frame_whose_paragraphs_all_vanish_keeps_one_empty_paragraph(deck, frame):
    frame.text = "{%p if show %}"
    frame.add_paragraph().text = "only when shown"
    frame.add_paragraph().text = "{%p endif %}"
    render_frame(frame, show=False)
    assert [p.text for p in reopened(deck).paragraphs] == [""]


def test_paragraph_tag_sharing_its_paragraph_is_refused(frame):
    frame.text = "Sites: {%p for s in sites %}"
    with pytest.raises(MisplacedTagError, match=r"alone in its paragraph"):
        text_frame_template(frame)


# ------------------------------------------------------------------ {%tr %} rows

@pytest.fixture
def table_deck():
    """A deck with a 3x3 table: header, one template row (coloured, bold name), a total row."""
    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    shape = slide.shapes.add_table(3, 3, Inches(1), Inches(1), Inches(6), Inches(1.5))
    tbl = shape.table
    for c, text in enumerate(["Site", "Lines", "Savings"]):
        tbl.cell(0, c).text = text
    set_runs(tbl.cell(1, 0).text_frame.paragraphs[0],
             [("{%tr for s in si", {}), ("tes %}", {}), ("{{ s.name }}", {"bold": True})])
    tbl.cell(1, 1).text = "{{ s.lines }}"
    set_runs(tbl.cell(1, 2).text_frame.paragraphs[0],
             [("{{ s.savings }}", {"color": RED}), ("{%tr end", {}), ("for %}", {})])
    tbl.cell(1, 0).fill.solid()
    tbl.cell(1, 0).fill.fore_color.rgb = RGBColor(0xEE, 0xEE, 0xEE)
    for c, text in enumerate(["Total", "{{ sites | sum(attribute='lines') }}", ""]):
        tbl.cell(2, c).text = text
    return prs


@pytest.fixture
def table(table_deck):
    return table_deck.slides[0].shapes[0].table


def render_table(prs, **context):
    template = table_template(prs.slides[0].shapes[0].table)
    assert template is not None
    template.apply(make_environment().template(template.source).render(context))
    return reopen(prs).slides[0].shapes[0].table


SITES = [{"name": "Springfield", "lines": 12, "savings": "$1M"},
         {"name": "Cypress Creek", "lines": 4, "savings": "$0.3M"},
         {"name": "Ogdenville", "lines": 1, "savings": "$0.1M"}]


def test_row_is_repeated_per_item_with_its_cell_formatting(table_deck):
    result = render_table(table_deck, sites=SITES)
    assert [[c.text for c in row.cells] for row in result.rows] == [
        ["Site", "Lines", "Savings"],
        ["Springfield", "12", "$1M"],
        ["Cypress Creek", "4", "$0.3M"],
        ["Ogdenville", "1", "$0.1M"],
        ["Total", "17", ""],
    ]
    for r in (1, 2, 3):
        assert result.cell(r, 0).text_frame.paragraphs[0].runs[0].font.bold is True
        assert result.cell(r, 0).fill.fore_color.rgb == RGBColor(0xEE, 0xEE, 0xEE)
        assert result.cell(r, 2).text_frame.paragraphs[0].runs[0].font.color.rgb == RED


def test_empty_list_leaves_no_template_row(table_deck):
    result = render_table(table_deck, sites=[])
    assert [[c.text for c in row.cells] for row in result.rows] == [
        ["Site", "Lines", "Savings"], ["Total", "0", ""]]


def test_rows_holding_only_tags_are_dropped(table_deck):
    """docxtpl style: the loop tags sit in rows of their own, around the repeated row."""
    prs = table_deck
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    tbl = slide.shapes.add_table(4, 2, Inches(1), Inches(1), Inches(4), Inches(2)).table
    tbl.cell(0, 0).text, tbl.cell(0, 1).text = "Competitor", "Why we win"
    tbl.cell(1, 0).text = "{%tr for c in competitors %}"
    tbl.cell(2, 0).text, tbl.cell(2, 1).text = "{{ c.name }}", "{{ c.edge }}"
    tbl.cell(3, 1).text = "{%tr endfor %}"
    template = table_template(tbl)
    template.apply(make_environment().template(template.source).render(
        competitors=[{"name": "Acme", "edge": "price"}, {"name": "Initech", "edge": "support"}]))
    result = reopen(prs).slides[1].shapes[0].table
    assert [[c.text for c in row.cells] for row in result.rows] == [
        ["Competitor", "Why we win"], ["Acme", "price"], ["Initech", "support"]]


def test_row_tag_in_a_middle_cell_is_refused(table):
    table.cell(2, 1).text = "{%tr if x %}"
    with pytest.raises(MisplacedTagError, match=r"first cell or close its last cell"):
        table_template(table)


def test_block_spanning_two_cells_is_refused(table):
    table.cell(0, 0).text = "{% if x %}Site"
    table.cell(0, 1).text = "Lines{% endif %}"
    template = table_template(table)
    rendered = make_environment().template(template.source).render(x=False, sites=SITES)
    with pytest.raises(MisplacedTagError, match=r"opens in one table cell and closes in another"):
        template.apply(rendered)


TAGGED_TEXT = "Hi {{ a }}, {% if b %}yes{% endif %} and {{ c }}!"


@pytest.mark.parametrize("first", range(1, len(TAGGED_TEXT) - 1, 3))
def test_merge_of_any_split_keeps_the_text_and_puts_every_tag_in_one_run(frame, first):
    """PowerPoint may cut anywhere: try cuts at every third offset combined with every later one."""
    for second in range(first + 1, len(TAGGED_TEXT)):
        paragraph = frame.paragraphs[0]
        pieces = [TAGGED_TEXT[:first], TAGGED_TEXT[first:second], TAGGED_TEXT[second:]]
        set_runs(paragraph, [(piece, {"bold": i == 1}) for i, piece in enumerate(pieces)])
        merge_split_tags(paragraph)
        texts = [r.text for r in paragraph.runs]
        assert "".join(texts) == TAGGED_TEXT, (first, second)
        for tag in ("{{ a }}", "{% if b %}", "{% endif %}", "{{ c }}"):
            assert any(tag in t for t in texts), (first, second, texts)


def test_expression_frames_leave_paragraphs_without_tags_untouched(deck, frame):
    """Fields (slide numbers), hyperlinks and other runs of static paragraphs keep their XML."""
    from lxml import etree

    frame.text = "Static line with a link"
    frame.paragraphs[0].runs[0].hyperlink.address = "https://northwind.example"
    field = etree.SubElement(frame.paragraphs[0]._p, "{http://schemas.openxmlformats.org/drawingml/2006/main}fld",
                             id="{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}", type="slidenum")
    etree.SubElement(field, "{http://schemas.openxmlformats.org/drawingml/2006/main}t").text = "3"
    static_xml = etree.tostring(frame.paragraphs[0]._p)
    frame.add_paragraph().text = "For {{ company }}"
    render_frame(frame, company="Globex")
    paragraphs = reopened(deck).paragraphs
    assert etree.tostring(paragraphs[0]._p) == static_xml
    assert paragraphs[1].text == "For Globex"

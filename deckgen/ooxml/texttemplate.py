"""Text templates of text frames, tables and notes: `{%p %}`/`{%tr %}` tags, and rendered text written back into runs."""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from pptx.oxml.ns import qn

from deckgen.ooxml.pptx_private import table_element, text_body
from deckgen.ooxml.splittags import merge_split_tags, run_text, set_run_text, tag_spans

_A_P, _A_R, _A_T, _A_BR = qn("a:p"), qn("a:r"), qn("a:t"), qn("a:br")
_A_PPR, _A_RPR, _A_END_RPR = qn("a:pPr"), qn("a:rPr"), qn("a:endParaRPr")
_A_TR, _A_TC, _A_TXBODY, _A_EXTLST = qn("a:tr"), qn("a:tc"), qn("a:txBody"), qn("a:extLst")
_P_TXBODY, _P_NVSPPR, _P_NVPR, _P_PH = qn("p:txBody"), qn("p:nvSpPr"), qn("p:nvPr"), qn("p:ph")

# Structure marks: private-use characters the rendered text can never contain (values are
# stripped of them), so the output of one jinja render can be cut back into rows, cells,
# paragraphs and runs. Each mark is LEVEL + index + END.
_ROW, _CELL, _PARA, _RUN, _END = "\ue010", "\ue011", "\ue012", "\ue013", "\ue01f"
_MARKS_RE = re.compile("[\ue010-\ue01f]")
_TOKEN_RE = re.compile("([\ue010-\ue013])(\\d+)\ue01f")
# Paragraphs are joined by a jinja comment holding a newline: it renders to nothing but makes
# jinja's line numbers count paragraphs, so a syntax error points at the paragraph's text.
_LINE_BREAK = "{#\n#}"

_P_TAG_RE = re.compile(r"\{%p\s(.*?)%\}", re.S)
_TR_TAG_RE = re.compile(r"\{%tr\s(.*?)%\}", re.S)
_SPACE_RE = re.compile(r"\s*")
_XML_ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NEEDS_REBUILD_RE = re.compile("[\n\r\v\x00-\x08\x0c\x0e-\x1f\ufffe\uffff]")


class MisplacedTagError(ValueError):
    """A `{%p %}` or `{%tr %}` tag, or a block, sits where it cannot be applied; ``text`` is the paragraph."""

    def __init__(self, message: str, text: str = ""):
        self.text = text
        super().__init__(message)


def strip_structure_marks(text: str) -> str:
    """Return ``text`` without the private-use characters TextTemplate uses to mark structure."""
    return _MARKS_RE.sub("", text)


@dataclass
class _Inline:
    element: etree._Element       # a:r (text run) or an opaque inline element (a:br, a:fld)
    para: int                     # index of the owning paragraph template
    is_run: bool


@dataclass
class _Para:
    head: list[etree._Element]    # a:pPr
    tail: list[etree._Element]    # a:endParaRPr
    element: etree._Element
    cell: int                     # owning cell template, -1 for a text frame
    first_run: int | None = None  # inline index of the first a:r, to keep an emptied line's size


@dataclass
class _Cell:
    element: etree._Element
    row: int
    txbody: etree._Element | None
    paras: list[int] = field(default_factory=list)


@dataclass
class _Row:
    element: etree._Element
    cells: list[int] = field(default_factory=list)


def _shallow(el: etree._Element) -> etree._Element:
    return el.makeelement(el.tag, dict(el.attrib))


class _TemplateBuilder:
    """Collects the source of one text frame or table and the templates its marks refer to."""

    def __init__(self, in_place: bool = False) -> None:
        self.in_place = in_place        # expressions only: runs are updated, nothing is rebuilt
        self.lines: list[str] = []      # source line per paragraph (jinja line numbers index it)
        self.human: list[str] = []      # the paragraph text as a user sees it, for messages
        self.paras: list[_Para] = []
        self.inlines: list[_Inline] = []
        self.cells: list[_Cell] = []
        self.rows: list[_Row] = []

    def paragraph(self, p: etree._Element, cell: int, prefix: str = "",
                  texts: dict[etree._Element, str] | None = None) -> None:
        """Add paragraph ``p``; ``texts`` overrides run texts (row tags already cut out)."""
        inlines = [c for c in p if c.tag not in (_A_PPR, _A_END_RPR)]
        texts = texts or {}
        run_texts = [texts.get(c, run_text(c)) if c.tag == _A_R else None for c in inlines]
        human = "".join(t for t in run_texts if t)
        if _P_TAG_RE.search(human):
            tags = _P_TAG_RE.findall(human)
            if _P_TAG_RE.sub("", human).strip() or any(t is None for t in run_texts):
                raise MisplacedTagError("a {%p %} tag must be alone in its paragraph", human)
            self.lines.append(prefix + "".join("{%" + t + "%}" for t in tags))
            self.human.append(human)
            return
        index = len(self.paras)
        para = _Para(head=[c for c in p if c.tag == _A_PPR], tail=[c for c in p if c.tag == _A_END_RPR],
                     element=p, cell=cell)
        self.paras.append(para)
        if cell >= 0:
            self.cells[cell].paras.append(index)
        parts = [prefix, _PARA, str(index), _END]
        for el, text in zip(inlines, run_texts):
            inline = len(self.inlines)
            self.inlines.append(_Inline(el, index, text is not None))
            mark = f"{_RUN}{inline}{_END}"
            parts.append(mark)
            if text is None:
                continue
            if para.first_run is None:
                para.first_run = inline
            parts.append(_with_continuation_marks(strip_structure_marks(text), mark))
        self.lines.append("".join(parts))
        self.human.append(human)

    def template(self, root: etree._Element, kind: str) -> "TextTemplate":
        return TextTemplate(_LINE_BREAK.join(self.lines), self.human, root, kind, self)


def _with_continuation_marks(text: str, mark: str) -> str:
    """Repeat the run's mark after each `{% %}` tag so text after a block keeps this run's format."""
    if "{%" not in text:
        return text
    out, pos = [], 0
    for start, end in tag_spans(text):
        if text[start + 1] != "%":
            continue
        # `-%}` eats the whitespace after it, so the mark goes after that whitespace
        stop = _SPACE_RE.match(text, end).end() if text[end - 3] == "-" else end
        out += [text[pos:stop], mark]
        pos = stop
    out.append(text[pos:])
    return "".join(out)


def has_brace(root: etree._Element) -> bool:
    return any(t.text and "{" in t.text for t in root.iter(_A_T))


def text_frame_template(text_frame: Any) -> "TextTemplate | None":
    """Return the template of a python-pptx text frame, or None when it holds no `{` at all.

    Split tags are merged in place first (the text a user sees is unchanged).
    Raises MisplacedTagError for a `{%p %}` tag that shares its paragraph with other text.
    """
    return _frame_template(text_body(text_frame))


def _frame_template(txbody: etree._Element) -> "TextTemplate | None":
    if not has_brace(txbody):
        return None
    paragraphs = [(p, _joined_text(p)) for p in txbody.iterchildren(_A_P)]
    if not any("{%" in text or "{#" in text for _, text in paragraphs):
        return _expressions_template(txbody, [p for p, text in paragraphs if "{" in text], "frame")
    builder = _TemplateBuilder()
    for p, _ in paragraphs:
        merge_split_tags(p)
        builder.paragraph(p, -1)
    return builder.template(txbody, "frame")


def _joined_text(p: etree._Element) -> str:
    return "".join(t.text or "" for t in p.iter(_A_T))


def _expressions_template(root: etree._Element, paragraphs: list[etree._Element], kind: str) -> "TextTemplate":
    """Return the template of a frame or table whose only tags are `{{ }}` expressions.

    Without blocks every run renders to exactly one piece of text, so only the paragraphs holding
    a `{` are rendered, and their runs get the new text in place: nothing else is rebuilt.
    """
    builder = _TemplateBuilder(in_place=True)
    for p in paragraphs:
        merge_split_tags(p)
        builder.paragraph(p, -1)
    return builder.template(root, kind)


def _cut_row_tags(tr: etree._Element) -> tuple[list[str], list[str], dict[etree._Element, str], bool]:
    """Return (tags before the row, tags after it, run texts without them, row held only tags).

    The texts are keyed by run element; holding the keys keeps lxml's proxies (and so their
    identity) alive until the row's paragraphs are read.
    """
    cells = list(tr.iterchildren(_A_TC))
    texts: dict[etree._Element, str] = {}
    lead: list[str] = []
    trail: list[str] = []

    def runs_of(tc: etree._Element) -> list[etree._Element]:
        return [r for p in tc.iter(_A_P) for r in p.iterchildren(_A_R)]

    first_runs = runs_of(cells[0]) if cells else []
    for run in first_runs:
        text = run_text(run)
        while True:
            m = _TR_TAG_RE.match(text.lstrip())
            if not m:
                break
            lead.append("{%" + m.group(1) + "%}")
            text = text.lstrip()[m.end():]
        texts[run] = text
        if text.strip():
            break
    last_runs = runs_of(cells[-1]) if cells else []
    for run in reversed(last_runs):
        text = texts.get(run, run_text(run))
        found: list[str] = []
        while True:
            stripped = text.rstrip()
            at = stripped.rfind("{%tr")
            m = _TR_TAG_RE.fullmatch(stripped, at) if at >= 0 else None
            if not m:
                break
            found.append("{%" + m.group(1) + "%}")
            text = stripped[:at]
        trail[:0] = reversed(found)
        texts[run] = text
        if text.strip():
            break
    tag_only = bool(lead or trail) and not any(
        texts.get(r, run_text(r)).strip() for tc in cells for r in runs_of(tc))
    for tc in cells:
        for r in runs_of(tc):
            if "{%tr" in texts.get(r, run_text(r)):
                raise MisplacedTagError("a {%tr %} tag must open the row's first cell or close its last cell",
                                        run_text(r))
    return lead, trail, texts, tag_only


def table_template(table: Any) -> "TextTemplate | None":
    """Return the template of a python-pptx table (all cells, `{%tr %}` rows), or None without any `{`.

    Raises MisplacedTagError for a `{%tr %}` tag anywhere but the start of a row's first cell or
    the end of its last cell, or a `{%p %}` tag sharing its paragraph.
    """
    tbl = table_element(table)
    if not has_brace(tbl):
        return None
    paragraphs = [(p, _joined_text(p)) for p in tbl.iter(_A_P)]
    if not any("{%" in text or "{#" in text for _, text in paragraphs):
        return _expressions_template(tbl, [p for p, text in paragraphs if "{" in text], "table")
    builder = _TemplateBuilder()
    for tr in tbl.iterchildren(_A_TR):
        for p in tr.iter(_A_P):
            merge_split_tags(p)
        lead, trail, texts, tag_only = _cut_row_tags(tr)
        if tag_only:
            builder.lines.append("".join(lead + trail))
            builder.human.append("".join(lead + trail))
            continue
        row = len(builder.rows)
        builder.rows.append(_Row(tr))
        prefix = "".join(lead) + f"{_ROW}{row}{_END}"
        for tc in tr.iterchildren(_A_TC):
            cell = len(builder.cells)
            txbody = tc.find(_A_TXBODY)
            builder.cells.append(_Cell(tc, row, txbody))
            builder.rows[row].cells.append(cell)
            prefix += f"{_CELL}{cell}{_END}"
            for p in (txbody.iterchildren(_A_P) if txbody is not None else ()):
                builder.paragraph(p, cell, prefix, texts)
                prefix = ""
            if prefix:   # a cell without paragraphs: its marks still need a line
                builder.lines.append(prefix)
                builder.human.append("")
                prefix = ""
        builder.lines[-1] += "".join(trail)
    return builder.template(tbl, "table")


class TextTemplate:
    """One text frame or table as jinja source with structure marks, and how to write the result back.

    ``source`` is what jinja renders; line N of it is paragraph ``lines[N-1]`` (the text a user
    sees), for error messages. ``apply(rendered)`` replaces the frame's paragraphs (or the table's
    rows) with ones rebuilt from the rendered text, each piece keeping the formatting of the run,
    paragraph, cell or row it came from. When the only tags are `{{ }}` expressions, only the
    paragraphs holding them are in ``source`` and ``apply`` sets their runs' text in place.
    """

    def __init__(self, source: str, lines: list[str], root: etree._Element, kind: str, parts: _TemplateBuilder):
        self.source = source
        self.lines = lines
        self._root = root
        self._kind = kind
        self._parts = parts

    def line_text(self, lineno: int | None) -> str:
        """Return the user-visible text of jinja source line ``lineno`` ('' when unknown)."""
        if lineno is None or not 1 <= lineno <= len(self.lines):
            return ""
        return self.lines[lineno - 1]

    def apply(self, rendered: str) -> None:
        """Replace the frame's content with ``rendered`` (the output of rendering ``source``)."""
        if self._parts.in_place:
            self._apply_in_place(rendered)
            return
        writer = _Writer(self._parts, self._kind)
        pieces = _TOKEN_RE.split(rendered)
        writer.text(pieces[0])
        for i in range(1, len(pieces), 3):
            writer.mark(pieces[i], int(pieces[i + 1]))
            writer.text(pieces[i + 2])
        writer.close_row()
        container = _A_P if self._kind == "frame" else _A_TR
        for old in list(self._root.iterchildren(container)):
            self._root.remove(old)
        produced = writer.paragraphs if self._kind == "frame" else writer.rows
        if self._kind == "frame" and not produced:
            produced = [writer.empty_paragraph(self._root)]   # a text body needs one a:p
        anchor = self._root.find(_A_EXTLST)
        for el in produced:
            if anchor is not None:
                anchor.addprevious(el)
            else:
                self._root.append(el)

    def _apply_in_place(self, rendered: str) -> None:
        """Set each run's rendered text on the run itself (frames and tables without blocks)."""
        parts = self._parts
        texts: dict[int, str] = {}
        pieces = _TOKEN_RE.split(rendered)
        for i in range(1, len(pieces), 3):
            if pieces[i] == _RUN:
                texts[int(pieces[i + 1])] = pieces[i + 2]
        by_para: dict[int, list[int]] = {}
        for index, inline in enumerate(parts.inlines):
            if inline.is_run:
                by_para.setdefault(inline.para, []).append(index)
        for para, indexes in by_para.items():
            p = parts.paras[para].element
            kept = []
            for index in indexes:
                run = parts.inlines[index].element
                text = texts.get(index, "")
                if _NEEDS_REBUILD_RE.search(text):
                    new = _run_pieces(run, text)
                    for el in reversed(new):
                        run.addnext(el)
                    p.remove(run)
                    kept += [el for el in new if el.tag == _A_R]
                    continue
                set_run_text(run, text)
                if text:
                    kept.append(run)
            if not kept:
                kept.append(parts.inlines[indexes[0]].element)   # keep the line at its run's size
            for index in indexes:
                run = parts.inlines[index].element
                if run.getparent() is p and run not in kept and not run_text(run):
                    p.remove(run)


def _new_run(template: etree._Element, text: str) -> etree._Element:
    """Return a run with ``template``'s formatting and ``text`` (XML-illegal characters dropped)."""
    run = _shallow(template)
    rpr = template.find(_A_RPR)
    if rpr is not None:
        run.append(copy.deepcopy(rpr))
    t = run.makeelement(_A_T, {})
    t.text = _XML_ILLEGAL_RE.sub("", text)
    run.append(t)
    return run


def _new_break(template: etree._Element) -> etree._Element:
    """Return an a:br carrying ``template``'s run formatting (so the line keeps its height)."""
    br = template.makeelement(_A_BR, {})
    rpr = template.find(_A_RPR)
    if rpr is not None:
        br.append(copy.deepcopy(rpr))
    return br


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\v", "\n").split("\n")


def _run_pieces(template: etree._Element, text: str) -> list[etree._Element]:
    """Return runs and line breaks showing ``text`` (newlines become a:br) in ``template``'s format."""
    out: list[etree._Element] = []
    lines = _lines(text)
    for n, line in enumerate(lines):
        if n:
            out.append(_new_break(template))
        if line or len(lines) == 1:
            out.append(_new_run(template, line))
    return out


class _Writer:
    """Rebuilds elements from the rendered token stream (marks and text)."""

    def __init__(self, parts: _TemplateBuilder, kind: str):
        self.parts = parts
        self.kind = kind
        self.paragraphs: list[etree._Element] = []   # top-level a:p of a text frame
        self.rows: list[etree._Element] = []
        self.row: etree._Element | None = None
        self.row_tpl: int | None = None
        self.row_cells: list[int] = []
        self.rows_seen: set[int] = set()
        self.cell: etree._Element | None = None
        self.cell_tpl: int | None = None
        self.cell_txbody: etree._Element | None = None
        self.p: etree._Element | None = None
        self.p_tpl: int | None = None
        self.p_has_inline = False
        self.run: etree._Element | None = None
        self.run_text: list[str] = []
        self.last_run: etree._Element | None = None
        self.joinable: tuple[etree._Element, etree._Element] | None = None  # (template, last run written)
        self.pending = ""

    # -- opening
    def mark(self, level: str, index: int) -> None:
        if level == _RUN:
            self.open_inline(index)
        elif level == _PARA:
            self.open_paragraph(index)
        elif level == _CELL:
            self.open_cell(index)
        else:
            self.open_row(index)

    def open_row(self, index: int) -> None:
        self.close_row()
        tpl = self.parts.rows[index]
        self.row, self.row_tpl, self.row_cells = _shallow(tpl.element), index, []

    def open_cell(self, index: int) -> None:
        self.close_cell()
        tpl = self.parts.cells[index]
        if self.row is None or self.row_tpl != tpl.row:
            self.open_row(tpl.row)
        self.cell, self.cell_tpl = _shallow(tpl.element), index
        self.row_cells.append(index)
        self.cell_txbody = None
        if tpl.txbody is not None:
            self.cell_txbody = _shallow(tpl.txbody)
            for child in tpl.txbody:
                if child.tag != _A_P:
                    self.cell_txbody.append(copy.deepcopy(child))
            self.cell.append(self.cell_txbody)

    def open_paragraph(self, index: int) -> None:
        self.close_paragraph()
        tpl = self.parts.paras[index]
        if self.kind == "table" and (self.cell is None or self.cell_tpl != tpl.cell):
            self.open_cell(tpl.cell)
        self.p, self.p_tpl, self.p_has_inline = _shallow(tpl.element), index, False
        self.joinable = None
        for el in tpl.head:
            self.p.append(copy.deepcopy(el))

    def open_inline(self, index: int) -> None:
        self.close_run()
        tpl = self.parts.inlines[index]
        if self.p is None:
            self.open_paragraph(tpl.para)
        if tpl.is_run:
            self.run = self.last_run = tpl.element
            self.run_text = [self.pending]
            self.pending = ""
        else:
            self.p.append(copy.deepcopy(tpl.element))
            self.p_has_inline = True
            self.joinable = None

    def text(self, text: str) -> None:
        if not text:
            return
        if self.run is None and self.p is not None and self.last_run is not None:
            self.run, self.run_text = self.last_run, []   # text after a line break or field
        if self.run is not None:
            self.run_text.append(text)
        else:
            self.pending += text

    # -- closing
    def close_run(self) -> None:
        if self.run is None:
            return
        text = "".join(self.run_text)
        if text:
            self._write_run(self.run, text)
        self.run, self.run_text = None, []

    def _write_run(self, template: etree._Element, text: str) -> None:
        lines = _lines(text)
        for n, line in enumerate(lines):
            if n:
                self.p.append(_new_break(template))
                self.joinable = None
            if n == 0 and self.joinable is not None and self.joinable[0] is template:
                # consecutive pieces of one run (a loop inside it) stay one run
                t = self.joinable[1].find(_A_T)
                t.text = (t.text or "") + _XML_ILLEGAL_RE.sub("", line)
            elif line or len(lines) == 1:
                run = _new_run(template, line)
                self.p.append(run)
                self.joinable = (template, run)
        self.p_has_inline = True

    def close_paragraph(self) -> None:
        self.close_run()
        if self.p is None:
            return
        tpl = self.parts.paras[self.p_tpl]
        if not self.p_has_inline and tpl.first_run is not None:
            # keep an emptied line at the size of its first run rather than the default size
            self.p.append(_new_run(self.parts.inlines[tpl.first_run].element, ""))
        for el in tpl.tail:
            self.p.append(copy.deepcopy(el))
        if self.kind == "frame":
            self.paragraphs.append(self.p)
        else:
            self.cell_txbody.append(self.p)
        self.p = None

    def close_cell(self) -> None:
        self.close_paragraph()
        if self.cell is None:
            return
        tpl = self.parts.cells[self.cell_tpl]
        if self.cell_txbody is not None and self.cell_txbody.find(_A_P) is None:
            self.cell_txbody.append(self.cell_txbody.makeelement(_A_P, {}))
        for child in tpl.element:
            if child.tag != _A_TXBODY:
                self.cell.append(copy.deepcopy(child))
        self.row.append(self.cell)
        self.cell = None

    def close_row(self) -> None:
        self.close_cell()
        if self.row is None:
            return
        tpl = self.parts.rows[self.row_tpl]
        if self.row_cells != tpl.cells:
            raise MisplacedTagError(
                "a {% %} block opens in one table cell and closes in another; "
                "repeat whole rows with {%tr %} tags",
                "")
        for child in tpl.element:
            # a16:rowId in the row's extLst must stay unique, so only the first copy keeps it
            if child.tag != _A_TC and (child.tag != _A_EXTLST or self.row_tpl not in self.rows_seen):
                self.row.append(copy.deepcopy(child))
        self.rows_seen.add(self.row_tpl)
        self.rows.append(self.row)
        self.row = None

    def empty_paragraph(self, root: etree._Element) -> etree._Element:
        tpl = self.parts.paras[0] if self.parts.paras else None
        p = _shallow(tpl.element) if tpl else root.makeelement(_A_P, {})
        if tpl:
            for el in tpl.head + tpl.tail:
                p.append(copy.deepcopy(el))
        return p


def notes_template(notes_slide: Any) -> "TextTemplate | None":
    """Return the template of a notes slide's notes text (its body placeholder), None without `{`.

    Reads the XML directly: python-pptx's notes_text_frame builds every placeholder proxy first.
    """
    if not has_brace(notes_slide._element):
        return None
    for txbody in notes_slide._element.iter(_P_TXBODY):
        sp = txbody.getparent()
        ph = sp.find(f"{_P_NVSPPR}/{_P_NVPR}/{_P_PH}")
        if ph is not None and ph.get("type") == "body":
            return _frame_template(txbody)
    return None

"""Tags split across runs: merging a paragraph's runs so each {{ }}, {% %} or {# #} tag sits in one run (docxtpl's idea, on elements)."""
from __future__ import annotations

import bisect
import itertools
import re
from typing import Any, Iterator

from lxml import etree
from pptx.oxml.ns import qn

_A_R, _A_T = qn("a:r"), qn("a:t")
_A_PPR, _A_END_RPR = qn("a:pPr"), qn("a:endParaRPr")

_OPENERS = {"{{": "}}", "{%": "%}", "{#": "#}"}
_OPENER_RE = re.compile(r"\{[{%#]")
_SMART_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})


def run_text(run: etree._Element) -> str:
    t = run.find(_A_T)
    return (t.text or "") if t is not None else ""


def set_run_text(run: etree._Element, text: str) -> None:
    t = run.find(_A_T)
    if t is None:
        t = etree.SubElement(run, _A_T)
    t.text = text


def tag_spans(text: str) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of every `{{ }}`, `{% %}` and `{# #}` tag in ``text`` (unclosed ones excluded)."""
    pos = 0
    while True:
        m = _OPENER_RE.search(text, pos)
        if m is None:
            return
        close = text.find(_OPENERS[m.group()], m.end())
        if close < 0:
            return
        yield m.start(), close + 2
        pos = close + 2


def _run_groups(p: etree._Element) -> list[list[etree._Element]]:
    """Return the paragraph's runs in groups of neighbours; line breaks and fields separate groups."""
    groups: list[list[etree._Element]] = [[]]
    for child in p:
        if child.tag == _A_R:
            groups[-1].append(child)
        elif child.tag not in (_A_PPR, _A_END_RPR) and groups[-1]:
            groups.append([])
    return [g for g in groups if g]


def _merge_group(runs: list[etree._Element]) -> bool:
    texts = [run_text(r) for r in runs]
    full = "".join(texts)
    if "{" not in full:
        return False
    starts = list(itertools.accumulate((len(t) for t in texts[:-1]), initial=0))
    new_texts = list(texts)
    # Walk the tags from the last so cutting one never shifts the offsets of those before it.
    for start, end in reversed(list(tag_spans(full))):
        first = bisect.bisect_right(starts, start) - 1
        last = bisect.bisect_right(starts, end - 1) - 1
        # PowerPoint's autocorrect turns quotes typed inside a tag into curly ones.
        tag = full[start:end].translate(_SMART_QUOTES)
        if first == last and tag == full[start:end]:
            continue
        # the whole tag goes to the run where it starts; later runs lose their part of it
        for i in range(first, last + 1):
            lo = max(start, starts[i]) - starts[i]
            hi = min(end, starts[i] + len(texts[i])) - starts[i]
            new_texts[i] = new_texts[i][:lo] + (tag if i == first else "") + new_texts[i][hi:]
    if new_texts == texts:
        return False
    for run, old, new in zip(runs, texts, new_texts):
        if new == old:
            continue
        if new == "":
            run.getparent().remove(run)
        else:
            set_run_text(run, new)
    return True


def merge_split_tags(paragraph: Any) -> bool:
    """Merge every template tag PowerPoint split over several runs into the run where it starts.

    ``paragraph`` is a python-pptx paragraph (or its ``a:p`` element). The text before and after
    each tag stays in its own runs with their formatting; runs left empty by the merge are removed.
    Quotes inside tags are straightened. Returns True when the paragraph changed.
    """
    p = getattr(paragraph, "_p", paragraph)
    changed = False
    for group in _run_groups(p):
        if len(group) > 1 or "{" in run_text(group[0]):
            changed |= _merge_group(group)
    return changed

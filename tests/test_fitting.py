"""The shrink search of the build's text fit: the scale PowerPoint would store, found with few measures."""
from __future__ import annotations

import random

import pytest

from deckgen.marketing.textfit import TextLayout
from deckgen.pipeline import fitting
from test_check import _box

WORDS = ("Predictive maintenance keeps every line running while the plant team focuses on throughput "
         "quality and safety Initrode Manufacturing GmbH & Co. KG").split()


def _exhaustive(layout: TextLayout, box) -> tuple[float, float]:
    """What PowerPoint's rule gives, every step tried: the least line reduction that fits at full
    size, else the largest fontScale step that fits with 20% less spacing, else the smallest."""
    for reduction in (0.1, 0.2):
        if fitting._fits(layout.fit(1.0, reduction, exact=False), box):
            return 1.0, reduction
    fitting_steps = [step for step in range(25, 101)
                     if fitting._fits(layout.fit(fitting._step(step / 100), 0.2, exact=False), box)]
    return (fitting._step(max(fitting_steps) / 100) if fitting_steps else 0.25), 0.2


@pytest.mark.parametrize("seed", [1, 2])
def test_the_shrink_search_finds_what_trying_every_step_finds(seed: int) -> None:
    book = fitting.font_book()
    chance = random.Random(seed)
    searched = measures = 0
    for _ in range(60):
        text = " ".join(chance.choice(WORDS) for _ in range(chance.randint(3, 120)))
        box = _box(text, chance.uniform(40, 400), chance.uniform(15, 200), autofit="shrink",
                   wrap=chance.random() > 0.1)
        layout = TextLayout(box, book)
        if fitting._fits(layout.fit(1.0, 0.0), box):
            continue
        counted = []

        def measure(scale: float, reduction: float):
            counted.append(scale)
            return layout.fit(scale, reduction, exact=False)

        assert fitting._search(measure, box) == _exhaustive(layout, box), text
        searched += 1
        measures += len(counted)
    assert searched > 30
    assert measures / searched < 8          # a bracketed bisection, not a walk over 76 steps


def test_a_shrunk_box_is_measured_exactly_at_the_scale_it_gets() -> None:
    book = fitting.font_book()
    box = _box(" ".join(WORDS * 3), 200, 60, autofit="shrink")
    scale, reduction, fit = fitting.shrink_scale(box, book)
    assert scale < 1.0 and reduction == 0.2
    assert fit == TextLayout(box, book).fit(scale, reduction)          # the exact measure, as check makes it
    assert fitting._fits(fit, box)
    assert not fitting._fits(TextLayout(box, book).fit(round(scale + 0.01, 2), reduction), box)

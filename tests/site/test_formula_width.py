"""The build-time width lint of display formulas (rlref.site.formula_width), on formulas
rendered by the vendored KaTeX; the kb's formulas are measured in Chromium in
tests/site/test_kb_site.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from rlref.site.formula_width import COLUMN_EM, check_page, width_em
from rlref.site.mathrender import KatexRenderer, prerender

SITE = Path(__file__).resolve().parents[2] / "site"
LONG = r"\mathcal{L} = " + " + ".join(rf"\beta_{i} \log \sigma(x_{i} - y_{i})" for i in range(8))


@pytest.fixture(scope="module")
def renderer():
    found = KatexRenderer(SITE)
    yield found
    found.close()


def widths(renderer: KatexRenderer, *formulas: str) -> list[float]:
    return [width_em(html) for html in renderer.render([(tex, True) for tex in formulas])]


def test_a_row_adds_up_a_stack_is_its_widest_line(renderer: KatexRenderer) -> None:
    one, four, fraction, scripts = widths(renderer, "a", "aaaa", r"\frac{aaaa}{b}", "a_{bbbb}^{c}")
    assert 0.3 < one < 0.8 and 3 * one < four < 5 * one
    assert four <= fraction < four + 1.0  # numerator and denominator stacked, not summed
    assert one + 0.7 * 3 * one < scripts < one + 0.8 * 5 * one  # scripts at 70 %


def test_long_formulas_are_wider_than_the_column_short_ones_are_not(
    renderer: KatexRenderer,
) -> None:
    short, long = widths(renderer, r"J(\theta) = \mathbb{E}[R]", LONG)
    assert short < COLUMN_EM / 4 and long > COLUMN_EM


def test_a_page_names_the_line_of_each_wide_formula(renderer: KatexRenderer) -> None:
    page = (
        '<div class="arithmatex">\\[x = 1\\]</div><p>text</p>'
        f'<div class="arithmatex">\\[{LONG}\\]</div>'
    )
    rendered = prerender(page, renderer)
    wide = check_page(rendered, "A/笔记.md", [12, 40])
    assert [(w.path, w.line) for w in wide] == [("A/笔记.md", 40)]
    assert wide[0].width_px > 688 and "688 px" in wide[0].message()
    assert check_page(page, "A/笔记.md", [12, 40]) == []  # not rendered: nothing to measure

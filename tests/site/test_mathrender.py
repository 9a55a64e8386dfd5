"""Formulas rendered at build time: one node process, every arithmatex element and every
formula of the nav/table of contents, with the browser script's prepare()."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rlref.site.mathrender import KatexRenderer, prerender

SITE = Path(__file__).resolve().parents[2] / "site"
RAW = re.compile(r"\\\(|\\\[")

PAGE = """<html><body>
<nav><a class="md-nav__link" href="#k"><span class="md-ellipsis">
  估计器：\\(k_1\\)、\\(k_2 &lt; 1\\)
</span></a><a class="md-nav__link"><span class="md-ellipsis">plain</span></a></nav>
<p>当 <span class="arithmatex">\\(\\pi_{\\theta} &lt; 1\\)</span> 时</p>
<div class="arithmatex">\\[
\\mathbb{1}[a > 0] = \\frac{a}{b}
\\]</div>
<pre><code>re.compile(r"\\(")</code></pre>
</body></html>"""


@pytest.fixture
def renderer():
    found = KatexRenderer(SITE)
    yield found
    found.close()


def outside_code(page: str) -> str:
    return re.sub(r"<pre\b.*?</pre>|<annotation\b.*?</annotation>", "", page, flags=re.S)


def test_every_formula_of_the_page_is_rendered(renderer: KatexRenderer) -> None:
    page = prerender(PAGE, renderer)
    assert RAW.findall(outside_code(page)) == []
    assert page.count('data-rlref-katex="1"') == 2
    assert page.count('class="katex-display"') == 1
    assert page.count('class="katex"') == 4  # two in the text, two in the nav
    assert "\U0001d7d9" in page  # \mathbb{1} drawn as a double-struck one, as in the browser
    assert "&amp;lt;" not in page  # the HTML entities of the TeX are read, not re-escaped
    assert '<span class="md-ellipsis">plain</span>' in page
    assert 're.compile(r"\\(")' in page  # code is not math


def test_one_process_for_many_pages_and_a_cache(renderer: KatexRenderer) -> None:
    prerender(PAGE, renderer)
    process = renderer._process
    sent = renderer.rendered
    for _ in range(5):
        prerender(PAGE, renderer)
    assert renderer._process is process and renderer.rendered == sent == 4
    other = PAGE.replace("k_1", "k_9")
    prerender(other, renderer)
    assert renderer._process is process and renderer.rendered == 5


def test_a_bad_formula_is_an_error_span_not_a_stop(renderer: KatexRenderer) -> None:
    page = prerender('<span class="arithmatex">\\(\\frac{a}\\)</span>', renderer)
    assert "katex-error" in page


def test_a_page_without_math_is_unchanged(renderer: KatexRenderer) -> None:
    assert prerender("<p>x</p>", renderer) == "<p>x</p>"
    assert renderer._process is None

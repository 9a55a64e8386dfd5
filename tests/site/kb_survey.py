"""One visit per kb page and screen size, shared by the kb browser tests.

Loading a kb page in Chromium takes about a second on the CI machine, and four tests read
every page (formulas render, formulas fit, diagrams are legible, table identifiers stay
whole) at one or two sizes: each page is loaded once per size here, everything those tests
measure is read in that one visit, and the tests assert on the record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

DESKTOP = (1440, 900)
PHONE = (390, 844)

# Material draws each diagram into a *closed* shadow root, which page scripts cannot read;
# this test-only init script opens it (the mode changes nothing in layout or style).
OPEN_SHADOW_ROOTS = """
const attach = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (options) {
  return attach.call(this, Object.assign({}, options, {mode: "open"}));
};
"""
FORMULAS_RENDERED = """() => Array.from(document.querySelectorAll('div.arithmatex'))
    .every(block => block.querySelector('.katex-display, .katex-error'))"""
DIAGRAMS_DRAWN = """() => {
  const all = Array.from(document.querySelectorAll('.md-typeset div.mermaid'));
  return all.every(d => d.shadowRoot && d.shadowRoot.querySelector('svg')
    && d.dataset.rlrefFitted === '1');
}"""
# Everything the kb tests read from one page, in one call.
MEASURE = """() => {
  const article = document.querySelector('article');
  const column = article.getBoundingClientRect();
  // display formulas: [overflows its box, has the scroll-cue class, shows a shadow]
  const formulas = Array.from(document.querySelectorAll('div.arithmatex')).map(d => [
    d.scrollWidth > d.clientWidth + 1, d.classList.contains('rlref-scrolls'),
    getComputedStyle(d).boxShadow !== 'none']);
  // per diagram: the smallest node text as drawn on screen (font size x the SVG's scale,
  // which counts the zoom applied to the diagram), and how it sits in its column
  const diagrams = Array.from(document.querySelectorAll('.md-typeset div.mermaid')).map(d => {
    const svg = d.shadowRoot.querySelector('svg');
    const box = svg.getBoundingClientRect();
    const viewBox = svg.viewBox.baseVal;
    const scale = viewBox && viewBox.width ? box.width / viewBox.width : 1;
    const texts = Array.from(svg.querySelectorAll('.nodeLabel, .edgeLabel, text'))
      .filter(t => t.textContent.trim());
    const sizes = texts.map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
    return {
      texts: sizes.length,
      smallest: Math.min(...sizes),
      wide: d.scrollWidth > d.clientWidth + 1,
      scrolls: getComputedStyle(d).overflowX === 'auto',
      cue: d.classList.contains('rlref-more-right'),
      fits: box.right <= column.right + 1 || d.scrollWidth > d.clientWidth + 1,
    };
  });
  // each code element of a table whose text is one word: its text and line boxes (an
  // identifier broken mid-word has two or more)
  const identifiers = Array.from(article.querySelectorAll('table:not([class]) code'))
    .filter(code => code.textContent.length > 0 && !/\\s/.test(code.textContent))
    .map(code => [code.textContent, code.getClientRects().length]);
  // tables wider than the article must sit in a box, no wider than the screen, that scrolls
  // sideways (Material's wrapper reaches a little into the article's padding)
  const screen = document.documentElement.clientWidth;
  const scrolls = el => {
    for (let box = el; box && box.tagName !== 'ARTICLE'; box = box.parentElement) {
      const overflow = getComputedStyle(box).overflowX;
      if ((overflow === 'auto' || overflow === 'scroll') && box.clientWidth <= screen) return true;
    }
    return false;
  };
  const wideTables = Array.from(article.querySelectorAll('table:not([class])'))
    .filter(t => t.scrollWidth > column.width + 1);
  return {
    formulas,
    katex_display: document.querySelectorAll('.katex-display').length,
    katex_errors: document.querySelectorAll('.katex-error').length,
    diagrams,
    identifiers,
    wide_tables: wideTables.length,
    unscrollable_tables: wideTables.filter(t => !scrolls(t)).length,
  };
}"""


@dataclass
class Survey:
    """What each kb note page (its site path) showed at one screen size."""

    viewport: tuple[int, int]
    pages: dict[str, dict[str, Any]] = field(default_factory=dict)
    external: list[str] = field(default_factory=list)  # non-loopback requests (all aborted)
    errors: list[str] = field(default_factory=list)  # uncaught JavaScript errors


def note_pages(site: Path) -> list[str]:
    """Every note page of the built site, as paths relative to it."""
    return sorted(page.relative_to(site).as_posix() for page in (site / "notes").rglob("*.html"))


def survey(chromium: Any, site: Path, base: str, viewport: tuple[int, int]) -> Survey:
    """Visit every note page of ``site`` (served at ``base``) once at ``viewport``."""
    found = Survey(viewport)
    context = chromium.new_context(viewport={"width": viewport[0], "height": viewport[1]})

    def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith("http://127.0.0.1:") or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            found.external.append(url)
            route.abort()

    context.route("**/*", guard)
    context.add_init_script(OPEN_SHADOW_ROOTS)
    page = context.new_page()
    page.on("pageerror", lambda error: found.errors.append(str(error)))
    try:
        for path in note_pages(site):
            page.goto(base + quote(path), wait_until="load")
            page.wait_for_function(FORMULAS_RENDERED, timeout=10_000)
            page.wait_for_function(DIAGRAMS_DRAWN, timeout=20_000)
            page.wait_for_timeout(50)  # the scroll cues are set on the next frame
            found.pages[path] = page.evaluate(MEASURE)
    finally:
        context.close()
    return found

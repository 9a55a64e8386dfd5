r"""The site's KaTeX renderer draws the indicator ``\mathbb{1}`` as a double-struck one.

KaTeX's ``\mathbb`` has no digit glyphs, so ``\mathbb{1}`` would render as a plain "1";
``site/assets/javascripts/katex-render.js`` rewrites it, at render time, into U+1D7D9. These
tests run the vendored KaTeX (``site/node_modules/katex``) under node.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

SITE = Path(__file__).resolve().parents[2] / "site"
RENDERER = SITE / "assets" / "javascripts" / "katex-render.js"
KATEX = SITE / "node_modules" / "katex"
DOUBLE_STRUCK_ONE = "\U0001d7d9"

_SCRIPT = """
const katex = require(process.argv[1]);
const renderer = require(process.argv[2]);
const warnings = [];
console.warn = (...args) => warnings.push(args.join(" "));
const out = JSON.parse(process.argv[3]).map(([tex, prepared]) => {
  warnings.length = 0;
  const source = prepared ? renderer.prepare(tex) : tex;
  const html = katex.renderToString(source, renderer.options(true));
  return {source, html, warnings: [...warnings]};
});
process.stdout.write(JSON.stringify(out));
"""


def render(*texs: str, prepared: bool = True) -> list[dict]:
    node = shutil.which("node")
    assert node is not None, "node is needed to build the site (KaTeX, Mermaid)"
    assert KATEX.is_dir(), "run `npm ci` in site/ (KaTeX is pinned in site/package-lock.json)"
    result = subprocess.run(
        [node, "-e", _SCRIPT, str(KATEX), str(RENDERER),
         json.dumps([[tex, prepared] for tex in texs])],
        capture_output=True, text=True, check=True, timeout=60,
    )
    return json.loads(result.stdout)


def visible(html: str) -> str:
    """The text of the HTML rendering (not the MathML copy for screen readers)."""
    html = html[html.index('<span class="katex-html"'):]
    return re.sub(r"<[^>]+>", "", html)


@pytest.mark.parametrize("tex", [
    r"\mathbb{1}[a > 0]", r"\mathbb 1_{a > 0}", r"\mathbb{ 1 }\{a\} b", r"x\mathbb{1}(a)",
])
def test_the_indicator_renders_as_a_double_struck_one(tex):
    (out,) = render(tex)
    assert DOUBLE_STRUCK_ONE in visible(out["html"])
    assert "1" not in visible(out["html"]).replace(DOUBLE_STRUCK_ONE, "")
    assert 'class="katex-error"' not in out["html"]
    assert out["warnings"] == []


def test_katex_alone_would_draw_a_plain_one():
    (out,) = render(r"\mathbb{1}[a]", prepared=False)  # why the renderer rewrites it
    assert visible(out["html"]) == "1[a]"


def test_other_formulas_are_left_alone():
    texs = [r"\mathbb{R} + \mathbb{E}_t[x] + 1", r"\mathbb{12}"]
    for out, tex in zip(render(*texs), texs, strict=True):
        assert out["source"] == tex
        assert DOUBLE_STRUCK_ONE not in out["html"]
    (out,) = render("\\text{\U0001f600}")  # other unknown characters still warn
    assert out["warnings"]


def test_every_formula_goes_through_the_rewrite():
    source = RENDERER.read_text(encoding="utf-8")
    calls = re.findall(r"katex\.(?:render|renderToString)\(([^,]+),", source)
    assert len(calls) >= 2  # page formulas and the table of contents
    assert all(first.startswith("prepare(") for first in calls), calls

"""How wide a display formula is, read from KaTeX's HTML at build time (no browser).

KaTeX lays a formula out in nested spans: a row is the sum of its pieces, a stack (``vlist``:
a fraction, a sub/superscript, an accent) is as wide as its widest line, explicit spaces
carry their width in ``em``, and ``sizing`` classes scale what they hold. The width of each
glyph is approximated by its kind (a Latin letter, a digit, an operator, a big operator, a
CJK character). Measured in Chromium against kb's 267 display formulas at 1440 px
(tests/site/test_kb_site.py), the estimate finds every formula wider than the column.

Against Chromium's widths the estimate is 0.80–1.18 × the real one (median 1.04): the 18
formulas wider than the column are all found, with 2 more that come within 7 % of its edge.

The column of the site's text at 1440 px is 688 px and KaTeX's display font 19.36 px:
35.5 em. The MkDocs hook (``rlref.site.mkdocs_hooks``) measures each display formula of a
note as it is rendered and keeps the wide ones in :data:`found`, with the note's path and
the formula's line; ``rlref build`` reports them as diagnostics of kind ``wide-formula``
(a warning; an error that fails the build under ``--strict``, as kb is built).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from rlref.diagnostics import Diagnostic, diagnose

COLUMN_PX = 688  # the text column at 1440 px (Material, this site's stylesheet)
FONT_PX = 19.36  # KaTeX's display font size there (1.21 × the text's 16 px)
COLUMN_EM = COLUMN_PX / FONT_PX


@dataclass(frozen=True)
class WideFormula:
    path: str  # vault path of the note
    line: int  # line of the formula's opening $$
    width_px: int  # estimated width at 1440 px

    def message(self) -> str:
        return (
            f"display formula about {self.width_px} px wide, wider than the text column "
            f"({COLUMN_PX} px at 1440 px): break it with aligned, or it scrolls sideways"
        )

    def diagnostic(self) -> Diagnostic:
        return diagnose("wide-formula", self.path, self.line, self.message())


found: list[WideFormula] = []  # this build's wide formulas (reset when a build starts)
_DISPLAY = re.compile(r'<div class="arithmatex" data-rlref-katex="1">(.*?)</div>', re.S)


def check_page(page_html: str, path: str, lines: list[int]) -> list[WideFormula]:
    """The display formulas of a rendered note page wider than the column; ``lines`` are
    the lines of the note's display formulas, in the page's order."""
    wide = []
    for match, line in zip(_DISPLAY.finditer(page_html), lines, strict=False):
        em = width_em(match.group(1))
        if em > COLUMN_EM:
            wide.append(WideFormula(path, line, round(em * FONT_PX)))
    return wide


_EM = re.compile(r"(margin-(?:left|right)|width|min-width)\s*:\s*(-?[\d.]+)em")
_SIZES = {
    1: 0.5,
    2: 0.6,
    3: 0.7,
    4: 0.8,
    5: 0.9,
    6: 1.0,
    7: 1.2,
    8: 1.44,
    9: 1.728,
    10: 2.074,
    11: 2.488,
}
_SIZING = re.compile(r"reset-size(\d+) size(\d+)")
_VOID = {"br", "img", "input", "meta", "link", "hr", "path", "line"}


def glyph_em(char: str) -> float:
    """A glyph's advance in em, by kind."""
    if char in "\u200b\u200c\u200d\u2060\ufeff":
        return 0.0
    if "\u3000" <= char <= "\u9fff" or "\uff00" <= char <= "\uffef":
        return 1.0
    if char in "∑∏∫∮⋃⋂":
        return 1.05
    if char in "=<>≤≥≈≠≡→←↦⇒⇔+−×÷±∓∝∈∉⊂⊆∼≃≅∣∥":
        return 0.78
    if char in "()[]{}|‖⟨⟩":
        return 0.39
    if char in ",.;:!'′":
        return 0.28
    if char.isdigit():
        return 0.5
    if char.isupper():
        return 0.72
    if char.isalpha():
        return 0.52
    if char.isspace():
        return 0.0
    return 0.6


@dataclass
class _Node:
    classes: frozenset[str]
    style: str
    children: list[_Node | str] = field(default_factory=list)


_TOKEN = re.compile(r"<(/?)([a-zA-Z][\w-]*)([^>]*)>|([^<]+)")
_CLASS = re.compile(r'class="([^"]*)"')
_STYLE = re.compile(r'style="([^"]*)"')


def _tree(katex_html: str) -> _Node:
    """The laid-out part of KaTeX's HTML (``katex-html``; the MathML copy is skipped) as a
    tree of spans. This KaTeX build prefixes its classes (katex-sizing): read them bare."""
    start = katex_html.find('class="katex-html"')
    text = katex_html[katex_html.rfind("<", 0, start) :] if start >= 0 else katex_html
    root = _Node(frozenset(), "")
    stack = [root]
    for match in _TOKEN.finditer(text):
        closing, tag, attrs, data = match.groups()
        if data is not None:
            stack[-1].children.append(html.unescape(data))
        elif tag.lower() in _VOID or attrs.endswith("/"):
            continue
        elif closing:
            if len(stack) > 1:
                stack.pop()
        else:
            found = _CLASS.search(attrs)
            names = (found.group(1) if found else "").split()
            style = _STYLE.search(attrs)
            node = _Node(
                frozenset(n.removeprefix("katex-") for n in names), style.group(1) if style else ""
            )
            stack[-1].children.append(node)
            stack.append(node)
    return root


def _scale(node: _Node) -> float:
    if "sizing" not in node.classes and "fontsize-ensurer" not in node.classes:
        return 1.0
    for name in node.classes:
        if name.startswith("reset-size"):
            reset = int(name.removeprefix("reset-size"))
            size = next(
                (int(c.removeprefix("size")) for c in node.classes if re.fullmatch(r"size\d+", c)),
                reset,
            )
            return _SIZES.get(size, 1.0) / _SIZES.get(reset, 1.0)
    return 1.0


def _width(node: _Node | str, scale: float) -> float:
    if isinstance(node, str):
        return scale * sum(glyph_em(char) for char in node)
    scale *= _scale(node)
    margins = 0.0
    fixed: float | None = None
    for prop, value in _EM.findall(node.style):
        if prop.startswith("margin"):
            margins += float(value)
        elif prop == "width" or prop == "min-width":
            fixed = float(value)
    if "large-op" in node.classes:
        scale *= 1.35
    if "vlist" in node.classes:  # lines stacked: the widest
        inner = max((_width(child, scale) for child in node.children), default=0.0)
    elif "vlist-s" in node.classes or "strut" in node.classes:
        inner = 0.0
    else:
        inner = sum(_width(child, scale) for child in node.children)
    if fixed is not None and "mspace" in node.classes:
        inner = fixed
    return inner + margins * scale


def width_em(katex_html: str) -> float:
    """The estimated width of one rendered formula, in em of its own font."""
    root = _tree(katex_html)
    return _width(_find(root, "html") or root, 1.0)


def _find(node: _Node, name: str) -> _Node | None:
    if name in node.classes:
        return node
    for child in node.children:
        if isinstance(child, _Node) and (found := _find(child, name)) is not None:
            return found
    return None

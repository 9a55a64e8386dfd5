"""A module's source as highlighted HTML with an anchor on every line (``#L-12``).

The concept card links each implementation to its source line. MkDocs only validates
anchors it can see in a page's Markdown, and a fenced block's line anchors appear only
after highlighting, so the page carries the highlighted HTML itself. One regular
expression colours strings, comments, numbers, keywords and definitions with Pygments'
CSS class names (which Material styles): every build highlights all of ``rlref``'s
modules, and this is an order of magnitude faster than Pygments or ``tokenize``.
"""

from __future__ import annotations

import builtins
import html
import keyword
import re

_TOKEN = re.compile(
    r"""(?P<sd>\b[rRbBuUfF]{0,2}(?:\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''))
      | (?P<s>\b[rRbBuUfF]{0,2}(?:"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'))
      | (?P<sq>(?:\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?''')|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')
      | (?P<c1>\#[^\n]*)
      | (?P<mi>\b\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?j?\b)
      | (?P<name>[A-Za-z_]\w*)
    """,
    re.VERBOSE,
)
_BUILTINS = frozenset(dir(builtins))
_CONSTANTS = frozenset({"True", "False", "None"})
_KEYWORDS = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) - _CONSTANTS


def _spans(source: str) -> list[tuple[int, int, str]]:
    """(start, end, css class) of the coloured tokens, as offsets into ``source``."""
    found = []
    previous = ""
    for match in _TOKEN.finditer(source):
        kind = match.lastgroup
        text = match.group()
        if kind == "name":
            if previous in ("def", "class"):
                css = "nf" if previous == "def" else "nc"
            elif text in _CONSTANTS:
                css = "kc"
            elif text in _KEYWORDS:
                css = "k"
            elif text in _BUILTINS:
                css = "nb"
            else:
                css = ""
            previous = text
        else:
            css = {"sd": "sd", "s": "s", "sq": "s", "c1": "c1", "mi": "mi"}[kind or ""]
            if css == "s" and text.lstrip("rRbBuUfF").startswith(('"""', "'''")):
                css = "sd"
            previous = ""
        if css:
            found.append((match.start(), match.end(), css))
    return found


def highlight_lines(source: str) -> list[str]:
    """One HTML string per source line; a span never crosses a line end."""
    pieces: list[str] = []
    cursor = 0
    for start, end, css in _spans(source):
        pieces.append(html.escape(source[cursor:start], quote=False))
        for i, part in enumerate(source[start:end].split("\n")):
            if i:
                pieces.append("\n")
            if part:
                pieces.append(f'<span class="{css}">{html.escape(part, quote=False)}</span>')
        cursor = end
    pieces.append(html.escape(source[cursor:], quote=False))
    return "".join(pieces).split("\n")


def highlighted_source(source: str) -> str:
    """The HTML of Pygments' "table" line-number layout, with ``L-<n>`` line anchors."""
    lines = highlight_lines(source.rstrip("\n"))
    numbers = "\n".join(
        f'<span class="normal"><a href="#L-{n}">{n}</a></span>' for n in range(1, len(lines) + 1)
    )
    code = "".join(
        f'<a id="L-{n}" name="L-{n}"></a>{line}\n' for n, line in enumerate(lines, start=1)
    )
    return (
        '<div class="language-python highlight"><table class="highlighttable"><tr>'
        f'<td class="linenos"><div class="linenodiv"><pre>{numbers}</pre></div></td>'
        f'<td class="code"><div><pre><span></span><code>{code}</code></pre></div></td>'
        "</tr></table></div>"
    )

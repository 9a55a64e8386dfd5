"""A module's source read side by side, as labml.ai shows its implementations: each function's
description — prose and display formulas from its docstring, rendered like a note — beside the
code that computes it.

The page is cut at every top-level statement that carries a docstring (the module, each
function and class): a row holds that docstring's description on the left and the statement's
code on the right, its docstring lines left out of the code (they are on the left). Statements
without a docstring (imports, constants) join the row above. Every source line keeps its
``#L-<n>`` anchor, docstring lines included, so links to a line land in its row. The
description stops at the first Google-style section (``Args:``, ``Returns:`` …): argument
lists belong to the API page. On a narrow screen the two columns stack.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from rlref.site.griffe_notes import link_docstring
from rlref.site.source import highlight_lines

# A Google-style section header on its own line ends the description shown beside the code.
_SECTION = re.compile(
    r"^(?:Args|Arguments|Parameters|Returns|Return|Yields|Raises|Attributes|Examples?)\s*:\s*$",
    re.MULTILINE,
)
_DOCUMENTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


@dataclass(frozen=True)
class Row:
    """Source lines ``first``…``last`` (1-based, inclusive) and the description beside them;
    ``hidden`` are the docstring's lines, shown on the left instead of in the code."""

    first: int
    last: int
    description: str
    hidden: frozenset[int]


def _docstring_lines(node: ast.AST) -> frozenset[int]:
    body = getattr(node, "body", [])
    if not body or ast.get_docstring(node, clean=False) is None:  # type: ignore[arg-type]
        return frozenset()
    statement = body[0]
    return frozenset(range(statement.lineno, (statement.end_lineno or statement.lineno) + 1))


def description(doc: str | None) -> str:
    """The prose and formulas of a docstring, up to its first Google-style section."""
    if not doc:
        return ""
    cut = _SECTION.search(doc)
    return (doc[: cut.start()] if cut else doc).strip()


def rows(source: str) -> list[Row]:
    """The page's rows for ``source`` (a syntax error gives one row holding every line)."""
    count = len(source.rstrip("\n").split("\n"))
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return [Row(1, count, "", frozenset())]
    starts: list[tuple[int, str, frozenset[int]]] = [
        (1, description(ast.get_docstring(tree)), _docstring_lines(tree))
    ]
    source_lines = source.split("\n")
    for statement in tree.body:
        if not isinstance(statement, _DOCUMENTED) or ast.get_docstring(statement) is None:
            continue
        first = min([statement.lineno, *(d.lineno for d in statement.decorator_list)])
        # comments and blank lines just above a definition belong to it
        while first > starts[-1][0] + 1 and (
            not source_lines[first - 2].strip() or source_lines[first - 2].lstrip().startswith("#")
        ):
            first -= 1
        while first < statement.lineno and not source_lines[first - 1].strip():
            first += 1  # blank lines above those comments stay with the row before
        starts.append(
            (first, description(ast.get_docstring(statement)), _docstring_lines(statement))
        )
    found = []
    for i, (first, text, hidden) in enumerate(starts):
        last = starts[i + 1][0] - 1 if i + 1 < len(starts) else count
        if last >= first:
            found.append(Row(first, last, text, hidden))
    return found


def side_by_side_source(source: str, links: dict[str, dict[str, str]], depth: int) -> str:
    """The HTML (with Markdown in its left cells, for MkDocs' ``md_in_html``) of the page.

    ``links`` are the resolved docstring wikilinks (``rlref.site.docstring_links``), whose
    URLs are relative to an API page; ``depth`` is how many folders deeper this page sits.
    """
    rebased = {raw: {**link, "url": "../" * depth + link["url"]} for raw, link in links.items()}
    highlighted = highlight_lines(source.rstrip("\n"))
    # md_in_html reads Markdown in a cell only when every enclosing block asks for it; the
    # code cell, which does not, stays raw HTML
    parts = ['<div class="rlref-side-by-side" markdown="1">']
    for row in rows(source):
        numbers, code = [], []
        for n in range(row.first, row.last + 1):
            anchor = f'<a id="L-{n}" name="L-{n}"></a>'
            if n in row.hidden:
                code.append(anchor)  # the docstring is on the left; its lines keep anchors
                continue
            numbers.append(f'<span class="normal"><a href="#L-{n}">{n}</a></span>')
            code.append(f"{anchor}{highlighted[n - 1]}\n")
        text = link_docstring(row.description, rebased)
        left = (
            f'<div class="rlref-sbs-doc" markdown="1">\n\n{text}\n\n</div>'
            if text
            else ('<div class="rlref-sbs-doc"></div>')
        )
        line_numbers, code_lines = "\n".join(numbers), "".join(code)
        right = (
            '<div class="rlref-sbs-code language-python highlight"><table class="highlighttable">'
            f'<tr><td class="linenos"><div class="linenodiv"><pre>{line_numbers}</pre>'
            f'</div></td><td class="code"><div><pre><span></span><code>{code_lines}'
            "</code></pre></div></td></tr></table></div>"
        )
        parts.append(f'<div class="rlref-sbs-row" markdown="1">\n{left}\n{right}\n</div>')
    parts.append("</div>")
    return "\n".join(parts)

"""Block structure of a note body, and its re-indentation for Python-Markdown.

Obsidian reads CommonMark; MkDocs reads Python-Markdown, which differs where notes
commonly rely on CommonMark:

* a list, table, fence or ``$$`` block right after a paragraph line needs a blank line;
* nested list content needs four spaces of indentation (Obsidian notes use two);
* an Obsidian callout (``> [!note] Title``) is a blockquote, Material's is an admonition.

So the body is parsed once with the vault's own markdown-it block rules (the same parser
``rlref.vault`` uses, so both agree on what is a list, a fence or a callout), and every
line is rebuilt as *container prefix + content*: each enclosing blockquote, callout and
list item contributes its own prefix, written the Python-Markdown way.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from markdown_it.token import Token

from rlref.site.callouts import Callout, parse_callout
from rlref.vault.code_spans import protected_spans
from rlref.vault.markdown import parser
from rlref.vault.parse import FORMULA_TAG
from rlref.vault.sanitize import clean_html, clean_inline

# Tokens that start a block; two of them on adjacent lines at the same level need a blank.
_STARTERS = {
    "paragraph_open",
    "heading_open",
    "bullet_list_open",
    "ordered_list_open",
    "blockquote_open",
    "fence",
    "code_block",
    "math_block",
    "math_block_label",
    "html_block",
    "table_open",
    "hr",
}
_LISTS = {"bullet_list_open", "ordered_list_open"}
# Lines of these blocks are copied as they are: no link or tag is rewritten inside them.
_VERBATIM = {"fence", "code_block", "math_block", "math_block_label", "html_block"}
_QUOTE_MARK = re.compile(r"^ {0,3}> ?")
_ITEM_MARK = re.compile(r"^( {0,3})([-*+]|\d{1,9}[.)])(?=[ \t]|$)([ \t]*)")
_LEADING_WS = re.compile(r"^[ \t]+")


@dataclass(eq=False)
class Container:
    """A blockquote, callout or list item spanning body lines ``[start, end)``."""

    kind: str  # "quote" | "callout" | "item"
    start: int
    end: int
    callout: Callout | None = None
    offset: int = 0  # list item: column where its content starts (set on its first line)


@dataclass
class BodyStructure:
    lines: list[str]
    containers: list[list[Container]]  # per line, outermost first
    verbatim: list[bool]
    blank_before: dict[int, list[Container]] = field(default_factory=dict)
    headings: set[int] = field(default_factory=set)
    formula_tags: dict[int, str] = field(default_factory=dict)
    formula_ends: dict[int, str] = field(default_factory=dict)  # last line of a tagged $$ → id
    html_blocks: dict[int, int] = field(default_factory=dict)  # first line → end (exclusive)
    # Lines of a paragraph holding a one-line ``$$…$$`` (split out as display blocks).
    inline_display: set[int] = field(default_factory=set)
    first_h1_end: int | None = None  # line after the body's leading H1, when it has one


def block_tokens(body: str) -> list[Token]:
    """markdown-it's block tokens only: the inline pass is not needed here (and costs most)."""
    md = parser()
    tokens: list[Token] = []
    md.block.parse(body, md, {}, tokens)
    return tokens


def analyse(body: str, tokens: list[Token] | None = None) -> BodyStructure:
    """The structure of ``body``; ``tokens`` are its markdown-it tokens when already parsed."""
    lines = body.split("\n")
    count = len(lines)
    structure = BodyStructure(lines, [[] for _ in range(count)], [False] * count)
    stack: list[Container] = []
    previous_end: dict[int, int] = {}  # id(parent container) → end line of its last block
    if tokens is None:
        tokens = block_tokens(body)
    first_block = True
    tag: tuple[str, int] | None = None  # the formula tag just read: (id, line after it)
    for i, token in enumerate(tokens):
        if token.type in ("blockquote_close", "list_item_close"):
            stack.pop()
            continue
        if token.map is None:
            continue
        start, end = token.map
        if token.type in _STARTERS:
            parent = stack[-1] if stack else None
            key = id(parent)
            nested_list = token.type in _LISTS and parent is not None and parent.kind == "item"
            if previous_end.get(key) == start and not nested_list:
                structure.blank_before[start] = list(stack)
            previous_end[key] = end
            if first_block and token.type == "heading_open" and token.tag == "h1":
                structure.first_h1_end = end
            first_block = False
        if token.type in _VERBATIM:
            for line in range(start, min(end, count)):
                structure.verbatim[line] = True
            if token.type == "html_block":
                match = FORMULA_TAG.match(token.content)
                if match:
                    structure.formula_tags[start] = match.group(1)
                    tag = (match.group(1), end)
                    continue
                structure.html_blocks[start] = min(end, count)
            elif token.type in ("math_block", "math_block_label") and tag and tag[1] == start:
                structure.formula_ends[min(end, count) - 1] = tag[0]
            tag = None
        elif token.type == "heading_open":
            structure.headings.add(start)
        elif token.type == "paragraph_open" and "$$" in tokens[i + 1].content:
            _display_math(structure, tokens[i + 1].content, start, end, list(stack))
        elif token.type in ("blockquote_open", "list_item_open"):
            container = _container(token, tokens, i)
            for line in range(start, min(end, count)):
                structure.containers[line].append(container)
            stack.append(container)
    return structure


_ONE_LINE_DISPLAY = re.compile(r"\$\$(?=\S).*?\$\$")


def _display_math(
    structure: BodyStructure, content: str, start: int, end: int, stack: list[Container]
) -> None:
    """``$$`` inside a paragraph is display math for Obsidian (and for the vault parser),
    but Python-Markdown's arithmatex only reads ``$$`` blocks that stand alone: give them
    blank lines around them."""
    lines = content.split("\n")
    opener: int | None = None
    for offset, text in enumerate(lines):
        line = start + offset
        stripped = text.strip()
        if opener is not None:
            structure.verbatim[line] = True
            if stripped.endswith("$$"):
                if line + 1 < end:
                    structure.blank_before[line + 1] = stack
                opener = None
        elif stripped.startswith("$$") and stripped.count("$$") == 1:
            opener = line
            structure.verbatim[line] = True
            if line > start:
                structure.blank_before[line] = stack
        elif _ONE_LINE_DISPLAY.search(text):
            structure.inline_display.add(line)


def _split_display(content: str, first: str, rest: str, blank: str) -> str:
    """Put each one-line ``$$…$$`` of a paragraph line into a block of its own; ``first``
    and ``rest`` are the container prefixes of the first and the following lines."""
    pieces = []
    last = 0
    for match in _ONE_LINE_DISPLAY.finditer(content):
        before = content[last : match.start()].rstrip()
        if before.strip():
            pieces.append(before)
        pieces.append(match.group())
        last = match.end()
    after = content[last:].strip()
    if after:
        pieces.append(after)
    lines = [first + pieces[0]]
    for piece in pieces[1:]:
        lines += [blank, rest + piece]
    return "\n".join([blank, *lines, blank])


def _container(token: Token, tokens: list[Token], i: int) -> Container:
    start, end = token.map or (0, 0)
    if token.type == "list_item_open":
        return Container("item", start, end)
    # A callout is a blockquote whose first paragraph begins with ``[!type]``.
    if i + 2 < len(tokens) and tokens[i + 1].type == "paragraph_open":
        callout = parse_callout(tokens[i + 2].content.split("\n", 1)[0])
        if callout is not None:
            return Container("callout", start, end, callout)
    return Container("quote", start, end)


def _strip(line: str, index: int, containers: list[Container]) -> tuple[list[str], str]:
    """Split ``line`` into the new prefixes of its containers and its content."""
    rest = line
    prefixes: list[str] = []
    for container in containers:
        first = index == container.start
        if container.kind == "item":
            rest = _LEADING_WS.sub(lambda m: m.group().expandtabs(4), rest)
            if first:
                match = _ITEM_MARK.match(rest)
                if match is None:  # not a marker after all: treat as a continuation line
                    prefixes.append("    ")
                    continue
                indent, marker, spaces = match.groups()
                gap = len(spaces) if 1 <= len(spaces) <= 4 else 1
                container.offset = len(indent) + len(marker) + gap
                rest = rest[container.offset :] if spaces else rest[match.end() :]
                # Python-Markdown knows ``1.`` but not ``1)``.
                prefixes.append(marker.replace(")", ".") + " ")
            else:
                width = len(rest) - len(rest.lstrip(" "))
                rest = rest[min(width, container.offset) :]
                prefixes.append("    ")
        else:
            match = _QUOTE_MARK.match(rest)
            if match:  # a lazy continuation line has no '>'
                rest = rest[match.end() :]
            prefixes.append("> " if container.kind == "quote" else "    ")
    return prefixes, rest


def _blank(ancestors: list[Container]) -> str:
    return "".join(">" if c.kind == "quote" else "" for c in ancestors)


InlineRewriter = Callable[[str, int, bool], str]
FormulaLine = Callable[[str], list[str]]  # formula id → Markdown lines shown under it


def rewrite_lines(
    structure: BodyStructure, inline: InlineRewriter, under_formula: FormulaLine | None = None
) -> list[str]:
    """The body rebuilt for Python-Markdown, one string per input line (an inserted blank
    line is part of the string of the line it precedes).

    ``inline(content, line_index, in_heading)`` rewrites the inline content of every line
    outside code, math and raw HTML; ``under_formula(formula_id)`` gives the lines shown
    under each tagged formula (its check).
    """
    out: list[str] = []
    targets = getattr(inline, "targets", None)  # tests pass a bare function
    sanitise = not getattr(targets, "raw_html", False)
    cleaned: dict[int, str] = {}
    if sanitise:
        for start, end in structure.html_blocks.items():
            block = structure.lines[start:end]
            if structure.containers[start]:  # inside a quote or list: tag by tag, per line
                cleaned |= {start + i: clean_inline(text)[0] for i, text in enumerate(block)}
            else:  # the whole block at once: a <script> goes with its body
                cleaned |= {start + i: "" for i in range(1, len(block))}
                cleaned[start] = clean_html("\n".join(block))
    comment = False  # inside an Obsidian comment (%% … %%) that began on an earlier line
    for index, line in enumerate(structure.lines):
        if index in cleaned:
            text = "" if comment else cleaned[index]
        else:
            text, comment = _rewrite_line(structure, index, line, inline, comment)
        if index in structure.blank_before:
            text = f"{_blank(structure.blank_before[index])}\n{text}"
        if under_formula is not None and index in structure.formula_ends:
            text += _under(structure, index, under_formula(structure.formula_ends[index]))
        out.append(text)
    return out


def _rewrite_line(
    structure: BodyStructure, index: int, line: str, inline: InlineRewriter, comment: bool
) -> tuple[str, bool]:
    """The line rebuilt, and whether an Obsidian comment is still open after it."""
    containers = structure.containers[index]
    prefixes, content = _strip(line, index, containers) if containers else ([], line)
    header = _callout_header(containers, index)
    if header is not None and header.callout is not None and not comment:
        callout = parse_callout(content) or header.callout
        title = inline(callout.title, index, False)
        depth = containers.index(header)
        line = "".join(prefixes[:depth]) + replace(callout, title=title).admonition_line()
        return line, comment
    if not structure.verbatim[index]:
        content, comment = hide_comments(content, comment)
        content = inline(content, index, index in structure.headings)
    elif comment:
        content = ""  # a code or math block inside a comment is hidden with it
    prefix = "".join(prefixes)
    if index in structure.inline_display:
        rest = "".join("> " if c.kind == "quote" else "    " for c in containers)
        return _split_display(content, prefix, rest, _blank(containers)), comment
    if index in structure.formula_tags:
        # An anchor for the concept card's formula list; the comment itself stays.
        anchor = html.escape(f"formula-{structure.formula_tags[index]}")
        content += f'\n{prefix}<div class="rlref-formula" id="{anchor}"></div>'
    text = prefix + content
    return (text if content.strip() else text.rstrip()), comment


_COMMENT_MARK = re.compile("%%")


def hide_comments(content: str, inside: bool) -> tuple[str, bool]:
    """``content`` without its Obsidian comments (``%% … %%``, which Obsidian shows only
    while editing), and whether a comment is still open at its end. ``%%`` in a code span
    (IPython's ``%%timeit``) marks nothing."""
    if "%%" not in content:
        return ("" if inside else content), inside
    kept: list[str] = []
    start = 0
    for mark_start, mark_end in protected_spans(content, _COMMENT_MARK):
        if content[mark_start] == "`":
            continue  # a code span, skipped whole
        if not inside:
            kept.append(content[start:mark_start])
        inside = not inside
        start = mark_end
    if not inside:
        kept.append(content[start:])
    return "".join(kept), inside


def _under(structure: BodyStructure, index: int, lines: list[str]) -> str:
    """``lines`` as a block of their own after line ``index``, inside its containers."""
    containers = structure.containers[index]
    prefix = "".join("> " if c.kind == "quote" else "    " for c in containers)
    blank = _blank(containers)
    return "".join(
        f"\n{blank}\n{prefix}{line}" if i == 0 else f"\n{prefix}{line}"
        for i, line in enumerate(lines)
    )


def _callout_header(containers: list[Container], index: int) -> Container | None:
    for container in containers:
        if container.kind == "callout" and container.start == index:
            return container
    return None

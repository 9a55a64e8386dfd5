"""The Markdown parser: markdown-it-py (CommonMark + tables + dollar math) with a wikilink rule.

Links are found by the parser, not by regexes over raw text, so ``[[x]]`` inside a code
span, a fenced block or math is not a link, and ``[[a\\|b]]`` in a table is one link.

The vault reads a note's links, math and headings, never its emphasis: the inline pass (a
third of the parse) runs only on headings and on inline content that has a ``[``, ``$`` or
``<`` — the characters every wikilink, link, image, autolink and math span starts with. Other
inline tokens keep empty ``children``; their ``content`` is the text as written.

Most of what is left is plain prose with wikilinks and ``$math$``: for such content the
children the vault reads (wikilinks and math, with their line offsets) come from one regex
pass (:func:`simple_inline_children`) instead of markdown-it's rule-by-rule inline parser,
which costs ten times more. Content with anything else that could start an inline rule
(a backslash, a backtick, emphasis, ``&``, ``<``, a lone bracket) takes the full parser; a
property test (``tests/vault/test_inline_fast_path.py``) holds the two paths equal.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore, text_join
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin

from rlref.vault.plain_paragraphs import plain_list_items, plain_paragraphs

_WIKILINK_BODY = re.compile(r"\[\[([^\[\]\n]*)\]\]")


def _wikilink_rule(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    embed = src.startswith("![[", pos)
    if not embed and not src.startswith("[[", pos):
        return False
    match = _WIKILINK_BODY.match(src, pos + 1 if embed else pos)
    if match is None or not match.group(1).strip():
        return False
    if not silent:
        token = state.push("wikilink", "", 0)
        token.content = match.group(1)
        token.meta = {"embed": embed, "offset": _lines_before(state, pos)}
    state.pos = match.end()
    return True


def _lines_before(state: StateInline, pos: int) -> int:
    """Newlines in ``state.src`` before ``pos``, counted on from the previous link: a note of
    n links in one paragraph costs O(size), not O(n × size)."""
    last_src, last_pos, count = state.env.get("_rlref_lines", (None, 0, 0))
    if last_src is not state.src or pos < last_pos:
        last_pos, count = 0, 0
    count += state.src.count("\n", last_pos, pos)
    state.env["_rlref_lines"] = (state.src, pos, count)
    return count


# What simple inline content may hold besides prose: a wikilink or embed, or a $$…$$ / $…$
# span whose closing dollar is the first one not escaped by an odd run of backslashes
# (dollarmath's rule). Any other character that starts an inline rule of the vault's parser
# (``unsafe``) sends the content to markdown-it. Every branch starts with a literal
# character, so the regex engine skips the prose between matches by a character-set test.
_SIMPLE_ITEM = re.compile(
    r"!\[\[(?P<embed>[^\[\]\n]*)\]\]"
    r"|\[\[(?P<link>[^\[\]\n]*)\]\]"
    r"|\$\$(?P<double>(?:[^$\\]|\\[\s\S])+?)\$\$"
    r"|\$(?P<single>(?:[^$\\]|\\[\s\S])+?)\$"
    r"|(?P<unsafe>[\\`*_~&<!\[\]$])"
)
EMBED, LINK, DOUBLE, SINGLE, UNSAFE = 1, 2, 3, 4, 5  # its groups, by number


# What the simple path reads: (kind, body, newlines before it in the content).
SimpleItem = tuple[int, str, int]


def simple_inline_items(content: str) -> list[SimpleItem] | None:
    """The wikilinks, embeds and math of ``content`` when it is simple prose, else ``None``:
    (``EMBED``, ``LINK``, ``DOUBLE`` or ``SINGLE``, the text between the delimiters, the
    newlines before it in ``content``)."""
    if "\n" not in content:
        return _one_line_items(content)
    items: list[SimpleItem] = []
    append = items.append
    counted, newlines = 0, 0
    for match in _SIMPLE_ITEM.finditer(content):
        group = match.lastindex
        if group == UNSAFE:
            return None
        start = match.start()
        newlines += content.count("\n", counted, start)
        counted = start
        body = match[group]
        if (group == LINK or group == EMBED) and not body.strip():
            return None
        append((group, body, newlines))  # type: ignore[arg-type]
    return items


def _one_line_items(content: str) -> list[SimpleItem] | None:
    """``simple_inline_items`` of one line (every offset 0), from ``findall``'s tuples: no
    match object per item. Only a wikilink's body may be empty, and an empty or blank body
    refuses the content, so an all-empty tuple needs no telling apart."""
    items: list[SimpleItem] = []
    append = items.append
    for embed, link, double, single, unsafe in _SIMPLE_ITEM.findall(content):
        if unsafe:
            return None
        if double:
            append((DOUBLE, double, 0))
        elif single:
            append((SINGLE, single, 0))
        else:
            body = embed or link
            if not body.strip():
                return None
            append((EMBED if embed else LINK, body, 0))
    return items


def simple_inline_children(content: str) -> list[Token] | None:
    """``simple_inline_items`` as the inline children markdown-it's rules would make (those
    the vault reads), each with ``meta["offset"]``, the newlines before it in ``content``."""
    items = simple_inline_items(content)
    if items is None:
        return None
    children = []
    for kind, body, offset in items:
        # Positional arguments: Token's keyword path costs a third more, per child.
        # Token(type, tag, nesting, attrs, map, level, children, content, markup, info, meta)
        if kind == LINK or kind == EMBED:
            meta = {"embed": kind == EMBED, "offset": offset}
            children.append(Token("wikilink", "", 0, {}, None, 0, None, body, "", "", meta))
        else:
            math = "math_inline_double" if kind == DOUBLE else "math_inline"
            meta = {"offset": offset}
            children.append(Token(math, "math", 0, {}, None, 0, None, body, "", "", meta))
    return children


_PARSED = "_rlref_parsed"  # env key: the inline tokens markdown-it's inline parser read


def _inline_where_needed(state: StateCore) -> None:
    """markdown-it's core ``inline`` rule, run only where the vault can find something."""
    parsed: list[Token] = []
    previous_type = ""
    for token in state.tokens:
        heading = previous_type == "heading_open"
        previous_type = token.type
        if previous_type != "inline":
            continue
        if token.children is None:
            token.children = []
        content = token.content
        if heading or "[" in content or "$" in content or "<" in content:
            simple = None if heading else simple_inline_children(content)
            if simple is not None:
                token.children = simple
            else:
                state.md.inline.parse(content, state.md, state.env, token.children)
                parsed.append(token)
    state.env[_PARSED] = parsed


def _join_where_parsed(state: StateCore) -> None:
    """markdown-it's core ``text_join`` rule, on the inline tokens its inline parser read
    (the simple path makes no text children, and the others have none)."""
    parsed = state.env.pop(_PARSED, [])
    text_join(StateCore(state.src, state.md, state.env, parsed))


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    """The shared parser instance (building one costs more than parsing a note)."""
    return build_parser()


def build_parser() -> MarkdownIt:
    """A new parser as the vault reads notes (``parser()`` shares one); the tests compare it
    with the same parser where ``plain_paragraphs`` is disabled."""
    md = MarkdownIt("commonmark").enable("table").enable("strikethrough")
    md.use(dollarmath_plugin, double_inline=True, allow_space=True, allow_digits=True)
    md.block.ruler.before("table", "plain_paragraphs", plain_paragraphs)
    md.block.ruler.before("table", "plain_list_items", plain_list_items)
    md.inline.ruler.before("link", "wikilink", _wikilink_rule)
    md.core.ruler.at("inline", _inline_where_needed)
    md.core.ruler.at("text_join", _join_where_parsed)
    return md

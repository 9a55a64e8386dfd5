"""The plain-paragraph block rule makes exactly the tokens markdown-it's own block rules make.

`rlref.vault.plain_paragraphs` reads runs of plain top-level paragraphs without markdown-it's
block rules. These tests parse generated notes with the vault's parser and with the same
parser where that rule is disabled, and compare the whole token stream (every field, inline
children included: what the site reads) and every item the vault reads (links, embeds,
math, markdown links, tags, block ids, headings, formulas, problems, all with their lines).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

from rlref.vault import parse as parse_module
from rlref.vault.markdown import build_parser, parser
from rlref.vault.plain_paragraphs import plain_paragraphs

from .note_items import items


@pytest.fixture(scope="module")
def reference() -> MarkdownIt:
    """The vault's parser without the rule under test: markdown-it's block rules only."""
    md = build_parser()
    md.disable(["plain_paragraphs", "plain_list_items"])
    return md


def _tokens(md: MarkdownIt, body: str) -> list[dict]:
    return [token.as_dict() for token in md.parse(body)]



# How a line may start: each block construct's opening (and near misses), indentation, and
# the plain starts of prose (letters, CJK, '[[', '![[', digits that are not a list marker).
START_TEXTS = [
    "",
    "a",
    "中文",
    "[[PPO 原理]]",
    "![[pic.png]]",
    "[[",
    "2024年",
    "10.5",
    "!",
    "\\",
    "^blk",
    "\u00a0",
    "\u3000",
    "\u2003",
    " ",
    "   ",
    "    ",
    "\t",
    "#",
    "# ",
    "## h",
    "#tag",
    ">",
    "> ",
    "> [!note] ",
    "-",
    "- ",
    "+ ",
    "* ",
    "***",
    "---",
    "===",
    "=",
    "_",
    "___",
    "```",
    "~~~",
    "$$",
    "$",
    "<!-- formula: f -->",
    "<!--",
    "<div>",
    "<b>",
    "<",
    "|",
    "| a | b |",
    "|---|---|",
    ":",
    ":--|--",
    "[",
    "[x]: /u",
    "[x]",
    "1. ",
    "1) ",
    "2. ",
    "12",
    "**粗体**",
    "**",
    "** x",
    "*斜*",
    "`c` 文",
    "``c``",
    "$x$ 文",
    "$$x$$",
]
# What may follow on the line: prose, links, math, tags, markup, and closers of blocks.
REST_TEXTS = [
    "",
    "",
    "text",
    "中文",
    " [[PPO 原理]]",
    " [[GRPO|组相对]]",
    " ![[a.png]]",
    " $x^2$",
    " $$y$$",
    " #tag",
    " #123",
    " ^blk",
    "$$",
    "```",
    "-->",
    "</div>",
    "|",
    " | c",
    " **b**",
    " `c`",
    " [t](https://arxiv.org/abs/1707.06347)",
    "  ",
    "\t",
    " \\",
    "\x1c",
    "\x85",
]
# Whole lines that end or change a paragraph: underlines, table rows, fences, markers, and
# pairs of lines where the second changes what the first is.
WHOLE_TEXTS = [
    "",
    "",
    "===",
    "---",
    "= ",
    "***",
    "- item",
    "1. x",
    "2) x",
    "| a | b |",
    "a | b",
    "|---|---|",
    "--|--",
    ":-:|",
    "```",
    "```py",
    "~~~",
    "$$",
    "$$ x $$",
    "> [!note] 标题",
    "> q",
    "[x]: /u",
    "# 标题",
    "<!-- formula: f -->",
    "-->",
    "<div>",
    "</div>",
    "    code",
    "\tcode",
    "\x1c",
    "\x85x\x85",
    "\u00a0x\u3000",
    "plain [[a]] $x$ #t",
    "a | b\n|---|---|",
    "| a | b |\n|:-|-:|",
    "a | b\n:-:|--",
    "标题\n===",
    "标题\n---",
    "text\n- item",
    "text\n1. x",
    "[[a]]\n> q",
]
STARTS, RESTS = st.sampled_from(START_TEXTS), st.sampled_from(REST_TEXTS)
LINES = st.one_of(st.tuples(STARTS, RESTS, RESTS).map("".join), st.sampled_from(WHOLE_TEXTS))
BODIES = st.lists(LINES, max_size=14).map("\n".join)
EXAMPLES = settings(
    max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@EXAMPLES
@given(BODIES)
def test_the_token_stream_is_markdown_its(reference: MarkdownIt, body: str) -> None:
    assert _tokens(parser(), body) == _tokens(reference, body)


@EXAMPLES
@given(BODIES, st.booleans())
def test_the_vault_reads_the_sameitems(
    reference: MarkdownIt, monkeypatch: pytest.MonkeyPatch, body: str, frontmatter: bool
) -> None:
    text = ("---\ntitle: t\n---\n" if frontmatter else "") + body + "\n"
    fast = items(text)
    with monkeypatch.context() as patch:
        patch.setattr(parse_module, "parser", lambda: reference)
        slow = items(text)
    assert fast == slow


# Lines the rules may take (plain paragraphs, plain bullet items), put next to every kind of
# line above; some end in what is read from the text itself (a tag, a block id).
PLAIN_LINES = [
    "文字 [[a]] $x$",
    "a | b",
    "[[a]]",
    "2024年",
    "\u00a0x",
    "文字 #tag",
    "句子 ^blk",
    "- 项 [[a]] $x$ #t",
    "* [[b|别名]] ^blk",
    "+ 项\n- 项 $$y$$",
    "- **粗体** [[a]] $x$",
    "- $x$ 与 `c` #t",
]


def _sweep() -> list[str]:
    """Each start and whole line, alone and before or after a plain line (with and without a
    blank line between)."""
    lines = list(WHOLE_TEXTS)
    for start in START_TEXTS:
        lines += [start, start + " 文字 [[a]] #t"]
    bodies = list(lines)
    for plain in PLAIN_LINES:
        for line in lines:
            bodies += [f"{plain}\n{line}", f"{line}\n{plain}", f"{plain}\n\n{line}"]
            bodies.append(f"{line}\n\n{plain}")
    return bodies


def test_every_line_next_to_a_plain_line(reference: MarkdownIt) -> None:
    """The token streams of the sweep: deterministic, so that no kind of line is left to
    chance."""
    wrong = [body for body in _sweep() if _tokens(parser(), body) != _tokens(reference, body)]
    assert wrong == []


def test_every_line_next_to_a_plain_line_reads_the_sameitems(
    reference: MarkdownIt, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The items of the sweep, read without tokens for plain paragraphs and read from
    markdown-it's own tokens."""
    bodies = _sweep()
    fast = [items(body) for body in bodies]
    with monkeypatch.context() as patch:
        patch.setattr(parse_module, "parser", lambda: reference)
        slow = [items(body) for body in bodies]
    wrong = [body for body, a, b in zip(bodies, fast, slow, strict=True) if a != b]
    assert wrong == []


def _state(body: str) -> StateBlock:
    md = parser()
    return StateBlock(body, md, {}, [])


def test_the_rule_reads_a_run_of_plain_paragraphs() -> None:
    state = _state("甲 [[a]]\n乙 $x$\n\n\n[[b]] 丙\n\n![[c.png]]\n")
    assert plain_paragraphs(state, 0, state.lineMax, False)
    maps = [token.map for token in state.tokens if token.type == "inline"]
    contents = [token.content for token in state.tokens if token.type == "inline"]
    assert maps == [[0, 2], [4, 5], [6, 7]]
    assert contents == ["甲 [[a]]\n乙 $x$", "[[b]] 丙", "![[c.png]]"]
    assert state.line == 7


@pytest.mark.parametrize(
    "body",
    [
        "a\n===\n",  # a setext heading
        "a\n- item\n",  # a list interrupts the paragraph
        "a | b\n--|--\n",  # a table
        "a\n  indented continuation\n",  # leading space: markdown-it decides
        "- item\n",
        "[x]: /url\n",
        "1. first\n",
    ],
)
def test_the_rule_leaves_other_paragraphs_to_markdown_it(body: str) -> None:
    state = _state(body)
    assert not plain_paragraphs(state, 0, state.lineMax, False)
    assert state.tokens == []


def test_the_rule_stops_before_a_paragraph_it_cannot_read() -> None:
    state = _state("plain\n\nnext\n===\n")
    assert plain_paragraphs(state, 0, state.lineMax, False)
    assert [token.map for token in state.tokens if token.map] == [[0, 1], [0, 1]]
    assert state.line == 1


def test_the_rule_acts_only_at_the_top_level() -> None:
    tokens = parser().parse("> quoted [[a]]\n> more\n\n- item [[b]]\n  next\n")
    assert [t.type for t in tokens if t.type.endswith("_open")] == [
        "blockquote_open",
        "paragraph_open",
        "bullet_list_open",
        "list_item_open",
        "paragraph_open",
    ]
    state = _state("text\n")
    state.parentType = "list"
    assert not plain_paragraphs(state, 0, state.lineMax, False)

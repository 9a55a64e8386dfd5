"""The simple-inline path (one regex pass) finds exactly what markdown-it's inline parser finds.

`rlref.vault.markdown.simple_inline_children` reads prose with wikilinks and `$math$` without
markdown-it's inline rules; these tests parse the same note both ways and compare every item
the vault reads (links, math, markdown links, tags, headings, formulas, problems).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.rules_core import inline, text_join

from rlref.vault import markdown
from rlref.vault.markdown import build_parser, parser, simple_inline_children

from .note_items import items


def _both_ways(text: str, monkeypatch) -> tuple[tuple, tuple]:
    fast = items(text)
    with monkeypatch.context() as patch:
        patch.setattr(markdown, "simple_inline_items", lambda content: None)
        full = items(text)
    return fast, full


# Pieces that exercise every rule boundary: dollars, escapes, brackets, embeds, emphasis,
# code, entities, HTML, line breaks, tags and CJK text.
PIECES = st.sampled_from(
    [
        "中文",
        "a",
        " ",
        "\n",
        "  \n",
        "$",
        "$$",
        "\\",
        "\\$",
        "[[",
        "]]",
        "[",
        "]",
        "!",
        "|",
        "#",
        "#tag",
        "*",
        "_",
        "`",
        "~",
        "&amp;",
        "<b>",
        "x_t",
        "[[PPO 原理]]",
        "![[pic.png]]",
        "[[a|b]]",
        "[[ ]]",
        "$x^2$",
        "$$\\pi$$",
        "$a\\$b$",
        "(",
        "1",
    ]
)


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(PIECES, max_size=14))
def test_both_paths_read_the_sameitems(monkeypatch, pieces: list[str]) -> None:
    text = "---\ntitle: t\n---\n" + "".join(pieces) + "\n\n- " + "".join(reversed(pieces)) + "\n"
    fast, full = _both_ways(text, monkeypatch)
    assert fast == full


def _stock_inline() -> MarkdownIt:
    """The vault's parser with markdown-it's own core ``inline`` and ``text_join`` rules
    (every inline token parsed, every one's text joined)."""
    md = build_parser()
    md.core.ruler.at("inline", inline)
    md.core.ruler.at("text_join", text_join)
    return md


STOCK = _stock_inline()


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=14))
def test_what_markdown_it_reads_is_what_it_reads_unrestricted(pieces: list[str]) -> None:
    """Where the vault's parser runs markdown-it's inline parser (headings; content the
    simple path refuses, here through its leading escape), the children, text joined, are
    those of markdown-it's own inline and text_join rules."""
    content = "".join(pieces).replace("\n", " ")
    for text in (f"# {content}", f"\\[ {content}"):
        ours, stock = parser().parse(text), STOCK.parse(text)
        assert [t.as_dict() for t in ours[1].children] == [t.as_dict() for t in stock[1].children]


def test_the_fast_path_takes_plain_prose_and_leaves_the_rest() -> None:
    children = simple_inline_children("见 [[PPO 原理|PPO]] 与\n$r_t(\\theta)$ 和 ![[a.png]]")
    assert children is not None
    assert [(c.type, c.content, c.meta["offset"]) for c in children] == [
        ("wikilink", "PPO 原理|PPO", 0),
        ("math_inline", "r_t(\\theta)", 1),
        ("wikilink", "a.png", 1),
    ]
    assert children[2].meta["embed"] is True
    for content in ("**粗** [[a]]", "`[[a]]`", "[text](u) [[a]]", "[[a]] &amp;", "$a", "[[ ]]"):
        assert simple_inline_children(content) is None, content


def test_a_big_note_reads_the_same_both_ways(monkeypatch) -> None:
    line = "关于 [[PPO 原理]] 与 [[GRPO|组相对]] 的 $x^2$ 和 $$y$$ 文字 #tag 。\n"
    text = "---\ntitle: 大\n---\n# 大\n\n" + (line * 3 + "\n") * 200
    fast, full = _both_ways(text, monkeypatch)
    assert fast == full
    assert len(fast[0]) == 1200 and len(fast[1]) == 1200

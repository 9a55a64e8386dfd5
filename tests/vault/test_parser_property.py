"""The parser never raises, whatever the text (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rlref.vault import parse_note

# Bias the alphabet towards the characters the grammar cares about.
MARKUP = st.sampled_from(
    [
        "[[",
        "]]",
        "|",
        "#",
        "^",
        "$",
        "$$",
        "`",
        "```",
        "---",
        "\n",
        "> [!note]",
        "<!-- formula: x -->",
        "![[",
        "](",
        "\\",
        "中文",
        " ",
        ":",
        "- ",
        "| a | b |\n|---|---|\n",
    ]
)
TEXT = st.lists(st.one_of(MARKUP, st.text(max_size=8)), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_parse_never_raises(text: str) -> None:
    note = parse_note("n.md", text)
    for link in note.links:
        assert link.line >= 1


@settings(max_examples=150, deadline=None)
@given(TEXT)
def test_parse_never_raises_with_frontmatter(text: str) -> None:
    parse_note("n.md", "---\ntitle: T\n" + text + "\n---\n" + text)

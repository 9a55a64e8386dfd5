"""Tags and block ids are read from a paragraph's whole content at once, as if line by line.

The rule is per line: on each line, code spans, math, wikilinks and link targets are blanked
out and ``INLINE_TAG`` finds the tags; ``BLOCK_ID`` finds a ``^id`` ending a line. The parser
scans all lines of a paragraph in one pass (``text_tags``, ``block_ids``); these
tests hold it to the line-by-line reading, written out here.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from rlref.vault.model import Tag
from rlref.vault.parse import BLOCK_ID, INLINE_TAG, block_ids, parse_note, text_tags

# The spans of one line where a '#' starts no tag (the line has no line break).
_SPANS_OF_A_LINE = re.compile(r"`[^`]*`|\$\$[^$]*\$\$|\$[^$]*\$|\[\[[^\]]*\]\]|\]\([^)]*\)")


def tags_line_by_line(content: str, first: int) -> list[Tag]:
    tags = []
    for n, line in enumerate(content.split("\n")):
        for match in INLINE_TAG.finditer(_SPANS_OF_A_LINE.sub(" ", line)):
            name = match.group(1)
            if not name.replace("/", "").replace("-", "").replace("_", "").isdigit():
                tags.append(Tag(name, first + n))
    return tags


def block_ids_line_by_line(content: str) -> set[str]:
    return {m.group(1) for line in content.split("\n") for m in BLOCK_ID.finditer(line)}


PIECES = st.sampled_from(
    [
        "#",
        "#tag",
        "#标签",
        "#a/b",
        "#a-b_c",
        "#123",
        "#1/2",
        "#x#y",
        "（",
        "(",
        "a",
        "中文",
        " ",
        "\t",
        "\u3000",
        "\u00a0",
        "\n",
        "\n\n",
        "`",
        "$",
        "$$",
        "[[",
        "]]",
        "](",
        ")",
        "^",
        "^id",
        " ^id",
        "-",
        "/",
        "_",
        ".",
        "!",
        "@",
        "\\",
    ]
)
CONTENTS = st.lists(PIECES, max_size=24).map("".join)


@settings(max_examples=1500, deadline=None)
@given(CONTENTS, st.integers(1, 50))
def test_tags_are_those_of_each_line(content: str, first: int) -> None:
    assert text_tags(content, first) == tags_line_by_line(content, first)


@settings(max_examples=1500, deadline=None)
@given(CONTENTS)
def test_block_ids_are_those_of_each_line(content: str) -> None:
    assert set(block_ids(content)) == block_ids_line_by_line(content)


def test_tags_on_later_lines_get_their_lines() -> None:
    content = "甲 #a\n`#code` $#m$ [[#h]] [x](#u)\n（#b #12 x#c\n\n#d/e"
    assert text_tags(content, 10) == [Tag("a", 10), Tag("b", 12), Tag("d/e", 14)]


def test_a_note_reads_them_on_every_line_of_a_paragraph() -> None:
    note = parse_note("n.md", "---\ntitle: t\n---\n甲 #a ^one\n乙 ^two\n#b 丙\n")
    assert note.block_ids == {"one", "two"}
    assert note.tags == [Tag("a", 4), Tag("b", 6)]

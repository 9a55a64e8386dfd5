"""Code spans found in linear time are the spans the backtracking regexes found, under both
rules: CommonMark's (the vault's parser, the glossary check) and Python-Markdown's (the site)."""

from __future__ import annotations

import re
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from rlref.vault.code_spans import code_spans, inside, protected_spans

# The regexes the linear code replaced: they are the specification, on short inputs.
COMMONMARK = re.compile(r"(?<!`)(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)")
PYTHON_MARKDOWN = re.compile(r"(`+).+?(?<!`)\1(?!`)")
OTHER = re.compile(r"\$\$.+?\$\$|\$[^$\n]+\$|\]\([^)\n]*\)|%%")
PIECES = st.sampled_from(["`", "``", "```", "a", " ", "$", "$$", "](x)", "%%", "中", "\n"])
TEXTS = st.lists(PIECES, max_size=16).map("".join)


@settings(max_examples=3000, deadline=None)
@given(TEXTS)
def test_commonmark_spans_are_the_regex_spans(text: str) -> None:
    assert code_spans(text) == [m.span() for m in COMMONMARK.finditer(text)]


@settings(max_examples=3000, deadline=None)
@given(TEXTS)
def test_python_markdown_spans_are_the_regex_spans(text: str) -> None:
    line = text.replace("\n", " ")
    both = re.compile(f"{PYTHON_MARKDOWN.pattern}|{OTHER.pattern}")
    assert protected_spans(line, OTHER) == [m.span() for m in both.finditer(line)]


def test_the_two_rules_differ_where_python_markdown_opens_with_part_of_a_run() -> None:
    assert code_spans("```a`") == []
    assert code_spans("```a`", prefix_openers=True) == [(0, 5)]


def test_inside() -> None:
    spans = [(2, 4), (7, 9)]
    assert [inside(spans, n) for n in range(10)] == [
        False, False, True, True, False, False, False, True, True, False,
    ]


def test_time_is_linear_in_the_backticks() -> None:
    """A long run, runs of every length up and down: each well under a second (the regexes
    took minutes on a few thousand backticks)."""
    texts = [
        "`" * 1_000_000,
        "".join("`" * k + "a" for k in range(1, 1500)),
        "".join("`" * k + "a" for k in range(1500, 0, -1)),
        "`a` $x$ " * 50_000,
    ]
    for text in texts:
        started = time.perf_counter()
        code_spans(text)
        protected_spans(text, OTHER)
        assert time.perf_counter() - started < 2.0

"""Relative links between compiled files (rlref.site.layout)."""

from __future__ import annotations

import posixpath
from urllib.parse import unquote

from hypothesis import given
from hypothesis import strategies as st

from rlref.site.layout import escape_markdown, relative_url

segment = st.sampled_from(["notes", "AI", "RL", "策略 梯度", "a(b)", "x", "api", "source"])
doc = st.lists(segment, min_size=0, max_size=4).map(lambda parts: "/".join([*parts, "p.md"]))


@given(doc, doc)
def test_relative_url_matches_posix_relpath(source: str, target: str) -> None:
    url = relative_url(source, target)
    if source == target:
        assert url == "p.md"
    else:
        assert unquote(url) == posixpath.relpath(target, posixpath.dirname(source) or ".")
    assert " " not in url and "(" not in url and ")" not in url  # safe inside (…)


def test_anchor_is_kept_verbatim() -> None:
    assert relative_url("notes/a.md", "notes/b c.md", "定义-与-性质") == "b%20c.md#定义-与-性质"
    assert relative_url("notes/a.md", "notes/a.md", "x") == "#x"


def test_escape_markdown_keeps_text_literal() -> None:
    assert escape_markdown("a_b *c* [d] $x$ <e>") == ("a\\_b \\*c\\* \\[d\\] &#36;x&#36; &lt;e&gt;")

"""rlref's heading slugs are the site's: ``pymdownx.slugs.slugify(case="lower")``, which
MkDocs' toc uses (mkdocs.yml), for any heading text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from pymdownx.slugs import slugify

from rlref.vault.slug import SEPARATOR, slug

site_slug = slugify(case="lower")
# What headings hold, and what the rules single out: tags, spaces of every kind, hyphens,
# underscores, combining marks (NFC), letters whose lower case is longer (İ), CJK, emoji.
pieces = st.one_of(
    st.sampled_from(
        [
            "<b>",
            "</b>",
            "<a href='x'>",
            "<",
            ">",
            " ",
            "\t",
            "\u3000",
            "\u00a0",
            "-",
            "_",
            "e\u0301",
            "\u0130",
            "ß",
            "Σ",
            "策略 梯度",
            "Q&A",
            "1.2",
            "😀",
            "\u200b",
            "I",
        ]
    ),
    st.text(max_size=4),
)
headings = st.lists(pieces, max_size=8).map("".join)


@settings(max_examples=2000, deadline=None)
@given(headings)
def test_slug_is_the_sites_slug(text: str) -> None:
    assert slug(text) == site_slug(text, SEPARATOR)


def test_known_headings() -> None:
    assert slug(" PPO 原理：<em>clip</em> 目标 ") == "ppo-原理clip-目标"
    assert slug("Q&A 面试") == "qa-面试"

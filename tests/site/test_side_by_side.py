"""The reference implementations' source pages, side by side (rlref.site.side_by_side)."""

from __future__ import annotations

import re

from rlref.site.api import discover_modules, source_page
from rlref.site.side_by_side import description, rows, side_by_side_source

SOURCE = '''"""A module.

$$
x = 1
$$
"""

import torch

# the loss's helper


def f(a):
    r"""Sum of squares: $\\sum_i a_i^2$. Note: [[Some Note]]

    Args:
        a: numbers.
    """
    return (a * a).sum()


CONSTANT = 3


class Result:
    """What f returns."""

    value: float
'''


def test_each_documented_statement_starts_a_row_and_every_line_is_in_one() -> None:
    found = rows(SOURCE)
    lines = SOURCE.rstrip("\n").split("\n")
    assert [r.first for r in found] == [1, 10, 25]  # the comment above f goes with f
    covered = [n for r in found for n in range(r.first, r.last + 1)]
    assert covered == list(range(1, len(lines) + 1))
    module, function, cls = found
    assert module.description.startswith("A module.") and "x = 1" in module.description
    assert function.description.startswith("Sum of squares") and "Args" not in function.description
    assert function.hidden == frozenset(range(14, 19))  # the docstring's lines
    assert cls.description == "What f returns."


def test_description_stops_at_the_first_section() -> None:
    assert description("Prose.\n\n$$\ny\n$$\n\nReturns:\n    y.") == "Prose.\n\n$$\ny\n$$"
    assert description(None) == ""


def test_every_line_keeps_its_anchor_and_the_docstring_moves_left() -> None:
    links = {"Some Note": {"url": "../notes/Some%20Note.md", "title": "<b>某</b>"}}
    html = side_by_side_source(SOURCE, links, depth=3)
    count = len(SOURCE.rstrip("\n").split("\n"))
    assert re.findall(r'<a id="L-(\d+)"', html) == [str(n) for n in range(1, count + 1)]
    assert html.count('class="rlref-sbs-row"') == 3
    # the docstring's text is on the left, not in the code column
    code = "".join(re.findall(r"<code>(.*?)</code>", html, re.S))
    assert "Sum of squares" not in code and "return" in code
    # its wikilink is a link rebased to the deeper page, its title escaped
    assert "[&lt;b&gt;某&lt;/b&gt;](../../../../notes/Some%20Note.md)" in html
    assert "<b>某</b>" not in html


def test_a_syntax_error_still_shows_every_line() -> None:
    broken = "def f(:\n    pass\n"
    assert rows(broken)[0].first == 1 and rows(broken)[0].last == 2
    assert 'id="L-2"' in side_by_side_source(broken, {}, 0)


def test_algos_source_pages_are_side_by_side_and_others_are_not() -> None:
    modules = {m.name: m for m in discover_modules()}
    algos = source_page(modules["rlref.algos.kl"])
    assert 'class="rlref-side-by-side"' in algos and "$$" in algos
    for anchor in re.findall(r'<a id="(L-\d+)"', algos)[:3]:
        assert anchor.startswith("L-")
    plain = source_page(modules["rlref.vault.slug"])
    assert "rlref-side-by-side" not in plain and 'id="L-1"' in plain

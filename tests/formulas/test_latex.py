"""Tokens, identifiers and canonical spellings (rlref.formulas.latex)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rlref.formulas.latex import (
    LatexError,
    canonical_spelling,
    closing,
    read_identifier,
    split_relation,
    tokenize,
)


def test_tokenize_drops_spacing_sizing_labels_and_trailing_punctuation():
    tokens = tokenize(r"\left( a \,+\; b \right) \quad \tag{3} .")
    assert tokens == ["(", "a", "+", "b", ")"]
    assert tokenize(r"\left. x \right|") == ["x", "|"]


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (r"\pi_\theta", r"\pi_{\theta}"),
        (r"\pi_{\theta_{\text{old}}}", r"\pi_{\theta_{\mathrm{old}}}"),
        (r"\pi_{\theta_{old}}", r"\pi_{ \theta_{ \operatorname{old} } }"),
        (r"\boldsymbol{x}", r"\mathbf{x}"),
        (r"\widehat{A}_t", r"\hat{A}_{t}"),
        (r"r^{w}_i", r"r_i^w"),
        (r"\epsilon_\mathrm{low}", r"\epsilon_{\text{low}}"),
    ],
)
def test_equivalent_spellings_share_a_key(one, other):
    assert canonical_spelling(one) == canonical_spelling(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (r"\pi_\theta", r"\pi_{\theta'}"),
        (r"r_w", r"r_l"),
        (r"\mathbb{E}", r"E"),
        (r"\hat{A}", r"\tilde{A}"),
    ],
)
def test_different_spellings_differ(one, other):
    assert canonical_spelling(one) != canonical_spelling(other)


def test_identifier_parts():
    tokens = tokenize(r"Q'^{\star}_{t+1}(s)")
    ident = read_identifier(tokens, 0)
    assert ident is not None
    assert (ident.base, ident.primes) == ("Q", "'")
    assert ident.key() == r"Q'_{t+1}^{\star}"
    assert ident.key(with_sup=False) == "Q'_{t+1}"
    assert tokens[ident.end] == "("


def test_arg_max_is_one_operator():
    ident = read_identifier(tokenize(r"\arg\max_a x"), 0)
    assert ident is not None and ident.key() == r"\arg\max_{a}"


def test_split_relation():
    lhs, rhs, relation = split_relation(tokenize(r"Q(s,a) \leftarrow Q(s,a) + 1"))
    assert relation == r"\leftarrow" and lhs == ["Q", "(", "s", ",", "a", ")"]
    assert rhs[-2:] == ["+", "1"]
    assert split_relation(tokenize("x := y"))[2] == ":="
    assert split_relation(tokenize(r"a \le b"))[2] == r"\le"
    assert split_relation(tokenize(r"f(a = b)"))[0] is None  # not at the top level
    with pytest.raises(LatexError, match="more than one"):
        split_relation(tokenize("a = b = c"))


def test_brackets_must_match():
    with pytest.raises(LatexError, match="does not match"):
        closing(tokenize("( a ]"), 0)
    with pytest.raises(LatexError, match="never closed"):
        closing(tokenize("( a"), 0)


def test_only_plain_words_are_identifiers():
    with pytest.raises(LatexError, match="only a word"):
        canonical_spelling(r"\text{a b+c}")


# ---------------------------------------------------------------------------- aligned
ONE_LINE = r"L = a + \frac{b}{c} - \left(d + e\right)"


@pytest.mark.parametrize(
    "broken",
    [
        r"\begin{aligned} L &= a + \frac{b}{c} \\ &\quad - \left(d + e\right) \end{aligned}",
        r"\begin{aligned}[t] L = {} & a + \frac{b}{c} \\[4pt]"
        r" & - \left(d + e\right) \\ \end{aligned}",
        r"\begin{split} L &= a \\ &+ \frac{b}{c} \\ &- \left(d + e\right) \end{split}",
        r"L = \begin{aligned} & a + \frac{b}{c} \\ & - \left(d + e\right) \end{aligned}.",
        r"L = a + \frac{\begin{aligned} b \end{aligned}}{c} - \begin{aligned} \bigl(d \\ &+ e\bigr)"
        r"\end{aligned}",
        r"\begin{aligned} L &= a \\ &+ \frac{b}{c} &&- \left(d + e\right) \end{aligned}",
    ],
)
def test_an_aligned_formula_reads_as_its_one_line_form(broken):
    assert tokenize(broken) == tokenize(ONE_LINE)
    assert canonical_spelling(broken) == canonical_spelling(ONE_LINE)


def test_breaks_of_cases_inside_aligned_stay_for_the_normaliser():
    tokens = tokenize(
        r"\begin{aligned} f &= \begin{cases} a & a > 0 \\ b & \text{else}"
        r"\end{cases} \\ &\quad + 1 \end{aligned}"
    )
    assert tokens[:8] == ["f", "=", r"\begin{cases}", "a", "&", "a", ">", "0"]
    assert tokens.count("&") == 2 and tokens.count("\\\\") == 1
    assert tokens[-3:] == [r"\end{cases}", "+", "1"]


def test_breaks_outside_aligned_are_kept():
    assert tokenize(r"a \\ b & c") == ["a", "\\\\", "b", "&", "c"]


def test_a_chain_of_aligned_relations_is_refused_as_a_chain():
    chain = tokenize(r"\begin{aligned} x &= a + b \\ &= c \end{aligned}")
    with pytest.raises(LatexError, match=r"a chain a = b = c.*tag each relation as its own"):
        split_relation(chain)


@pytest.mark.parametrize(
    ("latex", "message"),
    [
        (
            r"\begin{aligned} L &= \left( a \\ &+ b \right) \end{aligned}",
            r"'\\\\' inside a group \{…\} or a \\left…\\right pair of \\begin\{aligned\}.*\\bigl\(",
        ),
        (r"\begin{aligned} L = \frac{a \\ b}{c} \end{aligned}", r"'\\\\' inside a group"),
        (r"\begin{aligned} L &= \left( a & b \right) \end{aligned}", r"'&' inside a group"),
        (r"\begin{aligned} L &= a \\ [b] \end{aligned}", r"starts with '\['.*\\\\ & \["),
        (r"\begin{aligned} L &= a + b", r"\\begin\{aligned\} is never closed"),
        (r"L = a + b \end{split}", r"\\end\{split\} closes nothing"),
        (r"\begin{aligned} a \end{split}", r"\\end\{split\} closes \\begin\{aligned\}"),
        (r"\begin{cases} a \end{aligned}", r"\\end\{aligned\} closes \\begin\{cases\}"),
        (
            r"\left( \begin{aligned} a \right) \end{aligned}",
            r"'\\right' in \\begin\{aligned\} closes",
        ),
        (r"\begin{aligned} { a \end{aligned} }", r"not closed before its end"),
    ],
)
def test_malformed_aligned_is_an_error_that_names_it(latex, message):
    with pytest.raises(LatexError, match=message):
        tokenize(latex)


SUMMANDS = st.lists(
    st.sampled_from([r"a", r"\frac{b}{c}", r"\left(d - e\right)", r"\min(a, b)"]),
    min_size=2,
    max_size=6,
)


@given(SUMMANDS, st.lists(st.booleans(), min_size=6, max_size=6), st.booleans())
def test_any_break_between_summands_reads_as_one_line(summands, breaks, align_at_equals):
    one_line = "L = " + " + ".join(summands)
    lines = ["L &= " if align_at_equals else "L = & ", summands[0]]
    for summand, broken in zip(summands[1:], breaks, strict=False):
        lines.append(r" \\ &\quad + " if broken else " + ")
        lines.append(summand)
    broken = r"\begin{aligned}" + "".join(lines) + r"\end{aligned}"
    assert tokenize(broken) == tokenize(one_line)


PIECES = [
    r"\begin{aligned}",
    r"\end{aligned}",
    r"\begin{split}",
    r"\end{split}",
    r"\begin{cases}",
    r"\end{cases}",
    "&",
    r"\\",
    "[",
    "]",
    "4pt",
    "t",
    "{",
    "}",
    r"\left(",
    r"\right)",
    r"\left.",
    r"\bigl(",
    "a",
    "=",
    "+",
    " ",
]


@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_any_arrangement_is_read_or_refused_by_name(pieces):
    """Untrusted LaTeX: the layout pass reads it or raises LatexError, nothing else, and
    what it reads has no aligned environment left."""
    try:
        tokens = tokenize(" ".join(pieces))
    except LatexError:
        return
    assert not [t for t in tokens if t.endswith(("{aligned}", "{split}"))]

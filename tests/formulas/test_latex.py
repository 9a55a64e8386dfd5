"""Tokens, identifiers and canonical spellings (rlref.formulas.latex)."""

from __future__ import annotations

import pytest

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


@pytest.mark.parametrize(("one", "other"), [
    (r"\pi_\theta", r"\pi_{\theta}"),
    (r"\pi_{\theta_{\text{old}}}", r"\pi_{\theta_{\mathrm{old}}}"),
    (r"\pi_{\theta_{old}}", r"\pi_{ \theta_{ \operatorname{old} } }"),
    (r"\boldsymbol{x}", r"\mathbf{x}"),
    (r"\widehat{A}_t", r"\hat{A}_{t}"),
    (r"r^{w}_i", r"r_i^w"),
    (r"\epsilon_\mathrm{low}", r"\epsilon_{\text{low}}"),
])
def test_equivalent_spellings_share_a_key(one, other):
    assert canonical_spelling(one) == canonical_spelling(other)


@pytest.mark.parametrize(("one", "other"), [
    (r"\pi_\theta", r"\pi_{\theta'}"),
    (r"r_w", r"r_l"),
    (r"\mathbb{E}", r"E"),
    (r"\hat{A}", r"\tilde{A}"),
])
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

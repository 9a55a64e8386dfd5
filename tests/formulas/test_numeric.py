"""The numeric check against code: agreement, disagreement, coverage, layout."""

from __future__ import annotations

import pytest

from rlref.formulas.binding import read_binding
from rlref.formulas.numeric import BindingError, CheckFailure, check_numeric

MASKED_MEAN = {
    "impl": "rlref.algos.lm:masked_mean",
    "axes": {"b": 3, "t": 6},
    "inputs": {"x": "normal(0, 1, b, t)", "m": "prefix_mask(b, t)"},
    "symbols": {r"\sum_t": {"sum": "t"}, "m_t": "m", "x_t": "x"},
    "args": {"x": "x", "mask": "m", "dim": -1},
    "cover": ["m == 0"],
}
LATEX = r"\bar{x} = \frac{\sum_t m_t x_t}{\sum_t m_t}"


def binding(**changes):
    return read_binding({**MASKED_MEAN, **changes})


def test_agreement_reports_seeds_and_errors():
    report = check_numeric(LATEX, binding())
    assert report.seeds == [0, 1, 2]
    assert report.max_abs_error < 1e-12 and report.max_rel_error < 1e-12


def test_disagreement_names_the_relation_and_the_values():
    with pytest.raises(CheckFailure, match=r"seed 0: out == formula fails"):
        check_numeric(r"\bar{x} = \frac{\sum_t x_t}{\sum_t m_t}", binding())


def test_a_declared_relation_is_applied():
    check_numeric(LATEX.replace(r"\frac", r"-\frac"), binding(relation="out == -formula"))
    with pytest.raises(CheckFailure):
        check_numeric(LATEX, binding(relation="out == -formula"))


def test_shapes_must_match_exactly():
    with pytest.raises(CheckFailure, match="shapes differ"):
        check_numeric(r"m_t x_t", binding(symbols={"m_t": "m", "x_t": "x"}))


def test_a_cover_that_never_holds_fails():
    with pytest.raises(CheckFailure, match="never true"):
        check_numeric(LATEX, binding(cover=["m > 1"]))


def test_a_table_that_is_not_laid_out_is_a_binding_error():
    with pytest.raises(BindingError, match="not in the layout"):
        check_numeric(LATEX, binding(symbols={r"\sum_t": {"sum": "t"}, "m_t": "m",
                                              "x_t": "normal(0, 1, 6)"}))


def test_a_constant_under_a_sum_counts_once_per_position():
    raw = {"axes": {"t": 5}, "symbols": {r"\sum_t": {"sum": "t"}}, "relation": "formula == 5"}
    check_numeric(r"\sum_t 1", read_binding(raw))


def test_non_finite_values_fail():
    raw = {"axes": {"t": 3}, "symbols": {"a": "0.0"}, "relation": "formula == formula"}
    with pytest.raises(CheckFailure, match="non-finite"):
        check_numeric(r"\frac{1}{a}", read_binding(raw))


def test_exact_comparison_for_indices():
    raw = {
        "impl": "rlref.algos.bandits:ucb1_scores",
        "axes": {"a": 6},
        "inputs": {"mu": "uniform(0, 1, 6)", "n": "integers(1, 30, 6)"},
        "symbols": {r"\arg\max_a": {"argmax": "a"}, r"\hat{\mu}_a": "mu[a]", "n_a": "n[a]",
                    "t": "sum(n)", "c": 1.4},
        "args": {"means": "mu", "counts": "n", "total": "sum(n)", "c": 1.4},
        "relation": "argmax(out, -1) == formula",
        "exact": True,
    }
    check_numeric(r"a^* = \arg\max_a \left[\hat{\mu}_a + c\sqrt{\frac{\ln t}{n_a}}\right]",
                  read_binding(raw))
    with pytest.raises(CheckFailure):
        check_numeric(r"\arg\max_a \left[\hat{\mu}_a - c\sqrt{\frac{\ln t}{n_a}}\right]",
                      read_binding(raw))


def test_an_inequality_is_checked_in_its_direction():
    raw = {"axes": {"i": 4}, "inputs": {"x": "normal(0, 1, i)"},
           "symbols": {"a": "x", "b": "x + 1"}, "relation": "lhs <= formula"}
    check_numeric(r"a \le b", read_binding(raw))
    with pytest.raises(BindingError, match="check it as 'lhs >= formula'"):
        check_numeric(r"a \ge b", read_binding(raw))
    with pytest.raises(CheckFailure):
        check_numeric(r"b \le a", read_binding({**raw}))


def test_reading_a_left_side_that_is_a_label_is_an_error():
    raw = {"symbols": {"a": 1.0}, "relation": "lhs == formula"}
    with pytest.raises(BindingError, match="left side"):
        check_numeric("L = a", read_binding(raw))


def test_an_impl_that_cannot_be_imported_is_a_binding_error():
    with pytest.raises(BindingError, match="cannot import"):
        check_numeric(LATEX, binding(impl="rlref.algos.nowhere:f"))
    with pytest.raises(BindingError, match="has no function"):
        check_numeric(LATEX, binding(impl="rlref.algos.lm:nothing"))

"""The numeric check against code: agreement, disagreement, coverage, layout."""

from __future__ import annotations

import dataclasses

import pytest

from rlref.algos.bandits import ucb1_scores
from rlref.algos.lm import masked_mean
from rlref.formulas.api import Check, CheckDefinitionError, reduction
from rlref.formulas.numeric import BindingError, CheckFailure, check_numeric

MASKED_MEAN = Check(
    impl=masked_mean,
    axes={"b": 3, "t": 6},
    inputs={"x": lambda v: v.normal(0, 1, v.b, v.t), "m": lambda v: v.prefix_mask(v.b, v.t)},
    symbols={r"\sum_t": reduction("sum", "t"), "m_t": lambda v: v.m, "x_t": lambda v: v.x},
    args={"x": lambda v: v.x, "mask": lambda v: v.m, "dim": -1},
    cover=[lambda v: v.m == 0],
)
LATEX = r"\bar{x} = \frac{\sum_t m_t x_t}{\sum_t m_t}"


def binding(**changes):
    return dataclasses.replace(MASKED_MEAN, **changes)


def test_agreement_reports_seeds_and_errors():
    report = check_numeric(LATEX, binding())
    assert report.seeds == [0, 1, 2]
    assert report.max_abs_error < 1e-12 and report.max_rel_error < 1e-12


def test_disagreement_names_the_relation_and_the_values():
    with pytest.raises(CheckFailure, match=r"seed 0: out == formula fails"):
        check_numeric(r"\bar{x} = \frac{\sum_t x_t}{\sum_t m_t}", binding())


def test_a_declared_relation_is_applied():
    negated = binding(relation=lambda v: (v.out, "==", -v.formula))
    check_numeric(LATEX.replace(r"\frac", r"-\frac"), negated)
    with pytest.raises(CheckFailure):
        check_numeric(LATEX, negated)


def test_shapes_must_match_exactly():
    with pytest.raises(CheckFailure, match="shapes differ"):
        check_numeric(r"m_t x_t", binding(symbols={"m_t": lambda v: v.m, "x_t": lambda v: v.x}))


def test_a_cover_that_never_holds_fails():
    with pytest.raises(CheckFailure, match="never true"):
        check_numeric(LATEX, binding(cover=[lambda v: v.m > 1]))


def test_a_table_that_is_not_laid_out_is_a_binding_error():
    with pytest.raises(BindingError, match="not in the layout"):
        check_numeric(LATEX, binding(symbols={r"\sum_t": reduction("sum", "t"),
                                              "m_t": lambda v: v.m,
                                              "x_t": lambda v: v.normal(0, 1, 6)}))


def test_a_constant_under_a_sum_counts_once_per_position():
    check = Check(axes={"t": 5}, symbols={r"\sum_t": reduction("sum", "t")},
                  relation=lambda v: (v.formula, "==", 5))
    check_numeric(r"\sum_t 1", check)


def test_non_finite_values_fail():
    check = Check(axes={"t": 3}, symbols={"a": 0.0},
                  relation=lambda v: (v.formula, "==", v.formula))
    with pytest.raises(CheckFailure, match="non-finite"):
        check_numeric(r"\frac{1}{a}", check)


def test_exact_comparison_for_indices():
    check = Check(
        impl=ucb1_scores,
        axes={"a": 6},
        inputs={"mu": lambda v: v.uniform(0, 1, 6), "n": lambda v: v.integers(1, 30, 6)},
        symbols={r"\arg\max_a": reduction("argmax", "a"), r"\hat{\mu}_a": lambda v: v.mu[v.a],
                 "n_a": lambda v: v.n[v.a], "t": lambda v: v.sum(v.n), "c": 1.4},
        args={"means": lambda v: v.mu, "counts": lambda v: v.n, "total": lambda v: v.sum(v.n),
              "c": 1.4},
        relation=lambda v: (v.argmax(v.out, -1), "==", v.formula),
        exact=True,
    )
    check_numeric(r"a^* = \arg\max_a \left[\hat{\mu}_a + c\sqrt{\frac{\ln t}{n_a}}\right]", check)
    with pytest.raises(CheckFailure):
        check_numeric(r"\arg\max_a \left[\hat{\mu}_a - c\sqrt{\frac{\ln t}{n_a}}\right]", check)


def test_an_inequality_is_checked_in_its_direction():
    check = Check(axes={"i": 4}, inputs={"x": lambda v: v.normal(0, 1, v.i)},
                  symbols={"a": lambda v: v.x, "b": lambda v: v.x + 1},
                  relation=lambda v: (v.lhs, "<=", v.formula))
    check_numeric(r"a \le b", check)
    with pytest.raises(BindingError, match="check it as 'lhs >= formula'"):
        check_numeric(r"a \ge b", check)
    with pytest.raises(CheckFailure):
        check_numeric(r"b \le a", check)


def test_reading_a_left_side_that_is_a_label_is_an_error():
    check = Check(symbols={"a": 1.0}, relation=lambda v: (v.lhs, "==", v.formula))
    with pytest.raises(BindingError, match="left side"):
        check_numeric("L = a", check)


def test_an_impl_must_be_the_function_itself():
    # the YAML binding's "module:function" string is gone: a check imports what it checks
    with pytest.raises(CheckDefinitionError, match="impl must be the function itself"):
        binding(impl="rlref.algos.lm:masked_mean")


def test_an_impl_whose_result_is_never_read_is_an_error():
    with pytest.raises(BindingError, match=r"nothing reads its result v\.out"):
        check_numeric(LATEX, binding(relation=lambda v: (v.formula, "==", v.formula)))

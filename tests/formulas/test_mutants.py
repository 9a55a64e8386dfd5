"""The LaTeX mutant generator (rlref.formulas.mutants): its operators and the label rule."""

from __future__ import annotations

from rlref.formulas.api import Check
from rlref.formulas.mutants import checked_mutants, latex_mutants

UPDATE = r"v_{t+1}(s) = v_t(s) - \alpha \left(v_t(s) - g\right)"


def test_operators():
    formula = r"y = \min(a + b, \frac{c}{d}) \mathbb{1}[a \le b] - x_{w}"
    mutants = set(dict(latex_mutants(formula)).values())
    assert mutants == {  # one subscript w without an l: nothing to swap
        r"y = \max(a + b, \frac{c}{d}) \mathbb{1}[a \le b] - x_{w}",
        r"y = \min(a - b, \frac{c}{d}) \mathbb{1}[a \le b] - x_{w}",
        r"y = \min(a + b, \frac{d}{c}) \mathbb{1}[a \le b] - x_{w}",
        r"y = \min(a + b, \frac{c}{d}) \mathbb{1}[a \ge b] - x_{w}",
        r"y = \min(a + b, \frac{c}{d}) \mathbb{1}[a \le b] + x_{w}",
    }


def test_a_leading_minus_is_dropped_and_w_l_swapped_everywhere():
    mutants = dict(latex_mutants(r"L = -\log \sigma(r_w - r_{l})"))
    assert mutants["leading minus dropped at 4"] == r"L = \log \sigma(r_w - r_{l})"
    assert mutants["w↔l swapped"] == r"L = -\log \sigma(r_{l} - r_{w})"


def test_a_label_left_side_keeps_only_right_side_mutants():
    every = dict(latex_mutants(UPDATE))
    assert every["'+'→'-' at 4"].startswith("v_{t-1}(s) =")
    right_side_only = dict(latex_mutants(UPDATE, lhs_is_label=True))
    assert right_side_only == {name: m for name, m in every.items() if name != "'+'→'-' at 4"}
    assert right_side_only  # the right side's two minus signs


def test_a_formula_without_a_relation_has_no_label():
    formula = r"a_{t+1} - b"
    assert list(latex_mutants(formula, lhs_is_label=True)) == list(latex_mutants(formula))


def test_checked_mutants_follow_what_the_relation_reads():
    label = dict(checked_mutants(UPDATE, Check()))  # out == formula: the left side is a name
    assert "'+'→'-' at 4" not in label
    read = dict(checked_mutants(UPDATE, Check(relation=lambda v: (v.lhs, "==", v.formula))))
    assert read == dict(latex_mutants(UPDATE))

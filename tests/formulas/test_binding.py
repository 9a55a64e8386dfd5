"""A check's definition (rlref.formulas.api): what it means, and the mistakes it refuses
when it is built (the old YAML schema's errors, now raised by the API)."""

from __future__ import annotations

import pytest

from rlref.algos.kl import kl_k1
from rlref.formulas.api import (
    Check,
    CheckDefinitionError,
    Fn,
    Reduction,
    Symbols,
    builtin,
    fn,
    reduction,
)
from rlref.formulas.diagnostics import entry_problems


def test_a_complete_check():
    check = Check(
        impl=kl_k1,
        axes={"n": 8},
        inputs={"x": lambda v: v.normal(0, 1, v.n)},
        symbols={r"\beta": 0.5, "f": fn(lambda v, a: a),
                 r"\sum_n": reduction("sum", "n", where=lambda v: v.x > 0)},
        args={"logp": lambda v: v.x},
    )
    assert isinstance(check.symbols["f"], Fn) and check.symbols["f"].params == ("a",)
    total = check.symbols[r"\sum_n"]
    assert isinstance(total, Reduction) and total.axes == ("n",)
    assert check.relation.__rlref_source__ == "out == formula" and check.seeds == 3
    assert not check.reads_lhs


def test_unchecked_needs_a_reason_and_may_declare_symbols():
    assert entry_problems({"check": "none", "reason": "an assumption"}) is None
    unchecked = Symbols({"Z": fn("x"), "b": None})
    assert unchecked.symbols["b"] is None and unchecked.symbols["Z"].params == ("x",)
    assert "needs a reason" in (entry_problems({"check": "none", "reason": "  "}) or "")
    assert "reason" in (entry_problems({"check": "none"}) or "")


def _relation_without_formula(v):
    return v.out, "==", 1.0


@pytest.mark.parametrize(("build", "expected"), [
    (lambda: Check(impl="rlref.algos.kl:kl_k1"), "impl must be the function itself"),
    (lambda: Check(seeds=2), "seeds must be at least 3"),
    (lambda: Check(axes={"t": 1}), "at least 2"),
    (lambda: Check(axes={"t": 3}, inputs={"t": 1}), "declared in both"),
    (lambda: Check(axes={"not a name": 3}), "not a Python identifier"),
    (lambda: reduction("foo", "t"), "one of sum"),
    (lambda: reduction("sum"), "name at least one axis"),
    (lambda: reduction("max", "t", weights=lambda v: v.w), "weights apply to sum and mean"),
    (lambda: reduction("sum", "t", where=lambda v: v.m, weights=lambda v: v.w),
     "either where or weights"),
    (lambda: builtin("softmax"), "builtin"),
    (lambda: Check(symbols={"x": None}), "needs an expression"),
    (lambda: Check(symbols={"x": fn("a")}), "needs an expression"),
    (lambda: Check(symbols={"x": "normal(0, 1, n)"}), "a string is not an expression"),
    (lambda: Check(rtol=0.1), "between 0 and 1e-4"),
    (lambda: Check(relation=_relation_without_formula), "must read v.formula"),
    (lambda: fn(lambda v: 0), "at least one argument after v"),
    (lambda: fn("a -> b"), "parameters must be names"),
])
def test_definition_errors(build, expected):
    with pytest.raises(CheckDefinitionError, match=expected):
        build()


def test_a_constant_input_is_not_a_size():
    assert Check(inputs={"k": 1, "flag": 0}).inputs == {"k": 1, "flag": 0}


def test_an_unknown_field_is_refused():
    with pytest.raises(TypeError, match="unknown"):
        Check(unknown=1)  # type: ignore[call-arg]

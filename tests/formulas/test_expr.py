"""The binding expression language: arithmetic and look-ups only, never eval."""

from __future__ import annotations

import numpy as np
import pytest

from rlref.formulas.expr import ExprError, Expression, Lambda, parameters, split_relation


def evaluate(source, **scope):
    return Expression.parse(source).evaluate(scope)


def test_arithmetic_comparisons_and_indexing():
    table = np.arange(12).reshape(3, 4)
    assert evaluate("2 * x ** 2 - 1", x=3) == 17
    assert evaluate("t[1, 2] + t[-1][0]", t=table) == 6 + 8
    assert evaluate("t[:, 1:3].sum", t=table) is not None  # attribute read is allowed
    np.testing.assert_array_equal(evaluate("0 < x <= 2", x=np.array([0, 1, 2, 3])),
                                  [False, True, True, False])
    np.testing.assert_array_equal(evaluate("(x > 0) & ~(x > 2)", x=np.array([0, 1, 3])),
                                  [False, True, False])
    assert evaluate("f(1, b=2)", f=lambda a, b: a + b) == 3
    assert evaluate("'token-mean'") == "token-mean"
    assert evaluate(0.25) == 0.25


@pytest.mark.parametrize(("source", "message"), [
    ("x.__class__", "private attribute"),
    ("x.sum()", "only named functions"),
    ("a and b", "use &"),
    ("lambda: 0", "not allowed"),
    ("[i for i in x]", "not allowed"),
    ("x = 1", "not an expression"),
])
def test_what_a_binding_cannot_do(source, message):
    with pytest.raises(ExprError, match=message):
        Expression.parse(source)


def test_unknown_names_are_errors_with_the_expression():
    with pytest.raises(ExprError, match="unknown name 'y'"):
        evaluate("x + y", x=1)
    assert Expression.parse("f(x, y[z])").names() == {"f", "x", "y", "z"}


def test_lambda():
    fn = Lambda.parse("a | s -> P[s, a]")
    assert fn.params == ("a", "s") and fn.bar
    assert fn.names() == {"P"}
    assert fn.bind({"P": np.eye(2)})(1, 1) == 1.0
    assert parameters("x, y") == (("x", "y"), False)
    with pytest.raises(ExprError, match="params -> body"):
        Lambda.parse("x + 1")
    with pytest.raises(ExprError, match="repeated"):
        Lambda.parse("x, x -> x")
    with pytest.raises(ExprError, match="takes 2 arguments"):
        Lambda.parse("x, y -> x").bind({})(1)


def test_relations():
    left, operator, right = split_relation("out.loss == -formula")
    assert (left.source, operator, right.source) == ("out.loss", "==", "-formula")
    assert split_relation("lhs <= formula")[1] == "<="
    with pytest.raises(ExprError, match="left == right"):
        split_relation("out + formula")

"""The binding schema and its messages."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from rlref.formulas.binding import (
    Binding,
    FunctionBinding,
    ReductionBinding,
    Unchecked,
    read_binding,
    validation_messages,
)


def messages(raw) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        read_binding(raw)
    return validation_messages(caught.value)


def test_a_complete_binding():
    binding = read_binding({
        "impl": "rlref.algos.kl:kl_k1",
        "axes": {"n": 8},
        "inputs": {"x": "normal(0, 1, n)"},
        "symbols": {r"\beta": 0.5, "f": {"fn": "a -> a"},
                    r"\sum_n": {"sum": "n", "where": "x > 0"}},
        "args": {"logp": "x"},
    })
    assert isinstance(binding, Binding)
    assert isinstance(binding.symbols["f"], FunctionBinding)
    reduction = binding.symbols[r"\sum_n"]
    assert isinstance(reduction, ReductionBinding) and reduction.axes == ["n"]
    assert binding.relation == "out == formula" and binding.seeds == 3


def test_unchecked_needs_a_reason_and_may_declare_symbols():
    assert isinstance(read_binding({"check": "none", "reason": "an assumption"}), Unchecked)
    raw = {"check": "none", "reason": "r", "symbols": {"Z": {"fn": "x"}, "b": None}}
    unchecked = read_binding(raw)
    assert isinstance(unchecked, Unchecked) and unchecked.symbols["b"] is None
    assert any("needs a reason" in m for m in messages({"check": "none", "reason": "  "}))
    assert any("reason" in m for m in messages({"check": "none"}))


@pytest.mark.parametrize(("raw", "expected"), [
    ({"impl": "kl_k1"}, "not of the form"),
    ({"seeds": 2}, "greater than or equal to 3"),
    ({"axes": {"t": 1}}, "at least 2"),
    ({"axes": {"t": 3}, "inputs": {"t": 1}}, "declared in both"),
    ({"symbols": {"x": {"foo": "t"}}}, "names one of fn, indexed"),
    ({"symbols": {"x": {"sum": "t", "mean": "t"}}}, "exactly one of"),
    ({"symbols": {"x": {"max": "t", "weights": "w"}}}, "weights apply to sum and mean"),
    ({"symbols": {"x": {"builtin": "softmax"}}}, "builtin"),
    ({"symbols": {"x": None}}, "needs an expression"),
    ({"rtol": 0.1}, "less than or equal"),
    ({"unknown": 1}, "Extra inputs are not permitted"),
])
def test_schema_errors(raw, expected):
    found = messages(raw)
    assert any(expected in m for m in found), found


def test_a_comma_in_a_flow_mapping_gets_a_hint():
    import yaml

    raw = yaml.safe_load('args: {rewards: reshape(R, P * G)}')
    found = messages(raw)
    assert any("quote an expression that contains commas" in m for m in found), found
    assert len(found) <= 2  # one line per location, not one per union branch

"""Helpers for symbolic identities between parsed formulas.

A declared reduction parses as an opaque function of its operand (``sum_l(body)``); to
reason about it, write it out over concrete index values. Functions of the note
(``\\pi_\\theta``, ``r``) stay undefined sympy functions, so an identity proven here holds
for every policy and every reward.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sympy as sp

from rlref.formulas.parse import ParsedFormula


def write_out(expr: sp.Basic, reduction: Any, index: sp.Symbol, values: Iterable[Any],
              operation: str = "sum") -> sp.Basic:
    """Replace every ``reduction(body)`` by the sum (or mean) of ``body`` over ``index``."""
    values = list(values)

    def expand(body: sp.Basic) -> sp.Basic:
        total = sp.Add(*(body.subs(index, v) for v in values))
        return total / len(values) if operation == "mean" else total

    return expr.replace(lambda e: getattr(e, "func", None) == reduction,
                        lambda e: expand(e.args[0]))


def substitute(expr: sp.Basic, parsed: ParsedFormula, meanings: dict[str, Any]) -> sp.Basic:
    """Give declared spellings a meaning: a value, or a Lambda for a function."""
    for spelling, meaning in meanings.items():
        target = parsed.object(spelling)
        if isinstance(target, sp.Symbol):
            expr = expr.xreplace({target: meaning})
        else:
            expr = expr.replace(target, meaning)
    return expr


def applications(expr: sp.Basic, function: Any) -> list[sp.Basic]:
    """Every application of ``function`` in ``expr``, outermost first."""
    return [node for node in sp.preorder_traversal(expr) if getattr(node, "func", None) == function]

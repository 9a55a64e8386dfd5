"""The numeric check: the note's formula, evaluated on seeded random inputs, against the
function it is bound to (torch, float64), through the declared relation.

A check (:class:`rlref.formulas.api.Check`) is Python: every expression is a callable of
the scope view ``v`` (:class:`rlref.formulas.scope.View`), evaluated here at each site —
sizes, inputs, symbols (values, functions, indexed bases, reductions' ``where`` and
``weights``), the implementation's arguments, the relation and ``cover``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from rlref.formulas.api import RELATION_OPERATORS, Check, Fn, Indexed, Reduction
from rlref.formulas.latex import canonical_spelling
from rlref.formulas.parse import ParsedFormula, parse_formula
from rlref.formulas.scope import (
    BASE,
    Axis,
    BindingError,
    View,
    generators,
    in_layout,
    logsigmoid,
    operand,
    sigmoid,
    to_numpy,
    to_torch,
)

__all__ = ["BindingError", "CheckFailure", "NumericReport", "check_numeric", "to_numpy",
           "to_torch"]


class CheckFailure(AssertionError):
    """The note and the code disagree, or the inputs did not exercise a declared case.

    ``seed`` and ``max_abs_error`` (when known) go into ``verify.json`` with the failure.
    """

    def __init__(
        self, message: str, seed: int | None = None, max_abs_error: float | None = None
    ) -> None:
        super().__init__(message)
        self.seed = seed
        self.max_abs_error = max_abs_error


@dataclass
class NumericReport:
    seeds: list[int]
    max_abs_error: float = 0.0
    max_rel_error: float = 0.0
    parsed: ParsedFormula | None = field(default=None, repr=False)


# ---------------------------------------------------------------------------- inputs
def describe(function: Any) -> str:
    """The source text of a check's callable, for messages (``lambda v: v.mask == 0``)."""
    text = getattr(function, "__rlref_source__", None)
    if text is not None:
        return text
    if not callable(function):
        return repr(function)
    try:
        lines = inspect.getsource(function).strip().splitlines()
    except (OSError, TypeError):
        return getattr(function, "__name__", "a callable")
    line = lines[0].strip().rstrip(",")
    at = line.find("lambda")
    return line[at:] if at >= 0 else line


def evaluate(source: Any, view: View, where: str, *args: Any) -> Any:
    """A constant, or a callable of the view (and ``args``), evaluated with the site in
    the message of any error."""
    if not callable(source):
        return source
    try:
        return source(view, *args)
    except (BindingError, CheckFailure):
        raise
    except Exception as error:  # numpy / indexing errors, reported with the site
        raise BindingError(f"{where}: {type(error).__name__}: {error}") from None


def build_scope(check: Check, seed: int) -> tuple[dict[str, Any], View, list[Axis]]:
    """Sizes, axes and inputs of one seed, in declaration order."""
    scope: dict[str, Any] = {**BASE, **generators(np.random.default_rng(seed))}
    view = View(scope)
    for name, size in check.dims.items():
        scope[name] = _size(name, size, view)
    axes: list[Axis] = []
    for position, (name, size) in enumerate(check.axes.items()):
        axes.append(Axis(name, _size(name, size, view), position, len(check.axes)))
        scope[name] = axes[-1]
    for name, source in check.inputs.items():
        scope[name] = evaluate(source, view, f"inputs.{name}")
    return scope, view, axes


def _size(name: str, size: Any, view: View) -> int:
    value = evaluate(size, view, f"size of {name}")
    if not isinstance(value, int | np.integer) or value < 2:
        raise BindingError(f"size of {name} must be an integer ≥ 2, got {value!r}")
    return int(value)


# ---------------------------------------------------------------------------- the formula
def _laid_out(value: Any, axes: list[Axis], what: str) -> Any:
    # numpy scalars, not Python ones: 1/0 must give inf (and fail the comparison), not raise
    value = np.asarray(operand(value))
    if value.dtype == bool:
        value = value.astype(np.float64)
    if not in_layout(value, axes):
        layout = ", ".join(f"{a.name}={a.size}" for a in axes) or "scalars only"
        raise BindingError(f"{what} has shape {np.shape(value)}, not in the layout ({layout}); "
                           "index tables with axis names to lay them out")
    return value


def _reduction(reduction: Reduction, view: View, axes: list[Axis],
               key: str) -> Callable[[Any], Any]:
    by_name = {a.name: a for a in axes}
    missing = [name for name in reduction.axes if name not in by_name]
    if missing:
        raise BindingError(f"{key}: reduces over {', '.join(missing)}, which is not an axis")
    weight = reduction.where if reduction.where is not None else reduction.weights
    weights = None if weight is None else _laid_out(
        evaluate(weight, view, f"{key}: where/weights"), axes, f"{key}: where/weights")
    over = tuple(by_name[name] for name in reduction.axes)
    return partial(_reduce, operation=reduction.operation, axes=axes, over=over,
                   weights=weights, key=key, ddof=reduction.ddof)


def _set_size(bounds: tuple[Any, ...], over: tuple[Axis, ...], key: str) -> None:
    r"""A set ``\{r_1, \dots, r_G\}`` must have one element per position of its axis."""
    first, last = (np.asarray(operand(b)) for b in bounds)
    count = np.unique(last - first + 1)
    (axis,) = over
    if count.size != 1 or count[0] != axis.size:
        raise BindingError(f"{key}: the set has {', '.join(map(str, count))} element(s) (from its "
                           f"first to its last index) but the axis {axis.name} has {axis.size}")


def _reduce(x: Any, *bounds: Any, operation: str, axes: list[Axis], over: tuple[Axis, ...],
            weights: Any, key: str, ddof: int | None = None) -> Any:
    """A reduction over the ``over`` axes, keeping them (size 1) so the layout holds;
    ``bounds`` are the first and last index of a set it reduces."""
    if bounds:
        _set_size(bounds, over, key)
    values = np.asarray(_laid_out(x, axes, key), dtype=np.float64)
    if values.ndim == 0:
        values = values.reshape((1,) * len(axes))
    shape: tuple[int, ...] = tuple(
        a.size if any(a is o for o in over) else n
        for a, n in zip(axes, values.shape, strict=True)
    )  # a constant operand counts once per position: sum_i c = n c
    if weights is not None:
        shape = np.broadcast_shapes(shape, np.shape(weights))
    values = np.broadcast_to(values, shape)
    w = np.ones(shape) if weights is None else np.broadcast_to(weights.astype(np.float64), shape)
    positions = tuple(a.position for a in over)
    if operation in ("sum", "mean"):
        # np.where, not a product: a masked-out position may hold inf or nan
        total = np.where(w > 0, values * w, 0.0).sum(axis=positions, keepdims=True)
        return total if operation == "sum" else total / w.sum(axis=positions, keepdims=True)
    if operation == "prod":
        return np.where(w > 0, values, 1.0).prod(axis=positions, keepdims=True)
    if operation in ("std", "var"):
        inside = w > 0
        n = inside.sum(axis=positions, keepdims=True)
        mean = np.where(inside, values, 0.0).sum(axis=positions, keepdims=True) / n
        squares = np.where(inside, (values - mean) ** 2, 0.0).sum(axis=positions, keepdims=True)
        variance = squares / (n - (ddof or 0))
        return variance if operation == "var" else np.sqrt(variance)
    fill = -np.inf if operation in ("max", "argmax") else np.inf
    masked = np.where(w > 0, values, fill)
    if operation in ("max", "min"):
        return getattr(np, operation)(masked, axis=positions, keepdims=True)
    if len(positions) != 1:
        raise BindingError(f"{key}: {operation} takes one axis")
    return getattr(np, operation)(masked, axis=positions[0], keepdims=True)


def _bound(body: Callable[..., Any], arity: int, view: View, axes: list[Axis],
           what: str) -> Callable[..., Any]:
    """A function or indexed base of the formula: ``body(v, *args)``, laid out."""
    def call(*args: Any) -> Any:
        if len(args) != arity:
            raise BindingError(f"{what} takes {arity} arguments, got {len(args)}")
        return _laid_out(evaluate(body, view, what, *args), axes, what)

    return call


NUMERIC_BUILTINS: dict[str, Callable[..., Any]] = {
    "clip": np.clip,
    "sigmoid": sigmoid,
    "logsigmoid": logsigmoid,
    "sg": lambda x: x,  # stop-gradient leaves the value unchanged
    "indicator_lt": lambda a, b: np.less(a, b).astype(np.float64),
    "indicator_gt": lambda a, b: np.greater(a, b).astype(np.float64),
    "indicator_le": lambda a, b: np.less_equal(a, b).astype(np.float64),
    "indicator_ge": lambda a, b: np.greater_equal(a, b).astype(np.float64),
    "indicator_eq": lambda a, b: np.equal(a, b).astype(np.float64),
    "indicator_ne": lambda a, b: np.not_equal(a, b).astype(np.float64),
}


def symbol_table(check: Check) -> dict[str, Any]:
    """Canonical spelling → the check's symbol (the parse knows spellings canonically)."""
    return {canonical_spelling(spelling): symbol for spelling, symbol in check.symbols.items()}


def formula_function(parsed: ParsedFormula, check: Check, view: View, axes: list[Axis],
                     side: str = "rhs") -> Callable[[], Any]:
    """One side of the formula as a numpy function of this seed's inputs."""
    import sympy as sp

    symbols = symbol_table(check)
    scope = object.__getattribute__(view, "_scope")
    functions: dict[str, Any] = dict(NUMERIC_BUILTINS)
    values: dict[str, Any] = {}
    for key, entry in parsed.entries.items():
        if entry.kind == "builtin":
            continue
        symbol = symbols.get(key)
        if entry.kind == "index":  # a declared index letter, or an axis letter itself
            values[entry.name] = _laid_out(scope[entry.source], axes, key)
        elif entry.kind == "value":
            values[entry.name] = _laid_out(evaluate(symbol, view, key), axes, key)
        elif entry.kind == "reduction":
            assert isinstance(symbol, Reduction)
            functions[entry.name] = _reduction(symbol, view, axes, key)
        else:
            assert isinstance(symbol, Fn | Indexed) and symbol.body is not None
            functions[entry.name] = _bound(symbol.body, len(symbol.params), view, axes, key)
    expr = parsed.rhs if side == "rhs" else parsed.lhs
    arguments = sorted(expr.free_symbols, key=lambda s: s.name)
    compiled = sp.lambdify(arguments, expr, modules=[functions, "numpy"])
    return lambda: _laid_out(compiled(*(values[s.name] for s in arguments)), axes, side)


# ---------------------------------------------------------------------------- the code
def call_impl(impl: Callable[..., Any], check: Check, view: View, seed: int) -> Any:
    import torch

    if isinstance(check.args, dict) or hasattr(check.args, "items"):
        args: list[Any] = []
        kwargs = {name: to_torch(evaluate(a, view, f"args.{name}"))
                  for name, a in check.args.items()}  # type: ignore[union-attr]
    else:
        args = [to_torch(evaluate(a, view, f"args[{k}]")) for k, a in enumerate(check.args)]
        kwargs = {}
    torch.manual_seed(seed)
    with torch.no_grad():
        return to_numpy(impl(*args, **kwargs))


# ---------------------------------------------------------------------------- comparison
_LATEX_TO_OPERATOR = {r"\le": "<=", r"\leq": "<=", r"\ge": ">=", r"\geq": ">=", "<": "<",
                      r"\lt": "<", ">": ">", r"\gt": ">"}
_MIRROR = {"<=": ">=", ">=": "<=", "<": ">", ">": "<"}


def compare(left: Any, operator: str, right: Any, check: Check, seed: int,
            relation: str = "relation") -> tuple[float, float]:
    """Raise CheckFailure unless ``left OP right`` holds at the check's tolerance;
    → (max abs error, max rel error) of the equality or of the violations."""
    a, b = np.squeeze(np.asarray(operand(left))), np.squeeze(np.asarray(operand(right)))
    if a.shape != b.shape and not (operator != "==" and (a.ndim == 0 or b.ndim == 0)):
        raise CheckFailure(f"seed {seed}: {relation}: shapes differ, {a.shape} vs {b.shape}", seed)
    if a.dtype.kind not in "biuf" or b.dtype.kind not in "biuf":
        raise CheckFailure(f"seed {seed}: {relation}: not numbers ({a.dtype}, {b.dtype})", seed)
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise CheckFailure(f"seed {seed}: {relation}: non-finite values", seed)
    a, b = np.broadcast_arrays(a.astype(np.float64), b.astype(np.float64))
    scale = np.maximum(np.abs(a), np.abs(b))
    slack = 0.0 if check.exact else check.atol + check.rtol * scale
    if operator == "==":
        diff = np.abs(a - b)
    elif operator in ("<=", "<"):
        diff = np.maximum(a - b, 0.0) if operator == "<=" else np.where(a < b, 0.0, a - b + 1.0)
    else:
        diff = np.maximum(b - a, 0.0) if operator == ">=" else np.where(a > b, 0.0, b - a + 1.0)
    bad = diff > slack
    max_abs = float(diff.max(initial=0.0))
    max_rel = float((diff / np.maximum(scale, np.finfo(np.float64).tiny)).max(initial=0.0))
    if bad.any():
        where = np.unravel_index(int(np.argmax(np.where(bad, diff, -1))), diff.shape)
        raise CheckFailure(
            f"seed {seed}: {relation} fails: {int(bad.sum())} of {bad.size} values; "
            f"max violation {max_abs:.3g} (at {tuple(int(i) for i in where)}: "
            f"{a[where]!r} vs {b[where]!r})",
            seed,
            max_abs,
        )
    return max_abs, max_rel


def _check_direction(parsed: ParsedFormula, scope: dict[str, Any], left: Any, operator: str,
                     right: Any) -> None:
    r"""An inequality in the note must be checked as written: ``(v.lhs, "<=", v.formula)``
    for ``\le`` (or its mirror ``(v.formula, ">=", v.lhs)``)."""
    if parsed.relation not in _LATEX_TO_OPERATOR and operator == "==":
        return
    expected = _LATEX_TO_OPERATOR.get(parsed.relation or "")
    lhs, formula = scope.get("lhs", _ABSENT), scope["formula"]
    if expected is None or not (
        (left is lhs and right is formula and operator == expected)
        or (left is formula and right is lhs and operator == _MIRROR[expected])
    ):
        raise BindingError(f"the note states '{parsed.relation or '='}': check it as "
                           f"'lhs {expected or '=='} formula'")


_ABSENT = object()


@dataclass
class _Run:
    """One formula's check, ready to run seed by seed."""

    parsed: ParsedFormula
    check: Check
    impl: Callable[..., Any] | None
    relation_text: str

    def run(self, seed: int) -> tuple[float, float]:
        check = self.check
        scope, view, axes = build_scope(check, seed)
        if self.impl is not None:  # first, so that a recursive formula can read the code's output
            scope["out"] = call_impl(self.impl, check, view, seed)
        scope["formula"] = formula_function(self.parsed, check, view, axes)()
        if check.reads_lhs:
            scope["lhs"] = formula_function(self.parsed, check, view, axes, side="lhs")()
        relation = evaluate(check.relation, view, "relation")
        if not (isinstance(relation, tuple) and len(relation) == 3
                and relation[1] in RELATION_OPERATORS):
            raise BindingError("relation must return (left, op, right) with op one of "
                               + ", ".join(RELATION_OPERATORS))
        got, operator, want = relation
        _check_direction(self.parsed, scope, got, operator, want)
        errors = compare(got, operator, want, check, seed, self.relation_text)
        for k, case in enumerate(check.cover):
            if not np.any(operand(evaluate(case, view, f"cover[{k}]"))):
                raise CheckFailure(f"seed {seed}: cover {describe(case)!r} is never true: the "
                                   "inputs do not exercise this case, so a pass would be "
                                   "vacuous", seed)
        if self.impl is not None and "out" not in object.__getattribute__(view, "_read"):
            raise BindingError("impl is given but nothing reads its result v.out")
        return errors


def check_numeric(latex: str, check: Check, *, impl: Callable[..., Any] | None = None,
                  seeds: list[int] | None = None) -> NumericReport:
    """Check one formula; raises LatexError/BindingError/CheckFailure.

    ``impl`` replaces the bound implementation (the self-test passes mutated code)."""
    parsed = parse_formula(latex, check)
    if check.reads_lhs and parsed.lhs is None:
        raise BindingError("the relation reads 'lhs' but the left side is absent or not declared")
    runner = _Run(parsed, check, impl if impl is not None else check.impl,
                  describe(check.relation))
    report = NumericReport(seeds or list(range(check.seeds)), parsed=parsed)
    for seed in report.seeds:
        with np.errstate(all="ignore"):  # a non-finite value fails the comparison instead
            max_abs, max_rel = runner.run(seed)
        report.max_abs_error = max(report.max_abs_error, max_abs)
        report.max_rel_error = max(report.max_rel_error, max_rel)
    return report

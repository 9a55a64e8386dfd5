"""The numeric check: the note's formula, evaluated on seeded random inputs, against the
``rlref.algos`` function it is bound to (torch, float64), through the declared relation.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from types import ModuleType
from typing import Any

import numpy as np

from rlref.formulas.binding import Binding, ReductionBinding
from rlref.formulas.expr import ExprError, Expression, Lambda, operand, split_relation
from rlref.formulas.parse import ParsedFormula, parse_formula
from rlref.formulas.scope import BASE, Axis, generators, in_layout, logsigmoid, sigmoid


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


class BindingError(ValueError):
    """The binding cannot be evaluated as written (unknown name, wrong layout, …)."""


@dataclass
class NumericReport:
    seeds: list[int]
    max_abs_error: float = 0.0
    max_rel_error: float = 0.0
    parsed: ParsedFormula | None = field(default=None, repr=False)


def resolve_impl(reference: str) -> Callable[..., Any]:
    module_name, _, function_name = reference.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise BindingError(f"impl {reference}: cannot import {module_name} ({error})") from None
    function = getattr(module, function_name, None)
    if not callable(function):
        raise BindingError(f"impl {reference}: {module_name} has no function {function_name}")
    return function


def spec_functions(module_name: str | None) -> dict[str, Any]:
    """The public callables a spec module offers to expressions."""
    if module_name is None:
        return {}
    try:
        module: ModuleType = importlib.import_module(module_name)
    except ImportError as error:
        raise BindingError(f"spec {module_name}: cannot import it ({error})") from None
    names = getattr(module, "__all__", None) or [
        name for name, value in vars(module).items()
        if not name.startswith("_") and callable(value)
        and getattr(value, "__module__", None) == module.__name__
    ]
    return {name: getattr(module, name) for name in names}


# ---------------------------------------------------------------------------- inputs
def build_scope(binding: Binding, seed: int,
                extra: dict[str, Any]) -> tuple[dict[str, Any], list[Axis]]:
    """Sizes, axes and inputs of one seed, in declaration order."""
    scope: dict[str, Any] = {**BASE, **extra, **generators(np.random.default_rng(seed))}
    for name, size in binding.dims.items():
        scope[name] = _size(name, size, scope)
    axes: list[Axis] = []
    for position, (name, size) in enumerate(binding.axes.items()):
        axes.append(Axis(name, _size(name, size, scope), position, len(binding.axes)))
        scope[name] = axes[-1]
    for name, source in binding.inputs.items():
        scope[name] = _evaluate(source, scope, f"inputs.{name}")
    return scope, axes


def _size(name: str, size: int | str, scope: dict[str, Any]) -> int:
    value = _evaluate(size, scope, f"size of {name}")
    if not isinstance(value, int | np.integer) or value < 2:
        raise BindingError(f"size of {name} must be an integer ≥ 2, got {value!r}")
    return int(value)


def _evaluate(source: str | int | float | bool, scope: dict[str, Any], where: str) -> Any:
    try:
        return Expression.parse(source).evaluate(scope)
    except ExprError as error:
        raise BindingError(f"{where}: {error}") from None


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


def _reduction(binding: ReductionBinding, scope: dict[str, Any], axes: list[Axis],
               key: str) -> Callable[[Any], Any]:
    by_name = {a.name: a for a in axes}
    missing = [name for name in binding.axes if name not in by_name]
    if missing:
        raise BindingError(f"{key}: reduces over {', '.join(missing)}, which is not an axis")
    weight = binding.where or binding.weights
    weights = None if weight is None else _laid_out(
        _evaluate(weight, scope, f"{key}: where/weights"), axes, f"{key}: where/weights")
    over = tuple(by_name[name] for name in binding.axes)
    return partial(_reduce, operation=binding.operation, axes=axes, over=over,
                   weights=weights, key=key, ddof=binding.ddof)


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
        a.size if a in over else n for a, n in zip(axes, values.shape, strict=True)
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


def _checked(function: Callable[..., Any], axes: list[Axis], what: str) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        try:
            result = function(*args)
        except ExprError as error:
            raise BindingError(f"{what}: {error}") from None
        return _laid_out(result, axes, what)

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


def formula_function(parsed: ParsedFormula, scope: dict[str, Any], axes: list[Axis],
                     side: str = "rhs") -> Callable[[], Any]:
    """One side of the formula as a numpy function of this seed's inputs."""
    import sympy as sp

    functions: dict[str, Any] = dict(NUMERIC_BUILTINS)
    values: dict[str, Any] = {}
    for key, entry in parsed.entries.items():
        if entry.kind == "builtin":
            continue
        if entry.kind in ("value", "index"):
            values[entry.name] = _laid_out(_evaluate(entry.source, scope, key), axes, key)
        elif entry.kind == "reduction":
            functions[entry.name] = _reduction(entry.source, scope, axes, key)
        else:
            function = Lambda.parse(entry.source).bind(scope)
            functions[entry.name] = _checked(function, axes, key)
    expr = parsed.rhs if side == "rhs" else parsed.lhs
    arguments = sorted(expr.free_symbols, key=lambda s: s.name)
    compiled = sp.lambdify(arguments, expr, modules=[functions, "numpy"])
    return lambda: _laid_out(compiled(*(values[s.name] for s in arguments)), axes, side)


# ---------------------------------------------------------------------------- the code
def to_torch(value: Any) -> Any:
    import torch

    value = operand(value)
    if isinstance(value, np.ndarray):
        array = np.squeeze(value)
        if array.ndim == 0:
            return array.item()
        return torch.from_numpy(np.ascontiguousarray(array))
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple | list):
        return type(value)(to_torch(v) for v in value)
    return value


class _NumpyView:
    """Attribute reads of a result object (a dataclass of tensors) come back as numpy."""

    def __init__(self, wrapped: Any) -> None:
        self._wrapped = wrapped

    def __getattr__(self, name: str) -> Any:
        return to_numpy(getattr(self._wrapped, name))


def to_numpy(value: Any) -> Any:
    import torch

    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return type(value)(*(to_numpy(v) for v in value))
    if isinstance(value, tuple | list):
        return type(value)(to_numpy(v) for v in value)
    if isinstance(value, dict):
        return {k: to_numpy(v) for k, v in value.items()}
    if isinstance(value, int | float | bool | np.ndarray | np.generic | str) or value is None:
        return value
    return _NumpyView(value)


def call_impl(impl: Callable[..., Any], binding: Binding, scope: dict[str, Any], seed: int) -> Any:
    import torch

    if isinstance(binding.args, list):
        args = [to_torch(_evaluate(a, scope, f"args[{k}]")) for k, a in enumerate(binding.args)]
        kwargs: dict[str, Any] = {}
    else:
        args = []
        kwargs = {name: to_torch(_evaluate(a, scope, f"args.{name}"))
                  for name, a in binding.args.items()}
    torch.manual_seed(seed)
    with torch.no_grad():
        return to_numpy(impl(*args, **kwargs))


# ---------------------------------------------------------------------------- comparison
_LATEX_TO_OPERATOR = {r"\le": "<=", r"\leq": "<=", r"\ge": ">=", r"\geq": ">=", "<": "<",
                      r"\lt": "<", ">": ">", r"\gt": ">"}
_MIRROR = {"<=": ">=", ">=": "<=", "<": ">", ">": "<"}


def compare(left: Any, operator: str, right: Any, binding: Binding,
            seed: int) -> tuple[float, float]:
    """Raise CheckFailure unless ``left OP right`` holds at the binding's tolerance;
    → (max abs error, max rel error) of the equality or of the violations."""
    a, b = np.squeeze(np.asarray(operand(left))), np.squeeze(np.asarray(operand(right)))
    relation = binding.relation
    if a.shape != b.shape and not (operator != "==" and (a.ndim == 0 or b.ndim == 0)):
        raise CheckFailure(f"seed {seed}: {relation}: shapes differ, {a.shape} vs {b.shape}", seed)
    if a.dtype.kind not in "biuf" or b.dtype.kind not in "biuf":
        raise CheckFailure(f"seed {seed}: {relation}: not numbers ({a.dtype}, {b.dtype})", seed)
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise CheckFailure(f"seed {seed}: {relation}: non-finite values", seed)
    a, b = np.broadcast_arrays(a.astype(np.float64), b.astype(np.float64))
    scale = np.maximum(np.abs(a), np.abs(b))
    slack = 0.0 if binding.exact else binding.atol + binding.rtol * scale
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


def _check_direction(parsed: ParsedFormula, left: Expression, operator: str,
                     right: Expression) -> None:
    r"""An inequality in the note must be checked as written: ``lhs <= formula`` for ``\le``."""
    if parsed.relation not in _LATEX_TO_OPERATOR and operator == "==":
        return
    expected = _LATEX_TO_OPERATOR.get(parsed.relation or "")
    sides = (left.source, right.source)
    if expected is None or not (
        (sides == ("lhs", "formula") and operator == expected)
        or (sides == ("formula", "lhs") and operator == _MIRROR[expected])
    ):
        raise BindingError(f"the note states '{parsed.relation or '='}': check it as "
                           f"'lhs {expected or '=='} formula'")


@dataclass
class _Check:
    """One formula's check, ready to run seed by seed."""

    parsed: ParsedFormula
    binding: Binding
    impl: Callable[..., Any] | None
    spec: dict[str, Any]
    left: Expression
    operator: str
    right: Expression

    def run(self, seed: int) -> tuple[float, float]:
        binding = self.binding
        scope, axes = build_scope(binding, seed, self.spec)
        if self.impl is not None:  # first, so that a recursive formula can read the code's output
            scope["out"] = call_impl(self.impl, binding, scope, seed)
        scope["formula"] = formula_function(self.parsed, scope, axes)()
        if "lhs" in self.left.names() | self.right.names():
            scope["lhs"] = formula_function(self.parsed, scope, axes, side="lhs")()
        got = _evaluate(self.left.source, scope, "relation")
        want = _evaluate(self.right.source, scope, "relation")
        errors = compare(got, self.operator, want, binding, seed)
        for case in binding.cover:
            if not np.any(_evaluate(case, scope, "cover")):
                raise CheckFailure(f"seed {seed}: cover {case!r} is never true: the inputs do "
                                   "not exercise this case, so a pass would be vacuous", seed)
        return errors


def check_numeric(latex: str, binding: Binding, *, impl: Callable[..., Any] | None = None,
                  seeds: list[int] | None = None) -> NumericReport:
    """Check one formula; raises LatexError/ExprError/BindingError/CheckFailure.

    ``impl`` replaces the bound implementation (the self-test passes mutated code)."""
    parsed = parse_formula(latex, binding)
    left, operator, right = split_relation(binding.relation)
    _check_direction(parsed, left, operator, right)
    if "lhs" in left.names() | right.names() and parsed.lhs is None:
        raise BindingError("the relation reads 'lhs' but the left side is absent or not declared")
    if binding.impl is not None and impl is None:
        impl = resolve_impl(binding.impl)
    check = _Check(parsed, binding, impl, spec_functions(binding.spec), left, operator, right)
    report = NumericReport(seeds or list(range(binding.seeds)), parsed=parsed)
    for seed in report.seeds:
        with np.errstate(all="ignore"):  # a non-finite value fails the comparison instead
            max_abs, max_rel = check.run(seed)
        report.max_abs_error = max(report.max_abs_error, max_abs)
        report.max_rel_error = max(report.max_rel_error, max_rel)
    return report

r"""Writing a formula check: the binding of one tagged formula, in Python.

A note holds the formula (``<!-- formula: kl-k3 -->`` above a ``$$`` block); the check lives
in the vault's checks folder (``checks = "../checks"`` in the vault's ``.rlref.toml``) as an
ordinary function that imports the code it checks::

    from rlref.algos.kl import kl_k3
    from rlref.formulas.api import Check, fn, formula_check

    @formula_check("AI/LLM/RL/Fundamentals/KL散度", "kl-k3")
    def kl_k3_check() -> Check:
        return Check(
            impl=kl_k3,
            dims={"V": 6},
            axes={"i": 5, "t": 7},
            inputs={"P": lambda v: v.simplex(v.V), "Q": lambda v: v.simplex(v.V)},
            symbols={r"\pi_\theta": fn(lambda v, x: v.P[x]), …},
            args={"logp": lambda v: v.log(v.P[v.x]), "ref_logp": lambda v: v.log(v.Q[v.x])},
        )

Every expression is a callable of a *scope view* ``v``: attribute reads give the sizes
(``dims``), the axes, the inputs drawn so far, the helpers of :mod:`rlref.formulas.scope`
(``v.normal``, ``v.simplex``, ``v.log``, ``v.sum``, ``v.call``, …) and, once computed,
``v.out`` (the implementation's result), ``v.formula`` (the right side) and ``v.lhs`` (the
left side). Constants stay constants. Importing this module is cheap (no numpy, sympy or
torch), and a check module is imported only by ``rlref verify`` and the formula tests:
``rlref check`` reads the ``@formula_check`` lines with :mod:`ast`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

REDUCTIONS = ("sum", "mean", "prod", "max", "min", "argmax", "argmin", "std", "var")
BUILTINS = (
    "min", "max", "clip", "sigmoid", "exp", "log", "sqrt", "abs", "sign", "sg", "e", "indicator",
)
MIN_SIZE = 2  # a size-1 axis would be squeezed away and could hide a broadcasting bug
RELATION_OPERATORS = ("==", "<=", ">=", "<", ">")
_IDENTIFIER = re.compile(r"^[A-Za-z_]\w*$")

Expr = Callable[..., Any] | int | float | bool | str
# On a registered function: its ((kind, note, formula id), …); stacked decorators add to it, so
# one check can serve two tagged formulas that state the same quantity.
CHECK_ATTRIBUTE = "__rlref_formula__"


class CheckDefinitionError(ValueError):
    """A check that is not well formed (reported as the formula's failure)."""


def _parameters(body: Callable[..., Any], what: str) -> tuple[str, ...]:
    code = getattr(body, "__code__", None)
    if code is None:
        raise CheckDefinitionError(f"{what}: expected a function of (v, …)")
    names = code.co_varnames[: code.co_argcount]
    if not names:
        raise CheckDefinitionError(f"{what}: the function takes the scope view v first")
    return tuple(names[1:])


@dataclass(frozen=True)
class Fn:
    r"""An applied function ``f(x, y)`` of the formula; ``bar`` lets ``|``, ``\mid`` and
    ``\|`` separate its arguments, as in ``π(a|s)``."""

    body: Callable[..., Any] | None
    params: tuple[str, ...]
    bar: bool = False


@dataclass(frozen=True)
class Indexed:
    """An indexed base ``x_{t+1}``: the subscript is the argument."""

    body: Callable[..., Any] | None
    params: tuple[str, ...]


@dataclass(frozen=True)
class Reduction:
    r"""A big operator (``\mathbb{E}_t``, ``\sum_i``, ``\max_{a'}``, ``\arg\max_a``) over
    axes. Its operand runs to the next top-level ``+``, ``-``, ``,`` or closing bracket.
    ``where`` masks positions out; ``weights`` weighs them; ``std``/``var`` need ``ddof``."""

    operation: str
    axes: tuple[str, ...]
    where: Expr | None = None
    weights: Expr | None = None
    ddof: int | None = None

    def shape(self) -> Reduction:
        """The same reduction without its callables: what the parse depends on."""
        return Reduction(self.operation, self.axes, None, None, self.ddof)


@dataclass(frozen=True)
class Builtin:
    r"""A function with a fixed meaning, e.g. ``\sigma`` as ``builtin("sigmoid")``."""

    name: str


@dataclass(frozen=True)
class Index:
    """The index letter running along an axis (``index("t")``: ``t`` is 0…n−1)."""

    axis: str


def fn(body: Callable[..., Any] | str, *, bar: bool = False) -> Fn:
    """``fn(lambda v, a, s: v.P[s, a], bar=True)``; in a :class:`Symbols` declaration the
    parameters alone: ``fn("y | x")``."""
    if isinstance(body, str):
        params = tuple(p.strip() for p in body.replace("|", ",").split(","))
        if not all(p.isidentifier() for p in params):
            raise CheckDefinitionError(f"{body!r}: parameters must be names separated by ',' "
                                       "or '|'")
        return Fn(None, params, bar or "|" in body)
    params = _parameters(body, "fn")
    if not params:
        raise CheckDefinitionError("fn: a function takes at least one argument after v")
    return Fn(body, params, bar)


def indexed(body: Callable[..., Any] | str) -> Indexed:
    """``indexed(lambda v, k: v.R[v.b, k])``: ``r_t`` and ``r_{t+1}`` are then both defined."""
    if isinstance(body, str):
        return Indexed(None, tuple(p.strip() for p in body.split(",")))
    params = _parameters(body, "indexed")
    if not params:
        raise CheckDefinitionError("indexed: the function takes the index after v")
    return Indexed(body, params)


def reduction(operation: str, *axes: str, where: Expr | None = None,
              weights: Expr | None = None, ddof: int | None = None) -> Reduction:
    """``reduction("mean", "b", "t", where=lambda v: v.mask)``."""
    if operation not in REDUCTIONS:
        raise CheckDefinitionError(f"reduction {operation!r}: one of {', '.join(REDUCTIONS)}")
    if not axes:
        raise CheckDefinitionError(f"reduction {operation!r}: name at least one axis")
    if weights is not None and operation not in ("sum", "mean"):
        raise CheckDefinitionError("weights apply to sum and mean only")
    if weights is not None and where is not None:
        raise CheckDefinitionError("use either where or weights, not both")
    spread = operation in ("std", "var")
    if spread and ddof not in (0, 1):
        raise CheckDefinitionError(f"{operation} needs ddof=1 (divide by n − 1, torch.std) or "
                                   "ddof=0 (divide by n)")
    if not spread and ddof is not None:
        raise CheckDefinitionError("ddof applies to std and var only")
    return Reduction(operation, tuple(axes), where, weights, ddof)


def builtin(name: str) -> Builtin:
    if name not in BUILTINS:
        raise CheckDefinitionError(f"builtin {name!r}: one of {', '.join(BUILTINS)}")
    return Builtin(name)


def index(axis: str) -> Index:
    return Index(axis)


Symbol = Expr | Fn | Indexed | Reduction | Builtin | Index | None


def default_relation(v: Any) -> tuple[Any, str, Any]:
    """The code returns the quantity the formula states."""
    return v.out, "==", v.formula


default_relation.__rlref_source__ = "out == formula"  # type: ignore[attr-defined]


def reads(function: Any, name: str) -> bool:
    """Whether a callable reads ``v.<name>`` (its code, nested lambdas included)."""
    declared = getattr(function, "__rlref_reads__", None)
    if declared is not None:
        return name in declared
    stack = [getattr(function, "__code__", None)]
    while stack:
        code = stack.pop()
        if code is None:
            continue
        if name in code.co_names:
            return True
        stack.extend(c for c in code.co_consts if hasattr(c, "co_names"))
    return False


def _check_sizes(sizes: Mapping[str, Any], section: str, *, sized: bool = True) -> None:
    for name, size in sizes.items():
        if not _IDENTIFIER.match(name):
            raise CheckDefinitionError(f"{section}: {name!r} is not a Python identifier")
        if sized and isinstance(size, int) and not isinstance(size, bool) and size < MIN_SIZE:
            raise CheckDefinitionError(f"{section}: size of {name!r} must be at least {MIN_SIZE}")


@dataclass(frozen=True)
class Symbols:
    """The vocabulary of a formula that has no numeric check (``check: none`` in the note),
    for the symbolic identities: kinds only, no values (``None``, ``fn("y | x")``)."""

    symbols: Mapping[str, Symbol]
    axes: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Check:
    """A numeric check: the formula, evaluated on random inputs, against ``impl``."""

    impl: Callable[..., Any] | None = None
    dims: Mapping[str, int | Callable[..., Any]] = field(default_factory=dict)
    axes: Mapping[str, int | Callable[..., Any]] = field(default_factory=dict)
    inputs: Mapping[str, Expr] = field(default_factory=dict)
    symbols: Mapping[str, Symbol] = field(default_factory=dict)
    args: Mapping[str, Expr] | Sequence[Expr] = field(default_factory=dict)
    relation: Callable[[Any], tuple[Any, str, Any]] = default_relation
    cover: Sequence[Callable[[Any], Any]] = ()
    seeds: int = 3
    rtol: float = 1e-9
    atol: float = 1e-12
    exact: bool = False

    def __post_init__(self) -> None:
        if self.impl is not None and not callable(self.impl):
            raise CheckDefinitionError(f"impl must be the function itself, not {self.impl!r}")
        _check_sizes(self.dims, "dims")
        _check_sizes(self.axes, "axes")
        _check_sizes(self.inputs, "inputs", sized=False)  # an input may be the constant 1
        seen: dict[str, str] = {}
        for section in ("dims", "axes", "inputs"):
            for name in getattr(self, section):
                if name in seen:
                    raise CheckDefinitionError(f"{name!r} is declared in both {seen[name]} and "
                                               f"{section}")
                seen[name] = section
        for spelling, symbol in self.symbols.items():
            if symbol is None or (isinstance(symbol, Fn | Indexed) and symbol.body is None):
                raise CheckDefinitionError(f"{spelling}: a value needs an expression (only a "
                                           "Symbols declaration may leave it empty)")
            if isinstance(symbol, str):
                raise CheckDefinitionError(f"{spelling}: a string is not an expression; write "
                                           "lambda v: …")
        if self.seeds < 3:
            raise CheckDefinitionError("seeds must be at least 3")
        if not (0 <= self.rtol <= 1e-4 and 0 <= self.atol <= 1e-4):
            raise CheckDefinitionError("rtol and atol must be between 0 and 1e-4")
        if not callable(self.relation):
            raise CheckDefinitionError("relation is a function of v returning (left, op, right)")
        if not (reads(self.relation, "formula") or reads(self.relation, "lhs")):
            raise CheckDefinitionError("relation must read v.formula (or v.lhs)")

    @property
    def reads_lhs(self) -> bool:
        return reads(self.relation, "lhs")


def _register(kind: str, note: str, formula_id: str) -> Callable[[Any], Any]:
    if not (isinstance(note, str) and isinstance(formula_id, str)):
        raise CheckDefinitionError("register with literal strings: (note, formula id)")

    def mark(function: Any) -> Any:
        marks = getattr(function, CHECK_ATTRIBUTE, ())
        setattr(function, CHECK_ATTRIBUTE, (*marks, (kind, note.removesuffix(".md"), formula_id)))
        return function

    return mark


def formula_check(note: str, formula_id: str) -> Callable[[Any], Any]:
    """Register a function returning the :class:`Check` of the note's tagged formula."""
    return _register("check", note, formula_id)


def formula_symbols(note: str, formula_id: str) -> Callable[[Any], Any]:
    """Register a function returning the :class:`Symbols` of an unchecked formula."""
    return _register("symbols", note, formula_id)


__all__ = [
    "BUILTINS",
    "REDUCTIONS",
    "Builtin",
    "Check",
    "CheckDefinitionError",
    "Fn",
    "Index",
    "Indexed",
    "Reduction",
    "Symbols",
    "builtin",
    "fn",
    "formula_check",
    "formula_symbols",
    "index",
    "indexed",
    "reduction",
]

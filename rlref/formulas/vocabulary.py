"""A formula's vocabulary: what each declared LaTeX spelling *is* (pure Python).

Built from a check's ``symbols`` (:mod:`rlref.formulas.api`). The kind decides how the
normaliser rewrites an occurrence; the name is the identifier of the sympy object that
stands for it.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from rlref.formulas.api import Builtin, Check, Fn, Index, Indexed, Reduction, Symbols
from rlref.formulas.latex import LatexError, canonical_spelling

Kind = Literal["value", "index", "function", "indexed", "reduction", "builtin"]

# builtin → number of arguments (None: two or more); "e" is a constant
BUILTIN_ARITY: dict[str, int | None] = {
    "min": None,
    "max": None,
    "clip": 3,
    "sigmoid": 1,
    "exp": 1,
    "log": 1,
    "sqrt": 1,
    "abs": 1,
    "sign": 1,
    "sg": 1,
    "e": 0,
    "indicator": 1,
}
# Unambiguous everywhere, so a formula may use them without declaring them. The indicators
# need a condition in brackets after them; a binding that declares one of these spellings
# (``\mathbf{1}`` as a vector of ones) replaces the prelude's meaning.
PRELUDE = {
    r"\min": "min",
    r"\max": "max",
    "clip": "clip",
    r"\mathbb{1}": "indicator",
    r"\mathbb{I}": "indicator",
    r"\mathbf{1}": "indicator",
}
# ``\mathbb{1}[a < b]``: the comparison inside an indicator becomes a function of both sides.
COMPARISONS = {
    "<": "lt",
    r"\lt": "lt",
    ">": "gt",
    r"\gt": "gt",
    r"\le": "le",
    r"\leq": "le",
    r"\ge": "ge",
    r"\geq": "ge",
    "=": "eq",
    r"\neq": "ne",
    r"\ne": "ne",
}
# Names a generated sympy function must not take: lambdify prints these for sympy's own
# functions, and Python reserves the keywords.
_RESERVED = (
    frozenset(
        "exp log sqrt abs sign min max sum mean where select reduce maximum minimum clip sigmoid "
        "sg logsigmoid e E I N S O Q pi oo nan inf numpy math".split()
    )
    | frozenset(keyword.kwlist)
    | frozenset(f"indicator_{op}" for op in set(COMPARISONS.values()))
)


# The same spellings (\pi_\theta, \hat{A}_t) recur across a vault's checks: read each once
# per process (a spelling LaTeX cannot read raises, and is not cached).
_canonical_spelling = lru_cache(maxsize=4096)(canonical_spelling)


@dataclass(frozen=True)
class Entry:
    key: str  # canonical spelling
    kind: Kind
    name: str  # identifier of the sympy Symbol / Function
    arity: int | None = None  # arguments of a function, indexed base or builtin
    bar: bool = False  # ``|`` / ``\mid`` / ``\|`` separate this function's arguments
    builtin: str | None = None
    declared: bool = True  # False for the prelude and for axis letters
    source: Any = None  # plain data: the axis of an index, the Reduction (no callables)

    @property
    def applies(self) -> bool:
        """Whether the LaTeX must give this entry an argument list."""
        return self.kind == "function" or (self.kind == "builtin" and self.arity != 0)


def sympy_name(key: str, taken: set[str]) -> str:
    """A readable Python identifier for a spelling: ``\\pi_{\\theta}`` → ``pi_theta``."""
    text = key.replace("'", "_prime")
    for font in ("mathbb", "mathcal", "mathbf", "mathscr", "mathfrak"):
        text = text.replace("\\" + font, "")
    text = re.sub(r"[\W_]+", "_", text).strip("_") or "x"
    if text[0].isdigit():
        text = "x_" + text
    if text in _RESERVED:
        text += "_"
    name, n = text, 2
    while name in taken:
        name, n = f"{text}_{n}", n + 1
    taken.add(name)
    return name


def build_vocabulary(binding: Check | Symbols) -> dict[str, Entry]:
    """Canonical spelling → entry, the prelude included. Raises LatexError."""
    taken: set[str] = set()
    vocabulary: dict[str, Entry] = {}
    for key, builtin in PRELUDE.items():
        vocabulary[key] = Entry(
            key, "builtin", builtin, BUILTIN_ARITY[builtin], builtin=builtin, declared=False
        )
    spellings: dict[str, str] = {}
    for spelling, symbol in binding.symbols.items():
        if not str(spelling).strip():
            raise LatexError("an empty LaTeX spelling")
        try:
            key = _canonical_spelling(spelling)
        except LatexError as error:
            raise LatexError(f"declared spelling {spelling!r}: {error}") from None
        if key in spellings:
            raise LatexError(f"{spelling!r} and {spellings[key]!r} are the same spelling")
        spellings[key] = spelling
        vocabulary[key] = _entry(key, symbol, taken)
    for axis in binding.axes:  # an axis name is also the index letter running along it
        if axis not in vocabulary and len(axis) == 1 and axis.isalpha():
            vocabulary[axis] = Entry(
                axis, "index", sympy_name(axis, taken), declared=False, source=axis
            )
    return vocabulary


def _entry(key: str, symbol: object, taken: set[str]) -> Entry:
    if isinstance(symbol, Fn):
        return Entry(key, "function", sympy_name(key, taken), len(symbol.params), symbol.bar)
    if isinstance(symbol, Indexed):
        return Entry(key, "indexed", sympy_name(key, taken), len(symbol.params))
    if isinstance(symbol, Reduction):
        name = sympy_name(f"{symbol.operation}_{'_'.join(symbol.axes)}", taken)
        return Entry(key, "reduction", name, source=symbol.shape())
    if isinstance(symbol, Builtin):
        arity = BUILTIN_ARITY[symbol.name]
        return Entry(key, "builtin", symbol.name, arity, builtin=symbol.name)
    if isinstance(symbol, Index):
        return Entry(key, "index", sympy_name(key, taken), source=symbol.axis)
    return Entry(key, "value", sympy_name(key, taken))


def vocabulary_shape(binding: Check | Symbols) -> dict[str, Any]:
    """What a parse depends on, as plain data (a cache key): each spelling's kind and
    parameters, and which names are axes — never the callables."""

    def shape(symbol: object) -> Any:
        if isinstance(symbol, Fn):
            return ["fn", len(symbol.params), symbol.bar]
        if isinstance(symbol, Indexed):
            return ["indexed", len(symbol.params)]
        if isinstance(symbol, Reduction):
            return ["reduction", symbol.operation, list(symbol.axes), symbol.ddof]
        if isinstance(symbol, Builtin):
            return ["builtin", symbol.name]
        if isinstance(symbol, Index):
            return ["index", symbol.axis]
        return "value"

    return {
        "symbols": {str(k): shape(v) for k, v in binding.symbols.items()},
        "axes": sorted(binding.axes),
    }


# An undeclared word that papers use as a reduction: how to declare it.
_REDUCTION_WORDS = {
    "mean": "reduction('mean', 'j')",
    "avg": "reduction('mean', 'j')",
    "std": "reduction('std', 'j', ddof=1)",
    "var": "reduction('var', 'j', ddof=1)",
    "Var": "reduction('var', 'j', ddof=1)",
}


def undeclared_hint(key: str) -> str:
    """A hint after "undeclared identifier": how to declare a reduction word."""
    if key in _REDUCTION_WORDS:
        return (
            f" (declare it as a reduction over the axis of the set, e.g. "
            f"r'\\mathrm{{{key}}}': {_REDUCTION_WORDS[key]})"
        )
    return ""


def comparison_entry(operator: str) -> Entry:
    """The two-argument function an indicator of ``a OP b`` becomes."""
    name = "indicator_" + COMPARISONS[operator]
    return Entry(name, "builtin", name, 2, builtin=name, declared=False)

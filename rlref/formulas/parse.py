"""LaTeX → sympy: normalise, ``parse_latex(backend="antlr", strict=True)`` on each piece,
then put the declared objects back in place of the placeholders.

antlr's Python runtime is slow (tens of ms for a short piece), so parses are cached twice:
each normalised piece by its text (pieces repeat across formulas and mutants), and each
whole formula by a hash of (LaTeX, symbols, parser code) in memory and on disk.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sympy as sp

from rlref.formulas.api import Check, Symbols
from rlref.formulas.latex import LatexError, canonical_spelling
from rlref.formulas.normalise import (
    ATOM_PREFIX,
    Application,
    Normalised,
    Piece,
    atom_name,
    normalise,
)
from rlref.formulas.vocabulary import Entry, build_vocabulary, vocabulary_shape

CACHE_ENV = "RLREF_FORMULA_CACHE"  # a directory, or "off"
DEFAULT_CACHE = Path("build") / ".formula-cache"

SYMPY_BUILTINS: dict[str, Any] = {
    "min": sp.Min,
    "max": sp.Max,
    "exp": sp.exp,
    "log": sp.log,
    "sqrt": sp.sqrt,
    "abs": sp.Abs,
    "sign": sp.sign,
    "clip": sp.Function("clip"),
    "sigmoid": sp.Function("sigmoid"),
    "sg": sp.Function("sg"),
    **{f"indicator_{op}": sp.Function(f"indicator_{op}")
       for op in ("lt", "gt", "le", "ge", "eq", "ne")},
}
_RELATIONAL = {"lt": sp.Lt, "gt": sp.Gt, "le": sp.Le, "ge": sp.Ge, "eq": sp.Eq, "ne": sp.Ne}


def _piecewise(*args: sp.Basic) -> sp.Basic:
    """value, condition, value, condition, …[, value when none holds]"""
    pairs = [(args[k], args[k + 1]) for k in range(0, len(args) - 1, 2)]
    if len(args) % 2:
        pairs.append((args[-1], sp.true))
    return sp.Piecewise(*pairs)


def _indicator_of(condition: sp.Basic) -> sp.Basic:
    return sp.Piecewise((1, condition), (0, True))


# What the notation of papers becomes (rlref.formulas.notation): conditions are relations.
SYMPY_BUILTINS.update({
    **{f"cond_{op}": relation for op, relation in _RELATIONAL.items()},
    "cond_and": sp.And,
    "cond_or": sp.Or,
    "cond_not": sp.Not,
    "piecewise": _piecewise,
    "indicator_of": _indicator_of,
})


def builtin_meanings() -> dict[Any, sp.Lambda]:
    """The builtins sympy does not know, as Lambdas, for symbolic work."""
    x, lo, hi = sp.symbols("x lo hi")
    return {
        SYMPY_BUILTINS["sigmoid"]: sp.Lambda(x, 1 / (1 + sp.exp(-x))),
        SYMPY_BUILTINS["sg"]: sp.Lambda(x, x),  # stop-gradient: the value is unchanged
        SYMPY_BUILTINS["clip"]: sp.Lambda((x, lo, hi), sp.Min(sp.Max(x, lo), hi)),
        **{
            SYMPY_BUILTINS[f"indicator_{op}"]: sp.Lambda(
                (x, lo), sp.Piecewise((1, relation(x, lo)), (0, True))
            )
            for op, relation in _RELATIONAL.items()
        },
    }


@dataclass(frozen=True)
class ParsedFormula:
    """A formula as sympy sees it, with the object each declared spelling became."""

    rhs: sp.Expr
    lhs: sp.Expr | None  # None when the formula has no (parsable) left side
    lhs_latex: str | None
    relation: str | None
    entries: dict[str, Entry]  # canonical spelling → entry (those that occur)
    objects: dict[str, Any]  # canonical spelling → sympy Symbol / Function / builtin

    def object(self, spelling: str) -> Any:
        """The sympy object a spelling stands for: ``parsed.object(r"\\beta")``."""
        key = canonical_spelling(spelling)
        if key not in self.objects:
            raise KeyError(f"{spelling!r} does not occur in the formula")
        return self.objects[key]

    def expanded(self, expr: sp.Expr | None = None) -> sp.Expr:
        """``expr`` (default: the right side) with sigmoid, clip and sg written out."""
        expr = self.rhs if expr is None else expr
        for function, meaning in builtin_meanings().items():
            expr = expr.replace(function, meaning)
        return expr


def sympy_object(entry: Entry) -> Any:
    if entry.kind == "value":
        return sp.Symbol(entry.name)
    if entry.kind == "index":
        return sp.Symbol(entry.name, integer=True)
    if entry.kind == "builtin":
        assert entry.builtin is not None
        return sp.E if entry.builtin == "e" else SYMPY_BUILTINS[entry.builtin]
    return sp.Function(entry.name)


def _values_in(expr: sp.Basic, values: dict[str, Entry]) -> sp.Basic:
    """The parser's skeleton with declared values in place of their placeholders, rebuilt
    with evaluation (which also tidies the parser's unevaluated forms, e.g. log(x, E))."""

    def rebuild(node: sp.Basic) -> sp.Basic:
        if isinstance(node, sp.Symbol):
            if node.name.startswith(ATOM_PREFIX):
                return node  # an application, put in place afterwards
            entry = values.get(node.name)
            if entry is None:
                raise LatexError(f"the parser produced an unexpected name {node.name!r}")
            return sympy_object(entry)
        if isinstance(node, sp.core.function.AppliedUndef):
            raise LatexError(f"the parser produced an unexpected function {type(node).__name__}")
        if not node.args:
            return node
        return node.func(*(rebuild(arg) for arg in node.args))

    return rebuild(expr)


_pieces: dict[str, sp.Basic] = {}  # parser output by normalised text, shared by all formulas


def _build(piece: Piece, values: dict[str, Entry]) -> sp.Basic:
    tokens = piece.tokens
    if len(tokens) == 1 and tokens[0].startswith("\\" + ATOM_PREFIX):
        return _application(piece.atoms[0], values)  # a lone atom or value needs no parse
    if len(tokens) == 1 and tokens[0][1:] in values:
        return sympy_object(values[tokens[0][1:]])
    text = piece.text
    if text not in _pieces:
        _pieces[text] = _parse_text(text)
    expr = _values_in(_pieces[text], values)
    atoms = {sp.Symbol(atom_name(k)): _application(app, values)
             for k, app in enumerate(piece.atoms)}
    return expr.xreplace(atoms) if atoms else expr


def _application(app: Application, values: dict[str, Entry]) -> sp.Basic:
    args = [_build(arg, values) for arg in app.args]
    if app.entry is None:  # a bracket group
        return args[0]
    return sympy_object(app.entry)(*args)


def _parse_text(text: str) -> sp.Basic:
    from sympy.parsing.latex import parse_latex

    try:
        return parse_latex(text, strict=True, backend="antlr")
    except Exception as error:  # the parser raises its own exception types
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise LatexError(f"sympy cannot parse the normalised formula {text!r}: {first}") from None


def _parse_uncached(latex: str, binding: Check | Symbols) -> ParsedFormula:
    vocabulary = build_vocabulary(binding)
    normalised: Normalised = normalise(latex, vocabulary)
    rhs = _build(normalised.rhs, normalised.values)
    lhs = None
    if normalised.lhs is not None:
        try:
            lhs = _build(normalised.lhs, normalised.values)
        except LatexError:  # a left side the parser cannot read stays a label
            lhs = None
    entries = _entries(normalised)
    objects = {key: sympy_object(e) for key, e in entries.items()}
    return ParsedFormula(rhs, lhs, normalised.lhs_latex, normalised.relation, entries, objects)


def _entries(normalised: Normalised) -> dict[str, Entry]:
    """Every entry that occurs, values and applied ones, by spelling."""
    found = {e.key: e for e in normalised.values.values()}
    stack = [normalised.rhs] + ([normalised.lhs] if normalised.lhs else [])
    while stack:
        piece = stack.pop()
        for app in piece.atoms:
            if app.entry is not None:
                found.setdefault(app.entry.key, app.entry)
            stack.extend(app.args)
    return found


_memory: dict[str, ParsedFormula] = {}


def cache_key(latex: str, binding: Check | Symbols) -> str:
    # Only what the parse depends on: the LaTeX, the symbols' kinds and which names are axes.
    text = json.dumps({"latex": latex, **vocabulary_shape(binding), "code": _code_version(),
                       "sympy": sp.__version__}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


@functools.cache
def _code_version() -> str:
    """A hash of the modules that decide what a parse produces: editing them invalidates
    the disk cache without anyone remembering to bump a version."""
    from rlref.formulas import api, latex, normalise, notation, vocabulary

    digest = hashlib.sha256()
    for module in (api, latex, normalise, notation, vocabulary,
                   __import__(__name__, fromlist=["_"])):
        digest.update(Path(module.__file__ or "").read_bytes())
    return digest.hexdigest()[:16]


def _cache_dir() -> Path | None:
    setting = os.environ.get(CACHE_ENV)
    if setting == "off":
        return None
    return Path(setting) if setting else DEFAULT_CACHE


def parse_formula(latex: str, binding: Check | Symbols) -> ParsedFormula:
    """Parse one formula with its check's vocabulary. Raises LatexError."""
    key = cache_key(latex, binding)
    if key in _memory:
        return _memory[key]
    directory = _cache_dir()
    path = directory / f"{key}.pickle" if directory else None
    if path is not None and path.exists():
        try:
            parsed = pickle.loads(path.read_bytes())
        except Exception:  # a truncated or stale file: parse again and overwrite it
            parsed = None
        if isinstance(parsed, ParsedFormula):
            _memory[key] = parsed
            return parsed
    parsed = _parse_uncached(latex, binding)
    _memory[key] = parsed
    if path is not None:
        _write_atomic(path, pickle.dumps(parsed))
    return parsed


def _write_atomic(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(data)
        temporary.replace(path)
    except OSError:
        pass  # a read-only tree only loses the cache

"""What a checks file declares, read with :mod:`ast` (nothing is imported or run): each
registered function's symbol kinds (the ``symbols=`` of its ``Check``, or its ``Symbols``),
its axes, and the function it names as ``impl=``.

``rlref check`` parses each formula's LaTeX against these kinds (undeclared identifiers,
unknown macros, declared spellings that do not occur: errors at the note's line) and warns
when a check's ``impl`` is not listed in the note's ``impl:``. A declaration this reader
cannot follow (symbols built by a helper, spread from a shared dict) is skipped, not
guessed: ``rlref verify`` and the formula tests still parse it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from rlref.formulas import api

_KINDS = {"fn", "indexed", "reduction", "builtin", "index"}


@dataclass(frozen=True)
class Declared:
    """The statically read part of one registered check."""

    symbols: api.Symbols | None  # None: not readable without running the file
    impl: str | None  # "module:function" of the imported impl, when one is named


def _called(node: ast.expr) -> str | None:
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)


def _constant(node: ast.expr) -> object:
    if isinstance(node, ast.Constant):
        return node.value
    raise ValueError("not a literal")


def _params(node: ast.expr) -> str:
    """A lambda's parameters after v (or a literal parameter string) as 'a, b'."""
    if isinstance(node, ast.Lambda):
        names = [a.arg for a in node.args.args][1:]
        if not names:
            raise ValueError("no parameters")
        return ", ".join(names)
    value = _constant(node)
    if not isinstance(value, str):
        raise ValueError("not a parameter list")
    return value


def _symbol(node: ast.expr) -> api.Symbol:
    kind = _called(node)
    if kind not in _KINDS:
        return None  # a value: its kind is all the parse needs
    assert isinstance(node, ast.Call)
    keywords = {k.arg: k.value for k in node.keywords if k.arg is not None}
    if kind == "fn":
        bar = _constant(keywords["bar"]) if "bar" in keywords else False
        declared = api.fn(_params(node.args[0]))
        return api.Fn(None, declared.params, bool(bar) or declared.bar)
    if kind == "indexed":
        return api.indexed(_params(node.args[0]))
    if kind == "reduction":
        words = [_constant(a) for a in node.args]
        ddof = _constant(keywords["ddof"]) if "ddof" in keywords else None
        if not all(isinstance(w, str) for w in words) or len(words) < 2:
            raise ValueError("not literal")
        return api.Reduction(str(words[0]), tuple(str(w) for w in words[1:]), None, None,
                             ddof if isinstance(ddof, int) else None)
    if kind == "builtin":
        return api.builtin(str(_constant(node.args[0])))
    return api.index(str(_constant(node.args[0])))


def _mapping(node: ast.expr | None) -> dict[str, ast.expr]:
    if node is None:
        return {}
    if not isinstance(node, ast.Dict):
        raise ValueError("not a literal dict")
    found: dict[str, ast.expr] = {}
    for key, value in zip(node.keys, node.values, strict=True):
        if key is None:
            raise ValueError("a spread dict")
        name = _constant(key)
        if not isinstance(name, str):
            raise ValueError("not a string key")
        found[name] = value
    return found


def _declaration(call: ast.Call) -> api.Symbols | None:
    keywords = {k.arg: k.value for k in call.keywords if k.arg is not None}
    try:
        if any(k.arg is None for k in call.keywords):
            raise ValueError("**kwargs")
        if _called(call) == "Symbols":
            symbols = _mapping(call.args[0] if call.args else keywords.get("symbols"))
            axes = _mapping(call.args[1] if len(call.args) > 1 else keywords.get("axes"))
        else:
            if call.args:
                raise ValueError("positional Check arguments")
            symbols = _mapping(keywords.get("symbols"))
            axes = _mapping(keywords.get("axes"))
        return api.Symbols({k: _symbol(v) for k, v in symbols.items()}, dict.fromkeys(axes, 2))
    except (ValueError, KeyError, IndexError, TypeError, api.CheckDefinitionError):
        return None


def _imports(tree: ast.Module) -> dict[str, str]:
    """Imported name → "module:name" (absolute imports only)."""
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                found[alias.asname or alias.name] = f"{node.module}:{alias.name}"
    return found


def _returned(function: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.Call | None:
    for node in ast.walk(function):
        if isinstance(node, ast.Return) and _called(node.value) in ("Check", "Symbols"):
            assert isinstance(node.value, ast.Call)
            return node.value
    return None


def declared(tree: ast.Module, function: ast.FunctionDef | ast.AsyncFunctionDef) -> Declared:
    """What the registered ``function`` of a checks file declares, statically."""
    call = _returned(function)
    if call is None:
        return Declared(None, None)
    impl = None
    for keyword in call.keywords:
        if keyword.arg == "impl" and isinstance(keyword.value, ast.Name):
            impl = _imports(tree).get(keyword.value.id)
    return Declared(_declaration(call), impl)


__all__ = ["Declared", "declared"]

"""Transitional: a YAML ``formulas:`` binding (strings) as a :class:`~rlref.formulas.api.Check`
whose callables evaluate the strings. Removed once every note is migrated to checks."""

from __future__ import annotations

import importlib
from collections import ChainMap
from collections.abc import Callable
from typing import Any

from rlref.formulas import api
from rlref.formulas.binding import (
    Binding,
    BuiltinBinding,
    FunctionBinding,
    IndexedBinding,
    ReductionBinding,
    Unchecked,
)
from rlref.formulas.expr import Expression, Lambda, split_relation


def resolve_impl(reference: str) -> Callable[..., Any]:
    from rlref.formulas.scope import BindingError

    module_name, _, function_name = reference.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise BindingError(f"impl {reference}: cannot import {module_name} ({error})") from None
    function = getattr(module, function_name, None)
    if not callable(function):
        raise BindingError(f"impl {reference}: {module_name} has no function {function_name}")
    return function


def _extra(spec: str | None) -> dict[str, Any]:
    from rlref.formulas.scope import BindingError, call

    names: dict[str, Any] = {
        "algo": lambda reference, *a, **k: call(resolve_impl(reference), *a, **k)}
    if spec is None:
        return names
    try:
        module = importlib.import_module(spec)
    except ImportError as error:
        raise BindingError(f"spec {spec}: cannot import it ({error})") from None
    public = getattr(module, "__all__", None) or [
        name for name, value in vars(module).items()
        if not name.startswith("_") and callable(value)
        and getattr(value, "__module__", None) == module.__name__]
    names.update({name: getattr(module, name) for name in public})
    return names


def _scope(view: Any, extra: dict[str, Any]) -> ChainMap:
    return ChainMap(object.__getattribute__(view, "_scope"), extra)


def _expr(source: Any, extra: dict[str, Any]) -> Any:
    if isinstance(source, bool | int | float):
        return source
    expression = Expression.parse(source)

    def evaluate(v: Any) -> Any:
        object.__getattribute__(v, "_read").update(expression.names())
        return expression.evaluate(_scope(v, extra))

    evaluate.__rlref_source__ = expression.source  # type: ignore[attr-defined]
    return evaluate


def _function(source: str, extra: dict[str, Any]) -> Callable[..., Any]:
    function = Lambda.parse(source)

    def body(v: Any, *args: Any) -> Any:
        object.__getattribute__(v, "_read").update(function.names())
        return function.bind(_scope(v, extra))(*args)

    return body


def _symbol(symbol: Any, axes: dict[str, Any], extra: dict[str, Any] | None) -> Any:
    if isinstance(symbol, FunctionBinding):
        params, bar = api.fn(symbol.fn.partition("->")[0]).params, "|" in symbol.fn.partition(
            "->")[0]
        body = _function(symbol.fn, extra) if extra is not None and "->" in symbol.fn else None
        return api.Fn(body, params, bar)
    if isinstance(symbol, IndexedBinding):
        params = api.indexed(symbol.indexed.partition("->")[0]).params
        body = _function(symbol.indexed, extra) if extra is not None else None
        return api.Indexed(body, params)
    if isinstance(symbol, ReductionBinding):
        where = None if symbol.where is None or extra is None else _expr(symbol.where, extra)
        weights = (None if symbol.weights is None or extra is None
                   else _expr(symbol.weights, extra))
        return api.Reduction(symbol.operation, tuple(symbol.axes), where, weights, symbol.ddof)
    if isinstance(symbol, BuiltinBinding):
        return api.Builtin(symbol.builtin)
    if symbol is None:
        return None
    if isinstance(symbol, str) and symbol.strip() in axes:
        return api.Index(symbol.strip())
    return None if extra is None else _expr(symbol, extra)


def to_check(binding: Binding | Unchecked) -> api.Check | api.Symbols:
    """The Check (or Symbols) a YAML binding means."""
    if isinstance(binding, Unchecked):
        return api.Symbols({k: _symbol(v, binding.axes, None) for k, v in binding.symbols.items()},
                           dict(binding.axes))
    extra = _extra(binding.spec)
    left, operator, right = split_relation(binding.relation)

    def relation(v: Any) -> tuple[Any, str, Any]:
        scope = _scope(v, extra)
        object.__getattribute__(v, "_read").update(left.names() | right.names())
        return left.evaluate(scope), operator, right.evaluate(scope)

    relation.__rlref_reads__ = left.names() | right.names()  # type: ignore[attr-defined]
    relation.__rlref_source__ = binding.relation  # type: ignore[attr-defined]
    args: Any = ([_expr(a, extra) for a in binding.args] if isinstance(binding.args, list)
                 else {k: _expr(a, extra) for k, a in binding.args.items()})
    return api.Check(
        impl=None if binding.impl is None else resolve_impl(binding.impl),
        dims={k: _expr(s, extra) for k, s in binding.dims.items()},
        axes={k: _expr(s, extra) for k, s in binding.axes.items()},
        inputs={k: _expr(s, extra) for k, s in binding.inputs.items()},
        symbols={k: _symbol(s, binding.axes, extra) for k, s in binding.symbols.items()},
        args=args,
        relation=relation,
        cover=[_expr(c, extra) for c in binding.cover],
        seeds=binding.seeds,
        rtol=binding.rtol,
        atol=binding.atol,
        exact=binding.exact,
    )


def declarations(binding: Binding | Unchecked) -> api.Symbols:
    """The kinds a YAML binding declares, without evaluating anything (for ``rlref check``)."""
    return api.Symbols({k: _symbol(v, binding.axes, None) for k, v in binding.symbols.items()},
                       dict(binding.axes))


def coerce(binding: Any) -> Any:
    """A YAML binding as a Check/Symbols; a Check/Symbols as is (transitional)."""
    if isinstance(binding, api.Check | api.Symbols):
        return binding
    return to_check(binding)

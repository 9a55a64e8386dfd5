"""The binding format: what a note's ``formulas:`` frontmatter says about each formula.

A binding is data (YAML in the note), validated here with pydantic. It never imports sympy
or torch, so ``rlref check`` can validate every note quickly. The guide page
``site/guide/formula-binding.md`` documents the format with examples.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

IMPL_PATTERN = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")
MODULE_PATTERN = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
IDENTIFIER = re.compile(r"^[A-Za-z_]\w*$")
REDUCTIONS = ("sum", "mean", "prod", "max", "min", "argmax", "argmin", "std", "var")
BUILTINS = (
    "min", "max", "clip", "sigmoid", "exp", "log", "sqrt", "abs", "sign", "sg", "e", "indicator",
)
MIN_SIZE = 2  # a size-1 axis would be squeezed away and could hide a broadcasting bug

Expr = str | int | float | bool


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FunctionBinding(_Strict):
    """An applied function ``f(x, y)``: ``fn: "x, y -> body"``; a ``|`` between the
    parameters lets ``|``, ``\\mid`` and ``\\|`` separate the arguments, as in ``π(a|s)``."""

    fn: str


class IndexedBinding(_Strict):
    """An indexed base ``x_{t+1}``: the subscript is the argument, ``indexed: "k -> body"``."""

    indexed: str


class BuiltinBinding(_Strict):
    """A function with a fixed meaning, e.g. ``\\sigma`` as ``builtin: sigmoid``."""

    builtin: Literal[BUILTINS]  # type: ignore[valid-type]


class ReductionBinding(_Strict):
    """A big operator (``\\mathbb{E}_t``, ``\\sum_i``, ``\\max_{a'}``, ``\\arg\\max_a``) over
    one or more axes. Its operand runs to the next top-level ``+``, ``-``, ``,`` or closing
    bracket. ``where`` masks positions out; ``weights`` weighs them (an expectation under a
    distribution). ``std`` and ``var`` say which estimator with ``ddof``: 1 divides by n − 1
    (``torch.std``), 0 by n."""

    sum: list[str] | None = None
    mean: list[str] | None = None
    prod: list[str] | None = None
    max: list[str] | None = None
    min: list[str] | None = None
    argmax: list[str] | None = None
    argmin: list[str] | None = None
    std: list[str] | None = None
    var: list[str] | None = None
    where: str | None = None
    weights: str | None = None
    ddof: int | None = None

    @field_validator(*REDUCTIONS, mode="before")
    @classmethod
    def _axes_as_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _one_operation(self) -> ReductionBinding:
        chosen = [name for name in REDUCTIONS if getattr(self, name) is not None]
        if len(chosen) != 1:
            raise ValueError(f"a reduction names exactly one of {', '.join(REDUCTIONS)}")
        if self.weights is not None and chosen[0] not in ("sum", "mean"):
            raise ValueError("weights apply to sum and mean only")
        if self.weights is not None and self.where is not None:
            raise ValueError("use either where or weights, not both")
        spread = chosen[0] in ("std", "var")
        if spread and self.ddof not in (0, 1):
            raise ValueError(f"{chosen[0]} needs ddof: 1 (divide by n − 1, torch.std) or 0 "
                             "(divide by n)")
        if not spread and self.ddof is not None:
            raise ValueError("ddof applies to std and var only")
        return self

    @property
    def operation(self) -> str:
        return next(name for name in REDUCTIONS if getattr(self, name) is not None)

    @property
    def axes(self) -> list[str]:
        return list(getattr(self, self.operation))


SymbolBinding = Expr | FunctionBinding | IndexedBinding | BuiltinBinding | ReductionBinding | None
_KINDS: dict[str, type[_Strict]] = {
    "fn": FunctionBinding,
    "indexed": IndexedBinding,
    "builtin": BuiltinBinding,
    **{name: ReductionBinding for name in REDUCTIONS},
}


def read_symbol(spelling: str, raw: Any) -> SymbolBinding:
    """One entry of ``symbols:``: a value expression, or a mapping whose key names its kind."""
    if raw is None or isinstance(raw, str | int | float | bool):
        return raw
    if isinstance(raw, _Strict):
        return raw  # type: ignore[return-value]
    if not isinstance(raw, dict):
        raise ValueError(f"{spelling}: expected a value expression or a mapping")
    kinds = {_KINDS[key] for key in raw if key in _KINDS}
    if len(kinds) != 1:
        raise ValueError(
            f"{spelling}: a mapping binding names one of fn, indexed, builtin, "
            f"{', '.join(REDUCTIONS)} (got {', '.join(map(str, raw)) or 'nothing'})"
        )
    try:
        return kinds.pop().model_validate(raw)  # type: ignore[return-value]
    except ValidationError as error:
        raise ValueError(f"{spelling}: " + "; ".join(validation_messages(error))) from None


def _read_symbols(symbols: Any) -> Any:
    if not isinstance(symbols, dict):
        return symbols
    for spelling in symbols:
        if not str(spelling).strip():
            raise ValueError("an empty LaTeX spelling")
    return {str(k): read_symbol(str(k), v) for k, v in symbols.items()}


class Unchecked(_Strict):
    """``check: none`` with the reason the formula cannot be checked numerically. It may
    still declare ``symbols`` (and ``axes``): the formula is then parsed by ``rlref check``
    and can take part in symbolic identities."""

    check: Literal["none"]
    reason: str
    axes: dict[str, int | str] = Field(default_factory=dict)
    symbols: dict[str, SymbolBinding] = Field(default_factory=dict)

    _symbol_kinds = field_validator("symbols", mode="before")(
        classmethod(lambda cls, v: _read_symbols(v))
    )

    @field_validator("reason")
    @classmethod
    def _has_reason(cls, reason: str) -> str:
        if not reason.strip():
            raise ValueError("check: none needs a reason")
        return reason


class Binding(_Strict):
    """A numeric check: the formula, evaluated on random inputs, against ``impl``."""

    impl: str | None = None
    spec: str | None = None
    dims: dict[str, int | str] = Field(default_factory=dict)
    axes: dict[str, int | str] = Field(default_factory=dict)
    inputs: dict[str, Expr] = Field(default_factory=dict)
    symbols: dict[str, SymbolBinding] = Field(default_factory=dict)
    args: dict[str, Expr] | list[Expr] = Field(default_factory=dict)
    relation: str = "out == formula"
    cover: list[str] = Field(default_factory=list)
    seeds: int = Field(default=3, ge=3)
    rtol: float = Field(default=1e-9, ge=0, le=1e-4)
    atol: float = Field(default=1e-12, ge=0, le=1e-4)
    exact: bool = False

    @field_validator("impl")
    @classmethod
    def _impl_shape(cls, impl: str | None) -> str | None:
        if impl is not None and not IMPL_PATTERN.match(impl):
            raise ValueError(f"impl {impl!r} is not of the form 'package.module:function'")
        return impl

    @field_validator("spec")
    @classmethod
    def _spec_shape(cls, spec: str | None) -> str | None:
        if spec is not None and not MODULE_PATTERN.match(spec):
            raise ValueError(f"spec {spec!r} is not a module path such as rlref.formulas.specs.x")
        return spec

    @field_validator("dims", "axes", "inputs")
    @classmethod
    def _identifier_names(cls, names: dict[str, Any]) -> dict[str, Any]:
        for name in names:
            if not IDENTIFIER.match(name):
                raise ValueError(f"{name!r} is not a Python identifier")
        return names

    @field_validator("dims", "axes")
    @classmethod
    def _sizes(cls, sizes: dict[str, int | str]) -> dict[str, int | str]:
        for name, size in sizes.items():
            if isinstance(size, int) and size < MIN_SIZE:
                raise ValueError(f"size of {name!r} must be at least {MIN_SIZE}")
        return sizes

    _symbol_kinds = field_validator("symbols", mode="before")(
        classmethod(lambda cls, v: _read_symbols(v))
    )

    @field_validator("symbols")
    @classmethod
    def _values_given(cls, symbols: dict[str, Any]) -> dict[str, Any]:
        for spelling, symbol in symbols.items():
            if symbol is None:
                raise ValueError(f"{spelling}: a value needs an expression (only a check: none "
                                 "binding may leave it empty)")
        return symbols

    @model_validator(mode="after")
    def _names_unique(self) -> Binding:
        seen: dict[str, str] = {}
        for section in ("dims", "axes", "inputs"):
            for name in getattr(self, section):
                if name in seen:
                    raise ValueError(f"{name!r} is declared in both {seen[name]} and {section}")
                seen[name] = section
        return self


def read_binding(raw: Any) -> Binding | Unchecked:
    """Validate one entry of ``formulas:``; raises pydantic's ValidationError."""
    if isinstance(raw, dict) and "check" in raw:
        return Unchecked.model_validate(raw)
    return Binding.model_validate(raw)


def binding_fingerprint(data: Any) -> str:
    """A stable text of JSON-like data, for cache keys (dict order does not matter)."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)


def validation_messages(error: ValidationError) -> list[str]:
    """Readable messages, one per location: pydantic reports a failed union once per branch
    (``args.dict[str,…].x.str: …``, ``….int: …``); those collapse into one line."""
    by_location: dict[str, list[str]] = {}
    for item in error.errors():
        parts = [str(p) for p in item["loc"] if not _is_type_tag(str(p))]
        by_location.setdefault(".".join(parts), []).append(
            item["msg"].removeprefix("Value error, "))
    messages = []
    for where, found in by_location.items():
        message = found[0] if len(found) == 1 else "not a valid value here"
        if any(c in where for c in "(),") or "valid list" in " ".join(found):
            message += (" (in a YAML flow mapping {…} a comma ends the value: quote an "
                        "expression that contains commas)")
        messages.append(f"{where}: {message}" if where else message)
    return messages


def _is_type_tag(part: str) -> bool:
    """pydantic names union branches in error locations: ``str``, ``dict[str,…]``, …"""
    return part in ("str", "int", "float", "bool") or "[" in part or part.endswith("Binding")

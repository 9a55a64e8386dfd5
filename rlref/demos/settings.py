"""A demo's hyper-parameters as a frozen dataclass, overridable by ``rlref run --set key=value``."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import MISSING, field, fields
from typing import Any, TypeVar

T = TypeVar("T")

_PARSERS = {
    "int": int,
    "float": float,
    "str": str,
    "bool": lambda v: v.lower() in ("1", "true", "yes"),
}


def bounded(default: float, low: float, high: float) -> Any:
    """A field whose ``--set`` value must lie in ``[low, high]``."""
    return field(default=default, metadata={"range": (low, high)})


def settings_from_options(cls: type[T], options: Mapping[str, str]) -> T:
    """An instance of the dataclass ``cls`` with the matching ``options`` parsed to field types.

    Keys that are not fields are ignored here (a demo may read them itself, e.g. ``model``).
    A float must be finite, and a field made with ``bounded`` must lie in its range.
    """
    values: dict[str, Any] = {}
    for f in fields(cls):  # type: ignore[arg-type]
        if f.name in options:
            kind = f.type if isinstance(f.type, str) else f.type.__name__
            try:
                values[f.name] = _PARSERS[kind](options[f.name])
            except ValueError as exc:
                wanted = f"--set {f.name}: expected {kind}, got {options[f.name]!r}"
                raise ValueError(wanted) from exc
            value = values[f.name]
            if kind == "float" and not math.isfinite(value):
                raise ValueError(f"--set {f.name}: expected a finite number, got {value}")
            low, high = f.metadata.get("range", (-math.inf, math.inf))
            if not low <= value <= high:
                raise ValueError(f"--set {f.name}: {value:g} is outside [{low:g}, {high:g}]")
    return cls(**values)


def describe_settings(cls: type) -> dict[str, str]:
    """``{name: "default …"}`` for every field: the keys ``--set`` accepts."""
    return {
        f.name: f"default {f.default}" if f.default is not MISSING else "required"
        for f in fields(cls)
    }

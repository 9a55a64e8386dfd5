"""What a check's expressions can name: axes, sizes, seeded generators, numpy helpers.

Arrays live in one *layout* per formula: the binding's ``axes`` in order, with size 1 on
the axes an array does not vary along, so that they broadcast. An axis name evaluates to
the positions along it (``t`` → ``[[0], [1], …]``); a size in ``dims`` is a plain integer
for tables that are indexed rather than broadcast (``P[s, a]``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np


class BindingError(ValueError):
    """A check that cannot be evaluated as written (unknown name, wrong layout, …)."""


ExprError = BindingError  # what the helpers raise on a bad argument


def operand(value: Any) -> Any:
    """Objects that stand for an array (an axis) turn into it before arithmetic."""
    as_array = getattr(value, "as_array", None)
    return as_array() if callable(as_array) else value


class View:
    """The scope view ``v`` a check's callables receive: ``v.P``, ``v.simplex(v.S, v.A)``.

    It records the names read, so that a check whose ``impl`` result is never read fails."""

    __slots__ = ("_read", "_scope")

    def __init__(self, scope: dict[str, Any]) -> None:
        object.__setattr__(self, "_scope", scope)
        object.__setattr__(self, "_read", set())

    def __getattr__(self, name: str) -> Any:
        scope = object.__getattribute__(self, "_scope")
        if name not in scope:
            raise BindingError(f"unknown name {name!r}")
        object.__getattribute__(self, "_read").add(name)
        return scope[name]

    def __setattr__(self, name: str, value: Any) -> None:
        raise BindingError(f"v.{name}: the scope view is read-only")

    def __getitem__(self, name: str) -> Any:
        return self.__getattr__(name)


@dataclass(frozen=True, eq=False)
class Axis(np.lib.mixins.NDArrayOperatorsMixin):
    """One named axis of the layout; in arithmetic and indexing it is the positions along
    it (``v.t + 1``, ``v.P[v.s, v.a]``), and helpers that take an axis reduce along it."""

    name: str
    size: int
    position: int
    rank: int

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        array = self.as_array()
        return array if dtype is None else array.astype(dtype)

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        inputs = tuple(operand(x) for x in inputs)
        return getattr(ufunc, method)(*inputs, **kwargs)

    def __getitem__(self, index: Any) -> Any:
        return self.as_array()[index]

    def __hash__(self) -> int:
        return hash((self.name, self.size, self.position, self.rank))

    def shape(self) -> tuple[int, ...]:
        return tuple(self.size if k == self.position else 1 for k in range(self.rank))

    def as_array(self) -> np.ndarray:
        return np.arange(self.size).reshape(self.shape())


def in_layout(value: Any, axes: list[Axis]) -> bool:
    """Scalars, or arrays of the layout's rank whose sizes are 1 or the axis size."""
    shape = np.shape(value)
    if len(shape) == 0:
        return True
    if len(shape) != len(axes):
        return False
    return all(n in (1, a.size) for n, a in zip(shape, axes, strict=True))


def place(array: np.ndarray, dims: tuple[Axis, ...]) -> np.ndarray:
    """An array whose dimensions are ``dims`` (in that order), put into the layout."""
    if len({d.name for d in dims}) != len(dims):
        raise ExprError("an axis is named twice")
    order = sorted(range(len(dims)), key=lambda k: dims[k].position)
    array = np.transpose(array, order)
    rank = dims[0].rank
    shape = [1] * rank
    for d in dims:
        shape[d.position] = d.size
    return array.reshape(shape)


def _shape_of(dims: tuple[Any, ...], who: str) -> tuple[tuple[int, ...], tuple[Axis, ...] | None]:
    """Sizes of a generator's dimensions, and the axes when they are all axes."""
    if not dims:
        return (), None
    if all(isinstance(d, Axis) for d in dims):
        return tuple(d.size for d in dims), dims
    if any(isinstance(d, Axis) for d in dims):
        raise ExprError(f"{who}: mix of axes and plain sizes")
    sizes = tuple(int(d) for d in dims)
    return sizes, None


def _laid_out(draw: Callable[[tuple[int, ...]], Any], dims: tuple[Any, ...], who: str) -> Any:
    sizes, axes = _shape_of(dims, who)
    array = draw(sizes)
    if axes is None:
        return array[()] if sizes == () else array
    return place(np.asarray(array), axes)


def generators(rng: np.random.Generator) -> dict[str, Callable[..., Any]]:
    """Random inputs, seeded per check. Dimensions are axes (laid out) or sizes (a table)."""

    def normal(mean: float, std: float, *dims: Any) -> Any:
        return _laid_out(lambda s: rng.normal(mean, std, s), dims, "normal")

    def uniform(low: float, high: float, *dims: Any) -> Any:
        return _laid_out(lambda s: rng.uniform(low, high, s), dims, "uniform")

    def lognormal(mean: float, sigma: float, *dims: Any) -> Any:
        return _laid_out(lambda s: rng.lognormal(mean, sigma, s), dims, "lognormal")

    def integers(low: int, high: int, *dims: Any) -> Any:
        """Uniform integers in [low, high)."""
        return _laid_out(lambda s: rng.integers(int(low), int(high), s), dims, "integers")

    def bernoulli(p: float, *dims: Any) -> Any:
        return _laid_out(lambda s: (rng.random(s) < p).astype(np.float64), dims, "bernoulli")

    def simplex(*dims: Any) -> Any:
        """Probability vectors along the last dimension (Dirichlet(1), all entries > 0)."""
        if not dims:
            raise ExprError("simplex needs at least one dimension")
        return _laid_out(lambda s: rng.dirichlet(np.ones(s[-1]), size=s[:-1]), dims, "simplex")

    def prefix_mask(*dims: Any) -> Any:
        """True on a prefix of the last dimension (a right-padded batch of sequences). At
        least one sequence is padded and, with two or more, at least one is full."""
        def draw(sizes: tuple[int, ...]) -> np.ndarray:
            if not sizes:
                raise ExprError("prefix_mask needs at least one dimension")
            n = sizes[-1]
            lengths = rng.integers(1, n + 1, sizes[:-1])
            flat = lengths.reshape(-1)
            flat[0] = rng.integers(1, n)  # guaranteed padding
            if flat.size > 1:
                flat[-1] = n
            return np.arange(n) < lengths[..., None]

        return _laid_out(draw, dims, "prefix_mask")

    def permutation(n: int) -> np.ndarray:
        return rng.permutation(int(n))

    return {
        "normal": normal,
        "uniform": uniform,
        "lognormal": lognormal,
        "integers": integers,
        "bernoulli": bernoulli,
        "simplex": simplex,
        "prefix_mask": prefix_mask,
        "permutation": permutation,
    }


def _axis_argument(x: np.ndarray, axis: Any) -> tuple[Any, bool]:
    """An Axis reduces at its layout position and keeps the dimension; an int is numpy's."""
    if isinstance(axis, Axis):
        return axis.position, True
    if isinstance(axis, tuple | list):
        if all(isinstance(a, Axis) for a in axis):
            return tuple(a.position for a in axis), True
        return tuple(axis), False
    return axis, False


def _along(x: Any, axis: Any) -> np.ndarray:
    """``x`` broadcast to full length along the reduced axes (a constant counts n times)."""
    x = np.asarray(operand(x))
    if x.dtype == bool:
        x = x.astype(np.float64)
    axes = axis if isinstance(axis, tuple | list) else (axis,)
    if not all(isinstance(a, Axis) for a in axes):
        return x
    rank = axes[0].rank
    if x.ndim < rank:
        x = x.reshape((1,) * (rank - x.ndim) + x.shape)
    shape = list(x.shape)
    for a in axes:
        shape[a.position] = a.size
    return np.broadcast_to(x, shape)


def _reducer(function: Callable[..., Any]) -> Callable[..., Any]:
    def reduce(x: Any, axis: Any = None, **kwargs: Any) -> Any:
        array = _along(x, axis) if axis is not None else np.asarray(operand(x))
        position, keep = _axis_argument(array, axis)
        if function in (np.argmax, np.argmin):
            if isinstance(position, tuple):
                raise ExprError("argmax/argmin take one axis")
            return function(array, axis=position, keepdims=keep)
        return function(array, axis=position, keepdims=keep, **kwargs)

    return reduce


def _softmax(x: Any, axis: Any = -1) -> np.ndarray:
    return np.exp(_log_softmax(x, axis))


def _log_softmax(x: Any, axis: Any = -1) -> np.ndarray:
    array = np.asarray(operand(x), dtype=np.float64)
    position = axis.position if isinstance(axis, Axis) else axis
    top = array.max(axis=position, keepdims=True)
    shifted = array - top
    return shifted - np.log(np.exp(shifted).sum(axis=position, keepdims=True))


def _logsumexp(x: Any, axis: Any = -1) -> np.ndarray:
    array = _along(x, axis)
    position, keep = _axis_argument(array, axis)
    top = array.max(axis=position, keepdims=True)
    total = np.log(np.exp(array - top).sum(axis=position, keepdims=True)) + top
    return total if keep else np.squeeze(total, axis=position)


def sigmoid(x: Any) -> Any:
    x = np.asarray(x, dtype=np.float64)
    return np.exp(-np.logaddexp(0.0, -x))


def logsigmoid(x: Any) -> Any:
    return -np.logaddexp(0.0, -np.asarray(x, dtype=np.float64))


def get(table: Any, *index: Any, default: Any = None) -> Any:
    """``table[index…]``; positions past either end give ``default`` (an error without one)."""
    table = np.asarray(operand(table))
    idx = [np.asarray(operand(i)) for i in index]
    inside = np.ones(np.broadcast_shapes(*(i.shape for i in idx)), dtype=bool)
    for k, i in enumerate(idx):
        inside &= (i >= 0) & (i < table.shape[k])
    if default is None and not inside.all():
        raise ExprError("get: an index is out of range and no default is given")
    clipped = tuple(np.clip(i, 0, table.shape[k] - 1) for k, i in enumerate(idx))
    return np.where(inside, table[clipped], default if default is not None else 0)


def onehot(index: Any, n: int) -> np.ndarray:
    index = np.asarray(operand(index))
    return (index[..., None] == np.arange(int(n))).astype(np.float64)


def size(axis: Axis) -> int:
    return axis.size


def call(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call another ``rlref.algos`` function on numpy inputs and return numpy: a quantity
    the formula takes as given, computed by code that has its own check (e.g. δ_t from
    ``td_residual`` inside the GAE recursion). ``v.call(td_residual, …)``."""
    import torch

    with torch.no_grad():
        result = function(*(to_torch(a) for a in args),
                          **{k: to_torch(v) for k, v in kwargs.items()})
    return to_numpy(result)


# ---------------------------------------------------------------------------- numpy ↔ torch
def to_torch(value: Any) -> Any:
    """An argument for the code: arrays become float64/int64/bool tensors with their size-1
    dimensions squeezed away, 0-d arrays Python numbers."""
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
    """The code's result as numpy (named tuples, lists and dicts of tensors too)."""
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


def _array_function(function: Callable[..., Any]) -> Callable[..., Any]:
    """A numpy function whose arguments may be axes."""
    def call(*args: Any, **kwargs: Any) -> Any:
        return function(*(operand(a) for a in args), **kwargs)

    return call


BASE: dict[str, Any] = {
    **{name: _array_function(getattr(np, name)) for name in (
        "exp", "log", "log1p", "expm1", "sqrt", "abs", "sign", "tanh", "where", "clip",
        "minimum", "maximum", "isfinite", "zeros_like", "ones_like", "arange", "floor", "ceil",
    )},
    **{name: _reducer(getattr(np, name)) for name in (
        "sum", "mean", "prod", "max", "min", "std", "var", "argmax", "argmin",
    )},
    "cumsum": lambda x, axis: np.cumsum(operand(x), axis=_axis_argument(x, axis)[0]),
    "softmax": _softmax,
    "log_softmax": _log_softmax,
    "logsumexp": _logsumexp,
    "sigmoid": sigmoid,
    "logsigmoid": logsigmoid,
    "softplus": lambda x: np.logaddexp(0.0, operand(x)),
    "get": get,
    "onehot": onehot,
    "size": size,
    "float64": lambda x: np.asarray(operand(x), dtype=np.float64),
    "int64": lambda x: np.asarray(operand(x), dtype=np.int64),
    "stack": lambda items, axis=-1: np.stack([operand(i) for i in items], axis=axis),
    "concatenate": lambda items, axis=-1: np.concatenate([operand(i) for i in items], axis=axis),
    "reshape": lambda x, *shape: np.reshape(operand(x), shape),
    "expand_dims": lambda x, axis: np.expand_dims(operand(x), axis),
    "call": call,
    "inf": np.inf,
    "pi": np.pi,
}

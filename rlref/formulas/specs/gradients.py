"""Gradients of ``rlref.algos`` losses by autograd, for checks of derivative formulas.

A note that states a derivative (``∂L/∂r_w = …``) is checked against the gradient torch's
autograd takes *through the implementation itself*, so the helper never re-derives anything:
a wrong sign or a missing factor in the note fails, and so does code whose loss drifts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["loss_gradient"]


def loss_gradient(function: Callable[..., Any], wrt: str, field: str | None = None,
                  **kwargs: Any) -> np.ndarray:
    """∂ ``function(**kwargs)`` / ∂ ``kwargs[wrt]``, shaped like ``kwargs[wrt]`` (float64).

    ``field`` names the scalar to differentiate when the function returns a named tuple
    (``"loss"``). Arguments arrive as numpy and are converted the way the checker converts
    ``args``.
    """
    import torch

    from rlref.formulas.scope import to_torch

    reference = getattr(function, "__name__", "the function")
    arguments = {name: to_torch(value) for name, value in kwargs.items()}
    if wrt not in arguments:
        raise ValueError(f"loss_gradient: no argument named {wrt!r}")
    variable = torch.as_tensor(arguments[wrt], dtype=torch.float64).clone().requires_grad_(True)
    arguments[wrt] = variable
    result = function(**arguments)
    value = result if field is None else getattr(result, field)
    if value.dim() != 0:
        raise ValueError(f"loss_gradient: {reference} does not return a scalar")
    (gradient,) = torch.autograd.grad(value, variable)
    return gradient.detach().numpy()

"""Helpers for bindings of the bandit formulas: the explicit random source the samplers take.

``rlref.algos.bandits`` draws from a ``torch.Generator`` passed in, never from the global
RNG; binding expressions cannot build one, so this module does (data level only).
"""

from __future__ import annotations

from typing import Any


def torch_generator(seed: int) -> Any:
    """A ``torch.Generator`` seeded with ``seed``, for ``epsilon_greedy``/``thompson_sample``."""
    import torch

    return torch.Generator().manual_seed(int(seed))

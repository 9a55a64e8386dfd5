"""Helpers for checks of tabular formulas: build the MDP object the code takes."""

from __future__ import annotations

from typing import Any

import numpy as np


def finite_mdp(transitions: np.ndarray, rewards: np.ndarray, gamma: float) -> Any:
    """A :class:`rlref.algos.tabular.FiniteMDP` from numpy tables ``P[s, a, s']``, ``R[s, a]``."""
    import torch

    from rlref.algos.tabular import FiniteMDP

    return FiniteMDP(torch.from_numpy(np.asarray(transitions, dtype=np.float64)),
                     torch.from_numpy(np.asarray(rewards, dtype=np.float64)), float(gamma))

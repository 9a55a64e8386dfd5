"""The Markov chain a policy induces on a finite MDP, for checks of formulas over it.

The stationary distribution is an *input* of the formulas that average over it (such as
``r̄_π = (1 − γ) v̄_π``), not one of the checked quantities: those still come from
``rlref.algos.tabular``.
"""

from __future__ import annotations

import numpy as np


def stationary_distribution(transitions: np.ndarray, policy: np.ndarray) -> np.ndarray:
    """``d`` with ``dᵀ P_π = dᵀ`` and ``Σ d = 1``, for ``P[s, a, s']`` and ``π[s, a]``.

    Unique when the chain is irreducible (every entry of ``simplex`` inputs is positive).
    """
    chain = np.einsum("sa,sat->st", np.asarray(policy, np.float64),
                      np.asarray(transitions, np.float64))
    n = chain.shape[0]
    # (P_πᵀ − I) d = 0 has a one-dimensional solution space; the row of ones fixes Σ d = 1
    system = np.vstack([chain.T - np.eye(n), np.ones((1, n))])
    target = np.concatenate([np.zeros(n), [1.0]])
    solution, *_ = np.linalg.lstsq(system, target, rcond=None)
    return solution

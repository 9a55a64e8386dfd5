r"""GEPA's candidate selection: the per-instance Pareto front of prompt candidates and the
probability with which each is picked for the next reflective mutation.

Established from the `gepa` package's code (``gepa-ai/gepa``); *GEPA: Reflective Prompt
Evolution Can Outperform Reinforcement Learning*, arXiv:2507.19457.
"""

from __future__ import annotations

import torch

__all__ = ["pareto_front_mask", "pareto_pruned_front", "pareto_selection_probs"]


def pareto_front_mask(scores: torch.Tensor) -> torch.Tensor:
    r"""GEPA's per-instance Pareto front: which candidates reach the best score on each instance.

    $$
    F_{k,n} = \mathbb{1}\left[s_{k,n} \ge \max_{j} s_{j,n}\right]
    $$

    Ties all belong to the front (`GEPAState._update_pareto_front_for_val_id` adds a candidate
    whose score equals the best so far). This is `frontier_type="instance"`, the default.

    Source: `gepa-ai/gepa` `src/gepa/core/state.py`. *GEPA*, arXiv:2507.19457.

    Note: [[AI/LLM/RL/Other-Algorithms/GEPA-Reflective-Prompt-Evolution]]

    Args:
        scores: $s_{k,n}$, candidate $k$ on validation instance $n$, shape `(K, N)`.

    Returns:
        Boolean $F$, shape `(K, N)`.
    """
    return scores >= scores.max(dim=0, keepdim=True).values


def pareto_pruned_front(
    scores: torch.Tensor, aggregate: torch.Tensor | None = None
) -> torch.Tensor:
    r"""The Pareto front after GEPA removes dominated candidates one at a time.

    A candidate $k$ is dominated when every instance it leads is also led by another candidate
    still alive: $\forall n: F_{k,n} \Rightarrow \exists j \neq k \text{ alive}: F_{j,n}$.
    Candidates go in ascending aggregate score (ties: first seen); restart after each removal.

    Source: `gepa-ai/gepa` `src/gepa/gepa_utils.py` (`remove_dominated_programs`,
    `is_dominated`). arXiv:2507.19457.

    Note: [[AI/LLM/RL/Other-Algorithms/GEPA-Reflective-Prompt-Evolution]]

    Args:
        scores: $s_{k,n}$, shape `(K, N)`.
        aggregate: Each candidate's overall score, shape `(K,)`; default the mean over
            instances (`GEPAState.program_full_scores_val_set`). It only orders the pruning.

    Returns:
        Boolean $\tilde F$, shape `(K, N)`.
    """
    if scores.dim() != 2 or 0 in scores.shape:
        raise ValueError("scores must be a non-empty (K, N) tensor")
    front = pareto_front_mask(scores)
    if aggregate is None:
        aggregate = scores.to(torch.float64).mean(dim=1)
    first_seen = front.float().argmax(dim=1).tolist()  # first instance a candidate leads
    present = [k for k in range(front.shape[0]) if bool(front[k].any())]
    present.sort(key=lambda k: (first_seen[k], k))
    order = sorted(present, key=lambda k: float(aggregate[k]))  # stable: keeps first appearance
    alive = front.any(dim=1)
    removed = True
    while removed:
        removed = False
        for y in order:
            if not bool(alive[y]):
                continue
            others = alive.clone()
            others[y] = False
            # every instance y leads is also led by a survivor → y is dominated
            covered = (front & others.unsqueeze(1)).any(dim=0)
            if bool((~front[y] | covered).all()):
                alive[y] = False
                removed = True
                break
    return front & alive.unsqueeze(1)


def pareto_selection_probs(
    scores: torch.Tensor, aggregate: torch.Tensor | None = None
) -> torch.Tensor:
    r"""Probability that GEPA's Pareto selector picks each candidate as the next parent.

    $$
    p_k = \frac{\sum_{n=1}^{N} \tilde{F}_{k,n}}{\sum_{j=1}^{K}\sum_{u=1}^{N} \tilde{F}_{j,u}}
    $$

    $\tilde F$ is the front after dominated candidates are removed (`pareto_pruned_front`).
    The gepa code
    builds a list with each survivor repeated once per instance it leads and draws uniformly
    from it, which is this distribution. gepa: `optimize(candidate_selection_strategy="pareto")`
    (default); DSPy: `dspy.GEPA(candidate_selection_strategy="pareto")`.

    Source: `gepa-ai/gepa` `src/gepa/gepa_utils.py` (`select_program_candidate_from_pareto_front`,
    `remove_dominated_programs`) and `src/gepa/strategies/candidate_selector.py`. arXiv:2507.19457.

    Note: [[AI/LLM/RL/Other-Algorithms/GEPA-Reflective-Prompt-Evolution]]

    Args:
        scores: $s_{k,n}$, shape `(K, N)`.
        aggregate: Overall scores that order the pruning, see `pareto_pruned_front`.

    Returns:
        $p_k$, shape `(K,)`, summing to 1.
    """
    pruned = pareto_pruned_front(scores, aggregate)
    # number of instances each surviving candidate leads, normalised
    counts = pruned.sum(dim=1).to(scores.dtype if scores.is_floating_point() else torch.float64)
    return counts / counts.sum()

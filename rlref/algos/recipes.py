r"""Advantage estimators of verl's smaller algorithm recipes that are not GRPO variants.

* GPG (Group Policy Gradient): the group-centred reward, rescaled by the share of the batch
  that carries a non-zero reward, fed to a plain policy-gradient loss
  (`rlref.algos.policy_loss.reinforce_loss` with `"token-mean"`).

Inputs follow `rlref.algos.advantages`: one scalar reward per completion, shape `(N,)`, the
`G = group_size` completions of a prompt contiguous.
"""

from __future__ import annotations

import torch

__all__ = ["gpg_advantages"]


def gpg_advantages(rewards: torch.Tensor, group_size: int, f_norm: float = 1.0) -> torch.Tensor:
    r"""GPG's advantage as verl 0.9.1 computes it: group-centred, times $\alpha/F_{\text{norm}}$.

    With $r_{g,i}$ the reward of completion $i$ of prompt $g$,

    $$
    \hat{A}_{g,i} = \frac{\alpha}{F_{\mathrm{norm}}}\left(r_{g,i}
        - \frac{1}{G}\sum_{j=1}^{G} r_{g,j}\right)
    $$

    where the batch-wide factor is

    $$
    \alpha = \frac{N}{\max\left(1, \sum_{k=1}^{N}\mathbb{1}\left[r_k \neq 0\right]\right)}
    $$

    and $N$ counts every completion of the batch ($r_k$ runs over all of them). With 0/1
    rewards $\alpha$ is the inverse of the batch's success rate: when few answers are right, the
    few non-zero advantages are scaled up. verl computes but does not use the group standard
    deviation, and its `compute_advantage` never passes `f_norm`, so $F_{\text{norm}} = 1$
    there. A group of one completion gets mean 0 (verl's rule), i.e.
    $\hat A_{g,i} = \alpha\, r_{g,i} / F_{\text{norm}}$.

    verl 0.9.1: `algorithm.adv_estimator="gpg"` (`compute_gpg_outcome_advantage` in
    `verl/trainer/ppo/core_algos.py`), used with
    `actor_rollout_ref.actor.policy_loss.loss_mode="gpg"`, whose loss is
    $-\hat A_i\log\pi_\theta(o_{i,t})$ aggregated by `loss_agg_mode` (no ratio, no clip).
    TRL 1.16 has no GPG option.

    Source: verl 0.9.1 `verl/trainer/ppo/core_algos.py`; *GPG: A Simple and Strong
    Reinforcement Learning Baseline for Model Reasoning*, arXiv:2504.02546 (cited by verl's
    `docs/algo/gpg.md`).

    Note: [[AI/LLM/RL/Other-Algorithms/GPG-verl实践]]

    Args:
        rewards: One scalar reward per completion, shape `(N,)`, groups contiguous.
        group_size: $G \geq 1$, completions per prompt (verl `rollout.n`).
        f_norm: $F_{\text{norm}} > 0$.

    Returns:
        $\hat A$, shape `(N,)`.
    """
    if rewards.dim() != 1 or group_size < 1 or rewards.numel() % group_size:
        raise ValueError(
            f"rewards must be (N,) with N a multiple of group_size; got {tuple(rewards.shape)} "
            f"and group_size={group_size}"
        )
    if f_norm <= 0:
        raise ValueError("f_norm must be positive")
    grouped = rewards.view(-1, group_size)
    # α = N / max(1, #{k : r_k ≠ 0})
    nonzero = torch.count_nonzero(rewards).clamp(min=1).to(rewards.dtype)
    alpha = rewards.numel() / nonzero
    # r_i − mean of its group (0 for a group of one, as in verl)
    centered = grouped - grouped.mean(dim=-1, keepdim=True) if group_size > 1 else grouped
    return (alpha * centered / f_norm).reshape(-1)

r"""Total objectives: weighted sums of terms that are each defined (and checked) on their own.

A paper or trainer often states its training loss as one line that adds a regulariser or a
second head's loss to a main term:

* the reward model's Bradley-Terry loss plus TRL's centring penalty;
* PPO's combined clip + value + entropy objective for an actor and critic sharing parameters;
* AlphaZero's network loss: value regression, policy cross-entropy against the search, L2.

Each function here returns that total together with its parts, so a trainer can log them and a
note's one-line formula can be checked against the code. The parts come from the functions that
own them (`rlref.algos.preference`, `rlref.algos.policy_loss`) wherever those exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import torch

from rlref.algos.aggregation import LossAgg, aggregate_loss
from rlref.algos.policy_loss import ppo_clip_loss, value_loss_clipped
from rlref.algos.preference import PreferenceLoss, bradley_terry_loss

__all__ = [
    "AlphaZeroLoss",
    "PPOTotalLoss",
    "alphazero_loss",
    "bradley_terry_centered_loss",
    "ppo_total_loss",
]


class PPOTotalLoss(NamedTuple):
    """The total loss to minimise and its three parts, each already aggregated."""

    loss: torch.Tensor
    policy_loss: torch.Tensor
    """$-\\operatorname{agg} L^{\\text{CLIP}}_t$ (the `ppo_clip_loss` value)."""
    value_loss: torch.Tensor
    """$\\operatorname{agg} L^{\\text{VF}}_t$, before the coefficient $c_1$."""
    entropy: torch.Tensor
    """$\\operatorname{agg} \\mathcal{H}_t$, before the coefficient $c_2$."""


class AlphaZeroLoss(NamedTuple):
    """AlphaZero's batch loss and its three parts (batch means; `l2` is $c\\|\\theta\\|^2$)."""

    loss: torch.Tensor
    value_loss: torch.Tensor
    policy_loss: torch.Tensor
    l2: torch.Tensor


def bradley_terry_centered_loss(
    chosen_scores: torch.Tensor,
    rejected_scores: torch.Tensor,
    center_coef: float,
    margin: torch.Tensor | float | None = None,
) -> PreferenceLoss:
    r"""Bradley-Terry reward-model loss plus the centring penalty of TRL's `RewardTrainer`.

    $$
    \mathcal{L} = \mathcal{L}_{\text{BT}}
    + \eta\,\frac{1}{N}\sum_{i=1}^{N}\big(r^{w}_i + r^{l}_i\big)^2
    $$

    $\mathcal{L}_{\text{BT}}$ is `rlref.algos.preference.bradley_terry_loss` (with the optional
    margin). The BT likelihood only sees score differences, so adding a constant to every score
    leaves it unchanged; the penalty pulls each pair's score sum, hence the scores' mean,
    towards 0. TRL 1.16: `RewardConfig(center_rewards_coefficient=η)` (default `None`: no
    penalty; its docs recommend `0.01`), added in `RewardTrainer.compute_loss` as η times the
    batch mean of the squared sum of the chosen and rejected rewards. verl has no reward-model
    trainer of this kind.

    Source: TRL 1.16 `trl/trainer/reward_trainer.py` (`compute_loss`) and
    `trl/trainer/reward_config.py`, whose docs credit the penalty to arXiv:2312.09244 (Eq. 2).

    Note: [[AI/LLM/RL/Fundamentals/Bradley-Terry 奖励模型]]

    Args:
        chosen_scores: $r^{w}_i$, shape `(N,)`.
        rejected_scores: $r^{l}_i$, shape `(N,)`.
        center_coef: $\eta \geq 0$.
        margin: $m$ of the BT loss: a float or shape `(N,)`; `None` means 0.

    Returns:
        `PreferenceLoss(loss, chosen_rewards, rejected_rewards)`; the rewards are the scores.
    """
    bt = bradley_terry_loss(chosen_scores, rejected_scores, margin)
    # η · (1/N) Σ_i (r_w + r_l)²
    penalty = center_coef * ((chosen_scores + rejected_scores) ** 2).mean()
    # L = L_BT + η · (1/N) Σ_i (r_w + r_l)²
    return PreferenceLoss(bt.loss + penalty, bt.chosen_rewards, bt.rejected_rewards)


def ppo_total_loss(
    logp: torch.Tensor,
    old_logp: torch.Tensor,
    advantages: torch.Tensor,
    values: torch.Tensor,
    old_values: torch.Tensor,
    returns: torch.Tensor,
    entropy: torch.Tensor,
    mask: torch.Tensor,
    *,
    clip_range_value: float,
    vf_coef: float,
    ent_coef: float,
    clip_eps: float = 0.2,
    loss_agg: LossAgg = "token-mean",
) -> PPOTotalLoss:
    r"""PPO's combined objective for an actor and a critic that share parameters, as a loss.

    $$
    L^{\text{total}}(\theta) = \mathbb{E}_t\Big[L^{\text{CLIP}}_t(\theta)
    - c_1 L^{\text{VF}}_t(\theta) + c_2 S_t(\theta)\Big]
    $$

    $L^{\text{CLIP}}_t$ is the clipped surrogate of `rlref.algos.policy_loss.ppo_clip_loss`,
    $L^{\text{VF}}_t$ the clipped value loss of `value_loss_clipped` (with its ½), and $S_t$ the
    entropy $\mathcal{H}_t$ (`rlref.algos.lm.entropy_from_logits`). The function returns
    $-L^{\text{total}}$, the quantity to minimise; $\mathbb{E}_t$ is `loss_agg`, the same for
    all three terms, so the total is the aggregate of the per-token combination.

    The PPO paper writes this objective (its $L^{CLIP+VF+S}$) for a network with shared policy
    and value parameters. verl trains the actor and the critic as separate models with separate
    optimisers, so there is no $c_1$: its actor loss (`ppo_loss` in `verl/workers/utils/losses.py`)
    is the clip term minus `actor.entropy_coeff` $= c_2$ times the aggregated entropy (plus the
    KL loss when `actor.use_kl_loss=True`). TRL 1.16 has no PPO trainer.

    Source: *Proximal Policy Optimization Algorithms*, arXiv:1707.06347 (Eq. 9).

    Note: [[AI/LLM/RL/PPO/PPO 原理]]

    Args:
        logp: $\log\pi_\theta$ of the sampled tokens, shape `(B, T)`.
        old_logp: $\log\pi_{\theta_{\text{old}}}$, shape `(B, T)`.
        advantages: $\hat A$, shape `(B,)` or `(B, T)`.
        values: $V_\phi(s_t)$ now, shape `(B, T)`.
        old_values: $V_{\phi_{\text{old}}}(s_t)$ at rollout time, shape `(B, T)`.
        returns: $\hat R_t$, shape `(B, T)`.
        entropy: $S_t = \mathcal{H}_t$ per token, shape `(B, T)`.
        mask: Completion mask, shape `(B, T)`.
        clip_range_value: $\epsilon_v$ of the value clip (verl's `critic.cliprange_value`
            defaults to 0.5).
        vf_coef: $c_1$.
        ent_coef: $c_2$.
        clip_eps: $\epsilon$ of the policy clip.
        loss_agg: Aggregation mode of all three terms, see `aggregate_loss`.

    Returns:
        `PPOTotalLoss(loss, policy_loss, value_loss, entropy)` with `loss` $= -L^{\text{total}}$.
    """
    # −E_t[L^CLIP_t]
    policy = ppo_clip_loss(logp, old_logp, advantages, mask, clip_eps, loss_agg=loss_agg).loss
    # E_t[L^VF_t]
    value = value_loss_clipped(values, old_values, returns, mask, clip_range_value, loss_agg).loss
    # E_t[S_t]
    mean_entropy = aggregate_loss(entropy, mask, loss_agg)
    # −L^total = −E_t[L^CLIP_t] + c₁ E_t[L^VF_t] − c₂ E_t[S_t]
    loss = policy + vf_coef * value - ent_coef * mean_entropy
    return PPOTotalLoss(loss, policy.detach(), value.detach(), mean_entropy.detach())


def alphazero_loss(
    value: torch.Tensor,
    outcome: torch.Tensor,
    policy_logits: torch.Tensor,
    search_policy: torch.Tensor,
    params: torch.Tensor | Iterable[torch.Tensor],
    c: float,
) -> AlphaZeroLoss:
    r"""AlphaZero's network loss: value regression, cross-entropy to the search policy, L2.

    $$
    \ell = (z - v)^{2} - \sum_{a} \pi_a \log p_a + c \|\theta\|^{2}
    $$

    per position (the middle term is the cross-entropy $-\boldsymbol{\pi}^{\top} \log \mathbf{p}$),
    where $(\mathbf{p}, v) = f_\theta(s)$ is the network's move distribution
    ($\mathbf{p} = \operatorname{softmax}$ of `policy_logits`) and value, $z \in \{-1, 0, +1\}$
    the game's final outcome from the player to move, and $\boldsymbol{\pi}$ the MCTS visit
    distribution at the root (`rlref.algos.search.root_visit_policy`). The batch loss is the
    mean over positions of the first two terms plus $c\|\theta\|^2$ once. Moves with
    $\pi_a = 0$ contribute 0 even where $p_a = 0$ (illegal moves masked with $-\infty$ logits).
    TRL and verl have no tree search.

    Sources: *Mastering the game of Go without human knowledge*, Nature 550 (2017) (Eq. 1);
    *Mastering Chess and Shogi by Self-Play with a General Reinforcement Learning Algorithm*,
    arXiv:1712.01815.

    Note: [[AI/LLM/RL/Fundamentals/MCTS]]

    Args:
        value: $v$, the value head's output, shape `(B,)`.
        outcome: $z$, shape `(B,)`.
        policy_logits: Logits of $\mathbf{p}$, shape `(B, A)`.
        search_policy: $\boldsymbol{\pi}$, rows summing to 1, shape `(B, A)`.
        params: $\theta$: one tensor or an iterable of tensors (e.g. `model.parameters()`).
        c: L2 coefficient $c \geq 0$.

    Returns:
        `AlphaZeroLoss(loss, value_loss, policy_loss, l2)`.
    """
    log_p = torch.log_softmax(policy_logits, dim=-1)
    # (z − v)², batch mean
    value_loss = ((outcome - value) ** 2).mean()
    # −π^T log p, batch mean (0 · log 0 = 0)
    weighted = torch.where(search_policy > 0, search_policy * log_p, log_p.new_zeros(()))
    policy_loss = -weighted.sum(dim=-1).mean()
    tensors = [params] if isinstance(params, torch.Tensor) else list(params)
    # c ‖θ‖² = c Σ_k θ_k², over every parameter tensor
    l2 = c * sum(((p**2).sum() for p in tensors), value_loss.new_zeros(()))
    # ℓ = (z − v)² − π^T log p + c ‖θ‖²
    loss = value_loss + policy_loss + l2
    return AlphaZeroLoss(loss, value_loss.detach(), policy_loss.detach(), l2.detach())

r"""The pieces that DAPO, GSPO and CISPO add to GRPO.

* DAPO: a soft penalty for overlong answers (reward shaping) and dynamic sampling (drop the
  groups that carry no gradient); its clip-higher and token-level loss are the `clip_eps_high`
  argument of `rlref.algos.policy_loss.ppo_clip_loss` and the `"token-mean"` aggregation.
* GSPO: a sequence-level (length-normalised) importance ratio, clipped as in PPO.
* CISPO: REINFORCE weighted by a clipped, stop-gradient importance ratio.

These functions are re-exported by `rlref.algos.policy_loss`, where the notes address them.
"""

from __future__ import annotations

from typing import NamedTuple

import torch

from rlref.algos.aggregation import LossAgg, aggregate_loss, expand_per_sequence, zero_pads
from rlref.algos.lm import masked_mean

__all__ = [
    "PolicyLoss",
    "cispo_loss",
    "dapo_overlong_penalty",
    "dynamic_sampling_filter",
    "gspo_loss",
    "gspo_sequence_ratio",
    "gspo_token_ratio",
]


class PolicyLoss(NamedTuple):
    """The loss and the share of real tokens whose ratio was clipped."""

    loss: torch.Tensor
    clip_fraction: torch.Tensor


def dapo_overlong_penalty(
    lengths: torch.Tensor, max_length: int, cache_length: int, penalty_factor: float = 1.0
) -> torch.Tensor:
    r"""DAPO's soft overlong punishment: a length penalty that ramps up over the last tokens.

    With $\ell = |y|$ the length of the completion in tokens, the paper's piecewise definition:

    $$
    R_{\mathrm{length}}(\ell) = \begin{cases} 0, & \ell \le L_{\max} - L_{\mathrm{cache}} \\
        \frac{(L_{\max} - L_{\mathrm{cache}}) - \ell}{L_{\mathrm{cache}}}, & L_{\max}
        - L_{\mathrm{cache}} < \ell \le L_{\max} \\ -1, & \ell > L_{\max} \end{cases}
    $$

    No penalty up to $L_{\max} - L_{\mathrm{cache}}$ tokens, a ramp from 0 down to $-1$ over
    the last $L_{\mathrm{cache}}$ tokens, $-1$ beyond $L_{\max}$. The three cases in one
    expression:

    $$
    R_{\mathrm{length}}(\ell) = -\min\left(1, \frac{\max\left(0, \ell - L_{\max}
        + L_{\mathrm{cache}}\right)}{L_{\mathrm{cache}}}\right)
    $$

    The function returns it times `penalty_factor` (1 in the paper); it is added to the task
    reward. TRL:
    `trl.rewards.get_soft_overlong_punishment(max_completion_len=L_max, soft_punish_cache=L_cache)`;
    verl: `reward.reward_manager.name="dapo"` with
    `reward.reward_kwargs.overlong_buffer_cfg` (`len` = $L_{\text{cache}}$, `penalty_factor`)
    and `reward.reward_kwargs.max_resp_len` = $L_{\max}$.

    Source: *DAPO: An Open-Source LLM Reinforcement Learning System at Scale*, arXiv:2503.14476,
    eq. 13.

    Note: [[AI/LLM/RL/DAPO/DAPO 原理]]

    Args:
        lengths: Completion lengths $\ell = |y|$ in tokens, shape `(N,)`.
        max_length: $L_{\max}$.
        cache_length: $L_{\text{cache}} > 0$, the width of the soft zone.
        penalty_factor: Scale of the penalty.

    Returns:
        `penalty_factor` times $R_{\mathrm{length}}$, shape `(N,)`, floating dtype (default dtype
        for integer lengths).
    """
    if cache_length <= 0:
        raise ValueError("cache_length must be positive")
    dtype = lengths.dtype if lengths.is_floating_point() else torch.get_default_dtype()
    length = lengths.to(dtype)
    soft_start = max_length - cache_length
    # ((L_max − L_cache) − |y|) / L_cache inside the soft zone
    ramp = (soft_start - length) / cache_length
    penalty = torch.where(length <= soft_start, torch.zeros_like(length), ramp)
    penalty = torch.where(length > max_length, -torch.ones_like(length), penalty)
    return penalty_factor * penalty


def dynamic_sampling_filter(rewards: torch.Tensor, group_size: int) -> torch.Tensor:
    r"""DAPO's dynamic sampling: keep only groups whose rewards are not all equal.

    With $R_{g,i}$ the reward of the $i$-th of the $G$ completions of group $g$, the group is
    kept ($k_g = 1$) when

    $$
    k_g = \mathbb{1}\left[\max_{i} R_{g,i} - \min_{i} R_{g,i} > 0\right]
    $$

    The paper states the condition for a correctness reward, $0 < |\{o_i :
    \text{is\_equivalent}(a, o_i)\}| < G$ with $a$ the reference answer; for rewards that only
    say right or wrong that is the same rule. A group whose $G$ rewards are all equal has
    group-relative advantages that are all 0, hence no gradient, so it is dropped and more
    prompts are sampled. TRL has no
    such filter; verl: `algorithm.filter_groups.enable=True` (with `filter_groups.metric`).

    Source: *DAPO: An Open-Source LLM Reinforcement Learning System at Scale*, arXiv:2503.14476.

    Note: [[AI/LLM/RL/DAPO/DAPO 原理]]

    Args:
        rewards: One reward per completion, shape `(N,)`, groups of `group_size` contiguous.
        group_size: $G$.

    Returns:
        Boolean keep-mask, shape `(N,)`: $k_g$ for every member of group $g$.
    """
    if rewards.dim() != 1 or rewards.numel() % group_size:
        raise ValueError("rewards must be (N,) with N a multiple of group_size")
    grouped = rewards.view(-1, group_size)
    varied = (grouped != grouped[:, :1]).any(dim=-1)  # some reward differs from the first
    return varied.repeat_interleave(group_size)


def gspo_sequence_ratio(
    logp: torch.Tensor, old_logp: torch.Tensor, mask: torch.Tensor
) -> torch.Tensor:
    r"""GSPO's sequence-level importance ratio: the length-normalised (geometric-mean) ratio.

    With $|o_i|$ the number of real tokens of completion $i$ (its mask summed):

    $$
    s_i(\theta) = \exp\left(\frac{1}{|o_i|}\sum_{t=1}^{|o_i|}\log\frac{\pi_\theta(o_{i,t} \mid q,
        o_{i,<t})}{\pi_{\theta_{\mathrm{old}}}(o_{i,t} \mid q, o_{i,<t})}\right)
    $$

    that is $s_i(\theta) = \big(\pi_\theta(o_i \mid q) / \pi_{\theta_{\mathrm{old}}}(o_i \mid q)
    \big)^{1/|o_i|}$, the geometric mean of the token ratios. TRL:
    `GRPOConfig(importance_sampling_level="sequence")`.

    Source: *Group Sequence Policy Optimization*, arXiv:2507.18071.

    Note: [[AI/LLM/RL/Other-Algorithms/GSPO-Unsloth实践]]

    Args:
        logp: $\log\pi_\theta$, shape `(B, T)`.
        old_logp: $\log\pi_{\theta_{\text{old}}}$, shape `(B, T)`.
        mask: Completion mask, shape `(B, T)`.

    Returns:
        $s_i(\theta)$, shape `(B,)`.
    """
    # s_i = exp(mean_t log(π_θ / π_old))
    return torch.exp(masked_mean(logp - old_logp, mask, dim=-1))


def gspo_token_ratio(
    logp: torch.Tensor, old_logp: torch.Tensor, mask: torch.Tensor
) -> torch.Tensor:
    r"""GSPO-token's ratio: the value of $s_i$ on every token, the gradient of that token alone.

    $$
    s_{i,t}(\theta) = \operatorname{sg}\big[s_i(\theta)\big]\cdot
    \frac{\pi_\theta(o_{i,t} \mid q, o_{i,<t})}
    {\operatorname{sg}\big[\pi_\theta(o_{i,t} \mid q, o_{i,<t})\big]}
    $$

    ($\operatorname{sg}$ = stop-gradient). Numerically $s_{i,t} = s_i$; its gradient is
    $s_i\,\nabla_\theta\log\pi_\theta(o_{i,t})$, which lets advantages differ per token.
    verl: `actor_rollout_ref.actor.policy_loss.loss_mode="gspo"` uses this form.

    Source: *Group Sequence Policy Optimization*, arXiv:2507.18071 (GSPO-token).

    Note: [[AI/LLM/RL/Other-Algorithms/GSPO-Unsloth实践]]

    Args:
        logp: $\log\pi_\theta$, shape `(B, T)`.
        old_logp: $\log\pi_{\theta_{\text{old}}}$, shape `(B, T)`.
        mask: Completion mask, shape `(B, T)`.

    Returns:
        $s_{i,t}(\theta)$, shape `(B, T)`.
    """
    logp = zero_pads(logp, mask)  # a nan/inf pad would make the gradient nan
    log_seq_ratio = masked_mean(logp - old_logp, mask, dim=-1).detach().unsqueeze(-1)
    # s_{i,t} = sg[s_i] · π_θ / sg[π_θ]
    return torch.exp(log_seq_ratio + logp - logp.detach())


def gspo_loss(
    logp: torch.Tensor,
    old_logp: torch.Tensor,
    advantages: torch.Tensor,
    mask: torch.Tensor,
    clip_eps_low: float = 3e-4,
    clip_eps_high: float = 4e-4,
    *,
    token_level: bool = False,
    loss_agg: LossAgg = "seq-mean-token-mean",
) -> PolicyLoss:
    r"""GSPO: PPO-style clipping applied to the sequence-level ratio $s_i$ (or $s_{i,t}$).

    $$
    \mathcal{L}^{\text{GSPO}} = -\frac{1}{G}\sum_{i=1}^{G}
    \min\Big(s_i(\theta)\hat A_i,\;
    \operatorname{clip}\big(s_i(\theta),
    1-\varepsilon_{\text{low}}, 1+\varepsilon_{\text{high}}\big)\hat A_i\Big)
    $$

    Implemented by giving every token of completion $i$ the clipped term of $s_i$ (computed
    once per sequence when $\hat A$ is) and reducing with `"seq-mean-token-mean"`, which
    equals the sequence mean above. `token_level=True` uses $s_{i,t}$ (GSPO-token): same
    value, and the same gradient when $\hat A_{i,t} = \hat A_i$. A clipped sequence
    contributes no gradient at all. The defaults are the paper's clipping
    ranges ($3\times10^{-4}$, $4\times10^{-4}$), orders of magnitude below PPO's because
    $s_i$ is a per-token geometric mean.

    TRL: `GRPOConfig(importance_sampling_level="sequence", loss_type="grpo", epsilon=3e-4,
    epsilon_high=4e-4)`; verl: `actor.policy_loss.loss_mode="gspo"` (the token form) with
    `clip_ratio_low`/`clip_ratio_high` and `loss_agg_mode="seq-mean-token-mean"`. TRL, like
    this function with per-sequence advantages, keeps one ratio per sequence and clips it
    once.

    All-pad rows: a completion with no real token is left out of $B$ (`aggregate_loss`), as
    verl does; TRL 1.16 counts it (`loss_type="grpo"` divides by the number of rows), so with
    $k$ all-pad rows among $B$ TRL's loss is this one times $(B - k)/B$.

    Source: *Group Sequence Policy Optimization*, arXiv:2507.18071 (objective: eq. 5).

    Note: [[AI/LLM/RL/Other-Algorithms/GSPO-Unsloth实践]]

    Args:
        logp: $\log\pi_\theta$, shape `(B, T)`.
        old_logp: $\log\pi_{\theta_{\text{old}}}$, shape `(B, T)`.
        advantages: $\hat A$, shape `(B,)` or `(B, T)` (per-token only makes sense with
            `token_level=True`).
        mask: Completion mask, shape `(B, T)`.
        clip_eps_low: $\varepsilon_{\text{low}}$.
        clip_eps_high: $\varepsilon_{\text{high}}$.
        token_level: Use GSPO-token's $s_{i,t}$ instead of $s_i$.
        loss_agg: Aggregation mode, see `aggregate_loss`.

    Returns:
        `PolicyLoss(loss, clip_fraction)`; the fraction counts tokens of clipped sequences.
    """
    real = mask.bool()  # converted once, for every masked reduction below
    if not token_level and advantages.dim() == 1:
        return _gspo_sequence_loss(
            logp, old_logp, advantages, real, clip_eps_low, clip_eps_high, loss_agg
        )
    if token_level:
        ratio = gspo_token_ratio(logp, old_logp, real)
    else:
        ratio = gspo_sequence_ratio(logp, old_logp, real).unsqueeze(-1).expand_as(logp)
    advantages = zero_pads(expand_per_sequence(advantages), real)
    clipped_ratio = ratio.clamp(1.0 - clip_eps_low, 1.0 + clip_eps_high)
    # −min(s A, clip(s, 1 − ε_low, 1 + ε_high) A)
    per_token = -torch.minimum(ratio * advantages, clipped_ratio * advantages)
    clipped = ((ratio > 1.0 + clip_eps_high) & (advantages > 0)) | (
        (ratio < 1.0 - clip_eps_low) & (advantages < 0)
    )
    loss = aggregate_loss(per_token, real, loss_agg)
    return PolicyLoss(loss, masked_mean(clipped.to(logp.dtype), real))


def _gspo_sequence_loss(
    logp: torch.Tensor,
    old_logp: torch.Tensor,
    advantages: torch.Tensor,
    real: torch.Tensor,
    clip_eps_low: float,
    clip_eps_high: float,
    loss_agg: LossAgg,
) -> PolicyLoss:
    r"""`gspo_loss` with one ratio and one advantage per sequence: the clip on `(B, 1)` values.

    Every token of sequence $i$ has the same loss $\ell_i$, so it is computed once per sequence
    (as TRL does) and only broadcast over the tokens by the aggregation.
    """
    # s_i, one per sequence, (B, 1)
    ratio = gspo_sequence_ratio(logp, old_logp, real).unsqueeze(-1)
    advantages = advantages.unsqueeze(-1)
    clipped_ratio = ratio.clamp(1.0 - clip_eps_low, 1.0 + clip_eps_high)
    # ℓ_i = −min(s_i A_i, clip(s_i, 1 − ε_low, 1 + ε_high) A_i)
    per_sequence = -torch.minimum(ratio * advantages, clipped_ratio * advantages)
    clipped = ((ratio > 1.0 + clip_eps_high) & (advantages > 0)) | (
        (ratio < 1.0 - clip_eps_low) & (advantages < 0)
    )
    loss = aggregate_loss(per_sequence.expand_as(logp), real, loss_agg)
    # share of real tokens in clipped sequences: Σ_i |o_i| 1[clipped_i] / Σ_i |o_i|
    token_counts = real.sum(dim=-1, keepdim=True)
    clipped_tokens = torch.where(clipped, token_counts, 0).sum()
    clip_fraction = clipped_tokens.to(logp.dtype) / token_counts.sum().clamp(min=1).to(logp.dtype)
    return PolicyLoss(loss, clip_fraction)


def cispo_loss(
    logp: torch.Tensor,
    old_logp: torch.Tensor,
    advantages: torch.Tensor,
    mask: torch.Tensor,
    clip_eps_high: float,
    clip_eps_low: float | None = None,
    loss_agg: LossAgg = "token-mean",
) -> PolicyLoss:
    r"""CISPO: REINFORCE weighted by a clipped, stop-gradient importance ratio. No token is dropped.

    The loss of token $t$ of completion $i$ is

    $$
    \mathcal{L}^{\mathrm{CISPO}}_{i,t} = -\operatorname{sg}\left(\hat{r}_{i,t}(\theta)\right)
        \hat{A}_{i,t}\log\pi_\theta(o_{i,t} \mid q, o_{i,<t})
    $$

    with the clipped ratio $\hat r_{i,t}(\theta) = \operatorname{clip}\big(r_{i,t}(\theta),
    1-\varepsilon^{IS}_{\text{low}}, 1+\varepsilon^{IS}_{\text{high}}\big)$ and $\operatorname{sg}$
    the stop-gradient; the function aggregates these per-token losses with `loss_agg` (the
    default `"token-mean"`, the mean over the real tokens of the batch). Unlike PPO, where a clipped
    token gets zero gradient, every token keeps the gradient $\hat r\,\hat A\,\nabla\log\pi_\theta$;
    only the size of its weight is bounded. The paper reduces with a token mean over the batch.

    `clip_eps_low=None` leaves the ratio unbounded below. TRL: `GRPOConfig(loss_type="cispo",
    epsilon_high=E)` clips the ratio at `E` itself (upper bound only), i.e. `clip_eps_high = E − 1`
    here; verl: `actor.policy_loss.loss_mode="cispo"` with `clip_ratio_low`/`clip_ratio_high`.

    Source: *MiniMax-M1: Scaling Test-Time Compute Efficiently with Lightning Attention*,
    arXiv:2506.13585.

    Note: [[AI/LLM/RL/Theory/GRPO-Improvement-Panorama-2026]]

    Args:
        logp: $\log\pi_\theta$ (must carry the gradient), shape `(B, T)`.
        old_logp: $\log\pi_{\theta_{\text{old}}}$, shape `(B, T)`.
        advantages: $\hat A$, shape `(B,)` or `(B, T)`.
        mask: Completion mask, shape `(B, T)`.
        clip_eps_high: $\varepsilon^{IS}_{\text{high}}$.
        clip_eps_low: $\varepsilon^{IS}_{\text{low}}$; `None` = no lower bound.
        loss_agg: Aggregation mode, see `aggregate_loss`.

    Returns:
        `PolicyLoss(loss, clip_fraction)`; the fraction counts tokens whose ratio was clipped.
    """
    real = mask.bool()  # converted once, for every masked reduction below
    # Â as (B, 1) when per sequence (pads are left to the aggregation), else (B, T), pads → 0
    advantages = advantages.unsqueeze(-1) if advantages.dim() == 1 else zero_pads(advantages, real)
    # r = π_θ / π_old, without gradient; log r → 0 at pads, so r there is 1, never nan/inf
    ratio = torch.exp(zero_pads(logp.detach() - old_logp, real))
    low = None if clip_eps_low is None else 1.0 - clip_eps_low
    # r̂ = sg(clip(r, 1 − ε_low, 1 + ε_high))
    weight = ratio.clamp(min=low, max=1.0 + clip_eps_high)
    # −sg(r̂) · Â · log π_θ; a nan/inf log π_θ at a pad stays out of the loss and, multiplied
    # by a finite weight, out of the gradient (the aggregation's where sends 0 there)
    per_token = (-weight * advantages) * logp
    clipped = real & (weight != ratio)
    clip_fraction = clipped.sum().to(logp.dtype) / real.sum().clamp(min=1).to(logp.dtype)
    return PolicyLoss(aggregate_loss(per_token, real, loss_agg), clip_fraction)

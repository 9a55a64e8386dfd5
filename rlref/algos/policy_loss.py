r"""Policy-gradient losses: REINFORCE, PPO-clip and its LLM descendants (GRPO, DAPO, GSPO, CISPO).

All losses are token-level: they build a `(B, T)` matrix of per-token losses and reduce it with
`aggregate_loss`, whose mode is one explicit `loss_agg` argument. Inputs are per-token log-probs
of the sampled completion tokens, shape `(B, T)`, with a completion mask (1 = real token,
0 = prompt/pad). Advantages are `(B,)` (one per completion, broadcast to its tokens) or `(B, T)`.

Every loss is the quantity to *minimise* (the negated objective), as trainers use it.

`aggregate_loss` (from `rlref.algos.aggregation`) and the DAPO / GSPO / CISPO pieces (from
`rlref.algos.grpo_variants`) are re-exported here, so every policy loss is addressed as
`rlref.algos.policy_loss:<name>`.
"""

from __future__ import annotations

from typing import NamedTuple

import torch

from rlref.algos.aggregation import LossAgg, aggregate_loss, expand_per_sequence, zero_pads
from rlref.algos.grpo_variants import (
    PolicyLoss,
    cispo_loss,
    dapo_overlong_penalty,
    dynamic_sampling_filter,
    gspo_loss,
    gspo_sequence_ratio,
    gspo_token_ratio,
)
from rlref.algos.kl import kl_k3
from rlref.algos.lm import masked_mean

__all__ = [
    "GRPOLoss",
    "LossAgg",
    "PPOLoss",
    "PolicyLoss",
    "ValueLoss",
    "aggregate_loss",
    "cispo_loss",
    "dapo_overlong_penalty",
    "dynamic_sampling_filter",
    "entropy_bonus",
    "grpo_loss",
    "gspo_loss",
    "gspo_sequence_ratio",
    "gspo_token_ratio",
    "importance_ratio",
    "ppo_clip_loss",
    "reinforce_loss",
    "value_loss_clipped",
]


class PPOLoss(NamedTuple):
    """The loss and the clipping statistics PPO trainers log."""

    loss: torch.Tensor
    clip_fraction: torch.Tensor
    """Share of real tokens whose gradient the ε-clip zeroes (verl `pg_clipfrac`)."""
    dual_clip_fraction: torch.Tensor
    """Share of real tokens capped by the dual clip (verl `pg_clipfrac_lower`); 0 if disabled."""


class GRPOLoss(NamedTuple):
    """The GRPO loss, its clip fraction and the mean per-token k3 KL to the reference."""

    loss: torch.Tensor
    clip_fraction: torch.Tensor
    kl: torch.Tensor


class ValueLoss(NamedTuple):
    """The clipped value loss and the share of real tokens where the clipped branch won."""

    loss: torch.Tensor
    clip_fraction: torch.Tensor


def importance_ratio(logp: torch.Tensor, old_logp: torch.Tensor) -> torch.Tensor:
    r"""Per-token importance ratio between the current and the sampling policy.

    With $a_t$ the sampled token and $s_t$ its prefix (the prompt and the tokens before it):

    $$
    r_t(\theta) = \frac{\pi_\theta(a_t \mid s_t)}{\pi_{\theta_{\mathrm{old}}}(a_t \mid s_t)}
    $$

    computed from log-probs, as the ratio of two small probabilities would underflow:

    $$
    r_t(\theta) = \exp\left( \log \pi_\theta(a_t \mid s_t)
        - \log \pi_{\theta_{\mathrm{old}}}(a_t \mid s_t) \right)
    $$

    Exactly 1 (with gradient $\nabla\log\pi_\theta$) on the first update of fresh samples;
    it drifts from 1 as the same batch is reused (TRL `GRPOConfig(num_iterations>1)`, verl
    `actor.ppo_epochs>1`). No clamp is applied (verl clamps the log-ratio to $[-20, 20]$).

    Source: *Proximal Policy Optimization Algorithms*, arXiv:1707.06347.

    Note: [[AI/LLM/RL/Fundamentals/On-Policy vs Off-Policy]]

    Args:
        logp: $\log\pi_\theta$ of sampled tokens, shape `(B, T)`.
        old_logp: $\log\pi_{\theta_{\text{old}}}$ of the same tokens, shape `(B, T)`.

    Returns:
        $r_t(\theta)$, shape `(B, T)`.
    """
    # r_t(θ) = π_θ / π_old
    return torch.exp(logp - old_logp)


def reinforce_loss(
    logp: torch.Tensor,
    returns: torch.Tensor,
    mask: torch.Tensor,
    baseline: torch.Tensor | float = 0.0,
    loss_agg: LossAgg = "seq-mean-token-sum",
) -> torch.Tensor:
    r"""REINFORCE with a baseline: the score-function policy gradient as a loss.

    Over $B$ sequences of $T$ positions, with $a_{i,t}$ the $t$-th sampled token of sequence $i$,
    $s_{i,t}$ its prefix and $m_{i,t}$ the completion mask, the default
    `loss_agg="seq-mean-token-sum"` gives

    $$
    L^{PG}(\theta) = -\frac{1}{B} \sum_{i=1}^{B} \sum_{t=0}^{T-1} m_{i,t}
        \left( G_{i,t} - b_{i,t} \right) \log \pi_\theta(a_{i,t} \mid s_{i,t})
    $$

    Another `loss_agg` aggregates the same per-token term
    $-(G_{i,t} - b_{i,t})\log\pi_\theta(a_{i,t} \mid s_{i,t})$ its own way. Its gradient is the
    REINFORCE estimator $-\mathbb{E}[(G - b)\nabla_\theta\log\pi_\theta(o \mid q)]$: the sum over
    tokens is $\log\pi_\theta$ of the whole sequence, hence the default `"seq-mean-token-sum"`
    (verl's default for its REINFORCE loss). A baseline that does not depend on the sampled
    action leaves the gradient unbiased and reduces its variance.

    Source: R. J. Williams, *Simple statistical gradient-following algorithms for connectionist
    reinforcement learning*, Machine Learning 8 (1992).

    Note: [[AI/LLM/RL/Fundamentals/策略梯度方法]]

    Args:
        logp: $\log\pi_\theta$ of the sampled tokens, shape `(B, T)`.
        returns: $G$, shape `(B,)` (one return per sequence) or `(B, T)` (return-to-go).
        mask: Completion mask, shape `(B, T)`.
        baseline: $b$: a float, `(B,)` (one per sequence) or `(B, T)`.
        loss_agg: Aggregation mode, see `aggregate_loss`.

    Returns:
        Scalar loss.
    """
    # G − b, each as (B, 1) or (B, T) so a per-sequence value spans its row's tokens
    baseline = torch.as_tensor(baseline, dtype=logp.dtype, device=logp.device)
    advantages = expand_per_sequence(returns) - expand_per_sequence(baseline)
    # pads → 0, so a nan/inf there cannot make the gradient nan (0 · nan)
    advantages, logp = zero_pads(advantages, mask), zero_pads(logp, mask)
    # −(G − b) · log π_θ
    per_token = -advantages * logp
    return aggregate_loss(per_token, mask, loss_agg)


def _clipped_surrogate(
    ratio: torch.Tensor,
    advantages: torch.Tensor,
    eps_low: float,
    eps_high: float,
    clip_ratio_c: float | None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per-token −min(r A, clip(r) A) with optional dual clip; and which tokens were clipped."""
    clipped_ratio = ratio.clamp(1.0 - eps_low, 1.0 + eps_high)
    # −min(r A, clip(r, 1−ε_low, 1+ε_high) A)
    per_token = -torch.minimum(ratio * advantages, clipped_ratio * advantages)
    clipped = ((ratio > 1.0 + eps_high) & (advantages > 0)) | (
        (ratio < 1.0 - eps_low) & (advantages < 0)
    )
    dual = torch.zeros_like(clipped)
    if clip_ratio_c is not None:
        # −c·A where A < 0 (positive), +∞ elsewhere: one cap per advantage, so a single
        # minimum over the tokens applies the dual clip only where A < 0
        cap = torch.where(advantages < 0, -clip_ratio_c * advantages, torch.inf)
        dual = per_token > cap
        # dual clip: for A < 0 the loss is at most −c·A
        per_token = torch.minimum(per_token, cap)
    return per_token, clipped, dual


def _token_share(flags: torch.Tensor, real: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """Share of the real tokens where `flags` holds (`masked_mean` of 0/1, in integers)."""
    return (flags & real).sum().to(dtype) / real.sum().clamp(min=1).to(dtype)


def ppo_clip_loss(
    logp: torch.Tensor,
    old_logp: torch.Tensor,
    advantages: torch.Tensor,
    mask: torch.Tensor,
    clip_eps: float = 0.2,
    *,
    clip_eps_low: float | None = None,
    clip_eps_high: float | None = None,
    clip_ratio_c: float | None = None,
    loss_agg: LossAgg = "token-mean",
    max_completion_length: int | None = None,
) -> PPOLoss:
    r"""PPO's clipped surrogate at token level, with DAPO's decoupled clip and optional dual clip.

    PPO's objective, to maximise, with $\mathbb{E}_t$ the mean over the real tokens of the batch:

    $$
    L^{\mathrm{CLIP}}(\theta) = \mathbb{E}_t\left[\min\left(r_t(\theta)\hat{A}_t,
        \mathrm{clip}(r_t(\theta), 1-\epsilon, 1+\epsilon)\hat{A}_t\right)\right]
    $$

    The function returns the loss $-L^{\mathrm{CLIP}}$ with the default `loss_agg="token-mean"`;
    another `loss_agg` aggregates the per-token term $\ell_{i,t} = -\min\big(r_{i,t}\hat A_{i,t},
    \operatorname{clip}(r_{i,t}, 1-\varepsilon_{\text{low}}, 1+\varepsilon_{\text{high}})
    \hat A_{i,t}\big)$ its own way, where `clip_eps_low` and `clip_eps_high` give the two sides
    of the clip range their own $\varepsilon$ (both $\epsilon$ = `clip_eps` by default).

    The min makes the objective pessimistic: once the ratio leaves the trust region on the side
    the advantage pushes towards ($r > 1+\varepsilon_{\text{high}}$ with $\hat A > 0$, or
    $r < 1-\varepsilon_{\text{low}}$ with $\hat A < 0$) the token's gradient is exactly 0.
    $\varepsilon_{\text{low}} = \varepsilon_{\text{high}} = \epsilon$ is PPO;
    $\varepsilon_{\text{high}} > \varepsilon_{\text{low}}$ is DAPO's *clip-higher*
    (the paper uses 0.2 / 0.28).

    Dual clip (`clip_ratio_c = c > 1`) also bounds the loss of negative-advantage tokens whose
    ratio exploded: for $\hat A < 0$ the per-token term becomes
    $\min\big(\ell_{i,t},\ -c\,\hat A_{i,t}\big)$, and the objective (one $\epsilon$ for both
    sides) is

    $$
    L^{\mathrm{DC}}(\theta) = \mathbb{E}_t\left[\mathbb{1}[\hat{A}_t < 0]\max\left(\min\left(
        r_t(\theta)\hat{A}_t, \mathrm{clip}(r_t(\theta), 1-\epsilon, 1+\epsilon)\hat{A}_t\right),
        c\hat{A}_t\right) + \mathbb{1}[\hat{A}_t \ge 0]\min\left(r_t(\theta)\hat{A}_t,
        \mathrm{clip}(r_t(\theta), 1-\epsilon, 1+\epsilon)\hat{A}_t\right)\right]
    $$

    whose negation the function returns (token mean by default).

    TRL: `GRPOConfig(epsilon=ε_low, epsilon_high=ε_high)` (its loss without KL), and
    `GRPOConfig(delta=δ)` is `clip_ratio_c=δ` (TRL caps the unclipped ratio at δ for every
    token; for $\hat A > 0$ that cap never wins once $\delta > 1+\varepsilon_{\text{high}}$, for
    $\hat A < 0$ it is the dual clip, so loss and gradient are equal). TRL's `RLOOTrainer`
    loss is this function at *sequence* level: `logp` and `old_logp` the summed completion
    log-probs of shape `(B, 1)`, a mask of ones, `advantages` from
    `rlref.algos.advantages.rloo_advantages`, `loss_agg="token-mean"` (a mean over
    sequences). verl:
    `actor_rollout_ref.actor.clip_ratio_low`, `clip_ratio_high`, `clip_ratio_c`
    (`policy_loss.loss_mode="vanilla"`, where the dual clip is always on with `c = 3.0`).

    Sources: *Proximal Policy Optimization Algorithms*, arXiv:1707.06347;
    *DAPO*, arXiv:2503.14476 (clip-higher); *Mastering Complex Control in MOBA Games
    with Deep Reinforcement Learning*, arXiv:1912.09729 (dual clip).

    Note: [[AI/LLM/RL/PPO/PPO 原理]]

    Args:
        logp: $\log\pi_\theta$, shape `(B, T)`.
        old_logp: $\log\pi_{\theta_{\text{old}}}$, shape `(B, T)`.
        advantages: $\hat A$, shape `(B,)` or `(B, T)`.
        mask: Completion mask, shape `(B, T)`.
        clip_eps: $\epsilon$ for both sides unless overridden.
        clip_eps_low: $\varepsilon_{\text{low}}$ (default `clip_eps`).
        clip_eps_high: $\varepsilon_{\text{high}}$ (default `clip_eps`).
        clip_ratio_c: Dual-clip constant $c > 1$; `None` disables it.
        loss_agg: Aggregation mode, see `aggregate_loss`.
        max_completion_length: $C$ for `"seq-mean-token-sum-norm"`.

    Returns:
        `PPOLoss(loss, clip_fraction, dual_clip_fraction)`.
    """
    if clip_ratio_c is not None and clip_ratio_c <= 1.0:
        raise ValueError(f"clip_ratio_c must be > 1, got {clip_ratio_c}")
    eps_low = clip_eps if clip_eps_low is None else clip_eps_low
    eps_high = clip_eps if clip_eps_high is None else clip_eps_high
    real = mask.bool()  # converted once, for every masked reduction below
    # pads → 0 before exp/clamp, so a nan/inf there cannot make the gradient nan
    ratio = importance_ratio(zero_pads(logp, real), zero_pads(old_logp, real))
    # Â as (B, 1) when per sequence (pads are left to the aggregation), else (B, T), pads → 0
    advantages = advantages.unsqueeze(-1) if advantages.dim() == 1 else zero_pads(advantages, real)
    per_token, clipped, dual = _clipped_surrogate(
        ratio, advantages, eps_low, eps_high, clip_ratio_c
    )
    loss = aggregate_loss(per_token, real, loss_agg, max_completion_length)
    dual_fraction = (
        _token_share(dual, real, logp.dtype) if clip_ratio_c is not None else loss.new_zeros(())
    )
    return PPOLoss(loss, _token_share(clipped, real, logp.dtype), dual_fraction)


def value_loss_clipped(
    values: torch.Tensor,
    old_values: torch.Tensor,
    returns: torch.Tensor,
    mask: torch.Tensor,
    clip_range_value: float,
    loss_agg: LossAgg = "token-mean",
) -> ValueLoss:
    r"""PPO's clipped value loss: the critic may move at most ε from its rollout-time values.

    With $\mathbb{E}_t$ the mean over the real tokens (the default `loss_agg="token-mean"`;
    another mode aggregates the per-token term inside the brackets, halved, its own way):

    $$
    L^{\mathrm{VF}}(\phi) = \frac{1}{2}\mathbb{E}_t\left[\max\left(\left(V_\phi(s_t)
        - \hat{R}_t\right)^2, \left(\mathrm{clip}\left(V_\phi(s_t), V_{\phi_{\mathrm{old}}}(s_t)
        - \epsilon_v, V_{\phi_{\mathrm{old}}}(s_t) + \epsilon_v\right) - \hat{R}_t\right)^2
        \right)\right]
    $$

    The clipped value is computed as $V_{\phi_{\mathrm{old}}}(s_t) + \mathrm{clip}(V_\phi(s_t) -
    V_{\phi_{\mathrm{old}}}(s_t), -\epsilon_v, \epsilon_v)$, the same number. verl:
    `critic.cliprange_value` (default 0.5) with `critic.loss_agg_mode`; it applies the same ½
    factor. The clipping is an implementation detail of OpenAI Baselines' PPO2, not in
    the PPO paper.

    Source: *Implementation Matters in Deep Policy Gradients: A Case Study on PPO and TRPO*,
    arXiv:2005.12729 (value function clipping).

    Note: [[AI/LLM/RL/PPO/PPO 原理]]

    Args:
        values: $V_\phi(s_t)$ now, shape `(B, T)`.
        old_values: $V_{\phi_{\mathrm{old}}}(s_t)$ at rollout time, shape `(B, T)`.
        returns: Targets $\hat R_t$ (e.g. GAE returns), shape `(B, T)`.
        mask: Completion mask, shape `(B, T)`.
        clip_range_value: $\epsilon_v$.
        loss_agg: Aggregation mode, see `aggregate_loss`.

    Returns:
        `ValueLoss(loss, clip_fraction)`.
    """
    # pads → 0 before the clamp and the squares (a nan/inf there would make the gradient nan)
    values, old_values = zero_pads(values, mask), zero_pads(old_values, mask)
    returns = zero_pads(returns, mask)
    # V_clip = V_old + clip(V − V_old, −ε, ε)
    clipped_values = old_values + (values - old_values).clamp(-clip_range_value, clip_range_value)
    unclipped_error = (values - returns) ** 2
    clipped_error = (clipped_values - returns) ** 2
    # ½ max((V − R)², (V_clip − R)²)
    per_token = 0.5 * torch.maximum(unclipped_error, clipped_error)
    clip_fraction = masked_mean((clipped_error > unclipped_error).to(values.dtype), mask)
    return ValueLoss(aggregate_loss(per_token, mask, loss_agg), clip_fraction)


def entropy_bonus(
    entropy: torch.Tensor, mask: torch.Tensor, coef: float, loss_agg: LossAgg = "token-mean"
) -> torch.Tensor:
    r"""The entropy term to *add* to a loss: minus a coefficient times the aggregated entropy.

    With $\mathcal{H}_t$ the entropy of the next-token distribution at token $t$ and
    $\mathbb{E}_t$ the mean over the real tokens:

    $$
    \mathcal{L}^{\mathcal{H}} = -c_2\mathbb{E}_t\left[\mathcal{H}_t\right]
    $$

    That is the default `loss_agg="token-mean"`; another mode replaces $\mathbb{E}_t$ by its
    own aggregation of the entropies. Adding it to the loss rewards a flatter next-token
    distribution (exploration). TRL: `GRPOConfig(entropy_coef=c)` (always a token mean); verl:
    `actor_rollout_ref.actor.entropy_coeff` (aggregated with `loss_agg_mode`).

    Sources: *Proximal Policy Optimization Algorithms*, arXiv:1707.06347 (its
    $c_2 S[\pi_\theta]$ term); *Asynchronous Methods for Deep Reinforcement Learning*,
    arXiv:1602.01783.

    Note: [[AI/LLM/RL/PPO/PPO 原理]]

    Args:
        entropy: Per-token entropy (see `rlref.algos.lm.entropy_from_logits`), shape `(B, T)`.
        mask: Completion mask, shape `(B, T)`.
        coef: $c_2 \geq 0$.
        loss_agg: Aggregation mode, see `aggregate_loss`.

    Returns:
        Scalar $\mathcal{L}^{\mathcal{H}}$ (≤ 0 for `coef ≥ 0`).
    """
    # −c · agg(H)
    return -coef * aggregate_loss(entropy, mask, loss_agg)


def grpo_loss(
    logp: torch.Tensor,
    old_logp: torch.Tensor,
    ref_logp: torch.Tensor | None,
    advantages: torch.Tensor,
    mask: torch.Tensor,
    beta: float,
    clip_eps: float = 0.2,
    *,
    clip_eps_high: float | None = None,
    loss_agg: LossAgg = "seq-mean-token-mean",
    max_completion_length: int | None = None,
    kl_ratio_weighted: bool = False,
) -> GRPOLoss:
    r"""The GRPO objective: PPO-clip on group-relative advantages plus β times the k3 KL.

    The objective, to maximise, over the $G$ completions of the batch (its rows; $m_{i,t}$ the
    completion mask, $T$ the padded length):

    $$
    \mathcal{J}_{\mathrm{GRPO}}(\theta) = \frac{1}{G}\sum_{i=1}^{G}\frac{1}{\sum_{t=1}^{T}
        m_{i,t}}\sum_{t=1}^{T} m_{i,t}\left(\min\left(r_{i,t}(\theta)\hat{A}_{i,t},
        \mathrm{clip}(r_{i,t}(\theta), 1-\epsilon, 1+\epsilon)\hat{A}_{i,t}\right)
        - \beta D_{i,t}\right)
    $$

    with $\hat A$ from `rlref.algos.advantages.group_advantages` and $D_{i,t}$ the k3 estimate
    of the KL to the reference (see `rlref.algos.kl.kl_k3`), $h_{i,t} = (q, o_{i,<t})$:

    $$
    D_{i,t} = \frac{\pi_{\mathrm{ref}}(o_{i,t} \mid h_{i,t})}{\pi_\theta(o_{i,t} \mid h_{i,t})}
        - \log\frac{\pi_{\mathrm{ref}}(o_{i,t} \mid h_{i,t})}{\pi_\theta(o_{i,t} \mid h_{i,t})} - 1
    $$

    The function returns $-\mathcal{J}_{\mathrm{GRPO}}$ with the paper's aggregation, the
    default `loss_agg="seq-mean-token-mean"`; another mode aggregates the per-token term
    $\ell_{i,t} = -\min\big(r_{i,t}\hat A_{i,t}, \mathrm{clip}(r_{i,t}, 1-\epsilon, 1+\epsilon)
    \hat A_{i,t}\big) + \beta D_{i,t}$ its own way (TRL 1.16 defaults to `loss_type="dapo"`,
    i.e. `"token-mean"`). `clip_eps_high` moves the upper clip bound to
    $1+\varepsilon_{\text{high}}$.

    `kl_ratio_weighted=True` multiplies the per-token KL by $r_{i,t}$, which TRL 1.16 does by
    default (`GRPOConfig(use_bias_correction_kl=True)`); the paper does not.

    TRL: `GRPOConfig(beta=β, epsilon=ε, epsilon_high=ε_high, loss_type="grpo")`;
    verl: `algorithm.adv_estimator="grpo"`, `actor.use_kl_loss=True`, `actor.kl_loss_coef=β`,
    `actor.kl_loss_type="low_var_kl"`, `actor.loss_agg_mode="seq-mean-token-mean"`.
    TRL's other clipped loss types are this function with `loss_agg`: `"bnpo"` → `"bnpo"`,
    `"dr_grpo"` → `"seq-mean-token-sum-norm"` with `max_completion_length`, `"dapo"` →
    `"token-mean"` (one process, no accumulation), `"luspo"` → `"seq-mean-token-sum"`.
    TRL's two-sided clip `GRPOConfig(delta=δ)` (it caps the unclipped ratio at δ) has no
    argument here: with `beta=0` it is `ppo_clip_loss(..., clip_ratio_c=δ)` (the dual clip),
    which gives the same loss and gradient whenever $\delta > 1 + \varepsilon_{\text{high}}$
    (TRL's documented recommendation).

    All-pad rows: a completion with no real token is left out of $B$ in the
    sequence-mean modes (`"seq-mean-token-mean"`, `"seq-mean-token-sum"`,
    `"seq-mean-token-sum-norm"`), as verl does, so appending one never changes the loss.
    TRL 1.16 counts such a row in $B$ (its `loss_type` `"grpo"`, `"dr_grpo"` and `"luspo"`
    divide by the number of rows), so with $k$ all-pad rows among $B$ TRL's loss is this one
    times $(B - k)/B$; the token-mean modes (`"dapo"`, `"bnpo"`) agree either way.

    Source: *DeepSeekMath: Pushing the Limits of Mathematical Reasoning in Open Language Models*,
    arXiv:2402.03300.

    Note: [[AI/LLM/RL/GRPO/GRPO 深度理解]]

    Args:
        logp: $\log\pi_\theta$, shape `(B, T)`.
        old_logp: $\log\pi_{\theta_{\text{old}}}$, shape `(B, T)`.
        ref_logp: $\log\pi_{\text{ref}}$, shape `(B, T)`; may be `None` only when `beta == 0`.
        advantages: $\hat A$, shape `(B,)` or `(B, T)`.
        mask: Completion mask, shape `(B, T)`.
        beta: KL coefficient $\beta$.
        clip_eps: $\epsilon$ (lower side, and upper unless `clip_eps_high` is given).
        clip_eps_high: $\varepsilon_{\text{high}}$ (default `clip_eps`).
        loss_agg: Aggregation mode, see `aggregate_loss`.
        max_completion_length: $C$ for `"seq-mean-token-sum-norm"` (Dr. GRPO).
        kl_ratio_weighted: Weight the KL term by $r_{i,t}$ (TRL's `use_bias_correction_kl`).

    Returns:
        `GRPOLoss(loss, clip_fraction, kl)`; `kl` is the masked token mean of $k_3$.
    """
    eps_high = clip_eps if clip_eps_high is None else clip_eps_high
    real = mask.bool()  # converted once, for every masked reduction below
    # pads → 0 before exp/clamp, so a nan/inf there cannot make the gradient nan
    logp = zero_pads(logp, real)
    ratio = importance_ratio(logp, zero_pads(old_logp, real))
    # Â as (B, 1) when per sequence (pads are left to the aggregation), else (B, T), pads → 0
    advantages = advantages.unsqueeze(-1) if advantages.dim() == 1 else zero_pads(advantages, real)
    per_token, clipped, _ = _clipped_surrogate(ratio, advantages, clip_eps, eps_high, None)
    if ref_logp is None:
        if beta != 0.0:
            raise ValueError("ref_logp is required when beta != 0")
        mean_kl = logp.new_zeros(())
    else:
        # with β = 0, k3 is only reported: no graph for a term the loss does not hold
        with torch.set_grad_enabled(beta != 0.0 and torch.is_grad_enabled()):
            kl = kl_k3(logp, zero_pads(ref_logp, real))
        if beta != 0.0:
            weighted_kl = kl * ratio if kl_ratio_weighted else kl
            # + β · k3(π_θ, π_ref)
            per_token = per_token + beta * weighted_kl
        mean_kl = masked_mean(kl.detach(), real)
    loss = aggregate_loss(per_token, real, loss_agg, max_completion_length)
    return GRPOLoss(loss, _token_share(clipped, real, logp.dtype), mean_kl)

r"""Frontier (2026) methods whose formulas a readable source states exactly.

Only what the authors' code, a README or TRL 1.16 spells out is here; each docstring names the
file. The papers themselves could not be read, so nothing below claims more than that code.

* VESPO: a closed-form Gamma kernel on the *product* sequence ratio (TRL `loss_type="vespo"`).
* MASPO: a soft Gaussian gate on the token ratio whose width depends on
  $\pi_{\theta_{\text{old}}}$ and on the advantage (authors' verl fork).
* VCPO: effective sample size, the learning-rate scale it drives, and the closed-form
  off-policy optimal baseline (OPOB) (authors' verl fork).

GEPA's Pareto-front selection of prompt candidates is in `rlref.algos.prompt_evolution`.
"""

from __future__ import annotations

import math
from typing import Literal, NamedTuple

import torch

from rlref.algos.aggregation import LossAgg, aggregate_loss, expand_per_sequence
from rlref.algos.lm import masked_sum

__all__ = [
    "MASPOSigma",
    "ess_lr_scale",
    "ess_ratio",
    "maspo_gate",
    "maspo_loss",
    "maspo_sigma",
    "opob_baseline",
    "vespo_gamma_weight",
    "vespo_loss",
    "vespo_sequence_ratio",
]

_LOG_RATIO_CLAMP = 20.0  # TRL and the VESPO code clamp per-token and sequence log-ratios here
_LOG_W_FLOOR = math.log(1e-8)  # …and floor log w at log(1e-8)


# ---------------------------------------------------------------------------------------- VESPO


def vespo_sequence_ratio(
    logp: torch.Tensor, old_logp: torch.Tensor, mask: torch.Tensor
) -> torch.Tensor:
    r"""VESPO's sequence importance weight: the *product* of token ratios, not GSPO's mean.

    $$
    w_i = \exp\left(\sum_{t=1}^{T} m_{i,t}\left(\log\pi_\theta(o_{i,t} \mid q, o_{i,<t})
        - \log\pi_{\theta_{\mathrm{old}}}(o_{i,t} \mid q, o_{i,<t})\right)\right)
    $$

    Token log-ratios are clamped to $[-20, 20]$ and $\log w_i$ to $[\log 10^{-8}, 20]$ (TRL and
    the VESPO code); inside that range the formula is exact. No gradient. Called as
    `(old_logp, rollout_logp, mask)` it is VCPO's per-trajectory weight for `ess_ratio`.

    Source: TRL 1.16 `GRPOTrainer.get_gamma_weights`; `FloyedShen/VESPO`
    `recipe/vespo/code/core_algos.py`. *VESPO*, arXiv:2602.10693.

    Note: [[AI/LLM/RL/Other-Algorithms/VESPO-Variational-Sequence-Policy-Optimization]]

    Args:
        logp, old_logp: $\log\pi_\theta$ and $\log\pi_{\text{old}}$, shape `(B, T)`.
        mask: Completion mask, shape `(B, T)`.

    Returns:
        $w_i$, shape `(B,)`.
    """
    log_ratio = (logp - old_logp).detach().clamp(-_LOG_RATIO_CLAMP, _LOG_RATIO_CLAMP)
    # log w_i = Σ_t m log(π_θ / π_old): a product over tokens, no 1/|o_i|
    log_w = masked_sum(log_ratio, mask, dim=-1).clamp(_LOG_W_FLOOR, _LOG_RATIO_CLAMP)
    return torch.exp(log_w)


def vespo_gamma_weight(
    logp: torch.Tensor,
    old_logp: torch.Tensor,
    mask: torch.Tensor,
    advantages: torch.Tensor,
    k_pos: float = 2.0,
    lambda_pos: float = 3.0,
    k_neg: float = 3.0,
    lambda_neg: float = 2.0,
) -> torch.Tensor:
    r"""VESPO's reshaping kernel: a Gamma-shaped weight of $w_i$, normalised so $\phi(1) = 1$.

    $$
    \phi_i = \exp\left(\lambda_i + k_i \log w_i - \lambda_i w_i\right)
    $$

    that is $\phi_i = e^{\lambda_i} w_i^{k_i} e^{-\lambda_i w_i}$, with $(k_i, \lambda_i) = (k_+,
    \lambda_+)$ when $\hat A_i \ge 0$ and $(k_-, \lambda_-)$ when $\hat A_i < 0$. It rises like
    $w^k$ for $w < 1$ and decays like $e^{-\lambda w}$ for $w > 1$; its maximum is at $w =
    k/\lambda$. $\lambda$ is floored at $10^{-4}$ and a non-finite $\phi$ becomes 0, as in TRL. The
    defaults are TRL's (`vespo_k_pos=2.0`, `vespo_lambda_pos=3.0`, `vespo_k_neg=3.0`,
    `vespo_lambda_neg=2.0`), which are also the code defaults of the VESPO repository.

    Source: TRL 1.16 `GRPOTrainer.get_gamma_weights`; `FloyedShen/VESPO`
    `recipe/vespo/code/core_algos.py`. *VESPO*, arXiv:2602.10693.

    Note: [[AI/LLM/RL/Other-Algorithms/VESPO-Variational-Sequence-Policy-Optimization]]

    Args:
        logp, old_logp: $\log\pi_\theta$ and $\log\pi_{\text{old}}$, shape `(B, T)`.
        mask: Completion mask, shape `(B, T)`.
        advantages: One advantage per sequence, shape `(B,)`; only its sign is used.
        k_pos, lambda_pos, k_neg, lambda_neg: $k_+, \lambda_+, k_-, \lambda_-$.

    Returns:
        $\phi_i$ without gradient, shape `(B,)`.
    """
    if advantages.dim() != 1:
        raise ValueError("VESPO weighs whole sequences: advantages must have shape (B,)")
    log_w = torch.log(vespo_sequence_ratio(logp, old_logp, mask))
    return _vespo_kernel(log_w, advantages, k_pos, lambda_pos, k_neg, lambda_neg)


def _vespo_kernel(
    log_w: torch.Tensor,
    advantages: torch.Tensor,
    k_pos: float,
    lambda_pos: float,
    k_neg: float,
    lambda_neg: float,
) -> torch.Tensor:
    """φ(w) = exp(λ + k log w − λ w) of each sequence from its log-weight, (k, λ) by the sign
    of its advantage; shared with `rlref.algos.vespo_correction` (the corrected weight)."""
    nonneg = advantages >= 0
    # (k, λ) chosen by the sign of the sequence advantage
    k = torch.where(nonneg, k_pos, k_neg).to(log_w.dtype)
    lam = torch.where(nonneg, lambda_pos, lambda_neg).to(log_w.dtype).clamp(min=1e-4)
    # log φ = λ + k log w − λ w
    log_phi = lam + k * log_w - lam * torch.exp(log_w)
    return torch.exp(log_phi).nan_to_num(nan=0.0, posinf=0.0, neginf=0.0)


def vespo_loss(
    logp: torch.Tensor,
    old_logp: torch.Tensor,
    advantages: torch.Tensor,
    mask: torch.Tensor,
    k_pos: float = 2.0,
    lambda_pos: float = 3.0,
    k_neg: float = 3.0,
    lambda_neg: float = 2.0,
    loss_agg: LossAgg = "token-mean",
) -> torch.Tensor:
    r"""VESPO loss: REINFORCE on every token, weighted by the stop-gradient kernel $\phi_i$.

    Each token's term is $\ell_{i,t} = -\operatorname{sg}[\phi_i]\,\hat A_i\,\log\pi_\theta(o_{i,t}
    \mid q, o_{i,<t})$, and with the default `loss_agg="token-mean"` over the $G$ sequences of
    the batch the loss is

    $$
    \mathcal{L}_{\mathrm{VESPO}} = -\frac{1}{\sum_{i=1}^{G}\sum_{t=1}^{T} m_{i,t}}\sum_{i=1}^{G}
        \sum_{t=1}^{T} m_{i,t}\operatorname{sg}\left[\phi_i\right]\hat{A}_i\log\pi_\theta(o_{i,t}
        \mid q, o_{i,<t})
    $$

    so $\nabla\ell_{i,t} = -\phi_i \hat A_i \nabla\log\pi_\theta$. Nothing is clipped: a
    stale sequence is damped by $\phi$, never dropped. TRL reduces with a token mean over the
    accumulated batch (`"token-mean"` here); the VESPO repo uses verl's `loss_agg_mode`.
    TRL: `GRPOConfig(loss_type="vespo", vespo_k_pos=…, vespo_lambda_pos=…, vespo_k_neg=…,
    vespo_lambda_neg=…)`; verl 0.9.1 has no built-in `"vespo"` loss mode (the VESPO repo
    registers one).

    Source: TRL 1.16 `GRPOTrainer._compute_loss`; `FloyedShen/VESPO`
    `recipe/vespo/code/core_algos.py`. *VESPO*, arXiv:2602.10693.

    Note: [[AI/LLM/RL/Other-Algorithms/VESPO-Variational-Sequence-Policy-Optimization]]

    Args:
        logp, old_logp: $\log\pi_\theta$ (carries the gradient) and $\log\pi_{\text{old}}$,
            shape `(B, T)`.
        advantages: One advantage per sequence, shape `(B,)`.
        mask: Completion mask, shape `(B, T)`.
        k_pos, lambda_pos, k_neg, lambda_neg: Kernel parameters, see `vespo_gamma_weight`.
        loss_agg: Aggregation mode, see `aggregate_loss`.

    Returns:
        Scalar loss.
    """
    phi = vespo_gamma_weight(logp, old_logp, mask, advantages, k_pos, lambda_pos, k_neg,
                             lambda_neg)
    # −sg(φ_i) · Â_i · log π_θ(o_{i,t})
    per_token = -phi.unsqueeze(-1) * expand_per_sequence(advantages) * logp
    return aggregate_loss(per_token, mask, loss_agg)


# ---------------------------------------------------------------------------------------- MASPO


class MASPOSigma(NamedTuple):
    """Gate widths for tokens with positive and with negative advantage."""

    pos: torch.Tensor
    neg: torch.Tensor


def maspo_sigma(
    old_logp: torch.Tensor,
    advantages: torch.Tensor,
    sigma_base: float = 1.0,
    alpha: float = 0.3,
    beta_pos: float = 0.03,
    beta_neg: float = 0.03,
    sigma_high: float = 10.0,
    adv_low: float = 0.1,
    adv_high: float = 10.0,
) -> MASPOSigma:
    r"""MASPO's gate width: a mass-adaptive factor times an asymmetric risk factor.

    With $p_{i,t} = \pi_{\text{old}}(o_{i,t} \mid q, o_{i,<t})$ the sampled token's probability
    under the old policy, the width for positive advantages is

    $$
    \sigma^{+}_{i,t} = \mathrm{clip}\left(\frac{\sigma_{\mathrm{base}}}{p_{i,t}^{\alpha}},
        \sigma_{\mathrm{base}}, \sigma_{\mathrm{high}}\right)\mathrm{clip}\left(1
        + \beta_{+}\hat{A}_{i,t}, a_{\mathrm{low}}, a_{\mathrm{high}}\right)
    $$

    and for negative ones

    $$
    \sigma^{-}_{i,t} = \mathrm{clip}\left(\frac{\sigma_{\mathrm{base}}}{p_{i,t}^{\alpha}},
        \sigma_{\mathrm{base}}, \sigma_{\mathrm{high}}\right)\mathrm{clip}\left(\frac{1}{1
        - \beta_{-}\hat{A}_{i,t}}, a_{\mathrm{low}}, a_{\mathrm{high}}\right)
    $$

    A rare token (small $p_{i,t}$) gets a wider gate; a confident positive advantage
    widens it, a large negative one narrows it. The clips are in the code, not in the README's
    formula. Defaults are the README's recommended values and the code's comments.

    Source: `VenomRose-Juri/MASPO-RL` `verl/trainer/ppo/core_algos.py` (`ratio_mode == "maspo"`)
    and README. *MASPO*, arXiv:2602.17550.

    Note: [[AI/LLM/RL/Other-Algorithms/MASPO-Mass-Adaptive-Soft-Policy-Optimization]]

    Args:
        old_logp: $\log\pi_{\text{old}}$ of the sampled tokens, shape `(B, T)`.
        advantages: $\hat A$, shape `(B,)` or `(B, T)`.
        sigma_base, alpha: $\sigma_{\text{base}}$ and the mass-adaptive exponent $\alpha$.
        beta_pos, beta_neg: $\beta_+$, $\beta_-$ of the risk factors.
        sigma_high, adv_low, adv_high: $\sigma_{\text{high}}$, $a_{\text{low}}$, $a_{\text{high}}$.

    Returns:
        `MASPOSigma(pos, neg)`, each shape `(B, T)`.
    """
    adv = expand_per_sequence(advantages)
    # σ_base / π_old^α = σ_base · exp(−α log π_old), clipped to [σ_base, σ_high]
    mass = (sigma_base * torch.exp(-alpha * old_logp)).clamp(sigma_base, sigma_high)
    risk_pos = (1.0 + beta_pos * adv).clamp(adv_low, adv_high)
    risk_neg = (1.0 / (1.0 - beta_neg * adv)).clamp(adv_low, adv_high)
    return MASPOSigma(mass * risk_pos, mass * risk_neg)


def maspo_gate(
    logp: torch.Tensor, old_logp: torch.Tensor, advantages: torch.Tensor, **sigma_kwargs: float
) -> torch.Tensor:
    r"""MASPO's soft Gaussian gate: it shrinks the ratio only where PPO's clip would act.

    $$
    F_{i,t} = 1 - \mathbb{1}\left[\hat A_{i,t}(r_{i,t} - 1) > 0\right]
    \left(1 - \exp\left(-\frac{(\operatorname{sg}[r_{i,t}] - 1)^2}{2\sigma_{i,t}^2}\right)\right)
    $$

    with $\sigma = \sigma^+$ for $\hat A > 0$ and $\sigma^-$ for $\hat A < 0$ (`maspo_sigma`).
    The indicator is the README's two cases ($\hat A > 0, r > 1$ and $\hat A < 0, r < 1$); in
    the other cases the gate is 1. The gate carries no gradient (the code uses the detached ratio).

    Source: `VenomRose-Juri/MASPO-RL` `verl/trainer/ppo/core_algos.py`. *MASPO*,
    arXiv:2602.17550.

    Note: [[AI/LLM/RL/Other-Algorithms/MASPO-Mass-Adaptive-Soft-Policy-Optimization]]

    Args:
        logp, old_logp: $\log\pi_\theta$ and $\log\pi_{\text{old}}$, shape `(B, T)`.
        advantages: $\hat A$, shape `(B,)` or `(B, T)`.
        **sigma_kwargs: Hyper-parameters of `maspo_sigma`.

    Returns:
        $F_{i,t}$, shape `(B, T)`, no gradient.
    """
    adv = expand_per_sequence(advantages)
    ratio = torch.exp((logp - old_logp).detach().clamp(-_LOG_RATIO_CLAMP, _LOG_RATIO_CLAMP))
    sigma = maspo_sigma(old_logp.detach(), advantages, **sigma_kwargs)
    width = torch.where(adv > 0, sigma.pos, sigma.neg)
    # exp(−(r − 1)² / 2σ²), applied only where Â (r − 1) > 0
    soft = torch.exp(-((ratio - 1.0) ** 2) / (2.0 * width**2))
    return torch.where(adv * (ratio - 1.0) > 0, soft, torch.ones_like(soft))


def maspo_loss(
    logp: torch.Tensor,
    old_logp: torch.Tensor,
    advantages: torch.Tensor,
    mask: torch.Tensor,
    loss_agg: LossAgg = "token-mean",
    **sigma_kwargs: float,
) -> torch.Tensor:
    r"""MASPO loss: the PPO surrogate with its clip replaced by the soft gate.

    Each token's term is $\ell_{i,t} = -F_{i,t}\, r_{i,t}(\theta)\, \hat A_{i,t}$ with the gate
    $F_{i,t}$ of `maspo_gate`; with the default `loss_agg="token-mean"` over the $G$ sequences
    of the batch the loss is

    $$
    \mathcal{L}_{\mathrm{MASPO}} = -\frac{1}{\sum_{i=1}^{G}\sum_{t=1}^{T}
        m_{i,t}}\sum_{i=1}^{G}\sum_{t=1}^{T} m_{i,t} F_{i,t}\, r_{i,t}(\theta)\hat{A}_{i,t}
    $$

    A token past the trust region keeps a shrunken gradient instead of none. The code computes
    $r$ from a log-ratio clamped to $[-20, 20]$ and has no dual clip in this mode. verl fork:
    `actor.policy_loss.ratio_clip.ratio_mode=maspo` with `maspo_sigma_base`, `maspo_alpha`,
    `maspo_beta_pos`, `maspo_beta_neg`, `maspo_sigma_high`, `maspo_adv_low`, `maspo_adv_high`
    (these keys are not in verl 0.9.1; TRL has no MASPO loss).

    Source: `VenomRose-Juri/MASPO-RL` `verl/trainer/ppo/core_algos.py`. *MASPO*,
    arXiv:2602.17550.

    Note: [[AI/LLM/RL/Other-Algorithms/MASPO-Mass-Adaptive-Soft-Policy-Optimization]]

    Args:
        logp, old_logp: $\log\pi_\theta$ (carries the gradient) and $\log\pi_{\text{old}}$,
            shape `(B, T)`.
        advantages: $\hat A$, shape `(B,)` or `(B, T)`.
        mask: Completion mask, shape `(B, T)`.
        loss_agg: Aggregation mode, see `aggregate_loss`.
        **sigma_kwargs: Hyper-parameters of `maspo_sigma`.

    Returns:
        Scalar loss.
    """
    ratio = torch.exp((logp - old_logp).clamp(-_LOG_RATIO_CLAMP, _LOG_RATIO_CLAMP))
    gate = maspo_gate(logp, old_logp, advantages, **sigma_kwargs)
    # −Â · F · r
    per_token = -expand_per_sequence(advantages) * gate * ratio
    return aggregate_loss(per_token, mask, loss_agg)


# ----------------------------------------------------------------------------------------- VCPO


def ess_ratio(weights: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    r"""Normalised effective sample size of a batch of importance weights.

    The effective sample size $\mathrm{ESS} = (\sum_i w_i)^2 / \sum_i w_i^2$ divided by the
    batch size $B$:

    $$
    \rho_{\mathrm{ess}} = \frac{\left(\sum_{i=1}^{B} w_i\right)^2}{B\sum_{i=1}^{B} w_i^2}
    $$

    The function adds $\epsilon$ (`eps`) to $\sum_i w_i^2$ in the denominator, as the VCPO code
    does, so that an all-zero batch gives 0; `eps=0` gives the formula exactly. It is 1 when all
    weights are equal; $1/B$ when one trajectory carries all the weight. VCPO's $w_i$ is the
    per-trajectory product ratio between the trainer's old policy and the sampler
    (`vespo_sequence_ratio(old_logp, rollout_logp, mask)` computes it).

    Source: `mit-han-lab/vcpo` README and `recipe/fully_async_policy/staleness_utils.py`
    (`compute_ess_info`). *Stable Asynchrony: Variance-Controlled Off-Policy RL for LLMs*,
    arXiv:2602.17616.

    Note: [[AI/LLM/RL/Other-Algorithms/Stable-Asynchrony-VCPO-Off-Policy-RL]]

    Args:
        weights: $w_i \ge 0$, shape `(B,)`.
        eps: $\epsilon$ in the denominator (the code's `1e-8`).

    Returns:
        Scalar $\rho_{\text{ess}}$.
    """
    if weights.dim() != 1 or weights.numel() == 0:
        raise ValueError("weights must be a non-empty (B,) tensor")
    # (Σ w)² / (B (Σ w² + ε))
    return weights.sum() ** 2 / (weights.numel() * ((weights**2).sum() + eps))


def ess_lr_scale(
    ess: torch.Tensor, base_ess_ratio: float = 1.0, rule: Literal["sqrt", "linear"] = "sqrt"
) -> torch.Tensor:
    r"""VCPO's learning-rate multiplier: shrink the step when the batch's ESS collapses.

    $$
    s = \sqrt{\min\left(1, \frac{\rho_{\text{ess}}}{\rho_{\text{base}}}\right)}
    $$

    (`rule="linear"` drops the square root). The optimizer steps with $\eta\,s$ and restores
    $\eta$ afterwards. VCPO config: `actor.ess_scaling.enable`, `scaling_rule` (default `"sqrt"`),
    `base_ess_ratio` (default 1.0), `use_clipped`; not in verl 0.9.1.

    Source: `mit-han-lab/vcpo` `verl/workers/actor/megatron_actor.py`
    (`_optimizer_step_with_buffer`) and `verl/workers/config/actor.py` (`ESSScalingConfig`).
    arXiv:2602.17616.

    Note: [[AI/LLM/RL/Other-Algorithms/Stable-Asynchrony-VCPO-Off-Policy-RL]]

    Args:
        ess: $\rho_{\text{ess}}$ (scalar tensor), e.g. from `ess_ratio`.
        base_ess_ratio: $\rho_{\text{base}}$, floored at $10^{-8}$ as in the code.
        rule: `"sqrt"` or `"linear"`.

    Returns:
        Scalar $s \in [0, 1]$.
    """
    scale = (ess / max(base_ess_ratio, 1e-8)).clamp(max=1.0)
    if rule == "sqrt":
        return scale.sqrt()
    if rule == "linear":
        return scale
    raise ValueError(f"unknown rule {rule!r}")


def opob_baseline(
    rewards: torch.Tensor,
    grad_sq_norms: torch.Tensor,
    weights: torch.Tensor,
    group_size: int,
    eps: float = 1e-8,
) -> torch.Tensor:
    r"""VCPO's off-policy optimal baseline: rewards averaged with weights $w^2 \lVert\nabla
    \log\pi\rVert^2$.

    With $\nu_i = \lVert\nabla_\theta\log\pi_\theta(\tau_i)\rVert^2$ the squared gradient norm of
    trajectory $i$:

    $$
    b^{\star} = \frac{\sum_{i=1}^{N} w_i^2 \nu_i R_i}{\sum_{i=1}^{N} w_i^2 \nu_i}
    $$

    with $\epsilon$ (`eps`) added to the denominator as in the VCPO code (`eps=0` gives the formula
    exactly), one per group of $N$ trajectories (the code's default `scope="group"`). With $w_i = 1$
    and $\nu_i \propto |\tau_i|$ it is OPO's length-weighted baseline (`opo_advantages`). The code's
    options `normalize_by_length` (divide $\nu_i$ by $|\tau_i|^2$), `median` and `winsorized_mean`
    are not reproduced.

    Source: `mit-han-lab/vcpo` README and `recipe/fully_async_policy/staleness_utils.py`
    (`compute_opob_baseline`, `get_weighted_mean`). arXiv:2602.17616.

    Note: [[AI/LLM/RL/Other-Algorithms/Stable-Asynchrony-VCPO-Off-Policy-RL]]

    Args:
        rewards: $R_i$, shape `(P·N,)`, groups contiguous.
        grad_sq_norms: $\nu_i$, shape `(P·N,)`.
        weights: $w_i$, shape `(P·N,)`.
        group_size: $N$.
        eps: $\epsilon$ (the code's `1e-8`).

    Returns:
        $b^\star$ per group, shape `(P,)`.
    """
    if rewards.dim() != 1 or rewards.numel() % group_size:
        raise ValueError("rewards must be (P·N,) with N = group_size dividing it")
    shape = (-1, group_size)
    # W_i = w_i² ν_i
    weight = (weights**2 * grad_sq_norms).to(rewards.dtype).reshape(shape)
    return (weight * rewards.reshape(shape)).sum(-1) / (weight.sum(-1) + eps)

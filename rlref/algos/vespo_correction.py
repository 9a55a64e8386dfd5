r"""VESPO with the rollout correction: the sampler's token ratios folded into VESPO's sequence
weight (TRL 1.16 `GRPOConfig(loss_type="vespo", use_vllm=True,
vllm_importance_sampling_correction=True)`).

When completions come from a separate inference engine (vLLM), its token probabilities
$\pi_{\text{sampler}}$ differ slightly from the trainer's $\pi_{\text{old}}$. GRPO's other losses
multiply each token's loss by the (truncated or masked) ratio
$\rho_{i,t} = \pi_{\text{old}}/\pi_{\text{sampler}}$; VESPO instead adds $\log\rho_{i,t}$ to the
log of its sequence weight, so the kernel $\phi$ (`rlref.algos.frontier.vespo_gamma_weight`)
sees the full ratio $\pi_\theta/\pi_{\text{sampler}}$ of the sequence:

$$
\tilde{w}_i = \exp\left(\sum_{t=1}^{T} m_{i,t}\left(\log\pi_\theta(o_{i,t} \mid q, o_{i,<t})
- \log\pi_{\theta_{\mathrm{old}}}(o_{i,t} \mid q, o_{i,<t}) + \log\rho_{i,t}\right)\right)
$$
"""

from __future__ import annotations

import math

import torch

from rlref.algos.aggregation import LossAgg, aggregate_loss
from rlref.algos.frontier import _vespo_kernel
from rlref.algos.lm import masked_sum

__all__ = ["vespo_corrected_loss", "vespo_corrected_sequence_ratio"]

_LOG_RATIO_CLAMP = 20.0  # TRL clamps token and sequence log-ratios here
_LOG_W_FLOOR = math.log(1e-8)  # and log-ratios from below at log 1e-8


def vespo_corrected_sequence_ratio(
    logp: torch.Tensor,
    old_logp: torch.Tensor,
    mask: torch.Tensor,
    rollout_ratio: torch.Tensor,
) -> torch.Tensor:
    r"""VESPO's sequence weight with the sampler's token ratios folded in (no gradient).

    $$
    \tilde{w}_i = \exp\left(\sum_{t=1}^{T} m_{i,t}\left(\log\pi_\theta(o_{i,t} \mid q, o_{i,<t})
    - \log\pi_{\theta_{\mathrm{old}}}(o_{i,t} \mid q, o_{i,<t}) + \log\rho_{i,t}\right)\right)
    $$

    with $\rho_{i,t} = \pi_{\text{old}}(o_{i,t})/\pi_{\text{sampler}}(o_{i,t})$ as TRL prepares it
    (`importance_sampling_ratio`: truncated to `[vllm_importance_sampling_clip_min, …_max]` in
    the `token_truncate` mode, set to 0 outside that range in `token_mask`; 1 on pads). As in
    TRL, each $\log(\pi_\theta/\pi_{\text{old}})$ is clamped to $[-20, 20]$, each $\log\rho$ to
    $[\log 10^{-8}, 20]$ (a masked-out token, $\rho = 0$, so nearly zeroes its sequence's
    weight) and $\log\tilde w_i$ to $[\log 10^{-8}, 20]$. TRL sums $\log\rho$ over all positions;
    the two agree because $\rho = 1$ on pads.

    Source: TRL 1.16 `GRPOTrainer.get_gamma_weights` (its `importance_sampling_ratio`
    argument); *VESPO*, arXiv:2602.10693.

    Note: [[AI/LLM/RL/Other-Algorithms/VESPO-Variational-Sequence-Policy-Optimization]]

    Args:
        logp: $\log\pi_\theta$, shape `(B, T)`.
        old_logp: $\log\pi_{\text{old}}$, shape `(B, T)`.
        mask: Completion mask, shape `(B, T)`.
        rollout_ratio: $\rho_{i,t}$, shape `(B, T)`.

    Returns:
        $\tilde w_i$, shape `(B,)`, detached.
    """
    with torch.no_grad():
        log_ratio = (logp - old_logp).clamp(-_LOG_RATIO_CLAMP, _LOG_RATIO_CLAMP)
        log_rho = torch.log(rollout_ratio).clamp(_LOG_W_FLOOR, _LOG_RATIO_CLAMP)
        # Σ_t m (log π_θ − log π_old + log ρ)
        log_w = masked_sum(log_ratio + log_rho, mask, dim=-1)
        return torch.exp(log_w.clamp(_LOG_W_FLOOR, _LOG_RATIO_CLAMP))


def vespo_corrected_loss(
    logp: torch.Tensor,
    old_logp: torch.Tensor,
    advantages: torch.Tensor,
    mask: torch.Tensor,
    rollout_ratio: torch.Tensor,
    k_pos: float = 2.0,
    lambda_pos: float = 3.0,
    k_neg: float = 3.0,
    lambda_neg: float = 2.0,
    loss_agg: LossAgg = "token-mean",
) -> torch.Tensor:
    r"""VESPO's loss on the corrected sequence weight $\tilde w_i$.

    $$
    \mathcal{L}_{\mathrm{VESPO}} = -\frac{1}{\sum_{i=1}^{G}\sum_{t=1}^{T} m_{i,t}}\sum_{i=1}^{G}
    \sum_{t=1}^{T} m_{i,t}\operatorname{sg}\left[\phi(\tilde{w}_i)\right]\hat{A}_i
    \log\pi_\theta(o_{i,t} \mid q, o_{i,<t})
    $$

    with VESPO's kernel $\phi(w) = \exp(\lambda_i + k_i\log w - \lambda_i w)$,
    $(k_i, \lambda_i) = (k_+, \lambda_+)$ when $\hat A_i \ge 0$, else $(k_-, \lambda_-)$
    ($\lambda$ floored at $10^{-4}$, a non-finite $\phi$ set to 0), and $\tilde w_i$ from
    `vespo_corrected_sequence_ratio`. The token loss is *not* multiplied by $\rho_{i,t}$ again:
    for VESPO the correction lives in the weight only. With $\rho \equiv 1$ this is
    `rlref.algos.frontier.vespo_loss`. TRL 1.16: `GRPOConfig(loss_type="vespo", use_vllm=True,
    vllm_importance_sampling_correction=True, vllm_importance_sampling_mode="token_truncate"`
    or `"token_mask")` (the sequence modes are refused for VESPO); its token mean is over the
    accumulated batch (`"token-mean"`, the formula above).

    Source: TRL 1.16 `GRPOTrainer._compute_loss` and `get_gamma_weights`; *VESPO*,
    arXiv:2602.10693.

    Note: [[AI/LLM/RL/Other-Algorithms/VESPO-Variational-Sequence-Policy-Optimization]]

    Args:
        logp: $\log\pi_\theta$ (carries the gradient), shape `(B, T)`.
        old_logp: $\log\pi_{\text{old}}$, shape `(B, T)`.
        advantages: One advantage per sequence, shape `(B,)`.
        mask: Completion mask, shape `(B, T)`.
        rollout_ratio: $\rho_{i,t}$, shape `(B, T)`.
        k_pos, lambda_pos, k_neg, lambda_neg: $k_+, \lambda_+, k_-, \lambda_-$ (TRL's
            `vespo_k_pos` … defaults).
        loss_agg: Aggregation mode, see `rlref.algos.aggregation.aggregate_loss`.

    Returns:
        Scalar loss.
    """
    if advantages.dim() != 1:
        raise ValueError("VESPO weighs whole sequences: advantages must have shape (B,)")
    log_w = torch.log(vespo_corrected_sequence_ratio(logp, old_logp, mask, rollout_ratio))
    # φ(w̃) = exp(λ + k log w̃ − λ w̃), (k, λ) by the sign of the sequence advantage
    phi = _vespo_kernel(log_w, advantages, k_pos, lambda_pos, k_neg, lambda_neg)
    # −sg[φ(w̃_i)] Â_i log π_θ(o_{i,t})
    per_token = -(phi * advantages).unsqueeze(-1) * logp
    return aggregate_loss(per_token, mask, loss_agg)

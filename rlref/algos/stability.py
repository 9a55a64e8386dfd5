r"""Stability guards of LLM RL that TRL 1.16 / verl 0.9 ship as options.

* SAPO: a smooth, temperature-controlled gate on the importance ratio instead of PPO's hard clip.
* Rollout correction (TIS / MIS): importance weights between the training engine and the
  inference engine that sampled the tokens (the training–inference mismatch), truncated or
  masked.
* Off-policy sequence masking (OPSM, DeepSeek-V3.2): drop negative-advantage sequences whose
  sampling policy has drifted too far from the current one.
* QeRL's adaptive quantization noise (AQN): the step schedule of the Gaussian noise scale that
  is added to the rollout model's RMSNorm weights to keep exploring.

The first three are pure functions of per-token log-probs `(B, T)` with a completion mask
(1 = real token, 0 = prompt/pad), like the rest of `rlref.algos`; the last maps training steps
to a noise scale.
"""

from __future__ import annotations

from typing import Literal

import torch

from rlref.algos.aggregation import LossAgg, aggregate_loss, zero_pads
from rlref.algos.lm import masked_mean, masked_sum

__all__ = [
    "CorrectionLevel",
    "CorrectionMode",
    "aqn_sigma_schedule",
    "off_policy_sequence_mask",
    "rollout_correction_weights",
    "sapo_loss",
]

CorrectionLevel = Literal["token", "sequence", "geometric"]
"""Granularity of a rollout-correction weight; see `rollout_correction_weights`."""
CorrectionMode = Literal["truncate", "mask"]
"""What happens to a weight outside its bounds; see `rollout_correction_weights`."""


def sapo_loss(
    logp: torch.Tensor,
    old_logp: torch.Tensor,
    advantages: torch.Tensor,
    mask: torch.Tensor,
    tau_pos: float = 1.0,
    tau_neg: float = 1.05,
    loss_agg: LossAgg = "seq-mean-token-mean",
) -> torch.Tensor:
    r"""SAPO: the PPO ratio passed through a sigmoid gate instead of a hard clip.

    The loss of token $t$ of completion $i$, with $\sigma$ the logistic sigmoid and
    $r_{i,t}(\theta)$ the token's importance ratio, is

    $$
    \mathcal{L}^{\mathrm{SAPO}}_{i,t} = -\frac{4}{\tau_{i,t}}\sigma\left(\tau_{i,t}
        \left(r_{i,t}(\theta) - 1\right)\right)\hat{A}_{i,t}
    $$

    with the temperature $\tau_{i,t} = \tau_{\text{pos}}$ where $\hat A_{i,t} > 0$ and $\tau_{i,t} =
    \tau_{\text{neg}}$ where $\hat A_{i,t} \le 0$; the function aggregates these per-token losses
    with `loss_agg`. The gate's slope is $4\sigma(1-\sigma)$, exactly 1 at $r = 1$: near the
    sampling policy the gradient is the unclipped surrogate's, and it fades smoothly (instead of
    dropping to 0 at $1 \pm \varepsilon$) as the ratio moves away; a larger $\tau$ makes it fade
    faster. Both frameworks reduce it with `"seq-mean-token-mean"` (the default here).

    TRL: `GRPOConfig(loss_type="sapo", sapo_temperature_pos=τ_pos, sapo_temperature_neg=τ_neg)`;
    verl: `actor_rollout_ref.actor.policy_loss.loss_mode="sapo"` with `actor.tau_pos`,
    `actor.tau_neg` (defaults 1.0 and 1.05 in both). verl clamps the log-ratio to $[-20, 20]$;
    this function does not.

    All-pad rows: a completion with no real token is left out of $B$ (`aggregate_loss`), as
    verl does; TRL 1.16 counts it (`loss_type="sapo"` averages over all rows), so with $k$
    all-pad rows among $B$ TRL's loss is this one times $(B - k)/B$.

    Source: *Soft Adaptive Policy Optimization*, arXiv:2511.20347 (as cited and implemented by
    TRL 1.16 `GRPOTrainer._compute_loss` and verl 0.9 `compute_policy_loss_sapo`).

    Note: [[AI/LLM/RL/Theory/GRPO-Improvement-Panorama-2026]]

    Args:
        logp: $\log\pi_\theta$ of the sampled tokens, shape `(B, T)`.
        old_logp: $\log\pi_{\theta_{\text{old}}}$ of the same tokens, shape `(B, T)`.
        advantages: $\hat A$, shape `(B,)` or `(B, T)`.
        mask: Completion mask, shape `(B, T)`.
        tau_pos: $\tau_{\text{pos}} > 0$, temperature of positive-advantage tokens.
        tau_neg: $\tau_{\text{neg}} > 0$, temperature of the other tokens.
        loss_agg: Aggregation mode, see `aggregate_loss`.

    Returns:
        Scalar loss (to minimise).
    """
    if tau_pos <= 0 or tau_neg <= 0:
        raise ValueError(f"temperatures must be positive, got {tau_pos} and {tau_neg}")
    real = mask.bool()  # converted once, for the masking and the aggregation
    # log r = log π_θ − log π_old, 0 at pads: a nan/inf there cannot reach exp or the gradient
    ratio = torch.exp(zero_pads(logp - old_logp, real))
    # Â as (B, 1) when per sequence (pads are left to the aggregation), else (B, T), pads → 0
    adv = advantages.unsqueeze(-1) if advantages.dim() == 1 else zero_pads(advantages, real)
    # τ_{i,t}: τ_pos where Â > 0, τ_neg elsewhere (one per sequence when Â is)
    tau = torch.where(adv > 0, adv.new_full((), tau_pos), adv.new_full((), tau_neg))
    # −f(r) Â with the gate f(r) = (4/τ) σ(τ (r − 1)), whose slope at r = 1 is 1;
    # the factor −(4/τ) Â is formed before it meets the (B, T) sigmoid
    per_token = torch.sigmoid(tau * (ratio - 1.0)) * (-4.0 / tau * adv)
    return aggregate_loss(per_token, real, loss_agg)


def rollout_correction_weights(
    old_logp: torch.Tensor,
    rollout_logp: torch.Tensor,
    mask: torch.Tensor,
    level: CorrectionLevel = "token",
    mode: CorrectionMode = "truncate",
    clip_max: float | None = 3.0,
    clip_min: float | None = None,
) -> torch.Tensor:
    r"""Importance weights that correct for the inference engine having sampled the tokens.

    The training engine recomputes $\ell^{\text{old}} = \log\pi_{\theta_{\text{old}}}$ of each
    sampled token; the inference engine (vLLM / SGLang) reported
    $\ell^{\text{roll}} = \log\pi_{\text{rollout}}$ for the same token. With the masked
    differences $d_{i,t} = m_{i,t}(\ell^{\text{old}}_{i,t} - \ell^{\text{roll}}_{i,t})$:

    | `level` | raw weight | shape |
    |---|---|---|
    | `"token"` | $\rho_{i,t} = \exp(d_{i,t})$ | `(B, T)` |
    | `"sequence"` | $\rho_i = \exp\big(\sum_t d_{i,t}\big)$ | `(B,)` |
    | `"geometric"` | $\rho_i = \exp\big(\sum_t d_{i,t} / \lvert o_i\rvert\big)$ | `(B,)` |

    `mode="truncate"` (TIS) clamps the weight $\rho$ of the chosen level into $[C_{\min},
    C_{\max}]$, $w^{\text{TIS}} = \operatorname{clip}(\rho, C_{\min}, C_{\max})$; `mode="mask"`
    (MIS) keeps it where it lies inside the bounds and sets it to 0 elsewhere,
    $w^{\text{MIS}} = \rho\,\mathbb{1}[C_{\min} \le \rho \le C_{\max}]$. A `None` bound is
    absent. With the upper bound $C = C_{\max}$ alone (TRL's default `clip_min=None`), the
    token-level TIS weight is

    $$
    w_{i,t} = \min\left(\exp\left(\ell^{\mathrm{old}}_{i,t} - \ell^{\mathrm{roll}}_{i,t}\right),
        C\right)
    $$

    and the sequence-level MIS weight, with $\rho_i$ the sequence row of the table, is

    $$
    w_i = \rho_i\mathbb{1}\left[\rho_i \le C\right]
    $$

    Both inputs are constants (no gradient flows through the weight); the trainer multiplies
    the per-token policy loss by it. Pad positions get $d = 0$.

    TRL: `GRPOConfig(vllm_importance_sampling_correction=True,
    vllm_importance_sampling_mode="token_truncate" | "token_mask" | "sequence_truncate" |
    "sequence_mask", vllm_importance_sampling_clip_max=C_max, vllm_importance_sampling_clip_min=
    C_min)` (defaults: on, `"sequence_mask"`, 3.0, None). verl: `algorithm.rollout_correction`
    with `rollout_is="token" | "sequence"` and `rollout_is_threshold` (default 2.0).
    slime: `--use-tis` with `--tis-clip` / `--tis-clip-low`; its docs add the `"geometric"` level.

    Sources: TRL 1.16 `GRPOTrainer._generate_and_score_completions`; slime
    `docs/en/advanced/rollout-correction.md` (token / sequence / geometric levels).

    Note: [[AI/LLM/RL/Theory/RL-Training-Stability-2026-Unified-Analysis]]

    Args:
        old_logp: $\ell^{\text{old}}$, training-engine log-probs of the sampled tokens, `(B, T)`.
        rollout_logp: $\ell^{\text{roll}}$, inference-engine log-probs of the same tokens, `(B, T)`.
        mask: Completion mask, shape `(B, T)`.
        level: `"token"`, `"sequence"` or `"geometric"` (see the table).
        mode: `"truncate"` (clamp) or `"mask"` (zero outside the bounds).
        clip_max: $C_{\max}$, or `None` for no upper bound.
        clip_min: $C_{\min}$, or `None` for no lower bound.

    Returns:
        The weights: `(B, T)` for `"token"`, `(B,)` for the sequence levels.
    """
    real = mask.bool().expand_as(old_logp)
    # d_{i,t} = m_{i,t} (ℓ_old − ℓ_roll); a pad contributes 0
    diff = torch.where(real, old_logp - rollout_logp, old_logp.new_zeros(()))
    if level == "token":
        log_weight = diff
    elif level == "sequence":
        log_weight = masked_sum(diff, real, dim=-1)  # log Π_t ρ_{i,t}
    elif level == "geometric":
        log_weight = masked_mean(diff, real, dim=-1)  # log of the per-token geometric mean
    else:
        raise ValueError(f"level must be 'token', 'sequence' or 'geometric', got {level!r}")
    weight = torch.exp(log_weight)
    if mode == "truncate":
        if clip_min is None and clip_max is None:
            return weight
        # TIS: w = clamp(ρ, C_min, C_max)
        return weight.clamp(min=clip_min, max=clip_max)
    if mode == "mask":
        outside = torch.zeros_like(weight, dtype=torch.bool)
        if clip_max is not None:
            outside = outside | (weight > clip_max)
        if clip_min is not None:
            outside = outside | (weight < clip_min)
        # MIS: w = ρ · 1[C_min ≤ ρ ≤ C_max]
        return torch.where(outside, weight.new_zeros(()), weight)
    raise ValueError(f"mode must be 'truncate' or 'mask', got {mode!r}")


def off_policy_sequence_mask(
    advantages: torch.Tensor,
    logp: torch.Tensor,
    sampling_logp: torch.Tensor,
    mask: torch.Tensor,
    threshold: float,
) -> torch.Tensor:
    r"""DeepSeek-V3.2's off-policy sequence mask: drop bad sequences sampled by a stale policy.

    $$
    M_i = 1 - \mathbb{1}\left[\hat{A}_i < 0\right]\mathbb{1}\left[\frac{\sum_{t=1}^{T}
        m_{i,t}\left(\ell^{\mathrm{roll}}_{i,t} - \ell_{i,t}\right)}{\sum_{t=1}^{T} m_{i,t}}
        > \delta\right]
    $$

    with $\ell = \log\pi_\theta$ (current, taken as a constant) and $\ell^{\text{roll}}$ the
    log-prob of the policy that sampled the sequence. The middle factor is a per-sequence
    mean of the k1 estimate of $\mathrm{KL}(\pi_{\text{roll}} \,\|\, \pi_\theta)$; a sequence is
    kept when its advantage is non-negative *or* that drift is at most $\delta$. The trainer
    multiplies every token loss of sequence $i$ by $M_i$.

    TRL: `GRPOConfig(off_policy_mask_threshold=δ)` (uses the vLLM sampling log-probs when
    available, else the old log-probs); slime: `--use-opsm --opsm-delta δ`.

    Sources: *DeepSeek-V3.2*, arXiv:2512.02556, eq. 9 (as cited by TRL 1.16's
    `GRPOConfig.off_policy_mask_threshold` and implemented in `GRPOTrainer.get_off_policy_mask`).

    Note: [[AI/LLM/RL/Theory/RL-Training-Stability-2026-Unified-Analysis]]

    Args:
        advantages: $\hat A_i$, one per sequence, shape `(B,)`.
        logp: $\ell = \log\pi_\theta$ of the sampled tokens, shape `(B, T)` (detached here).
        sampling_logp: $\ell^{\text{roll}}$ of the same tokens, shape `(B, T)`.
        mask: Completion mask, shape `(B, T)`.
        threshold: $\delta \ge 0$.

    Returns:
        $M_i \in \{0, 1\}$, shape `(B,)`, in the dtype of `logp`.
    """
    if advantages.dim() != 1:
        raise ValueError("advantages must be one value per sequence, shape (B,)")
    # per-sequence mean of ℓ_roll − ℓ (k1 of KL(π_roll ‖ π_θ))
    drift = masked_mean(sampling_logp - logp.detach(), mask, dim=-1)
    # keep unless (Â < 0 and drift > δ)
    keep = (advantages >= 0) | (drift <= threshold)
    return keep.to(logp.dtype)


def aqn_sigma_schedule(
    steps: torch.Tensor,
    total_steps: int,
    sigma_start: float,
    sigma_end: float,
    num_stages: int,
) -> torch.Tensor:
    r"""QeRL's adaptive quantization noise: a piecewise-constant, geometrically decaying scale.

    Training is cut into $N$ equal intervals ($N$ = `num_stages`). The first has no noise; the
    others use the geometric sequence $\sigma_k = \sigma_{\text{start}}
    (\sigma_{\text{end}} / \sigma_{\text{start}})^{k/(N-2)}$, $k = 0, \dots, N-2$, in order.
    With $j = \lfloor \min(s, S) / (S/N) \rfloor$ the interval of step $s$:

    $$
    \sigma_{\mathrm{AQN}}(s) = \mathbb{1}\left[j \ge 1\right]\sigma_{\mathrm{start}}\left(
        \frac{\sigma_{\mathrm{end}}}{\sigma_{\mathrm{start}}}\right)^{\frac{\min(j, N - 1) - 1}
        {N - 2}}
    $$

    with $s$ the training step (`update_step` in that code) and $S$ = `total_steps`. In the code
    this schedule drives, noise $\mathcal{N}(0, \sigma_{\mathrm{AQN}}(s)^2)$ is added in place to
    the RMSNorm weights of the vLLM rollout model after each weight sync (the training model is
    untouched).

    Settings of the released 7B script: $\sigma_{\text{start}} = 10^{-2}$,
    $\sigma_{\text{end}} = 10^{-4}$, $N = 10$.

    Source: QeRL, arXiv:2510.11696 — read from `vukrosic/QeRL-learn` @ 1bf4803 (a third-party copy
    of the NVlabs/QeRL code): `trl_trainer/grpo_trainer.py` (`_move_peft_model_to_vllm`),
    `trl_trainer/noise_scheduler.py` (`get_sigma_by_step`),
    `training/dapo_qwen2.5-7b_nvfp4_single_gpu.sh`. Neither TRL nor verl has this option.

    Note: [[AI/LLM/RL/Frameworks/QeRL-Quantization-Enhanced-RL]]

    Args:
        steps: Optimizer steps $s \ge 0$, any shape (integer or floating).
        total_steps: $S > 0$.
        sigma_start: $\sigma_{\text{start}} > 0$.
        sigma_end: $\sigma_{\text{end}} > 0$.
        num_stages: $N \ge 3$.

    Returns:
        $\sigma_{\mathrm{AQN}}(s)$, same shape as `steps`, floating dtype (default dtype for
        integer steps).
    """
    if num_stages < 3 or total_steps <= 0 or sigma_start <= 0 or sigma_end <= 0:
        raise ValueError("need num_stages >= 3, total_steps > 0 and positive sigmas")
    dtype = steps.dtype if steps.is_floating_point() else torch.get_default_dtype()
    step = steps.to(dtype).clamp(max=float(total_steps))
    # j = ⌊min(s, S) / (S / N)⌋: which of the N intervals the step falls in
    interval = torch.floor(step / (total_steps / num_stages))
    # k = min(j, N − 1) − 1 indexes the geometric sequence σ_k
    k = interval.clamp(max=num_stages - 1) - 1
    sigma = sigma_start * (sigma_end / sigma_start) ** (k / (num_stages - 2))
    # the first interval (j = 0) has no noise
    return torch.where(interval >= 1, sigma, torch.zeros_like(sigma))

r"""Options that change how a DPO loss is formed rather than its shape (TRL 1.16 `DPOConfig`).

* `f_divergence_score`, `f_dpo_loss`: the regulariser is an f-divergence instead of the reverse
  KL, so each log-ratio $\Delta$ enters through $\psi(\Delta) = f'(e^{\Delta})$
  (`f_divergence_type`, `f_alpha_divergence_coef`);
* `ld_sequence_logps`: LD-DPO's down-weighting of the tokens past the shorter completion
  (`ld_alpha`);
* `token_log_sum_sq_probs`, `wpo_weights`, `wpo_loss`: WPO's weighting of each pair by how
  likely the current policy is to produce it (`use_weighting`);
* `sft_loss`: the NLL of the chosen completions (`loss_type="sft"`, usually combined with
  another loss through `loss_weights`).

With $\Delta_w$, $\Delta_l$ the chosen and rejected log-ratios
$\log\pi_\theta(y \mid x) - \log\pi_{\mathrm{ref}}(y \mid x)$:

$$
\mathcal{L}_{\mathrm{DPO}} = -\log\sigma\left(\beta (\Delta_w - \Delta_l)\right)
$$
"""

from __future__ import annotations

import math
from typing import Literal

import torch
import torch.nn.functional as F

from rlref.algos.preference import PreferenceLoss

__all__ = [
    "FDivergence",
    "f_divergence_score",
    "f_dpo_loss",
    "ld_sequence_logps",
    "sft_loss",
    "token_log_sum_sq_probs",
    "wpo_loss",
    "wpo_weights",
]

FDivergence = Literal["reverse_kl", "forward_kl", "js_divergence", "alpha_divergence"]

# TRL treats α within 1e-6 of 1 as the reverse-KL limit (ψ(u) = u)
_ALPHA_ONE_TOLERANCE = 1e-6


def f_divergence_score(
    log_ratio: torch.Tensor, divergence: FDivergence = "reverse_kl", alpha: float = 0.5
) -> torch.Tensor:
    r"""$\psi(u) = f'(e^{u})$: how a log-ratio enters f-DPO for the chosen f-divergence.

    With $u = \log\frac{\pi_\theta(y \mid x)}{\pi_{\mathrm{ref}}(y \mid x)}$ and $t = e^{u}$
    ($\psi$ matters up to an additive constant, which cancels in $\psi(\Delta_w) - \psi(\Delta_l)$;
    the constants are TRL's):

    * reverse KL, $f(t) = t\log t$: $\psi(u) = u + 1$, written $u$ (constants cancel in
      $\psi(\Delta_w) - \psi(\Delta_l)$) — plain DPO;
    * forward KL, $f(t) = -\log t$:

    $$
    \psi_{\mathrm{FKL}}(u) = 1 - \exp(-u)
    $$

    * Jensen-Shannon, $f'(t) = \log\frac{2t}{1 + t}$:

    $$
    \psi_{\mathrm{JS}}(u) = \log 2 + \log\sigma(u)
    $$

    * α-divergence in TRL's parametrisation, $f'(t) = \frac{t^{\alpha - 1} - 1}{\alpha - 1}$
      ($\alpha \to 1$ is the reverse KL, $\alpha = 0$ the forward KL):

    $$
    \psi_{\alpha}(u) = \frac{\exp\left((\alpha - 1) u\right) - 1}{\alpha - 1}
    $$

    TRL 1.16: `DPOConfig(f_divergence_type=…, f_alpha_divergence_coef=α)` (default 0.5), for
    the losses `sigmoid`, `sigmoid_norm`, `hinge`, `ipo`, `exo_pair`, `robust`, `discopop`
    (and `sft`, which ignores it). TRL clamps $(\alpha - 1)u$ at 80 in float32 before the
    exponential and has no float64 entry in that clamp table (a `KeyError` in float64); this
    function does not clamp.

    Source: *Beyond Reverse KL: Generalizing Direct Preference Optimization with Diverse
    Divergence Constraints*, arXiv:2309.16240.

    Note: [[AI/LLM/RL/DPO/DPO 损失变体]]

    Args:
        log_ratio: $u$, any shape.
        divergence: `"reverse_kl"`, `"forward_kl"`, `"js_divergence"` or `"alpha_divergence"`.
        alpha: $\alpha$ of the α-divergence.

    Returns:
        $\psi(u)$, the shape of `log_ratio`.
    """
    if divergence == "reverse_kl":
        return log_ratio  # ψ(u) = u
    if divergence == "forward_kl":
        return 1 - torch.exp(-log_ratio)  # 1 − exp(−u)
    if divergence == "js_divergence":
        return math.log(2.0) + F.logsigmoid(log_ratio)  # log 2 + log σ(u)
    if divergence == "alpha_divergence":
        if abs(alpha - 1.0) < _ALPHA_ONE_TOLERANCE:
            return log_ratio  # the α → 1 limit is the reverse KL
        # (exp((α − 1)u) − 1) / (α − 1)
        return torch.expm1((alpha - 1.0) * log_ratio) / (alpha - 1.0)
    raise ValueError(f"unknown f-divergence {divergence!r}")


def f_dpo_loss(
    policy_chosen_logps: torch.Tensor,
    policy_rejected_logps: torch.Tensor,
    ref_chosen_logps: torch.Tensor,
    ref_rejected_logps: torch.Tensor,
    beta: float = 0.1,
    divergence: FDivergence = "reverse_kl",
    alpha: float = 0.5,
) -> PreferenceLoss:
    r"""f-DPO: DPO's logistic loss on $\psi$-transformed log-ratios.

    $$
    \mathcal{L}_{f\text{-DPO}} = -\log\sigma\left(\beta\left(\psi(\Delta_w) -
    \psi(\Delta_l)\right)\right)
    $$

    with $\psi$ from `f_divergence_score`. The derivation of DPO goes through for any
    f-divergence whose $f'$ is invertible; the normaliser $Z(x)$ still cancels in the
    difference, which is why only margin-based losses take the option. Reverse KL gives
    `rlref.algos.preference.dpo_loss`. TRL 1.16: `DPOConfig(loss_type="sigmoid",
    f_divergence_type=…, f_alpha_divergence_coef=α)`.

    Source: *Beyond Reverse KL: Generalizing Direct Preference Optimization with Diverse
    Divergence Constraints*, arXiv:2309.16240.

    Note: [[AI/LLM/RL/DPO/DPO 损失变体]]

    Args:
        policy_chosen_logps: $\log\pi_\theta(y_w \mid x)$, shape `(B,)`.
        policy_rejected_logps: $\log\pi_\theta(y_l \mid x)$, shape `(B,)`.
        ref_chosen_logps: $\log\pi_{\mathrm{ref}}(y_w \mid x)$, shape `(B,)`.
        ref_rejected_logps: $\log\pi_{\mathrm{ref}}(y_l \mid x)$, shape `(B,)`.
        beta: $\beta$.
        divergence: The f-divergence (see `f_divergence_score`).
        alpha: $\alpha$ of the α-divergence.

    Returns:
        `PreferenceLoss(loss, chosen_rewards, rejected_rewards)`; the rewards are
        $\beta\Delta$ (what TRL logs), not $\beta\psi(\Delta)$.
    """
    chosen_ratio = policy_chosen_logps - ref_chosen_logps  # Δ_w
    rejected_ratio = policy_rejected_logps - ref_rejected_logps  # Δ_l
    # ψ(Δ_w) − ψ(Δ_l)
    score_gap = f_divergence_score(chosen_ratio, divergence, alpha) - f_divergence_score(
        rejected_ratio, divergence, alpha
    )
    # −log σ(β(ψ(Δ_w) − ψ(Δ_l)))
    losses = -F.logsigmoid(beta * score_gap)
    return PreferenceLoss(
        losses.mean(), (beta * chosen_ratio).detach(), (beta * rejected_ratio).detach()
    )


def ld_sequence_logps(
    chosen_token_logps: torch.Tensor,
    rejected_token_logps: torch.Tensor,
    chosen_mask: torch.Tensor,
    rejected_mask: torch.Tensor,
    alpha: float,
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""LD-DPO's sequence log-probs: tokens past the shorter completion weigh $\alpha$.

    With $c_t = \sum_{t' \le t} m_{t'}$ the position of token $t$ within its completion and
    $n_s = \min(|y_w|, |y_l|)$ the shorter completion's length in the pair:

    $$
    \log\pi^{\mathrm{LD}}(y \mid x) = \sum_{t} m_t \left(\mathbb{1}[c_t \le n_s]
    + \alpha \, \mathbb{1}[c_t > n_s]\right) \ell_t
    $$

    where $\ell_t$ is the token's log-prob. The first $n_s$ tokens of each
    completion (the part both have) count fully, the longer completion's excess counts
    $\alpha \in [0, 1]$: $\alpha = 1$ is the ordinary sum, $\alpha = 0$ compares equal-length
    prefixes. This curbs DPO's drift toward longer answers. Apply it to the policy's *and* the
    reference's token log-probs, then use any DPO loss. TRL 1.16: `DPOConfig(ld_alpha=α)`
    (both sides, every loss type).

    Source: *Length Desensitization in Direct Preference Optimization*, arXiv:2409.06411.

    Note: [[AI/LLM/RL/DPO/DPO 损失变体]]

    Args:
        chosen_token_logps: Token log-probs of the chosen completions, shape `(B, T)`.
        rejected_token_logps: Token log-probs of the rejected completions, shape `(B, T')`.
        chosen_mask: 1 on the chosen completions' tokens, shape `(B, T)`.
        rejected_mask: 1 on the rejected completions' tokens, shape `(B, T')`.
        alpha: $\alpha$, the weight of the tokens past the shared length.

    Returns:
        `(chosen, rejected)`, each shape `(B,)`.
    """
    chosen_bool, rejected_bool = chosen_mask.bool(), rejected_mask.bool()
    # min(|y_w|, |y_l|) per pair
    shared = torch.minimum(chosen_bool.sum(-1), rejected_bool.sum(-1)).unsqueeze(-1)

    def weighted(token_logps: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        position = mask.cumsum(-1)  # c_t
        one, tail, zero = (token_logps.new_tensor(x) for x in (1.0, alpha, 0.0))
        # m_t (1[c_t ≤ min] + α 1[c_t > min]), in the log-probs' dtype (α stays exact)
        weight = torch.where(mask, torch.where(position <= shared, one, tail), zero)
        # Σ_t weight_t ℓ_t (pads are zeroed first: a NaN there must not leak)
        return (torch.where(mask, token_logps, zero) * weight).sum(-1)

    return weighted(chosen_token_logps, chosen_bool), weighted(rejected_token_logps, rejected_bool)


def sft_loss(token_logps: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    r"""The NLL of the chosen completions: one token mean over the whole batch.

    $$
    \mathcal{L}_{\mathrm{SFT}} = -\frac{\sum_{i,t} m_{i,t} \, \ell_{i,t}}{\sum_{i,t} m_{i,t}}
    $$

    with $\ell_{i,t}$ the log-prob of token $t$ of chosen completion $i$. Added to a preference
    loss it keeps the chosen likelihood from falling (the RPO recipe). TRL 1.16:
    `DPOConfig(loss_type=["sigmoid", "sft"], loss_weights=[1.0, w])`; the `"sft"` term alone is
    this function on the chosen rows (it reads neither the reference nor an f-divergence).

    Source: *Iterative Reasoning Preference Optimization*, arXiv:2404.19733 (DPO + NLL).

    Note: [[AI/LLM/RL/DPO/DPO 损失变体]]

    Args:
        token_logps: Token log-probs of the chosen completions, shape `(B, T)`.
        mask: 1 on completion tokens, shape `(B, T)`.

    Returns:
        Scalar loss (0 when the mask is empty).
    """
    real = mask.bool()
    zero = token_logps.new_zeros(())
    # −Σ m ℓ / Σ m
    total = torch.where(real, token_logps, zero).sum()
    return -total / real.sum().clamp(min=1).to(token_logps.dtype)


def token_log_sum_sq_probs(logits: torch.Tensor) -> torch.Tensor:
    r"""$\log\sum_v p_t(v)^2$ at every position: the log "self-agreement" of the next-token law.

    $$
    \log\sum_{v} p_t(v)^{2} = \log\sum_{v} \exp(2 z_{t,v}) - 2\log\sum_{v} \exp(z_{t,v})
    $$

    with $p_t = \mathrm{softmax}(z_t)$; it is the log-probability that two independent samples
    agree, at most 0 (a one-hot law) and at least $-\log V$ (uniform). WPO subtracts it from a
    token's log-prob to correct for how peaked the distribution is.

    Source: *WPO: Enhancing RLHF with Weighted Preference Optimization*, arXiv:2406.11827;
    TRL 1.16 `trl/kernels/chunked_logprob.py` (the same two log-sum-exps).

    Note: [[AI/LLM/RL/DPO/DPO 损失变体]]

    Args:
        logits: Next-token scores $z$, shape `(…, V)`.

    Returns:
        Shape `logits.shape[:-1]`.
    """
    # log Σ e^{2z} − 2 log Σ e^{z}
    return torch.logsumexp(2 * logits, dim=-1) - 2 * torch.logsumexp(logits, dim=-1)


def wpo_weights(
    token_logps: torch.Tensor, log_sum_sq_probs: torch.Tensor, mask: torch.Tensor
) -> torch.Tensor:
    r"""WPO's weight of a completion: its length-normalised, calibrated probability (no gradient).

    $$
    w(x, y) = \exp\left(\frac{1}{|y|}\sum_{t=1}^{|y|}\left(\log p_t(y_t) - \log\sum_{v}
    p_t(v)^{2}\right)\right)
    $$

    where $p_t$ is the current policy's next-token law at step $t$. A pair sampled from a
    distribution far from the policy (off-policy data) gets a small weight. TRL 1.16:
    `DPOConfig(use_weighting=True)` (not for `aot`, `aot_unpaired`), computed under `no_grad`;
    an empty completion counts as length 1.

    Source: *WPO: Enhancing RLHF with Weighted Preference Optimization*, arXiv:2406.11827.

    Note: [[AI/LLM/RL/DPO/DPO 损失变体]]

    Args:
        token_logps: $\log p_t(y_t)$, shape `(B, T)`.
        log_sum_sq_probs: $\log\sum_v p_t(v)^2$ (`token_log_sum_sq_probs`), shape `(B, T)`.
        mask: 1 on completion tokens, shape `(B, T)`.

    Returns:
        $w$, shape `(B,)`, detached.
    """
    real = mask.bool()
    zero = token_logps.new_zeros(())
    with torch.no_grad():
        # log p_t(y_t) − log Σ_v p_t(v)², on real tokens only
        calibrated = torch.where(real, token_logps - log_sum_sq_probs, zero)
        length = real.sum(-1).clamp(min=1).to(token_logps.dtype)  # |y|
        # exp of the token mean
        return torch.exp(calibrated.sum(-1) / length)


def wpo_loss(
    policy_chosen_logps: torch.Tensor,
    policy_rejected_logps: torch.Tensor,
    ref_chosen_logps: torch.Tensor,
    ref_rejected_logps: torch.Tensor,
    chosen_weights: torch.Tensor,
    rejected_weights: torch.Tensor,
    beta: float = 0.1,
) -> PreferenceLoss:
    r"""WPO: the DPO loss of each pair weighted by the policy's probability of the pair.

    $$
    \mathcal{L}_{\mathrm{WPO}} = -\operatorname{sg}\left(w(x, y_w) \, w(x, y_l)\right)
    \log\sigma\left(\beta (\Delta_w - \Delta_l)\right)
    $$

    with $w$ from `wpo_weights` and $\operatorname{sg}$ the stop-gradient. Re-weighting simulates
    on-policy data with off-policy pairs. TRL 1.16: `DPOConfig(use_weighting=True)`, which
    multiplies every loss type's per-pair loss by the same product (this function is the
    `"sigmoid"` case).

    Source: *WPO: Enhancing RLHF with Weighted Preference Optimization*, arXiv:2406.11827.

    Note: [[AI/LLM/RL/DPO/DPO 损失变体]]

    Args:
        policy_chosen_logps: $\log\pi_\theta(y_w \mid x)$, shape `(B,)`.
        policy_rejected_logps: $\log\pi_\theta(y_l \mid x)$, shape `(B,)`.
        ref_chosen_logps: $\log\pi_{\mathrm{ref}}(y_w \mid x)$, shape `(B,)`.
        ref_rejected_logps: $\log\pi_{\mathrm{ref}}(y_l \mid x)$, shape `(B,)`.
        chosen_weights: $w(x, y_w)$, shape `(B,)`.
        rejected_weights: $w(x, y_l)$, shape `(B,)`.
        beta: $\beta$.

    Returns:
        `PreferenceLoss(loss, chosen_rewards, rejected_rewards)`; rewards $\beta\Delta$.
    """
    chosen = beta * (policy_chosen_logps - ref_chosen_logps)  # βΔ_w
    rejected = beta * (policy_rejected_logps - ref_rejected_logps)  # βΔ_l
    pair_weight = (chosen_weights * rejected_weights).detach()  # sg(w_w w_l)
    # −sg(w_w w_l) log σ(β(Δ_w − Δ_l))
    losses = -pair_weight * F.logsigmoid(chosen - rejected)
    return PreferenceLoss(losses.mean(), chosen.detach(), rejected.detach())

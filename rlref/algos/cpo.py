r"""Contrastive Preference Optimization and AlphaPO: reference-free preference losses
(TRL 1.16 `trl.experimental.cpo.CPOTrainer`).

CPO drops DPO's reference model: the implicit reward of a completion is the policy's own
log-likelihood $\ell(y) = \log\pi_\theta(y \mid x)$ (summed over the completion for
`loss_type` `"sigmoid"` and `"hinge"`, the per-token mean for `"ipo"` and `"simpo"`), and a
behaviour-cloning NLL on the chosen completions keeps the policy near the preferred data:

$$
\mathcal{L}_{\mathrm{CPO}} = \frac{1}{B}\sum_{i=1}^{B} \mathcal{L}_{\mathrm{prefer}}^{(i)}
+ \lambda \, \mathcal{L}_{\mathrm{NLL}}
$$

AlphaPO replaces $\ell$ by $r_\alpha(y) = (1 - e^{-\alpha\ell(y)})/\alpha$ in every loss type.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import torch
import torch.nn.functional as F

__all__ = ["CPOLoss", "CPOLossType", "alphapo_reward", "cpo_loss"]

CPOLossType = Literal["sigmoid", "hinge", "ipo", "simpo"]


class CPOLoss(NamedTuple):
    """CPO's total loss, its two parts, and the logged rewards ($\\beta$ times the rewards)."""

    loss: torch.Tensor
    preference_loss: torch.Tensor
    nll_loss: torch.Tensor
    chosen_rewards: torch.Tensor
    rejected_rewards: torch.Tensor


def alphapo_reward(logps: torch.Tensor, alpha: float) -> torch.Tensor:
    r"""AlphaPO's reward of a completion: a power transform of its likelihood.

    $$
    r_\alpha(y) = \frac{1 - \exp\left(-\alpha \, \ell(y)\right)}{\alpha}
    $$

    with $\ell(y)$ the completion's log-likelihood (summed or per-token, as the loss type
    wants), i.e. $r_\alpha = (1 - p^{-\alpha})/\alpha$ for $p = e^{\ell}$. $\alpha \to 0$
    gives back $\ell$ (SimPO / CPO). Its slope $e^{-\alpha\ell}$ sets how much unlikely
    completions weigh in the gradient: for $\ell < 0$, $\alpha > 0$ steepens the reward there
    and $\alpha < 0$ flattens it (bounded below by $1/\alpha$). TRL 1.16:
    `CPOConfig(alpha=α)` (any loss type; `loss_type="alphapo"` sets `simpo` with
    `cpo_alpha=0`).

    Source: *AlphaPO: Reward Shape Matters for LLM Alignment*, arXiv:2501.03884.

    Note: [[AI/LLM/RL/DPO/CPO 与 AlphaPO]]

    Args:
        logps: $\ell(y)$, any shape.
        alpha: $\alpha$; 0 returns `logps` unchanged.

    Returns:
        $r_\alpha(y)$, the shape of `logps`.
    """
    if alpha == 0.0:
        return logps  # the α → 0 limit
    # (1 − exp(−α ℓ)) / α
    return -torch.expm1(-alpha * logps) / alpha


def cpo_loss(
    policy_chosen_logps: torch.Tensor,
    policy_rejected_logps: torch.Tensor,
    beta: float = 0.1,
    loss_type: CPOLossType = "sigmoid",
    label_smoothing: float = 0.0,
    simpo_gamma: float = 0.5,
    alpha: float = 0.0,
    cpo_alpha: float = 1.0,
    nll_token_logps: torch.Tensor | None = None,
    nll_mask: torch.Tensor | None = None,
) -> CPOLoss:
    r"""CPO's loss for each TRL loss type, with AlphaPO rewards and the chosen-NLL term.

    With $r(y) = r_\alpha(y)$ (`alphapo_reward`; $r = \ell$ when $\alpha = 0$) and
    $\Delta r = r(y_w) - r(y_l)$, the per-pair preference loss is

    * `"sigmoid"` (CPO; cDPO-style smoothing $\varepsilon$):

    $$
    \mathcal{L}_{\mathrm{prefer}} = -(1 - \varepsilon)\log\sigma\left(\beta \left(r(y_w) -
    r(y_l)\right)\right) - \varepsilon\log\sigma\left(-\beta \left(r(y_w) - r(y_l)\right)\right)
    $$

    * `"simpo"`: the same with SimPO's target margin $\gamma$ taken off,

    $$
    \mathcal{L}_{\mathrm{SimPO}} = -(1 - \varepsilon)\log\sigma\left(\beta \left(r(y_w) -
    r(y_l)\right) - \gamma\right) - \varepsilon\log\sigma\left(\gamma - \beta \left(r(y_w) -
    r(y_l)\right)\right)
    $$

    * `"hinge"` and `"ipo"` (both ignore $\varepsilon$):

    $$
    \mathcal{L}_{\mathrm{hinge}} = \max\left(0, 1 - \beta \left(r(y_w) - r(y_l)\right)\right)
    $$

    $$
    \mathcal{L}_{\mathrm{IPO}} = \left(r(y_w) - r(y_l) - \frac{1}{2 \beta}\right)^{2}
    $$

    and the total adds $\lambda$ (`cpo_alpha`) times the NLL of the chosen completions, one
    token mean over the batch:

    $$
    \mathcal{L}_{\mathrm{NLL}} = -\frac{\sum_{i,t} m_{i,t} \, \ell_{i,t}}{\sum_{i,t} m_{i,t}}
    $$

    Pass $\ell$ as summed log-probs for `"sigmoid"`/`"hinge"` and as per-token means for
    `"ipo"`/`"simpo"` (TRL's `average_log_prob`). TRL 1.16:
    `trl.experimental.cpo.CPOConfig(loss_type=…, beta=β, label_smoothing=ε, simpo_gamma=γ,
    alpha=α, cpo_alpha=λ)` (defaults `sigmoid`, 0.1, 0, 0.5, 0, 1.0); pure SimPO is
    `loss_type="simpo", cpo_alpha=0` (`rlref.algos.preference.simpo_loss`). TRL's NLL is
    `nn.CrossEntropyLoss` over the chosen rows' completion labels: pass their token log-probs
    as `nll_token_logps` and the completion mask as `nll_mask`.

    Sources: *Contrastive Preference Optimization: Pushing the Boundaries of LLM Performance in
    Machine Translation*, arXiv:2401.08417; *SimPO: Simple Preference Optimization with a
    Reference-Free Reward*, arXiv:2405.14734; *AlphaPO: Reward Shape Matters for LLM
    Alignment*, arXiv:2501.03884.

    Note: [[AI/LLM/RL/DPO/CPO 与 AlphaPO]]

    Args:
        policy_chosen_logps: $\ell(y_w)$, shape `(B,)`.
        policy_rejected_logps: $\ell(y_l)$, shape `(B,)`.
        beta: $\beta$ (for `"ipo"`, IPO's $\tau$).
        loss_type: `"sigmoid"`, `"hinge"`, `"ipo"` or `"simpo"`.
        label_smoothing: $\varepsilon$ (`"sigmoid"` and `"simpo"` only).
        simpo_gamma: $\gamma$ (`"simpo"` only).
        alpha: AlphaPO's $\alpha$; 0 uses the log-likelihoods themselves.
        cpo_alpha: $\lambda$, the weight of the NLL term; 0 drops it.
        nll_token_logps: Token log-probs of the chosen completions, shape `(B, T)`; required
            when `cpo_alpha` is not 0.
        nll_mask: 1 on the chosen completions' tokens, shape `(B, T)`.

    Returns:
        `CPOLoss(loss, preference_loss, nll_loss, chosen_rewards, rejected_rewards)`; the
        rewards are $\beta r$ (detached), as TRL logs them.
    """
    chosen = alphapo_reward(policy_chosen_logps, alpha)  # r(y_w)
    rejected = alphapo_reward(policy_rejected_logps, alpha)  # r(y_l)
    gap = chosen - rejected  # Δr
    eps = label_smoothing
    if loss_type in ("sigmoid", "simpo"):
        # βΔr, minus SimPO's target margin γ
        logits = beta * gap - (simpo_gamma if loss_type == "simpo" else 0.0)
        # −(1 − ε) log σ(logits) − ε log σ(−logits)
        losses = -(1 - eps) * F.logsigmoid(logits) - eps * F.logsigmoid(-logits)
    elif loss_type == "hinge":
        losses = torch.relu(1 - beta * gap)  # max(0, 1 − βΔr)
    elif loss_type == "ipo":
        losses = (gap - 1 / (2 * beta)) ** 2  # (Δr − 1/(2β))²
    else:
        raise ValueError(f"unknown CPO loss type {loss_type!r}")
    preference = losses.mean()

    if cpo_alpha == 0.0:
        nll = preference.new_zeros(())
    else:
        if nll_token_logps is None or nll_mask is None:
            raise ValueError("cpo_alpha ≠ 0 needs nll_token_logps and nll_mask (or cpo_alpha=0)")
        real = nll_mask.bool()
        zero = nll_token_logps.new_zeros(())
        # −Σ m ℓ / Σ m over the chosen completions
        total = torch.where(real, nll_token_logps, zero).sum()
        nll = -total / real.sum().clamp(min=1).to(nll_token_logps.dtype)
    # mean preference loss + λ NLL
    loss = preference + cpo_alpha * nll
    return CPOLoss(loss, preference, nll, (beta * chosen).detach(), (beta * rejected).detach())

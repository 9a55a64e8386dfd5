r"""More DPO-family losses: EXO, NCA, BCO, APO, AOT and DiscoPOP (TRL 1.16 `DPOConfig.loss_type`).

Same inputs as `rlref.algos.preference.dpo_loss`: summed completion log-probs, shape `(B,)`, of
the chosen ($y_w$) and rejected ($y_l$) completions under the policy and the frozen reference.
With the per-side log-ratios
$\Delta_w = \log\pi_\theta(y_w \mid x) - \log\pi_{\mathrm{ref}}(y_w \mid x)$ and
$\Delta_l = \log\pi_\theta(y_l \mid x) - \log\pi_{\mathrm{ref}}(y_l \mid x)$,
each function returns `PreferenceLoss(loss, chosen_rewards, rejected_rewards)`: the batch mean
of its per-pair loss and the logged implicit rewards $\beta\Delta_w$, $\beta\Delta_l$ (detached),
as TRL's `rewards/chosen` and `rewards/rejected`.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from rlref.algos.preference import PreferenceLoss
from rlref.algos.preference import _implicit_rewards as _rewards  # βΔ_w, βΔ_l

__all__ = [
    "aot_loss",
    "apo_down_loss",
    "apo_zero_loss",
    "bco_pair_loss",
    "discopop_loss",
    "exo_pair_loss",
    "nca_pair_loss",
]


def _result(losses: torch.Tensor, chosen: torch.Tensor, rejected: torch.Tensor) -> PreferenceLoss:
    return PreferenceLoss(losses.mean(), chosen.detach(), rejected.detach())


def exo_pair_loss(
    policy_chosen_logps: torch.Tensor,
    policy_rejected_logps: torch.Tensor,
    ref_chosen_logps: torch.Tensor,
    ref_rejected_logps: torch.Tensor,
    beta: float = 0.1,
    label_smoothing: float = 1e-3,
) -> PreferenceLoss:
    r"""EXO on pairs: the reverse KL from the policy's pair distribution to the smoothed labels.

    $$
    \mathcal{L}_{\mathrm{EXO}} = \sigma\left(\beta (\Delta_w - \Delta_l)\right)
    \log\frac{\sigma\left(\beta (\Delta_w - \Delta_l)\right)}{1 - \varepsilon}
    + \sigma\left(-\beta (\Delta_w - \Delta_l)\right)
    \log\frac{\sigma\left(-\beta (\Delta_w - \Delta_l)\right)}{\varepsilon}
    $$

    $\sigma(\pm\beta(\Delta_w - \Delta_l))$ is the softmax of the two implicit rewards, the
    model's distribution over {chosen, rejected}; $(1 - \varepsilon, \varepsilon)$ is the
    smoothed label. DPO minimises the forward KL (a cross-entropy) between the same two
    distributions; EXO the reverse one, which is mode-seeking. Needs $0 < \varepsilon < 1$.
    TRL 1.16: `DPOConfig(loss_type="exo_pair", beta=β, label_smoothing=ε)` (TRL refuses
    $\varepsilon = 0$; the EXO paper suggests $10^{-3}$).

    Source: *Towards Efficient Exact Optimization of Language Model Alignment*, arXiv:2402.00856.

    Note: [[AI/LLM/RL/DPO/DPO 损失变体]]

    Args:
        policy_chosen_logps: $\log\pi_\theta(y_w \mid x)$, shape `(B,)`.
        policy_rejected_logps: $\log\pi_\theta(y_l \mid x)$, shape `(B,)`.
        ref_chosen_logps: $\log\pi_{\mathrm{ref}}(y_w \mid x)$, shape `(B,)`.
        ref_rejected_logps: $\log\pi_{\mathrm{ref}}(y_l \mid x)$, shape `(B,)`.
        beta: $\beta$.
        label_smoothing: $\varepsilon \in (0, 1)$.

    Returns:
        `PreferenceLoss(loss, chosen_rewards, rejected_rewards)`; rewards $\beta\Delta$.
    """
    if not 0.0 < label_smoothing < 1.0:
        raise ValueError(f"exo_pair_loss needs 0 < label_smoothing < 1, got {label_smoothing}")
    chosen, rejected = _rewards(
        beta, policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps
    )
    logits = chosen - rejected  # β(Δ_w − Δ_l)
    # σ(β(Δ_w − Δ_l)) log[σ(β(Δ_w − Δ_l)) / (1 − ε)]
    chosen_term = torch.sigmoid(logits) * (F.logsigmoid(logits) - math.log1p(-label_smoothing))
    # σ(−β(Δ_w − Δ_l)) log[σ(−β(Δ_w − Δ_l)) / ε]
    rejected_term = torch.sigmoid(-logits) * (F.logsigmoid(-logits) - math.log(label_smoothing))
    return _result(chosen_term + rejected_term, chosen, rejected)


def nca_pair_loss(
    policy_chosen_logps: torch.Tensor,
    policy_rejected_logps: torch.Tensor,
    ref_chosen_logps: torch.Tensor,
    ref_rejected_logps: torch.Tensor,
    beta: float = 0.1,
) -> PreferenceLoss:
    r"""NCA on pairs: each side's reward judged on its own, not only the margin.

    $$
    \mathcal{L}_{\mathrm{NCA}} = -\log\sigma(\beta \Delta_w)
    - \frac{1}{2}\log\sigma(-\beta \Delta_w) - \frac{1}{2}\log\sigma(-\beta \Delta_l)
    $$

    The first term raises the chosen reward, the last two push both rewards down with half the
    weight, so the chosen answer's own likelihood is anchored instead of only the difference —
    the remedy for DPO's falling chosen log-probs. TRL 1.16: `DPOConfig(loss_type="nca_pair")`.

    Source: *Noise Contrastive Alignment of Language Models with Explicit Rewards*,
    arXiv:2402.05369.

    Note: [[AI/LLM/RL/DPO/DPO 损失变体]]

    Args:
        policy_chosen_logps: $\log\pi_\theta(y_w \mid x)$, shape `(B,)`.
        policy_rejected_logps: $\log\pi_\theta(y_l \mid x)$, shape `(B,)`.
        ref_chosen_logps: $\log\pi_{\mathrm{ref}}(y_w \mid x)$, shape `(B,)`.
        ref_rejected_logps: $\log\pi_{\mathrm{ref}}(y_l \mid x)$, shape `(B,)`.
        beta: $\beta$.

    Returns:
        `PreferenceLoss(loss, chosen_rewards, rejected_rewards)`; rewards $\beta\Delta$.
    """
    chosen, rejected = _rewards(
        beta, policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps
    )
    # −log σ(βΔ_w) − ½ log σ(−βΔ_w) − ½ log σ(−βΔ_l)
    losses = -F.logsigmoid(chosen) - 0.5 * F.logsigmoid(-chosen) - 0.5 * F.logsigmoid(-rejected)
    return _result(losses, chosen, rejected)


def bco_pair_loss(
    policy_chosen_logps: torch.Tensor,
    policy_rejected_logps: torch.Tensor,
    ref_chosen_logps: torch.Tensor,
    ref_rejected_logps: torch.Tensor,
    beta: float = 0.1,
) -> PreferenceLoss:
    r"""BCO on pairs: a binary classifier "chosen or rejected" whose logit is the implicit reward.

    $$
    \mathcal{L}_{\mathrm{BCO}} = -\log\sigma(\beta \Delta_w) - \log\sigma(-\beta \Delta_l)
    $$

    Each side is classified on its own (chosen → 1, rejected → 0), so the loss does not cancel
    a shift common to both rewards. TRL 1.16's `DPOConfig(loss_type="bco_pair")` is this form
    *without* the BCO paper's reward shift $\delta$ (a running mean of the rewards); the shifted
    version is `trl.experimental.bco.BCOTrainer`.

    Source: *Binary Classifier Optimization for Large Language Model Alignment*,
    arXiv:2404.04656.

    Note: [[AI/LLM/RL/DPO/DPO 损失变体]]

    Args:
        policy_chosen_logps: $\log\pi_\theta(y_w \mid x)$, shape `(B,)`.
        policy_rejected_logps: $\log\pi_\theta(y_l \mid x)$, shape `(B,)`.
        ref_chosen_logps: $\log\pi_{\mathrm{ref}}(y_w \mid x)$, shape `(B,)`.
        ref_rejected_logps: $\log\pi_{\mathrm{ref}}(y_l \mid x)$, shape `(B,)`.
        beta: $\beta$.

    Returns:
        `PreferenceLoss(loss, chosen_rewards, rejected_rewards)`; rewards $\beta\Delta$.
    """
    chosen, rejected = _rewards(
        beta, policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps
    )
    # −log σ(βΔ_w) − log σ(−βΔ_l)
    losses = -F.logsigmoid(chosen) - F.logsigmoid(-rejected)
    return _result(losses, chosen, rejected)


def apo_zero_loss(
    policy_chosen_logps: torch.Tensor,
    policy_rejected_logps: torch.Tensor,
    ref_chosen_logps: torch.Tensor,
    ref_rejected_logps: torch.Tensor,
    beta: float = 0.1,
) -> PreferenceLoss:
    r"""APO-zero: raise the chosen likelihood and lower the rejected one, each against zero.

    $$
    \mathcal{L}_{\mathrm{APO\text{-}zero}} = 1 - \sigma(\beta \Delta_w) + \sigma(\beta \Delta_l)
    $$

    For data whose chosen answers are better than what the model produces now. Each side is
    pushed on its own (anchored at reward 0), so the chosen likelihood cannot fall while the
    margin grows. TRL 1.16: `DPOConfig(loss_type="apo_zero")`; the unpaired form is
    `KTOConfig(loss_type="apo_zero_unpaired")` (`rlref.algos.preference.kto_loss` with
    `reference_point=0`).

    Source: *Anchored Preference Optimization and Contrastive Revisions*, arXiv:2408.06266.

    Note: [[AI/LLM/RL/DPO/DPO 损失变体]]

    Args:
        policy_chosen_logps: $\log\pi_\theta(y_w \mid x)$, shape `(B,)`.
        policy_rejected_logps: $\log\pi_\theta(y_l \mid x)$, shape `(B,)`.
        ref_chosen_logps: $\log\pi_{\mathrm{ref}}(y_w \mid x)$, shape `(B,)`.
        ref_rejected_logps: $\log\pi_{\mathrm{ref}}(y_l \mid x)$, shape `(B,)`.
        beta: $\beta$.

    Returns:
        `PreferenceLoss(loss, chosen_rewards, rejected_rewards)`; rewards $\beta\Delta$.
    """
    chosen, rejected = _rewards(
        beta, policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps
    )
    # 1 − σ(βΔ_w) + σ(βΔ_l)
    losses = 1 - torch.sigmoid(chosen) + torch.sigmoid(rejected)
    return _result(losses, chosen, rejected)


def apo_down_loss(
    policy_chosen_logps: torch.Tensor,
    policy_rejected_logps: torch.Tensor,
    ref_chosen_logps: torch.Tensor,
    ref_rejected_logps: torch.Tensor,
    beta: float = 0.1,
) -> PreferenceLoss:
    r"""APO-down: lower both likelihoods, the rejected one more.

    $$
    \mathcal{L}_{\mathrm{APO\text{-}down}} = \sigma(\beta \Delta_w) + 1
    - \sigma\left(\beta (\Delta_w - \Delta_l)\right)
    $$

    For data whose chosen answers are still worse than the model's own: the first term pulls the
    chosen reward down, the second keeps the chosen above the rejected. TRL 1.16:
    `DPOConfig(loss_type="apo_down")`.

    Source: *Anchored Preference Optimization and Contrastive Revisions*, arXiv:2408.06266.

    Note: [[AI/LLM/RL/DPO/DPO 损失变体]]

    Args:
        policy_chosen_logps: $\log\pi_\theta(y_w \mid x)$, shape `(B,)`.
        policy_rejected_logps: $\log\pi_\theta(y_l \mid x)$, shape `(B,)`.
        ref_chosen_logps: $\log\pi_{\mathrm{ref}}(y_w \mid x)$, shape `(B,)`.
        ref_rejected_logps: $\log\pi_{\mathrm{ref}}(y_l \mid x)$, shape `(B,)`.
        beta: $\beta$.

    Returns:
        `PreferenceLoss(loss, chosen_rewards, rejected_rewards)`; rewards $\beta\Delta$.
    """
    chosen, rejected = _rewards(
        beta, policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps
    )
    # σ(βΔ_w) + 1 − σ(β(Δ_w − Δ_l))
    losses = torch.sigmoid(chosen) + 1 - torch.sigmoid(chosen - rejected)
    return _result(losses, chosen, rejected)


def aot_loss(
    policy_chosen_logps: torch.Tensor,
    policy_rejected_logps: torch.Tensor,
    ref_chosen_logps: torch.Tensor,
    ref_rejected_logps: torch.Tensor,
    beta: float = 0.1,
    label_smoothing: float = 0.0,
    paired: bool = True,
) -> PreferenceLoss:
    r"""AOT: DPO's logistic loss on sorted quantities (distributional alignment via transport).

    Sort two batch quantities $a$ and $b$ ascending, $a_{(1)} \le \dots \le a_{(B)}$, and pair
    them by rank:

    $$
    \mathcal{L}_{\mathrm{AOT}} = \frac{1}{B}\sum_{k=1}^{B}\left(-(1 - \varepsilon)\log\sigma\left(
    \beta (a_{(k)} - b_{(k)})\right) - \varepsilon\log\sigma\left(-\beta (a_{(k)} - b_{(k)})
    \right)\right)
    $$

    * paired (`paired=True`, TRL `loss_type="aot"`): $a$ is the policy's margin
      $\log\pi_\theta(y_w \mid x) - \log\pi_\theta(y_l \mid x)$, $b$ the reference's;
    * unpaired (`paired=False`, TRL `loss_type="aot_unpaired"`): $a = \Delta_w$,
      $b = \Delta_l$ — chosen and rejected need not come from the same prompt.

    Matching ranks makes the loss ask that the distribution of $a$ dominate that of $b$
    (first-order stochastic dominance), an optimal-transport view of alignment. The rewards
    returned are the unsorted $\beta\Delta$. TRL 1.16 sorts along the batch of one process.

    Source: *Distributional Preference Alignment of LLMs via Optimal Transport*,
    arXiv:2406.05882.

    Note: [[AI/LLM/RL/DPO/DPO 损失变体]]

    Args:
        policy_chosen_logps: $\log\pi_\theta(y_w \mid x)$, shape `(B,)`.
        policy_rejected_logps: $\log\pi_\theta(y_l \mid x)$, shape `(B,)`.
        ref_chosen_logps: $\log\pi_{\mathrm{ref}}(y_w \mid x)$, shape `(B,)`.
        ref_rejected_logps: $\log\pi_{\mathrm{ref}}(y_l \mid x)$, shape `(B,)`.
        beta: $\beta$.
        label_smoothing: $\varepsilon$ (TRL's `label_smoothing`).
        paired: Paired AOT (margins) rather than unpaired AOT (log-ratios).

    Returns:
        `PreferenceLoss(loss, chosen_rewards, rejected_rewards)`; rewards $\beta\Delta$.
    """
    chosen, rejected = _rewards(
        beta, policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps
    )
    if paired:
        a = policy_chosen_logps - policy_rejected_logps  # the policy's margin
        b = ref_chosen_logps - ref_rejected_logps  # the reference's margin
    else:
        a = policy_chosen_logps - ref_chosen_logps  # Δ_w
        b = policy_rejected_logps - ref_rejected_logps  # Δ_l
    # a_(k) − b_(k): ascending order statistics matched by rank
    gap = torch.sort(a, dim=0).values - torch.sort(b, dim=0).values
    eps = label_smoothing
    # −(1 − ε) log σ(β(a_(k) − b_(k))) − ε log σ(−β(a_(k) − b_(k)))
    losses = -(1 - eps) * F.logsigmoid(beta * gap) - eps * F.logsigmoid(-beta * gap)
    return _result(losses, chosen, rejected)


def discopop_loss(
    policy_chosen_logps: torch.Tensor,
    policy_rejected_logps: torch.Tensor,
    ref_chosen_logps: torch.Tensor,
    ref_rejected_logps: torch.Tensor,
    beta: float = 0.1,
    tau: float = 0.05,
) -> PreferenceLoss:
    r"""DiscoPOP (log-ratio modulated loss): a blend of the logistic and the exponential loss.

    $$
    \mathcal{L}_{\mathrm{DiscoPOP}} = \left(1 - \sigma\left(\frac{\beta (\Delta_w - \Delta_l)}{\tau}
    \right)\right) \left(-\log\sigma\left(\beta (\Delta_w - \Delta_l)\right)\right)
    + \sigma\left(\frac{\beta (\Delta_w - \Delta_l)}{\tau}\right) \exp\left(-\beta (\Delta_w -
    \Delta_l)\right)
    $$

    The mixing weight $\sigma(\beta(\Delta_w - \Delta_l)/\tau)$ is near 0 on badly ranked pairs
    (logistic loss, DPO) and near 1 on well ranked ones (exponential loss, which keeps decaying);
    $\tau$ sets how sharp the switch is. The loss was found by an LLM-driven search over
    objective functions. TRL 1.16: `DPOConfig(loss_type="discopop", discopop_tau=τ)` (default
    0.05, the paper's value).

    Source: *Discovering Preference Optimization Algorithms with and for Large Language Models*,
    arXiv:2406.08414.

    Note: [[AI/LLM/RL/DPO/DPO 损失变体]]

    Args:
        policy_chosen_logps: $\log\pi_\theta(y_w \mid x)$, shape `(B,)`.
        policy_rejected_logps: $\log\pi_\theta(y_l \mid x)$, shape `(B,)`.
        ref_chosen_logps: $\log\pi_{\mathrm{ref}}(y_w \mid x)$, shape `(B,)`.
        ref_rejected_logps: $\log\pi_{\mathrm{ref}}(y_l \mid x)$, shape `(B,)`.
        beta: $\beta$.
        tau: $\tau$, the temperature of the mixing weight.

    Returns:
        `PreferenceLoss(loss, chosen_rewards, rejected_rewards)`; rewards $\beta\Delta$.
    """
    chosen, rejected = _rewards(
        beta, policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps
    )
    logits = chosen - rejected  # β(Δ_w − Δ_l)
    mix = torch.sigmoid(logits / tau)  # σ(β(Δ_w − Δ_l)/τ)
    # (1 − mix)(−log σ(β(Δ_w − Δ_l))) + mix · exp(−β(Δ_w − Δ_l))
    losses = (1 - mix) * -F.logsigmoid(logits) + mix * torch.exp(-logits)
    return _result(losses, chosen, rejected)

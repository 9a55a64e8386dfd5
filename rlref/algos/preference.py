r"""Preference losses: the Bradley-Terry reward model and the offline preference optimisers.

Inputs are per-sequence log-probs, shape `(B,)`: the sum of the completion's token log-probs
($\log\pi(y \mid x)$, see `rlref.algos.lm.sequence_logprobs`) unless a function says it wants the
length-normalised mean. Each loss returns the batch-mean loss together with the per-example
implicit rewards that trainers log (detached: they are statistics, not part of the graph).

Notation: $y_w$ / $y_l$ are the chosen (winning) / rejected (losing) completions,
$\sigma$ is the logistic function, and the DPO-family log-ratio margin is
$h = \big(\log\pi_\theta(y_w \mid x) - \log\pi_{\mathrm{ref}}(y_w \mid x)\big)
- \big(\log\pi_\theta(y_l \mid x) - \log\pi_{\mathrm{ref}}(y_l \mid x)\big)$.

The display formulas are the checked formulas of the notes. Where a note writes the loss of
one example (one preference pair, or one completion for KTO), the function returns its batch
mean.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
import torch.nn.functional as F

__all__ = [
    "KTOLoss",
    "ORPOLoss",
    "PreferenceLoss",
    "bradley_terry_loss",
    "dpo_loss",
    "hinge_loss",
    "ipo_loss",
    "kto_loss",
    "kto_reference_point",
    "orpo_loss",
    "simpo_loss",
]


class PreferenceLoss(NamedTuple):
    """Batch-mean loss and the per-example rewards of the chosen and rejected completions."""

    loss: torch.Tensor
    chosen_rewards: torch.Tensor
    rejected_rewards: torch.Tensor


class ORPOLoss(NamedTuple):
    """ORPO's loss, its two parts, and the logged rewards (λ times the mean log-probs)."""

    loss: torch.Tensor
    nll_loss: torch.Tensor
    log_odds_ratio: torch.Tensor
    chosen_rewards: torch.Tensor
    rejected_rewards: torch.Tensor


class KTOLoss(NamedTuple):
    """KTO's loss and the implicit rewards of the desirable and undesirable examples."""

    loss: torch.Tensor
    chosen_rewards: torch.Tensor
    rejected_rewards: torch.Tensor


def _stats(*tensors: torch.Tensor) -> tuple[torch.Tensor, ...]:
    return tuple(t.detach() for t in tensors)


def bradley_terry_loss(
    chosen_scores: torch.Tensor,
    rejected_scores: torch.Tensor,
    margin: torch.Tensor | float | None = None,
) -> PreferenceLoss:
    r"""Reward-model loss: negative log-likelihood of the preferences under Bradley-Terry.

    With the scores $r_w = r_\phi(x, y_w)$ and $r_l = r_\phi(x, y_l)$ of the reward model,

    $$
    P(y_w \succ y_l \mid x) = \sigma(r_w - r_l)
    $$

    and the loss over $N$ pairs, the $i$-th with scores $r^w_i$, $r^l_i$ and margin $m_i$, is

    $$
    \mathcal{L}_{\mathrm{BT}} = -\frac{1}{N}\sum_{i=1}^{N} \log \sigma\left(r^{w}_i - r^{l}_i
    - m_i\right)
    $$

    The optional margin $m_i \geq 0$ (Llama 2) asks for a larger score gap on pairs rated as
    clearly different. TRL: `RewardTrainer` (a `"margin"` column in the dataset);
    verl has no reward-model trainer of this kind.

    Sources: R. A. Bradley & M. E. Terry, *Rank Analysis of Incomplete Block Designs*,
    Biometrika (1952); *Training language models to follow instructions with human feedback*,
    arXiv:2203.02155; *Llama 2: Open Foundation and Fine-Tuned Chat Models*, arXiv:2307.09288
    (margin).

    Note: [[AI/LLM/RL/Fundamentals/Bradley-Terry 奖励模型]]

    Args:
        chosen_scores: $r_\phi(x, y_w)$, shape `(B,)`.
        rejected_scores: $r_\phi(x, y_l)$, shape `(B,)`.
        margin: $m_i$, a float or shape `(B,)`; `None` means 0.

    Returns:
        `PreferenceLoss(loss, chosen_rewards, rejected_rewards)`; the rewards are the scores.
    """
    gap = chosen_scores - rejected_scores
    if margin is not None:
        gap = gap - margin
    # −log σ(r_w − r_l − m)
    loss = -F.logsigmoid(gap).mean()
    return PreferenceLoss(loss, *_stats(chosen_scores, rejected_scores))


def _implicit_rewards(
    beta: float,
    policy_chosen_logps: torch.Tensor,
    policy_rejected_logps: torch.Tensor,
    ref_chosen_logps: torch.Tensor,
    ref_rejected_logps: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    # r̂(x, y) = β log(π_θ(y|x) / π_ref(y|x))
    chosen = beta * (policy_chosen_logps - ref_chosen_logps)
    rejected = beta * (policy_rejected_logps - ref_rejected_logps)
    return chosen, rejected


def dpo_loss(
    policy_chosen_logps: torch.Tensor,
    policy_rejected_logps: torch.Tensor,
    ref_chosen_logps: torch.Tensor,
    ref_rejected_logps: torch.Tensor,
    beta: float = 0.1,
    label_smoothing: float = 0.0,
    robust: bool = False,
) -> PreferenceLoss:
    r"""Direct Preference Optimization (sigmoid loss), with optional label smoothing.

    Per preference pair,

    $$
    \mathcal{L}_{\mathrm{DPO}} = -\log \sigma\left(\beta \left(\left(\log \pi_\theta(y_w \mid x)
    - \log \pi_{\mathrm{ref}}(y_w \mid x)\right) - \left(\log \pi_\theta(y_l \mid x)
    - \log \pi_{\mathrm{ref}}(y_l \mid x)\right)\right)\right)
    $$

    that is $-\log\sigma(\beta h)$; the returned `loss` is its batch mean. The implicit reward
    of a completion, returned for each side, is

    $$
    \hat{r}_\theta(x, y) = \beta \left(\log \pi_\theta(y \mid x) - \log \pi_{\mathrm{ref}}(y \mid
    x)\right)
    $$

    so $\beta h = \hat r_\theta(x, y_w) - \hat r_\theta(x, y_l)$. With `label_smoothing`
    $\varepsilon > 0$ the label is assumed flipped with probability $\varepsilon$:

    * conservative DPO (cDPO, `robust=False`):
      $\ \mathcal{L} = -(1-\varepsilon)\log\sigma(\beta h) - \varepsilon\log\sigma(-\beta h)$;
    * robust DPO (rDPO, `robust=True`), the unbiased correction:
      $\ \mathcal{L} = \big[-(1-\varepsilon)\log\sigma(\beta h)
      + \varepsilon\log\sigma(-\beta h)\big] / (1 - 2\varepsilon)$.

    With $\pi_\theta = \pi_{\text{ref}}$ (so $h = 0$) the loss is $\log 2$ for every
    $\varepsilon$. TRL 1.16: `DPOConfig(loss_type="sigmoid", beta=β)`; rDPO is
    `loss_type="robust"` with `label_smoothing=ε` (1.16's `"sigmoid"` no longer reads
    `label_smoothing`, so cDPO has no TRL 1.16 option). verl has no DPO trainer.

    Sources: *Direct Preference Optimization: Your Language Model is Secretly a Reward Model*,
    arXiv:2305.18290; E. Mitchell, *A note on DPO with noisy preferences & relationship to
    IPO* (2023, cDPO); *Provably Robust DPO: Aligning Language Models with Noisy Feedback*,
    arXiv:2403.00409 (rDPO).

    Note: [[AI/LLM/RL/DPO/DPO 原理]]

    Args:
        policy_chosen_logps: $\log\pi_\theta(y_w \mid x)$, shape `(B,)`.
        policy_rejected_logps: $\log\pi_\theta(y_l \mid x)$, shape `(B,)`.
        ref_chosen_logps: $\log\pi_{\text{ref}}(y_w \mid x)$, shape `(B,)`.
        ref_rejected_logps: $\log\pi_{\text{ref}}(y_l \mid x)$, shape `(B,)`.
        beta: $\beta$ (TRL default 0.1).
        label_smoothing: $\varepsilon \in [0, 0.5)$.
        robust: rDPO instead of cDPO when $\varepsilon > 0$.

    Returns:
        `PreferenceLoss(loss, chosen_rewards, rejected_rewards)` with $\hat r_\theta$ of each
        side.
    """
    chosen, rejected = _implicit_rewards(
        beta, policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps
    )
    logits = chosen - rejected  # β h
    eps = label_smoothing
    if robust:
        # [−(1−ε) log σ(βh) + ε log σ(−βh)] / (1 − 2ε)
        losses = (-(1 - eps) * F.logsigmoid(logits) + eps * F.logsigmoid(-logits)) / (1 - 2 * eps)
    else:
        # −(1−ε) log σ(βh) − ε log σ(−βh)
        losses = -(1 - eps) * F.logsigmoid(logits) - eps * F.logsigmoid(-logits)
    return PreferenceLoss(losses.mean(), *_stats(chosen, rejected))


def ipo_loss(
    policy_chosen_logps: torch.Tensor,
    policy_rejected_logps: torch.Tensor,
    ref_chosen_logps: torch.Tensor,
    ref_rejected_logps: torch.Tensor,
    beta: float = 0.1,
) -> PreferenceLoss:
    r"""Identity Preference Optimisation: regress the log-ratio margin onto $1/(2\tau)$.

    Per preference pair,

    $$
    \mathcal{L}_{\mathrm{IPO}} = \left(\left(\log \pi_\theta(y_w \mid x)
    - \log \pi_{\mathrm{ref}}(y_w \mid x)\right) - \left(\log \pi_\theta(y_l \mid x)
    - \log \pi_{\mathrm{ref}}(y_l \mid x)\right) - \frac{1}{2 \tau}\right)^{2}
    $$

    that is $(h - \frac{1}{2\tau})^2$, with $\tau$ passed as `beta`; the returned `loss` is its
    batch mean. A squared loss keeps the margin finite even on deterministic preferences, where
    DPO's sigmoid pushes it to infinity. TRL 1.16: `DPOConfig(loss_type="ipo", beta=τ)`; TRL divides
    each log-ratio by its completion's token count first — pass length-averaged log-probs
    (`sequence_logprobs(..., average=True)`) to reproduce it.

    Source: *A General Theoretical Paradigm to Understand Learning from Human Preferences*,
    arXiv:2310.12036.

    Note: [[AI/LLM/RL/DPO/DPO 原理]]

    Args:
        policy_chosen_logps: $\log\pi_\theta(y_w \mid x)$, shape `(B,)`.
        policy_rejected_logps: $\log\pi_\theta(y_l \mid x)$, shape `(B,)`.
        ref_chosen_logps: $\log\pi_{\text{ref}}(y_w \mid x)$, shape `(B,)`.
        ref_rejected_logps: $\log\pi_{\text{ref}}(y_l \mid x)$, shape `(B,)`.
        beta: $\tau$, the regularisation strength.

    Returns:
        `PreferenceLoss(loss, chosen_rewards, rejected_rewards)` with $\beta$ times each log-ratio.
    """
    chosen, rejected = _implicit_rewards(
        beta, policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps
    )
    margin = (policy_chosen_logps - ref_chosen_logps) - (policy_rejected_logps - ref_rejected_logps)
    # (h − 1/(2τ))²
    losses = (margin - 1 / (2 * beta)) ** 2
    return PreferenceLoss(losses.mean(), *_stats(chosen, rejected))


def hinge_loss(
    policy_chosen_logps: torch.Tensor,
    policy_rejected_logps: torch.Tensor,
    ref_chosen_logps: torch.Tensor,
    ref_rejected_logps: torch.Tensor,
    beta: float = 0.1,
) -> PreferenceLoss:
    r"""Hinge (SLiC-style) preference loss on the log-ratio margin.

    Per preference pair,

    $$
    \mathcal{L}_{\mathrm{hinge}} = \max\left(0, 1 - \beta \left(\left(\log \pi_\theta(y_w \mid x)
    - \log \pi_{\mathrm{ref}}(y_w \mid x)\right) - \left(\log \pi_\theta(y_l \mid x)
    - \log \pi_{\mathrm{ref}}(y_l \mid x)\right)\right)\right)
    $$

    that is $\max(0, 1 - \beta h) = \beta\max(0, \delta - h)$ with the margin $\delta = 1/\beta$;
    the returned `loss` is its batch mean. SLiC-HF's calibration loss is
    $\max(0, \delta - \log\pi_\theta(y_w \mid x) + \log\pi_\theta(y_l \mid x))$ on raw
    log-probs; RSO's hinge-norm loss, which TRL implements, uses the log-ratios against the
    reference instead, as here. Zero loss once $h \geq 1/\beta$.
    TRL 1.16: `DPOConfig(loss_type="hinge", beta=β)`.

    Sources: *SLiC-HF: Sequence Likelihood Calibration with Human Feedback*, arXiv:2305.10425;
    *Statistical Rejection Sampling Improves Preference Optimization* (RSO), arXiv:2309.06657.

    Note: [[AI/LLM/RL/DPO/DPO 原理]]

    Args:
        policy_chosen_logps: $\log\pi_\theta(y_w \mid x)$, shape `(B,)`.
        policy_rejected_logps: $\log\pi_\theta(y_l \mid x)$, shape `(B,)`.
        ref_chosen_logps: $\log\pi_{\text{ref}}(y_w \mid x)$, shape `(B,)`.
        ref_rejected_logps: $\log\pi_{\text{ref}}(y_l \mid x)$, shape `(B,)`.
        beta: $\beta = 1/\delta$.

    Returns:
        `PreferenceLoss(loss, chosen_rewards, rejected_rewards)`.
    """
    chosen, rejected = _implicit_rewards(
        beta, policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps
    )
    # max(0, 1 − βh)
    losses = torch.relu(1 - (chosen - rejected))
    return PreferenceLoss(losses.mean(), *_stats(chosen, rejected))


def simpo_loss(
    policy_chosen_logps: torch.Tensor,
    policy_rejected_logps: torch.Tensor,
    chosen_lengths: torch.Tensor,
    rejected_lengths: torch.Tensor,
    beta: float,
    gamma: float,
) -> PreferenceLoss:
    r"""SimPO: reference-free, length-normalised reward with a target margin $\gamma$.

    The reward of a completion, returned for each side, is

    $$
    r_{\mathrm{SimPO}}(x, y) = \frac{\beta}{|y|} \log \pi_\theta(y \mid x)
    $$

    and the loss of a preference pair

    $$
    \mathcal{L}_{\mathrm{SimPO}} = -\log \sigma\left(\frac{\beta}{|y_w|} \log \pi_\theta(y_w \mid x)
    - \frac{\beta}{|y_l|} \log \pi_\theta(y_l \mid x) - \gamma\right)
    $$

    that is $-\log\sigma\big(r_{\mathrm{SimPO}}(x, y_w) - r_{\mathrm{SimPO}}(x, y_l) - \gamma\big)$;
    the returned `loss` is its batch mean. No reference model: the reward is the policy's
    average token log-prob, which is also what generation ranks by. TRL 1.16:
    `trl.experimental.cpo.CPOConfig(loss_type="simpo", cpo_alpha=0.0, beta=β, simpo_gamma=γ)`
    (with `cpo_alpha > 0` an NLL term is added: CPO-SimPO).

    Source: *SimPO: Simple Preference Optimization with a Reference-Free Reward*,
    arXiv:2405.14734.

    Note: [[AI/LLM/RL/DPO/SimPO 与 ORPO]]

    Args:
        policy_chosen_logps: Summed $\log\pi_\theta(y_w \mid x)$, shape `(B,)`.
        policy_rejected_logps: Summed $\log\pi_\theta(y_l \mid x)$, shape `(B,)`.
        chosen_lengths: $|y_w|$ in tokens, shape `(B,)`.
        rejected_lengths: $|y_l|$ in tokens, shape `(B,)`.
        beta: $\beta$.
        gamma: Target reward margin $\gamma$ (TRL's `simpo_gamma`, default 0.5).

    Returns:
        `PreferenceLoss(loss, chosen_rewards, rejected_rewards)` with $r_{\mathrm{SimPO}}$ of
        each side.
    """
    # r̂ = (β / |y|) log π_θ(y|x)
    chosen = beta * policy_chosen_logps / chosen_lengths.to(policy_chosen_logps.dtype)
    rejected = beta * policy_rejected_logps / rejected_lengths.to(policy_rejected_logps.dtype)
    # −log σ(r̂_w − r̂_l − γ)
    losses = -F.logsigmoid(chosen - rejected - gamma)
    return PreferenceLoss(losses.mean(), *_stats(chosen, rejected))


def _log1mexp(x: torch.Tensor) -> torch.Tensor:
    """log(1 − eˣ) for x ≤ 0, accurate on both sides of −log 2."""
    below = x < -math.log(2.0)
    return torch.where(below, torch.log1p(-torch.exp(x)), torch.log(-torch.expm1(x)))


def orpo_loss(
    policy_chosen_avg_logps: torch.Tensor,
    policy_rejected_avg_logps: torch.Tensor,
    lam: float = 0.1,
    *,
    nll_token_logps: torch.Tensor | None = None,
    nll_mask: torch.Tensor | None = None,
) -> ORPOLoss:
    r"""ORPO: supervised NLL on the chosen answer plus a log-odds-ratio preference term.

    With the length-normalised likelihood

    $$
    P_\theta(y \mid x) = \exp\left(\frac{1}{|y|} \log \pi_\theta(y \mid x)\right)
    $$

    and its odds

    $$
    \mathrm{odds}_\theta(y \mid x) = \frac{P_\theta(y \mid x)}{1 - P_\theta(y \mid x)}
    $$

    the loss of a preference pair is

    $$
    \mathcal{L}_{\mathrm{ORPO}} = -\log P_\theta(y_w \mid x) - \lambda \log \sigma\left(\log
    \frac{P_\theta(y_w \mid x)}{1 - P_\theta(y_w \mid x)} - \log \frac{P_\theta(y_l \mid x)}{1
    - P_\theta(y_l \mid x)}\right)
    $$

    the SFT term

    $$
    \mathcal{L}_{\mathrm{SFT}} = -\log P_\theta(y_w \mid x)
    $$

    (that is $-\frac{1}{|y_w|}\log\pi_\theta(y_w \mid x)$) plus $\lambda$ times the odds-ratio
    term $-\log\sigma\big(\log\frac{\mathrm{odds}_\theta(y_w \mid x)}{\mathrm{odds}_\theta(y_l
    \mid x)}\big)$. The returned `loss` is the batch mean of both terms.

    No reference model and no separate SFT stage. Two conventions for $\mathcal{L}_{\text{SFT}}$:

    * default (the formulas above): the NLL of the chosen *completion*, length-normalised per
      example and averaged over the batch — computed from `policy_chosen_avg_logps`;
    * TRL 1.16 (`trl.experimental.orpo.ORPOConfig(beta=λ)`): ONE token mean of the NLL over
      every attended token of the chosen rows, *prompt and completion* together, pooled over
      the batch, $\mathcal{L}_{\text{SFT}} = -\sum_{i,t} m_{i,t}\log\pi_\theta(x_{i,t} \mid
      x_{i,<t}) / \sum_{i,t} m_{i,t}$ (`ORPOTrainer.concatenated_forward`). Pass those token
      log-probs as `nll_token_logps` and their mask as `nll_mask` (for a causal LM:
      `token_logprobs(logits[:, :-1], input_ids[:, 1:])` and `attention_mask[:, 1:]` of the
      chosen rows) to get TRL's loss; the odds-ratio term is the same in both.

    The two differ even when every completion has the same length: TRL's mean also covers the
    prompt tokens, so loss and gradient differ (the gradient then reaches the prompt's
    positions). TRL is an explicit option rather than the default because it needs token-level
    inputs the per-sequence arguments do not carry, and the default keeps the paper's
    $\mathcal{L}_{\text{SFT}}$ on $y_w$. TRL computes the odds-ratio term in float32
    (`.float()`); this function keeps the input dtype.

    Source: *ORPO: Monolithic Preference Optimization without Reference Model*,
    arXiv:2403.07691; TRL 1.16 `trl/experimental/orpo/orpo_trainer.py`.

    Note: [[AI/LLM/RL/DPO/SimPO 与 ORPO]]

    Args:
        policy_chosen_avg_logps: $\frac{1}{|y_w|}\log\pi_\theta(y_w \mid x)$, shape `(B,)`.
        policy_rejected_avg_logps: $\frac{1}{|y_l|}\log\pi_\theta(y_l \mid x)$, shape `(B,)`.
        lam: $\lambda$, the weight of the odds-ratio term (TRL's `beta`).
        nll_token_logps: Per-token log-probs the NLL term averages, shape `(B, T)`; with
            `nll_mask`, $\mathcal{L}_{\text{SFT}}$ is their one masked token mean (TRL's
            convention). `None` (default): the per-example completion mean.
        nll_mask: Mask of `nll_token_logps`, shape `(B, T)`; 1 = a token the NLL covers.

    Returns:
        `ORPOLoss(loss, nll_loss, log_odds_ratio, chosen_rewards, rejected_rewards)`;
        `log_odds_ratio` is the batch mean, the rewards are $\lambda$ times the mean log-probs.
    """
    chosen, rejected = policy_chosen_avg_logps, policy_rejected_avg_logps
    # log odds(y) = log P − log(1 − P), with log P = mean token log-prob
    log_odds = (chosen - rejected) - (_log1mexp(chosen) - _log1mexp(rejected))
    if nll_token_logps is None:
        if nll_mask is not None:
            raise ValueError("nll_mask needs nll_token_logps")
        nll = -chosen.mean()  # L_SFT: per-example completion means, averaged
    else:
        if nll_mask is None:
            raise ValueError("nll_token_logps needs nll_mask")
        real = nll_mask.bool()
        token_sum = torch.where(real, nll_token_logps, nll_token_logps.new_zeros(())).sum()
        # L_SFT = −Σ m log π / Σ m: one token mean over the batch (TRL)
        nll = -token_sum / real.sum().clamp(min=1).to(nll_token_logps.dtype)
    # L = L_SFT − λ log σ(log odds ratio)
    loss = nll - lam * F.logsigmoid(log_odds).mean()
    chosen_rewards, rejected_rewards = _stats(lam * chosen, lam * rejected)
    return ORPOLoss(loss, nll, log_odds.mean().detach(), chosen_rewards, rejected_rewards)


def kto_reference_point(
    policy_kl_logps: torch.Tensor, ref_kl_logps: torch.Tensor
) -> torch.Tensor:
    r"""KTO's reference point $z_0$: a batch estimate of the KL to the reference.

    $$
    z_0 = \max\left(0, \frac{1}{m} \sum_{j=1}^{m} \left(\log \pi_\theta(y'_j \mid x_j) - \log
    \pi_{\mathrm{ref}}(y'_j \mid x_j)\right)\right)
    $$

    computed on *mismatched* pairs $(x_j, y'_j)$ (a completion paired with another example's
    prompt), clamped at 0 and carrying no gradient. TRL: `KTOTrainer` builds these pairs itself.

    Source: *KTO: Model Alignment as Prospect Theoretic Optimization*, arXiv:2402.01306.

    Note: [[AI/LLM/RL/KTO/KTO 原理]]

    Args:
        policy_kl_logps: $\log\pi_\theta(y'_j \mid x_j)$ of mismatched pairs, shape `(m,)`.
        ref_kl_logps: $\log\pi_{\text{ref}}(y'_j \mid x_j)$, shape `(m,)`.

    Returns:
        Scalar $z_0 \geq 0$ (detached).
    """
    return (policy_kl_logps - ref_kl_logps).mean().clamp(min=0).detach()


def kto_loss(
    policy_logps: torch.Tensor,
    ref_logps: torch.Tensor,
    desirable: torch.Tensor,
    reference_point: torch.Tensor | float,
    beta: float = 0.1,
    desirable_weight: float = 1.0,
    undesirable_weight: float = 1.0,
) -> KTOLoss:
    r"""Kahneman-Tversky Optimisation: unpaired good/bad examples judged against a reference point.

    With the implicit reward

    $$
    r_\theta(x, y) = \log \pi_\theta(y \mid x) - \log \pi_{\mathrm{ref}}(y \mid x)
    $$

    and the reference point $z_0$ (see `kto_reference_point`), the value of a desirable and of
    an undesirable example is

    $$
    v_D(x, y) = \lambda_D \, \sigma\left(\beta \left(r_\theta(x, y) - z_0\right)\right)
    $$

    $$
    v_U(x, y) = \lambda_U \, \sigma\left(\beta \left(z_0 - r_\theta(x, y)\right)\right)
    $$

    The paper's loss is $\mathcal{L}_{\text{KTO}} = \mathbb{E}_{x,y}\big[\lambda_y - v(x, y)\big]$
    with $\lambda_y$ and $v$ those of the example's kind, so a desirable example contributes

    $$
    \mathcal{L}_D = \lambda_D \left(1 - \sigma\left(\beta \left(\log \pi_\theta(y \mid x) - \log
    \pi_{\mathrm{ref}}(y \mid x) - z_0\right)\right)\right)
    $$

    and an undesirable one

    $$
    \mathcal{L}_U = \lambda_U \left(1 - \sigma\left(\beta \left(z_0 - \log \pi_\theta(y \mid x)
    + \log \pi_{\mathrm{ref}}(y \mid x)\right)\right)\right)
    $$

    The returned `loss` is the mean of these over all $B$ examples of the batch. TRL 1.16:
    `KTOConfig(beta=β, desirable_weight=λ_D, undesirable_weight=λ_U)` (`loss_type="kto"`,
    $z_0$ from `kto_reference_point` on its mismatched pairs);
    `KTOConfig(loss_type="apo_zero_unpaired")` (unpaired APO-zero) is this function with
    `reference_point=0`: $1 - \sigma(\beta r)$ for desirable, $\sigma(\beta r)$ for undesirable
    examples.

    Source: *KTO: Model Alignment as Prospect Theoretic Optimization*, arXiv:2402.01306.

    Note: [[AI/LLM/RL/KTO/KTO 原理]]

    Args:
        policy_logps: $\log\pi_\theta(y \mid x)$, shape `(B,)`.
        ref_logps: $\log\pi_{\text{ref}}(y \mid x)$, shape `(B,)`.
        desirable: Shape `(B,)`, true for desirable examples.
        reference_point: $z_0$ (scalar).
        beta: $\beta$.
        desirable_weight: $\lambda_D$.
        undesirable_weight: $\lambda_U$.

    Returns:
        `KTOLoss(loss, chosen_rewards, rejected_rewards)`: the mean over all examples, and
        $\beta\,r_\theta$ of the desirable and of the undesirable examples.
    """
    log_ratio = policy_logps - ref_logps  # r_θ(x, y)
    good = desirable.bool()
    # λ_D (1 − σ(β(r − z0))) for desirable, λ_U (1 − σ(β(z0 − r))) for undesirable
    desirable_losses = desirable_weight * (1 - torch.sigmoid(beta * (log_ratio - reference_point)))
    undesirable_losses = undesirable_weight * (
        1 - torch.sigmoid(beta * (reference_point - log_ratio))
    )
    losses = torch.where(good, desirable_losses, undesirable_losses)
    rewards = beta * log_ratio
    return KTOLoss(losses.mean(), *_stats(rewards[good], rewards[~good]))

r"""GRPO options of TRL 1.16 `GRPOConfig` around the loss: the high-entropy token mask
(`top_entropy_quantile`), GDPO's per-reward normalisation of several reward functions
(`multi_objective_aggregation="normalize_then_sum"`) and the adaptive entropy bonus
(`use_adaptive_entropy`).

The mask multiplies the policy-gradient term of each token; passing
`advantages[:, None] * mask` to `rlref.algos.policy_loss.grpo_loss` gives exactly that, because
a 0/1 (indeed any non-negative) factor $e_{i,t}$ moves inside the minimum of the clipped
surrogate:

$$
e_{i,t} \min\left(r_{i,t}\hat{A}_i, \mathrm{clip}(r_{i,t}, 1 - \epsilon, 1 + \epsilon)
\hat{A}_i\right) = \min\left(r_{i,t} e_{i,t}\hat{A}_i, \mathrm{clip}(r_{i,t}, 1 - \epsilon,
1 + \epsilon) e_{i,t}\hat{A}_i\right)
$$
"""

from __future__ import annotations

from typing import NamedTuple

import torch

from rlref.algos.policy_loss import entropy_bonus

__all__ = [
    "GDPOAdvantages",
    "adaptive_entropy_bonus",
    "adaptive_entropy_coef",
    "gdpo_advantages",
    "high_entropy_mask",
]


def high_entropy_mask(
    entropies: torch.Tensor, mask: torch.Tensor, top_quantile: float
) -> torch.Tensor:
    r"""The tokens whose entropy is in the top fraction $\rho$ of the batch's real tokens.

    $$
    e_{i,t} = m_{i,t} \, \mathbb{1}\left[H_{i,t} \ge \tau_\rho\right]
    $$

    where $H_{i,t}$ is the entropy of the policy's next-token law at token $t$ of completion
    $i$ and $\tau_\rho$ is the $(1 - \rho)$-quantile of $\{H_{i,t} : m_{i,t} = 1\}$ over the
    whole batch (linear interpolation between order statistics, as `torch.quantile`). The
    policy gradient is then kept only where $e_{i,t} = 1$ — the "forking" tokens where the
    model is unsure; the KL term and the normaliser of the loss still cover every real token.
    TRL 1.16: `GRPOConfig(top_entropy_quantile=ρ)` (default 1.0, off; the paper's value 0.2),
    which gathers the entropies of all processes and computes $\tau_\rho$ in float32 (a token
    at the threshold itself can then fall either side); this function keeps the input dtype.

    Source: *Beyond the 80/20 Rule: High-Entropy Minority Tokens Drive Effective Reinforcement
    Learning for LLM Reasoning*, arXiv:2506.01939; TRL 1.16 `GRPOTrainer.get_high_entropy_mask`.

    Note: [[AI/LLM/RL/GRPO/GRPO 的高熵掩码与 GDPO]]

    Args:
        entropies: $H_{i,t}$, shape `(B, T)`.
        mask: 1 on completion tokens, shape `(B, T)`.
        top_quantile: $\rho \in (0, 1]$; 1 keeps every real token.

    Returns:
        $e$, a bool tensor of shape `(B, T)` (all false when the mask is empty).
    """
    real = mask.bool()
    values = entropies[real]
    if values.numel() == 0:
        return torch.zeros_like(real)
    # τ_ρ: the (1 − ρ)-quantile of the real tokens' entropies
    threshold = torch.quantile(values, 1.0 - top_quantile)
    # m_{i,t} 1[H_{i,t} ≥ τ_ρ]
    return real & (entropies >= threshold)


class GDPOAdvantages(NamedTuple):
    """GDPO's advantages and the combined reward $R_i$ they normalise."""

    advantages: torch.Tensor
    rewards: torch.Tensor


def _nanstd(x: torch.Tensor, dim: int) -> torch.Tensor:
    """Sample standard deviation (Bessel, n − 1) along `dim`, kept, ignoring NaNs; NaN below 2
    values (TRL's `nanstd`)."""
    count = (~x.isnan()).sum(dim=dim, keepdim=True)
    squares = ((x - x.nanmean(dim=dim, keepdim=True)) ** 2).nansum(dim=dim, keepdim=True)
    std = (squares / (count - 1)).sqrt()
    return torch.where(count > 1, std, torch.full_like(std, float("nan")))


def gdpo_advantages(
    rewards_per_func: torch.Tensor,
    weights: torch.Tensor,
    group_size: int,
    eps: float = 1e-4,
) -> GDPOAdvantages:
    r"""GDPO: normalise each reward function within the group, sum, then normalise the batch.

    $$
    R_i = \sum_{k=1}^{K} w_k \frac{r_{i,k} - \mu_k}{\sigma_k + \epsilon}
    $$

    $$
    \hat{A}_i = \frac{R_i}{s_R + \epsilon}
    $$

    with $\mu_k$, $\sigma_k$ the mean and sample standard deviation (Bessel) of reward $k$ over
    the $G$ completions of $i$'s group, and $s_R$ the sample standard deviation of $R$ over the
    whole batch. TRL also subtracts the batch mean $\bar R$, which is 0: each group's
    normalised scores of a reward sum to 0, so each group's $R_i$ do too (this function
    subtracts it as TRL does, so the two agree to round-off).
    Summing first (GRPO's default) lets a reward with a large spread decide the advantage; here
    every reward enters with unit spread and the weights mean what they say. A NaN score means
    the function did not score that completion: it is left out of that reward's statistics and
    adds nothing to $R_i$; a completion no function scored gets advantage 0. TRL 1.16:
    `GRPOConfig(multi_objective_aggregation="normalize_then_sum", reward_weights=w)` (the
    default `"sum_then_normalize"` is `rlref.algos.advantages.group_advantages` on the weighted
    sum); verl 0.9.1 has an estimator named `gdpo`.

    Source: *GDPO: Group reward-Decoupled Normalization Policy Optimization*, arXiv:2601.05242
    (as cited by TRL 1.16); TRL 1.16 `GRPOTrainer._generate_and_score_completions`.

    Note: [[AI/LLM/RL/GRPO/GRPO 的高熵掩码与 GDPO]]

    Args:
        rewards_per_func: $r_{i,k}$, shape `(N, K)`, groups of `group_size` contiguous rows;
            NaN where function $k$ gave no score.
        weights: $w_k$, shape `(K,)`.
        group_size: $G \geq 2$.
        eps: $\epsilon$ (TRL: 1e-4).

    Returns:
        `GDPOAdvantages(advantages, rewards)`, each shape `(N,)`; `rewards` is $R_i$ (NaN for a
        completion no function scored).
    """
    if group_size < 2:
        raise ValueError("GDPO needs group_size ≥ 2")
    n, k = rewards_per_func.shape
    grouped = rewards_per_func.reshape(n // group_size, group_size, k)
    mu = grouped.nanmean(dim=1, keepdim=True)  # μ_k per group
    sigma = _nanstd(grouped, dim=1)  # σ_k per group
    # (r_{i,k} − μ_k) / (σ_k + ε)
    normalized = ((grouped - mu) / (sigma + eps)).reshape(n, k)
    # R_i = Σ_k w_k r̃_{i,k}, NaN terms left out
    combined = (normalized * weights.to(normalized.dtype)).nansum(dim=1)
    unscored = rewards_per_func.isnan().all(dim=1)
    combined = torch.where(unscored, torch.full_like(combined, float("nan")), combined)
    # Â_i = (R_i − R̄) / (s_R + ε) over the batch (R̄ = 0 up to round-off); 0 when unscored
    advantages = (combined - combined.nanmean()) / (_nanstd(combined, dim=0) + eps)
    return GDPOAdvantages(torch.nan_to_num(advantages, nan=0.0), combined)


def adaptive_entropy_coef(
    coef: float | torch.Tensor,
    entropy: float | torch.Tensor,
    target: float,
    delta: float = 0.005,
    coef_min: float = 0.0,
    coef_max: float = 1.0,
) -> float | torch.Tensor:
    r"""One step of the adaptive entropy controller: raise the coefficient while entropy is low.

    $$
    c_{k+1} = \begin{cases} \min\left(c_k + \delta, c_{\max}\right), & \text{if } \bar{H}_k \le
    H^{*} \\ \max\left(c_k - \delta, c_{\min}\right), & \text{otherwise} \end{cases}
    $$

    with $\bar H_k$ the token-mean entropy of optimizer step $k$ (over the tokens the policy loss
    uses) and $H^{*}$ the target. The coefficient climbs while the policy's entropy is at or
    below the target and decays otherwise; the bonus it weights is only applied when the last
    measured entropy is at or below the target (`adaptive_entropy_bonus`). TRL 1.16:
    `GRPOConfig(use_adaptive_entropy=True, entropy_coef=c_0, entropy_target=H*,
    entropy_coef_delta=δ, entropy_coef_min=c_min, entropy_coef_max=c_max)` (defaults 0.2, 0.005,
    0, 1), updated at each optimizer step from the entropy of the whole accumulation window.

    Source: *Skywork Open Reasoner 1 Technical Report*, arXiv:2505.22312 (as cited by TRL 1.16);
    TRL 1.16 `GRPOTrainer._compute_loss`.

    Note: [[AI/LLM/RL/GRPO/GRPO 的高熵掩码与 GDPO]]

    Args:
        coef: $c_k$, a float or a tensor (one controller per element).
        entropy: $\bar H_k$, the mean token entropy of this step (float or tensor).
        target: $H^{*}$.
        delta: $\delta$.
        coef_min: $c_{\min}$.
        coef_max: $c_{\max}$.

    Returns:
        $c_{k+1}$: a float for float inputs, else a tensor.
    """
    if not isinstance(coef, torch.Tensor) and not isinstance(entropy, torch.Tensor):
        if entropy <= target:
            return min(coef + delta, coef_max)  # min(c + δ, c_max)
        return max(coef - delta, coef_min)  # max(c − δ, c_min)
    coef = torch.as_tensor(coef)
    raised = (coef + delta).clamp(max=coef_max)  # min(c + δ, c_max)
    lowered = (coef - delta).clamp(min=coef_min)  # max(c − δ, c_min)
    return torch.where(torch.as_tensor(entropy) <= target, raised, lowered)


def adaptive_entropy_bonus(
    entropies: torch.Tensor,
    mask: torch.Tensor,
    coef: float,
    last_entropy: float,
    target: float,
) -> torch.Tensor:
    r"""The entropy term of the loss under adaptive control: on only while entropy is low.

    $$
    \mathcal{L}^{\mathcal{H}} = -c_k \, \mathbb{1}\left[\bar{H}_{k-1} \le H^{*}\right]
    \frac{\sum_{i,t} m_{i,t} H_{i,t}}{\sum_{i,t} m_{i,t}}
    $$

    with $c_k$ the current coefficient (`adaptive_entropy_coef`) and $\bar H_{k-1}$ the entropy
    measured at the previous optimizer step (TRL starts from $+\infty$, so the first step has no
    bonus). Add it to the policy loss (`rlref.algos.policy_loss.grpo_loss`); masking tokens
    (`high_entropy_mask`) applies to the mask here too. TRL 1.16:
    `GRPOConfig(use_adaptive_entropy=True)`.

    Source: *Skywork Open Reasoner 1 Technical Report*, arXiv:2505.22312 (as cited by TRL 1.16);
    TRL 1.16 `GRPOTrainer._compute_loss`.

    Note: [[AI/LLM/RL/GRPO/GRPO 的高熵掩码与 GDPO]]

    Args:
        entropies: $H_{i,t}$, shape `(B, T)`.
        mask: The tokens the bonus covers, shape `(B, T)`.
        coef: $c_k$.
        last_entropy: $\bar H_{k-1}$.
        target: $H^{*}$.

    Returns:
        Scalar $\mathcal{L}^{\mathcal{H}}$ (0 while the last entropy is above the target).
    """
    applied = coef if last_entropy <= target else 0.0  # c_k 1[H̄_{k−1} ≤ H*]
    # −c · token mean of H
    return entropy_bonus(entropies, mask, applied, "token-mean")

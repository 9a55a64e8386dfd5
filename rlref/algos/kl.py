r"""KL divergence: Schulman's sampled estimators k1, k2, k3, the exact categorical KL, the
token rewards of RLHF-PPO with the KL penalty folded in, and the adaptive KL coefficient that
keeps the measured KL near a target.

The estimators take the log-probs of *sampled* tokens $a_t \sim \pi_\theta(\cdot \mid s_t)$
under the policy and the reference and estimate the reverse KL
$\mathrm{KL}(\pi_\theta \,\|\, \pi_{\text{ref}})$ per token, through the ratio

$$
\rho = \frac{\pi_{\mathrm{ref}}(a_t \mid s_t)}{\pi_\theta(a_t \mid s_t)}
$$

or its logarithm $\log \rho = \log \pi_{\text{ref}}(a_t \mid s_t) - \log \pi_\theta(a_t \mid s_t)$.

No clamp is applied (verl clamps k3's log-ratio to $[-20, 20]$ and k3 itself to $[-10, 10]$ for
stability); inputs are the exact formulas.

Source for k1/k2/k3: J. Schulman, *Approximating KL Divergence* (blog post, 2020,
http://joschu.net/blog/kl-approx.html).
"""

from __future__ import annotations

import torch

__all__ = [
    "adaptive_kl_coef",
    "kl_categorical",
    "kl_k1",
    "kl_k2",
    "kl_k3",
    "kl_shaped_rewards",
]

ADAPTIVE_KL_MAX_ERROR = 0.2
"""Bound on the proportional error of the adaptive controller (a constant 0.2 in verl 0.9.1's
`AdaptiveKLController`)."""


def kl_k1(logp: torch.Tensor, ref_logp: torch.Tensor) -> torch.Tensor:
    r"""k1: the naive estimator, $-\log\rho$. Unbiased, high variance, can be negative.

    $$
    k_1 = \log \pi_\theta(a_t \mid s_t) - \log \pi_{\mathrm{ref}}(a_t \mid s_t)
    $$

    that is $k_1 = -\log \rho$.

    verl: `algorithm.kl_penalty="kl"` (or `"k1"`) for the in-reward penalty, and
    `actor_rollout_ref.actor.kl_loss_type="kl"` for the KL loss.

    Source: J. Schulman, *Approximating KL Divergence* (2020).

    Note: [[AI/LLM/RL/Fundamentals/KL散度]]

    Args:
        logp: $\log \pi_\theta(a_t \mid s_t)$ of sampled tokens, any shape, e.g. `(B, T)`.
        ref_logp: $\log \pi_{\text{ref}}(a_t \mid s_t)$, same shape.

    Returns:
        Per-token $k_1$, same shape.
    """
    # k1 = log π_θ − log π_ref
    return logp - ref_logp


def kl_k2(logp: torch.Tensor, ref_logp: torch.Tensor) -> torch.Tensor:
    r"""k2: half the squared log-ratio. Biased, low variance, always ≥ 0.

    $$
    k_2 = \frac{1}{2}\left(\log \pi_\theta(a_t \mid s_t)
        - \log \pi_{\mathrm{ref}}(a_t \mid s_t)\right)^2
    $$

    that is $k_2 = \tfrac{1}{2}(\log \rho)^2$.

    Its gradient equals the gradient of the true KL in expectation. verl:
    `algorithm.kl_penalty="mse"` (or `"k2"`), `actor.kl_loss_type="mse"`.

    Source: J. Schulman, *Approximating KL Divergence* (2020).

    Note: [[AI/LLM/RL/Fundamentals/KL散度]]

    Args:
        logp: $\log \pi_\theta(a_t \mid s_t)$, any shape.
        ref_logp: $\log \pi_{\text{ref}}(a_t \mid s_t)$, same shape.

    Returns:
        Per-token $k_2$, same shape.
    """
    log_ratio = ref_logp - logp
    # k2 = ½ (log ρ)²
    return 0.5 * log_ratio**2


def kl_k3(logp: torch.Tensor, ref_logp: torch.Tensor) -> torch.Tensor:
    r"""k3: unbiased and always ≥ 0 — the GRPO KL penalty.

    $$
    k_3 = \frac{\pi_{\mathrm{ref}}(a_t \mid s_t)}{\pi_\theta(a_t \mid s_t)} - 1
        - \log \frac{\pi_{\mathrm{ref}}(a_t \mid s_t)}{\pi_\theta(a_t \mid s_t)}
    $$

    that is $k_3 = (\rho - 1) - \log \rho$.

    $\mathbb{E}_{x\sim\pi_\theta}[\rho - 1] = 0$, so k3 keeps k1's mean while $e^u - 1 - u \geq 0$
    makes every sample non-negative. Unbiased is a statement about the KL *value*: used as a
    loss term and differentiated, k3's expected gradient is the gradient of the forward KL
    $D_{\mathrm{KL}}(\pi_{\text{ref}} \,\|\, \pi_\theta)$, not of the reverse KL it estimates
    (for the reverse-KL gradient use `kl_k2` as the loss, or weight k3 by the importance
    ratio as TRL's `use_bias_correction_kl=True` does).

    TRL: the per-token KL of `GRPOTrainer` when `GRPOConfig(beta>0)`; verl:
    `actor_rollout_ref.actor.kl_loss_type="low_var_kl"` (or `"k3"`, verl's default) with
    `use_kl_loss=True`.

    Source: J. Schulman, *Approximating KL Divergence* (2020).

    Note: [[AI/LLM/RL/Fundamentals/KL散度]]

    Args:
        logp: $\log \pi_\theta(a_t \mid s_t)$, any shape.
        ref_logp: $\log \pi_{\text{ref}}(a_t \mid s_t)$, same shape.

    Returns:
        Per-token $k_3 \geq 0$, same shape.
    """
    log_ratio = ref_logp - logp
    # k3 = (ρ − 1) − log ρ,  ρ = π_ref / π_θ
    return torch.expm1(log_ratio) - log_ratio


def kl_categorical(p_logits: torch.Tensor, q_logits: torch.Tensor) -> torch.Tensor:
    r"""Exact KL between two categorical distributions given by logits.

    $$
    D_{\mathrm{KL}}(p \parallel q) = \sum_{i=1}^{V} p_i \log \frac{p_i}{q_i}
    $$

    over the $V$ entries of the last axis, with $p = \operatorname{softmax}(z^p)$ and
    $q = \operatorname{softmax}(z^q)$; it is computed as $\sum_i p_i (\log p_i - \log q_i)$ from
    the log-softmax of the logits. Terms with $p_i = 0$ contribute 0 (the $0 \log 0 = 0$
    convention). verl calls the full-vocabulary version `kl_penalty="full"` (not implemented
    there).

    Source: S. Kullback & R. A. Leibler, *On Information and Sufficiency*, Annals of
    Mathematical Statistics (1951).

    Note: [[AI/LLM/RL/Fundamentals/KL散度]]

    Args:
        p_logits: Logits of $p$, shape `(..., V)`.
        q_logits: Logits of $q$, shape `(..., V)`.

    Returns:
        $\mathrm{KL}(p\|q) \geq 0$, shape `(...)`.
    """
    log_p = torch.log_softmax(p_logits, dim=-1)
    log_q = torch.log_softmax(q_logits, dim=-1)
    p = log_p.exp()
    # KL = Σ_v p_v (log p_v − log q_v), with 0·log 0 = 0
    terms = torch.where(p > 0, p * (log_p - log_q), torch.zeros((), dtype=p.dtype, device=p.device))
    return terms.sum(dim=-1)


def adaptive_kl_coef(
    beta: float | torch.Tensor,
    current_kl: float | torch.Tensor,
    target_kl: float,
    n_steps: int,
    horizon: float,
) -> float | torch.Tensor:
    r"""One update of the adaptive KL coefficient: raise $\beta$ when the KL is above target.

    $$
    \beta_{\text{new}} = \beta\left(1 + \operatorname{clip}\left(
    \frac{\mathrm{KL}}{\mathrm{KL}_{\text{target}}} - 1, -0.2, 0.2\right)\frac{n}{H}\right)
    $$

    A multiplicative proportional controller: the relative error of the KL is clipped to
    $\pm 0.2$, and the horizon $H$ (in samples) sets how fast $\beta$ moves — by the fraction
    $n/H$ of the clipped error per update of $n$ samples.

    verl 0.9.1: `algorithm.kl_ctrl.type="adaptive"` with `kl_ctrl.kl_coef` (the initial
    $\beta$), `kl_ctrl.target_kl`, `kl_ctrl.horizon` (`AdaptiveKLController.update` in
    `verl/trainer/ppo/core_algos.py`); `apply_kl_penalty` (`verl/trainer/ppo/ray_trainer.py`)
    calls it once per batch with $\mathrm{KL}$ = the batch mean of each sequence's masked token
    mean of the in-reward KL estimate (`rlref.algos.lm.masked_mean(kl, mask, dim=-1).mean()`;
    verl adds `1e-8` to each token count instead of clamping it at 1) and $n$ = the batch size.
    TRL 1.16 has no adaptive KL controller.

    Source: verl 0.9.1 `AdaptiveKLController` (`verl/trainer/ppo/core_algos.py`), whose
    docstring cites *Fine-Tuning Language Models from Human Preferences*, arXiv:1909.08593.

    Note: [[AI/LLM/RL/PPO/PPO-verl实践]]

    Args:
        beta: The current coefficient $\beta$, a float or a tensor.
        current_kl: The measured $\mathrm{KL}$, a float or a tensor (broadcast with `beta`).
        target_kl: $\mathrm{KL}_{\text{target}} > 0$.
        n_steps: $n$, samples since the last update.
        horizon: $H > 0$.

    Returns:
        $\beta_{\text{new}}$: a float for float inputs, else a tensor of the broadcast shape.
    """
    if target_kl <= 0 or horizon <= 0:
        raise ValueError(f"target_kl and horizon must be > 0, got {target_kl} and {horizon}")
    error = current_kl / target_kl - 1.0
    bound = ADAPTIVE_KL_MAX_ERROR
    # e = clip(KL / KL_target − 1, −0.2, 0.2)
    if isinstance(error, torch.Tensor):
        error = error.clamp(-bound, bound)
    else:
        error = min(max(error, -bound), bound)
    # β_new = β (1 + e · n / H)
    return beta * (1.0 + error * n_steps / horizon)


def kl_shaped_rewards(
    scores: torch.Tensor,
    logp: torch.Tensor,
    ref_logp: torch.Tensor,
    mask: torch.Tensor,
    beta: float | torch.Tensor,
    estimator: str = "k1",
) -> torch.Tensor:
    r"""Per-token rewards of RLHF-PPO: the KL penalty on every token, the RM score on the last.

    $$
    r_t = -\beta \left(\log \pi_{\text{old}}(a_t \mid s_t)
    - \log \pi_{\text{ref}}(a_t \mid s_t)\right) + \mathbb{1}[t = T]\, r_\phi(x, y)
    $$

    with the k1 estimate shown ($k_2$ or $k_3$ with `estimator`), $T$ the last real token of
    each response (a truncated response too: its score still lands on its last token) and
    $r_t = 0$ at pads. The result goes to GAE as the rewards. verl 0.9.1:
    `algorithm.use_kl_in_reward=True` with `algorithm.kl_penalty` (`"kl"` = k1, `"mse"` = k2,
    `"low_var_kl"` = k3) and `algorithm.kl_ctrl.kl_coef` = $\beta$ (`apply_kl_penalty` in
    `verl/trainer/ppo/ray_trainer.py`, where the reward manager has put the score on the last
    token); TRL's former `PPOTrainer` built the same rewards.

    Source: *Training language models to follow instructions with human feedback*
    (InstructGPT), arXiv:2203.02155, Eq. 2; verl 0.9.1 `apply_kl_penalty`.

    Note: [[AI/LLM/RL/RLHF 全链路]]

    Args:
        scores: $r_\phi(x, y)$, one per response, shape `(B,)`.
        logp: $\log \pi_{\text{old}}(a_t \mid s_t)$ of the sampled tokens, shape `(B, T)`.
        ref_logp: $\log \pi_{\text{ref}}(a_t \mid s_t)$, shape `(B, T)`.
        mask: 1 on response tokens, 0 on pads (right padding), shape `(B, T)`.
        beta: The KL coefficient $\beta$.
        estimator: `"k1"` (default, as in the formula), `"k2"` or `"k3"`.

    Returns:
        $r_t$, shape `(B, T)`, in `logp`'s dtype; 0 at pads and for a response with no token.
    """
    estimators = {"k1": kl_k1, "k2": kl_k2, "k3": kl_k3}
    if estimator not in estimators:
        raise ValueError(f"estimator must be one of {sorted(estimators)}, got {estimator!r}")
    real = mask.bool()
    # pads → 0 first, so a nan/inf there cannot leak into the rewards or their gradient
    logp = torch.where(real, logp, logp.new_zeros(()))
    ref_logp = torch.where(real, ref_logp, ref_logp.new_zeros(()))
    # −β · k(log π_old, log π_ref), on real tokens only
    rewards = torch.where(real, -beta * estimators[estimator](logp, ref_logp), logp.new_zeros(()))
    lengths = real.sum(dim=-1)
    last = (lengths - 1).clamp(min=0)
    # + 1[t = T] · r_φ(x, y), for responses with at least one token
    bonus = torch.where(lengths > 0, scores.to(rewards.dtype), rewards.new_zeros(()))
    return rewards.scatter_add(-1, last.unsqueeze(-1), bonus.unsqueeze(-1))

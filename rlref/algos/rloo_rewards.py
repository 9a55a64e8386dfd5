r"""RLOO's sequence reward before the leave-one-out baseline: clipping and the KL penalty
(TRL 1.16 `RLOOConfig.reward_clip_range`, `RLOOConfig.beta`).

RLOO treats a whole completion as one action, so the KL to the reference enters the reward of
the sequence (not the loss, as in GRPO), and the baseline of
`rlref.algos.advantages.rloo_advantages` is taken on the shaped rewards:

$$
\tilde{R}(x, y) = \mathrm{clip}\left(r(x, y), c_{\mathrm{low}}, c_{\mathrm{high}}\right)
- \beta \left(\log \pi_{\mathrm{old}}(y \mid x) - \log \pi_{\mathrm{ref}}(y \mid x)\right)
$$
"""

from __future__ import annotations

import torch

__all__ = ["rloo_shaped_rewards"]


def rloo_shaped_rewards(
    rewards: torch.Tensor,
    old_token_logps: torch.Tensor,
    ref_token_logps: torch.Tensor | None,
    mask: torch.Tensor,
    beta: float = 0.05,
    clip_range: tuple[float, float] | None = None,
) -> torch.Tensor:
    r"""The shaped sequence reward of RLOO: the clipped score minus $\beta$ times the k1 KL.

    $$
    \tilde{R}(x, y) = \mathrm{clip}\left(r(x, y), c_{\mathrm{low}}, c_{\mathrm{high}}\right)
    - \beta \left(\log \pi_{\mathrm{old}}(y \mid x) - \log \pi_{\mathrm{ref}}(y \mid x)\right)
    $$

    with $\log\pi(y \mid x) = \sum_t m_t \log\pi(y_t \mid x, y_{<t})$ summed over the completion
    (the k1 estimate of the sequence KL, which can be negative). The score is clipped *before*
    the penalty is subtracted, so the penalty itself is never clipped. Feed the result to
    `rlref.algos.advantages.rloo_advantages`. TRL 1.16: `RLOOConfig(beta=β,
    reward_clip_range=(c_low, c_high))` (defaults 0.05 and no clipping; `beta=0` loads no
    reference model), in `RLOOTrainer._generate_and_score_completions`, where $r$ is the
    weighted sum of the reward functions.

    Source: *Back to Basics: Revisiting REINFORCE Style Optimization for Learning from Human
    Feedback in LLMs*, arXiv:2402.14740; TRL 1.16 `trl/trainer/rloo_trainer.py`.

    Note: [[AI/LLM/RL/RLOO/RLOO 原理]]

    Args:
        rewards: $r(x, y)$, one score per completion, shape `(N,)`.
        old_token_logps: $\log\pi_{\mathrm{old}}$ of the sampled tokens, shape `(N, T)`.
        ref_token_logps: $\log\pi_{\mathrm{ref}}$ of the same tokens, shape `(N, T)`; may be
            `None` when `beta` is 0.
        mask: 1 on completion tokens, shape `(N, T)`.
        beta: $\beta$, the KL coefficient.
        clip_range: $(c_{\mathrm{low}}, c_{\mathrm{high}})$, or `None` for no clipping.

    Returns:
        $\tilde R$, shape `(N,)`.
    """
    shaped = rewards
    if clip_range is not None:
        low, high = clip_range
        shaped = shaped.clamp(min=low, max=high)  # clip(r, c_low, c_high)
    if beta == 0.0:
        return shaped
    if ref_token_logps is None:
        raise ValueError("beta ≠ 0 needs ref_token_logps")
    real = mask.bool()
    zero = old_token_logps.new_zeros(())
    # log π_old(y|x) − log π_ref(y|x), summed over the completion's tokens
    kl = torch.where(real, old_token_logps - ref_token_logps, zero).sum(-1)
    # − β (log π_old − log π_ref)
    return shaped - beta * kl

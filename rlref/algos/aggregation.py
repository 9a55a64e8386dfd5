r"""Loss aggregation: how a `(B, T)` per-token loss matrix becomes the scalar a trainer steps on.

One explicit argument, `loss_agg`, chooses the reduction. It matters more than it looks: it
decides how much each token and each sequence weighs, and so whether long or short answers
dominate the gradient (the length bias that DAPO and Dr. GRPO fix).
"""

from __future__ import annotations

from typing import Literal

import torch

from rlref.algos.lm import masked_sum

__all__ = ["LossAgg", "aggregate_loss"]

LossAgg = Literal[
    "token-mean",
    "bnpo",
    "seq-mean-token-mean",
    "seq-mean-token-sum",
    "seq-mean-token-sum-norm",
    "token-sum",
    "none",
]
"""How a `(B, T)` token-loss matrix becomes a scalar; see `aggregate_loss`."""


def expand_per_sequence(advantages: torch.Tensor) -> torch.Tensor:
    """(B,) → (B, 1) so one advantage per completion broadcasts over its tokens."""
    return advantages.unsqueeze(-1) if advantages.dim() == 1 else advantages


def zero_pads(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """`x` with its pad entries replaced by 0 (broadcast to the mask's shape).

    Losses call it on their inputs before any `exp`, clamp or product: a `nan` or `inf` left in
    a pad would not change the masked loss but would turn the gradient at that pad into `nan`
    (0 · nan in the backward pass). `torch.where` gives the pads a gradient of exactly 0.
    """
    return torch.where(mask.bool(), x, x.new_zeros(()))


def aggregate_loss(
    loss_mat: torch.Tensor,
    mask: torch.Tensor,
    loss_agg: LossAgg = "token-mean",
    max_completion_length: int | None = None,
) -> torch.Tensor:
    r"""Reduce a token-loss matrix $\ell_{i,t}$ to the scalar a trainer backpropagates.

    With $N$ rows of $T$ tokens, $m_{i,t}$ the mask, $|o_i| = \sum_t m_{i,t}$ and $B$ the number
    of sequences that have at least one real token, the default (`"token-mean"`) is

    $$
    \mathcal{L}_{\mathrm{token}} = \frac{\sum_{i=1}^{N}\sum_{t=1}^{T}
        m_{i,t}\ell_{i,t}}{\sum_{i=1}^{N}\sum_{t=1}^{T} m_{i,t}}
    $$

    and the modes are:

    | `loss_agg` | formula |
    |---|---|
    | `"token-mean"`, `"bnpo"` | $\dfrac{\sum_i\sum_t m_{i,t}\ell_{i,t}}{\sum_i\lvert o_i\rvert}$ |
    | `"seq-mean-token-mean"` | $\tfrac1B\sum_i\frac{1}{\lvert o_i\rvert}\sum_t m_{i,t}\ell_{i,t}$ |
    | `"seq-mean-token-sum-norm"` | $\dfrac{1}{B\,C}\sum_i \sum_t m_{i,t} \ell_{i,t}$ |
    | `"seq-mean-token-sum"` | $\dfrac{1}{B}\sum_i \sum_t m_{i,t} \ell_{i,t}$ |
    | `"token-sum"` | $\sum_i \sum_t m_{i,t} \ell_{i,t}$ |
    | `"none"` | $m_{i,t} \ell_{i,t}$, shape `(B, T)`: no reduction |

    | `loss_agg` | TRL 1.16 `GRPOConfig(loss_type=…)` | verl 0.9 `actor.loss_agg_mode` |
    |---|---|---|
    | `"token-mean"` | `"dapo"` (default), `"cispo"` | `"token-mean"` (default) |
    | `"bnpo"` | `"bnpo"` | — |
    | `"seq-mean-token-mean"` | `"grpo"`, `"sapo"` | `"seq-mean-token-mean"` |
    | `"seq-mean-token-sum-norm"` | `"dr_grpo"` | `"seq-mean-token-sum-norm"` |
    | `"seq-mean-token-sum"` | `"luspo"` | `"seq-mean-token-sum"` |
    | `"token-sum"` | — | `"token-sum"` |
    | `"none"` | — | — |

    For `"seq-mean-token-sum-norm"`, TRL's $C$ is `GRPOConfig.max_completion_length`; verl's is
    `actor.loss_scale_factor`, default the padded length $T$ (also the default here).

    The mode names are verl's because they name the reduction itself; TRL's names name the
    algorithm. `"token-mean"` and `"bnpo"` compute the same value on the one batch this
    function sees; in TRL 1.16 (`GRPOTrainer._compute_loss`) they differ in *which* batch
    supplies the token count in the denominator. `"bnpo"` divides by the real tokens of the
    local micro-batch (`mask.sum()`), then by the gradient-accumulation steps, so the result
    depends on how the batch is split. `"dapo"` divides by the real tokens of the whole
    generation batch, gathered over processes (`num_items_in_batch`) and rescaled to one
    accumulation window and one process, so every token of the optimizer step weighs the same
    however the batch is split — what verl's `"token-mean"` does with its global token count.
    To reproduce `"bnpo"` over several micro-batches, call this per micro-batch and average the
    results; for `"dapo"`, sum $\sum_t m\,\ell$ over micro-batches and divide by the global count.
    Original GRPO (DeepSeekMath) is `"seq-mean-token-mean"`; DAPO is `"token-mean"`; Dr. GRPO
    is `"seq-mean-token-sum-norm"`.

    Fully masked sequences are left out of $B$ (as verl does; TRL counts them), so appending an
    all-pad row never changes the loss. Token and sequence counts are clamped at 1, which only
    changes an empty row or batch (its loss is 0 rather than `nan`); there is no other ε.

    Sources: *DeepSeekMath: Pushing the Limits of Mathematical Reasoning in Open Language Models*,
    arXiv:2402.03300 (GRPO); *DAPO: An Open-Source LLM Reinforcement Learning System at Scale*,
    arXiv:2503.14476 (token-level policy-gradient loss);
    *Understanding R1-Zero-Like Training: A Critical Perspective*, arXiv:2503.20783 (Dr. GRPO);
    TRL 1.16 `trl/trainer/grpo_trainer.py` (`"dapo"` vs `"bnpo"` normalisers).

    Note: [[AI/LLM/RL/GRPO/GRPO 深度理解]]

    Args:
        loss_mat: $\ell_{i,t}$, shape `(B, T)`.
        mask: $m_{i,t}$, shape `(B, T)`; 1 = real token.
        loss_agg: One of the modes in the table.
        max_completion_length: $C$ for `"seq-mean-token-sum-norm"`; default $T$.

    Returns:
        Scalar loss (0 if no token is real); for `"none"` the per-token losses, 0 at pads
        (like `reduction="none"` in `torch.nn`: for logging, custom reductions and checks).
    """
    real = mask.bool().expand_as(loss_mat)
    if loss_agg == "none":
        # m_{i,t} L_{i,t}
        return torch.where(real, loss_mat, loss_mat.new_zeros(()))
    token_counts = real.sum(dim=-1).to(loss_mat.dtype)  # |o_i|
    num_seqs = (token_counts > 0).sum().to(loss_mat.dtype).clamp(min=1.0)  # B, non-empty rows
    seq_sums = masked_sum(loss_mat, real, dim=-1)  # Σ_t m L per sequence
    if loss_agg in ("token-mean", "bnpo"):
        # Σ_i Σ_t m L / Σ_i |o_i|  (bnpo: the same count, taken over this batch only)
        return seq_sums.sum() / token_counts.sum().clamp(min=1.0)
    if loss_agg == "seq-mean-token-mean":
        # (1/B) Σ_i (Σ_t m L / |o_i|)
        return (seq_sums / token_counts.clamp(min=1.0)).sum() / num_seqs
    if loss_agg == "seq-mean-token-sum":
        # (1/B) Σ_i Σ_t m L
        return seq_sums.sum() / num_seqs
    if loss_agg == "seq-mean-token-sum-norm":
        constant = loss_mat.shape[-1] if max_completion_length is None else max_completion_length
        # Σ_i Σ_t m L / (B · C)
        return seq_sums.sum() / (num_seqs * constant)
    if loss_agg == "token-sum":
        # Σ_i Σ_t m L
        return seq_sums.sum()
    raise ValueError(f"unknown loss_agg {loss_agg!r}")

"""Pads holding nan or inf change neither a policy or value loss nor its gradient.

Masked reductions already keep such pads out of the *value* of a loss; but a loss that runs
exp, clamp or a product on its inputs before masking would turn the gradient at a pad into
nan (0 · nan in the backward pass), and an optimizer step would then spread it everywhere.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch

from rlref.algos.policy_loss import (
    cispo_loss,
    grpo_loss,
    gspo_loss,
    ppo_clip_loss,
    reinforce_loss,
    value_loss_clipped,
)
from rlref.algos.stability import sapo_loss

F64 = torch.float64
B, T = 3, 6
MASK = torch.ones(B, T, dtype=torch.bool)
MASK[0, 4:] = False
MASK[1, 2:] = False

Loss = Callable[[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]
LOSSES: dict[str, Loss] = {
    # (x: the input that carries the gradient, other, ref, advantages) → scalar loss
    "ppo_clip_loss": lambda x, o, r, a: ppo_clip_loss(x, o, a, MASK, clip_ratio_c=3.0).loss,
    "grpo_loss": lambda x, o, r, a: grpo_loss(x, o, r, a, MASK, beta=0.1).loss,
    "grpo_loss_token_mean_kl_weighted": lambda x, o, r, a: grpo_loss(
        x, o, r, a, MASK, beta=0.1, loss_agg="token-mean", kl_ratio_weighted=True
    ).loss,
    "gspo_loss": lambda x, o, r, a: gspo_loss(x, o, a, MASK).loss,
    "gspo_loss_token_level": lambda x, o, r, a: gspo_loss(x, o, a, MASK, token_level=True).loss,
    "cispo_loss": lambda x, o, r, a: cispo_loss(x, o, a, MASK, 0.2, 0.2).loss,
    "sapo_loss": lambda x, o, r, a: sapo_loss(x, o, a, MASK),
    "reinforce_loss": lambda x, o, r, a: reinforce_loss(x, a, MASK),
    # values, old values, returns
    "value_loss_clipped": lambda x, o, r, a: value_loss_clipped(x, o, r, MASK, 0.2).loss,
}


def _inputs(pad: float | None) -> tuple[torch.Tensor, ...]:
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(B, T, generator=gen, dtype=F64) * 0.5 - 1.0
    other = x + 0.3 * torch.randn(B, T, generator=gen, dtype=F64)
    ref = x + 0.3 * torch.randn(B, T, generator=gen, dtype=F64)
    adv = torch.randn(B, T, generator=gen, dtype=F64)
    if pad is not None:
        x, other, ref, adv = (torch.where(MASK, t, pad) for t in (x, other, ref, adv))
    return x.requires_grad_(), other, ref, adv


@pytest.mark.parametrize("name", sorted(LOSSES))
@pytest.mark.parametrize("pad", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_pads_give_the_same_loss_and_zero_gradient_there(name: str, pad: float):
    loss_fn = LOSSES[name]
    x, other, ref, adv = _inputs(None)
    clean = loss_fn(x, other, ref, adv)
    (clean_grad,) = torch.autograd.grad(clean, x)

    x, other, ref, adv = _inputs(pad)
    loss = loss_fn(x, other, ref, adv)
    (grad,) = torch.autograd.grad(loss, x)

    torch.testing.assert_close(loss, clean)
    assert torch.isfinite(grad).all(), f"{name}: non-finite gradient {grad}"
    assert (grad[~MASK] == 0).all()
    torch.testing.assert_close(grad[MASK], clean_grad[MASK])
    assert (clean_grad[MASK] != 0).any()  # the comparison is not between two zero gradients


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_per_sequence_advantages_too(name: str) -> None:
    x, other, ref, _ = _inputs(float("nan"))
    adv = torch.tensor([1.0, -0.5, 2.0], dtype=F64)
    loss = LOSSES[name](x, other, ref, adv)
    (grad,) = torch.autograd.grad(loss, x)
    assert torch.isfinite(loss) and torch.isfinite(grad).all()
    assert (grad[~MASK] == 0).all()

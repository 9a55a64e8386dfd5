"""rlref.algos.vespo_correction: VESPO's weight and loss with the rollout token ratios."""

from __future__ import annotations

import math

import pytest
import torch

from rlref.algos.frontier import vespo_loss, vespo_sequence_ratio
from rlref.algos.vespo_correction import vespo_corrected_loss, vespo_corrected_sequence_ratio

F64 = torch.float64


def _batch(seed: int = 0) -> tuple[torch.Tensor, ...]:
    gen = torch.Generator().manual_seed(seed)
    logp = torch.randn(4, 6, generator=gen, dtype=F64) * 0.3 - 1
    old = logp + 0.2 * torch.randn(4, 6, generator=gen, dtype=F64)
    mask = torch.tensor([[1] * 6, [1] * 4 + [0] * 2, [1] * 2 + [0] * 4, [1] * 5 + [0]])
    adv = torch.tensor([1.0, -0.5, 0.3, -2.0], dtype=F64)
    return logp, old, mask, adv


def test_ratio_one_is_plain_vespo() -> None:
    logp, old, mask, adv = _batch()
    ones = torch.ones_like(logp)
    torch.testing.assert_close(
        vespo_corrected_sequence_ratio(logp, old, mask, ones), vespo_sequence_ratio(logp, old, mask)
    )
    torch.testing.assert_close(
        vespo_corrected_loss(logp, old, adv, mask, ones), vespo_loss(logp, old, adv, mask)
    )


def test_log_rho_adds_to_the_log_weight() -> None:
    logp, old, mask, _ = _batch()
    rho = torch.ones_like(logp)
    rho[0, 1], rho[0, 3] = 1.5, 0.8
    rho[1, 5] = 7.0  # a pad: not counted
    weight = vespo_corrected_sequence_ratio(logp, old, mask, rho)
    plain = vespo_sequence_ratio(logp, old, mask)
    assert weight[0].item() == pytest.approx(plain[0].item() * 1.5 * 0.8)
    assert weight[1].item() == pytest.approx(plain[1].item())


def test_a_masked_out_token_floors_its_sequence() -> None:
    logp, old, mask, adv = _batch()
    rho = torch.ones_like(logp)
    rho[2, 0] = 0.0  # token_mask mode: outside the clip range
    weight = vespo_corrected_sequence_ratio(logp, old, mask, rho)
    assert weight[2].item() == pytest.approx(1e-8)
    # φ(1e-8) is ~0: that sequence no longer moves the policy
    logp = logp.clone().requires_grad_()
    vespo_corrected_loss(logp, old, adv, mask, rho).backward()
    assert logp.grad[2].abs().max().item() < 1e-12 and logp.grad[0].abs().max() > 0


def test_weight_carries_no_gradient() -> None:
    logp, old, mask, adv = _batch()
    logp.requires_grad_()
    rho = torch.full_like(logp, 1.1)
    loss = vespo_corrected_loss(logp, old, adv, mask, rho)
    (grad,) = torch.autograd.grad(loss, logp)
    w = vespo_corrected_sequence_ratio(logp, old, mask, rho)
    k = torch.where(adv >= 0, 2.0, 3.0).to(F64)
    lam = torch.where(adv >= 0, 3.0, 2.0).to(F64)
    phi = torch.exp(lam + k * torch.log(w) - lam * w)
    expected = -(phi * adv).unsqueeze(-1) * mask / mask.sum()
    torch.testing.assert_close(grad, expected)
    assert math.isfinite(loss.item())
    with pytest.raises(ValueError, match="advantages"):
        vespo_corrected_loss(logp, old, adv[:, None], mask, rho)

"""rlref.algos.cpo: CPO's loss types, label smoothing, the NLL term and AlphaPO rewards."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from rlref.algos.cpo import alphapo_reward, cpo_loss
from rlref.algos.preference import simpo_loss

F64 = torch.float64
W = torch.tensor([-1.0, -3.0], dtype=F64)  # ℓ(y_w)
L = torch.tensor([-2.0, -2.5], dtype=F64)  # ℓ(y_l)


def test_alphapo_reward_hand_computed_and_limit() -> None:
    ell = torch.tensor([-0.5, -4.0], dtype=F64)
    alpha = 0.5
    expected = (1 - torch.exp(ell) ** (-alpha)) / alpha  # (1 − p^−α)/α
    torch.testing.assert_close(alphapo_reward(ell, alpha), expected)
    torch.testing.assert_close(alphapo_reward(ell, 0.0), ell)
    torch.testing.assert_close(alphapo_reward(ell, 1e-8), ell, rtol=1e-6, atol=1e-7)
    # monotone; where p is small, steeper than log p for α > 0 and flatter for α < 0
    ells = torch.tensor([-8.0, -7.0, -1.0, 0.0], dtype=F64)
    steep, flat = alphapo_reward(ells, 1.0), alphapo_reward(ells, -1.0)
    assert torch.all(steep.diff() > 0) and torch.all(flat.diff() > 0)
    assert steep[1] - steep[0] > 1.0 > flat[1] - flat[0]
    assert torch.all(flat >= -1.0)  # bounded below by 1/α


def test_sigmoid_with_smoothing_hand_computed() -> None:
    beta, eps = 0.5, 0.2
    out = cpo_loss(W, L, beta, label_smoothing=eps, cpo_alpha=0.0)
    logits = beta * (W - L)
    expected = (-(1 - eps) * F.logsigmoid(logits) - eps * F.logsigmoid(-logits)).mean()
    torch.testing.assert_close(out.loss, expected)
    assert out.nll_loss.item() == 0.0
    torch.testing.assert_close(out.chosen_rewards, beta * W)


def test_hinge_ipo_simpo() -> None:
    beta = 0.5
    gap = W - L
    torch.testing.assert_close(
        cpo_loss(W, L, beta, "hinge", cpo_alpha=0.0).loss, torch.relu(1 - beta * gap).mean()
    )
    torch.testing.assert_close(
        cpo_loss(W, L, beta, "ipo", cpo_alpha=0.0).loss, ((gap - 1 / (2 * beta)) ** 2).mean()
    )
    # pure SimPO (no NLL, no smoothing) is preference.simpo_loss on mean log-probs
    lengths = torch.tensor([3, 5])
    simpo = simpo_loss(W * lengths, L * lengths, lengths, lengths, beta=2.0, gamma=0.7)
    ours = cpo_loss(W, L, 2.0, "simpo", simpo_gamma=0.7, cpo_alpha=0.0)
    torch.testing.assert_close(ours.loss, simpo.loss)
    with pytest.raises(ValueError, match="loss type"):
        cpo_loss(W, L, loss_type="kto_pair", cpo_alpha=0.0)  # type: ignore[arg-type]


def test_hinge_and_ipo_ignore_label_smoothing_sigmoid_does_not() -> None:
    for loss_type in ("hinge", "ipo"):
        plain = cpo_loss(W, L, loss_type=loss_type, cpo_alpha=0.0).loss
        smoothed = cpo_loss(W, L, loss_type=loss_type, label_smoothing=0.3, cpo_alpha=0.0).loss
        torch.testing.assert_close(plain, smoothed)
    plain = cpo_loss(W, L, cpo_alpha=0.0).loss
    assert cpo_loss(W, L, label_smoothing=0.3, cpo_alpha=0.0).loss.item() != pytest.approx(
        plain.item()
    )


def test_nll_term_is_one_token_mean_and_weighted() -> None:
    tokens = torch.tensor([[-1.0, -2.0, 7.0], [-3.0, 7.0, 7.0]], dtype=F64)  # 7 = pad garbage
    mask = torch.tensor([[1, 1, 0], [1, 0, 0]])
    out = cpo_loss(W, L, 0.1, cpo_alpha=0.5, nll_token_logps=tokens, nll_mask=mask)
    assert out.nll_loss.item() == pytest.approx(2.0)  # (1 + 2 + 3) / 3
    assert out.loss.item() == pytest.approx(out.preference_loss.item() + 0.5 * 2.0)
    with pytest.raises(ValueError, match="nll_token_logps"):
        cpo_loss(W, L)  # the TRL default cpo_alpha = 1 needs the chosen tokens


def test_alphapo_changes_every_loss_type() -> None:
    for loss_type in ("sigmoid", "hinge", "ipo", "simpo"):
        plain = cpo_loss(W, L, 2.0, loss_type, cpo_alpha=0.0).loss
        shaped = cpo_loss(W, L, 2.0, loss_type, alpha=0.5, cpo_alpha=0.0)
        assert shaped.loss.item() != pytest.approx(plain.item()), loss_type
        torch.testing.assert_close(shaped.chosen_rewards, 2.0 * alphapo_reward(W, 0.5))


def test_gradient_float32() -> None:
    w, l_ = W.float().requires_grad_(), L.float()
    tokens, mask = torch.full((2, 3), -1.0, requires_grad=True), torch.ones(2, 3)
    out = cpo_loss(w, l_, nll_token_logps=tokens, nll_mask=mask, alpha=0.3)
    out.loss.backward()
    assert out.loss.dtype == torch.float32
    assert torch.all(w.grad < 0)  # raising ℓ(y_w) lowers the loss
    assert torch.allclose(tokens.grad, torch.full((2, 3), -1 / 6))
    assert math.isfinite(out.loss.item())

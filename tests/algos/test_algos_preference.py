"""rlref.algos.preference: Bradley-Terry, DPO (and cDPO/rDPO), IPO, hinge, SimPO, ORPO, KTO."""

from __future__ import annotations

import math

import pytest
import torch

from rlref.algos.preference import (
    bradley_terry_loss,
    dpo_loss,
    hinge_loss,
    ipo_loss,
    kto_loss,
    kto_reference_point,
    orpo_loss,
    simpo_loss,
)

F64 = torch.float64


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def test_bradley_terry_hand_computed_with_margin() -> None:
    chosen = torch.tensor([2.0, 0.0], dtype=F64)
    rejected = torch.tensor([1.0, 1.0], dtype=F64)
    out = bradley_terry_loss(chosen, rejected)
    expected = -(math.log(_sigmoid(1.0)) + math.log(_sigmoid(-1.0))) / 2
    assert out.loss.item() == pytest.approx(expected)
    with_margin = bradley_terry_loss(chosen, rejected, margin=torch.tensor([0.5, 0.0], dtype=F64))
    expected_margin = -(math.log(_sigmoid(0.5)) + math.log(_sigmoid(-1.0))) / 2
    assert with_margin.loss.item() == pytest.approx(expected_margin)
    torch.testing.assert_close(out.chosen_rewards, chosen)


def _pairs(seed: int = 0):
    gen = torch.Generator().manual_seed(seed)
    return tuple(-torch.rand(4, generator=gen, dtype=F64) * 20 for _ in range(4))


@pytest.mark.parametrize(("smoothing", "robust"), [(0.0, False), (0.1, False), (0.1, True)])
def test_dpo_is_log2_when_policy_equals_reference(smoothing: float, robust: bool) -> None:
    chosen, rejected, _, _ = _pairs()
    out = dpo_loss(chosen, rejected, chosen, rejected, 0.1, smoothing, robust)
    assert out.loss.item() == pytest.approx(math.log(2))
    assert torch.all(out.chosen_rewards == 0) and torch.all(out.rejected_rewards == 0)


def test_dpo_hand_computed_and_rewards() -> None:
    pc, pr = torch.tensor([-5.0], dtype=F64), torch.tensor([-9.0], dtype=F64)
    rc, rr = torch.tensor([-6.0], dtype=F64), torch.tensor([-8.0], dtype=F64)
    beta = 0.5
    out = dpo_loss(pc, pr, rc, rr, beta)
    h = (-5 + 6) - (-9 + 8)  # = 2
    assert out.loss.item() == pytest.approx(-math.log(_sigmoid(beta * h)))
    assert out.chosen_rewards.item() == pytest.approx(0.5)
    assert out.rejected_rewards.item() == pytest.approx(-0.5)
    cdpo = dpo_loss(pc, pr, rc, rr, beta, label_smoothing=0.2)
    expected = -0.8 * math.log(_sigmoid(1.0)) - 0.2 * math.log(_sigmoid(-1.0))
    assert cdpo.loss.item() == pytest.approx(expected)
    rdpo = dpo_loss(pc, pr, rc, rr, beta, label_smoothing=0.2, robust=True)
    expected = (-0.8 * math.log(_sigmoid(1.0)) + 0.2 * math.log(_sigmoid(-1.0))) / 0.6
    assert rdpo.loss.item() == pytest.approx(expected)


def test_dpo_gradient_raises_chosen_and_lowers_rejected() -> None:
    pc, pr, rc, rr = _pairs(1)
    pc, pr = pc.clone().requires_grad_(), pr.clone().requires_grad_()
    dpo_loss(pc, pr, rc, rr).loss.backward()
    assert torch.all(pc.grad < 0) and torch.all(pr.grad > 0)


def test_ipo_hand_computed_and_minimum() -> None:
    beta = 0.25  # target margin 1 / (2τ) = 2
    pc, pr = torch.tensor([-1.0], dtype=F64), torch.tensor([-4.0], dtype=F64)
    rc, rr = torch.tensor([-2.0], dtype=F64), torch.tensor([-3.0], dtype=F64)
    out = ipo_loss(pc, pr, rc, rr, beta)  # h = 1 − (−1) = 2
    assert out.loss.item() == pytest.approx(0.0)
    off = ipo_loss(pc, pr - 1.0, rc, rr, beta)  # h = 3
    assert off.loss.item() == pytest.approx(1.0)


def test_hinge_is_zero_beyond_the_margin() -> None:
    rc, rr = torch.zeros(2, dtype=F64), torch.zeros(2, dtype=F64)
    pc, pr = torch.tensor([3.0, 0.5], dtype=F64), torch.zeros(2, dtype=F64)
    out = hinge_loss(pc, pr, rc, rr, beta=0.5)
    # βh = 1.5 → 0; βh = 0.25 → 0.75
    assert out.loss.item() == pytest.approx(0.75 / 2)


def test_simpo_hand_computed_and_length_normalised() -> None:
    pc, pr = torch.tensor([-10.0], dtype=F64), torch.tensor([-30.0], dtype=F64)
    lc, lr = torch.tensor([5]), torch.tensor([10])
    out = simpo_loss(pc, pr, lc, lr, beta=2.0, gamma=0.5)
    # r̂_w = 2·(−2) = −4, r̂_l = 2·(−3) = −6 → −log σ(2 − 0.5)
    assert out.loss.item() == pytest.approx(-math.log(_sigmoid(1.5)))
    doubled = simpo_loss(2 * pc, 2 * pr, 2 * lc, 2 * lr, beta=2.0, gamma=0.5)
    torch.testing.assert_close(doubled.loss, out.loss)


def test_orpo_hand_computed() -> None:
    chosen_avg = torch.tensor([math.log(0.6)], dtype=F64)
    rejected_avg = torch.tensor([math.log(0.2)], dtype=F64)
    out = orpo_loss(chosen_avg, rejected_avg, lam=0.1)
    log_odds = math.log((0.6 / 0.4) / (0.2 / 0.8))  # = log 6
    assert out.log_odds_ratio.item() == pytest.approx(log_odds)
    assert out.nll_loss.item() == pytest.approx(-math.log(0.6))
    assert out.loss.item() == pytest.approx(-math.log(0.6) - 0.1 * math.log(_sigmoid(log_odds)))
    assert out.chosen_rewards.item() == pytest.approx(0.1 * math.log(0.6))


def test_orpo_token_mean_nll_pools_tokens_over_the_batch() -> None:
    # TRL's convention: one token mean over every attended token of the chosen rows
    token_logps = torch.tensor([[-1.0, -2.0, 0.0], [-4.0, -5.0, -6.0]], dtype=F64)
    mask = torch.tensor([[1, 1, 0], [1, 1, 1]])
    chosen_avg = torch.tensor([math.log(0.6), math.log(0.5)], dtype=F64)
    rejected_avg = torch.tensor([math.log(0.2), math.log(0.3)], dtype=F64)
    out = orpo_loss(chosen_avg, rejected_avg, lam=0.1, nll_token_logps=token_logps, nll_mask=mask)
    assert out.nll_loss.item() == pytest.approx(18.0 / 5)  # not (1.5 + 5) / 2
    default = orpo_loss(chosen_avg, rejected_avg, lam=0.1)
    # the odds-ratio term is shared: the losses differ by the NLL terms only
    diff = (out.loss - default.loss).item()
    assert diff == pytest.approx(out.nll_loss.item() - default.nll_loss.item())
    with pytest.raises(ValueError):
        orpo_loss(chosen_avg, rejected_avg, nll_token_logps=token_logps)


def test_orpo_is_accurate_near_probability_one() -> None:
    chosen_avg = torch.tensor([-1e-12], dtype=F64)
    out = orpo_loss(chosen_avg, torch.tensor([-2.0], dtype=F64))
    assert torch.isfinite(out.loss)


def test_kto_hand_computed() -> None:
    policy = torch.tensor([-3.0, -5.0], dtype=F64)
    ref = torch.tensor([-4.0, -4.0], dtype=F64)  # r = +1 (desirable), −1 (undesirable)
    desirable = torch.tensor([True, False])
    out = kto_loss(policy, ref, desirable, reference_point=0.5, beta=2.0, undesirable_weight=1.5)
    good = 1 - _sigmoid(2.0 * (1 - 0.5))
    bad = 1.5 * (1 - _sigmoid(2.0 * (0.5 + 1)))
    assert out.loss.item() == pytest.approx((good + bad) / 2)
    torch.testing.assert_close(out.chosen_rewards, torch.tensor([2.0], dtype=F64))
    torch.testing.assert_close(out.rejected_rewards, torch.tensor([-2.0], dtype=F64))


def test_kto_reference_point_is_clamped_and_detached() -> None:
    policy = torch.tensor([-1.0, -2.0], dtype=F64, requires_grad=True)
    z0 = kto_reference_point(policy, torch.tensor([-1.5, -2.5], dtype=F64))
    assert z0.item() == pytest.approx(0.5) and not z0.requires_grad
    assert kto_reference_point(policy, torch.tensor([0.0, 0.0], dtype=F64)).item() == 0.0


def test_float32_and_float64_agree() -> None:
    pc, pr, rc, rr = _pairs(2)
    for fn in (dpo_loss, ipo_loss, hinge_loss):
        low = fn(pc.float(), pr.float(), rc.float(), rr.float()).loss
        torch.testing.assert_close(low.double(), fn(pc, pr, rc, rr).loss, rtol=1e-5, atol=1e-5)

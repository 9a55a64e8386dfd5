"""rlref.algos.policy_loss: aggregation, REINFORCE, PPO, value/entropy terms and GRPO."""

from __future__ import annotations

import math

import pytest
import torch

from rlref.algos.kl import kl_k3
from rlref.algos.policy_loss import (
    aggregate_loss,
    entropy_bonus,
    grpo_loss,
    importance_ratio,
    ppo_clip_loss,
    reinforce_loss,
    value_loss_clipped,
)

F64 = torch.float64
LOSS = torch.tensor([[1.0, 2.0, 3.0], [4.0, 0.0, 0.0]], dtype=F64)
MASK = torch.tensor([[1, 1, 1], [1, 0, 0]])


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("token-mean", (1 + 2 + 3 + 4) / 4),
        ("bnpo", (1 + 2 + 3 + 4) / 4),
        ("seq-mean-token-mean", (2.0 + 4.0) / 2),
        ("seq-mean-token-sum", (6.0 + 4.0) / 2),
        ("seq-mean-token-sum-norm", (6.0 + 4.0) / (2 * 3)),
        ("token-sum", 10.0),
    ],
)
def test_aggregate_loss_hand_computed(mode: str, expected: float) -> None:
    assert aggregate_loss(LOSS, MASK, mode).item() == pytest.approx(expected)


def test_dr_grpo_constant_is_max_completion_length() -> None:
    got = aggregate_loss(LOSS, MASK, "seq-mean-token-sum-norm", max_completion_length=10)
    assert got.item() == pytest.approx(10.0 / (2 * 10))


@pytest.mark.parametrize(
    "mode",
    [
        "token-mean",
        "bnpo",
        "seq-mean-token-mean",
        "seq-mean-token-sum",
        "seq-mean-token-sum-norm",
        "token-sum",
    ],
)
def test_padding_never_changes_the_aggregate(mode: str) -> None:
    base = aggregate_loss(LOSS, MASK, mode, max_completion_length=8)
    # pad columns (holding nan) and an all-pad row
    padded = torch.cat([LOSS, torch.full((2, 2), float("nan"), dtype=F64)], dim=1)
    padded = torch.cat([padded, torch.full((1, 5), 5.0, dtype=F64)], dim=0)
    padded_mask = torch.zeros(3, 5, dtype=torch.long)
    padded_mask[:2, :3] = MASK
    got = aggregate_loss(padded, padded_mask, mode, max_completion_length=8)
    torch.testing.assert_close(got, base)


def test_aggregate_loss_rejects_unknown_mode() -> None:
    with pytest.raises(ValueError):
        aggregate_loss(LOSS, MASK, "dapo")  # type: ignore[arg-type]  (TRL's name, not a mode)


def test_bnpo_and_token_mean_differ_only_in_whose_token_count_divides() -> None:
    # one batch: the same number
    assert aggregate_loss(LOSS, MASK, "bnpo").item() == aggregate_loss(LOSS, MASK, "token-mean")
    # split into micro-batches of 3 and 1 real tokens, as TRL accumulates them:
    # bnpo divides each by its own count and averages over the accumulation steps …
    micro = [(LOSS[:1], MASK[:1]), (LOSS[1:], MASK[1:])]
    bnpo = sum(aggregate_loss(x, m, "bnpo") for x, m in micro) / len(micro)
    assert bnpo.item() == pytest.approx((6 / 3 + 4 / 1) / 2)
    # … while dapo / verl's token-mean divide every micro-batch by the global count
    total = int(MASK.sum())
    dapo = sum(aggregate_loss(x, m, "token-sum") / total for x, m in micro)
    assert dapo.item() == pytest.approx(aggregate_loss(LOSS, MASK, "token-mean").item())
    assert bnpo.item() != pytest.approx(dapo.item())


def test_importance_ratio() -> None:
    logp = torch.log(torch.tensor([0.3, 0.5], dtype=F64))
    old = torch.log(torch.tensor([0.6, 0.25], dtype=F64))
    torch.testing.assert_close(importance_ratio(logp, old), torch.tensor([0.5, 2.0], dtype=F64))


def test_reinforce_loss_value_and_gradient() -> None:
    logp = torch.tensor([[-1.0, -2.0], [-0.5, -9.0]], dtype=F64, requires_grad=True)
    mask = torch.tensor([[1, 1], [1, 0]])
    returns = torch.tensor([3.0, 1.0], dtype=F64)
    loss = reinforce_loss(logp, returns, mask, baseline=2.0)
    # seq-mean-token-sum: −[(3−2)(−1−2) + (1−2)(−0.5)] / 2
    assert loss.item() == pytest.approx(-(1.0 * -3.0 + -1.0 * -0.5) / 2)
    loss.backward()
    torch.testing.assert_close(logp.grad, torch.tensor([[-0.5, -0.5], [0.5, 0.0]], dtype=F64))


def _ppo_case():
    # ratios 1.5, 0.5, 1.1, 0.7 with advantages +1, −1, +2, +1 (ε = 0.2)
    ratios = torch.tensor([[1.5, 0.5, 1.1, 0.7]], dtype=F64)
    old = torch.zeros(1, 4, dtype=F64)
    logp = torch.log(ratios).requires_grad_()
    advantages = torch.tensor([[1.0, -1.0, 2.0, 1.0]], dtype=F64)
    return logp, old, advantages, torch.ones(1, 4)


def test_ppo_clip_loss_hand_computed() -> None:
    logp, old, advantages, mask = _ppo_case()
    out = ppo_clip_loss(logp, old, advantages, mask, clip_eps=0.2)
    # per token: −min(1.5, 1.2)=−1.2, −min(−0.5, −0.8)=0.8, −min(2.2, 2.2)=−2.2, −min(0.7, 0.8)=−0.7
    assert out.loss.item() == pytest.approx((-1.2 + 0.8 - 2.2 - 0.7) / 4)
    assert out.clip_fraction.item() == pytest.approx(2 / 4)  # tokens 0 and 1
    assert out.dual_clip_fraction.item() == 0.0


def test_ppo_gradient_is_zero_where_clipped_on_the_advantage_side() -> None:
    logp, old, advantages, mask = _ppo_case()
    ppo_clip_loss(logp, old, advantages, mask, clip_eps=0.2, loss_agg="token-sum").loss.backward()
    grad = logp.grad[0]
    assert grad[0].item() == 0.0  # r = 1.5 > 1.2 with A > 0
    assert grad[1].item() == 0.0  # r = 0.5 < 0.8 with A < 0
    # unclipped: ∂(−r A)/∂log π = −r A
    assert grad[2].item() == pytest.approx(-1.1 * 2.0)
    # r = 0.7 < 0.8 but A > 0: the min keeps the unclipped term, the gradient flows
    assert grad[3].item() == pytest.approx(-0.7 * 1.0)


def test_decoupled_clip_higher() -> None:
    logp, old, advantages, mask = _ppo_case()
    out = ppo_clip_loss(logp, old, advantages, mask, clip_eps_low=0.2, clip_eps_high=0.6)
    # token 0 (r = 1.5, A = 1) is now inside 1 + 0.6: loss −1.5 instead of −1.2
    assert out.loss.item() == pytest.approx((-1.5 + 0.8 - 2.2 - 0.7) / 4)
    assert out.clip_fraction.item() == pytest.approx(1 / 4)


def test_dual_clip_caps_negative_advantage_loss() -> None:
    logp = torch.log(torch.tensor([[10.0, 2.0]], dtype=F64)).requires_grad_()
    old = torch.zeros(1, 2, dtype=F64)
    advantages = torch.tensor([[-1.0, -1.0]], dtype=F64)
    out = ppo_clip_loss(logp, old, advantages, torch.ones(1, 2), clip_ratio_c=3.0)
    # token 0: −min(−10, −1.2) = 10, capped at −c·A = 3; token 1: −min(−2, −1.2) = 2
    assert out.loss.item() == pytest.approx((3.0 + 2.0) / 2)
    assert out.dual_clip_fraction.item() == pytest.approx(0.5)
    out.loss.backward()
    assert logp.grad[0, 0].item() == 0.0 and logp.grad[0, 1].item() != 0.0
    with pytest.raises(ValueError):
        ppo_clip_loss(logp, old, advantages, torch.ones(1, 2), clip_ratio_c=1.0)


def test_value_loss_clipped_hand_computed() -> None:
    values = torch.tensor([[2.0, 0.0]], dtype=F64)
    old_values = torch.tensor([[1.0, 0.1]], dtype=F64)
    returns = torch.tensor([[3.0, 0.0]], dtype=F64)
    out = value_loss_clipped(values, old_values, returns, torch.ones(1, 2), clip_range_value=0.5)
    # token 0: V_clip = 1.5 → max((2−3)², (1.5−3)²) = 2.25; token 1: V_clip = 0 → 0
    assert out.loss.item() == pytest.approx(0.5 * (2.25 + 0.0) / 2)
    assert out.clip_fraction.item() == pytest.approx(0.5)


def test_entropy_bonus_is_negative_scaled_mean() -> None:
    entropy = torch.tensor([[1.0, 3.0], [2.0, 100.0]], dtype=F64)
    mask = torch.tensor([[1, 1], [1, 0]])
    assert entropy_bonus(entropy, mask, coef=0.01).item() == pytest.approx(-0.01 * 2.0)


def _grpo_inputs(seed: int = 0):
    gen = torch.Generator().manual_seed(seed)
    old = -torch.rand(4, 6, generator=gen, dtype=F64) * 3
    logp = (old + 0.3 * torch.randn(4, 6, generator=gen, dtype=F64)).requires_grad_()
    ref = old + 0.2 * torch.randn(4, 6, generator=gen, dtype=F64)
    advantages = torch.randn(4, generator=gen, dtype=F64)
    mask = torch.rand(4, 6, generator=gen) > 0.3
    return logp, old, ref, advantages, mask


def test_grpo_with_zero_beta_is_ppo_clip() -> None:
    logp, old, ref, advantages, mask = _grpo_inputs()
    grpo = grpo_loss(logp, old, ref, advantages, mask, beta=0.0)
    ppo = ppo_clip_loss(logp, old, advantages, mask, loss_agg="seq-mean-token-mean")
    torch.testing.assert_close(grpo.loss, ppo.loss)
    torch.testing.assert_close(grpo.clip_fraction, ppo.clip_fraction)


def test_grpo_adds_beta_times_k3() -> None:
    logp, old, ref, advantages, mask = _grpo_inputs(1)
    beta = 0.04
    grpo = grpo_loss(logp, old, ref, advantages, mask, beta, loss_agg="token-mean")
    ppo = ppo_clip_loss(logp, old, advantages, mask, loss_agg="token-mean")
    k3 = kl_k3(logp, ref)
    expected_kl = k3[mask].mean()
    torch.testing.assert_close(grpo.kl, expected_kl.detach())
    torch.testing.assert_close(grpo.loss, ppo.loss + beta * expected_kl)


def test_grpo_ratio_weighted_kl_changes_gradient_not_value_on_policy() -> None:
    logp, _, ref, advantages, mask = _grpo_inputs(2)
    old = logp.detach()  # on-policy: r = 1
    plain = grpo_loss(logp, old, ref, advantages, mask, beta=0.1)
    weighted = grpo_loss(logp, old, ref, advantages, mask, beta=0.1, kl_ratio_weighted=True)
    torch.testing.assert_close(plain.loss, weighted.loss)
    (g_plain,) = torch.autograd.grad(plain.loss, logp)
    (g_weighted,) = torch.autograd.grad(weighted.loss, logp)
    assert not torch.allclose(g_plain, g_weighted)


def test_grpo_requires_reference_when_beta_nonzero() -> None:
    logp, old, _, advantages, mask = _grpo_inputs(3)
    assert grpo_loss(logp, old, None, advantages, mask, beta=0.0).kl.item() == 0.0
    with pytest.raises(ValueError):
        grpo_loss(logp, old, None, advantages, mask, beta=0.1)


def test_ppo_padding_invariance_and_float32_agreement() -> None:
    logp, old, _, advantages, mask = _grpo_inputs(4)
    base = ppo_clip_loss(logp, old, advantages, mask, clip_ratio_c=3.0).loss
    pad = torch.full((4, 3), math.nan, dtype=F64)
    padded = ppo_clip_loss(
        torch.cat([logp, pad], 1),
        torch.cat([old, pad], 1),
        advantages,
        torch.cat([mask, torch.zeros(4, 3, dtype=torch.bool)], 1),
        clip_ratio_c=3.0,
    ).loss
    torch.testing.assert_close(padded, base)
    low = ppo_clip_loss(logp.float(), old.float(), advantages.float(), mask, clip_ratio_c=3.0)
    torch.testing.assert_close(low.loss.double(), base, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("batch", [3, 4])
def test_reinforce_per_sequence_baseline_spans_its_row(batch: int) -> None:
    # A (B,) baseline belongs to each sequence, also when B == T (square) or B != T.
    torch.manual_seed(0)
    logp = -torch.rand(batch, 3, dtype=torch.float64)
    returns = torch.randn(batch, 3, dtype=torch.float64)
    mask = torch.ones(batch, 3, dtype=torch.float64)
    baseline = torch.randn(batch, dtype=torch.float64)
    got = reinforce_loss(logp, returns, mask, baseline)
    expected = reinforce_loss(logp, returns, mask, baseline[:, None].expand(batch, 3))
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-15)
    manual = -(((returns - baseline[:, None]) * logp).sum(-1)).mean()
    torch.testing.assert_close(got, manual, rtol=0, atol=1e-15)


def test_no_reduction_returns_the_masked_per_token_losses() -> None:
    junk_at_pads = LOSS + 7.0 * (1 - MASK)
    per_token = aggregate_loss(junk_at_pads, MASK, "none")
    assert per_token.shape == LOSS.shape
    assert torch.equal(per_token, LOSS)  # the pads' 7s are gone
    # every other mode is a reduction of it
    assert aggregate_loss(LOSS, MASK, "token-sum") == per_token.sum()

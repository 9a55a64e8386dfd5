"""rlref.algos.objectives: BT + centring penalty, PPO's total objective, AlphaZero's loss."""

from __future__ import annotations

import math

import pytest
import torch

from rlref.algos.objectives import alphazero_loss, bradley_terry_centered_loss, ppo_total_loss
from rlref.algos.policy_loss import entropy_bonus, ppo_clip_loss, value_loss_clipped
from rlref.algos.preference import bradley_terry_loss

F64 = torch.float64


# ----------------------------------------------------------------------------- BT + centring


def test_bt_centered_loss_hand_computed() -> None:
    chosen = torch.tensor([1.0, 0.0], dtype=F64)
    rejected = torch.tensor([0.0, 1.0], dtype=F64)
    out = bradley_terry_centered_loss(chosen, rejected, center_coef=0.1)
    # L_BT = mean(−log σ(1), −log σ(−1)); penalty = 0.1 · mean(1², 1²)
    bt = (math.log1p(math.exp(-1.0)) + math.log1p(math.exp(1.0))) / 2
    assert out.loss.item() == pytest.approx(bt + 0.1)
    torch.testing.assert_close(out.chosen_rewards, chosen)


def test_bt_centered_loss_penalises_a_shift_the_bt_loss_cannot_see() -> None:
    gen = torch.Generator().manual_seed(0)
    chosen = torch.randn(16, generator=gen, dtype=F64)
    rejected = torch.randn(16, generator=gen, dtype=F64)
    margin = torch.rand(16, generator=gen, dtype=F64)
    eta = 0.05
    # with η = 0 it is the BT loss itself
    torch.testing.assert_close(
        bradley_terry_centered_loss(chosen, rejected, 0.0, margin).loss,
        bradley_terry_loss(chosen, rejected, margin).loss,
    )
    base = bradley_terry_centered_loss(chosen, rejected, eta, margin).loss
    shifted = bradley_terry_centered_loss(chosen + 3.0, rejected + 3.0, eta, margin).loss
    # the BT part is shift-invariant, so the whole change is the penalty's
    expected = eta * (((chosen + rejected + 6.0) ** 2).mean() - ((chosen + rejected) ** 2).mean())
    torch.testing.assert_close(shifted - base, expected)
    # and the penalty's gradient pulls a positive score sum back towards 0
    scores = (chosen + 3.0).requires_grad_()
    bradley_terry_centered_loss(scores, rejected + 3.0, eta, margin).loss.backward()
    bt_only = (chosen + 3.0).requires_grad_()
    bradley_terry_loss(bt_only, rejected + 3.0, margin).loss.backward()
    penalty_grad = scores.grad - bt_only.grad
    torch.testing.assert_close(penalty_grad, eta * 2 * (chosen + rejected + 6.0) / 16)


# ------------------------------------------------------------------------------- PPO total


def test_ppo_total_loss_hand_computed() -> None:
    # one token: r = 1.5, Â = 1, ε = 0.2 → L^CLIP = min(1.5, 1.2) = 1.2
    logp = torch.tensor([[math.log(1.5)]], dtype=F64)
    old = torch.zeros(1, 1, dtype=F64)
    adv = torch.ones(1, dtype=F64)
    # V = 1, V_old = 0, R = 0, ε_v = 0.2: ½ max(1², 0.2²) = 0.5
    values, old_values, returns = (torch.tensor([[x]], dtype=F64) for x in (1.0, 0.0, 0.0))
    entropy = torch.tensor([[2.0]], dtype=F64)
    mask = torch.ones(1, 1)
    out = ppo_total_loss(logp, old, adv, values, old_values, returns, entropy, mask,
                         clip_eps=0.2, clip_range_value=0.2, vf_coef=0.5, ent_coef=0.1)
    # −L^total = −1.2 + 0.5 · 0.5 − 0.1 · 2
    assert out.loss.item() == pytest.approx(-1.2 + 0.25 - 0.2)
    assert out.policy_loss.item() == pytest.approx(-1.2)
    assert out.value_loss.item() == pytest.approx(0.5)
    assert out.entropy.item() == pytest.approx(2.0)


@pytest.mark.parametrize("loss_agg", ["token-mean", "seq-mean-token-mean", "token-sum"])
def test_ppo_total_loss_is_the_weighted_sum_of_the_checked_terms(loss_agg: str) -> None:
    gen = torch.Generator().manual_seed(1)
    shape = (3, 6)
    logp, old, adv, values, old_values, returns = (
        torch.randn(shape, generator=gen, dtype=F64) for _ in range(6)
    )
    entropy = torch.rand(shape, generator=gen, dtype=F64)
    mask = torch.ones(shape, dtype=torch.bool)
    mask[0, 4:] = False
    logp.requires_grad_()
    out = ppo_total_loss(logp, old, adv, values, old_values, returns, entropy, mask,
                         clip_eps=0.2, clip_range_value=0.3, vf_coef=0.7, ent_coef=0.05,
                         loss_agg=loss_agg)
    expected = (
        ppo_clip_loss(logp, old, adv, mask, 0.2, loss_agg=loss_agg).loss
        + 0.7 * value_loss_clipped(values, old_values, returns, mask, 0.3, loss_agg).loss
        + entropy_bonus(entropy, mask, 0.05, loss_agg)
    )
    torch.testing.assert_close(out.loss, expected)
    # the value and entropy terms do not depend on the policy log-probs
    (grad,) = torch.autograd.grad(out.loss, logp)
    (clip_grad,) = torch.autograd.grad(ppo_clip_loss(logp, old, adv, mask, 0.2,
                                                     loss_agg=loss_agg).loss, logp)
    torch.testing.assert_close(grad, clip_grad)


# -------------------------------------------------------------------------------- AlphaZero


def test_alphazero_loss_hand_computed() -> None:
    out = alphazero_loss(
        value=torch.tensor([0.5], dtype=F64),
        outcome=torch.tensor([1.0], dtype=F64),
        policy_logits=torch.zeros(1, 2, dtype=F64),  # p = (½, ½)
        search_policy=torch.tensor([[1.0, 0.0]], dtype=F64),
        params=[torch.tensor([1.0], dtype=F64), torch.tensor([[2.0]], dtype=F64)],
        c=0.1,
    )
    # (1 − 0.5)² + (−log ½) + 0.1 · (1² + 2²)
    assert out.value_loss.item() == pytest.approx(0.25)
    assert out.policy_loss.item() == pytest.approx(math.log(2))
    assert out.l2.item() == pytest.approx(0.5)
    assert out.loss.item() == pytest.approx(0.25 + math.log(2) + 0.5)


def test_alphazero_policy_term_is_smallest_when_the_network_matches_the_search() -> None:
    gen = torch.Generator().manual_seed(2)
    pi = torch.softmax(torch.randn(4, 6, generator=gen, dtype=F64), dim=-1)
    value = torch.zeros(4, dtype=F64)
    theta = torch.randn(5, generator=gen, dtype=F64)
    matched = alphazero_loss(value, value, pi.log(), pi, theta, 0.0)
    # −π^T log π is the entropy of π (Gibbs: cross-entropy ≥ entropy)
    entropy = -(pi * pi.log()).sum(-1).mean()
    torch.testing.assert_close(matched.policy_loss, entropy)
    for _ in range(5):
        logits = torch.randn(4, 6, generator=gen, dtype=F64)
        assert alphazero_loss(value, value, logits, pi, theta, 0.0).loss > matched.loss


def test_alphazero_illegal_moves_and_parameter_forms() -> None:
    logits = torch.tensor([[0.0, -math.inf, 1.0]], dtype=F64, requires_grad=True)
    pi = torch.tensor([[0.25, 0.0, 0.75]], dtype=F64)
    z, v = torch.tensor([1.0], dtype=F64), torch.tensor([0.0], dtype=F64)
    theta = torch.tensor([[1.0, -2.0], [0.5, 0.0]], dtype=F64)
    out = alphazero_loss(v, z, logits, pi, theta, 1e-2)
    assert torch.isfinite(out.loss)
    out.loss.backward()
    assert torch.isfinite(logits.grad).all()
    as_list = alphazero_loss(v, z, logits.detach(), pi, [theta[0], theta[1]], 1e-2)
    torch.testing.assert_close(as_list.loss, out.loss.detach())
    assert out.l2.item() == pytest.approx(1e-2 * (1 + 4 + 0.25))

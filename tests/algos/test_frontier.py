"""VESPO, MASPO, VCPO (rlref.algos.frontier) and GEPA (rlref.algos.prompt_evolution)."""

from __future__ import annotations

import math

import pytest
import torch

from rlref.algos.advantages import opo_advantages
from rlref.algos.frontier import (
    ess_lr_scale,
    ess_ratio,
    maspo_gate,
    maspo_loss,
    maspo_sigma,
    opob_baseline,
    vespo_gamma_weight,
    vespo_loss,
    vespo_sequence_ratio,
)
from rlref.algos.policy_loss import gspo_sequence_ratio, ppo_clip_loss
from rlref.algos.prompt_evolution import (
    pareto_front_mask,
    pareto_pruned_front,
    pareto_selection_probs,
)

F64 = torch.float64


def _batch(seed: int = 0, scale: float = 0.05):
    gen = torch.Generator().manual_seed(seed)
    old = -torch.rand(3, 5, generator=gen, dtype=F64) * 2
    logp = (old + scale * torch.randn(3, 5, generator=gen, dtype=F64)).requires_grad_()
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 1, 1, 1, 0]])
    return logp, old, mask


def _single_token(log_w: torch.Tensor):
    """One-token sequences whose product ratio is exp(log_w)."""
    old = torch.full((log_w.numel(), 1), -1.0, dtype=F64)
    return old + log_w.unsqueeze(-1), old, torch.ones_like(old, dtype=torch.long)


# ------------------------------------------------------------------------------------------ VESPO


def test_vespo_ratio_is_the_product_not_the_geometric_mean() -> None:
    logp, old, mask = _batch()
    w = vespo_sequence_ratio(logp, old, mask)
    for i in range(3):
        n = int(mask[i].sum())
        expected = torch.exp((logp[i, :n] - old[i, :n]).sum())
        torch.testing.assert_close(w[i], expected.detach())
    # GSPO's ratio is the |o_i|-th root of VESPO's
    lengths = mask.sum(-1).to(F64)
    torch.testing.assert_close(gspo_sequence_ratio(logp, old, mask).detach(), w ** (1 / lengths))
    assert not w.requires_grad


def test_vespo_ratio_ignores_pads_and_clamps() -> None:
    logp, old, mask = _batch()
    dirty = logp.detach().clone()
    dirty[mask == 0] = float("nan")
    torch.testing.assert_close(vespo_sequence_ratio(dirty, old, mask),
                               vespo_sequence_ratio(logp, old, mask))
    huge = vespo_sequence_ratio(*_single_token(torch.tensor([50.0, -50.0], dtype=F64)))
    torch.testing.assert_close(huge, torch.tensor([math.exp(20.0), 1e-8], dtype=F64))


def test_vespo_kernel_closed_form_and_sign_selection() -> None:
    log_w = torch.linspace(-2.0, 1.5, 9, dtype=F64)
    w = torch.exp(log_w)
    for adv, (k, lam) in ((1.0, (2.0, 3.0)), (0.0, (2.0, 3.0)), (-1.0, (3.0, 2.0))):
        advantages = torch.full((9,), adv, dtype=F64)
        phi = vespo_gamma_weight(*_single_token(log_w), advantages)
        torch.testing.assert_close(phi, math.exp(lam) * w**k * torch.exp(-lam * w))


def test_vespo_kernel_is_one_on_policy_and_peaks_at_k_over_lambda() -> None:
    logp, _, mask = _batch()
    advantages = torch.tensor([1.0, -1.0, 0.5], dtype=F64)
    torch.testing.assert_close(vespo_gamma_weight(logp, logp.detach(), mask, advantages),
                               torch.ones(3, dtype=F64))
    log_w = torch.log(torch.linspace(0.05, 3.0, 600, dtype=F64))
    phi = vespo_gamma_weight(*_single_token(log_w), torch.ones(600, dtype=F64), k_pos=2.0,
                             lambda_pos=4.0)
    assert abs(float(torch.exp(log_w[phi.argmax()])) - 0.5) < 0.01  # k/λ = 2/4


def test_vespo_kernel_rejects_token_advantages() -> None:
    logp, old, mask = _batch()
    with pytest.raises(ValueError):
        vespo_gamma_weight(logp, old, mask, torch.ones(3, 5, dtype=F64))


def test_vespo_loss_gradient_is_phi_weighted_reinforce() -> None:
    logp, old, mask = _batch(scale=0.2)
    advantages = torch.tensor([1.5, -0.7, 0.3], dtype=F64)
    loss = vespo_loss(logp, old, advantages, mask)
    (grad,) = torch.autograd.grad(loss, logp)
    phi = vespo_gamma_weight(logp, old, mask, advantages)
    # token mean: ∂L/∂log π_{i,t} = −φ_i Â_i / Σ|o|
    expected = -(phi * advantages).unsqueeze(-1) * mask / mask.sum()
    torch.testing.assert_close(grad, expected.expand_as(grad))
    # and the value: −Σ m φ Â log π / Σ m
    value = -(phi.unsqueeze(-1) * advantages.unsqueeze(-1) * logp * mask).sum() / mask.sum()
    torch.testing.assert_close(loss, value)


# ------------------------------------------------------------------------------------------ MASPO


def test_maspo_sigma_mass_and_risk_factors() -> None:
    old = torch.log(torch.tensor([[1.0, 0.5, 1e-9]], dtype=F64))
    zero = maspo_sigma(old, torch.zeros(1, dtype=F64))
    # π_old = 1 → σ_base; 0.5 → 0.5^(−0.3); tiny → capped at σ_high
    torch.testing.assert_close(zero.pos, torch.tensor([[1.0, 0.5**-0.3, 10.0]], dtype=F64))
    torch.testing.assert_close(zero.neg, zero.pos)
    pos = maspo_sigma(old, torch.full((1,), 2.0, dtype=F64))
    torch.testing.assert_close(pos.pos, zero.pos * 1.06)
    neg = maspo_sigma(old, torch.full((1,), -2.0, dtype=F64))
    torch.testing.assert_close(neg.neg, zero.pos / 1.06)
    clipped = maspo_sigma(old, torch.full((1,), 1e4, dtype=F64))
    torch.testing.assert_close(clipped.pos, zero.pos * 10.0)  # risk factor capped at a_high


def test_maspo_gate_only_acts_where_ppo_would_clip() -> None:
    old = torch.full((4, 1), math.log(0.5), dtype=F64)
    ratios = torch.tensor([1.8, 0.4, 0.4, 1.8], dtype=F64)
    logp = old + torch.log(ratios).unsqueeze(-1)
    adv = torch.tensor([1.0, -1.0, 1.0, -1.0], dtype=F64)
    gate = maspo_gate(logp, old, adv).squeeze(-1)
    sigma = maspo_sigma(old, adv)
    width = torch.where(adv.unsqueeze(-1) > 0, sigma.pos, sigma.neg).squeeze(-1)
    expected = torch.exp(-((ratios - 1) ** 2) / (2 * width**2))
    torch.testing.assert_close(gate[:2], expected[:2])
    assert bool((gate[:2] < 1).all())
    torch.testing.assert_close(gate[2:], torch.ones(2, dtype=F64))


def test_maspo_keeps_gradient_where_ppo_clip_drops_it() -> None:
    old = torch.full((1, 2), math.log(0.3), dtype=F64)
    logp = (old + torch.log(torch.tensor([[1.5, 1.05]], dtype=F64))).requires_grad_()
    adv = torch.tensor([1.0], dtype=F64)
    mask = torch.ones(1, 2)
    (g_maspo,) = torch.autograd.grad(maspo_loss(logp, old, adv, mask), logp)
    (g_ppo,) = torch.autograd.grad(ppo_clip_loss(logp, old, adv, mask, clip_eps=0.2).loss, logp)
    assert g_ppo[0, 0] == 0 and g_maspo[0, 0] < 0  # past 1 + ε: PPO silent, MASPO shrunk
    gate = maspo_gate(logp, old, adv)
    ratio = torch.exp(logp - old).detach()
    torch.testing.assert_close(g_maspo, -(gate * ratio * adv) / 2)  # ∂(−F r Â)/∂log π, mean
    assert not gate.requires_grad


# ------------------------------------------------------------------------------------------- VCPO


def test_ess_ratio_extremes_and_scale_invariance() -> None:
    torch.testing.assert_close(ess_ratio(torch.ones(8, dtype=F64), eps=0.0),
                               torch.tensor(1.0, dtype=F64))
    one_hot = torch.zeros(8, dtype=F64)
    one_hot[3] = 5.0
    torch.testing.assert_close(ess_ratio(one_hot, eps=0.0), torch.tensor(1 / 8, dtype=F64))
    w = torch.tensor([0.2, 1.5, 0.7, 3.0], dtype=F64)
    expected = w.sum() ** 2 / (4 * (w**2).sum())
    torch.testing.assert_close(ess_ratio(w, eps=0.0), expected)
    torch.testing.assert_close(ess_ratio(7 * w, eps=0.0), expected)
    with pytest.raises(ValueError):
        ess_ratio(torch.ones(2, 2))


def test_ess_lr_scale_rules() -> None:
    rho = torch.tensor(0.25, dtype=F64)
    torch.testing.assert_close(ess_lr_scale(rho), torch.tensor(0.5, dtype=F64))
    torch.testing.assert_close(ess_lr_scale(rho, rule="linear"), rho)
    torch.testing.assert_close(ess_lr_scale(rho, base_ess_ratio=0.5), torch.tensor(0.5**0.5,
                                                                                     dtype=F64))
    torch.testing.assert_close(ess_lr_scale(torch.tensor(0.9), base_ess_ratio=0.5),
                               torch.tensor(1.0))
    with pytest.raises(ValueError):
        ess_lr_scale(rho, rule="cube")  # type: ignore[arg-type]


def test_opob_reduces_to_opo_on_policy_with_length_norms() -> None:
    rewards = torch.tensor([1.0, 0.0, 1.0, 0.0, 0.0, 1.0], dtype=F64)
    lengths = torch.tensor([10.0, 30.0, 5.0, 7.0, 2.0, 40.0], dtype=F64)
    baseline = opob_baseline(rewards, lengths, torch.ones(6, dtype=F64), group_size=3, eps=0.0)
    opo = opo_advantages(rewards, lengths, group_size=3)
    torch.testing.assert_close(rewards - baseline.repeat_interleave(3), opo)


def test_opob_weights_by_squared_ratio() -> None:
    rewards = torch.tensor([1.0, 0.0], dtype=F64)
    norms = torch.tensor([1.0, 1.0], dtype=F64)
    # w = (2, 1): weights 4 and 1 → b = 4/5
    got = opob_baseline(rewards, norms, torch.tensor([2.0, 1.0], dtype=F64), 2, eps=0.0)
    torch.testing.assert_close(got, torch.tensor([0.8], dtype=F64))
    with pytest.raises(ValueError):
        opob_baseline(torch.ones(3), torch.ones(3), torch.ones(3), 2)


# ------------------------------------------------------------------------------------------- GEPA


def test_front_mask_keeps_ties() -> None:
    scores = torch.tensor([[1.0, 0.0, 0.5], [1.0, 0.2, 0.1]])
    expected = torch.tensor([[True, False, True], [True, True, False]])
    assert torch.equal(pareto_front_mask(scores), expected)


def test_selection_probs_count_led_instances() -> None:
    # prompt 2 leads examples 1–4, prompt 3 leads example 5, prompt 1 leads none
    scores = torch.tensor([[0.5, 0.6, 0.7, 0.4, 0.1],
                           [0.6, 0.7, 0.8, 0.5, 0.0],
                           [0.4, 0.3, 0.2, 0.3, 0.2]], dtype=F64)
    torch.testing.assert_close(pareto_selection_probs(scores),
                               torch.tensor([0.0, 0.8, 0.2], dtype=F64))


def test_identical_candidates_keep_only_the_later_one() -> None:
    scores = torch.tensor([[0.3, 0.9], [0.3, 0.9]])
    torch.testing.assert_close(pareto_selection_probs(scores), torch.tensor([0.0, 1.0]))


def test_pruning_order_follows_aggregate_score() -> None:
    # A leads 0, B leads 2, both tie on 1; C ties A on 0 and B on 2
    scores = torch.tensor([[1.0, 1.0, 0.0],
                           [0.0, 1.0, 1.0],
                           [1.0, 0.0, 1.0]], dtype=F64)
    # C checked first (lowest aggregate): every front it is in has a survivor → removed
    low_c = pareto_selection_probs(scores, aggregate=torch.tensor([0.6, 0.5, 0.1], dtype=F64))
    torch.testing.assert_close(low_c, torch.tensor([0.5, 0.5, 0.0], dtype=F64))
    # C checked last: A goes first (fronts 0 and 1 covered by C and B), then nobody else
    high_c = pareto_selection_probs(scores, aggregate=torch.tensor([0.1, 0.5, 0.9], dtype=F64))
    torch.testing.assert_close(high_c, torch.tensor([0.0, 0.5, 0.5], dtype=F64))


def test_pruned_front_drops_only_covered_candidates_and_accepts_integers() -> None:
    # integer scores: candidate 1 ties candidate 0 everywhere it leads, candidate 2 leads alone
    scores = torch.tensor([[2, 2, 0], [2, 1, 0], [0, 0, 3]])
    pruned = pareto_pruned_front(scores)
    # 1 (lower mean) is checked first and covered by 0 on instance 0 → removed
    expected = torch.tensor([[True, True, False], [False, False, False], [False, False, True]])
    assert torch.equal(pruned, expected)
    assert torch.equal(pruned, pruned & pareto_front_mask(scores))  # pruning only removes
    torch.testing.assert_close(pareto_selection_probs(scores),
                               torch.tensor([2 / 3, 0.0, 1 / 3], dtype=F64))


def test_selection_probs_reject_bad_shapes() -> None:
    with pytest.raises(ValueError):
        pareto_selection_probs(torch.ones(3))


# ---------------------------------------------------------------------------------------- devices


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_frontier_functions_create_no_cpu_tensors(dtype: torch.dtype) -> None:
    meta = torch.device("meta")
    mat = torch.empty(2, 5, device=meta, dtype=dtype)
    vec = torch.empty(2, device=meta, dtype=dtype)
    mask = torch.ones(2, 5, device=meta, dtype=torch.bool)
    assert vespo_loss(mat, mat, vec, mask).device == meta
    assert maspo_loss(mat, mat, vec, mask).device == meta
    assert ess_lr_scale(ess_ratio(vec)).device == meta
    assert opob_baseline(vec, vec, vec, 2).device == meta

"""rlref.algos.grpo_options: the high-entropy token mask and GDPO's multi-reward advantages."""

from __future__ import annotations

import pytest
import torch

from rlref.algos.advantages import group_advantages
from rlref.algos.grpo_options import (
    adaptive_entropy_bonus,
    adaptive_entropy_coef,
    gdpo_advantages,
    high_entropy_mask,
)
from rlref.algos.policy_loss import grpo_loss

F64 = torch.float64


def test_mask_keeps_the_top_fraction_of_real_tokens() -> None:
    entropies = torch.tensor([[0.1, 0.9, 0.5, 9.0], [0.3, 0.7, 0.2, 0.4]], dtype=F64)
    mask = torch.tensor([[1, 1, 1, 0], [1, 1, 1, 1]])  # the 9.0 sits on a pad
    kept = high_entropy_mask(entropies, mask, top_quantile=0.25)
    # 7 real tokens; the 0.75-quantile of them interpolates between 0.5 and 0.7
    threshold = torch.quantile(entropies[mask.bool()], 0.75)
    assert 0.5 < threshold.item() < 0.7
    assert kept.tolist() == [[False, True, False, False], [False, True, False, False]]
    assert high_entropy_mask(entropies, mask, 1.0).tolist() == mask.bool().tolist()
    assert not high_entropy_mask(entropies, torch.zeros_like(mask), 0.2).any()


def test_masked_advantage_equals_masking_the_policy_term() -> None:
    gen = torch.Generator().manual_seed(0)
    logp = torch.randn(4, 6, generator=gen, dtype=F64) * 0.3 - 1
    old = logp + 0.4 * torch.randn(4, 6, generator=gen, dtype=F64)
    adv = torch.randn(4, generator=gen, dtype=F64)
    mask = torch.ones(4, 6, dtype=torch.long)
    keep = high_entropy_mask(torch.rand(4, 6, generator=gen, dtype=F64), mask, 0.3)
    logp.requires_grad_()
    out = grpo_loss(logp, old, None, adv[:, None] * keep, mask, beta=0.0)
    ratio = (logp - old).exp()
    surrogate = torch.min(ratio * adv[:, None], ratio.clamp(0.8, 1.2) * adv[:, None])
    expected = (-(surrogate * keep)).mean(-1).mean()
    torch.testing.assert_close(out.loss, expected)
    (grad,) = torch.autograd.grad(out.loss, logp)
    assert torch.all(grad[~keep] == 0) and grad[keep].abs().sum() > 0


def _scores(seed: int = 0) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(8, 2, generator=gen, dtype=F64) * torch.tensor([1.0, 50.0], dtype=F64)


def test_gdpo_hand_computed() -> None:
    scores, weights = _scores(), torch.tensor([1.0, 0.5], dtype=F64)
    grouped = scores.view(2, 4, 2)
    normalized = (grouped - grouped.mean(1, keepdim=True)) / (grouped.std(1, keepdim=True) + 1e-4)
    combined = (normalized.view(8, 2) * weights).sum(1)
    out = gdpo_advantages(scores, weights, 4)
    torch.testing.assert_close(out.rewards, combined)
    torch.testing.assert_close(
        out.advantages, (combined - combined.mean()) / (combined.std() + 1e-4)
    )
    assert abs(combined.sum().item()) < 1e-12  # each group's R sums to 0: the mean step is a no-op


def test_gdpo_is_not_dominated_by_the_large_reward() -> None:
    scores, weights = _scores(), torch.ones(2, dtype=F64)
    summed_first = group_advantages(scores.sum(1), 4)
    only_large = group_advantages(scores[:, 1], 4)
    # summing first: the advantage follows the large-scale reward almost exactly
    torch.testing.assert_close(summed_first, only_large, rtol=0.1, atol=0.1)
    gdpo = gdpo_advantages(scores, weights, 4).advantages
    assert (gdpo - only_large * gdpo.std() / only_large.std()).abs().max() > 0.3


def test_gdpo_unscored_entries_and_rows() -> None:
    scores, weights = _scores(), torch.tensor([1.0, 2.0], dtype=F64)
    scores[1, 1] = float("nan")  # one function skipped one completion
    scores[6] = float("nan")  # no function scored completion 6
    out = gdpo_advantages(scores, weights, 4)
    assert out.advantages[6].item() == 0.0 and out.rewards[6].isnan()
    assert torch.isfinite(out.advantages).all()
    # completion 1 keeps only its first reward's normalised score
    first = scores[:4, 0]
    expected = (first[1] - first.mean()) / (first.std() + 1e-4)
    assert out.rewards[1].item() == pytest.approx(expected.item())
    with pytest.raises(ValueError, match="group_size"):
        gdpo_advantages(scores, weights, 1)


def test_adaptive_entropy_coef_steps_and_bounds() -> None:
    assert adaptive_entropy_coef(0.1, 0.1, target=0.2) == pytest.approx(0.105)
    assert adaptive_entropy_coef(0.1, 0.3, target=0.2) == pytest.approx(0.095)
    assert adaptive_entropy_coef(0.999, 0.0, target=0.2) == 1.0  # c_max
    assert adaptive_entropy_coef(0.001, 5.0, target=0.2) == 0.0  # c_min
    assert adaptive_entropy_coef(0.1, 0.2, target=0.2) == pytest.approx(0.105)  # at target: up
    coefs = torch.tensor([0.1, 0.1, 0.999], dtype=F64)
    entropies = torch.tensor([0.1, 0.3, 0.0], dtype=F64)
    stepped = adaptive_entropy_coef(coefs, entropies, target=0.2)
    torch.testing.assert_close(stepped, torch.tensor([0.105, 0.095, 1.0], dtype=F64))


def test_adaptive_entropy_bonus_gated_by_the_last_entropy() -> None:
    entropies = torch.tensor([[1.0, 2.0, 9.0], [3.0, 9.0, 9.0]], dtype=F64, requires_grad=True)
    mask = torch.tensor([[1, 1, 0], [1, 0, 0]])
    on = adaptive_entropy_bonus(entropies, mask, coef=0.5, last_entropy=0.1, target=0.2)
    assert on.item() == pytest.approx(-0.5 * 2.0)  # −c · (1 + 2 + 3)/3
    on.backward()
    assert entropies.grad[0, 0].item() == pytest.approx(-0.5 / 3) and entropies.grad[0, 2] == 0
    off = adaptive_entropy_bonus(entropies, mask, coef=0.5, last_entropy=float("inf"), target=0.2)
    assert off.item() == 0.0

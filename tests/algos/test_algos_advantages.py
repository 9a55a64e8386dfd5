"""rlref.algos.advantages: group baselines (GRPO, RLOO, OPO), REINFORCE++ and whitening."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from rlref.algos.advantages import (
    group_advantages,
    masked_whiten,
    opo_advantages,
    process_supervision_advantages,
    reinforce_pp_advantages,
    rloo_advantages,
)
from rlref.algos.returns import discounted_returns

F64 = torch.float64


def test_group_advantages_hand_computed() -> None:
    rewards = torch.tensor([1.0, 0.0, 0.0, 1.0, 2.0, 2.0], dtype=F64)
    # group 1: [1, 0, 0], mean 1/3, std (ddof=1) = √(1/3)
    std = math.sqrt(1 / 3)
    expected = [(2 / 3) / (std + 1e-4), (-1 / 3) / (std + 1e-4), (-1 / 3) / (std + 1e-4)]
    # group 2: [1, 2, 2], mean 5/3, same std
    expected += [(-2 / 3) / (std + 1e-4), (1 / 3) / (std + 1e-4), (1 / 3) / (std + 1e-4)]
    got = group_advantages(rewards, group_size=3)
    torch.testing.assert_close(got, torch.tensor(expected, dtype=F64))


def test_group_advantages_scales() -> None:
    rewards = torch.tensor([1.0, 3.0, 10.0, 20.0], dtype=F64)
    centered = torch.tensor([-1.0, 1.0, -5.0, 5.0], dtype=F64)
    torch.testing.assert_close(group_advantages(rewards, 2, scale="none"), centered)
    batch_std = rewards.std()
    torch.testing.assert_close(
        group_advantages(rewards, 2, scale="batch", eps=0.0), centered / batch_std
    )
    group_std = torch.tensor([math.sqrt(2)] * 2 + [math.sqrt(50)] * 2, dtype=F64)
    torch.testing.assert_close(
        group_advantages(rewards, 2, scale="group", eps=0.0), centered / group_std
    )


def test_group_of_equal_rewards_has_zero_advantage() -> None:
    got = group_advantages(torch.tensor([0.7, 0.7, 0.7, 0.7]), group_size=4)
    assert torch.all(got == 0)


@settings(max_examples=50, deadline=None)
@given(
    st.integers(2, 6).flatmap(
        lambda g: st.tuples(
            st.just(g),
            st.lists(st.floats(-10, 10), min_size=g, max_size=4 * g).map(
                lambda xs, g=g: xs[: len(xs) - len(xs) % g]
            ),
        )
    ),
    st.sampled_from(["group", "batch", "none"]),
)
def test_group_advantages_have_mean_zero_per_group(case, scale) -> None:
    group_size, values = case
    rewards = torch.tensor(values, dtype=F64)
    advantages = group_advantages(rewards, group_size, scale=scale).view(-1, group_size)
    torch.testing.assert_close(
        advantages.mean(-1), torch.zeros(len(values) // group_size, dtype=F64)
    )


def test_group_advantages_reject_single_sample_groups() -> None:
    with pytest.raises(ValueError):
        group_advantages(torch.tensor([1.0, 2.0]), group_size=1)
    with pytest.raises(ValueError):
        group_advantages(torch.tensor([1.0, 2.0, 3.0]), group_size=2)


def test_rloo_baseline_excludes_the_sample() -> None:
    rewards = torch.tensor([1.0, 2.0, 4.0, 0.0, 5.0, 6.0], dtype=F64, requires_grad=True)
    advantages = rloo_advantages(rewards, group_size=3)
    for i in range(6):
        group = list(range(3)) if i < 3 else list(range(3, 6))
        others = [rewards[j].item() for j in group if j != i]
        assert advantages[i].item() == pytest.approx(rewards[i].item() - sum(others) / 2)
    # ∂A_i/∂r_i = 1: the baseline of sample i does not depend on r_i
    (grad_row,) = torch.autograd.grad(advantages[1], rewards)
    torch.testing.assert_close(grad_row, torch.tensor([-0.5, 1.0, -0.5, 0, 0, 0], dtype=F64))


def test_rloo_is_scaled_group_centering() -> None:
    rewards = torch.randn(12, dtype=F64)
    g = 4
    expected = g / (g - 1) * group_advantages(rewards, g, scale="none")
    torch.testing.assert_close(rloo_advantages(rewards, g), expected)


def test_opo_length_weighted_baseline() -> None:
    rewards = torch.tensor([1.0, 0.0, 0.0, 1.0], dtype=F64)
    lengths = torch.tensor([10, 30, 5, 5])
    # group 1: b = (10·1 + 30·0) / 40 = 0.25; group 2: equal lengths → plain mean 0.5
    expected = torch.tensor([0.75, -0.25, -0.5, 0.5], dtype=F64)
    torch.testing.assert_close(opo_advantages(rewards, lengths, 2), expected)


def test_masked_whiten_mean_zero_unit_variance_over_real_entries() -> None:
    x = torch.randn(4, 9, dtype=F64) * 3 + 2
    mask = torch.rand(4, 9) > 0.3
    white = masked_whiten(x, mask, eps=0.0)
    real = white[mask]
    assert real.mean().item() == pytest.approx(0.0, abs=1e-12)
    assert real.var().item() == pytest.approx(1.0)
    assert torch.all(white[~mask] == 0)


def test_reinforce_pp_whitens_discounted_returns() -> None:
    gen = torch.Generator().manual_seed(0)
    token_rewards = torch.randn(5, 7, generator=gen, dtype=F64)
    mask = torch.rand(5, 7, generator=gen) > 0.2
    got = reinforce_pp_advantages(token_rewards, mask, gamma=0.9)
    returns = discounted_returns(token_rewards, 0.9, mask)
    real = returns[mask]
    expected = (returns - real.mean()) / torch.sqrt(real.var() + 1e-8)
    torch.testing.assert_close(got[mask], expected[mask])


def test_reinforce_pp_baseline_variant_subtracts_group_mean() -> None:
    token_rewards = torch.zeros(4, 3, dtype=F64)
    token_rewards[:, -1] = torch.tensor([1.0, 0.0, 3.0, 3.0], dtype=F64)  # outcome on last token
    mask = torch.ones(4, 3, dtype=torch.bool)
    got = reinforce_pp_advantages(token_rewards, mask, group_size=2)
    # centered per group: [0.5, −0.5, 0, 0], broadcast to every token, then batch-whitened
    centered = torch.tensor([0.5, -0.5, 0.0, 0.0], dtype=F64)[:, None].expand(4, 3)
    expected = (centered - centered.mean()) / torch.sqrt(centered.var() + 1e-8)
    torch.testing.assert_close(got, expected)


def test_reinforce_pp_padding_invariance() -> None:
    token_rewards = torch.tensor([[0.0, 1.0], [0.0, -1.0], [0.5, 0.5]], dtype=F64)
    mask = torch.ones(3, 2, dtype=torch.bool)
    base = reinforce_pp_advantages(token_rewards, mask)
    padded = torch.cat([token_rewards, torch.full((3, 2), 7.0, dtype=F64)], dim=1)
    padded_mask = torch.cat([mask, torch.zeros(3, 2, dtype=torch.bool)], dim=1)
    torch.testing.assert_close(reinforce_pp_advantages(padded, padded_mask)[:, :2], base)


def test_process_supervision_advantages_hand_computed() -> None:
    nan = float("nan")  # positions that end no step are never read
    rewards = torch.tensor([[nan, 0.0, nan, 4.0], [1.0, nan, 3.0, nan]], dtype=F64)
    ends = torch.tensor([[0, 1, 0, 1], [1, 0, 1, 0]])
    # R = {0, 4, 1, 3}: mean 2, deviations −2, 2, −1, 1, std (Bessel) = √(10/3)
    s = math.sqrt(10 / 3)
    expected = torch.tensor(
        [[(-2 + 2) / s, (-2 + 2) / s, 2 / s, 2 / s], [(-1 + 1) / s, 1 / s, 1 / s, 0.0]],
        dtype=F64,
    )
    got = process_supervision_advantages(rewards, ends, group_size=2, eps=0.0)
    torch.testing.assert_close(got, expected)


def test_process_supervision_with_one_final_step_is_outcome_supervision() -> None:
    gen = torch.Generator().manual_seed(0)
    outcome = torch.randn(12, generator=gen, dtype=F64)
    lengths = torch.randint(1, 7, (12,), generator=gen)
    positions = torch.arange(7)
    ends = positions == (lengths - 1).unsqueeze(-1)  # one step, ending on the last token
    rewards = torch.where(ends, outcome.unsqueeze(-1), torch.full((12, 7), 99.0, dtype=F64))
    got = process_supervision_advantages(rewards, ends, group_size=4)
    expected = group_advantages(outcome, 4)  # same ε = 1e-4 and Bessel's correction
    real = positions < lengths.unsqueeze(-1)
    torch.testing.assert_close(got, torch.where(real, expected.unsqueeze(-1), 0.0))


def test_process_supervision_advantages_rejects_bad_shapes() -> None:
    with pytest.raises(ValueError):
        process_supervision_advantages(torch.zeros(3, 4), torch.ones(3, 4), group_size=2)
    with pytest.raises(ValueError):
        process_supervision_advantages(torch.zeros(4, 4), torch.ones(4, 3), group_size=2)

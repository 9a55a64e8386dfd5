"""rlref.algos.recipes: GPG's advantage as verl 0.9.1 computes it."""

from __future__ import annotations

import pytest
import torch

from rlref.algos.advantages import group_advantages
from rlref.algos.recipes import gpg_advantages

F64 = torch.float64


def test_gpg_hand_computed() -> None:
    # two prompts × two samples; 1 of 4 rewards non-zero → α = 4
    rewards = torch.tensor([1.0, 0.0, 0.0, 0.0], dtype=F64)
    adv = gpg_advantages(rewards, group_size=2)
    torch.testing.assert_close(adv, torch.tensor([2.0, -2.0, 0.0, 0.0], dtype=F64))


def test_gpg_alpha_counts_the_whole_batch_and_f_norm_divides() -> None:
    gen = torch.Generator().manual_seed(0)
    rewards = torch.randint(0, 2, (12,), generator=gen).to(F64)
    rewards[0], rewards[3] = 1.0, 0.0  # at least one success, at least one failure
    alpha = 12 / int((rewards != 0).sum())
    centered = group_advantages(rewards, 3, scale="none")
    torch.testing.assert_close(gpg_advantages(rewards, 3), alpha * centered)
    torch.testing.assert_close(gpg_advantages(rewards, 3, f_norm=2.5), alpha * centered / 2.5)


def test_gpg_all_zero_rewards_give_zero_advantage_not_nan() -> None:
    adv = gpg_advantages(torch.zeros(6, dtype=F64), group_size=3)
    assert torch.equal(adv, torch.zeros(6, dtype=F64))


def test_gpg_group_of_one_keeps_the_scaled_reward() -> None:
    rewards = torch.tensor([2.0, 0.0, -1.0], dtype=F64)  # α = 3/2
    torch.testing.assert_close(gpg_advantages(rewards, 1), 1.5 * rewards)


def test_gpg_groups_have_zero_mean() -> None:
    gen = torch.Generator().manual_seed(1)
    rewards = torch.rand(20, generator=gen, dtype=F64)
    adv = gpg_advantages(rewards, 5).view(4, 5)
    torch.testing.assert_close(adv.mean(dim=-1), torch.zeros(4, dtype=F64))


@pytest.mark.parametrize(
    ("rewards", "group_size", "f_norm"),
    [(torch.zeros(5), 2, 1.0), (torch.zeros(2, 2), 2, 1.0), (torch.zeros(4), 2, 0.0)],
)
def test_gpg_rejects_bad_input(rewards: torch.Tensor, group_size: int, f_norm: float) -> None:
    with pytest.raises(ValueError):
        gpg_advantages(rewards, group_size, f_norm)


def test_gpg_stays_on_the_input_device() -> None:
    rewards = torch.empty(6, device="meta", dtype=torch.float32)
    out = gpg_advantages(rewards, 3)
    assert out.device.type == "meta" and out.dtype == torch.float32

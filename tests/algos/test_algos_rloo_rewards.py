"""rlref.algos.rloo_rewards: RLOO's clipped, KL-penalised sequence reward."""

from __future__ import annotations

import pytest
import torch

from rlref.algos.advantages import rloo_advantages
from rlref.algos.rloo_rewards import rloo_shaped_rewards

F64 = torch.float64
OLD = torch.tensor([[-1.0, -2.0, 5.0], [-0.5, -0.5, -0.5]], dtype=F64)  # 5.0 sits on a pad
REF = torch.tensor([[-1.5, -1.0, 9.0], [-1.0, -1.0, -1.0]], dtype=F64)
MASK = torch.tensor([[1, 1, 0], [1, 1, 1]])


def test_hand_computed_clip_then_penalty() -> None:
    rewards = torch.tensor([3.0, -0.2], dtype=F64)
    out = rloo_shaped_rewards(rewards, OLD, REF, MASK, beta=0.1, clip_range=(-1.0, 1.0))
    kl = torch.tensor([(-1.0 + 1.5) + (-2.0 + 1.0), 3 * 0.5], dtype=F64)  # pads excluded
    expected = torch.tensor([1.0, -0.2], dtype=F64) - 0.1 * kl
    torch.testing.assert_close(out, expected)
    # the penalty is applied after clipping, so it can take the reward outside the range
    assert out[0].item() == pytest.approx(1.05)


def test_no_clip_and_no_penalty() -> None:
    rewards = torch.tensor([3.0, -0.2], dtype=F64)
    torch.testing.assert_close(rloo_shaped_rewards(rewards, OLD, None, MASK, beta=0.0), rewards)
    with pytest.raises(ValueError, match="ref_token_logps"):
        rloo_shaped_rewards(rewards, OLD, None, MASK, beta=0.1)


def test_kl_enters_the_baseline_of_the_siblings() -> None:
    # equal scores: the advantages come from the KL penalty alone
    rewards = torch.zeros(2, dtype=F64)
    adv = rloo_advantages(rloo_shaped_rewards(rewards, OLD, REF, MASK, beta=1.0), 2)
    assert adv[0].item() == pytest.approx(0.5 - (-1.5))  # own −KL minus the sibling's −KL
    assert adv.sum().item() == pytest.approx(0.0)


def test_no_gradient_path_needed_and_dtype_kept() -> None:
    rewards = torch.tensor([0.3, 0.1])
    out = rloo_shaped_rewards(rewards, OLD.float(), REF.float(), MASK, beta=0.05)
    assert out.dtype == torch.float32 and out.shape == (2,)

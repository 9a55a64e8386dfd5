"""rlref.algos.self_play: SPIN (DPO on real vs generated answers) and SPPO (squared log-ratio)."""

from __future__ import annotations

import math

import pytest
import torch

from rlref.algos.preference import dpo_loss
from rlref.algos.self_play import (
    softmean,
    spin_loss,
    sppo_loss,
    sppo_softmean_targets,
    sppo_win_rates,
)

F64 = torch.float64
META = torch.device("meta")


def _logps(seed: int, n: int = 6) -> tuple[torch.Tensor, ...]:
    gen = torch.Generator().manual_seed(seed)
    return tuple(-torch.rand(n, generator=gen, dtype=F64) * 10 for _ in range(4))


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def test_spin_sigmoid_hand_computed() -> None:
    real, gen = torch.tensor([-3.0], dtype=F64), torch.tensor([-5.0], dtype=F64)
    opp_real, opp_gen = torch.tensor([-4.0], dtype=F64), torch.tensor([-4.5], dtype=F64)
    out = spin_loss(real, gen, opp_real, opp_gen, beta=0.5)
    h = (-3 + 4) - (-5 + 4.5)  # = 1.5
    assert out.loss.item() == pytest.approx(-math.log(_sigmoid(0.5 * h)))
    assert out.chosen_rewards.item() == pytest.approx(0.5)  # β log(π_θ/π_t) of the real answer
    assert out.rejected_rewards.item() == pytest.approx(-0.25)


def test_spin_hinge_hand_computed_zero_past_the_margin() -> None:
    real, gen = torch.tensor([-3.0, -3.0], dtype=F64), torch.tensor([-5.0, -3.5], dtype=F64)
    opp = torch.tensor([-4.0, -4.0], dtype=F64)
    out = spin_loss(real, gen, opp, opp, beta=0.5, loss_type="hinge")
    # h = 2 → max(0, 1 − 1) = 0 ; h = 0.5 → max(0, 1 − 0.25) = 0.75
    assert out.loss.item() == pytest.approx(0.75 / 2)


def test_spin_is_dpo_with_real_as_chosen() -> None:
    pr, pg, orl, og = _logps(0)
    spin = spin_loss(pr, pg, orl, og, beta=0.3)
    dpo = dpo_loss(pr, pg, orl, og, beta=0.3)
    torch.testing.assert_close(spin.loss, dpo.loss)
    swapped = spin_loss(pg, pr, og, orl, beta=0.3)  # real and generated exchanged
    assert not torch.allclose(swapped.loss, spin.loss)


def test_spin_at_the_opponent_is_log2_and_gradient_prefers_real() -> None:
    pr, pg, _, _ = _logps(1)
    real, gen = pr.clone().requires_grad_(), pg.clone().requires_grad_()
    out = spin_loss(real, gen, pr, pg, beta=0.2)  # π_θ = π_t: h = 0
    assert out.loss.item() == pytest.approx(math.log(2))
    out.loss.backward()
    assert torch.all(real.grad < 0) and torch.all(gen.grad > 0)


def test_spin_rejects_unknown_loss_type() -> None:
    pr, pg, orl, og = _logps(2)
    with pytest.raises(ValueError, match="loss_type"):
        spin_loss(pr, pg, orl, og, loss_type="ipo")  # type: ignore[arg-type]


def test_sppo_hand_computed() -> None:
    policy = torch.tensor([-2.0, -6.0], dtype=F64)
    anchor = torch.tensor([-3.0, -5.0], dtype=F64)
    targets = torch.tensor([0.25, -0.25], dtype=F64)  # P̂ − 1/2 for a winner and a loser
    out = sppo_loss(policy, anchor, targets, eta=2.0)
    # log ratios 1 and −1, targets η g = 0.5 and −0.5 → squares 0.25 and 0.25
    assert out.loss.item() == pytest.approx(0.25)
    torch.testing.assert_close(out.log_ratios, torch.tensor([1.0, -1.0], dtype=F64))


def test_sppo_minimum_is_at_the_target_and_gradient_moves_each_side_alone() -> None:
    anchor = torch.tensor([-4.0, -4.0], dtype=F64)
    targets = torch.tensor([0.3, -0.3], dtype=F64)
    eta = 5.0
    at_target = sppo_loss(anchor + eta * targets, anchor, targets, eta)
    assert at_target.loss.item() == pytest.approx(0.0, abs=1e-12)
    policy = anchor.clone().requires_grad_()  # π_θ = π_t
    sppo_loss(policy, anchor, targets, eta).loss.backward()
    # the winner's likelihood goes up, the loser's goes down, independently
    assert policy.grad[0] < 0 < policy.grad[1]


def test_sppo_pair_mean_equals_authors_half_sum() -> None:
    pw, pl, rw, rl = _logps(3, n=5)
    gen = torch.Generator().manual_seed(4)
    win_w, win_l = torch.rand(5, generator=gen, dtype=F64), torch.rand(5, generator=gen, dtype=F64)
    beta = 0.01  # the authors' code scales the targets by 1/β
    chosen_term = ((pw - rw) - (win_w - 0.5) / beta) ** 2
    rejected_term = ((pl - rl) - (win_l - 0.5) / beta) ** 2
    per_pair = 0.5 * (chosen_term + rejected_term)
    out = sppo_loss(torch.cat([pw, pl]), torch.cat([rw, rl]), torch.cat([win_w, win_l]) - 0.5,
                    eta=1 / beta)
    torch.testing.assert_close(out.loss, per_pair.mean())


def test_sppo_pair_sum_is_trl_sppo_hard() -> None:
    # TRL's sppo_hard: (Δ_w − 1/(2β))² + (Δ_l + 1/(2β))², averaged over pairs
    pw, pl, rw, rl = _logps(5, n=4)
    beta = 0.1
    per_pair = ((pw - rw) - 0.5 / beta) ** 2 + ((pl - rl) + 0.5 / beta) ** 2
    targets = torch.cat([torch.full((4,), 0.5, dtype=F64), torch.full((4,), -0.5, dtype=F64)])
    args = (torch.cat([pw, pl]), torch.cat([rw, rl]), targets, 1 / beta)
    out = sppo_loss(*args, reduction="pair-sum")
    torch.testing.assert_close(out.loss, per_pair.mean())
    torch.testing.assert_close(out.loss, 2 * sppo_loss(*args).loss)
    with pytest.raises(ValueError):
        sppo_loss(pw[:3], rw[:3], targets[:3], 1.0, reduction="pair-sum")


def test_softmean_limits_and_bounds() -> None:
    x = torch.tensor([0.0, 1.0, 3.0], dtype=F64)
    assert softmean(x, 0.0).item() == pytest.approx(4 / 3)
    assert softmean(x, 1e-6).item() == pytest.approx(4 / 3, rel=1e-5)
    assert softmean(x, 200.0).item() == pytest.approx(3.0 - math.log(3) / 200)
    for beta in (0.5, 2.0):
        assert 4 / 3 < softmean(x, beta).item() < 3.0
    assert 0.0 < softmean(x, -2.0).item() < 4 / 3
    expected = math.log((1 + math.e + math.e**3) / 3)
    assert softmean(x, 1.0).item() == pytest.approx(expected)


def test_softmean_does_not_overflow() -> None:
    x = torch.tensor([1000.0, 1000.0], dtype=torch.float32)
    assert softmean(x, 1.0).item() == pytest.approx(1000.0)


def test_softmean_reduces_the_given_dim() -> None:
    x = torch.tensor([[0.0, 2.0], [1.0, 1.0]], dtype=F64)
    torch.testing.assert_close(softmean(x, 0.0, dim=0), torch.tensor([0.5, 1.5], dtype=F64))
    assert softmean(x, 1.0, dim=1).shape == (2,)


def test_sppo_targets_use_one_baseline_for_the_whole_batch() -> None:
    rewards = torch.tensor([1.0, 0.0, 0.0, 0.0], dtype=F64)  # two prompts, two samples each
    targets = sppo_softmean_targets(rewards, beta=1.0)
    baseline = math.log((math.e + 3) / 4)
    torch.testing.assert_close(targets, rewards - baseline)
    # the second prompt's equal rewards still get a non-zero target: no per-prompt centring
    assert targets[2].item() == pytest.approx(-baseline)
    torch.testing.assert_close(sppo_softmean_targets(rewards, 0.0), rewards - 0.25)


def test_sppo_win_rates_hand_computed() -> None:
    scores = torch.tensor([[0.0, math.log(3.0)]], dtype=F64)  # σ(log 3) = 3/4
    torch.testing.assert_close(
        sppo_win_rates(scores), torch.tensor([[(0.5 + 0.25) / 2, (0.75 + 0.5) / 2]], dtype=F64)
    )


def test_sppo_win_rates_average_one_half_and_follow_the_score_order() -> None:
    gen = torch.Generator().manual_seed(5)
    scores = torch.randn(3, 6, generator=gen, dtype=F64) * 2
    rates = sppo_win_rates(scores)
    torch.testing.assert_close(rates.mean(dim=-1), torch.full((3,), 0.5, dtype=F64))
    assert torch.equal(rates.argsort(dim=-1), scores.argsort(dim=-1))
    assert torch.all((rates > 0) & (rates < 1))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_self_play_functions_stay_on_the_input_device_and_dtype(dtype: torch.dtype) -> None:
    vec = torch.empty(4, device=META, dtype=dtype)
    assert spin_loss(vec, vec, vec, vec).loss.device == META
    assert sppo_loss(vec, vec, vec, 1.0).loss.dtype == dtype
    assert sppo_softmean_targets(vec, 0.5).device == META
    assert sppo_win_rates(torch.empty(2, 3, device=META, dtype=dtype)).shape == (2, 3)

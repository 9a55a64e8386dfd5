"""rlref.algos.bandits: ε-greedy, UCB1, Thompson sampling and regret."""

from __future__ import annotations

import math

import pytest
import torch

from rlref.algos.bandits import (
    epsilon_greedy,
    epsilon_greedy_probs,
    simulate_regret,
    thompson_sample,
    ucb1_scores,
)

ARMS = torch.tensor([0.3, 0.5, 0.7])


def test_ucb1_scores_hand_computed() -> None:
    means = torch.tensor([0.5, 0.2, 0.0], dtype=torch.float64)
    counts = torch.tensor([4, 1, 0])
    scores = ucb1_scores(means, counts, total=5)
    assert scores[0].item() == pytest.approx(0.5 + math.sqrt(2 * math.log(5) / 4))
    assert scores[1].item() == pytest.approx(0.2 + math.sqrt(2 * math.log(5) / 1))
    assert scores[2].item() == math.inf  # never pulled: tried first


def test_epsilon_greedy_extremes() -> None:
    gen = torch.Generator().manual_seed(0)
    q = torch.tensor([0.1, 0.9, 0.4])
    assert all(epsilon_greedy(q, 0.0, gen) == 1 for _ in range(50))
    picks = [epsilon_greedy(q, 1.0, gen) for _ in range(3000)]
    shares = [picks.count(a) / len(picks) for a in range(3)]
    assert all(abs(share - 1 / 3) < 0.05 for share in shares)


def test_thompson_sampling_is_seeded_and_leaves_global_rng_alone() -> None:
    successes, failures = torch.tensor([3.0, 10.0, 1.0]), torch.tensor([7.0, 2.0, 1.0])
    state = torch.get_rng_state()
    first = [
        thompson_sample(successes, failures, torch.Generator().manual_seed(s)) for s in range(20)
    ]
    again = [
        thompson_sample(successes, failures, torch.Generator().manual_seed(s)) for s in range(20)
    ]
    assert first == again
    assert torch.equal(torch.get_rng_state(), state)
    # arm 1 (posterior mean 11/14) wins most draws
    assert first.count(1) > 12


def _auer_bound(means: torch.Tensor, n: int) -> float:
    """UCB1's expected-regret bound (Auer et al. 2002, Theorem 1)."""
    gaps = [means.max().item() - m for m in means.tolist() if m < means.max().item()]
    return sum(8 * math.log(n) / gap for gap in gaps) + (1 + math.pi**2 / 3) * sum(gaps)


@pytest.mark.parametrize(("strategy", "horizon"), [("ucb1", 4000), ("thompson", 2000)])
def test_regret_grows_sublinearly(strategy: str, horizon: int) -> None:
    regret = simulate_regret(strategy, ARMS, horizon=horizon, seed=0)
    assert regret[-1].item() < _auer_bound(ARMS, horizon)
    # a linear learner would multiply its regret by 10 from n = horizon / 10 to n = horizon
    assert regret[-1].item() < 4 * regret[horizon // 10 - 1].item()


def test_fixed_epsilon_greedy_regret_grows_linearly() -> None:
    regret = simulate_regret("epsilon_greedy", ARMS, horizon=4000, seed=0, epsilon=0.2)
    # exploring at rate ε forever costs ≈ ε · mean gap per step
    per_step = (regret[-1] - regret[1999]).item() / 2000
    expected = 0.2 * (ARMS.max() - ARMS).mean().item()
    assert per_step == pytest.approx(expected, rel=0.35)


def test_regret_is_cumulative_and_non_decreasing() -> None:
    regret = simulate_regret("ucb1", ARMS, horizon=300, seed=1)
    assert regret.shape == (300,)
    assert torch.all(regret[1:] >= regret[:-1])


def test_epsilon_greedy_probs_is_the_distribution_the_sampler_draws_from() -> None:
    q_values = torch.tensor([0.2, 0.9, 0.9, 0.1])  # tie: the lowest index (1) is greedy
    probs = epsilon_greedy_probs(q_values, 0.3)
    torch.testing.assert_close(probs, torch.tensor([0.075, 0.775, 0.075, 0.075]))
    generator = torch.Generator().manual_seed(0)
    draws = 20_000
    counts = torch.bincount(
        torch.tensor([epsilon_greedy(q_values, 0.3, generator) for _ in range(draws)]),
        minlength=4,
    )
    # 5 standard errors of a binomial frequency: fails for a wrong distribution, not by chance
    stderr = (probs * (1 - probs) / draws).sqrt()
    assert ((counts / draws - probs).abs() < 5 * stderr).all(), counts


def test_epsilon_greedy_probs_batches_and_sums_to_one() -> None:
    q_values = torch.randn(5, 7, dtype=torch.float64)
    probs = epsilon_greedy_probs(q_values, 0.1)
    torch.testing.assert_close(probs.sum(-1), torch.ones(5, dtype=torch.float64))
    assert (probs.argmax(-1) == q_values.argmax(-1)).all()

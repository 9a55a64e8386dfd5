"""rlref.algos.search: UCT/PUCT scores and MCTS on a small game with a known optimum."""

from __future__ import annotations

import math
from typing import ClassVar

import pytest
import torch

from rlref.algos.search import mcts, puct_score, root_visit_policy, uct_score


def test_uct_score_hand_computed() -> None:
    q = torch.tensor([0.5, 0.9, 0.0], dtype=torch.float64)
    visits = torch.tensor([4, 1, 0])
    scores = uct_score(q, visits, parent_visits=5, c=1.0)
    assert scores[0].item() == pytest.approx(0.5 + math.sqrt(math.log(5) / 4))
    assert scores[1].item() == pytest.approx(0.9 + math.sqrt(math.log(5) / 1))
    assert scores[2].item() == math.inf


def test_puct_score_hand_computed() -> None:
    q = torch.tensor([0.5, 0.0], dtype=torch.float64)
    priors = torch.tensor([0.2, 0.8], dtype=torch.float64)
    visits = torch.tensor([3, 0])
    scores = puct_score(q, priors, visits, parent_visits=9, c_puct=2.0)
    assert scores[0].item() == pytest.approx(0.5 + 2.0 * 0.2 * 3 / 4)
    assert scores[1].item() == pytest.approx(0.0 + 2.0 * 0.8 * 3 / 1)


class TrapTree:
    """Depth-3 binary tree of moves. Action 0 pays 1 at once but leads to leaves worth 0;
    action 1 pays nothing now, and its best line (1, 1, 1) reaches a leaf worth 5."""

    leaf_values: ClassVar[dict[tuple[int, ...], float]] = {
        (1, 1, 1): 5.0,
        (1, 0, 1): 2.0,
        (0, 1, 1): 1.0,
    }

    def legal_actions(self, state: tuple[int, ...]) -> list[int]:
        return [] if len(state) == 3 else [0, 1]

    def step(self, state: tuple[int, ...], action: int) -> tuple[tuple[int, ...], float, bool]:
        nxt = (*state, action)
        reward = 1.0 if nxt == (0,) else 0.0
        if len(nxt) == 3:
            reward += self.leaf_values.get(nxt, 0.0)
        return nxt, reward, len(nxt) == 3


def _optimal_value(env: TrapTree, state: tuple[int, ...]) -> float:
    best = -math.inf
    for action in env.legal_actions(state):
        nxt, reward, done = env.step(state, action)
        best = max(best, reward + (0.0 if done else _optimal_value(env, nxt)))
    return best


def test_mcts_finds_the_optimal_first_move_despite_the_trap() -> None:
    env = TrapTree()
    result = mcts(env, (), num_simulations=400, c=2.0, seed=0)
    assert result.best_action == 1
    assert sum(result.visit_counts.values()) == 400 - 1  # the first simulation expands the root
    # the most-visited line converges to the optimum, 5
    assert result.q_values[1] == pytest.approx(_optimal_value(env, ()), rel=0.15)
    assert result.q_values[0] < result.q_values[1]


def test_mcts_is_deterministic_for_a_seed() -> None:
    env = TrapTree()
    first = mcts(env, (), num_simulations=60, seed=3)
    second = mcts(env, (), num_simulations=60, seed=3)
    assert first.visit_counts == second.visit_counts and first.q_values == second.q_values


def test_mcts_with_priors_and_value_function() -> None:
    env = TrapTree()

    def prior(state: tuple[int, ...]) -> dict[int, float]:
        return {0: 0.1, 1: 0.9}

    def value(state: tuple[int, ...]) -> float:
        return _optimal_value(env, state)  # a perfect critic

    result = mcts(env, (), num_simulations=50, c=1.0, prior_fn=prior, value_fn=value)
    assert result.best_action == 1
    assert result.q_values[1] == pytest.approx(5.0)


def test_mcts_discounting_backs_up_discounted_returns() -> None:
    env = TrapTree()
    result = mcts(env, (), num_simulations=600, c=2.0, gamma=0.6, value_fn=lambda s: 0.0)
    # with γ = 0.6 the best line (1, 1, 1) is worth 0.36 · 5 = 1.8; the trap move's best line,
    # (0, 1, 1), is worth 1 + 0.36 · 1 = 1.36
    assert result.best_action == 1
    assert result.q_values[1] == pytest.approx(1.8, rel=0.15)
    assert result.q_values[0] <= 1.36 + 1e-9


def test_root_visit_policy_hand_computed() -> None:
    counts = torch.tensor([1, 2, 3, 0])
    torch.testing.assert_close(
        root_visit_policy(counts, 1.0), torch.tensor([1, 2, 3, 0], dtype=torch.float64) / 6
    )
    # τ = ½: N² / Σ N²
    torch.testing.assert_close(
        root_visit_policy(counts, 0.5), torch.tensor([1, 4, 9, 0], dtype=torch.float64) / 14
    )
    torch.testing.assert_close(
        root_visit_policy(counts, 0.0), torch.tensor([0, 0, 1, 0], dtype=torch.float64)
    )
    # a tie at τ = 0 splits the mass
    torch.testing.assert_close(
        root_visit_policy(torch.tensor([3.0, 1.0, 3.0]), 0.0), torch.tensor([0.5, 0.0, 0.5])
    )


def test_root_visit_policy_small_temperature_approaches_the_argmax_without_overflow() -> None:
    counts = torch.tensor([[400.0, 399.0, 10.0, 0.0], [5.0, 50.0, 500.0, 1.0]], dtype=torch.float64)
    limit = root_visit_policy(counts, 0.0)
    previous_gap = math.inf
    for tau in (1.0, 0.1, 0.01, 1e-3, 1e-4):
        probs = root_visit_policy(counts, tau)  # 400^(1/τ) overflows float64 for τ < 0.01
        assert torch.isfinite(probs).all()
        torch.testing.assert_close(probs.sum(-1), torch.ones(2, dtype=torch.float64))
        gap = (probs - limit).abs().max().item()
        assert gap <= previous_gap
        previous_gap = gap
    assert previous_gap < 1e-9
    # a very high temperature spreads the mass evenly over the visited actions only
    flat = root_visit_policy(counts, 1e6)
    torch.testing.assert_close(flat[0, :3], torch.full((3,), 1 / 3, dtype=torch.float64),
                               rtol=0, atol=1e-5)
    assert flat[0, 3].item() == 0.0


def test_root_visit_policy_of_a_search_recommends_its_best_action() -> None:
    result = mcts(TrapTree(), (), num_simulations=200, c=2.0, seed=0)
    actions = sorted(result.visit_counts)
    counts = torch.tensor([result.visit_counts[a] for a in actions])
    assert actions[int(root_visit_policy(counts, 0.0).argmax())] == result.best_action
    with pytest.raises(ValueError):
        root_visit_policy(counts, -1.0)


class _TakeAway:
    """Nim with one heap: take 1 or 2 stones; whoever takes the last stone wins (+1 to the
    player who moved). From 4 stones the only winning move is to take 1 (leave a multiple of 3)."""

    def legal_actions(self, state: int) -> list[int]:
        return [a for a in (1, 2) if a <= state]

    def step(self, state: int, action: int) -> tuple[int, float, bool]:
        left = state - action
        return left, 1.0 if left == 0 else 0.0, left == 0


def test_two_player_mcts_backs_up_negamax_and_finds_the_winning_move() -> None:
    result = mcts(_TakeAway(), 4, 2000, two_player=True, seed=0)
    assert result.best_action == 1
    # the winning move is worth +1 to the mover; taking 2 hands the opponent a win (−1)
    assert result.q_values[1] > 0.5 and result.q_values[2] < -0.5
    # the single-agent backup adds both players' rewards and cannot tell the moves apart
    solo = mcts(_TakeAway(), 4, 2000, seed=0)
    assert solo.q_values[2] > 0.5


def test_mcts_rejects_a_discount_outside_the_unit_interval() -> None:
    with pytest.raises(ValueError, match="two_player"):
        mcts(_TakeAway(), 4, 10, gamma=-1.0)

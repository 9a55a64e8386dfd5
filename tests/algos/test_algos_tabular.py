"""rlref.algos.tabular: Bellman equations, value iteration, Q-learning, potential shaping."""

from __future__ import annotations

import pytest
import torch

from rlref.algos.tabular import (
    FiniteMDP,
    action_values,
    policy_evaluation_iterative,
    policy_evaluation_linear,
    potential_shaping,
    q_learning_update,
    value_iteration,
)

F64 = torch.float64


def _random_mdp(seed: int, states: int = 6, actions: int = 3, gamma: float = 0.9) -> FiniteMDP:
    gen = torch.Generator().manual_seed(seed)
    transitions = torch.rand(states, actions, states, generator=gen, dtype=F64) ** 4
    transitions = transitions / transitions.sum(-1, keepdim=True)
    rewards = torch.randn(states, actions, generator=gen, dtype=F64)
    return FiniteMDP(transitions, rewards, gamma)


def _random_policy(seed: int, states: int = 6, actions: int = 3) -> torch.Tensor:
    logits = torch.randn(states, actions, generator=torch.Generator().manual_seed(seed), dtype=F64)
    return torch.softmax(logits, -1)


def test_two_state_closed_form() -> None:
    # state 0 --(reward 1)--> state 1 --(reward 0)--> state 1 (absorbing), one action
    transitions = torch.tensor([[[0.0, 1.0]], [[0.0, 1.0]]], dtype=F64)
    rewards = torch.tensor([[1.0], [0.0]], dtype=F64)
    mdp = FiniteMDP(transitions, rewards, 0.5)
    values = policy_evaluation_linear(mdp, torch.ones(2, 1, dtype=F64))
    torch.testing.assert_close(values, torch.tensor([1.0, 0.0], dtype=F64))
    # a self-loop with reward 1 is worth 1 / (1 − γ)
    loop = FiniteMDP(torch.ones(1, 1, 1, dtype=F64), torch.ones(1, 1, dtype=F64), 0.5)
    assert policy_evaluation_linear(loop, torch.ones(1, 1, dtype=F64)).item() == pytest.approx(2)


@pytest.mark.parametrize("seed", range(4))
def test_linear_solve_and_iteration_agree(seed: int) -> None:
    mdp, policy = _random_mdp(seed), _random_policy(seed + 100)
    linear = policy_evaluation_linear(mdp, policy)
    iterative = policy_evaluation_iterative(mdp, policy, tol=1e-13)
    torch.testing.assert_close(iterative, linear, rtol=0, atol=1e-10)
    # and both satisfy the Bellman expectation equation
    bellman = (policy * action_values(mdp, linear)).sum(-1)
    torch.testing.assert_close(bellman, linear)


@pytest.mark.parametrize("seed", range(4))
def test_value_iteration_reaches_the_bellman_optimality_fixed_point(seed: int) -> None:
    mdp = _random_mdp(seed)
    result = value_iteration(mdp, tol=1e-13)
    residual = action_values(mdp, result.values).max(-1).values - result.values
    assert residual.abs().max().item() < 1e-10
    # the greedy policy achieves V*, and V* dominates other policies
    greedy = torch.nn.functional.one_hot(result.policy, mdp.num_actions).to(F64)
    torch.testing.assert_close(policy_evaluation_linear(mdp, greedy), result.values)
    for other in range(3):
        assert torch.all(
            policy_evaluation_linear(mdp, _random_policy(other)) <= result.values + 1e-9
        )


def test_finite_mdp_validates() -> None:
    with pytest.raises(ValueError):
        FiniteMDP(torch.ones(2, 1, 2), torch.zeros(2, 1), 0.9)  # rows sum to 2
    with pytest.raises(ValueError):
        FiniteMDP(torch.ones(1, 1, 1), torch.zeros(1, 1), 1.0)  # γ = 1


def test_q_learning_update_hand_computed() -> None:
    q = torch.tensor([[0.0, 1.0], [2.0, 5.0]], dtype=F64)
    updated = q_learning_update(q, 0, 1, reward=1.0, next_state=1, done=False, alpha=0.5, gamma=0.9)
    # target = 1 + 0.9·5 = 5.5; Q(0,1) = 1 + 0.5·(5.5 − 1) = 3.25
    assert updated[0, 1].item() == pytest.approx(3.25)
    assert q[0, 1].item() == 1.0  # the input table is untouched
    terminal = q_learning_update(q, 0, 1, reward=1.0, next_state=1, done=True, alpha=0.5, gamma=0.9)
    assert terminal[0, 1].item() == pytest.approx(1.0)


def test_q_learning_converges_to_q_star_with_random_behaviour() -> None:
    # deterministic MDP so sampled transitions are exact
    gen = torch.Generator().manual_seed(0)
    states, actions = 4, 2
    next_state = torch.randint(states, (states, actions), generator=gen)
    transitions = torch.nn.functional.one_hot(next_state, states).to(F64)
    rewards = torch.randn(states, actions, generator=gen, dtype=F64)
    mdp = FiniteMDP(transitions, rewards, 0.8)
    q_star = action_values(mdp, value_iteration(mdp).values)
    q = torch.zeros(states, actions, dtype=F64)
    for step in range(20_000):
        s = int(torch.randint(states, (), generator=gen))
        a = int(torch.randint(actions, (), generator=gen))  # uniformly random behaviour
        alpha = 1.0 / (1 + step / 200)
        q = q_learning_update(
            q, s, a, rewards[s, a].item(), int(next_state[s, a]), False, alpha, 0.8
        )
    torch.testing.assert_close(q, q_star, rtol=0, atol=1e-2)


def test_potential_shaping_hand_computed() -> None:
    shaped = potential_shaping(
        torch.tensor([1.0, 1.0]),
        torch.tensor([2.0, 2.0]),
        torch.tensor([3.0, 3.0]),
        0.5,
        dones=torch.tensor([0, 1]),
    )
    # 1 + 0.5·3 − 2 = 0.5; terminal next state: Φ(s') = 0 → 1 − 2 = −1
    torch.testing.assert_close(shaped, torch.tensor([0.5, -1.0]))


@pytest.mark.parametrize("seed", range(3))
def test_potential_shaping_preserves_the_optimal_policy(seed: int) -> None:
    mdp = _random_mdp(seed)
    potential = torch.randn(
        mdp.num_states, generator=torch.Generator().manual_seed(seed), dtype=F64
    )
    # expected shaped reward: R + γ E[Φ(s')] − Φ(s)
    shaped_rewards = potential_shaping(
        mdp.rewards, potential[:, None], mdp.transitions @ potential, mdp.gamma
    )
    shaped = FiniteMDP(mdp.transitions, shaped_rewards, mdp.gamma)
    original, reshaped = value_iteration(mdp, tol=1e-13), value_iteration(shaped, tol=1e-13)
    assert torch.equal(original.policy, reshaped.policy)
    q_star, q_shaped = action_values(mdp, original.values), action_values(shaped, reshaped.values)
    torch.testing.assert_close(q_shaped, q_star - potential[:, None], rtol=0, atol=1e-9)

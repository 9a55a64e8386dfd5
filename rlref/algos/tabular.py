r"""Tabular RL on a finite MDP: Bellman equations, value iteration, Q-learning, reward shaping.

A finite MDP is given by tensors: transition probabilities $P(s' \mid s, a)$ of shape
`(S, A, S)`, expected immediate rewards $R(s, a)$ of shape `(S, A)`, and a discount
$\gamma \in [0, 1)$. A policy is a `(S, A)` tensor of action probabilities per state.
A terminal state is an absorbing state with zero reward.

Source for everything here unless stated: R. S. Sutton & A. G. Barto, *Reinforcement Learning:
An Introduction* (2nd ed., 2018), chapters 3, 4 and 6.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import torch

__all__ = [
    "FiniteMDP",
    "ValueIterationResult",
    "action_values",
    "policy_evaluation_iterative",
    "policy_evaluation_linear",
    "potential_shaping",
    "q_learning_update",
    "value_iteration",
]


@dataclass(frozen=True)
class FiniteMDP:
    r"""A finite MDP $(\mathcal{S}, \mathcal{A}, P, R, \gamma)$ as tensors.

    Note: [[AI/LLM/RL/Fundamentals/贝尔曼方程]]

    Attributes:
        transitions: $P(s' \mid s, a)$, shape `(S, A, S)`; each `transitions[s, a]` sums to 1.
        rewards: Expected immediate reward $R(s, a)$, shape `(S, A)`.
        gamma: Discount $\gamma \in [0, 1)$.
    """

    transitions: torch.Tensor
    rewards: torch.Tensor
    gamma: float

    def __post_init__(self) -> None:
        states, actions, next_states = self.transitions.shape
        if states != next_states or self.rewards.shape != (states, actions):
            raise ValueError("transitions must be (S, A, S) and rewards (S, A)")
        row_sums = self.transitions.sum(dim=-1)
        if not torch.allclose(row_sums, torch.ones_like(row_sums)):
            raise ValueError("every transitions[s, a] must sum to 1")
        if not 0.0 <= self.gamma < 1.0:
            raise ValueError("gamma must be in [0, 1)")

    @property
    def num_states(self) -> int:
        return self.transitions.shape[0]

    @property
    def num_actions(self) -> int:
        return self.transitions.shape[1]


def action_values(mdp: FiniteMDP, values: torch.Tensor) -> torch.Tensor:
    r"""One-step lookahead: $Q(s, a)$ from a state-value function $V$.

    $$
    Q^{\pi}(s, a) = r(s, a) + \gamma \sum_{s'=1}^{n_S} P(s' \mid s, a) V^{\pi}(s')
    $$

    with $r(s, a)$ the MDP's `rewards`. The lookahead holds for any value table passed in: with
    $V = V^\pi$ it gives $Q^\pi$, with the current estimate $V_k$ it is the inner step of value
    iteration.

    Source: Sutton & Barto (2018), §3.5.

    Note: [[AI/LLM/RL/Fundamentals/贝尔曼方程]]

    Args:
        mdp: The MDP.
        values: $V$, shape `(S,)`.

    Returns:
        $Q$, shape `(S, A)`.
    """
    # Q(s, a) = R(s, a) + γ Σ_s' P(s'|s, a) V(s')
    return mdp.rewards + mdp.gamma * mdp.transitions @ values


def _policy_model(mdp: FiniteMDP, policy: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """P_π (S, S) and r_π (S,): the Markov reward process that a policy induces."""
    # P_π(s'|s) = Σ_a π(a|s) P(s'|s, a),  r_π(s) = Σ_a π(a|s) R(s, a)
    transitions = torch.einsum("sa,sat->st", policy, mdp.transitions)
    rewards = (policy * mdp.rewards).sum(dim=-1)
    return transitions, rewards


def policy_evaluation_linear(mdp: FiniteMDP, policy: torch.Tensor) -> torch.Tensor:
    r"""$V^\pi$ by solving the Bellman expectation equation as a linear system.

    $$
    V^{\pi}(s) = \sum_{a=1}^{n_A} \pi(a \mid s) \left( r(s, a) + \gamma
        \sum_{s'=1}^{n_S} P(s' \mid s, a) V^{\pi}(s') \right)
    $$

    for every state at once is the linear system

    $$
    V^{\pi} = r^{\pi} + \gamma P^{\pi} V^{\pi}
    $$

    with $r^\pi(s) = \sum_a \pi(a \mid s)\, r(s, a)$ and
    $P^\pi(s, s') = \sum_a \pi(a \mid s)\, P(s' \mid s, a)$, solved as
    $(I - \gamma P^\pi)\, V^\pi = r^\pi$. $I - \gamma P^\pi$ is invertible for $\gamma < 1$
    ($P^\pi$ is stochastic, its spectral radius is 1).

    Source: Sutton & Barto (2018), §3.5 (the Bellman equation for $v_\pi$).

    Note: [[AI/LLM/RL/Fundamentals/贝尔曼方程]]

    Args:
        mdp: The MDP.
        policy: $\pi(a \mid s)$, shape `(S, A)`, rows summing to 1.

    Returns:
        $V^\pi$, shape `(S,)`.
    """
    transitions, rewards = _policy_model(mdp, policy)
    identity = torch.eye(mdp.num_states, dtype=rewards.dtype, device=rewards.device)
    # (I − γ P_π) V = r_π
    return torch.linalg.solve(identity - mdp.gamma * transitions, rewards)


def policy_evaluation_iterative(
    mdp: FiniteMDP, policy: torch.Tensor, tol: float = 1e-10, max_iterations: int = 100_000
) -> torch.Tensor:
    r"""$V^\pi$ by iterating the Bellman expectation operator to its fixed point.

    $$
    V_{k+1} = r^{\pi} + \gamma P^{\pi} V_{k}
    $$

    that is $V_{k+1}(s) = \sum_a \pi(a \mid s)\big[r(s, a) + \gamma \sum_{s'} P(s' \mid s, a)\,
    V_k(s')\big]$ for every state, with $r^\pi$ and $P^\pi$ as in `policy_evaluation_linear`.

    The operator is a $\gamma$-contraction in the max norm, so $V_k \to V^\pi$ from any start;
    iteration stops when $\lVert V_{k+1} - V_k\rVert_\infty <$ `tol`, which bounds the error by
    $\gamma\,\text{tol} / (1 - \gamma)$.

    Source: Sutton & Barto (2018), §4.1 (iterative policy evaluation).

    Note: [[AI/LLM/RL/Fundamentals/贝尔曼方程]]

    Args:
        mdp: The MDP.
        policy: $\pi(a \mid s)$, shape `(S, A)`.
        tol: Stopping threshold on the max-norm change.
        max_iterations: Upper bound on sweeps.

    Returns:
        $V^\pi$, shape `(S,)`.
    """
    transitions, rewards = _policy_model(mdp, policy)
    values = torch.zeros_like(rewards)
    for _ in range(max_iterations):
        # V ← r_π + γ P_π V
        updated = rewards + mdp.gamma * transitions @ values
        converged = (updated - values).abs().max() < tol
        values = updated
        if converged:
            break
    return values


class ValueIterationResult(NamedTuple):
    """Optimal values, the greedy policy and the number of sweeps value iteration took."""

    values: torch.Tensor
    policy: torch.Tensor
    iterations: int


def value_iteration(
    mdp: FiniteMDP, tol: float = 1e-10, max_iterations: int = 100_000
) -> ValueIterationResult:
    r"""$V^*$ and a greedy optimal policy by iterating the Bellman optimality operator.

    $$
    V_{k+1}(s) = \max_{a} \left( r(s, a) + \gamma
        \sum_{s'=1}^{n_S} P(s' \mid s, a) V_{k}(s') \right)
    $$

    and, once it has converged, the greedy policy

    $$
    \pi^{\star}(s) = \arg\max_{a} Q^{\star}(s, a)
    $$

    with $Q^\star$ the one-step lookahead (`action_values`) of $V^\star$.

    A $\gamma$-contraction as well, so it converges to the unique fixed point $V^*$.

    Source: Sutton & Barto (2018), §4.4.

    Note: [[AI/LLM/RL/Fundamentals/贝尔曼方程]]

    Args:
        mdp: The MDP: `transitions` $P$ of shape `(S, A, S)`, `rewards` $R$ of shape `(S, A)`.
        tol: Stopping threshold on $\lVert V_{k+1} - V_k\rVert_\infty$.
        max_iterations: Upper bound on sweeps.

    Returns:
        `ValueIterationResult(values, policy, iterations)`: `values` $V^*$, shape `(S,)`, dtype
        of `mdp.rewards`; `policy` $\pi^*$, shape `(S,)`, `int64` action indices; `iterations`
        the number of sweeps.
    """
    values = torch.zeros(mdp.num_states, dtype=mdp.rewards.dtype, device=mdp.rewards.device)
    iterations = 0
    for iterations in range(1, max_iterations + 1):  # noqa: B007 - the count is returned
        # V ← max_a [R + γ P V]
        updated = action_values(mdp, values).max(dim=-1).values
        converged = (updated - values).abs().max() < tol
        values = updated
        if converged:
            break
    policy = action_values(mdp, values).argmax(dim=-1)
    return ValueIterationResult(values, policy, iterations)


def q_learning_update(
    q_values: torch.Tensor,
    state: int,
    action: int,
    reward: float,
    next_state: int,
    done: bool,
    alpha: float,
    gamma: float,
) -> torch.Tensor:
    r"""One tabular Q-learning step (off-policy TD control); returns a new table.

    $$
    Q_{\mathrm{new}}(s_t, a_t) = Q(s_t, a_t) + \alpha \left( r_t + \gamma (1 - d_t)
        \max_{a'} Q(s_{t+1}, a') - Q(s_t, a_t) \right)
    $$

    for the one transition $(s_t, a_t, r_t, s_{t+1}, d_t)$ = (`state`, `action`, `reward`,
    `next_state`, `done`); every other entry of the table is unchanged.

    The target uses the greedy action whatever the behaviour policy did, so Q-learning learns
    $Q^*$ from exploratory data.

    Source: C. J. C. H. Watkins & P. Dayan, *Q-learning*, Machine Learning 8 (1992);
    Sutton & Barto (2018), §6.5.

    Note: [[AI/LLM/RL/Fundamentals/贝尔曼方程]]

    Args:
        q_values: $Q$, shape `(S, A)` (not modified).
        state: $s$.
        action: $a$.
        reward: $r$.
        next_state: $s'$.
        done: Whether $s'$ is terminal ($d = 1$: no bootstrap).
        alpha: Step size $\alpha \in (0, 1]$.
        gamma: Discount $\gamma$.

    Returns:
        The updated table, shape `(S, A)`.
    """
    # TD target y = r + γ(1 − d) max_a' Q(s', a')
    target = reward + (0.0 if done else gamma * q_values[next_state].max())
    updated = q_values.clone()
    # Q(s, a) += α (y − Q(s, a))
    updated[state, action] = q_values[state, action] + alpha * (target - q_values[state, action])
    return updated


def potential_shaping(
    rewards: torch.Tensor,
    potential: torch.Tensor,
    next_potential: torch.Tensor,
    gamma: float,
    dones: torch.Tensor | None = None,
) -> torch.Tensor:
    r"""Potential-based reward shaping, the one form that never changes the optimal policy.

    $$
    r'_t = r_t + \gamma \Phi(s_{t+1}) - \Phi(s_t)
    $$

    with $\Phi(s_{t+1}) = 0$ when $s_{t+1}$ is terminal. Along any trajectory the shaping terms
    telescope to $-\Phi(s_0)$ (plus a vanishing tail), so $Q'^*(s, a) = Q^*(s, a) - \Phi(s)$
    and the greedy policy is unchanged. For an LLM, $\Phi$ can be a process reward on partial
    answers.

    Source: A. Y. Ng, D. Harada & S. Russell, *Policy invariance under reward transformations:
    Theory and application to reward shaping*, ICML 1999.

    Note: [[AI/LLM/RL/Fundamentals/马尔科夫]]

    Args:
        rewards: $r_t$, any shape.
        potential: $\Phi(s_t)$, broadcastable to `rewards`.
        next_potential: $\Phi(s_{t+1})$ (or $\mathbb{E}[\Phi(s_{t+1})]$ for expected rewards),
            broadcastable to `rewards`.
        gamma: Discount $\gamma$.
        dones: 1 where $s_{t+1}$ is terminal; default none.

    Returns:
        Shaped rewards $r'$, shape of `rewards`.
    """
    if dones is not None:
        next_potential = torch.where(dones.bool(), torch.zeros_like(next_potential), next_potential)
    # r' = r + γ Φ(s') − Φ(s)
    return rewards + gamma * next_potential - potential

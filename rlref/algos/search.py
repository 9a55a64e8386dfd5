r"""Monte-Carlo tree search: UCT and PUCT selection rules and a small, generic MCTS.

The search works on any environment with discrete actions that can be stepped from a copy of a
state (a board game, a puzzle, or an LLM whose "actions" are candidate reasoning steps). It
maximises the discounted sum of rewards.

Each tree edge $(s, a)$ keeps a visit count $N(s, a)$ and the mean return $Q(s, a)$ of the
simulations that went through it; $N(s) = \sum_a N(s, a)$.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Generic, NamedTuple, Protocol, TypeVar

import torch

from rlref.algos.bandits import ucb1_scores

__all__ = [
    "Environment",
    "MCTSResult",
    "Node",
    "mcts",
    "puct_score",
    "root_visit_policy",
    "uct_score",
]

State = TypeVar("State", bound=Hashable)


class Environment(Protocol[State]):
    """What `mcts` needs from a problem: the legal actions and a pure step function."""

    def legal_actions(self, state: State) -> Sequence[int]:
        """Actions available in `state` (non-empty unless the state is terminal)."""
        ...

    def step(self, state: State, action: int) -> tuple[State, float, bool]:
        """`(next_state, reward, done)`; must not mutate `state`."""
        ...


def uct_score(
    q_values: torch.Tensor,
    child_visits: torch.Tensor,
    parent_visits: int,
    c: float = math.sqrt(2.0),
) -> torch.Tensor:
    r"""UCT: UCB1 applied to the children of a tree node.

    $$
    \text{UCT}(s, a) = Q(s, a) + c\sqrt{\frac{\ln N(s)}{N(s, a)}}
    $$

    An unvisited child scores $+\infty$ (every action is tried once before any is repeated).

    Source: L. Kocsis & C. Szepesvári, *Bandit Based Monte-Carlo Planning*, ECML 2006.

    Note: [[AI/LLM/RL/Fundamentals/MCTS]]

    Args:
        q_values: $Q(s, a)$ of each child, shape `(A,)`.
        child_visits: $N(s, a)$, shape `(A,)`.
        parent_visits: $N(s)$.
        c: Exploration constant.

    Returns:
        Scores, shape `(A,)`.
    """
    # Q + c √(ln N(s) / N(s, a)): the UCB1 index with the children as arms
    return ucb1_scores(q_values, child_visits, parent_visits, c)


def puct_score(
    q_values: torch.Tensor,
    priors: torch.Tensor,
    child_visits: torch.Tensor,
    parent_visits: int,
    c_puct: float = 1.0,
) -> torch.Tensor:
    r"""PUCT: exploration guided by a prior policy $P(s, a)$ (AlphaGo Zero / AlphaZero).

    $$
    \text{PUCT}(s, a) = Q(s, a) + c_{\text{puct}}\, P(s, a)\,\frac{\sqrt{N(s)}}{1 + N(s, a)}
    $$

    Unvisited children have $Q = 0$ here; the prior decides which is tried first. With an LLM,
    $P(s, a)$ is the policy's probability of the candidate step.

    Sources: *Mastering the game of Go without human knowledge*, Nature 550 (2017);
    *Mastering Chess and Shogi by Self-Play with a General Reinforcement Learning Algorithm*,
    arXiv:1712.01815.

    Note: [[AI/LLM/RL/Fundamentals/MCTS]]

    Args:
        q_values: $Q(s, a)$, shape `(A,)`.
        priors: $P(s, a)$, shape `(A,)`.
        child_visits: $N(s, a)$, shape `(A,)`.
        parent_visits: $N(s)$.
        c_puct: Exploration constant.

    Returns:
        Scores, shape `(A,)`.
    """
    visits = child_visits.to(q_values.dtype)
    # Q + c P √N(s) / (1 + N(s, a))
    return q_values + c_puct * priors * math.sqrt(parent_visits) / (1.0 + visits)


def root_visit_policy(visit_counts: torch.Tensor, temperature: float) -> torch.Tensor:
    r"""The move distribution given by the root's visit counts at temperature $\tau$ (AlphaZero).

    $$
    \pi(a \mid s_0) = \frac{N(s_0, a)^{1/\tau}}{\sum_{b} N(s_0, b)^{1/\tau}}
    $$

    $\tau = 1$ plays in proportion to the visits; as $\tau \to 0$ the distribution concentrates
    on the most visited actions, and `temperature=0` returns that limit: uniform over the actions
    with the largest count (one-hot when there is no tie). AlphaGo Zero samples with $\tau = 1$
    for the first 30 moves of a self-play game and uses $\tau \to 0$ afterwards; $\pi$ is also
    the policy head's training target (`rlref.algos.objectives.alphazero_loss`). Computed as
    $\operatorname{softmax}(\log N / \tau)$, so a small $\tau$ cannot overflow $N^{1/\tau}$, and
    an unvisited action gets exactly 0. TRL and verl have no tree search.

    Sources: *Mastering the game of Go without human knowledge*, Nature 550 (2017);
    *Mastering Chess and Shogi by Self-Play with a General Reinforcement Learning Algorithm*,
    arXiv:1712.01815.

    Note: [[AI/LLM/RL/Fundamentals/MCTS]]

    Args:
        visit_counts: $N(s_0, a)$ of the root's children, shape `(A,)` (or `(..., A)`);
            at least one count per row must be positive.
        temperature: $\tau \geq 0$.

    Returns:
        $\pi(\cdot \mid s_0)$, shape of `visit_counts`, floating, rows summing to 1.
    """
    if temperature < 0:
        raise ValueError(f"temperature must be ≥ 0, got {temperature}")
    counts = visit_counts if visit_counts.is_floating_point() else visit_counts.double()
    if temperature == 0:
        # τ → 0: all the mass on the most visited actions, split evenly among ties
        top = (counts == counts.amax(dim=-1, keepdim=True)).to(counts.dtype)
        return top / top.sum(dim=-1, keepdim=True)
    # π(a) = N(a)^{1/τ} / Σ_b N(b)^{1/τ}, as softmax(log N / τ)
    return torch.softmax(torch.log(counts) / temperature, dim=-1)


@dataclass
class Node(Generic[State]):
    """A search-tree node: the state reached and statistics of the edge that led to it."""

    state: State
    reward: float = 0.0
    """Reward received on the edge into this node."""
    terminal: bool = False
    prior: float = 1.0
    visits: int = 0
    value_sum: float = 0.0
    """Sum of the returns, counted from the edge into this node, of the simulations through it."""
    children: dict[int, Node[State]] = field(default_factory=dict)

    @property
    def q_value(self) -> float:
        return self.value_sum / self.visits if self.visits else 0.0


class MCTSResult(NamedTuple):
    """The recommended action, the root statistics per action, and the tree itself."""

    best_action: int
    visit_counts: dict[int, int]
    q_values: dict[int, float]
    root: Node


def _select(node: Node, c: float, use_priors: bool) -> int:
    actions = list(node.children)
    children = [node.children[a] for a in actions]
    q = torch.tensor([child.q_value for child in children], dtype=torch.float64)
    visits = torch.tensor([child.visits for child in children], dtype=torch.float64)
    if use_priors:
        priors = torch.tensor([child.prior for child in children], dtype=torch.float64)
        scores = puct_score(q, priors, visits, node.visits, c)
    else:
        scores = uct_score(q, visits, node.visits, c)
    return actions[int(scores.argmax().item())]


def _rollout(
    env: Environment, state: State, gamma: float, depth: int, generator: torch.Generator
) -> float:
    """Return of a uniformly random playout from `state`, at most `depth` steps."""
    ret, discount = 0.0, 1.0
    for _ in range(depth):
        actions = env.legal_actions(state)
        if not actions:
            break
        action = actions[int(torch.randint(len(actions), (), generator=generator).item())]
        state, reward, done = env.step(state, action)
        ret += discount * reward
        discount *= gamma
        if done:
            break
    return ret


def mcts(
    env: Environment,
    root_state: State,
    num_simulations: int,
    *,
    c: float = math.sqrt(2.0),
    gamma: float = 1.0,
    two_player: bool = False,
    prior_fn: Callable[[State], dict[int, float]] | None = None,
    value_fn: Callable[[State], float] | None = None,
    rollout_depth: int = 100,
    seed: int = 0,
) -> MCTSResult:
    r"""Monte-Carlo tree search: select, expand, evaluate, back up — `num_simulations` times.

    1. **Select**: from the root, follow the child with the best UCT score (PUCT if `prior_fn`
       is given) until reaching a leaf.
    2. **Expand**: add all the leaf's children (with their priors).
    3. **Evaluate**: estimate the leaf's return with `value_fn`, or a random rollout.
    4. **Back up**: along the path, each edge's return is its reward plus the discounted return
       below it, $G \leftarrow r + \gamma G$; every edge on the path counts the visit,
       $N(s, a) \leftarrow N(s, a) + 1$, adds the return, $W(s, a) \leftarrow W(s, a) + G$,
       and its value is the mean return

    $$
    Q(s, a) = \frac{W(s, a)}{N(s, a)}
    $$

    With `two_player=True` (an alternating zero-sum game whose reward $r$ goes to the player
    who just moved) the backup is the negamax one, $G \leftarrow r - \gamma G$: the return
    below an edge is the opponent's, so its sign flips at every ply, each edge's $Q$ is the
    value for the player who made that move, and UCT picks the best move for the player to
    move at every node. The random rollouts accumulate their rewards the same way.

    The recommended action is the most visited root child (robust to the noise in $Q$): the
    $\tau \to 0$ limit of `root_visit_policy` (which splits a tie evenly where `best_action`
    takes the first of the tied actions). Shapes: at each node the selection scores are
    tensors of shape `(A,)`, $A$ = the node's number of legal actions (see `uct_score`,
    `puct_score`); the result holds Python numbers keyed by action.

    Sources: R. Coulom, *Efficient Selectivity and Backup Operators in Monte-Carlo Tree Search*,
    CG 2006; Kocsis & Szepesvári, ECML 2006 (UCT); arXiv:1712.01815 (PUCT, value network).

    Note: [[AI/LLM/RL/Fundamentals/MCTS]]

    Args:
        env: The environment (see `Environment`).
        root_state: State to search from (must have legal actions).
        num_simulations: Number of select–expand–evaluate–backup rounds.
        c: UCT constant, or $c_{\text{puct}}$ with priors.
        gamma: Discount $\gamma \in [0, 1]$.
        two_player: Negamax backup for alternating two-player zero-sum games.
        prior_fn: State → `{action: prior}`; enables PUCT.
        value_fn: State → estimated return; replaces the random rollout.
        rollout_depth: Maximum length of a random rollout.
        seed: Seed of the rollout generator.

    Returns:
        `MCTSResult(best_action, visit_counts, q_values, root)`: `visit_counts` and `q_values`
        map each root action $a$ to $N(s_0, a)$ and $Q(s_0, a)$; as a tensor,
        `torch.tensor(list(visit_counts.values()))` has shape `(A,)`.
    """
    if not 0.0 <= gamma <= 1.0:
        raise ValueError(f"gamma must be in [0, 1], got {gamma} (two_player=True flips signs)")
    # negamax: the return below an edge belongs to the opponent, so it enters with a minus
    step_gamma = -gamma if two_player else gamma
    generator = torch.Generator().manual_seed(seed)
    root: Node = Node(root_state)
    for _ in range(num_simulations):
        node, path = root, [root]
        # 1. select
        while node.children:
            node = node.children[_select(node, c, prior_fn is not None)]
            path.append(node)
        # 2. expand
        if not node.terminal:
            priors = prior_fn(node.state) if prior_fn is not None else {}
            for action in env.legal_actions(node.state):
                next_state, reward, done = env.step(node.state, action)
                node.children[action] = Node(next_state, reward, done, priors.get(action, 1.0))
        # 3. evaluate the leaf
        if node.terminal:
            ret = 0.0
        elif value_fn is not None:
            ret = value_fn(node.state)
        else:
            ret = _rollout(env, node.state, step_gamma, rollout_depth, generator)
        # 4. back up: G ← r + γ G (negamax: G ← r − γ G) on every edge of the path
        root.visits += 1
        for child in reversed(path[1:]):
            ret = child.reward + step_gamma * ret
            child.visits += 1
            child.value_sum += ret
    visit_counts = {a: child.visits for a, child in root.children.items()}
    q_values = {a: child.q_value for a, child in root.children.items()}
    best_action = max(visit_counts, key=visit_counts.__getitem__)
    return MCTSResult(best_action, visit_counts, q_values, root)

"""`rlref run value-iteration`: Bellman optimality sweeps on a slippery gridworld.

The grid (``#`` wall, ``G`` goal +1, ``X`` trap −1, ``S`` start; every move costs 0.04)::

    . . . . . G
    . # # . # .
    . . . . # X
    . # . . . .
    S . . # . .

A move goes where it was meant with probability 0.8 and to either side with 0.1 each;
bumping into a wall or the edge stays put. G and X end the episode. Each step of the demo is
one sweep ``V ← max_a [R + γ P V]`` with ``rlref.algos.tabular.action_values``; it logs the
Bellman residual ``‖V_{k+1} − V_k‖∞`` (→ 0 geometrically, at rate γ) and the distance to
``V*`` from ``rlref.algos.tabular.value_iteration``. At the end the value table and the greedy
policy are printed and drawn (``values.png``), and the greedy policy is checked with
``policy_evaluation_linear``: its exact value must equal ``V*``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from rlref.algos.tabular import (
    FiniteMDP,
    action_values,
    policy_evaluation_linear,
    value_iteration,
)
from rlref.demos.base import DemoSpec, RunContext, Target
from rlref.demos.distributed import is_main_process
from rlref.demos.runner import save_figure
from rlref.demos.settings import bounded, describe_settings, settings_from_options

GRID = (
    ". . . . . G",
    ". # # . # .",
    ". . . . # X",
    ". # . . . .",
    "S . . # . .",
)
MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))  # up, right, down, left
ARROWS = "↑→↓←"


@dataclass(frozen=True)
class GridSettings:
    gamma: float = bounded(0.95, 0.0, 0.999)  # < 1: the sweeps must contract
    slip: float = bounded(0.2, 0.0, 1.0)  # probability of moving to one of the two sides
    step_reward: float = -0.04


@dataclass(frozen=True)
class Gridworld:
    """The grid as a ``FiniteMDP`` plus what is needed to draw it."""

    mdp: FiniteMDP
    cells: list[tuple[int, int]]  # state index → (row, col)
    rows: int
    cols: int
    start: int
    terminal: frozenset[int]


def build_gridworld(settings: GridSettings) -> Gridworld:
    layout = [row.split() for row in GRID]
    rows, cols = len(layout), len(layout[0])
    cells = [(r, c) for r in range(rows) for c in range(cols) if layout[r][c] != "#"]
    index = {cell: i for i, cell in enumerate(cells)}
    payoff = {"G": 1.0, "X": -1.0}
    terminal = frozenset(i for i, (r, c) in enumerate(cells) if layout[r][c] in payoff)
    n, actions = len(cells), len(MOVES)
    transitions = torch.zeros(n, actions, n, dtype=torch.float64)
    rewards = torch.zeros(n, actions, dtype=torch.float64)

    def land(r: int, c: int, move: tuple[int, int]) -> int:
        nr, nc = r + move[0], c + move[1]
        blocked = not (0 <= nr < rows and 0 <= nc < cols) or layout[nr][nc] == "#"
        return index[(r, c)] if blocked else index[(nr, nc)]

    for s, (r, c) in enumerate(cells):
        for a in range(actions):
            if s in terminal:  # absorbing, no reward
                transitions[s, a, s] = 1.0
                continue
            sides = (MOVES[(a + 1) % 4], MOVES[(a + 3) % 4])
            outcomes = [(MOVES[a], 1 - settings.slip), *((m, settings.slip / 2) for m in sides)]
            for move, prob in outcomes:
                nxt = land(r, c, move)
                transitions[s, a, nxt] += prob
                nr, nc = cells[nxt]
                # expected reward R(s, a) = Σ_s' P(s'|s, a) r(s, a, s')
                rewards[s, a] += prob * (settings.step_reward + payoff.get(layout[nr][nc], 0.0))
    start = next(i for i, (r, c) in enumerate(cells) if layout[r][c] == "S")
    mdp = FiniteMDP(transitions, rewards, settings.gamma)
    return Gridworld(mdp, cells, rows, cols, start, terminal)


def render(world: Gridworld, values: torch.Tensor, policy: torch.Tensor) -> str:
    """The value table and greedy policy as text, one grid row per line."""
    layout = [row.split() for row in GRID]
    by_cell = {cell: s for s, cell in enumerate(world.cells)}
    value_rows, policy_rows = [], []
    for r in range(world.rows):
        value_line, policy_line = [], []
        for c in range(world.cols):
            s = by_cell.get((r, c))
            value_line.append("   ###" if s is None else f"{float(values[s]):+6.3f}")
            if s is None:
                policy_line.append("#")
            elif s in world.terminal:
                policy_line.append(layout[r][c])
            else:
                policy_line.append(ARROWS[int(policy[s])])
        value_rows.append(" ".join(value_line))
        policy_rows.append(" ".join(policy_line))
    return "V*:\n" + "\n".join(value_rows) + "\ngreedy policy:\n" + "\n".join(policy_rows)


def draw(world: Gridworld, values: torch.Tensor, policy: torch.Tensor, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    grid = torch.full((world.rows, world.cols), float("nan"))
    for s, (r, c) in enumerate(world.cells):
        grid[r, c] = float(values[s])
    fig, ax = plt.subplots(figsize=(5.2, 3.8))
    image = ax.imshow(grid.numpy(), cmap="RdYlGn", vmin=-1, vmax=1)
    layout = [row.split() for row in GRID]
    for s, (r, c) in enumerate(world.cells):
        label = layout[r][c] if s in world.terminal else ARROWS[int(policy[s])]
        ax.text(c, r - 0.12, label, ha="center", va="center", fontsize=13)
        ax.text(c, r + 0.28, f"{float(values[s]):.2f}", ha="center", va="center", fontsize=7)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title("V* and the greedy policy (value iteration)", fontsize=10)
    fig.colorbar(image, ax=ax, fraction=0.04)
    save_figure(fig, path)


def run(ctx: RunContext) -> None:
    settings = settings_from_options(GridSettings, ctx.options)
    world = build_gridworld(settings)
    mdp = world.mdp
    optimal = value_iteration(mdp, tol=1e-13)  # V* to measure the sweeps against
    values = torch.zeros(mdp.num_states, dtype=torch.float64)
    greedy = action_values(mdp, values).argmax(dim=-1)
    for sweep in range(ctx.steps):
        # one Bellman optimality sweep: V_{k+1}(s) = max_a [R(s, a) + γ Σ_s' P(s'|s, a) V_k(s')]
        q = action_values(mdp, values)
        updated, new_greedy = q.max(dim=-1)
        ctx.log.step(
            sweep,
            bellman_residual=float((updated - values).abs().max()),
            value_error=float((updated - optimal.values).abs().max()),
            start_value=float(updated[world.start]),
            policy_changes=int((new_greedy != greedy).sum()),
        )
        values, greedy = updated, new_greedy
    policy = action_values(mdp, values).argmax(dim=-1)
    one_hot = torch.nn.functional.one_hot(policy, mdp.num_actions).to(values.dtype)
    exact = policy_evaluation_linear(mdp, one_hot)  # V^π of the greedy policy, solved exactly
    ctx.show(render(world, values, policy))
    ctx.show(
        f"‖V^π_greedy − V*‖∞ = {float((exact - optimal.values).abs().max()):.2e}; "
        f"value_iteration() converged in {optimal.iterations} sweeps"
    )
    if is_main_process():
        draw(world, values, policy, ctx.out / "values.png")


SPEC = DemoSpec(
    name="value-iteration",
    summary="Bellman optimality sweeps on a slippery 5×6 gridworld; value table and policy",
    note="AI/LLM/RL/Fundamentals/贝尔曼方程",
    target=Target("bellman_residual", 1e-6, direction="min"),
    default_steps=100,
    plot_metrics=("bellman_residual", "value_error", "start_value"),
    log_scale=("bellman_residual", "value_error"),
    run=run,
    quick=True,
    options=describe_settings(GridSettings),
)

"""`rlref run mcts`: Monte-Carlo tree search plays tic-tac-toe against a uniformly random player.

The search is ``rlref.algos.search.mcts`` (UCT selection, random rollouts) with
``two_player=True``: the reward of a move is +1 for the player who just completed a line, and
the negamax backup ``G ← r − G`` flips the sign at every ply, so the statistics of each edge
are the return of the player who made that move, and UCT at every node picks the best move
for the player to move — the usual two-player MCTS.

Each step is one game; MCTS plays X (moves first) in even games and O in odd ones. Target:
no game lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

from rlref.algos.search import mcts
from rlref.demos.base import DemoSpec, RunContext, RunLog, Target
from rlref.demos.runner import save_figure
from rlref.demos.settings import describe_settings, settings_from_options

LINES = ((0, 1, 2), (3, 4, 5), (6, 7, 8), (0, 3, 6), (1, 4, 7), (2, 5, 8), (0, 4, 8), (2, 4, 6))
Board = tuple[int, ...]  # 9 cells: 0 empty, 1 X, 2 O; X moves first


def to_move(board: Board) -> int:
    return 1 if board.count(1) == board.count(2) else 2


def winner(board: Board) -> int:
    for a, b, c in LINES:
        if board[a] and board[a] == board[b] == board[c]:
            return board[a]
    return 0


class TicTacToe:
    """The game as an ``rlref.algos.search.Environment`` in negamax form (``two_player=True``)."""

    def legal_actions(self, state: Board) -> Sequence[int]:
        if winner(state):
            return []
        return [i for i, cell in enumerate(state) if cell == 0]

    def step(self, state: Board, action: int) -> tuple[Board, float, bool]:
        board = list(state)
        board[action] = to_move(state)
        after = tuple(board)
        won = winner(after) != 0
        # +1 to the player who just moved if it completed a line; a full board is a draw
        return after, 1.0 if won else 0.0, won or 0 not in after


@dataclass(frozen=True)
class MCTSSettings:
    simulations: int = 400  # per move (200 lost 1 game in 100 on seed 1)


def play_game(
    game: int, settings: MCTSSettings, seed: int, generator: torch.Generator
) -> tuple[int, list[Board]]:
    """One game; returns (+1 MCTS won, 0 draw, −1 MCTS lost) and the boards."""
    env = TicTacToe()
    mcts_player = 1 if game % 2 == 0 else 2
    board: Board = (0,) * 9
    history = [board]
    ply = 0
    while env.legal_actions(board) and 0 in board:
        legal = env.legal_actions(board)
        if to_move(board) == mcts_player:
            result = mcts(
                env, board, settings.simulations, two_player=True,
                seed=seed * 100_003 + game * 10 + ply,
            )
            action = result.best_action
        else:
            action = legal[int(torch.randint(len(legal), (), generator=generator))]
        board, _, _ = env.step(board, action)
        history.append(board)
        ply += 1
    won_by = winner(board)
    return (0 if won_by == 0 else 1 if won_by == mcts_player else -1), history


def draw_board(board: Board) -> str:
    marks = ".XO"
    return "\n".join(" ".join(marks[c] for c in board[r : r + 3]) for r in (0, 3, 6))


def run(ctx: RunContext) -> None:
    settings = settings_from_options(MCTSSettings, ctx.options)
    generator = torch.Generator().manual_seed(ctx.seed)  # the random player's moves
    wins = draws = losses = 0
    lost_games: list[list[Board]] = []
    for game in range(ctx.steps):
        outcome, history = play_game(game, settings, ctx.seed, generator)
        wins += outcome == 1
        draws += outcome == 0
        losses += outcome == -1
        if outcome == -1:
            lost_games.append(history)
        played = game + 1
        ctx.log.step(
            game,
            win_rate=wins / played,
            draw_rate=draws / played,
            losses=losses,
            outcome=outcome,
            mcts_is_x=float(game % 2 == 0),
        )
    ctx.show(
        f"MCTS ({settings.simulations} simulations/move) vs random: "
        f"{wins} wins, {draws} draws, {losses} losses in {ctx.steps} games"
    )
    for history in lost_games[:3]:
        ctx.show("a lost game, final board:\n" + draw_board(history[-1]))


def plot(log: RunLog, path: Path, title: str) -> None:
    """Cumulative results over the games, and the results split by the side MCTS played."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    games = [int(row["step"]) + 1 for row in log.rows]
    outcomes = [int(row["outcome"]) for row in log.rows]
    as_x = [row["mcts_is_x"] == 1.0 for row in log.rows]
    names = {1: "win", 0: "draw", -1: "loss"}
    plural = {1: "wins", 0: "draws", -1: "losses"}
    colours = {1: "tab:green", 0: "tab:gray", -1: "tab:red"}
    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.2), width_ratios=(2, 1))
    for value, label in plural.items():
        counts, total = [], 0
        for outcome in outcomes:
            total += outcome == value
            counts.append(total)
        left.plot(games, counts, color=colours[value], lw=1.6, label=label)
    left.set_xlabel("games played")
    left.set_ylabel("cumulative count")
    left.legend(loc="upper left", fontsize=8)
    left.grid(alpha=0.3)
    sides = {"MCTS as X\n(moves first)": True, "MCTS as O": False}
    bottom = [0, 0]
    for value, name in names.items():
        heights = [
            sum(o == value for o, x in zip(outcomes, as_x, strict=True) if x == side)
            for side in sides.values()
        ]
        right.bar(list(sides), heights, bottom=bottom, color=colours[value], label=name)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    right.set_ylabel("games")
    right.legend(fontsize=8)
    save_figure(fig, path, title)


SPEC = DemoSpec(
    name="mcts",
    summary="UCT tree search plays tic-tac-toe against a random player, as X and as O",
    note="AI/LLM/RL/Fundamentals/MCTS",
    target=Target("losses", 0, direction="min"),
    default_steps=100,
    plot_metrics=("win_rate", "draw_rate", "losses"),
    run=run,
    options=describe_settings(MCTSSettings),
    plot=plot,
)

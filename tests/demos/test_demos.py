"""Each demo, shortened to a few seconds: it runs, writes its files, and its metric moves the
right way. The full-length runs and their targets are measured by benchmarks/bench_demos.py.

Budget: the whole file is meant to stay under ~60 s of CPU on a 2-core machine.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from rlref.demos import all_demos, get_demo
from rlref.demos.registry import DEMO_MODULES
from rlref.demos.runner import RunResult, run_demo

NOTES = {
    "grpo": "AI/LLM/RL/GRPO/GRPO-demo",
    "ppo": "AI/LLM/RL/PPO/PPO 原理",
    "dpo": "AI/LLM/RL/DPO/DPO 原理",
    "reward-model": "AI/LLM/RL/Fundamentals/Bradley-Terry 奖励模型",
    "value-iteration": "AI/LLM/RL/Fundamentals/贝尔曼方程",
    "bandits": "AI/LLM/RL/Fundamentals/RL 概览",
    "mcts": "AI/LLM/RL/Fundamentals/MCTS",
}


def short_run(name: str, steps: int, out: Path, **options: object) -> tuple[RunResult, list[dict]]:
    spec = get_demo(name)
    assert spec is not None
    result = run_demo(
        spec, steps, 0, out, progress=False, options={k: str(v) for k, v in options.items()}
    )
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert len({row["step"] for row in rows}) == len(rows)
    assert (out / "plot.png").stat().st_size > 5_000
    provenance = json.loads((out / "run.json").read_text())
    assert provenance["seed"] == 0 and provenance["steps"] == steps
    assert provenance["final"] == pytest.approx(result.final)
    return result, rows


def values(rows: list[dict], metric: str) -> list[float]:
    return [row[metric] for row in rows if metric in row]


def mean(xs: list[float]) -> float:
    return sum(xs) / len(xs)


def test_every_demo_is_registered_with_its_note() -> None:
    assert set(DEMO_MODULES) == set(NOTES)
    for spec in all_demos():
        assert spec.note == NOTES[spec.name]
        assert spec.default_steps > 0 and spec.plot_metrics


def test_grpo_raises_reward_and_greedy_accuracy(tmp_path: Path) -> None:
    _, rows = short_run("grpo", 20, tmp_path, eval_every=19)
    reward = values(rows, "reward")
    greedy = values(rows, "greedy_accuracy")
    assert mean(reward[-10:]) > mean(reward[:10]) + 0.05
    assert greedy[-1] > greedy[0] + 0.08
    kl = values(rows, "kl")
    assert kl[0] == pytest.approx(0.0, abs=1e-6) and max(kl) > 0.0  # π_θ leaves π_ref
    assert rows[0]["warmup_loss_last"] < rows[0]["warmup_loss_first"] / 4


def test_ppo_raises_reward_and_fits_values(tmp_path: Path) -> None:
    _, rows = short_run("ppo", 20, tmp_path, prompts=64, eval_every=19)
    reward = values(rows, "reward")  # the demo's target metric
    assert mean(reward[-10:]) > mean(reward[:10]) + 0.05
    greedy = values(rows, "greedy_accuracy")
    assert greedy[-1] > greedy[0] + 0.08
    value_loss = values(rows, "value_loss")
    assert mean(value_loss[-5:]) < mean(value_loss[:5])


def test_dpo_widens_the_margin_and_orders_held_out_pairs(tmp_path: Path) -> None:
    _, rows = short_run("dpo", 20, tmp_path, eval_every=19)
    margin = values(rows, "reward_margin")
    assert margin[0] >= 0 and margin[-1] > margin[0] + 0.1
    held_out = values(rows, "held_out_accuracy")
    assert held_out[-1] > held_out[0] + 0.05


def test_reward_model_held_out_accuracy_rises(tmp_path: Path) -> None:
    _, rows = short_run("reward-model", 40, tmp_path, pairs=64, eval_every=39)
    held_out = values(rows, "held_out_accuracy")
    assert held_out[-1] > held_out[0] + 0.08
    loss = values(rows, "loss")
    assert mean(loss[-10:]) < mean(loss[:10])


def test_value_iteration_residual_goes_to_zero(tmp_path: Path) -> None:
    result, rows = short_run("value-iteration", 100, tmp_path)
    residual = values(rows, "bellman_residual")
    # the Bellman optimality operator is a γ-contraction: each residual ≤ γ × the previous one
    assert all(b <= 0.95 * a + 1e-15 for a, b in itertools.pairwise(residual))
    assert residual[-1] < 1e-6 and result.met
    assert values(rows, "value_error")[-1] < 1e-9
    assert (tmp_path / "values.png").exists()


def test_bandits_epsilon_greedy_regret_keeps_growing(tmp_path: Path) -> None:
    _, rows = short_run("bandits", 2000, tmp_path, seeds=2)

    def late_slope(metric: str) -> float:
        series = values(rows, metric)
        third = len(series) // 3
        return (series[-1] - series[-third]) / third

    # fixed-ε exploration costs regret at a constant rate; UCB1 and Thompson slow down
    assert late_slope("regret_epsilon_greedy") > late_slope("regret_ucb1")
    assert late_slope("regret_epsilon_greedy") > 3 * late_slope("regret_thompson")
    ratio = values(rows, "regret_ratio")
    assert ratio[-1] < max(ratio)


def test_mcts_never_loses_but_a_blind_search_does(tmp_path: Path) -> None:
    result, rows = short_run("mcts", 12, tmp_path / "search", simulations=100)
    assert values(rows, "losses")[-1] == 0 and result.met
    assert values(rows, "win_rate")[-1] > 0.5
    # one simulation per move is a random player: the same games are then lost sometimes
    blind, blind_rows = short_run("mcts", 12, tmp_path / "blind", simulations=1)
    assert values(blind_rows, "losses")[-1] > 0 and not blind.met

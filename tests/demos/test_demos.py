"""Each demo, shortened to a few seconds: it runs, writes its files, and its metric moves the
right way. The full-length runs and their targets are measured by benchmarks/bench_demos.py.

Budget: the whole file is meant to stay under ~90 s wall on a 2-core machine.

Green on every CPU: PyTorch picks its float kernels by CPU (``ATEN_CPU_CAPABILITY`` forces a
set), and a few ulps early in a training run change which completions get sampled later, so
on another CPU a short run behaves like another seed. The learning assertions are therefore
data (``LEARNING``: a quantity, a threshold) on the short runs of ``SHORT_RUNS``, and
benchmarks/bench_demo_spread.py runs those same runs under each kernel set and several seeds:
every assertion keeps a margin of at least 3× the spread of its quantity (figures in
benchmarks/README.md). Quantities that pass that bar are the ones an algorithm moves by much
more than the run-to-run noise: a loss relative to its start, a held-out accuracy against a
level no starting point reaches, or how many late steps beat the starting level. Greedy
accuracy after 20 steps (+0.09 to +0.38 for GRPO, −0.01 to +0.17 for PPO), the reward gain
of PPO's first 20 steps and the reward model's held-out accuracy after 100 (0.74–0.82, from
0.49–0.55) are not among them, so no test asserts on them.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
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

Rows = list[dict[str, float]]

# run name → (demo, steps, options): the short runs of the tests and of the spread benchmark
SHORT_RUNS: dict[str, tuple[str, int, dict[str, object]]] = {
    "grpo": ("grpo", 20, {"eval_every": 19}),
    "ppo": ("ppo", 20, {"prompts": 64, "eval_every": 19}),
    "dpo": ("dpo", 20, {"eval_every": 19}),
    "reward-model": ("reward-model", 100, {"pairs": 64, "eval_every": 99}),
    "value-iteration": ("value-iteration", 100, {}),
    "bandits": ("bandits", 4000, {"seeds": 2}),
    "mcts": ("mcts", 12, {"simulations": 100}),
    "mcts-blind": ("mcts", 1000, {"simulations": 1}),
}


def values(rows: Rows, metric: str) -> list[float]:
    return [row[metric] for row in rows if metric in row]


def mean(xs: list[float]) -> float:
    return sum(xs) / len(xs)


def last(metric: str) -> Callable[[Rows], float]:
    return lambda rows: values(rows, metric)[-1]


def share_of_late_steps_above_start(rows: Rows) -> float:
    """Share of the last 10 steps whose reward beats the mean reward of the first 5.

    A sign count, not a size: how fast the reward rises varies a lot between seeds (and CPUs),
    that it rises above the per-step sampling noise does not. With the policy frozen (lr = 0)
    the share is a coin toss per step (0.2–0.7 over seeds 0–4 of GRPO).
    """
    reward = values(rows, "reward")
    start = mean(reward[:5])
    return mean([r > start for r in reward[-10:]])


def late_slope(rows: Rows, metric: str) -> float:
    """Growth of a cumulative-regret curve per logged row over its last third."""
    series = values(rows, metric)
    third = len(series) // 3
    return (series[-1] - series[-third]) / third


def slow_down(rows: Rows, metric: str) -> float:
    """Late slope over the mean slope of the first third: ~1 for linear growth, → 0 for log."""
    series = values(rows, metric)
    third = len(series) // 3
    return late_slope(rows, metric) / (series[third] / third)


@dataclass(frozen=True)
class Learning:
    """A learning assertion: ``value(rows) > threshold`` (``<`` when ``above`` is false)."""

    run: str  # a key of SHORT_RUNS
    quantity: str  # what is measured, in words
    value: Callable[[Rows], float]
    threshold: float
    above: bool = True

    def margin(self, value: float) -> float:
        return value - self.threshold if self.above else self.threshold - value


LN2 = math.log(2)  # the Bradley-Terry loss of a model that ranks nothing

LEARNING: list[Learning] = [
    # GRPO: the SFT warm-up cuts the cross-entropy (0.07–0.13 of its first value), then the
    # sampled reward of fresh prompts rises above its starting level and stays there
    Learning(
        "grpo",
        "SFT warm-up loss, last / first step",
        lambda rows: rows[0]["warmup_loss_last"] / rows[0]["warmup_loss_first"],
        0.4,
        above=False,
    ),
    Learning(
        "grpo",
        "share of steps 10–19 with reward > mean of steps 0–4",
        share_of_late_steps_above_start,
        0.85,
    ),
    # PPO: each batch's first epoch lowers its clipped surrogate (exactly 0 before it moves;
    # ± float noise with lr = 0), and the value head learns the returns' level (explained
    # variance of a random head: −1.5 to −6)
    Learning(
        "ppo",
        "share of steps whose policy loss after epoch 1 is < 0",
        lambda rows: mean([loss < 0 for loss in values(rows, "policy_loss")]),
        0.9,
    ),
    Learning(
        "ppo",
        "explained variance, mean of the last 10 steps",
        lambda rows: mean(values(rows, "explained_variance")[-10:]),
        -1.0,
    ),
    # DPO: chosen answers beat rejected ones on every fresh batch, and held-out pairs end up
    # ordered better than the first evaluation orders any of seeds 0–4 (0.65–0.80)
    Learning(
        "dpo",
        "share of steps 1–19 with reward margin > 0",
        lambda rows: mean([m > 0 for m in values(rows, "reward_margin")[1:]]),
        0.9,
    ),
    Learning("dpo", "held-out preference accuracy, last", last("held_out_accuracy"), 0.83),
    # Bradley-Terry: on fresh pairs (scored before the step that trains on them) the loss
    # falls below ln 2, the loss of a model that ranks nothing
    Learning(
        "reward-model",
        "share of steps 50–99 with loss < ln 2",
        lambda rows: mean([loss < LN2 for loss in values(rows, "loss")[50:]]),
        0.75,
    ),
    Learning(
        "value-iteration", "Bellman residual, last sweep", last("bellman_residual"), 1e-6, False
    ),
    # fixed-ε exploration costs regret at a constant rate; UCB1 and Thompson slow down
    Learning(
        "bandits",
        "late slope: ε-greedy − 3 × Thompson",
        lambda rows: (
            late_slope(rows, "regret_epsilon_greedy") - 3 * late_slope(rows, "regret_thompson")
        ),
        0.0,
    ),
    Learning(
        "bandits",
        "UCB1 late slope / its first-third slope",
        lambda rows: slow_down(rows, "regret_ucb1"),
        0.7,
        above=False,
    ),
    Learning(
        "bandits",
        "final regret: Thompson / ε-greedy",
        lambda rows: (
            values(rows, "regret_thompson")[-1] / values(rows, "regret_epsilon_greedy")[-1]
        ),
        0.6,
        above=False,
    ),
    Learning("mcts", "games lost (of 12)", last("losses"), 0.5, above=False),
    # one simulation per move is a random player: the same opponent then wins often
    Learning(
        "mcts-blind",
        "share of games lost (of 1000)",
        lambda rows: values(rows, "losses")[-1] / len(rows),
        0.03,
    ),
]


def short_run(run: str, out: Path) -> tuple[RunResult, Rows]:
    name, steps, options = SHORT_RUNS[run]
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


def failed_learning(run: str, rows: Rows) -> list[str]:
    """The learning assertions of ``run`` that ``rows`` miss, as readable lines."""
    checks = [check for check in LEARNING if check.run == run]
    assert checks, f"no learning assertion for {run}"
    failed = []
    for check in checks:
        value = check.value(rows)
        if not check.margin(value) > 0:
            sign = ">" if check.above else "<"
            failed.append(f"{run}: {check.quantity} = {value:.4g}, not {sign} {check.threshold:g}")
    return failed


def assert_learned(run: str, rows: Rows) -> None:
    failed = failed_learning(run, rows)
    assert not failed, "\n".join(failed)


def test_every_demo_is_registered_with_its_note() -> None:
    assert set(DEMO_MODULES) == set(NOTES)
    for spec in all_demos():
        assert spec.note == NOTES[spec.name]
        assert spec.default_steps > 0 and spec.plot_metrics
    assert {check.run for check in LEARNING} == set(SHORT_RUNS)


def test_grpo_raises_reward_after_the_warm_up(tmp_path: Path) -> None:
    _, rows = short_run("grpo", tmp_path)
    assert_learned("grpo", rows)
    kl = values(rows, "kl")
    assert kl[0] == pytest.approx(0.0, abs=1e-6) and max(kl) > 0.0  # π_θ leaves π_ref


def test_ppo_improves_its_surrogate_and_fits_values(tmp_path: Path) -> None:
    _, rows = short_run("ppo", tmp_path)
    assert_learned("ppo", rows)


def test_dpo_widens_the_margin_and_orders_held_out_pairs(tmp_path: Path) -> None:
    _, rows = short_run("dpo", tmp_path)
    assert values(rows, "reward_margin")[0] >= 0
    assert_learned("dpo", rows)


def test_reward_model_beats_chance_on_fresh_pairs(tmp_path: Path) -> None:
    _, rows = short_run("reward-model", tmp_path)
    assert_learned("reward-model", rows)


def test_value_iteration_residual_goes_to_zero(tmp_path: Path) -> None:
    result, rows = short_run("value-iteration", tmp_path)
    residual = values(rows, "bellman_residual")
    # the Bellman optimality operator is a γ-contraction: each residual ≤ γ × the previous one
    assert all(b <= 0.95 * a + 1e-15 for a, b in itertools.pairwise(residual))
    assert_learned("value-iteration", rows)
    assert result.met and values(rows, "value_error")[-1] < 1e-9
    assert (tmp_path / "values.png").exists()


def test_bandits_epsilon_greedy_regret_keeps_growing(tmp_path: Path) -> None:
    _, rows = short_run("bandits", tmp_path)
    assert_learned("bandits", rows)


def test_mcts_never_loses_but_a_blind_search_does(tmp_path: Path) -> None:
    result, rows = short_run("mcts", tmp_path / "search")
    assert_learned("mcts", rows)
    assert result.met
    blind, blind_rows = short_run("mcts-blind", tmp_path / "blind")
    assert_learned("mcts-blind", blind_rows)
    assert not blind.met

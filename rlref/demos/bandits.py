"""`rlref run bandits`: ε-greedy vs UCB1 vs Thompson sampling on a 4-armed Bernoulli bandit.

Arms pay 1 with probabilities 0.2, 0.4, 0.6, 0.8. Each strategy plays ``steps`` pulls on
several seeds with ``rlref.algos.bandits.simulate_regret``; the demo logs the mean and
standard deviation over seeds of the cumulative pseudo-regret ``Σ_t (μ* − μ_{a_t})``.

ε-greedy with a fixed ε keeps exploring at rate ε forever, so its regret grows linearly;
UCB1 and Thompson sampling grow like ``ln n``. UCB1 pays a large constant first (it keeps
checking close arms), so the ordering only settles after a few thousand pulls: the target is
that, at the horizon, both UCB1 and Thompson sampling have less regret than ε-greedy
(``regret_ratio = max(UCB1, Thompson) / ε-greedy ≤ 1``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from rlref.algos.bandits import simulate_regret
from rlref.demos.base import DemoSpec, RunContext, RunLog, Target
from rlref.demos.runner import save_figure
from rlref.demos.settings import describe_settings, settings_from_options

ARM_MEANS = (0.2, 0.4, 0.6, 0.8)
STRATEGIES = {"epsilon_greedy": "ε-greedy", "ucb1": "UCB1", "thompson": "Thompson"}
LOGGED_POINTS = 400  # rows in metrics.jsonl, whatever the horizon


@dataclass(frozen=True)
class BanditSettings:
    seeds: int = 8
    epsilon: float = 0.1


def run(ctx: RunContext) -> None:
    settings = settings_from_options(BanditSettings, ctx.options)
    arms = torch.tensor(ARM_MEANS, dtype=torch.float64)
    curves = {}
    for strategy in STRATEGIES:
        seeds = [ctx.seed * 1000 + s for s in range(settings.seeds)]
        runs = [
            simulate_regret(strategy, arms, ctx.steps, seed=seed, epsilon=settings.epsilon)
            for seed in seeds
        ]
        curves[strategy] = torch.stack(runs)  # (seeds, horizon)
    mean = {k: v.mean(dim=0) for k, v in curves.items()}
    std = {
        k: v.std(dim=0) if settings.seeds > 1 else torch.zeros_like(v[0]) for k, v in curves.items()
    }
    stride = max(1, ctx.steps // LOGGED_POINTS)
    for t in [*range(0, ctx.steps - 1, stride), ctx.steps - 1]:
        row = {f"regret_{k}": float(mean[k][t]) for k in STRATEGIES}
        row |= {f"std_{k}": float(std[k][t]) for k in STRATEGIES}
        worst_smart = max(row["regret_ucb1"], row["regret_thompson"])
        row["regret_ratio"] = worst_smart / max(row["regret_epsilon_greedy"], 1e-12)
        ctx.log.step(t, **row)
    final = {STRATEGIES[k]: round(float(mean[k][-1]), 1) for k in STRATEGIES}
    ctx.show(f"mean cumulative regret after {ctx.steps} pulls over {settings.seeds} seeds: {final}")


def plot(log: RunLog, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 5.2), sharex=True, height_ratios=(3, 1.4))
    for key, label in STRATEGIES.items():
        steps, mean = zip(*log.series(f"regret_{key}"), strict=True)
        _, std = zip(*log.series(f"std_{key}"), strict=True)
        low = [m - s for m, s in zip(mean, std, strict=True)]
        high = [m + s for m, s in zip(mean, std, strict=True)]
        top.plot(steps, mean, lw=1.5, label=label)
        top.fill_between(steps, low, high, alpha=0.2)
    top.set_ylabel("cumulative regret\n(mean ± std over seeds)")
    top.legend(loc="upper left", fontsize=8)
    top.grid(alpha=0.3)
    steps, ratio = zip(*log.series("regret_ratio"), strict=True)
    bottom.plot(steps, ratio, color="black", lw=1.2)
    bottom.axhline(1.0, color="tab:red", ls="--", lw=1, label="target ≤ 1")
    bottom.set_ylabel("max(UCB1, TS)\n/ ε-greedy")
    bottom.set_ylim(0, 2.5)
    bottom.legend(loc="upper right", fontsize=8)
    bottom.grid(alpha=0.3)
    bottom.set_xlabel("pulls")
    save_figure(fig, path, title)


SPEC = DemoSpec(
    name="bandits",
    summary="ε-greedy vs UCB1 vs Thompson sampling on a 4-armed Bernoulli bandit; regret",
    note="AI/LLM/RL/Fundamentals/RL 概览",
    target=Target("regret_ratio", 1.0, direction="min"),
    default_steps=4000,
    plot_metrics=("regret_epsilon_greedy", "regret_ucb1", "regret_thompson", "regret_ratio"),
    run=run,
    options=describe_settings(BanditSettings),
    plot=plot,
)

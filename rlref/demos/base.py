"""What a demo is, and the logger it reports its metrics through.

A demo is a seeded training loop built only from ``rlref.algos`` functions. It receives a
``RunContext`` and calls ``ctx.log.step(step, **metrics)`` once per step; the runner turns that
into a progress bar, a JSONL file and a plot, and judges the final value of the demo's target
metric.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal


@dataclass(frozen=True)
class Target:
    """The demo's stated goal: ``metric`` ≥ (or ≤) ``value`` at the end of the run.

    ``cpu_budget`` (seconds of process CPU time), when set, is part of the goal: a run that
    reaches the value but spends more CPU than that misses the target.
    """

    metric: str
    value: float
    direction: Literal["max", "min"] = "max"
    over_last: int = 1  # judge the mean of the last N logged values (noisy metrics)
    cpu_budget: float | None = None

    def met(self, final: float, cpu_seconds: float | None = None) -> bool:
        reached = final >= self.value if self.direction == "max" else final <= self.value
        within = self.cpu_budget is None or cpu_seconds is None or cpu_seconds <= self.cpu_budget
        return reached and within

    def describe(self) -> str:
        sign = "≥" if self.direction == "max" else "≤"
        window = f" (mean of the last {self.over_last} steps)" if self.over_last > 1 else ""
        budget = f" within {self.cpu_budget:g} s of CPU" if self.cpu_budget is not None else ""
        return f"{self.metric} {sign} {self.value:g}{window}{budget}"


@dataclass
class RunLog:
    """Collects per-step metrics; writes each step to JSONL as it arrives."""

    stream: IO[str] | None = None
    rows: list[dict[str, float]] = field(default_factory=list)
    on_step: Callable[[int, dict[str, float]], None] | None = None

    def step(self, step: int, **metrics: float) -> None:
        row = {"step": step, **{k: float(v) for k, v in metrics.items()}}
        self.rows.append(row)
        if self.stream is not None:
            self.stream.write(json.dumps(row) + "\n")
            self.stream.flush()
        if self.on_step is not None:
            self.on_step(step, row)

    def series(self, metric: str) -> list[tuple[int, float]]:
        return [(int(r["step"]), r[metric]) for r in self.rows if metric in r]

    def final(self, target: Target) -> float | None:
        values = [v for _, v in self.series(target.metric)][-target.over_last :]
        return sum(values) / len(values) if values else None


@dataclass(frozen=True)
class RunContext:
    """Everything one run of a demo gets: its budget, seed, device, output folder and logger.

    ``options`` are the demo's own settings given as ``rlref run NAME --set key=value``; each
    key is one the demo declares in ``DemoSpec.options``.
    """

    steps: int
    seed: int
    device: str
    out: Path
    log: RunLog
    options: Mapping[str, str] = field(default_factory=dict)
    show: Callable[[str], None] = print  # text for the user (value tables, game records)

    def option(self, key: str, default: str) -> str:
        return self.options.get(key, default)


@dataclass(frozen=True)
class DemoSpec:
    """A runnable demo: ``run(ctx)`` trains and logs through ``ctx.log``.

    The runner's figure has one panel per ``plot_metrics`` entry; an entry that is a tuple of
    metric names draws them on one panel. ``plot``, when given, replaces that figure:
    ``plot(log, path, title)`` writes a PNG.
    """

    name: str
    summary: str
    note: str  # vault path of the note that explains it
    target: Target
    default_steps: int
    plot_metrics: tuple[str | tuple[str, ...], ...]
    run: Callable[[RunContext], None]
    quick: bool = False  # runs in a few seconds: `make site` may run it
    options: Mapping[str, str] = field(default_factory=dict)  # key → help text
    plot: Callable[[RunLog, Path, str], None] | None = None
    log_scale: tuple[str, ...] = ()  # plot_metrics drawn on a log y-axis

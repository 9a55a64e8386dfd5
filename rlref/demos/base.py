"""What a demo is, and the logger it reports its metrics through.

A demo is a seeded training loop built only from ``rlref.algos`` functions. It calls
``log.step(step, **metrics)`` once per step; the runner turns that into a progress bar,
a JSONL file and a plot, and judges the final value of the demo's target metric.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal


@dataclass(frozen=True)
class Target:
    """The demo's stated goal: ``metric`` ≥ (or ≤) ``value`` at the end of the run."""

    metric: str
    value: float
    direction: Literal["max", "min"] = "max"
    over_last: int = 1  # judge the mean of the last N logged values (noisy metrics)

    def met(self, final: float) -> bool:
        return final >= self.value if self.direction == "max" else final <= self.value

    def describe(self) -> str:
        sign = "≥" if self.direction == "max" else "≤"
        window = f" (mean of the last {self.over_last} steps)" if self.over_last > 1 else ""
        return f"{self.metric} {sign} {self.value:g}{window}"


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
class DemoSpec:
    """A runnable demo: ``run(steps, seed, device, log, out)`` trains and logs."""

    name: str
    summary: str
    note: str  # vault path of the note that explains it
    target: Target
    default_steps: int
    plot_metrics: tuple[str, ...]
    run: Callable[[int, int, str, RunLog, Path], None]
    quick: bool = False  # runs in a few seconds: `make site` may run it

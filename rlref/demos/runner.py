"""Run a demo: seed, progress bar, metrics JSONL, plot, provenance and the verdict."""

from __future__ import annotations

import json
import platform
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from rlref import __version__
from rlref.demos.base import DemoSpec, RunLog


@dataclass(frozen=True)
class RunResult:
    demo: str
    steps: int
    seed: int
    device: str
    final: float | None
    target: str
    met: bool
    wall_seconds: float
    cpu_seconds: float
    metrics_file: str
    plot_file: str
    finished: str
    rlref_version: str
    torch_version: str
    python: str

    def verdict(self) -> str:
        mark = "PASS" if self.met else "MISS"
        final = "n/a" if self.final is None else f"{self.final:.4g}"
        return (
            f"{mark}: {self.demo} final {self.target.split(' ')[0]} = {final} "
            f"(target {self.target}) in {self.wall_seconds:.1f} s"
        )


def seed_everything(seed: int) -> None:
    import random

    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def plot_run(spec: DemoSpec, log: RunLog, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = [m for m in spec.plot_metrics if log.series(m)]
    fig, axes = plt.subplots(len(metrics), 1, figsize=(7, 2.3 * max(len(metrics), 1)), sharex=True)
    axes = [axes] if len(metrics) == 1 else list(axes)
    for ax, metric in zip(axes, metrics, strict=True):
        steps, values = zip(*log.series(metric), strict=True)
        ax.plot(steps, values, lw=1.4)
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
        if metric == spec.target.metric:
            ax.axhline(spec.target.value, color="tab:red", ls="--", lw=1, label="target")
            ax.legend(loc="best", fontsize=8)
    axes[-1].set_xlabel("step")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def run_demo(
    spec: DemoSpec, steps: int, seed: int, out: Path, device: str = "cpu", progress: bool = True
) -> RunResult:
    """Run ``spec`` and write ``metrics.jsonl``, ``plot.png`` and ``run.json`` into ``out``."""
    import torch

    out.mkdir(parents=True, exist_ok=True)
    metrics_file = out / "metrics.jsonl"
    seed_everything(seed)
    bar = Progress(
        TextColumn("[bold]{task.fields[demo]}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TextColumn("{task.fields[live]}"),
        TimeElapsedColumn(),
        disable=not progress,
        transient=False,
    )
    task = bar.add_task("run", total=steps, demo=spec.name, live="")
    metric = spec.target.metric

    def on_step(step: int, row: dict[str, float]) -> None:
        live = f"{metric}={row[metric]:.3f}" if metric in row else ""
        bar.update(task, completed=min(step + 1, steps), live=live)

    wall0, cpu0 = time.perf_counter(), time.process_time()
    with metrics_file.open("w", encoding="utf-8") as stream, bar:
        log = RunLog(stream=stream, on_step=on_step)
        spec.run(steps, seed, device, log, out)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    final = log.final(spec.target)
    finished = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    plot_file = out / "plot.png"
    title = f"rlref run {spec.name} — seed {seed}, {steps} steps, {finished}, {wall:.0f} s"
    plot_run(spec, log, plot_file, title)
    result = RunResult(
        demo=spec.name,
        steps=steps,
        seed=seed,
        device=device,
        final=final,
        target=spec.target.describe(),
        met=final is not None and spec.target.met(final),
        wall_seconds=round(wall, 2),
        cpu_seconds=round(cpu, 2),
        metrics_file=metrics_file.name,
        plot_file=plot_file.name,
        finished=finished,
        rlref_version=__version__,
        torch_version=torch.__version__,
        python=platform.python_version(),
    )
    (out / "run.json").write_text(json.dumps(asdict(result), indent=1), encoding="utf-8")
    return result

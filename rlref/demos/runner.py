"""Run a demo: seed, progress bar, metrics JSONL, plot, provenance and the verdict."""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from rlref import __version__
from rlref.demos.base import DemoSpec, RunContext, RunLog


@dataclass(frozen=True)
class RunResult:
    demo: str
    steps: int
    seed: int
    device: str
    processes: int
    options: dict[str, str]
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
            f"(target {self.target}) in {self.wall_seconds:.1f} s wall, "
            f"{self.cpu_seconds:.1f} s CPU"
        )


def seed_everything(seed: int) -> None:
    import random

    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _panel_metrics(panel: str | tuple[str, ...]) -> tuple[str, ...]:
    return (panel,) if isinstance(panel, str) else panel


def _running_mean(values: tuple[float, ...], window: int) -> list[float]:
    out, total = [], 0.0
    for i, value in enumerate(values):
        total += value - (values[i - window] if i >= window else 0.0)
        out.append(total / min(i + 1, window))
    return out


def plot_run(spec: DemoSpec, log: RunLog, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if spec.plot is not None:
        spec.plot(log, path, title)
        return
    panels = [p for p in spec.plot_metrics if any(log.series(m) for m in _panel_metrics(p))]
    fig, axes = plt.subplots(len(panels), 1, figsize=(7, 2.1 * max(len(panels), 1)), sharex=True)
    axes = [axes] if len(panels) == 1 else list(axes)
    target = spec.target
    for ax, panel in zip(axes, panels, strict=True):
        names = [m for m in _panel_metrics(panel) if log.series(m)]
        for metric in names:
            steps, values = zip(*log.series(metric), strict=True)
            smooth = metric == target.metric and target.over_last > 1
            ax.plot(
                steps,
                values,
                lw=0.8 if smooth else 1.4,
                alpha=0.45 if smooth else 1.0,
                label=metric if len(names) > 1 else None,
                marker="." if len(steps) < 30 else None,
            )
            if smooth:
                means = _running_mean(values, target.over_last)
                ax.plot(
                    steps, means, lw=1.8, color="tab:blue", label=f"mean of last {target.over_last}"
                )
        if any(m in spec.log_scale for m in names):
            ax.set_yscale("log")
        ax.set_ylabel(names[0] if len(names) == 1 else "")
        ax.grid(alpha=0.3)
        if target.metric in names:
            ax.axhline(target.value, color="tab:red", ls="--", lw=1, label="target")
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="best", fontsize=7)
    axes[-1].set_xlabel("step")
    save_figure(fig, path, title, title_size=10)


def save_figure(fig, path: Path, title: str | None = None, title_size: int = 9) -> None:
    """Title, lay out, write at the demos' resolution (small PNGs) and free the figure."""
    import matplotlib.pyplot as plt

    if title:
        fig.suptitle(title, fontsize=title_size)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def run_demo(
    spec: DemoSpec,
    steps: int,
    seed: int,
    out: Path,
    device: str = "cpu",
    progress: bool = True,
    options: Mapping[str, str] | None = None,
) -> RunResult:
    """Run ``spec`` and write ``metrics.jsonl``, ``plot.png`` and ``run.json`` into ``out``.

    Under ``torchrun`` every rank runs the demo; only rank 0 shows progress and writes files.
    """
    import torch

    from rlref.demos.distributed import launch_rank

    rank, world, _ = launch_rank()
    main = rank == 0
    options = dict(options or {})
    unknown = sorted(set(options) - set(spec.options))
    if unknown:
        known = ", ".join(sorted(spec.options)) or "none"
        raise ValueError(f"{spec.name} has no option {', '.join(unknown)} (options: {known})")
    if main:
        out.mkdir(parents=True, exist_ok=True)
    metrics_file = out / "metrics.jsonl"
    seed_everything(seed)
    bar = Progress(
        TextColumn("[bold]{task.fields[demo]}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TextColumn("{task.fields[live]}"),
        TimeElapsedColumn(),
        disable=not (progress and main),
        transient=False,
    )
    task = bar.add_task("run", total=steps, demo=spec.name, live="")
    metric = spec.target.metric

    def on_step(step: int, row: dict[str, float]) -> None:
        live = f"{metric}={row[metric]:.4g}" if metric in row else ""
        bar.update(task, completed=min(step + 1, steps), live=live)

    def show(text: str) -> None:
        if main:
            bar.console.print(text, highlight=False, markup=False)

    wall0, cpu0 = time.perf_counter(), time.process_time()
    with ExitStack() as stack:
        stack.enter_context(bar)
        stream = stack.enter_context(metrics_file.open("w", encoding="utf-8")) if main else None
        log = RunLog(stream=stream, on_step=on_step)
        spec.run(RunContext(steps, seed, device, out, log, options, show))
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    final = log.final(spec.target)
    finished = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    plot_file = out / "plot.png"
    processes = f", {world} processes" if world > 1 else ""
    title = (
        f"rlref {__version__} run {spec.name} — seed {seed}, {steps} steps{processes}\n"
        f"{finished}, {wall:.0f} s wall / {cpu:.0f} s CPU"
    )
    if main:
        plot_run(spec, log, plot_file, title)
    result = RunResult(
        demo=spec.name,
        steps=steps,
        seed=seed,
        device=device,
        processes=world,
        options=options,
        final=final,
        target=spec.target.describe(),
        met=final is not None and spec.target.met(final, cpu),
        wall_seconds=round(wall, 2),
        cpu_seconds=round(cpu, 2),
        metrics_file=metrics_file.name,
        plot_file=plot_file.name,
        finished=finished,
        rlref_version=__version__,
        torch_version=torch.__version__,
        python=platform.python_version(),
    )
    if main:
        (out / "run.json").write_text(json.dumps(asdict(result), indent=1), encoding="utf-8")
    return result

"""Full-length demo runs: wall and CPU time, final metric, target met — and the note figures.

Usage:
    python benchmarks/bench_demos.py [NAME ...] [--seeds 0 1 2] [--out build/bench-demos]
                                     [--assets kb/assets/demos] [--ddp]

Runs each demo (default: all) at its default length on each seed, one after the other, and
prints one line per run plus a JSON summary (``OUT/summary.json``). ``--assets DIR`` copies
the seed-0 figures and provenance into DIR as ``NAME.png`` (+ ``NAME-values.png`` for
value-iteration) and ``NAME.run.json``, refusing a PNG over 150 KB. ``--ddp`` also runs
``grpo`` under ``torchrun --nproc_per_node=2`` (gloo on CPU) and reports it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

from rlref.demos import all_demos, get_demo
from rlref.demos.runner import run_demo

MAX_PNG_BYTES = 150_000


def bench(names: list[str], seeds: list[int], out: Path) -> list[dict]:
    results = []
    for name in names:
        spec = get_demo(name)
        if spec is None:
            raise SystemExit(f"unknown demo {name}")
        for seed in seeds:
            result = run_demo(
                spec, spec.default_steps, seed, out / f"{name}-seed{seed}", progress=False
            )
            print(result.verdict(), flush=True)
            results.append(asdict(result))
    return results


def bench_ddp(out: Path) -> dict:
    target = out / "grpo-ddp2"
    command = [
        sys.executable, "-m", "torch.distributed.run", "--standalone", "--nnodes=1",
        "--nproc_per_node=2", "-m", "rlref.cli", "run", "grpo", "--out", str(target),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ})
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    print("torchrun x2: " + done.stdout.strip().splitlines()[-1], flush=True)
    return json.loads((target / "run.json").read_text())


def copy_assets(names: list[str], out: Path, assets: Path) -> None:
    assets.mkdir(parents=True, exist_ok=True)
    for name in names:
        run_dir = out / f"{name}-seed0"
        figures = {"plot.png": f"{name}.png", "values.png": f"{name}-values.png"}
        for source, target in figures.items():
            if not (run_dir / source).exists():
                continue
            size = (run_dir / source).stat().st_size
            if size > MAX_PNG_BYTES:
                raise SystemExit(f"{run_dir / source} is {size} bytes (> {MAX_PNG_BYTES})")
            shutil.copyfile(run_dir / source, assets / target)
        shutil.copyfile(run_dir / "run.json", assets / f"{name}.run.json")
        # the per-step record behind the plot, so a slow demo's figures need no re-run
        shutil.copyfile(run_dir / "metrics.jsonl", assets / f"{name}.metrics.jsonl")
        print(f"copied {name} figures and metrics to {assets}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="demos to run (default: all)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--out", type=Path, default=Path("build/bench-demos"))
    parser.add_argument("--assets", type=Path, help="copy the seed-0 figures here")
    parser.add_argument("--ddp", action="store_true", help="also run grpo under torchrun x2")
    args = parser.parse_args()
    names = args.names or [spec.name for spec in all_demos()]
    results = bench(names, args.seeds, args.out)
    summary: dict = {"runs": results}
    if args.ddp:
        summary["grpo_torchrun_2"] = bench_ddp(args.out)
    (args.out / "summary.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    if args.assets:
        if 0 not in args.seeds:
            raise SystemExit("--assets copies the seed-0 runs: include --seeds 0")
        copy_assets(names, args.out, args.assets)


if __name__ == "__main__":
    main()

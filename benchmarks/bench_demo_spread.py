"""How far each learning assertion of the demo tests is from failing, across CPUs and seeds.

Usage:
    python benchmarks/bench_demo_spread.py [--seeds 0 1 2 3 4] [--kernels default avx2 avx512]
                                           [--runs grpo ppo …] [--out build/bench-demo-spread]
                                           [--reuse] [--tests tests/demos/test_demos.py]
                                           [--set RUN:KEY=VALUE …]

PyTorch picks its float kernels by CPU (``ATEN_CPU_CAPABILITY`` forces a set; it is read when
torch is imported), and a few ulps of difference early in a training run change which
completions get sampled later: on another CPU a short run is, in effect, another seed. This
script makes the short runs of ``tests/demos/test_demos.py`` (its ``SHORT_RUNS``) on every
seed under every kernel set, each kernel set in its own subprocess, and prints one line per
learning assertion (its ``LEARNING``): the asserted quantity per kernel × seed, the spread
(max − min), the threshold, the margin (the worst value's distance to the threshold) and
margin / spread. The tests ask for margin ≥ 3 × spread.

torch trusts ``ATEN_CPU_CAPABILITY`` without checking the CPU (a set the CPU lacks dies of
SIGILL), so a kernel set above this CPU's own is reported and left out.

The runs' files go to ``OUT/KERNEL/RUN-seedS/``; ``--reuse`` reads the runs already there
instead of running them again. A JSON copy of the table goes to ``OUT/spread.json``.

``--set grpo:lr=0`` changes an option of one short run: the way to show that an assertion can
fail (use another ``--out``; a negative margin is a failing test).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

KERNELS = ("default", "avx2", "avx512")
TESTS = Path(__file__).resolve().parents[1] / "tests" / "demos" / "test_demos.py"


def load_tests(path: Path) -> ModuleType:
    """The test module, for its ``SHORT_RUNS`` and ``LEARNING`` tables."""
    spec = importlib.util.spec_from_file_location("demo_tests", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def native_kernel() -> str:
    """The kernel set torch picks on this CPU when nothing forces one."""
    env = {k: v for k, v in os.environ.items() if k != "ATEN_CPU_CAPABILITY"}
    code = "import torch; print(torch.backends.cpu.get_cpu_capability().lower())"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    return done.stdout.strip()


def run_dir(out: Path, kernel: str, run: str, seed: int) -> Path:
    return out / kernel / f"{run}-seed{seed}"


def worker(args: argparse.Namespace) -> None:
    """Inside one kernel set: make every short run on every seed (skipping reused ones)."""
    import torch

    from rlref.demos import get_demo
    from rlref.demos.runner import run_demo

    kernel = args.worker
    actual = torch.backends.cpu.get_cpu_capability()
    if actual.lower() != kernel.lower():
        raise SystemExit(f"asked for kernel set {kernel}, torch uses {actual}")
    tests = load_tests(args.tests)
    for run in args.runs:
        name, steps, options = tests.SHORT_RUNS[run]
        options = {**options, **overrides(args.set).get(run, {})}
        spec = get_demo(name)
        for seed in args.seeds:
            target = run_dir(args.out, kernel, run, seed)
            if args.reuse and (target / "run.json").exists():
                continue
            with contextlib.redirect_stdout(io.StringIO()):  # the demos' value tables, boards
                result = run_demo(
                    spec, steps, seed, target, progress=False,
                    options={k: str(v) for k, v in options.items()},
                )  # fmt: skip
            print(f"{kernel:7} {run:16} seed {seed}: {result.cpu_seconds:5.1f} s CPU", flush=True)


def overrides(settings: list[str]) -> dict[str, dict[str, str]]:
    """``["grpo:lr=0", …]`` → ``{"grpo": {"lr": "0"}, …}``."""
    result: dict[str, dict[str, str]] = {}
    for setting in settings:
        run, _, assignment = setting.partition(":")
        key, _, value = assignment.partition("=")
        if not (run and key and value):
            raise SystemExit(f"--set {setting}: expected RUN:KEY=VALUE")
        result.setdefault(run, {})[key] = value
    return result


def rows_of(path: Path) -> list[dict]:
    return [json.loads(line) for line in (path / "metrics.jsonl").read_text().splitlines()]


def table(
    tests: ModuleType, out: Path, runs: list[str], kernels: list[str], seeds: list[int]
) -> list[dict]:
    """One record per learning assertion of ``runs``: values, spread, margin."""
    records = []
    for check in tests.LEARNING:
        if check.run not in runs:
            continue
        by_kernel = {
            kernel: [check.value(rows_of(run_dir(out, kernel, check.run, s))) for s in seeds]
            for kernel in kernels
        }
        flat = [v for vs in by_kernel.values() for v in vs]
        spread = max(flat) - min(flat)
        margin = min(check.margin(v) for v in flat)
        records.append({
            "run": check.run,
            "quantity": check.quantity,
            "values": by_kernel,
            "min": min(flat),
            "max": max(flat),
            "spread": spread,
            "threshold": check.threshold,
            "above": check.above,
            "margin": margin,
            "ratio": margin / spread if spread > 0 else float("inf"),
        })  # fmt: skip
    return records


def cpu_seconds(out: Path, runs: list[str], kernels: list[str], seeds: list[int]) -> dict:
    """Mean CPU seconds of each short run (from its run.json)."""
    result = {}
    for run in runs:
        times = [
            json.loads((run_dir(out, k, run, s) / "run.json").read_text())["cpu_seconds"]
            for k in kernels
            for s in seeds
        ]
        result[run] = sum(times) / len(times)
    return result


def fmt(x: float) -> str:
    return f"{x:.3g}" if abs(x) < 1e-3 and x != 0 else f"{x:.3f}"


def print_table(records: list[dict], kernels: list[str], seeds: list[int]) -> None:
    head = ["run", "quantity"]
    head += [f"{k[:4]} s{s}" for k in kernels for s in seeds]
    head += ["spread", "threshold", "margin", "margin/spread"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in records:
        cells = [r["run"], r["quantity"]]
        cells += [fmt(v) for k in kernels for v in r["values"][k]]
        sign = ">" if r["above"] else "<"
        ratio = "∞" if r["ratio"] == float("inf") else f"{r['ratio']:.1f}"
        if r["ratio"] < 3:
            ratio += " (< 3)"
        cells += [fmt(r["spread"]), f"{sign} {r['threshold']:g}", fmt(r["margin"]), ratio]
        print("| " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--kernels", nargs="+", default=list(KERNELS), choices=KERNELS)
    parser.add_argument("--runs", nargs="+", help="keys of SHORT_RUNS (default: all)")
    parser.add_argument("--out", type=Path, default=Path("build/bench-demo-spread"))
    parser.add_argument("--tests", type=Path, default=TESTS, help="the test module to measure")
    parser.add_argument("--reuse", action="store_true", help="keep runs already in OUT")
    parser.add_argument("--set", action="append", default=[], help="RUN:KEY=VALUE, an option")
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # internal: one kernel set
    args = parser.parse_args()
    tests = load_tests(args.tests)
    args.runs = args.runs or list(tests.SHORT_RUNS)
    if args.worker:
        worker(args)
        return
    native = native_kernel()
    if native in KERNELS:
        runnable = KERNELS[: KERNELS.index(native) + 1]
        for kernel in [k for k in args.kernels if k not in runnable]:
            print(f"{kernel}: not run, this CPU's best kernel set is {native}")
        args.kernels = [k for k in args.kernels if k in runnable]
    for kernel in args.kernels:  # one at a time: the runs use the machine's cores
        command = [
            sys.executable, __file__, "--worker", kernel, "--out", str(args.out),
            "--tests", str(args.tests), "--seeds", *map(str, args.seeds), "--runs", *args.runs,
        ]  # fmt: skip
        if args.reuse:
            command.append("--reuse")
        command += [f"--set={setting}" for setting in args.set]
        start = time.perf_counter()
        env = {**os.environ, "ATEN_CPU_CAPABILITY": kernel}
        subprocess.run(command, check=True, env=env)
        print(f"{kernel}: {time.perf_counter() - start:.0f} s wall", flush=True)
    records = table(tests, args.out, args.runs, args.kernels, args.seeds)
    print()
    print_table(records, args.kernels, args.seeds)
    times = cpu_seconds(args.out, args.runs, args.kernels, args.seeds)
    print("\nmean CPU s per short run: " + ", ".join(f"{k} {v:.1f}" for k, v in times.items()))
    summary = {"kernels": args.kernels, "seeds": args.seeds, "assertions": records, "cpu": times}
    (args.out / "spread.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()

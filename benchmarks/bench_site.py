"""Time the docs pipeline on synthetic vaults: `rlref build` against plain `mkdocs build`.

For each size N the script writes a synthetic vault (benchmarks/synthetic_vault.py), then

1. times the compilation alone in this process (load + index, then compile + write),
2. runs plain ``mkdocs build --strict`` on that compiled tree and ``rlref build --strict``
   into a fresh folder (compile + MkDocs from nothing: the whole pipeline) in fresh
   processes, alternately, REPEATS times,
   and keeps the fastest run of each (the minimum is the least disturbed by other load on
   the machine).

Budget (issue 5): compilation ≤ 5 % of the MkDocs build; the whole pipeline ≤ 1.15 × plain
MkDocs (with ``navigation.prune``); time per note roughly constant from 1,000 to 3,000
notes. Both builds include the API reference (the same pages in both).

Usage: python benchmarks/bench_site.py [N ...]   (default: 1000 3000; run from the repo)
       REPEATS=3 python benchmarks/bench_site.py      (default: 2)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from synthetic_vault import write_vault

from rlref.site import SitePaths, compile_site
from rlref.site.mkdocs_run import site_environment

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
RLREF = [PYTHON, "-m", "rlref.cli"]
MKDOCS = [PYTHON, "-m", "mkdocs"]


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time of a child process and its own peak RSS in MiB; fails loudly on error."""
    with tempfile.TemporaryFile() as output:
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=REPO, env=env, stdout=output, stderr=output)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            output.seek(0)
            log = output.read().decode("utf-8", "replace")
            sys.exit(f"{' '.join(command)} failed:\n{log[-4000:]}")
    return elapsed, usage.ru_maxrss / 1024


def measure(n: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="rlref-bench-") as tmp:
        root = Path(tmp)
        vault = write_vault(root / "vault", n)
        compiles = []
        for attempt in range(3):  # each into a fresh folder: every file is written
            paths = SitePaths(vault, root / f"out{attempt}", REPO / "site", root / "none.json")
            start = time.perf_counter()
            result = compile_site(paths)
            compiles.append((time.perf_counter() - start, result))
            assert not result.diagnostics, result.diagnostics[:3]
        compile_total, result = min(compiles, key=lambda pair: pair[0])

        env = {**os.environ, **site_environment(paths)}
        plain = [*MKDOCS, "build", "--strict", "-q", "-f", "mkdocs.yml"]
        runs: dict[str, list[tuple[float, float]]] = {"plain": [], "build": []}
        for repeat in range(int(os.environ.get("REPEATS", "2"))):
            # the whole pipeline from nothing: a fresh folder, so the compile writes every file
            build = [*RLREF, "build", str(vault), "--out", str(root / f"build{repeat}"),
                     "--strict", "--verify-json", str(paths.verify_json)]
            runs["plain"].append(timed(plain, env))
            runs["build"].append(timed(build, env))
        pages = sum(1 for _ in paths.docs.rglob("*.md"))
        mkdocs, peak = min(runs["plain"])
        pipeline, _ = min(runs["build"])
        return {
            "notes": n,
            "pages": pages,
            "load": result.timings["load"],
            "compile": result.timings["compile"] + result.timings["write"],
            "compile_total": compile_total,
            "pipeline": pipeline,
            "mkdocs": mkdocs,
            "peak": peak,
        }


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 3000]
    print(
        f"{'notes':>6} {'pages':>6} {'load s':>7} {'compile s':>9} {'mkdocs s':>9} "
        f"{'rlref build s':>13} {'compile/mkdocs':>14} {'build/mkdocs':>12} "
        f"{'ms/note':>8} {'mkdocs MiB':>10}"
    )
    rows = []
    for n in sizes:
        row = measure(n)
        rows.append(row)
        print(
            f"{row['notes']:>6} {row['pages']:>6} {row['load']:>7.2f} {row['compile']:>9.2f} "
            f"{row['mkdocs']:>9.1f} {row['pipeline']:>13.1f} "
            f"{row['compile_total'] / row['mkdocs']:>13.1%} "
            f"{row['pipeline'] / row['mkdocs']:>11.2f}x "
            f"{1000 * row['pipeline'] / row['notes']:>8.1f} {row['peak']:>10.0f}",
            flush=True,
        )
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        growth = (last["pipeline"] / last["notes"]) / (first["pipeline"] / first["notes"])
        print(f"time per note, {last['notes']} vs {first['notes']} notes: {growth:.2f}x "
              "(1.00 = linear)")


if __name__ == "__main__":
    main()

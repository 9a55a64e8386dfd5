"""Time parse + resolve + index on synthetic vaults (budget: 1k notes ≤ 1 s, 10k ≤ 10 s).

Usage: python benchmarks/bench_vault.py [N ...]   (default: 1000 10000)
"""

from __future__ import annotations

import gc
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from synthetic_vault import write_vault

from rlref.index import build_index
from rlref.vault import load_vault


def measure(n: int) -> tuple[float, float, float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        root = write_vault(Path(tmp), n)
        size = sum(p.stat().st_size for p in root.rglob("*.md"))
        gc.collect()
        start = time.perf_counter()
        vault = load_vault(root)
        parsed = time.perf_counter()
        index = build_index(vault)
        done = time.perf_counter()
        assert len(index.notes) == n + 1
        errors = [d for d in index.diagnostics if d.severity == "error"]
        assert not errors, errors[:3]
        tracemalloc.start()
        build_index(load_vault(root))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return parsed - start, done - parsed, peak / 2**20, size // n


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 10000]
    load_vault(Path(__file__).parent)  # warm imports and the parser outside the timing
    print(
        f"{'notes':>7} {'bytes/note':>10} {'parse s':>8} {'index s':>8} {'total s':>8} "
        f"{'peak MiB':>9} {'µs/note':>8}"
    )
    for n in sizes:
        parse_s, index_s, peak, per_note = measure(n)
        total = parse_s + index_s
        print(
            f"{n:>7} {per_note:>10} {parse_s:>8.2f} {index_s:>8.2f} {total:>8.2f} "
            f"{peak:>9.1f} {total / n * 1e6:>8.0f}"
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"max RSS of the process: {rss:.0f} MiB")


if __name__ == "__main__":
    main()

"""`rlref check` on a vault holding one large note, 1–10 MB, to show the parser is linear in
the note's size (issue: hostile and careless input, "bounded time": 10 MB in ≤ 5 s).

Two shapes: many paragraphs, and one paragraph of many lines (which once made the wikilink
scan quadratic). Each line has two wikilinks, inline math and a tag. Each size is checked
in a fresh process (as a user runs it), with `RLREF_MAX_FILE_MB` raised above the note;
the table gives the process's CPU seconds (user + system; what the machine's other jobs do
not inflate much) and its wall time.

    .venv/bin/python benchmarks/bench_big_note.py [MB ...]
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LINE = "这是一段关于 [[PPO 原理]] 和 [[GRPO|组相对]] 的文字，包含 $x^2$ 公式与 #tag 标签。"
TARGETS = {"PPO 原理": "PPO", "GRPO": "GRPO"}


def note_of(megabytes: float, separator: str) -> str:
    unit = LINE + separator
    count = int(megabytes * 1024 * 1024 / len(unit.encode()))
    return "---\ntitle: 大\n---\n# 大\n\n" + unit * count


def checked(vault: Path) -> tuple[float, float]:
    """CPU and wall seconds of one `rlref check` of ``vault`` (which must pass)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "rlref.cli", "check", str(vault)],
        check=True,
        capture_output=True,
        env={**os.environ, "RLREF_MAX_FILE_MB": "64"},
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def main() -> None:
    sizes = [float(a) for a in sys.argv[1:]] or [0, 1, 2, 5, 10]
    print("| MB | shape | CPU s | wall s |\n|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        vault = Path(folder)
        for name, title in TARGETS.items():
            (vault / f"{name}.md").write_text(f"---\ntitle: {title}\n---\n# {title}\n\n正文。\n")
        for size in sizes:
            for shape, separator in (("paragraphs", "\n\n"), ("one paragraph", "\n")):
                (vault / "big.md").write_text(note_of(size, separator), "utf-8")
                cpu, wall = checked(vault)
                print(f"| {size:g} | {shape} | {cpu:.2f} | {wall:.2f} |", flush=True)


if __name__ == "__main__":
    main()

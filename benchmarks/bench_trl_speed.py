"""rlref against TRL 1.16's own loss code: CPU time of forward + backward, in one process.

Every row of `rlref.algos.trl_map.TRL_MAP` is timed, rows added later included, on one random
float32 batch of B = 64 sequences × T = 1024 positions (the pairwise trainers take them as 32
pairs; ORPO's and CPO's logits have a vocabulary of `--vocab`). One more row compares
`rlref.algos.lm.entropy_from_logits` with TRL's `trl.trainer.utils.entropy_from_logits` at
(2, 256, 32000).

Two ways to drive a row, both TRL's trainer method on a stub `self`:

* "own": `tests/conformance/trl_harness.py` builds TRL's loss and the rlref call as two closures
  of one leaf tensor (the kinds in its `SUPPORTED`); each side's forward + backward is timed on
  its own and the sides alternate;
* "conformance": any other row runs through `tests/conformance/test_trl_conformance.py`'s own
  harness at the benchmark's size. Every method of the TRL trainer classes and every rlref
  function that harness calls is wrapped in a stopwatch (outermost calls only), so a side's
  forward is the time spent in its own code; the two backward passes alternate. The harness
  runs TRL first, so rlref may find its inputs warmer in cache.

Each measurement keeps the fastest of as many calls as fill `--block-ms`, on the clock `_clock`
picks (CPU time of the calling thread by default). The ratio is the median over repeats of
rlref time / TRL time measured side by side, so load on the machine cancels out as far as it can.

    .venv/bin/python benchmarks/bench_trl_speed.py [--repeats 15] [--only TEXT] [--json]

Exit status 1 when a row fails, its two losses differ, or a median ratio exceeds `--budget`
(default 1.0). Needs TRL (`pip install -e .[conformance]`), which rlref itself never imports.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import inspect
import json
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import torch

ROOT = Path(__file__).resolve().parents[1]
CONFORMANCE = ROOT / "tests" / "conformance"
sys.path.insert(0, str(CONFORMANCE))

from trl_harness import SUPPORTED, Sizes, build_case, trl_class  # noqa: E402

from rlref.algos.lm import entropy_from_logits  # noqa: E402
from rlref.algos.trl_map import TRL_MAP, TRLMapping  # noqa: E402

ENTROPY_SHAPE = (2, 256, 32000)
AGREEMENT = 1e-4
"""float32 relative difference of the two losses above which a row is reported as a mismatch."""

Once = Callable[[bool], tuple[float, float, torch.Tensor, torch.Tensor]]
"""One forward + backward of each side (rlref first if True): TRL s, rlref s, TRL, rlref loss."""


@dataclass
class Timing:
    """One row of the table."""

    option: str
    harness: str
    rlref_ms: float
    trl_ms: float
    ratio: float
    ratio_low: float
    ratio_high: float
    loss_difference: float


def _clock() -> Callable[[], float]:
    """The calling thread's CPU time when torch runs on it alone, else wall time.

    With one torch thread every kernel, forward and backward, runs on the calling thread (the
    autograd engine runs CPU work on its caller), so its CPU clock ignores the time the OS gives
    to other processes — on a shared 2-core machine the only clock that is not mostly noise.
    """
    return time.thread_time if torch.get_num_threads() == 1 else time.perf_counter


# --- "own": two closures of one leaf ------------------------------------------------------------


def closures_once(
    trl: Callable[[], torch.Tensor],
    rlref: Callable[[], torch.Tensor],
    leaf: torch.Tensor,
    weight: torch.Tensor | None = None,
) -> Once:
    """Times each closure's forward and its backward to `leaf` (weighted for a vector output)."""
    clock = _clock()

    def side(loss_fn: Callable[[], torch.Tensor]) -> tuple[float, torch.Tensor]:
        start = clock()
        out = loss_fn()
        torch.autograd.grad(out, leaf, grad_outputs=weight)
        return clock() - start, out.detach()

    def once(rlref_first: bool) -> tuple[float, float, torch.Tensor, torch.Tensor]:
        if rlref_first:
            rlref_time, rlref_out = side(rlref)
            trl_time, trl_out = side(trl)
        else:
            trl_time, trl_out = side(trl)
            rlref_time, rlref_out = side(rlref)
        return trl_time, rlref_time, trl_out, rlref_out

    return once


# --- "conformance": the conformance test's harness with stopwatches ----------------------------


class Stopwatch:
    """Adds up the CPU time spent inside the functions it wraps, counting outermost calls only."""

    def __init__(self) -> None:
        self.total, self._depth, self._clock = 0.0, 0, _clock()

    def wrap(self, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            if self._depth:
                return function(*args, **kwargs)
            self._depth += 1
            start = self._clock()
            try:
                return function(*args, **kwargs)
            finally:
                self.total += self._clock() - start
                self._depth -= 1

        return timed


def _load_conformance(size: Sizes, dtype: torch.dtype) -> ModuleType:
    """A private copy of the conformance test module, its batch constants set to `size`."""
    spec = importlib.util.spec_from_file_location(
        "_trl_conformance_for_bench", CONFORMANCE / "test_trl_conformance.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.ROWS, module.PAIRS, module.T, module.VOCAB = (
        size.rows,
        size.rows // 2,
        size.steps,
        size.vocab,
    )
    module.F64 = dtype  # the harness's one dtype
    return module


@contextmanager
def _stopwatched(
    module: ModuleType, trl_watch: Stopwatch, rlref_watch: Stopwatch
) -> Iterator[None]:
    """Every TRL trainer method (classes of `TRL_MAP`'s trainers) and every rlref function the
    conformance module calls, wrapped for the duration."""
    undo: list[tuple[Any, str, Any]] = []

    def patch(owner: Any, name: str, value: Any) -> None:
        undo.append(
            (owner, name, owner.__dict__[name] if isinstance(owner, type) else getattr(owner, name))
        )
        setattr(owner, name, value)

    for trainer in sorted({row.trainer for row in TRL_MAP}):
        for cls in trl_class(trainer, "Trainer").__mro__:
            if not cls.__module__.startswith("trl"):
                continue
            for name, raw in list(vars(cls).items()):
                if isinstance(raw, staticmethod):
                    patch(cls, name, staticmethod(trl_watch.wrap(raw.__func__)))
                elif inspect.isfunction(raw):
                    patch(cls, name, trl_watch.wrap(raw))
    for name, value in list(vars(module).items()):
        if inspect.isfunction(value) and value.__module__.startswith("rlref."):
            patch(module, name, rlref_watch.wrap(value))
    rlref_fn = module._rlref_fn
    patch(module, "_rlref_fn", lambda row: rlref_watch.wrap(rlref_fn(row)))
    try:
        yield
    finally:
        for owner, name, value in reversed(undo):
            setattr(owner, name, value)


def conformance_once(module: ModuleType, row: TRLMapping, watches: tuple[Stopwatch, ...]) -> Once:
    """Runs the conformance harness of `row`; its forwards from the stopwatches, then backwards."""
    harness = getattr(module, "INPUT_HARNESS", {}).get(row.inputs) or module.HARNESS[row.trainer]
    trl_watch, rlref_watch = watches
    clock = _clock()

    def once(rlref_first: bool) -> tuple[float, float, torch.Tensor, torch.Tensor]:
        trl_watch.total = rlref_watch.total = 0.0
        trl_loss, rlref_loss, leaf = harness(row, torch.Generator().manual_seed(0))
        times = {"trl": trl_watch.total, "rlref": rlref_watch.total}
        losses = {"trl": trl_loss, "rlref": rlref_loss}
        for position, side in enumerate(("rlref", "trl") if rlref_first else ("trl", "rlref")):
            start = clock()
            # the two graphs share the stub model's ops: keep them for the second backward
            torch.autograd.grad(losses[side], leaf, retain_graph=position == 0)
            times[side] += clock() - start
        return times["trl"], times["rlref"], trl_loss.detach(), rlref_loss.detach()

    return once


# --- measuring ----------------------------------------------------------------------------------


def _relative(a: torch.Tensor, b: torch.Tensor) -> float:
    scale = b.abs().max().item()
    diff = (a - b).abs().max().item()
    return diff / scale if scale > 0 else diff


def measure(option: str, harness: str, once: Once, args: argparse.Namespace) -> Timing:
    """Median ms of each side and median rlref/TRL ratio over repeats, the sides alternating."""
    _, _, trl_out, rlref_out = once(False)  # warm-up (allocator, first dispatch) and agreement
    difference = _relative(rlref_out.float(), trl_out.float())
    trl_time, rlref_time, _, _ = once(True)
    calls = max(1, round(args.block_ms / 1e3 / max(trl_time, rlref_time, 1e-6)))
    trl_times, rlref_times, ratios = [], [], []
    for repeat in range(args.repeats):
        runs = [once(bool(repeat % 2)) for _ in range(calls)]
        # the fastest of the block on each side: the least disturbed run
        trl_times.append(min(run[0] for run in runs))
        rlref_times.append(min(run[1] for run in runs))
        ratios.append(rlref_times[-1] / trl_times[-1])
    quartiles = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else ratios * 3
    return Timing(
        option,
        harness,
        statistics.median(rlref_times) * 1e3,
        statistics.median(trl_times) * 1e3,
        statistics.median(ratios),
        quartiles[0],
        quartiles[-1],
        difference,
    )


def entropy_timing(args: argparse.Namespace) -> Timing:
    """rlref vs TRL `entropy_from_logits` on random logits of `ENTROPY_SHAPE`."""
    from trl.trainer.utils import entropy_from_logits as trl_entropy

    gen = torch.Generator().manual_seed(0)
    logits = (3 * torch.randn(*ENTROPY_SHAPE, generator=gen)).requires_grad_()
    weight = torch.rand(*ENTROPY_SHAPE[:-1], generator=gen)
    once = closures_once(
        lambda: trl_entropy(logits), lambda: entropy_from_logits(logits), logits, weight
    )
    return measure(f"entropy_from_logits {ENTROPY_SHAPE}", "own", once, args)


def row_timing(row: TRLMapping, args: argparse.Namespace, module: ModuleType) -> Timing:
    """The row through trl_harness when it supports it and both losses agree, else the
    conformance harness."""
    label = f"{row.key} → {row.impl.split(':')[1]}"
    size = Sizes(rows=args.rows, steps=args.steps, vocab=args.vocab)
    if row.inputs in SUPPORTED.get(row.trainer, set()):
        try:
            case = build_case(row, size, torch.float32, seed=0)
            timing = measure(label, "own", closures_once(case.trl, case.rlref, case.leaf), args)
            if timing.loss_difference <= AGREEMENT:
                return timing
        except Exception:  # TRL needs something this stub lacks: the conformance harness has it
            pass
    watches = (Stopwatch(), Stopwatch())
    with _stopwatched(module, *watches):
        return measure(label, "conformance", conformance_once(module, row, watches), args)


def run(args: argparse.Namespace) -> tuple[list[Timing], list[str]]:
    """Time every selected row; returns the timings and the rows that failed."""
    timings, failures = [], []
    module = _load_conformance(Sizes(args.rows, args.steps, args.vocab), torch.float32)
    for row in TRL_MAP:
        label = f"{row.key} → {row.impl.split(':')[1]}"
        if args.only and args.only not in label:
            continue
        try:
            timings.append(row_timing(row, args, module))
        except Exception as error:  # report it and go on with the other rows
            failures.append(f"{label}: {type(error).__name__}: {error}")
            continue
        if not args.json:
            _print_row(timings[-1])
    if args.only in f"entropy_from_logits {ENTROPY_SHAPE}":
        timings.append(entropy_timing(args))
        if not args.json:
            _print_row(timings[-1])
    return timings, failures


def _print_row(t: Timing) -> None:
    flag = "" if t.loss_difference <= AGREEMENT else f"  MISMATCH {t.loss_difference:.1e}"
    print(
        f"| {t.option} | {t.harness} | {t.rlref_ms:.2f} | {t.trl_ms:.2f} | **{t.ratio:.2f}** "
        f"| {t.ratio_low:.2f}–{t.ratio_high:.2f} |{flag}",
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=64, help="B: sequences per batch")
    parser.add_argument("--steps", type=int, default=1024, help="T: positions per sequence")
    parser.add_argument("--vocab", type=int, default=256, help="ORPO's and CPO's vocabulary")
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
        print("| option → rlref | harness | rlref ms | TRL ms | rlref / TRL | interquartile |")
        print("|---|---|---|---|---|---|")
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
        worst = max((t.ratio for t in timings), default=float("nan"))
        print(f"\nworst ratio {worst:.2f}; over {args.budget}: {', '.join(over) or 'none'}")
    return 1 if failures or over or mismatched else 0


if __name__ == "__main__":
    sys.exit(main())

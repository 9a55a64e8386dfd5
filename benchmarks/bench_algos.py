"""Benchmarks for rlref.algos: GAE, chunked log-probs, and the main losses at realistic shapes.

    .venv/bin/python benchmarks/bench_algos.py            # full run (needs ~20 GB free RAM)
    .venv/bin/python benchmarks/bench_algos.py --quick    # small shapes, a few seconds

Sections:

1. GAE at B=64, T=1024: the vectorised `gae` (a log2(T)-round doubling scan) against the per-step
   Python loop (`gae_loop_reference`, same semantics), the minimal per-step loop of CleanRL /
   verl / TRL's former PPOTrainer (no masks) and the full (B, T, T) discount-matrix formulation.
2. Token log-probs at B=64, T=1024, V=32000: chunked gather − logsumexp against
   `log_softmax(...).gather(...)`, each in a fresh subprocess so its peak memory can be read
   from `ru_maxrss`. The backward pass is measured at a smaller batch (its gradient alone is
   as large as the logits).
3. The main losses, forward + backward, at B=64, T=1024.

Timings are wall-clock on CPU: the median and the best of the repeats (the best is the least
disturbed when other processes share the machine).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rlref.algos.advantages import gae, gae_loop_reference, group_advantages  # noqa: E402
from rlref.algos.lm import entropy_from_logits  # noqa: E402
from rlref.algos.policy_loss import (  # noqa: E402
    cispo_loss,
    grpo_loss,
    gspo_loss,
    ppo_clip_loss,
    value_loss_clipped,
)
from rlref.algos.preference import dpo_loss  # noqa: E402


class Timing(NamedTuple):
    median: float
    best: float

    def __str__(self) -> str:
        return f"{self.median:.2f} | {self.best:.2f}"


def time_ms(fn: Callable[[], object], repeats: int, warmup: int = 1) -> Timing:
    """Median and best wall-clock milliseconds; the best is the least disturbed by other load."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1e3)
    return Timing(statistics.median(samples), min(samples))


# ---------------------------------------------------------------------------------------------
# 1. GAE


def gae_minimal_loop(rewards: torch.Tensor, values: torch.Tensor, gamma: float, lam: float):
    """The CleanRL / TRL-PPOTrainer loop without masks or dones: the cheapest per-step loop."""
    steps = rewards.shape[-1]
    last = torch.zeros_like(rewards[:, 0])
    reversed_advantages = []
    for t in reversed(range(steps)):
        next_values = values[:, t + 1] if t < steps - 1 else 0.0
        delta = rewards[:, t] + gamma * next_values - values[:, t]
        last = delta + gamma * lam * last
        reversed_advantages.append(last)
    return torch.stack(reversed_advantages[::-1], dim=1)


def gae_discount_matrix(rewards: torch.Tensor, values: torch.Tensor, gamma: float, lam: float):
    """A_t = Σ_l K[t, l] δ_l with the full (B, T, T) discount matrix K[t, l] = (γλ)^(l−t)."""
    steps = rewards.shape[-1]
    next_values = torch.cat([values[:, 1:], torch.zeros_like(values[:, :1])], dim=1)
    delta = rewards + gamma * next_values - values
    index = torch.arange(steps, dtype=rewards.dtype)
    power = (index[None, :] - index[:, None]).clamp(min=0)
    kernel = torch.where(index[None, :] >= index[:, None], (gamma * lam) ** power, 0.0)
    return delta @ kernel.T


def _gae_rows(batch: int, steps: int, repeats: int, dtype: torch.dtype) -> list[str]:
    gen = torch.Generator().manual_seed(0)
    rewards = torch.randn(batch, steps, generator=gen, dtype=dtype)
    values = torch.randn(batch, steps, generator=gen, dtype=dtype)
    mask = torch.rand(batch, steps, generator=gen) > 0.1
    fast = time_ms(lambda: gae(rewards, values, 0.99, 0.95), repeats)
    fast_mask = time_ms(lambda: gae(rewards, values, 0.99, 0.95, mask), repeats)
    slow_repeats = max(3, repeats // 4)
    loop = time_ms(lambda: gae_loop_reference(rewards, values, 0.99, 0.95), slow_repeats)
    loop_mask = time_ms(lambda: gae_loop_reference(rewards, values, 0.99, 0.95, mask), slow_repeats)
    minimal = time_ms(lambda: gae_minimal_loop(rewards, values, 0.99, 0.95), slow_repeats)
    matrix = time_ms(lambda: gae_discount_matrix(rewards, values, 0.99, 0.95), slow_repeats)
    name = str(dtype).removeprefix("torch.")
    return [
        f"| {name} | `gae` (doubling scan) | {fast} | 1 |",
        f"| {name} | `gae_loop_reference` (per-step loop) | {loop} | {loop.best / fast.best:.1f} |",
        f"| {name} | minimal per-step loop (CleanRL/TRL style) | {minimal} | "
        f"{minimal.best / fast.best:.1f} |",
        f"| {name} | full (B, T, T) discount matrix | {matrix} | {matrix.best / fast.best:.1f} |",
        f"| {name} | `gae`, 10% pads skipped | {fast_mask} | 1 (masked) |",
        f"| {name} | `gae_loop_reference`, 10% pads skipped | {loop_mask} | "
        f"{loop_mask.best / fast_mask.best:.1f} (masked) |",
    ]


def bench_gae(batch: int, steps: int, repeats: int) -> list[str]:
    return [
        row
        for dtype in (torch.float32, torch.float64)
        for row in _gae_rows(batch, steps, repeats, dtype)
    ]


# ---------------------------------------------------------------------------------------------
# 2. Token log-probs: peak memory in a fresh process

_LOGPROB_CHILD = textwrap.dedent(
    """
    import json, resource, sys, time, torch
    sys.path.insert(0, {root!r})
    from rlref.algos.lm import token_logprobs
    batch, steps, vocab, mode, backward = {batch}, {steps}, {vocab}, {mode!r}, {backward}
    gen = torch.Generator().manual_seed(0)
    logits = torch.randn(batch, steps, vocab, generator=gen).requires_grad_(backward)
    labels = torch.randint(vocab, (batch, steps), generator=gen)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    if mode == "naive":
        out = torch.log_softmax(logits, -1).gather(-1, labels[..., None]).squeeze(-1)
    else:
        out = token_logprobs(logits, labels)
    if backward:
        out.sum().backward()
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({{"seconds": seconds, "extra_mb": (after - before) / 1024,
                       "logits_mb": logits.numel() * 4 / 2**20}}))
    """
)


def available_mb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024
    return float("inf")


def run_logprob_child(batch: int, steps: int, vocab: int, mode: str, backward: bool) -> dict:
    code = _LOGPROB_CHILD.format(
        root=str(ROOT), batch=batch, steps=steps, vocab=vocab, mode=mode, backward=backward
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def fit_batch(batch: int, steps: int, vocab: int, copies: float) -> int:
    """Largest batch ≤ `batch` whose `copies` full-size float32 tensors fit in free memory."""
    per_row_mb = steps * vocab * 4 / 2**20
    budget = 0.8 * available_mb()
    while batch > 1 and copies * batch * per_row_mb > budget:
        batch //= 2
    return batch


def bench_logprobs(batch: int, steps: int, vocab: int, backward_batch: int) -> list[str]:
    rows = []
    for backward, wanted, copies in ((False, batch, 2.2), (True, backward_batch, 3.3)):
        size = fit_batch(wanted, steps, vocab, copies)
        note = "" if size == wanted else f" (reduced from B={wanted} to fit free memory)"
        results = {
            m: run_logprob_child(size, steps, vocab, m, backward) for m in ("naive", "chunked")
        }
        for mode, res in results.items():
            rows.append(
                f"| {'fwd+bwd' if backward else 'forward'} | B={size}, T={steps}, V={vocab}{note} "
                f"| {mode} | {res['logits_mb']:.0f} | {res['extra_mb']:.0f} "
                f"| {res['seconds']:.2f} |"
            )
    return rows


# ---------------------------------------------------------------------------------------------
# 3. Losses at realistic shapes


def bench_losses(batch: int, steps: int, repeats: int, vocab: int) -> list[str]:
    gen = torch.Generator().manual_seed(0)
    old = -torch.rand(batch, steps, generator=gen) * 3
    ref = old + 0.1 * torch.randn(batch, steps, generator=gen)
    base = old + 0.1 * torch.randn(batch, steps, generator=gen)
    advantages = group_advantages(torch.randn(batch, generator=gen), group_size=8)
    mask = torch.rand(batch, steps, generator=gen) > 0.2
    values = torch.randn(batch, steps, generator=gen)
    seq_logps = -torch.rand(4, batch, generator=gen) * 100

    def step(loss_fn: Callable[[torch.Tensor], torch.Tensor]) -> Callable[[], None]:
        def run() -> None:
            logp = base.clone().requires_grad_()
            loss_fn(logp).backward()

        return run

    cases = {
        "ppo_clip_loss (dual clip)": step(
            lambda lp: ppo_clip_loss(lp, old, advantages, mask, clip_ratio_c=3.0).loss
        ),
        "grpo_loss (β = 0.04)": step(
            lambda lp: grpo_loss(lp, old, ref, advantages, mask, 0.04).loss
        ),
        "gspo_loss (sequence)": step(lambda lp: gspo_loss(lp, old, advantages, mask).loss),
        "gspo_loss (token)": step(
            lambda lp: gspo_loss(lp, old, advantages, mask, token_level=True).loss
        ),
        "cispo_loss": step(lambda lp: cispo_loss(lp, old, advantages, mask, 4.0).loss),
        "value_loss_clipped": step(lambda v: value_loss_clipped(v, values, ref, mask, 0.2).loss),
        f"dpo_loss (B={batch} pairs)": lambda: dpo_loss(
            seq_logps[0].clone().requires_grad_(), *seq_logps[1:]
        ).loss.backward(),
        f"group_advantages (N={batch}, G=8)": lambda: group_advantages(advantages, 8),
    }
    rows = [f"| {name} | {time_ms(fn, repeats)} |" for name, fn in cases.items()]
    logits = torch.randn(8, steps, vocab, generator=gen)
    entropy_ms = time_ms(lambda: entropy_from_logits(logits), 3)
    rows.append(f"| entropy_from_logits (B=8, T={steps}, V={vocab}, forward) | {entropy_ms} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small shapes for a smoke run")
    parser.add_argument("--threads", type=int, default=None, help="torch intra-op threads")
    parser.add_argument(
        "--sections",
        default="gae,logprobs,losses",
        help="comma-separated subset of: gae, logprobs, losses",
    )
    args = parser.parse_args()
    sections = set(args.sections.split(","))
    if args.threads:
        torch.set_num_threads(args.threads)
    batch, steps, vocab = (8, 128, 1000) if args.quick else (64, 1024, 32000)
    repeats = 3 if args.quick else 20
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, CPU\n")

    if "gae" in sections:
        print(f"## GAE, B={batch}, T={steps} (γ=0.99, λ=0.95)\n")
        print("| dtype | implementation | median ms | best ms | best ÷ `gae` best |")
        print("|---|---|---|---|---|")
        print("\n".join(bench_gae(batch, steps, repeats)) + "\n")
    if "logprobs" in sections:
        print("## Token log-probs: chunked vs naive (peak memory above the logits)\n")
        print("| pass | shape | method | logits MB | extra peak MB | seconds |")
        print("|---|---|---|---|---|---|")
        print("\n".join(bench_logprobs(batch, steps, vocab, max(1, batch // 8))) + "\n")
    if "losses" in sections:
        print(f"## Losses, forward + backward, B={batch}, T={steps}, float32\n")
        print("| function | median ms | best ms |\n|---|---|---|")
        print("\n".join(bench_losses(batch, steps, repeats, vocab)))


if __name__ == "__main__":
    main()

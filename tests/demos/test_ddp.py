"""`rlref run grpo` under `torchrun --nproc_per_node=2` (gloo, DDP on CPU) matches one process.

Both runs use the same seed and global batch. Every rank draws the whole global batch and
keeps its shard, and DDP averages the shard gradients, so the first SFT loss, the sampled
rewards and the gradient of the first GRPO step must agree up to float rounding.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SETTINGS = ["--set", "prompts=8", "--set", "eval_prompts=64"]


def run_grpo(out: Path, processes: int) -> list[dict]:
    cli = ["-m", "rlref.cli", "run", "grpo", "--steps", "2", "--seed", "0", "--out", str(out)]
    if processes > 1:
        launcher = ["-m", "torch.distributed.run", "--standalone", "--nnodes=1"]
        command = [sys.executable, *launcher, f"--nproc_per_node={processes}", *cli]
    else:
        command = [sys.executable, *cli]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [*command, *SETTINGS], capture_output=True, text=True, timeout=600, env=env
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("grpo final reward") == 1  # only rank 0 reports
    run = json.loads((out / "run.json").read_text())
    assert run["processes"] == processes
    return [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]


def test_two_process_ddp_gives_the_one_process_first_step(tmp_path: Path) -> None:
    single = run_grpo(tmp_path / "one", 1)
    double = run_grpo(tmp_path / "two", 2)
    first, first_ddp = single[0], double[0]
    assert first_ddp["warmup_loss_first"] == pytest.approx(first["warmup_loss_first"], rel=1e-6)
    assert first_ddp["warmup_loss_last"] == pytest.approx(first["warmup_loss_last"], rel=1e-4)
    # the same completions were sampled and scored …
    assert first_ddp["reward"] == first["reward"]
    assert first_ddp["response_length"] == first["response_length"]
    assert 0.0 < first["reward"] < 1.0  # mixed groups, so the GRPO gradient is not zero
    # … the first GRPO update has the same (all-reduced) gradient. Its loss is ~0 by
    # construction (ratio 1, advantages summing to 0 per group), so the comparison that
    # carries information is the loss of the second update on that batch (ratio ≠ 1).
    assert first["grad_norm"] > 0.01
    assert first_ddp["grad_norm"] == pytest.approx(first["grad_norm"], rel=1e-5)
    assert abs(first["last_update_loss"]) > 1e-4
    assert first_ddp["last_update_loss"] == pytest.approx(first["last_update_loss"], rel=1e-4)

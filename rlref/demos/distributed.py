"""Data parallelism for the LM demos: one process per device, launched by ``torchrun``.

``torchrun --nproc_per_node=N -m rlref.cli run grpo`` starts N copies of the command; each
reads its rank from the environment, joins a process group (gloo on CPU, NCCL on GPUs) and
trains a ``DistributedDataParallel`` replica on its shard of every global batch. All ranks
draw the *whole* global batch from the same seeded generator and keep only their slice, so
the data — and therefore the first-step loss — do not depend on the number of processes.
Without ``torchrun`` the same code runs as a single process with no process group.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
import torch.distributed as dist


def launch_rank() -> tuple[int, int, int]:
    """``(rank, world_size, local_rank)`` from the variables torchrun sets; ``(0, 1, 0)`` alone."""
    rank = int(os.environ.get("RANK", "0"))
    world = int(os.environ.get("WORLD_SIZE", "1"))
    local = int(os.environ.get("LOCAL_RANK", "0"))
    return rank, world, local


def is_main_process() -> bool:
    return launch_rank()[0] == 0


@dataclass(frozen=True)
class Dist:
    """This process's place in the group, and the few collectives the demos need."""

    rank: int
    world_size: int
    device: torch.device

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def local_count(self, global_count: int, what: str = "batch") -> int:
        if global_count % self.world_size:
            raise ValueError(
                f"the global {what} ({global_count}) must divide by the number of processes "
                f"({self.world_size})"
            )
        return global_count // self.world_size

    def shard(self, x: torch.Tensor) -> torch.Tensor:
        """This rank's contiguous slice of dim 0 (whole groups stay on one rank)."""
        size = self.local_count(x.shape[0])
        return x[self.rank * size : (self.rank + 1) * size]

    def mean(self, value: torch.Tensor | float) -> float:
        """The average of a scalar over the ranks (equal shards, so the global mean)."""
        tensor = torch.as_tensor(value, dtype=torch.float64).detach().to(self.device).clone()
        if self.world_size > 1:
            dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
            tensor /= self.world_size
        return float(tensor.item())

    def wrap(self, model: torch.nn.Module) -> torch.nn.Module:
        """DDP around ``model`` when there are several processes; the model itself otherwise.

        DDP averages the gradients over the ranks. Every demo loss is a mean over sequences of
        equal-sized shards, so that average is the gradient of the same loss on the global batch.
        """
        if self.world_size == 1:
            return model
        from torch.nn.parallel import DistributedDataParallel

        ids = [self.device.index] if self.device.type == "cuda" else None
        return DistributedDataParallel(model, device_ids=ids)


@contextmanager
def process_group(device: str) -> Iterator[Dist]:
    """Join (and on exit leave) the torchrun process group; a one-process ``Dist`` otherwise."""
    rank, world, local = launch_rank()
    if device == "cuda":
        torch_device = torch.device("cuda", local if world > 1 else torch.cuda.current_device())
        torch.cuda.set_device(torch_device)
    else:
        torch_device = torch.device(device)
    created = False
    if world > 1 and not dist.is_initialized():
        dist.init_process_group(backend="nccl" if torch_device.type == "cuda" else "gloo")
        created = True
    try:
        yield Dist(rank, world, torch_device)
        if created:
            # Rank 0 still writes files after its last collective; a rank that tears gloo down
            # while a peer's connection is open aborts ("terminate called without an active
            # exception", about 2 runs in 5 here), so all ranks leave together.
            dist.barrier()
    finally:
        if created:
            dist.destroy_process_group()

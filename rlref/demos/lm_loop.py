"""Pieces the LM demos (grpo, ppo, dpo) share: the supervised warm-up and one rollout.

The RL functions draw the *global* batch from the shared generator and keep this rank's
shard (see ``rlref.demos.distributed``), so all ranks stay in step and the data do not depend
on the number of processes.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from rlref.algos.policy_loss import aggregate_loss
from rlref.demos.distributed import Dist
from rlref.demos.tiny_lm import completion_logprobs, greedy_completions, sample_completions
from rlref.demos.toy_task import PromptBatch, ReverseTask, Scored


def demonstration_sequences(batch: PromptBatch) -> tuple[torch.Tensor, torch.Tensor]:
    """Prompt + correct answer, and the mask of the answer tokens (the SFT targets)."""
    return torch.cat([batch.prompts, batch.answers], dim=1), batch.answer_mask


def supervised_warmup(
    model: torch.nn.Module,
    task: ReverseTask,
    steps: int,
    batch_size: int,
    lr: float,
    generator: torch.Generator,
    device: torch.device,
) -> list[float]:
    """A short SFT phase (R1's cold start in miniature): cross-entropy on correct answers.

    The loss is ``-log π`` of each answer token, averaged per answer and then over answers
    (``aggregate_loss(..., "seq-mean-token-mean")``). Returns the loss of every step.

    Not data-parallel on purpose: under torchrun every rank runs the whole warm-up (about a
    second of CPU) on the full batch, so every rank — and a one-process run — starts RL from
    bit-identical weights. A DDP warm-up would differ from one process by float rounding, and
    a hundred Adam steps amplify that enough to change which completions get sampled.
    """
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    losses = []
    for _ in range(steps):
        sequences, mask = demonstration_sequences(task.sample(batch_size, generator))
        logp = completion_logprobs(model, sequences.to(device), task.prompt_length)
        loss = aggregate_loss(-logp, mask.to(device), "seq-mean-token-mean")
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


@dataclass(frozen=True)
class Rollout:
    """This rank's sampled completions, scored: the raw material of one RL step."""

    sequences: torch.Tensor  # (B, P + C) prompt + completion
    scored: Scored
    batch: PromptBatch

    @property
    def mask(self) -> torch.Tensor:
        return self.scored.mask

    @property
    def rewards(self) -> torch.Tensor:
        return self.scored.rewards


def rollout(
    policy: torch.nn.Module,
    task: ReverseTask,
    num_prompts: int,
    group_size: int,
    generator: torch.Generator,
    dist: Dist,
) -> Rollout:
    """Sample ``group_size`` completions for each of ``num_prompts`` global prompts; keep a shard.

    Groups stay whole on one rank (the shard is a slice of whole prompts), so group-relative
    advantages need no communication.
    """
    dist.local_count(num_prompts, "number of prompts")
    batch = task.sample(num_prompts, generator).repeat(group_size)
    uniforms = torch.rand(batch.prompts.shape[0], task.completion_length, generator=generator)
    local = batch.rows(_shard_slice(dist, batch.prompts.shape[0]))
    sequences = sample_completions(
        policy, local.prompts.to(dist.device), dist.shard(uniforms).to(dist.device)
    )
    scored = task.score(sequences[:, task.prompt_length :], local)
    return Rollout(sequences, scored, local)


def greedy_accuracy(
    policy: torch.nn.Module, task: ReverseTask, batch: PromptBatch, dist: Dist
) -> float:
    """Share of held-out prompts the policy's greedy answer gets exactly right."""
    local = batch.rows(_shard_slice(dist, batch.prompts.shape[0]))
    sequences = greedy_completions(policy, local.prompts.to(dist.device), task.completion_length)
    return dist.mean(task.score(sequences[:, task.prompt_length :], local).rewards.mean())


def _shard_slice(dist: Dist, total: int) -> slice:
    size = dist.local_count(total)
    return slice(dist.rank * size, (dist.rank + 1) * size)

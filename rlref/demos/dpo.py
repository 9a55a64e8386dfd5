"""`rlref run dpo`: Direct Preference Optimization of the tiny LM on synthetic preference pairs.

The prompts are the digit-reversal task of ``rlref.demos.toy_task``. In each pair the chosen
answer is the correct reversal and the rejected one is the same answer with one or two digits
changed (``corrupt``) — a near miss, only told apart by reading the prompt. After a short SFT
warm-up the model is frozen as π_ref, and the policy minimises ``dpo_loss`` on sequence
log-probs (``sequence_logprobs``).

Logged: the implicit rewards ``β log(π/π_ref)(y)`` of both answers and their margin,
preference accuracy on the training batch and on held-out pairs (the target), and the greedy
accuracy on the task itself. DPO widens the margin, not the likelihood of the chosen answer
(both implicit rewards may fall), so the last curve need not rise with the others.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch

from rlref.algos.lm import sequence_logprobs
from rlref.algos.preference import dpo_loss
from rlref.demos.base import DemoSpec, RunContext, Target
from rlref.demos.distributed import Dist, process_group
from rlref.demos.lm_loop import greedy_accuracy, supervised_warmup
from rlref.demos.settings import describe_settings, settings_from_options
from rlref.demos.tiny_lm import build_tiny_lm, cpu_threads
from rlref.demos.toy_task import PromptBatch, ReverseTask, Vocab, corrupt

HELD_OUT_SEED_OFFSET = 1_000_003


@dataclass(frozen=True)
class DPOSettings:
    warmup_steps: int = 40
    warmup_lr: float = 3e-3
    pairs: int = 64  # global batch of preference pairs per step
    lr: float = 5e-4
    beta: float = 0.1
    eval_every: int = 10
    eval_pairs: int = 256


@dataclass(frozen=True)
class PairBatch:
    """Chosen and rejected sequences stacked: rows [0, N) chosen, [N, 2N) rejected."""

    sequences: torch.Tensor  # (2N, P + C)
    completion_mask: torch.Tensor  # (2N, P + C), 1 on the answer tokens


def make_pairs(task: ReverseTask, batch: PromptBatch, generator: torch.Generator) -> PairBatch:
    errors = torch.randint(1, 3, (batch.prompts.shape[0],), generator=generator)
    rejected = corrupt(task, batch, errors, generator)
    prompts = batch.prompts.repeat(2, 1)
    completions = torch.cat([batch.answers, rejected])
    no_target = torch.zeros_like(prompts, dtype=torch.float)
    mask = torch.cat([no_target, batch.answer_mask.repeat(2, 1)], dim=1)
    return PairBatch(torch.cat([prompts, completions], dim=1), mask)


def shard_pairs(pairs: PairBatch, dist: Dist) -> PairBatch:
    """This rank's pairs, keeping each chosen row with its rejected row."""
    half = pairs.sequences.shape[0] // 2

    def pick(x: torch.Tensor) -> torch.Tensor:
        return torch.cat([dist.shard(x[:half]), dist.shard(x[half:])]).to(dist.device)

    return PairBatch(pick(pairs.sequences), pick(pairs.completion_mask))


def pair_logps(model: torch.nn.Module, pairs: PairBatch) -> tuple[torch.Tensor, torch.Tensor]:
    """``log π(y_w | x)`` and ``log π(y_l | x)``, each ``(N,)``."""
    logits = model(input_ids=pairs.sequences, use_cache=False).logits
    logps = sequence_logprobs(logits, pairs.sequences, pairs.completion_mask)
    return logps.chunk(2)


def run(ctx: RunContext) -> None:
    settings = settings_from_options(DPOSettings, ctx.options)
    with cpu_threads(ctx.device), process_group(ctx.device) as dist:
        train(ctx, dist, settings)


def train(ctx: RunContext, dist: Dist, settings: DPOSettings) -> None:
    vocab = Vocab.tiny()
    task = ReverseTask(vocab)
    model = build_tiny_lm(vocab).to(dist.device)
    generator = torch.Generator().manual_seed(ctx.seed)
    held_out_generator = torch.Generator().manual_seed(ctx.seed + HELD_OUT_SEED_OFFSET)
    held_out_batch = task.sample(settings.eval_pairs, held_out_generator)
    held_out = shard_pairs(make_pairs(task, held_out_batch, held_out_generator), dist)
    supervised_warmup(
        model, task, settings.warmup_steps, 64, settings.warmup_lr, generator, dist.device
    )
    trained = dist.wrap(model)
    reference = copy.deepcopy(model).eval().requires_grad_(False)
    with torch.no_grad():
        held_out_ref = pair_logps(reference, held_out)
    optimizer = torch.optim.AdamW(model.parameters(), lr=settings.lr, weight_decay=0.0)
    for step in range(ctx.steps):
        batch = task.sample(settings.pairs, generator)
        pairs = shard_pairs(make_pairs(task, batch, generator), dist)
        with torch.no_grad():
            ref_chosen, ref_rejected = pair_logps(reference, pairs)
        chosen, rejected = pair_logps(trained, pairs)
        out = dpo_loss(chosen, rejected, ref_chosen, ref_rejected, beta=settings.beta)
        optimizer.zero_grad()
        out.loss.backward()
        optimizer.step()
        margin = out.chosen_rewards - out.rejected_rewards
        metrics = {
            "loss": dist.mean(out.loss),
            "reward_margin": dist.mean(margin.mean()),
            "chosen_reward": dist.mean(out.chosen_rewards.mean()),
            "rejected_reward": dist.mean(out.rejected_rewards.mean()),
            "preference_accuracy": dist.mean((margin > 0).float().mean()),
        }
        if step % settings.eval_every == 0 or step == ctx.steps - 1:
            with torch.no_grad():
                held = dpo_loss(*pair_logps(model, held_out), *held_out_ref, beta=settings.beta)
            held_margin = held.chosen_rewards - held.rejected_rewards
            metrics["held_out_accuracy"] = dist.mean((held_margin > 0).float().mean())
            metrics["greedy_accuracy"] = greedy_accuracy(model, task, held_out_batch, dist)
        ctx.log.step(step, **metrics)


SPEC = DemoSpec(
    name="dpo",
    summary="tiny Llama: DPO on (correct, near-miss) answer pairs after an SFT warm-up",
    note="AI/LLM/RL/DPO/DPO 原理",
    target=Target("held_out_accuracy", 0.95),
    default_steps=150,
    plot_metrics=(
        ("chosen_reward", "rejected_reward", "reward_margin"),
        ("preference_accuracy", "held_out_accuracy"),
        "greedy_accuracy",
    ),
    run=run,
    options=describe_settings(DPOSettings),
)

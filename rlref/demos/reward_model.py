"""`rlref run reward-model`: a Bradley-Terry reward model learns noisy synthetic preferences.

Responses to the digit-reversal prompts of ``rlref.demos.toy_task`` are the correct answer
with 0–3 digits changed; their hidden *true* reward is minus the number of wrong digits.
Preference labels are drawn the way Bradley-Terry says people produce them:
``P(a ≻ b) = σ(s · (r*(a) − r*(b)))`` with s = 1.5, so about a fifth of the labels of
one-error-apart pairs are "wrong". The reward model is the tiny Llama with a scalar head
(``LlamaForSequenceClassification``, one label: the score of the last non-pad token), whose
trunk starts from a causal LM after 100 SFT steps on the task (InstructGPT also starts its
RM from the SFT model), trained with ``rlref.algos.preference.bradley_terry_loss`` and a
learning rate decaying linearly to 0.

Target: on held-out pairs the model ranks the truly better response higher ≥ 90 % of the time
(ties in true reward are never sampled). Learning from noisy labels, it can beat the labels.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from rlref.algos.preference import bradley_terry_loss
from rlref.demos.base import DemoSpec, RunContext, Target
from rlref.demos.lm_loop import supervised_warmup
from rlref.demos.settings import describe_settings, settings_from_options
from rlref.demos.tiny_lm import build_tiny_lm, cpu_threads
from rlref.demos.toy_task import PromptBatch, ReverseTask, Vocab, corrupt

HELD_OUT_SEED_OFFSET = 1_000_003


@dataclass(frozen=True)
class RewardModelSettings:
    layers: int = 2
    sft_steps: int = 100  # SFT of the trunk first, as InstructGPT initialises its RM (0 = none)
    pairs: int = 128
    lr: float = 1e-3
    label_sharpness: float = 1.5  # s in P(a ≻ b) = σ(s · (r*(a) − r*(b)))
    max_errors: int = 3
    eval_every: int = 10
    eval_pairs: int = 512


@dataclass(frozen=True)
class Pairs:
    """Two responses per prompt, their true rewards and a sampled preference label."""

    first: torch.Tensor  # (N, P + C)
    second: torch.Tensor
    true_first: torch.Tensor  # (N,) r* = −(wrong digits)
    true_second: torch.Tensor
    first_preferred: torch.Tensor  # (N,) bool, the noisy label

    def chosen_rejected(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The labelled winner and loser of each pair."""
        pick = self.first_preferred[:, None]
        return torch.where(pick, self.first, self.second), torch.where(
            pick, self.second, self.first
        )


def build_reward_model(vocab: Vocab, layers: int = 2) -> torch.nn.Module:
    """The tiny Llama trunk with a one-output linear head on its last non-pad token."""
    from transformers import LlamaConfig, LlamaForSequenceClassification

    config = LlamaConfig(
        vocab_size=16,
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=layers,
        num_attention_heads=4,
        num_key_value_heads=4,
        max_position_embeddings=32,
        pad_token_id=vocab.pad,
        num_labels=1,
    )
    return LlamaForSequenceClassification(config)


def sft_initialised(
    vocab: Vocab,
    task: ReverseTask,
    settings: RewardModelSettings,
    generator: torch.Generator,
    device: torch.device,
) -> torch.nn.Module:
    """A reward model whose trunk is a causal LM after ``sft_steps`` of SFT on the task."""
    steps = settings.sft_steps
    model = build_reward_model(vocab, settings.layers).to(device)
    if steps == 0:
        return model
    lm = build_tiny_lm(vocab, layers=settings.layers).to(device)
    supervised_warmup(lm, task, steps, 64, 3e-3, generator, device)
    model.model.load_state_dict(lm.model.state_dict())  # the Llama trunk; the score head is new
    return model


def sample_pairs(
    task: ReverseTask, n: int, settings: RewardModelSettings, generator: torch.Generator
) -> Pairs:
    batch: PromptBatch = task.sample(n, generator)
    digits = batch.num_digits
    high = torch.minimum(digits, torch.tensor(settings.max_errors))
    # two different error counts per prompt, each in [0, min(max_errors, digits)]
    a = (torch.rand(n, generator=generator) * (high + 1)).long()
    offset = 1 + (torch.rand(n, generator=generator) * high).long()
    b = (a + offset) % (high + 1)
    first = torch.cat([batch.prompts, corrupt(task, batch, a, generator)], dim=1)
    second = torch.cat([batch.prompts, corrupt(task, batch, b, generator)], dim=1)
    true_a, true_b = -a.double(), -b.double()
    p_first = torch.sigmoid(settings.label_sharpness * (true_a - true_b))
    label = torch.rand(n, generator=generator, dtype=torch.float64) < p_first
    return Pairs(first, second, true_a, true_b, label)


def scores(model: torch.nn.Module, sequences: torch.Tensor) -> torch.Tensor:
    return model(input_ids=sequences).logits.squeeze(-1)


def run(ctx: RunContext) -> None:
    settings = settings_from_options(RewardModelSettings, ctx.options)
    vocab = Vocab.tiny()
    task = ReverseTask(vocab)
    device = torch.device(ctx.device)
    generator = torch.Generator().manual_seed(ctx.seed)
    held_out = sample_pairs(
        task,
        settings.eval_pairs,
        settings,
        torch.Generator().manual_seed(ctx.seed + HELD_OUT_SEED_OFFSET),
    )
    truly_first = held_out.true_first > held_out.true_second
    label_agreement = float((held_out.first_preferred == truly_first).double().mean())
    with cpu_threads(ctx.device):
        model = sft_initialised(vocab, task, settings, generator, device)
        optimizer = torch.optim.AdamW(model.parameters(), lr=settings.lr, weight_decay=0.0)
        # linear decay to 0 (TRL's default schedule): the noisy labels otherwise keep the
        # scores jittering at the end of the run
        schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda i: 1 - i / ctx.steps)
        for step in range(ctx.steps):
            pairs = sample_pairs(task, settings.pairs, settings, generator)
            chosen, rejected = pairs.chosen_rejected()
            both = scores(model, torch.cat([chosen, rejected]).to(device))
            out = bradley_terry_loss(*both.chunk(2))
            optimizer.zero_grad()
            out.loss.backward()
            optimizer.step()
            schedule.step()
            metrics = {
                "loss": out.loss.item(),
                "train_accuracy": float((out.chosen_rewards > out.rejected_rewards).float().mean()),
            }
            if step % settings.eval_every == 0 or step == ctx.steps - 1:
                with torch.no_grad():
                    first = scores(model, held_out.first.to(device)).cpu()
                    second = scores(model, held_out.second.to(device)).cpu()
                right = (first > second) == truly_first
                metrics["held_out_accuracy"] = float(right.double().mean())
                metrics["label_agreement"] = label_agreement
            ctx.log.step(step, **metrics)
    ctx.show(
        f"held-out labels agree with the true ranking on {label_agreement:.1%} of pairs; "
        "held_out_accuracy is measured against the true ranking"
    )


SPEC = DemoSpec(
    name="reward-model",
    summary="tiny Llama + scalar head fits Bradley-Terry to noisy synthetic preference labels",
    note="AI/LLM/RL/Fundamentals/Bradley-Terry 奖励模型",
    target=Target("held_out_accuracy", 0.9),
    # 400 steps met the target on seed 0 only (0.914; 0.891 on seed 1); 600 meet it on
    # seeds 0, 1, 2 (0.932, 0.920, 0.930)
    default_steps=600,
    plot_metrics=("loss", ("train_accuracy", "held_out_accuracy", "label_agreement")),
    run=run,
    options=describe_settings(RewardModelSettings),
)

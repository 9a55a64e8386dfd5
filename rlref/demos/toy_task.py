"""The toy task of the LM demos: write a short string of digits backwards.

A prompt is 3–5 random digits followed by a separator, left-padded to a fixed width; the
correct completion is the same digits reversed, then an end-of-sequence token::

    _ 4 0 7 = → 7 0 4 $        (_ pad, = separator, $ end of sequence)

The reward is checked by rule (R1's "accuracy reward" in miniature): 1 if the completion up
to its first end token is exactly the reversed digits, else 0. A tiny transformer can learn
the task, but not instantly: reversing needs attention to the mirrored position, which a
random-init model only finds after some training.

The task works on token *ids* given by a ``Vocab``, so the same code drives the tiny
random-init model (ids 0–12) and a pretrained model whose tokenizer has one token per digit.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

PAD_SYMBOL, SEP_SYMBOL, EOS_SYMBOL = "_", "=", "$"


@dataclass(frozen=True)
class Vocab:
    """Token ids of the task's symbols: ten digits, the separator, the end token and the pad."""

    digits: tuple[int, ...]
    sep: int
    eos: int
    pad: int

    @classmethod
    def tiny(cls) -> Vocab:
        """Ids for a model built for this task: digits 0–9, then pad, separator, end."""
        return cls(digits=tuple(range(10)), pad=10, sep=11, eos=12)

    @property
    def size(self) -> int:
        return max(*self.digits, self.sep, self.eos, self.pad) + 1

    def decode(self, ids: list[int]) -> str:
        names = {d: str(i) for i, d in enumerate(self.digits)}
        names |= {self.pad: PAD_SYMBOL, self.sep: SEP_SYMBOL, self.eos: EOS_SYMBOL}
        return "".join(names.get(i, "?") for i in ids)


@dataclass(frozen=True)
class PromptBatch:
    """Prompts ``(N, P)`` and their correct completions ``(N, C)`` (pad after the end token)."""

    prompts: torch.Tensor
    answers: torch.Tensor
    answer_mask: torch.Tensor  # 1 on the digits and the end token of the answer

    def repeat(self, times: int) -> PromptBatch:
        """Each prompt ``times`` times in a row: the layout of a GRPO group."""
        return PromptBatch(
            self.prompts.repeat_interleave(times, 0),
            self.answers.repeat_interleave(times, 0),
            self.answer_mask.repeat_interleave(times, 0),
        )

    def rows(self, index: slice | torch.Tensor) -> PromptBatch:
        return PromptBatch(self.prompts[index], self.answers[index], self.answer_mask[index])

    @property
    def num_digits(self) -> torch.Tensor:
        return self.answer_mask.sum(dim=1).long() - 1


@dataclass(frozen=True)
class Scored:
    """Rule-checked completions: reward, the completion mask and the length in tokens."""

    rewards: torch.Tensor  # (N,) 0/1
    mask: torch.Tensor  # (N, C) 1 up to and including the first end token
    lengths: torch.Tensor  # (N,) tokens in the completion


@dataclass(frozen=True)
class ReverseTask:
    """Reverse ``min_digits``–``max_digits`` digits; see the module docstring."""

    vocab: Vocab
    min_digits: int = 3
    max_digits: int = 5

    @property
    def prompt_length(self) -> int:
        return self.max_digits + 1

    @property
    def completion_length(self) -> int:
        """Tokens sampled per completion: the longest answer plus one spare token."""
        return self.max_digits + 2

    def sample(self, n: int, generator: torch.Generator) -> PromptBatch:
        """``n`` random prompts; all randomness comes from ``generator``."""
        counts = torch.randint(self.min_digits, self.max_digits + 1, (n,), generator=generator)
        digits = torch.randint(0, 10, (n, self.max_digits), generator=generator)
        ids = torch.tensor(self.vocab.digits)[digits]
        width, total = self.max_digits, self.completion_length
        col = torch.arange(width)
        prompts = torch.full((n, self.prompt_length), self.vocab.pad)
        answers = torch.full((n, total), self.vocab.pad)
        # prompt: pads, then the last `count` digit slots, then the separator
        used = col[None, :] >= width - counts[:, None]
        prompts[:, :width] = torch.where(used, ids, prompts[:, :width])
        prompts[:, width] = self.vocab.sep
        # answer: the used digits in reverse order (column width-1-j), then the end token
        reversed_ids = ids.flip(1)
        answer_cols = torch.arange(total)[None, :]
        in_answer = col[None, :] < counts[:, None]
        answers[:, :width] = torch.where(in_answer, reversed_ids, self.vocab.pad)
        answers = torch.where(answer_cols == counts[:, None], self.vocab.eos, answers)
        answer_mask = (answer_cols <= counts[:, None]).float()
        return PromptBatch(prompts, answers, answer_mask)

    def score(self, completions: torch.Tensor, batch: PromptBatch) -> Scored:
        """Reward 1 iff the completion matches the answer up to and including its end token."""
        total = completions.shape[1]
        is_end = completions == self.vocab.eos
        last = torch.where(is_end.any(dim=1), is_end.float().argmax(dim=1), total - 1)
        mask = (torch.arange(total, device=completions.device)[None, :] <= last[:, None]).float()
        answers, answer_mask = batch.answers.to(completions.device), batch.answer_mask.bool()
        # the answer ends with the end token, so matching it also fixes the length
        agree = (completions == answers) | ~answer_mask.to(completions.device)
        return Scored(agree.all(dim=1).float(), mask, last + 1)


def corrupt(
    task: ReverseTask, batch: PromptBatch, num_errors: torch.Tensor, generator: torch.Generator
) -> torch.Tensor:
    """Answers with ``num_errors[i]`` of their digits replaced by other digits, shape ``(N, C)``.

    The wrong answers of the preference demos: same length and end token as the right one,
    so only reading the prompt tells them apart. ``num_errors`` is capped at the digit count.
    """
    answers, mask = batch.answers, batch.answer_mask
    n, total = answers.shape
    digit_ids = torch.tensor(task.vocab.digits)
    value_of = torch.full((task.vocab.size,), -1, dtype=torch.long)
    value_of[digit_ids] = torch.arange(10)
    is_digit = mask.bool() & (answers != task.vocab.eos)
    # pick the positions to change: the num_errors lowest random scores among the digit slots
    scores = torch.rand(n, total, generator=generator).masked_fill(~is_digit, 2.0)
    rank = scores.argsort(dim=1).argsort(dim=1)
    change = (rank < num_errors[:, None]) & is_digit
    # shift each changed digit by 1–9 (mod 10): always a different digit
    shift = torch.randint(1, 10, (n, total), generator=generator)
    values = value_of[answers].clamp(min=0)
    wrong = digit_ids[(values + shift) % 10]
    return torch.where(change, wrong, answers)

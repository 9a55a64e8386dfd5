"""The policy of the LM demos: a tiny ``transformers`` causal LM, its sampler and log-probs.

Nothing is downloaded: ``build_tiny_lm`` makes a two-layer Llama from a config with random
weights (≈ 85k parameters, a 16-token vocabulary). ``load_pretrained`` is the real loading
path for a user who names a model (``rlref run grpo --set model=…``); the task then runs on
that tokenizer's digit tokens.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch

from rlref.algos.lm import token_logprobs
from rlref.demos.toy_task import Vocab


def build_tiny_lm(vocab: Vocab, hidden_size: int = 64, layers: int = 2) -> torch.nn.Module:
    """A random-init Llama small enough to train in seconds on one CPU core."""
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(
        vocab_size=16,
        hidden_size=hidden_size,
        intermediate_size=2 * hidden_size,
        num_hidden_layers=layers,
        num_attention_heads=4,
        num_key_value_heads=4,
        max_position_embeddings=32,
        pad_token_id=vocab.pad,
        eos_token_id=vocab.eos,
        bos_token_id=None,
    )
    return LlamaForCausalLM(config)


def load_pretrained(name: str) -> tuple[torch.nn.Module, Vocab]:
    """A pretrained causal LM and the task vocabulary in its tokenizer's ids.

    Needs a tokenizer with a single token for each digit (most BPE tokenizers have one).
    Downloads unless ``name`` is a local folder or already cached; never used by the tests.
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(name)
    model = AutoModelForCausalLM.from_pretrained(name, dtype=torch.float32)

    def single(text: str) -> int:
        ids = tokenizer.encode(text, add_special_tokens=False)
        if len(ids) != 1:
            raise ValueError(f"{name}: '{text}' is not a single token, the task needs one")
        return ids[0]

    eos = tokenizer.eos_token_id
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else eos
    digits = tuple(single(str(d)) for d in range(10))
    return model, Vocab(digits=digits, sep=single("="), eos=eos, pad=pad)


def make_policy(
    model_name: str | None, hidden_size: int = 64, layers: int = 2
) -> tuple[torch.nn.Module, Vocab]:
    """The tiny random-init model, or the named pretrained one."""
    if model_name:
        return load_pretrained(model_name)
    vocab = Vocab.tiny()
    return build_tiny_lm(vocab, hidden_size, layers), vocab


@contextmanager
def cpu_threads(device: str, threads: int = 1) -> Iterator[None]:
    """Use ``threads`` intra-op threads on CPU for the duration (restored afterwards).

    The tiny model's matrices are far too small for a thread pool to pay off: with two
    threads a forward pass costs several times the CPU time of one thread for no speed-up.
    """
    if device != "cpu":
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def completion_logprobs(
    model: torch.nn.Module, sequences: torch.Tensor, prompt_length: int
) -> torch.Tensor:
    """``log π(o_t | q, o_<t)`` of every completion token, shape ``(B, C)``.

    ``sequences`` is prompt + completion; the causal LM's logits at position t score the token
    at t + 1, so the completion is scored by the logits from ``prompt_length - 1`` on.
    """
    logits = model(input_ids=sequences, use_cache=False).logits
    return token_logprobs(
        logits[:, prompt_length - 1 : -1], sequences[:, prompt_length:], ignore_index=None
    )


def last_hidden_state(model: torch.nn.Module, sequences: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """Logits and the final hidden states (for a value head on the policy's trunk)."""
    out = model(input_ids=sequences, use_cache=False, output_hidden_states=True)
    return out.logits, out.hidden_states[-1]


@torch.no_grad()
def sample_completions(
    model: torch.nn.Module, prompts: torch.Tensor, uniforms: torch.Tensor
) -> torch.Tensor:
    """Sample one completion per prompt at temperature 1, by inverse-CDF with given uniforms.

    ``uniforms`` ``(B, C)`` fixes the randomness of each row independently of the batch it is
    in, so a row samples the same tokens alone, in a bigger batch, or on another rank.
    Returns prompt + completion, shape ``(B, P + C)``. Rows keep going after their end token;
    the task's completion mask drops those tokens.
    """
    sequences = prompts
    for t in range(uniforms.shape[1]):
        logits = model(input_ids=sequences, use_cache=False).logits[:, -1].float()
        cdf = torch.softmax(logits, dim=-1).cumsum(dim=-1)
        u = uniforms[:, t : t + 1].contiguous().to(cdf.device)
        token = torch.searchsorted(cdf, u).clamp(max=cdf.shape[-1] - 1)
        sequences = torch.cat([sequences, token], dim=1)
    return sequences


@torch.no_grad()
def greedy_completions(model: torch.nn.Module, prompts: torch.Tensor, length: int) -> torch.Tensor:
    """Greedy decoding (the model's single best guess), shape ``(B, P + length)``."""
    sequences = prompts
    for _ in range(length):
        token = model(input_ids=sequences, use_cache=False).logits[:, -1].argmax(-1, keepdim=True)
        sequences = torch.cat([sequences, token], dim=1)
    return sequences

"""rlref.algos.lm: chunked log-probs and entropy, masked reductions, sequence log-probs, PPL."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
import torch
import transformers
from torch.profiler import ProfilerActivity, profile

from rlref.algos.lm import (
    entropy_from_logits,
    masked_mean,
    masked_sum,
    perplexity,
    sequence_logprobs,
    token_logprobs,
)


def _logits(*shape: int, dtype: torch.dtype = torch.float64, seed: int = 0) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=dtype) * 3


@pytest.mark.parametrize("chunk_tokens", [1, 3, 7, 1024])
def test_token_logprobs_equal_log_softmax_gather(chunk_tokens: int) -> None:
    logits = _logits(2, 7, 11)
    labels = torch.randint(11, (2, 7), generator=torch.Generator().manual_seed(1))
    expected = torch.log_softmax(logits, -1).gather(-1, labels[..., None]).squeeze(-1)
    got = token_logprobs(logits, labels, chunk_tokens=chunk_tokens)
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-12)


def test_token_logprobs_hand_computed() -> None:
    # softmax([0, ln 3]) = [1/4, 3/4]
    logits = torch.tensor([[[0.0, math.log(3.0)]]], dtype=torch.float64)
    got = token_logprobs(logits, torch.tensor([[1]]))
    assert got.item() == pytest.approx(math.log(0.75))


def test_token_logprobs_ignore_index_gives_zero_and_no_gradient() -> None:
    logits = _logits(1, 4, 5).requires_grad_()
    labels = torch.tensor([[1, -100, 3, -100]])
    logps = token_logprobs(logits, labels)
    assert logps[0, 1].item() == 0.0 and logps[0, 3].item() == 0.0
    logps.sum().backward()
    assert torch.all(logits.grad[0, 1] == 0) and torch.all(logits.grad[0, 3] == 0)
    assert torch.any(logits.grad[0, 0] != 0)


@pytest.mark.parametrize("chunk_tokens", [1, 4, 64])
def test_token_logprobs_gradient_matches_autograd_of_naive(chunk_tokens: int) -> None:
    logits = _logits(3, 5, 6).requires_grad_()
    labels = torch.randint(6, (3, 5), generator=torch.Generator().manual_seed(2))
    weights = _logits(3, 5, seed=3)
    (token_logprobs(logits, labels, chunk_tokens=chunk_tokens) * weights).sum().backward()
    chunked_grad = logits.grad.clone()
    logits.grad = None
    naive = torch.log_softmax(logits, -1).gather(-1, labels[..., None]).squeeze(-1)
    (naive * weights).sum().backward()
    torch.testing.assert_close(chunked_grad, logits.grad, rtol=0, atol=1e-12)


def test_token_logprobs_of_non_contiguous_logits() -> None:
    base = _logits(3, 6, 5).requires_grad_()
    view = base.transpose(0, 1)[:-1]  # (5, 3, 5), neither contiguous nor dense
    labels = torch.randint(5, (5, 3), generator=torch.Generator().manual_seed(6))
    got = token_logprobs(view, labels, chunk_tokens=2)
    expected = torch.log_softmax(view, -1).gather(-1, labels[..., None]).squeeze(-1)
    torch.testing.assert_close(got, expected)
    (grad_got,) = torch.autograd.grad(got.sum(), base)
    (grad_expected,) = torch.autograd.grad(expected.sum(), base)
    torch.testing.assert_close(grad_got, grad_expected)


def test_token_logprobs_gradcheck() -> None:
    logits = _logits(2, 3, 4).requires_grad_()
    labels = torch.tensor([[0, 3, 1], [2, 2, 0]])
    assert torch.autograd.gradcheck(lambda z: token_logprobs(z, labels, chunk_tokens=2), (logits,))


@pytest.mark.parametrize("chunk_tokens", [1, 5, 1024])
def test_entropy_matches_definition_and_gradcheck(chunk_tokens: int) -> None:
    logits = _logits(2, 5, 7)
    probs = torch.softmax(logits, -1)
    expected = -(probs * torch.log(probs)).sum(-1)
    torch.testing.assert_close(entropy_from_logits(logits, chunk_tokens=chunk_tokens), expected)
    small = _logits(2, 3, 4).requires_grad_()
    assert torch.autograd.gradcheck(
        lambda z: entropy_from_logits(z, chunk_tokens=chunk_tokens), (small,)
    )


def test_masked_out_vocabulary_entries_give_finite_entropy_and_gradients() -> None:
    logits = torch.tensor([[[0.0, -math.inf, 1.0]]], dtype=torch.float64, requires_grad=True)
    entropy = entropy_from_logits(logits)
    reduced = entropy_from_logits(torch.tensor([[[0.0, 1.0]]], dtype=torch.float64))
    torch.testing.assert_close(entropy.detach(), reduced)
    entropy.sum().backward()
    assert torch.isfinite(logits.grad).all() and logits.grad[0, 0, 1].item() == 0.0
    logps = token_logprobs(logits, torch.tensor([[2]]))
    assert torch.isfinite(logps).all()


def test_entropy_of_uniform_is_log_vocab() -> None:
    assert entropy_from_logits(torch.zeros(1, 1, 8)).item() == pytest.approx(math.log(8))


def test_masked_reductions_ignore_pads_even_nan() -> None:
    x = torch.tensor([[1.0, 2.0, float("nan")], [4.0, float("inf"), 6.0]])
    mask = torch.tensor([[1, 1, 0], [1, 0, 1]])
    assert masked_sum(x, mask).item() == 13.0
    torch.testing.assert_close(masked_mean(x, mask, dim=-1), torch.tensor([1.5, 5.0]))
    assert masked_mean(x, mask).item() == pytest.approx(13.0 / 4)


def test_masked_mean_of_empty_row_is_zero() -> None:
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    mask = torch.tensor([[0, 0], [1, 1]])
    torch.testing.assert_close(masked_mean(x, mask, dim=-1), torch.tensor([0.0, 3.5]))


def test_sequence_logprobs_shift_and_completion_mask() -> None:
    logits = _logits(1, 4, 5)
    ids = torch.tensor([[2, 4, 1, 3]])
    completion_mask = torch.tensor([[0, 0, 1, 1]])  # prompt = ids[0:2], completion = ids[2:4]
    log_probs = torch.log_softmax(logits, -1)
    expected = log_probs[0, 1, 1] + log_probs[0, 2, 3]  # logits at t score ids at t + 1
    assert sequence_logprobs(logits, ids, completion_mask).item() == pytest.approx(expected.item())
    mean = sequence_logprobs(logits, ids, completion_mask, average=True)
    assert mean.item() == pytest.approx(expected.item() / 2)


def test_sequence_logprobs_padding_invariant() -> None:
    logits, ids = _logits(1, 5, 6), torch.tensor([[1, 2, 3, 4, 5]])
    mask = torch.tensor([[0, 1, 1, 1, 1]])
    base = sequence_logprobs(logits, ids, mask)
    pad_logits = torch.cat([_logits(1, 3, 6, seed=9), logits, _logits(1, 2, 6, seed=8)], dim=1)
    pad_ids = torch.cat([torch.zeros(1, 3, dtype=torch.long), ids, torch.zeros(1, 2).long()], 1)
    pad_mask = torch.cat([torch.zeros(1, 3).long(), mask, torch.zeros(1, 2).long()], dim=1)
    # left pads (the position before the first scored token is never scored) and right pads
    torch.testing.assert_close(sequence_logprobs(pad_logits, pad_ids, pad_mask), base)


@pytest.fixture(scope="module")
def tiny_lm() -> transformers.PreTrainedModel:
    torch.manual_seed(0)
    config = transformers.LlamaConfig(
        vocab_size=50,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=64,
    )
    return transformers.LlamaForCausalLM(config).eval()


def test_perplexity_equals_exp_of_cross_entropy_loss() -> None:
    logits = _logits(2, 6, 9, dtype=torch.float32)
    labels = torch.tensor([[-100, 3, 4, 8, -100, -100], [1, 2, -100, 0, 5, 7]])
    expected = torch.exp(torch.nn.CrossEntropyLoss()(logits.view(-1, 9), labels.view(-1)))
    torch.testing.assert_close(perplexity(logits, labels), expected)


def test_perplexity_matches_transformers_causal_lm_loss(tiny_lm) -> None:
    ids = torch.tensor([[5, 9, 13, 2, 44, 7, 1, 30]])
    labels = ids.clone()
    labels[:, :3] = -100  # prompt tokens carry no loss
    with torch.no_grad():
        out = tiny_lm(input_ids=ids, labels=labels)
    ppl = perplexity(out.logits, labels, shift=True)
    torch.testing.assert_close(ppl, torch.exp(out.loss), rtol=1e-5, atol=0)


def test_sequence_logprobs_of_right_padded_batch_equal_unpadded(tiny_lm) -> None:
    prompts_and_completions = [([3, 4, 5], [6, 7]), ([8, 9], [10, 11, 12, 13])]
    width = max(len(p) + len(c) for p, c in prompts_and_completions)
    ids = torch.zeros(2, width, dtype=torch.long)
    attention = torch.zeros(2, width, dtype=torch.long)
    completion = torch.zeros(2, width, dtype=torch.long)
    singles = []
    for row, (prompt, answer) in enumerate(prompts_and_completions):
        seq = torch.tensor([prompt + answer])
        ids[row, : seq.shape[1]] = seq[0]
        attention[row, : seq.shape[1]] = 1
        completion[row, len(prompt) : seq.shape[1]] = 1
        with torch.no_grad():
            single_logits = tiny_lm(input_ids=seq).logits
        single_mask = torch.tensor([[0] * len(prompt) + [1] * len(answer)])
        singles.append(sequence_logprobs(single_logits, seq, single_mask))
    with torch.no_grad():
        batch_logits = tiny_lm(input_ids=ids, attention_mask=attention).logits
    batched = sequence_logprobs(batch_logits, ids, completion)
    torch.testing.assert_close(batched, torch.cat(singles), rtol=1e-5, atol=1e-5)


def test_float32_and_float64_agree() -> None:
    logits = _logits(2, 8, 13)
    labels = torch.randint(13, (2, 8), generator=torch.Generator().manual_seed(4))
    for fn in (lambda z: token_logprobs(z, labels), entropy_from_logits):
        torch.testing.assert_close(fn(logits.float()).double(), fn(logits), rtol=1e-5, atol=1e-5)


def _logits_sized_allocations(fn: Callable[[], object], nbytes: int) -> list[str]:
    """Names of the leaf allocations of at least half `nbytes` made while running `fn`."""
    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        fn()
    return [
        e.name for e in prof.events() if not e.cpu_children and e.cpu_memory_usage >= nbytes // 2
    ]


def test_chunked_functions_never_allocate_a_second_full_vocabulary_tensor() -> None:
    logits = _logits(4, 128, 2000, dtype=torch.float32).requires_grad_()
    labels = torch.randint(2000, (4, 128), generator=torch.Generator().manual_seed(5))
    mask = torch.ones(4, 128, dtype=torch.long)
    size = logits.nbytes
    # the probe works: the naive log_softmax allocates a logits-sized tensor
    assert _logits_sized_allocations(lambda: torch.log_softmax(logits, -1), size)
    forward_only = {
        "token_logprobs": lambda: token_logprobs(logits, labels, chunk_tokens=64),
        "sequence_logprobs": lambda: sequence_logprobs(logits, labels, mask, chunk_tokens=64),
        "perplexity": lambda: perplexity(logits, labels, shift=True, chunk_tokens=64),
        "entropy_from_logits": lambda: entropy_from_logits(logits, chunk_tokens=64),
    }
    for name, fn in forward_only.items():
        assert _logits_sized_allocations(fn, size) == [], name
        # with backward, the gradient itself is the only logits-sized allocation
        backward = lambda fn=fn: fn().sum().backward()  # noqa: E731
        assert len(_logits_sized_allocations(backward, size)) == 1, name
        logits.grad = None


def test_sequence_logprobs_and_perplexity_accept_one_unbatched_sequence() -> None:
    logits, ids = _logits(5, 7), torch.tensor([1, 2, 3, 4, 5])
    mask = torch.tensor([0, 1, 1, 1, 1])
    batched = sequence_logprobs(logits[None], ids[None], mask[None])
    torch.testing.assert_close(sequence_logprobs(logits, ids, mask), batched[0])
    torch.testing.assert_close(
        perplexity(logits, ids, shift=True), perplexity(logits[None], ids[None], shift=True)
    )

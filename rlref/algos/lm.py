r"""Sequences and masks: log-probs, entropy, masked reductions and perplexity for causal LMs.

Every function here takes logits shaped `(B, T, V)` (batch, positions, vocabulary) and works on
any device and floating dtype. Large-vocabulary functions are chunked over token positions, so a
`(B, T, V)` logits tensor never gets a second full-vocabulary companion in the forward pass:
`log_softmax` over the whole tensor would allocate one, `logsumexp` per chunk + `gather` does not.

Masks follow one convention everywhere: `1` (or `True`) marks a real token, `0` a pad (or a prompt
token when the mask is a completion mask). Masked positions never reach a result, even if the
tensor holds `inf` or `nan` there.
"""

from __future__ import annotations

import torch

__all__ = [
    "entropy_from_logits",
    "masked_mean",
    "masked_sum",
    "perplexity",
    "sequence_logprobs",
    "token_logprobs",
]

DEFAULT_CHUNK_TOKENS = 1024
"""Token positions per chunk (float32, 32k vocabulary: 1024 × 32000 × 4 B ≈ 131 MB a chunk)."""

CACHE_CHUNK_TOKENS = 32
"""Positions per chunk of `entropy_from_logits`, at most: 32 × 32000 × 4 B ≈ 4 MB, so the few
temporaries of a chunk stay in a CPU's L3 cache (twice as fast as 1024-position chunks)."""


def masked_sum(x: torch.Tensor, mask: torch.Tensor, dim: int | None = None) -> torch.Tensor:
    r"""Sum of the real entries of `x`.

    With $m_t \in \{0, 1\}$ the mask (1 = real token) and $T$ the length of the reduced axis:

    $$
    S = \sum_{t=1}^{T} m_t x_t
    $$

    Pads are removed with `torch.where`, not multiplied by 0, so a `nan` or `inf` in a pad
    never leaks into the sum (and its gradient is exactly 0).

    Source: verl 0.9.1 `masked_sum` (`verl/utils/torch_functional.py`), which also replaces the
    entries outside the mask with `torch.where` before summing.

    Note: [[AI/LLM/RL/Fundamentals/RL & LLMs 入门]]

    Args:
        x: Values, any shape, e.g. `(B, T)`.
        mask: Same shape as `x` (or broadcastable); 1 = real, 0 = pad.
        dim: Dimension to reduce; `None` reduces everything to a scalar.

    Returns:
        The masked sum: a scalar if `dim is None`, else `x` with `dim` removed.
    """
    # m_t x_t, with pads replaced by 0 rather than multiplied by 0
    kept = torch.where(mask.bool(), x, torch.zeros((), dtype=x.dtype, device=x.device))
    # Σ_t m_t x_t
    return kept.sum() if dim is None else kept.sum(dim=dim)


def masked_mean(x: torch.Tensor, mask: torch.Tensor, dim: int | None = None) -> torch.Tensor:
    r"""Mean of the real entries of `x`.

    With $m_t \in \{0, 1\}$ the mask (1 = real token) and $T$ the length of the reduced axis:

    $$
    \bar{x} = \frac{\sum_{t=1}^{T} m_t x_t}{\max\left(1, \sum_{t=1}^{T} m_t\right)}
    $$

    The only guard is the $\max(1, \cdot)$ on the token count: it changes nothing when at least
    one token is real (counts are integers) and makes the mean of an all-pad row 0 instead of
    `nan` — the convention of TRL's trainers (`mask.sum().clamp(min=1.0)`).

    Source: TRL 1.16 `GRPOTrainer._compute_loss` (`(x * mask).sum() / mask.sum().clamp(min=1.0)`);
    verl 0.9.1 `masked_mean` (`verl/utils/torch_functional.py`) divides by the count plus
    `1e-8` instead.

    Note: [[AI/LLM/RL/Fundamentals/RL & LLMs 入门]]

    Args:
        x: Values, any shape, e.g. `(B, T)`.
        mask: Same shape as `x` (or broadcastable); 1 = real, 0 = pad.
        dim: Dimension to reduce; `None` reduces everything to a scalar.

    Returns:
        The masked mean: a scalar if `dim is None`, else `x` with `dim` removed.
    """
    mask = mask.bool().expand_as(x)
    count = mask.sum() if dim is None else mask.sum(dim=dim)
    # N = Σ_t m_t, at least 1 so an empty row averages to 0
    count = count.to(x.dtype).clamp(min=1.0)
    return masked_sum(x, mask, dim) / count


def _position_chunks(logits: torch.Tensor, chunk_tokens: int) -> list[slice]:
    """Slices of the sequence axis holding about `chunk_tokens` positions of the whole batch.

    Slicing `logits[:, chunk]` is a view whatever the strides of `logits`, so even a shifted
    `logits[:, :-1]` is never copied.
    """
    if chunk_tokens < 1:
        raise ValueError(f"chunk_tokens must be ≥ 1, got {chunk_tokens}")
    batch, steps = logits.shape[0], logits.shape[1]
    width = max(1, chunk_tokens // max(batch, 1))
    return [slice(start, start + width) for start in range(0, steps, width)]


class _ChunkedLogProb(torch.autograd.Function):
    """gather − logsumexp per chunk of positions, with a backward that is chunked too.

    Letting autograd differentiate through the chunk slices would allocate a full-size
    zero-filled gradient per slice; here the only full-size tensor is the gradient itself.
    """

    @staticmethod
    def forward(ctx, logits: torch.Tensor, labels: torch.Tensor, chunk_tokens: int) -> torch.Tensor:
        chunks = _position_chunks(logits, chunk_tokens)
        picked = logits.new_empty(labels.shape)
        log_norm = logits.new_empty(labels.shape)
        for chunk in chunks:
            rows = logits[:, chunk]
            picked[:, chunk] = rows.gather(-1, labels[:, chunk, None]).squeeze(-1)
            log_norm[:, chunk] = torch.logsumexp(rows, dim=-1)
        ctx.save_for_backward(logits, labels, log_norm)
        ctx.chunks = chunks
        # log π(y) = z_y − logsumexp_v z_v
        return picked - log_norm

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_out: torch.Tensor) -> tuple[torch.Tensor, None, None]:
        logits, labels, log_norm = ctx.saved_tensors
        grad = torch.empty_like(logits)
        for chunk in ctx.chunks:
            g = grad_out[:, chunk, None]
            # ∂ log π(y) / ∂ z_v = 1[v = y] − π_v
            rows = torch.exp(logits[:, chunk] - log_norm[:, chunk, None]).mul_(-g)
            grad[:, chunk] = rows.scatter_add_(-1, labels[:, chunk, None], g)
        return grad, None, None


class _ChunkedEntropy(torch.autograd.Function):
    """H = logsumexp(z) − Σ π z per chunk of positions (one exp per logit), chunked backward.

    The chunks are cache-sized (at most `CACHE_CHUNK_TOKENS` positions), so the few passes over a
    chunk read it from cache rather than from memory; that and one exp per logit in each
    direction make it faster than a `log_softmax`-based entropy. A logit of −∞ (a masked-out
    vocabulary entry) is clamped to the dtype's lowest finite value before any product, so its
    term is 0 · finite = 0 instead of 0 · ∞ = nan, with no extra test per element.
    """

    @staticmethod
    def forward(ctx, logits: torch.Tensor, chunk_tokens: int) -> torch.Tensor:
        chunks = _position_chunks(logits, min(chunk_tokens, CACHE_CHUNK_TOKENS))
        lowest = torch.finfo(logits.dtype).min
        entropy = logits.new_empty(logits.shape[:-1])
        log_norm = logits.new_empty(logits.shape[:-1])
        for chunk in chunks:
            rows = logits[:, chunk]
            peak = rows.amax(dim=-1, keepdim=True)  # m = max z, for stability
            centered = torch.sub(rows, peak).clamp_(min=lowest)  # z − m, finite
            unnormalised = centered.exp()  # e^{z_v − m}: the only exp of the pass
            total = unnormalised.sum(dim=-1)  # Σ_v e^{z_v − m}
            log_total = total.log()
            # Σ_v e^{z_v − m} (z_v − m)
            weighted = torch.linalg.vecdot(unnormalised, centered)
            # H = log Σ_v e^{z_v − m} − Σ_v π_v (z_v − m)
            entropy[:, chunk] = log_total - weighted / total
            # logsumexp_v z_v = m + log Σ_v e^{z_v − m}, kept for the backward
            log_norm[:, chunk] = log_total + peak.squeeze(-1)
        ctx.save_for_backward(logits, entropy, log_norm)
        ctx.chunks = chunks
        return entropy

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_out: torch.Tensor) -> tuple[torch.Tensor, None]:
        logits, entropy, log_norm = ctx.saved_tensors
        lowest = torch.finfo(logits.dtype).min
        grad = torch.empty_like(logits)
        for chunk in ctx.chunks:
            # log π_v = z_v − logsumexp z, written straight into the gradient's slice
            log_probs = torch.sub(logits[:, chunk], log_norm[:, chunk, None], out=grad[:, chunk])
            probs = log_probs.clamp_(min=lowest).exp()  # π_v, 0 where z_v = −∞
            # ∂H/∂z_v = −π_v (log π_v + H), 0 where π_v = 0 (log π_v finite after the clamp)
            log_probs.add_(entropy[:, chunk, None]).mul_(probs).mul_(-grad_out[:, chunk, None])
        return grad, None


def _as_batch_of_sequences(logits: torch.Tensor) -> torch.Tensor:
    """(N, V) → (1, N, V); (B, T, V) unchanged."""
    if logits.dim() == 2:
        return logits.unsqueeze(0)
    if logits.dim() != 3:
        raise ValueError(f"logits must be (B, T, V) or (N, V), got {tuple(logits.shape)}")
    return logits


def token_logprobs(
    logits: torch.Tensor,
    labels: torch.Tensor,
    *,
    ignore_index: int | None = -100,
    chunk_tokens: int = DEFAULT_CHUNK_TOKENS,
) -> torch.Tensor:
    r"""Log-probability of each label token under the softmax of its logits row.

    With $z \in \mathbb{R}^V$ the logits row of position $t$ (state $s_t$) and $a_t$ its label:

    $$
    \log \pi_\theta(a_t \mid s_t) = z_{a_t} - \log \sum_{v=1}^{V} \exp(z_v)
    $$

    Computed chunk by chunk along the sequence as gather − logsumexp, which is exact (it *is*
    `log_softmax` followed by `gather`) but allocates at most one `(≈chunk_tokens, V)`
    temporary instead of a full `(B, T, V)` log-softmax tensor; the backward pass is chunked
    too, so it allocates only the gradient. TRL (`selective_log_softmax`) and verl
    (`logprobs_from_logits_v2`) loop over rows for the same reason.

    No label shift happens here: `logits[b, t]` scores `labels[b, t]`. For a causal LM forward
    use `sequence_logprobs`, which shifts the labels (never the logits, which would copy them).

    Source: TRL 1.16 `selective_log_softmax` (`trl/trainer/utils.py`); verl 0.9.1
    `logprobs_from_logits_v2` (`verl/utils/torch_functional.py`).

    Note: [[AI/LLM/RL/Fundamentals/RL & LLMs 入门]]

    Args:
        logits: Unnormalised scores, shape `(B, T, V)` or `(N, V)`; any strides (a slice such
            as `logits[:, :-1]` is not copied).
        labels: Token ids, shape `(B, T)` (or `(N,)`), integer dtype.
        ignore_index: Label value that marks a position with no target (HF uses -100); such
            positions get log-prob 0 and no gradient. `None` disables the check.
        chunk_tokens: Positions (over the whole batch) per chunk; bounds the temporary memory
            to about `chunk_tokens × V` elements.

    Returns:
        Log-probs, same shape as `labels`, dtype of `logits`. Differentiable once (no double
        backward).
    """
    batched = _as_batch_of_sequences(logits)
    batched_labels = labels.reshape(batched.shape[:-1])
    valid = batched_labels != ignore_index if ignore_index is not None else None
    safe_labels = batched_labels if valid is None else torch.where(valid, batched_labels, 0)
    logps = _ChunkedLogProb.apply(batched, safe_labels, chunk_tokens)
    if valid is not None:
        logps = torch.where(valid, logps, torch.zeros((), dtype=logps.dtype, device=logps.device))
    return logps.reshape(labels.shape)


def entropy_from_logits(
    logits: torch.Tensor, *, chunk_tokens: int = DEFAULT_CHUNK_TOKENS
) -> torch.Tensor:
    r"""Entropy of the next-token distribution at every position.

    With $z_v$ the logits of position $t$ and $p_v = \exp(z_v) / \sum_u \exp(z_u)$ their softmax:

    $$
    H_t = -\sum_{v=1}^{V} p_v \log p_v
    $$

    computed in the equivalent form (substitute $\log p_v = z_v - \log\sum_u \exp(z_u)$)

    $$
    H_t = \log \sum_{v=1}^{V} \exp(z_v) - \sum_{v=1}^{V} p_v z_v
    $$

    which avoids a full log-softmax tensor; forward and backward are evaluated chunk by
    chunk along the sequence. TRL logs this quantity as its `entropy` metric and verl's
    `entropy_from_logits` computes the same value.

    Source: verl 0.9.1 `entropy_from_logits` (`verl/utils/torch_functional.py`, the same
    logsumexp form); TRL 1.16 `entropy_from_logits` (`trl/trainer/utils.py`, chunked over rows).

    Note: [[AI/LLM/RL/Fundamentals/RL & LLMs 入门]]

    Args:
        logits: Unnormalised scores, shape `(B, T, V)` or `(N, V)`.
        chunk_tokens: Positions (over the whole batch) per chunk, at most; chunks are never
            wider than `CACHE_CHUNK_TOKENS`, the width that keeps them in cache.

    Returns:
        Entropy in nats, shape `logits.shape[:-1]`. Differentiable once (no double backward).
    """
    entropy = _ChunkedEntropy.apply(_as_batch_of_sequences(logits), chunk_tokens)
    return entropy.reshape(logits.shape[:-1])


def _shift_left(x: torch.Tensor, fill: int) -> torch.Tensor:
    """x[..., 1:] followed by `fill`: the target of position t is the token at t + 1."""
    return torch.cat([x[..., 1:], torch.full_like(x[..., :1], fill)], dim=-1)


def sequence_logprobs(
    logits: torch.Tensor,
    input_ids: torch.Tensor,
    completion_mask: torch.Tensor,
    *,
    average: bool = False,
    chunk_tokens: int = DEFAULT_CHUNK_TOKENS,
) -> torch.Tensor:
    r"""Summed (or averaged) log-prob of the completion tokens, from a causal LM forward.

    The scored tokens are $a_t$ = `input_ids[:, t]` for $t \ge 1$ (nothing predicts position
    0), $s_t$ the tokens before $a_t$ and $m_t$ its completion mask (1 on completion tokens, 0 on
    prompt tokens and pads):

    $$
    \log \pi_\theta(y \mid x) = \sum_{t=1}^{T} m_t \log \pi_\theta(a_t \mid s_t)
    $$

    Here $T$ is the number of scored positions, one less than the length of `input_ids`: a
    `transformers` causal LM returns `logits[:, t]` as the distribution of token `t + 1`, so
    the labels are the inputs shifted left by one. With `average=True` the sum is divided by
    the number of completion tokens $|y| = \sum_t m_t$ (the length-normalised log-prob of
    SimPO, ORPO and TRL's IPO). Prompt tokens and pads carry $m_t = 0$, so neither padding side
    changes the result.

    Source: TRL 1.16 `DPOTrainer._compute_loss` (`trl/trainer/dpo_trainer.py`): the shifted
    completion mask and the per-token log-probs summed over the sequence.

    Note: [[AI/LLM/RL/Fundamentals/RL & LLMs 入门]]

    Args:
        logits: Model output, shape `(B, T, V)`, aligned with `input_ids`.
        input_ids: Prompt + completion token ids, shape `(B, T)`.
        completion_mask: Shape `(B, T)`, aligned with `input_ids`: 1 on completion tokens,
            0 on prompt tokens and pads. Position 0 is never scored (nothing predicts it).
        average: Divide by the number of completion tokens (an empty completion gives 0).
        chunk_tokens: Positions per chunk in the log-prob computation.

    Returns:
        Shape `(B,)`: $\log \pi_\theta(y \mid x)$, or its per-token mean.
    """
    # label shift: logits at t predict ids at t + 1 (the last position predicts nothing)
    targets = _shift_left(input_ids, fill=-100)
    logps = token_logprobs(logits, targets, ignore_index=-100, chunk_tokens=chunk_tokens)
    mask = _shift_left(completion_mask, fill=0)
    return masked_mean(logps, mask, dim=-1) if average else masked_sum(logps, mask, dim=-1)


def perplexity(
    logits: torch.Tensor,
    labels: torch.Tensor,
    *,
    ignore_index: int = -100,
    shift: bool = False,
    chunk_tokens: int = DEFAULT_CHUNK_TOKENS,
) -> torch.Tensor:
    r"""Perplexity: exp of the mean token cross-entropy over the positions that have a label.

    With $\ell_i = -\log \pi_\theta(y_i \mid y_{<i})$ the cross-entropy of position $i$ and
    $m_i = \mathbb{1}[y_i \neq \text{ignore\_index}]$, the sums running over the $N$ positions
    of the whole batch:

    $$
    \mathrm{PPL} = \exp\left(\frac{\sum_{i=1}^{N} m_i \ell_i}{\sum_{i=1}^{N} m_i}\right)
    $$

    Equals `torch.exp(torch.nn.CrossEntropyLoss(ignore_index=-100)(logits.view(-1, V),
    labels.view(-1)))`: the mean is over *all* labelled tokens of the batch (token-weighted), not
    a mean of per-sequence perplexities. With no labelled token at all the result is `nan`,
    as with `CrossEntropyLoss`.

    Source: PyTorch `torch.nn.CrossEntropyLoss` (mean over the targets that are not
    `ignore_index`), the loss `transformers` causal LMs return for `labels=...`.

    Note: [[AI/LLM/RL/Fundamentals/PPL 计算 交叉熵损失与 ignore_index]]

    Args:
        logits: Shape `(B, T, V)`.
        labels: Shape `(B, T)`; `ignore_index` marks positions without a target (prompt, pads).
        ignore_index: The "no target" label value; -100 is the `transformers` convention.
        shift: `True` for HF-style labels (a copy of `input_ids`): score `labels[:, 1:]` with
            `logits[:, :-1]`, exactly what `AutoModelForCausalLM(..., labels=...)` does.
        chunk_tokens: Positions per chunk.

    Returns:
        Scalar perplexity.
    """
    if shift:
        labels = _shift_left(labels, fill=ignore_index)
    logps = token_logprobs(logits, labels, ignore_index=ignore_index, chunk_tokens=chunk_tokens)
    valid = labels != ignore_index
    # CE = −(1/N) Σ_t log π(y_t);  PPL = exp(CE)
    cross_entropy = -masked_sum(logps, valid) / valid.sum().to(logps.dtype)
    return torch.exp(cross_entropy)

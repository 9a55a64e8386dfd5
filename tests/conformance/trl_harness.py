"""TRL 1.16's loss code and the rlref call of one `TRL_MAP` row, as two separate closures.

`build_case(row, …)` draws one random padded batch of any size and dtype and returns a `Case`:
`trl()` runs TRL's own trainer method (`DPOTrainer._compute_loss`, `KTOTrainer._compute_loss`,
`ORPOTrainer.get_batch_loss_metrics`, `GRPOTrainer._compute_loss`, `RLOOTrainer._compute_loss`)
unbound on a stub `self`, `rlref()` the rlref call of the row; both start from the same leaf
tensor, so each closure is one forward pass that a backward can follow. The stubs are built as in
`test_trl_conformance.py`; the benchmark `benchmarks/bench_trl_speed.py` times the two closures
apart, which the conformance test's one-function harnesses cannot do.

Every stub carries the TRL config's defaults, overridden by the row's `config`, both as
attributes and as `args`, so a new row that only changes config values needs no change here.
TRL is imported inside the functions: importing this module does not need it.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import torch

from rlref.algos.lm import masked_sum, token_logprobs
from rlref.algos.preference import kto_reference_point
from rlref.algos.trl_map import TRLMapping

__all__ = ["SUPPORTED", "Case", "Sizes", "build_case", "config_class", "rlref_fn", "trl_class"]

PROMPT = 3
"""Prompt tokens at the start of the preference rows (they are not scored)."""


@dataclass(frozen=True)
class Sizes:
    """Batch shape: `rows` sequences of `steps` positions (`vocab` only for logits rows)."""

    rows: int
    steps: int
    vocab: int = 16


@dataclass(frozen=True)
class Case:
    """One row's TRL loss and rlref loss as closures of the same leaf tensor."""

    trl: Callable[[], torch.Tensor]
    rlref: Callable[[], torch.Tensor]
    leaf: torch.Tensor


class _Accelerator:
    """The few `accelerate.Accelerator` members the loss methods touch, for one process."""

    device = torch.device("cpu")
    num_processes = 1
    sync_gradients = True

    def gather(self, x: torch.Tensor) -> torch.Tensor:
        return x

    gather_for_metrics = gather

    def reduce(self, x: torch.Tensor, reduction: str = "sum") -> torch.Tensor:
        return x


class _KeepFloat64(torch.Tensor):
    """A tensor whose `.float()` keeps a float64 tensor float64 (TRL's float32 casts)."""

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):  # type: ignore[override]
        if func is torch.Tensor.float and args[0].dtype == torch.float64:
            return args[0]
        return super().__torch_function__(func, types, args, kwargs or {})


def trl_class(trainer: str, suffix: str) -> type:
    """`trl.<trainer><suffix>`, or from `trl.experimental.<trainer>` (ORPO, CPO)."""
    name = f"{trainer}{suffix}"
    stable = importlib.import_module("trl")
    if hasattr(stable, name):
        return getattr(stable, name)
    return getattr(importlib.import_module(f"trl.experimental.{trainer.lower()}"), name)


def config_class(trainer: str) -> type:
    """TRL's config dataclass of a trainer name of `TRL_MAP`."""
    return trl_class(trainer, "Config")


def rlref_fn(row: TRLMapping) -> Callable[..., Any]:
    """The rlref function a row names (`"module:function"`)."""
    module, name = row.impl.split(":")
    return getattr(importlib.import_module(module), name)


def _config_values(row: TRLMapping) -> dict[str, Any]:
    """The config's defaults (without building the `TrainingArguments`), then the row's."""
    values: dict[str, Any] = {}
    for spec in dataclasses.fields(config_class(row.trainer)):
        if spec.default is not dataclasses.MISSING:
            values[spec.name] = spec.default
        elif spec.default_factory is not dataclasses.MISSING:
            values[spec.name] = spec.default_factory()
    return {**values, **row.config}


def _stub(row: TRLMapping, **attrs: Any) -> SimpleNamespace:
    config = _config_values(row)
    base = {
        **config,
        "args": SimpleNamespace(**config),
        "accelerator": _Accelerator(),
        "model": SimpleNamespace(training=True),
        "_metrics": defaultdict(lambda: defaultdict(list)),
        "aux_loss_enabled": False,
        "_total_train_tokens": 0,
        "_tp_size": 1,
    }
    return SimpleNamespace(**{**base, **attrs})


def _scalar(out: Any) -> torch.Tensor:
    return out if isinstance(out, torch.Tensor) else out.loss


def _padded_mask(gen: torch.Generator, rows: int, steps: int, prompt: int) -> torch.Tensor:
    """Prompt zeros, then 2..steps−prompt completion ones, then pad zeros (right padding)."""
    lengths = torch.randint(2, steps - prompt + 1, (rows,), generator=gen)
    pos = torch.arange(steps)
    return ((pos >= prompt) & (pos < prompt + lengths.unsqueeze(-1))).long()


def _logps(gen: torch.Generator, dtype: torch.dtype, *shape: int) -> torch.Tensor:
    return -torch.rand(*shape, generator=gen, dtype=dtype) * 2.0 - 0.05


# --- one builder per trainer ---------------------------------------------------------------------


def _pairwise(row: TRLMapping, size: Sizes, dtype: torch.dtype, gen: torch.Generator) -> Case:
    from trl import DPOTrainer

    cfg = row.config
    pairs, steps = size.rows // 2, size.steps
    mask = _padded_mask(gen, 2 * pairs, steps, PROMPT)  # rows: [chosen; rejected]
    shift = mask[:, 1:]
    leaf = _logps(gen, dtype, 2 * pairs, steps - 1).requires_grad_()
    ref = _logps(gen, dtype, 2 * pairs) * 3
    inputs = {
        "input_ids": torch.zeros(2 * pairs, steps, dtype=torch.long),
        "attention_mask": mask,
        "completion_mask": mask,
        "ref_chosen_logps": ref[:pairs],
        "ref_rejected_logps": ref[pairs:],
    }
    stub = _stub(
        row,
        ld_alpha=cfg.get("ld_alpha"),
        precompute_ref_logps=True,
        f_divergence_type=cfg.get("f_divergence_type", "reverse_kl"),
        loss_types=[cfg["loss_type"]],
        loss_weights=[1.0],
        beta=cfg["beta"],
        label_smoothing=cfg.get("label_smoothing", 0.0),
        use_weighting=cfg.get("use_weighting", False),
    )

    def model(**_: Any) -> SimpleNamespace:
        # what TRL's fused LM head would return: per-token log-probs, 0 outside the completion
        zeros = torch.zeros_like(leaf)
        return SimpleNamespace(
            log_probs=leaf * shift,
            entropy=zeros,
            mean_logits=zeros,
            is_top1=torch.zeros_like(shift, dtype=torch.bool),
        )

    lengths = mask.sum(-1).to(dtype)
    targets = torch.cat(
        [torch.full((pairs,), 0.5, dtype=dtype), torch.full((pairs,), -0.5, dtype=dtype)]
    )

    def rlref() -> torch.Tensor:
        seq, ref_seq = masked_sum(leaf, shift, dim=-1), ref
        if row.inputs == "pair-mean":
            seq, ref_seq = seq / lengths, ref / lengths
        if row.inputs == "sppo-pair":
            args: tuple[torch.Tensor, ...] = (seq, ref_seq, targets)
        else:
            args = (seq[:pairs], seq[pairs:], ref_seq[:pairs], ref_seq[pairs:])
        return _scalar(rlref_fn(row)(*args, **row.kwargs))

    return Case(lambda: DPOTrainer._compute_loss(stub, model, inputs, False), rlref, leaf)


def _unpaired(row: TRLMapping, size: Sizes, dtype: torch.dtype, gen: torch.Generator) -> Case:
    from trl import KTOTrainer

    cfg = row.config
    rows, steps = size.rows, size.steps
    mask = _padded_mask(gen, rows, steps, PROMPT)
    kl_mask = _padded_mask(gen, rows, steps, PROMPT)
    leaf = _logps(gen, dtype, rows, steps - 1).requires_grad_()
    kl_tokens = _logps(gen, dtype, rows, steps - 1) * 0.5
    ref, ref_kl = _logps(gen, dtype, rows) * 3, _logps(gen, dtype, rows) * 3
    label = torch.arange(rows) % 3 != 1  # both kinds, unequal counts
    input_ids = torch.zeros(rows, steps, dtype=torch.long)
    kl_input_ids = torch.ones(rows, steps, dtype=torch.long)

    def model(**kw: Any) -> SimpleNamespace:
        is_kl = kw["input_ids"] is kl_input_ids
        tokens = kl_tokens * kl_mask[:, 1:] if is_kl else leaf * mask[:, 1:]
        zeros = torch.zeros_like(leaf)
        return SimpleNamespace(log_probs=tokens, entropy=zeros, mean_logits=zeros)

    inputs = {
        "input_ids": input_ids,
        "attention_mask": mask,
        "completion_mask": mask,
        "KL_input_ids": kl_input_ids,
        "KL_attention_mask": kl_mask,
        "KL_completion_mask": kl_mask,
        "label": label,
        "ref_logps": ref,
        "ref_KL_logps": ref_kl,
    }
    stub = _stub(
        row, calculate_KL=cfg["loss_type"] != "apo_zero_unpaired", precompute_ref_logps=True
    )
    stub._compute_kl_logps = lambda m, b: KTOTrainer._compute_kl_logps(stub, m, b)
    kwargs = dict(row.kwargs)
    if row.extra.get("reference_point") == "kto_reference_point":
        # z0 is a constant of the batch (no gradient), computed once as TRL does per step
        kwargs["reference_point"] = kto_reference_point(
            masked_sum(kl_tokens, kl_mask[:, 1:], -1), ref_kl
        )

    def rlref() -> torch.Tensor:
        seq = masked_sum(leaf, mask[:, 1:], dim=-1)
        return _scalar(rlref_fn(row)(seq, ref, label, **kwargs))

    return Case(lambda: KTOTrainer._compute_loss(stub, model, inputs, False), rlref, leaf)


def _orpo(row: TRLMapping, size: Sizes, dtype: torch.dtype, gen: torch.Generator) -> Case:
    from trl.experimental.orpo import ORPOTrainer

    pairs, steps, vocab = size.rows // 2, size.steps, size.vocab
    attention = _padded_mask(gen, 2 * pairs, steps, PROMPT)
    attention[:, :PROMPT] = 1  # prompt tokens are attended; completion as in the mask; then pads
    completion = attention.clone()
    completion[:, :PROMPT] = 0
    ids = torch.randint(0, vocab, (2 * pairs, steps), generator=gen)
    labels = ids.masked_fill(completion == 0, -100)
    leaf = torch.randn(2 * pairs, steps, vocab, generator=gen, dtype=dtype).requires_grad_()
    batch = {}
    for side, part in (("chosen", slice(0, pairs)), ("rejected", slice(pairs, None))):
        batch[f"{side}_input_ids"] = ids[part]
        batch[f"{side}_attention_mask"] = attention[part]
        batch[f"{side}_labels"] = labels[part]
    stub = _stub(row, is_encoder_decoder=False, padding_value=0, beta=row.config["beta"])
    for name in ("concatenated_inputs", "get_batch_logps"):
        setattr(stub, name, getattr(ORPOTrainer, name))
    for name in ("odds_ratio_loss", "concatenated_forward"):
        method = getattr(ORPOTrainer, name)
        setattr(stub, name, lambda *a, _m=method, **k: _m(stub, *a, **k))
    # TRL casts the odds-ratio inputs to float32 (`.float()`); in float64 that cast is neutralised
    logits = leaf.as_subclass(_KeepFloat64) if dtype == torch.float64 else leaf

    def trl() -> torch.Tensor:
        loss, _ = ORPOTrainer.get_batch_loss_metrics(
            stub, lambda *a, **k: SimpleNamespace(logits=logits), batch
        )
        return torch.as_tensor(loss).as_subclass(torch.Tensor)

    completion_mask = completion[:, 1:]
    completion_lengths = completion_mask.sum(-1).to(dtype)

    def rlref() -> torch.Tensor:
        tokens = token_logprobs(leaf[:, :-1], ids[:, 1:])
        avg = masked_sum(tokens, completion_mask, -1) / completion_lengths
        return rlref_fn(row)(
            avg[:pairs],
            avg[pairs:],
            **row.kwargs,
            nll_token_logps=tokens[:pairs],
            nll_mask=attention[:pairs, 1:],
        ).loss

    return Case(trl, rlref, leaf)


def _policy(row: TRLMapping, size: Sizes, dtype: torch.dtype, gen: torch.Generator) -> Case:
    from trl import GRPOTrainer, RLOOTrainer

    cfg = row.config
    rows, steps = size.rows, size.steps
    mask = _padded_mask(gen, rows, steps, prompt=0)
    leaf = _logps(gen, dtype, rows, steps).requires_grad_()
    # old and reference log-probs near the current ones, so some ratios leave the clip range
    old = leaf.detach() + 0.3 * torch.randn(rows, steps, generator=gen, dtype=dtype)
    ref = leaf.detach() + 0.3 * torch.randn(rows, steps, generator=gen, dtype=dtype)
    advantages = torch.randn(rows, generator=gen, dtype=dtype)
    eps = cfg.get("epsilon", 0.2)
    common = {
        "_get_per_token_logps_and_entropies": lambda *a, **k: (leaf, torch.zeros_like(leaf), None),
        "epsilon_low": eps,
        "epsilon_high": cfg.get("epsilon_high") or eps,
    }
    prompt = {
        "prompt_ids": torch.zeros(rows, 1, dtype=torch.long),
        "prompt_mask": torch.ones(rows, 1, dtype=torch.long),
        "completion_ids": torch.zeros(rows, steps, dtype=torch.long),
        "completion_mask": mask,
    }
    fn = rlref_fn(row)
    if row.trainer == "RLOO":
        old_seq = masked_sum(old, mask, -1)
        inputs = {**prompt, "old_logps": old_seq, "advantages": advantages}
        ones = torch.ones(rows, 1, dtype=torch.long)
        stub = _stub(row, **common)

        def rlref_rloo() -> torch.Tensor:
            seq = masked_sum(leaf, mask, -1).unsqueeze(-1)
            return _scalar(fn(seq, old_seq.unsqueeze(-1), advantages, ones, **row.kwargs))

        return Case(lambda: RLOOTrainer._compute_loss(stub, None, inputs), rlref_rloo, leaf)
    stub = _stub(
        row,
        **common,
        top_entropy_quantile=cfg.get("top_entropy_quantile", 1.0),
        off_policy_mask_threshold=cfg.get("off_policy_mask_threshold"),
        importance_sampling_level=cfg.get("importance_sampling_level", "token"),
        use_vllm=False,
        vllm_importance_sampling_correction=False,
        current_gradient_accumulation_steps=1,
        max_completion_length=cfg.get("max_completion_length", steps),
        _entropy_bonus_enabled=False,
    )
    stub.args.steps_per_generation = 1
    inputs = {
        **prompt,
        "advantages": advantages,
        "old_per_token_logps": old,
        "ref_per_token_logps": ref,
        "num_items_in_batch": mask.sum(),
    }
    args = (old, ref, advantages, mask) if row.inputs == "token-ref" else (old, advantages, mask)
    return Case(
        lambda: GRPOTrainer._compute_loss(stub, None, inputs),
        lambda: _scalar(fn(leaf, *args, **row.kwargs)),
        leaf,
    )


SUPPORTED: dict[str, set[str]] = {
    "DPO": {"pair-sum", "pair-mean", "sppo-pair"},
    "KTO": {"unpaired"},
    "ORPO": {"orpo"},
    "GRPO": {"token-ref", "token"},
    "RLOO": {"sequence"},
}
"""The (trainer, inputs) kinds `build_case` drives; others go through the conformance test."""

BUILDERS: dict[str, Callable[[TRLMapping, Sizes, torch.dtype, torch.Generator], Case]] = {
    "DPO": _pairwise,
    "KTO": _unpaired,
    "ORPO": _orpo,
    "GRPO": _policy,
    "RLOO": _policy,
}


def build_case(
    row: TRLMapping, size: Sizes, dtype: torch.dtype = torch.float32, seed: int = 0
) -> Case:
    """The TRL and rlref closures of `row` on one random batch of `size` (see the module doc).

    Raises `NotImplementedError` for a row whose kind is not in `SUPPORTED`.
    """
    if row.inputs not in SUPPORTED.get(row.trainer, set()):
        raise NotImplementedError(f"{row.key}: inputs {row.inputs!r} of {row.trainer}")
    return BUILDERS[row.trainer](row, size, dtype, torch.Generator().manual_seed(seed))

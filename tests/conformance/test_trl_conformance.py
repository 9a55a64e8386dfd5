"""TRL 1.16's own trainer code against rlref, one test per row of `rlref.algos.trl_map.TRL_MAP`.

Each trainer's loss method (`DPOTrainer._compute_loss`, `KTOTrainer._compute_loss`,
`ORPOTrainer.get_batch_loss_metrics`, `CPOTrainer.get_batch_loss_metrics`,
`GRPOTrainer._compute_loss`, `RLOOTrainer._compute_loss`)
runs unbound on a stub `self` (the attributes its `__init__` would set from the config row) and
a stub model that returns the random float64 log-probs (or logits, for ORPO) of a padded batch.
The same leaf tensor feeds the rlref call; loss and gradient must agree to a relative
difference of 1e-10. Run with `make conformance` (installs the `conformance` extra: TRL).

TRL is imported inside the functions, so `make test` (which deselects the `conformance`
marker) collects this file without TRL installed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
from collections import defaultdict
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
import torch

from rlref.algos.advantages import rloo_advantages
from rlref.algos.dpo_modifiers import ld_sequence_logps, wpo_weights
from rlref.algos.grpo_options import adaptive_entropy_coef, high_entropy_mask
from rlref.algos.lm import masked_sum, token_logprobs
from rlref.algos.policy_loss import grpo_loss, ppo_clip_loss
from rlref.algos.preference import kto_reference_point
from rlref.algos.trl_map import TRL_MAP, TRL_VERSION, TRLMapping

pytestmark = pytest.mark.conformance

F64 = torch.float64
TOL = 1e-10
SEEDS = (0, 1, 2)
PAIRS, ROWS, T, VOCAB = 4, 8, 12, 16


class _Accelerator:
    """The few `accelerate.Accelerator` members the loss methods touch, for one process."""

    device = torch.device("cpu")
    num_processes = 1
    process_index = 0
    sync_gradients = True

    def gather(self, x: torch.Tensor) -> torch.Tensor:
        return x

    gather_for_metrics = gather

    def reduce(self, x: torch.Tensor, reduction: str = "sum") -> torch.Tensor:
        return x

    def pad_across_processes(
        self, x: torch.Tensor, dim: int = 0, pad_index: int = 0
    ) -> torch.Tensor:
        return x


class _KeepFloat64(torch.Tensor):
    """A tensor whose `.float()` keeps a float64 tensor float64 (TRL's float32 casts)."""

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):  # type: ignore[override]
        if func is torch.Tensor.float and args[0].dtype == torch.float64:
            return args[0]
        return super().__torch_function__(func, types, args, kwargs or {})


def _stub(**attrs: Any) -> SimpleNamespace:
    base = {
        "accelerator": _Accelerator(),
        "model": SimpleNamespace(training=True),
        "_metrics": defaultdict(lambda: defaultdict(list)),
        "aux_loss_enabled": False,
        "_total_train_tokens": 0,
        "_tp_size": 1,
    }
    return SimpleNamespace(**{**base, **attrs})


def _padded_mask(gen: torch.Generator, rows: int, prompt: int = 3) -> torch.Tensor:
    """Prompt zeros, then 2..T−prompt completion ones, then pad zeros (right padding)."""
    lengths = torch.randint(2, T - prompt + 1, (rows,), generator=gen)
    pos = torch.arange(T)
    return ((pos >= prompt) & (pos < prompt + lengths.unsqueeze(-1))).long()


def _logps(gen: torch.Generator, *shape: int) -> torch.Tensor:
    return -torch.rand(*shape, generator=gen, dtype=F64) * 2.0 - 0.05


def _config_class(trainer: str) -> type:
    if trainer in ("ORPO", "CPO"):
        module = importlib.import_module(f"trl.experimental.{trainer.lower()}")
        return getattr(module, f"{trainer}Config")
    return getattr(importlib.import_module("trl"), f"{trainer}Config")


def _rlref_fn(row: TRLMapping) -> Callable[..., Any]:
    module, name = row.impl.split(":")
    return getattr(importlib.import_module(module), name)


def _scalar(out: Any) -> torch.Tensor:
    return out if isinstance(out, torch.Tensor) else out.loss


# --- harnesses: (TRL loss, rlref loss, leaf) for one row and seed ------------------------------

Result = tuple[torch.Tensor, torch.Tensor, torch.Tensor]


@contextlib.contextmanager
def _default_dtype(dtype: torch.dtype) -> Iterator[None]:
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        yield
    finally:
        torch.set_default_dtype(previous)


class _ReportsFloat32(torch.Tensor):
    """A float64 tensor that TRL's dtype-keyed tables read as float32, and that keeps float64
    through `.float()` and `.to(float32)` (TRL 1.16's alpha-divergence branch looks its clamp
    bound up by dtype, with no float64 entry)."""

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):  # type: ignore[override]
        kwargs = kwargs or {}
        with torch._C.DisableTorchFunctionSubclass():
            real = args[0].dtype if args and isinstance(args[0], torch.Tensor) else None
        if real == torch.float64:
            if getattr(func, "__self__", None) is torch._C.TensorBase.dtype:
                return torch.float32
            if func is torch.Tensor.float or (
                func is torch.Tensor.to and args[1:] == (torch.float32,) and not kwargs
            ):
                return args[0]
        return super().__torch_function__(func, types, args, kwargs)


def _pairwise(row: TRLMapping, gen: torch.Generator) -> Result:
    from trl import DPOTrainer

    cfg = row.config
    mask = _padded_mask(gen, 2 * PAIRS)  # rows: [chosen; rejected]
    shift = mask[:, 1:]
    leaf = _logps(gen, 2 * PAIRS, T - 1).requires_grad_()
    ref_tokens = _logps(gen, 2 * PAIRS, T - 1) * shift
    log_sum_sq = _logps(gen, 2 * PAIRS, T - 1) * 0.5 - 0.5  # WPO's log Σ_v p², used if asked
    tokens = leaf * shift
    if row.extra.get("float32_dtype_tables"):
        tokens = tokens.as_subclass(_ReportsFloat32)
    outputs = SimpleNamespace(
        log_probs=tokens,
        entropy=torch.zeros_like(leaf),
        log_sum_sq_probs=log_sum_sq,
        mean_logits=torch.zeros_like(leaf),
        is_top1=torch.zeros_like(shift, dtype=torch.bool),
    )
    inputs = {
        "input_ids": torch.zeros(2 * PAIRS, T, dtype=torch.long),
        "attention_mask": mask,
        "completion_mask": mask,
    }
    loss_types = cfg["loss_type"] if isinstance(cfg["loss_type"], list) else [cfg["loss_type"]]
    stub = _stub(
        ld_alpha=cfg.get("ld_alpha"),
        precompute_ref_logps=False,
        ref_model=lambda **_: SimpleNamespace(log_probs=ref_tokens),
        model=SimpleNamespace(training=True, is_gradient_checkpointing=False),
        f_divergence_type=cfg.get("f_divergence_type", "reverse_kl"),
        f_alpha_divergence_coef=cfg.get("f_alpha_divergence_coef", 0.5),
        loss_types=loss_types,
        loss_weights=cfg.get("loss_weights", [1.0] * len(loss_types)),
        beta=cfg["beta"],
        label_smoothing=cfg.get("label_smoothing", 0.0),
        use_weighting=cfg.get("use_weighting", False),
        args=SimpleNamespace(
            discopop_tau=cfg.get("discopop_tau", 0.05), gradient_checkpointing_kwargs=None
        ),
    )
    # exo_pair builds ε with torch.tensor(label_smoothing): a default-dtype (float32) constant
    default = F64 if row.extra.get("float64_constants") else torch.get_default_dtype()
    with _default_dtype(default):
        trl_loss = DPOTrainer._compute_loss(stub, lambda **_: outputs, inputs, False)
    trl_loss = trl_loss.as_subclass(torch.Tensor)

    seq, ref = masked_sum(leaf, shift, dim=-1), masked_sum(ref_tokens, shift, dim=-1)
    if row.inputs == "pair-mean":
        lengths = mask.sum(-1).to(F64)
        seq, ref = seq / lengths, ref / lengths
    kwargs = dict(row.kwargs)
    if row.inputs == "sppo-pair":
        targets = torch.cat(
            [torch.full((PAIRS,), 0.5, dtype=F64), torch.full((PAIRS,), -0.5, dtype=F64)]
        )
        args: tuple[torch.Tensor, ...] = (seq, ref, targets)
    elif row.inputs == "chosen-tokens":
        args = (leaf[:PAIRS], shift[:PAIRS])
    elif row.inputs == "pair-ld":
        alpha, sides = row.extra["ld_alpha"], (shift[:PAIRS], shift[PAIRS:])
        policy = ld_sequence_logps(leaf[:PAIRS], leaf[PAIRS:], *sides, alpha)
        reference = ld_sequence_logps(ref_tokens[:PAIRS], ref_tokens[PAIRS:], *sides, alpha)
        args = (*policy, *reference)
    else:
        args = (seq[:PAIRS], seq[PAIRS:], ref[:PAIRS], ref[PAIRS:])
    if row.inputs == "pair-wpo":
        weights = wpo_weights(leaf, log_sum_sq, shift)
        kwargs |= {"chosen_weights": weights[:PAIRS], "rejected_weights": weights[PAIRS:]}
    return trl_loss, _scalar(_rlref_fn(row)(*args, **kwargs)), leaf


def _unpaired(row: TRLMapping, gen: torch.Generator) -> Result:
    from trl import KTOTrainer

    cfg = row.config
    calculate_kl = cfg["loss_type"] != "apo_zero_unpaired"
    mask, kl_mask = _padded_mask(gen, ROWS), _padded_mask(gen, ROWS)
    leaf = _logps(gen, ROWS, T - 1).requires_grad_()
    kl_tokens = _logps(gen, ROWS, T - 1) * 0.5
    ref, ref_kl = _logps(gen, ROWS) * 3, _logps(gen, ROWS) * 3
    label = torch.tensor([True, False, True, True, False, False, True, False])
    input_ids = torch.zeros(ROWS, T, dtype=torch.long)
    kl_input_ids = torch.ones(ROWS, T, dtype=torch.long)

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
        calculate_KL=calculate_kl,
        precompute_ref_logps=True,
        loss_type=cfg["loss_type"],
        beta=cfg["beta"],
        desirable_weight=cfg["desirable_weight"],
        undesirable_weight=cfg["undesirable_weight"],
        args=SimpleNamespace(),
    )
    stub._compute_kl_logps = lambda m, b: KTOTrainer._compute_kl_logps(stub, m, b)
    trl_loss = KTOTrainer._compute_loss(stub, model, inputs, False)

    seq = masked_sum(leaf, mask[:, 1:], dim=-1)
    kwargs = dict(row.kwargs)
    if row.extra.get("reference_point") == "kto_reference_point":
        kwargs["reference_point"] = kto_reference_point(
            masked_sum(kl_tokens, kl_mask[:, 1:], -1), ref_kl
        )
    out = _rlref_fn(row)(seq, ref, label, **kwargs)
    return trl_loss, out.loss, leaf


def _orpo(row: TRLMapping, gen: torch.Generator) -> Result:
    from trl.experimental.orpo import ORPOTrainer

    attention = torch.cat([_padded_mask(gen, 2 * PAIRS)], dim=0)
    attention[:, :3] = 1  # prompt tokens are attended; completion as in the mask; then pads
    completion = attention.clone()
    completion[:, :3] = 0
    ids = torch.randint(0, VOCAB, (2 * PAIRS, T), generator=gen)
    labels = ids.masked_fill(completion == 0, -100)
    leaf = torch.randn(2 * PAIRS, T, VOCAB, generator=gen, dtype=F64).requires_grad_()
    batch = {}
    for side, rows in (("chosen", slice(0, PAIRS)), ("rejected", slice(PAIRS, None))):
        batch[f"{side}_input_ids"] = ids[rows]
        batch[f"{side}_attention_mask"] = attention[rows]
        batch[f"{side}_labels"] = labels[rows]
    stub = _stub(is_encoder_decoder=False, padding_value=0, beta=row.config["beta"])
    for name in ("concatenated_inputs", "get_batch_logps"):
        setattr(stub, name, getattr(ORPOTrainer, name))
    for name in ("odds_ratio_loss", "concatenated_forward"):
        method = getattr(ORPOTrainer, name)
        setattr(stub, name, lambda *a, _m=method, **k: _m(stub, *a, **k))
    # TRL casts the odds-ratio inputs to float32 (`.float()`); that one cast is neutralised
    logits = leaf.as_subclass(_KeepFloat64)
    trl_loss, _ = ORPOTrainer.get_batch_loss_metrics(
        stub, lambda *a, **k: SimpleNamespace(logits=logits), batch
    )

    tokens = token_logprobs(leaf[:, :-1], ids[:, 1:])
    completion_mask = completion[:, 1:]
    avg = masked_sum(tokens, completion_mask, -1) / completion_mask.sum(-1).to(F64)
    out = _rlref_fn(row)(
        avg[:PAIRS],
        avg[PAIRS:],
        **row.kwargs,
        nll_token_logps=tokens[:PAIRS],
        nll_mask=attention[:PAIRS, 1:],
    )
    return torch.as_tensor(trl_loss).as_subclass(torch.Tensor), out.loss, leaf


def _cpo(row: TRLMapping, gen: torch.Generator) -> Result:
    from trl.experimental.cpo import CPOTrainer

    cfg = row.config
    attention = _padded_mask(gen, 2 * PAIRS)
    attention[:, :3] = 1  # prompt tokens are attended; completion as in the mask; then pads
    completion = attention.clone()
    completion[:, :3] = 0
    ids = torch.randint(0, VOCAB, (2 * PAIRS, T), generator=gen)
    labels = ids.masked_fill(completion == 0, -100)  # TRL's labels: completion tokens only
    leaf = torch.randn(2 * PAIRS, T, VOCAB, generator=gen, dtype=F64).requires_grad_()
    batch = {}
    for side, rows in (("chosen", slice(0, PAIRS)), ("rejected", slice(PAIRS, None))):
        batch[f"{side}_input_ids"] = ids[rows]
        batch[f"{side}_attention_mask"] = attention[rows]
        batch[f"{side}_labels"] = labels[rows]
    stub = _stub(
        is_encoder_decoder=False,
        pad_token_id=0,
        beta=cfg.get("beta", 0.1),
        label_smoothing=cfg.get("label_smoothing", 0.0),
        loss_type=cfg.get("loss_type", "sigmoid"),
        cpo_alpha=cfg.get("cpo_alpha", 1.0),
        simpo_gamma=cfg.get("simpo_gamma", 0.5),
        alpha=cfg.get("alpha", 0.0),
    )
    for name in ("concatenated_inputs", "get_batch_logps"):
        setattr(stub, name, getattr(CPOTrainer, name))
    for name in ("cpo_loss", "concatenated_forward"):
        method = getattr(CPOTrainer, name)
        setattr(stub, name, lambda *a, _m=method, **k: _m(stub, *a, **k))
    trl_loss, _ = CPOTrainer.get_batch_loss_metrics(
        stub, lambda *a, **k: SimpleNamespace(logits=leaf), batch
    )

    tokens = token_logprobs(leaf[:, :-1], ids[:, 1:])
    completion_mask = completion[:, 1:]
    seq = masked_sum(tokens, completion_mask, -1)
    if row.inputs == "cpo-mean":
        seq = seq / completion_mask.sum(-1).to(F64)
    out = _rlref_fn(row)(
        seq[:PAIRS],
        seq[PAIRS:],
        **row.kwargs,
        nll_token_logps=tokens[:PAIRS],
        nll_mask=completion_mask[:PAIRS],
    )
    return trl_loss, out.loss, leaf


def _policy(row: TRLMapping, gen: torch.Generator) -> Result:
    from trl import GRPOTrainer, RLOOTrainer

    cfg = row.config
    mask = _padded_mask(gen, ROWS, prompt=0)
    leaf = _logps(gen, ROWS, T).requires_grad_()
    # old and reference log-probs near the current ones, so some ratios leave the clip range
    old = leaf.detach() + 0.3 * torch.randn(ROWS, T, generator=gen, dtype=F64)
    ref = leaf.detach() + 0.3 * torch.randn(ROWS, T, generator=gen, dtype=F64)
    advantages = torch.randn(ROWS, generator=gen, dtype=F64)
    # TRL takes the entropy quantile of `.float()` values: kept float64 here
    entropies = (3 * torch.rand(ROWS, T, generator=gen, dtype=F64)).as_subclass(_KeepFloat64)
    if row.inputs == "token-ref-adaptive-entropy":
        # entropies that depend on the policy, so the bonus has a gradient
        entropies = (0.5 - 0.3 * leaf).as_subclass(_KeepFloat64)
    eps = cfg.get("epsilon", 0.2)
    common = {
        "_get_per_token_logps_and_entropies": lambda *a, **k: (leaf, entropies, None),
        "epsilon_low": eps,
        "epsilon_high": cfg.get("epsilon_high") or eps,
    }
    prompt = {
        "prompt_ids": torch.zeros(ROWS, 1, dtype=torch.long),
        "prompt_mask": torch.ones(ROWS, 1, dtype=torch.long),
        "completion_ids": torch.zeros(ROWS, T, dtype=torch.long),
        "completion_mask": mask,
    }
    if row.trainer == "RLOO":
        old_seq = masked_sum(old, mask, -1)
        inputs = {**prompt, "old_logps": old_seq, "advantages": advantages}
        trl_loss = RLOOTrainer._compute_loss(_stub(**common), None, inputs)
        seq = masked_sum(leaf, mask, -1).unsqueeze(-1)
        out = _rlref_fn(row)(
            seq,
            old_seq.unsqueeze(-1),
            advantages,
            torch.ones(ROWS, 1, dtype=torch.long),
            **row.kwargs,
        )
        return trl_loss, out.loss, leaf
    stub = _grpo_stub(cfg, common, row.kwargs.get("last_entropy", float("inf")))
    inputs = {
        **prompt,
        "advantages": advantages,
        "old_per_token_logps": old,
        "ref_per_token_logps": ref,
        "num_items_in_batch": mask.sum(),
    }
    if row.inputs == "token-rollout":
        # the sampler's token ratios as TRL's token_truncate mode leaves them: clipped, 1 on pads
        drift = torch.exp(0.3 * torch.randn(ROWS, T, generator=gen, dtype=F64)).clamp(0.5, 2.0)
        inputs["importance_sampling_ratio"] = torch.where(mask.bool(), drift, 1.0)
    trl_loss = GRPOTrainer._compute_loss(stub, None, inputs).as_subclass(torch.Tensor)
    if row.inputs == "token-ref":
        args: tuple[torch.Tensor, ...] = (leaf, old, ref, advantages, mask)
    elif row.inputs == "token-ref-adaptive-entropy":
        plain = entropies.as_subclass(torch.Tensor)
        policy = grpo_loss(leaf, old, ref, advantages, mask, **row.extra["policy_kwargs"]).loss
        bonus = _rlref_fn(row)(plain, mask, **row.kwargs)
        # the controller's next coefficient, from this step's token-mean entropy
        world = (masked_sum(plain, mask) / mask.sum()).item()
        expected = adaptive_entropy_coef(
            row.kwargs["coef"],
            world,
            row.kwargs["target"],
            cfg["entropy_coef_delta"],
            cfg["entropy_coef_min"],
            cfg["entropy_coef_max"],
        )
        assert stub.entropy_coef == pytest.approx(expected, rel=1e-12, abs=0.0), "controller"
        return trl_loss, policy + bonus, leaf
    elif row.inputs == "token-rollout":
        args = (leaf, old, advantages, mask, inputs["importance_sampling_ratio"])
    elif row.inputs == "token-ref-entropy":
        quantile = row.extra["top_entropy_quantile"]
        kept = high_entropy_mask(entropies.as_subclass(torch.Tensor), mask, quantile)
        args = (leaf, old, ref, advantages[:, None] * kept, mask)
    else:
        args = (leaf, old, advantages, mask)
    return trl_loss, _scalar(_rlref_fn(row)(*args, **row.kwargs)), leaf


def _grpo_stub(
    cfg: dict[str, Any], common: dict[str, Any], last_entropy: float = float("inf")
) -> SimpleNamespace:
    """A `GRPOTrainer` for `_compute_loss`, its options from the config row (`last_entropy`: the
    adaptive entropy controller's measurement of the previous step)."""
    from trl import GRPOTrainer

    stub = _stub(
        **common,
        top_entropy_quantile=cfg.get("top_entropy_quantile", 1.0),
        off_policy_mask_threshold=None,
        importance_sampling_level=cfg.get("importance_sampling_level", "token"),
        beta=cfg["beta"],
        loss_type=cfg["loss_type"],
        use_vllm=cfg.get("use_vllm", False),
        vllm_importance_sampling_correction=cfg.get("vllm_importance_sampling_correction", False),
        current_gradient_accumulation_steps=1,
        max_completion_length=cfg.get("max_completion_length", T),
        _entropy_bonus_enabled=cfg.get("use_adaptive_entropy", False),
        use_adaptive_entropy=cfg.get("use_adaptive_entropy", False),
        entropy_coef=cfg.get("entropy_coef", 0.0),
        _last_world_entropy=last_entropy,
        _entropy_window_stats=None,
        args=SimpleNamespace(
            vespo_k_pos=cfg.get("vespo_k_pos", 2.0),
            vespo_lambda_pos=cfg.get("vespo_lambda_pos", 3.0),
            vespo_k_neg=cfg.get("vespo_k_neg", 3.0),
            vespo_lambda_neg=cfg.get("vespo_lambda_neg", 2.0),
            entropy_target=cfg.get("entropy_target", 0.2),
            entropy_coef_delta=cfg.get("entropy_coef_delta", 0.005),
            entropy_coef_min=cfg.get("entropy_coef_min", 0.0),
            entropy_coef_max=cfg.get("entropy_coef_max", 1.0),
            use_bias_correction_kl=cfg.get("use_bias_correction_kl", False),
            delta=cfg.get("delta"),
            steps_per_generation=1,
            sapo_temperature_pos=cfg.get("sapo_temperature_pos", 1.0),
            sapo_temperature_neg=cfg.get("sapo_temperature_neg", 1.05),
        ),
    )
    stub.get_high_entropy_mask = lambda *a: GRPOTrainer.get_high_entropy_mask(stub, *a)
    stub.get_gamma_weights = GRPOTrainer.get_gamma_weights
    return stub


def _grpo_rewards(row: TRLMapping, gen: torch.Generator) -> Result:
    """GRPO's multi-reward advantages: TRL's `_generate_and_score_completions` (stub generation
    and three reward functions, one score missing) feeds its own `_compute_loss`; rlref computes
    the advantages with the row's function and the loss with `grpo_loss`."""
    from trl import GRPOTrainer

    cfg = row.config
    group = cfg["num_generations"]
    lengths = torch.randint(2, T + 1, (ROWS,), generator=gen)
    completion_ids = [torch.randint(1, VOCAB, (int(n),), generator=gen).tolist() for n in lengths]
    width = int(lengths.max())
    mask = (torch.arange(width) < lengths.unsqueeze(-1)).long()
    leaf = _logps(gen, ROWS, width).requires_grad_()
    scale = torch.tensor([1.0, 20.0, 0.1], dtype=F64)  # three rewards of different scales
    scores = torch.randn(ROWS, 3, generator=gen, dtype=F64) * scale
    scores[1, 2] = float("nan")  # a reward function that returned None for one completion
    weights = torch.tensor(cfg["reward_weights"], dtype=F64)
    generated = ([[5, 6, 7]] * ROWS, completion_ids, None, [""] * ROWS, None, {}, None, None)
    stub = _stub(
        model=SimpleNamespace(training=True, is_gradient_checkpointing=False),
        ref_model=None,
        environment_factories=None,
        tools=None,
        environments=None,
        _generate=lambda prompts: generated,
        _tokenizer=SimpleNamespace(pad_token_id=0),
        pad_to_multiple_of=None,
        mask_truncated_completions=False,
        args=SimpleNamespace(
            per_device_train_batch_size=ROWS,
            gradient_checkpointing_kwargs=None,
            steps_per_generation=1,
            gradient_accumulation_steps=1,
        ),
        num_iterations=1,
        use_vllm=False,
        beta=cfg["beta"],
        _calculate_rewards=lambda *a: scores,
        reward_weights=weights,
        reward_funcs=[None] * 3,
        multi_objective_aggregation=cfg["multi_objective_aggregation"],
        scale_rewards="group",
        num_generations=group,
        reward_func_names=["first", "second", "third"],
        _logs={
            "prompt": [],
            "completion": [],
            "rewards": defaultdict(list),
            "advantages": [],
            "extra": defaultdict(list),
        },
        _pending_extra_logs={},
        _pending_metrics={},
        log_multimodal=False,
        log_completions=False,
    )
    # TRL's nanstd divides two integer counts for Bessel's factor, which gives a default-dtype
    # (float32) n/(n − 1): float64 as the default dtype keeps it exact
    with _default_dtype(F64):
        batch = GRPOTrainer._generate_and_score_completions(stub, [{"prompt": "p"}] * ROWS)
    # an earlier policy (as after a step on the same batch), so the loss is not 0 by symmetry
    old = leaf.detach() + 0.3 * torch.randn(ROWS, width, generator=gen, dtype=F64)
    batch["old_per_token_logps"] = old
    common = {
        "_get_per_token_logps_and_entropies": lambda *a, **k: (leaf, torch.zeros_like(leaf), None),
        "epsilon_low": cfg["epsilon"],
        "epsilon_high": cfg["epsilon"],
    }
    trl_loss = GRPOTrainer._compute_loss(_grpo_stub(cfg, common), None, batch)

    advantages = _rlref_fn(row)(scores, weights, group, **row.kwargs).advantages
    out = grpo_loss(
        leaf,
        old,
        None,
        advantages,
        mask,
        beta=cfg["beta"],
        clip_eps=cfg["epsilon"],
        loss_agg="seq-mean-token-mean",
    )
    return trl_loss, out.loss, leaf


def _rloo_rewards(row: TRLMapping, gen: torch.Generator) -> Result:
    """RLOO's reward shaping: TRL's `_generate_and_score_completions` (stub generation, log-probs
    and reward functions) feeds its own `_compute_loss`; rlref shapes the same scores with the
    row's function, then `rloo_advantages` and `ppo_clip_loss`."""
    from trl import RLOOTrainer

    cfg = row.config
    group = cfg["num_generations"]
    lengths = torch.randint(2, T + 1, (ROWS,), generator=gen)
    completion_ids = [torch.randint(1, VOCAB, (int(n),), generator=gen).tolist() for n in lengths]
    width = int(lengths.max())
    mask = (torch.arange(width) < lengths.unsqueeze(-1)).long()
    leaf = _logps(gen, ROWS, width).requires_grad_()
    # unmasked: the pads hold values that must not count
    old = leaf.detach() + 0.3 * torch.randn(ROWS, width, generator=gen, dtype=F64)
    ref = leaf.detach() + 0.3 * torch.randn(ROWS, width, generator=gen, dtype=F64)
    scores = 2 * torch.randn(ROWS, 2, generator=gen, dtype=F64)  # two reward functions
    weights = torch.tensor([1.0, 0.5], dtype=F64)
    model = SimpleNamespace(training=True, is_gradient_checkpointing=False)
    ref_model = SimpleNamespace()

    def sampled_logps(which: Any, *args: Any, **kwargs: Any) -> tuple[torch.Tensor, None, None]:
        return (ref if which is ref_model else old)[:, : args[2]], None, None

    stub = _stub(
        model=model,
        ref_model=ref_model,
        _generate=lambda prompts: ([[5, 6, 7]] * ROWS, completion_ids, [""] * ROWS),
        _tokenizer=SimpleNamespace(pad_token_id=0),
        pad_to_multiple_of=None,
        mask_truncated_completions=False,
        args=SimpleNamespace(per_device_train_batch_size=ROWS, gradient_checkpointing_kwargs=None),
        _get_per_token_logps_and_entropies=sampled_logps,
        beta=cfg["beta"],
        _calculate_rewards=lambda *a: scores,
        reward_weights=weights,
        reward_clip_range=cfg.get("reward_clip_range"),
        num_generations=group,
        normalize_advantages=False,
        reward_func_names=["first", "second"],
        _logs={
            "prompt": [],
            "completion": [],
            "rewards": defaultdict(list),
            "advantages": [],
            "extra": defaultdict(list),
        },
        _pending_extra_logs={},
        _pending_metrics={},
        log_multimodal=False,
        epsilon_low=cfg["epsilon"],
        epsilon_high=cfg["epsilon"],
    )
    batch = RLOOTrainer._generate_and_score_completions(stub, [{"prompt": "p"}] * ROWS)
    stub._get_per_token_logps_and_entropies = lambda *a, **k: (leaf, torch.zeros_like(leaf), None)
    trl_loss = RLOOTrainer._compute_loss(stub, None, batch)

    shaped = _rlref_fn(row)(scores @ weights, old, ref, mask, **row.kwargs)
    advantages = rloo_advantages(shaped, group)
    old_seq = masked_sum(old, mask, -1).unsqueeze(-1)
    out = ppo_clip_loss(
        masked_sum(leaf, mask, -1).unsqueeze(-1),
        old_seq,
        advantages,
        torch.ones(ROWS, 1, dtype=torch.long),
        clip_eps=cfg["epsilon"],
        loss_agg="token-mean",
    )
    return trl_loss, out.loss, leaf


HARNESS = {
    "DPO": _pairwise,
    "KTO": _unpaired,
    "ORPO": _orpo,
    "CPO": _cpo,
    "GRPO": _policy,
    "RLOO": _policy,
}
# rows whose harness depends on the inputs, not only on the trainer
INPUT_HARNESS = {"rloo-rewards": _rloo_rewards, "grpo-rewards": _grpo_rewards}


def _relative(a: torch.Tensor, b: torch.Tensor) -> float:
    """max |a − b| / max |b| (0 when both are 0)."""
    scale = b.abs().max().item()
    diff = (a - b).abs().max().item()
    return diff / scale if scale > 0 else diff


def compare(row: TRLMapping, seed: int) -> tuple[float, float]:
    """Relative difference of the loss and of its gradient, TRL vs rlref, on one random batch."""
    harness = INPUT_HARNESS.get(row.inputs, HARNESS[row.trainer])
    trl_loss, rlref_loss, leaf = harness(row, torch.Generator().manual_seed(seed))
    (trl_grad,) = torch.autograd.grad(trl_loss, leaf, retain_graph=True)
    (rlref_grad,) = torch.autograd.grad(rlref_loss, leaf)
    assert trl_loss.dtype == F64 and rlref_loss.dtype == F64
    assert trl_grad.abs().max() > 0, "TRL's gradient is 0: the comparison would prove nothing"
    return _relative(rlref_loss.detach(), trl_loss.detach()), _relative(rlref_grad, trl_grad)


def test_trl_is_the_pinned_version() -> None:
    import trl

    assert trl.__version__ == TRL_VERSION


@pytest.mark.parametrize("row", TRL_MAP, ids=[row.key for row in TRL_MAP])
def test_config_fields_exist_in_trl(row: TRLMapping) -> None:
    fields = {f.name for f in dataclasses.fields(_config_class(row.trainer))}
    assert set(row.config) <= fields, set(row.config) - fields


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("row", TRL_MAP, ids=[row.key for row in TRL_MAP])
def test_rlref_matches_trl(row: TRLMapping, seed: int) -> None:
    loss_diff, grad_diff = compare(row, seed)
    assert loss_diff <= TOL, f"loss: relative difference {loss_diff:.2e}"
    assert grad_diff <= TOL, f"gradient: relative difference {grad_diff:.2e}"


def test_all_pad_row_convention() -> None:
    """TRL's "grpo" counts an all-pad row in B; rlref leaves it out: TRL = rlref · (B − k)/B."""
    from trl import GRPOTrainer

    row = next(r for r in TRL_MAP if r.option == 'loss_type="grpo", beta>0')
    gen = torch.Generator().manual_seed(7)
    mask = _padded_mask(gen, ROWS, prompt=0)
    mask[[2, 5]] = 0  # k = 2 rows without a real token
    leaf = _logps(gen, ROWS, T).requires_grad_()
    old = leaf.detach() + 0.3 * torch.randn(ROWS, T, generator=gen, dtype=F64)
    ref = leaf.detach() + 0.3 * torch.randn(ROWS, T, generator=gen, dtype=F64)
    advantages = torch.randn(ROWS, generator=gen, dtype=F64)
    stub = _stub(
        _get_per_token_logps_and_entropies=lambda *a, **k: (leaf, torch.zeros_like(leaf), None),
        epsilon_low=0.2,
        epsilon_high=0.28,
        top_entropy_quantile=1.0,
        off_policy_mask_threshold=None,
        importance_sampling_level="token",
        beta=0.04,
        loss_type="grpo",
        use_vllm=False,
        current_gradient_accumulation_steps=1,
        _entropy_bonus_enabled=False,
        args=SimpleNamespace(use_bias_correction_kl=False, delta=None),
    )
    inputs = {
        "prompt_ids": torch.zeros(ROWS, 1, dtype=torch.long),
        "prompt_mask": torch.ones(ROWS, 1, dtype=torch.long),
        "completion_ids": torch.zeros(ROWS, T, dtype=torch.long),
        "completion_mask": mask,
        "advantages": advantages,
        "old_per_token_logps": old,
        "ref_per_token_logps": ref,
    }
    trl_loss = GRPOTrainer._compute_loss(stub, None, inputs)
    ours = _rlref_fn(row)(leaf, old, ref, advantages, mask, **row.kwargs).loss
    assert _relative(ours * (ROWS - 2) / ROWS, trl_loss) <= TOL
    assert _relative(ours, trl_loss) > 0.1  # the conventions do differ

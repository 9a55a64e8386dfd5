"""The TRL 1.16 ↔ rlref mapping: one row per TRL option that an `rlref.algos` call reproduces.

This table is data (no torch import). The conformance suite (`tests/conformance`,
`make conformance`) iterates it, runs TRL's own trainer code on each row's `config` and
compares loss and gradient with the rlref call; the site's "TRL / verl 对照" page renders it.

Each row says how the rlref function is called:

* `impl`: `"module:function"` in `rlref`;
* `inputs`: which tensors fill its positional arguments (the conformance harness builds them
  from the same random batch it gives TRL):

  - `"pair-sum"`: policy chosen, policy rejected, ref chosen, ref rejected, each the summed
    completion log-probs;
  - `"pair-mean"`: the same four, each divided by its completion's token count;
  - `"sppo-pair"`: `cat(policy chosen, rejected)`, `cat(ref chosen, rejected)`, targets `+½`
    for the chosen and `−½` for the rejected;
  - `"chosen-tokens"`: the chosen rows' token log-probs `(B, T)` and completion mask;
  - `"pair-ld"`: as `"pair-sum"`, each side's sum weighted by `dpo_modifiers.ld_sequence_logps`
    with `extra["ld_alpha"]` (policy and reference alike);
  - `"pair-wpo"`: `"pair-sum"` plus `chosen_weights` / `rejected_weights` from
    `dpo_modifiers.wpo_weights`;
  - `"cpo-sum"` / `"cpo-mean"`: chosen and rejected summed (or mean) completion log-probs,
    with `nll_token_logps` and `nll_mask` covering the chosen completions' tokens;
  - `"rloo-rewards"`: the weighted reward-function scores `(N,)`, sampling-time and reference
    token log-probs `(N, T)` and the completion mask (the harness then applies
    `rloo_advantages` and `ppo_clip_loss`, as TRL does);
  - `"unpaired"`: policy log-probs, ref log-probs, desirable flags (summed log-probs);
  - `"orpo"`: chosen and rejected mean completion log-probs, with `nll_token_logps` and
    `nll_mask` covering the chosen rows' prompt + completion tokens;
  - `"token-ref"`: `logp`, `old_logp`, `ref_logp` `(B, T)`, `advantages` `(B,)`, `mask`;
  - `"token-ref-entropy"`: as `"token-ref"`, the advantages multiplied per token by
    `grpo_options.high_entropy_mask` with `extra["top_entropy_quantile"]`;
  - `"token-rollout"`: as `"token"`, plus the sampler's token ratios `(B, T)` (TRL's
    `importance_sampling_ratio`);
  - `"token-ref-adaptive-entropy"`: entropies `(B, T)` that depend on the policy and the mask;
    the harness adds `grpo_loss` with `extra["policy_kwargs"]` and checks TRL's updated
    coefficient;
  - `"grpo-rewards"`: the reward functions' scores `(N, K)`, their weights and the group size
    (the harness then applies `grpo_loss`, as TRL does);
  - `"token"`: `logp`, `old_logp`, `advantages`, `mask`;
  - `"sequence"`: `logp`, `old_logp` as summed completion log-probs `(B, 1)`, `advantages`,
    a mask of ones `(B, 1)`;

* `kwargs`: the keyword arguments, with TRL's `config` values translated;
* `reference_point`: for KTO, `"kto_reference_point"` means $z_0$ from the mismatched pairs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["TRL_MAP", "TRL_VERSION", "TRLMapping"]

TRL_VERSION = "1.16.0"


@dataclass(frozen=True)
class TRLMapping:
    """One TRL option and the rlref call that gives the same loss and gradient."""

    trainer: str
    """TRL trainer: `"DPO"`, `"KTO"`, `"ORPO"`, `"CPO"` (both experimental), `"GRPO"`, `"RLOO"`."""
    option: str
    """The TRL option as a reader would write it, e.g. `loss_type="sigmoid"`."""
    config: dict[str, Any]
    """The TRL config fields of this row (names as in TRL's `…Config`)."""
    impl: str
    """The rlref function, `"module:function"`."""
    inputs: str
    """How the positional arguments are built (see the module docstring)."""
    kwargs: dict[str, Any]
    """Keyword arguments of the rlref call."""
    note: str
    """The vault note that explains the formula."""
    remark: str = ""
    """What a reader must know to reproduce TRL (a translation, a convention)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Harness details that are not arguments (e.g. KTO's reference point)."""

    @property
    def key(self) -> str:
        """A unique id: trainer and option."""
        return f"{self.trainer}:{self.option}"


_DPO = "rlref.algos.preference"
_PG = "rlref.algos.policy_loss"
_VAR = "rlref.algos.preference_variants"
_MOD = "rlref.algos.dpo_modifiers"
_DPO_NOTE = "AI/LLM/RL/DPO/DPO 原理"
_VARIANTS_NOTE = "AI/LLM/RL/DPO/DPO 损失变体"
_GRPO_OPTIONS_NOTE = "AI/LLM/RL/GRPO/GRPO 的高熵掩码与 GDPO"
_CPO = "rlref.algos.cpo"
_CPO_NOTE = "AI/LLM/RL/DPO/CPO 与 AlphaPO"
_GRPO_NOTE = "AI/LLM/RL/GRPO/GRPO 深度理解"
_PANORAMA = "AI/LLM/RL/Theory/GRPO-Improvement-Panorama-2026"

_C = 16  # max_completion_length of the GRPO rows (Dr. GRPO's constant)

# one row per option reads as a table: the formatter leaves it alone
# fmt: off
TRL_MAP: tuple[TRLMapping, ...] = (
    # --- DPOTrainer -----------------------------------------------------------------------
    TRLMapping("DPO", 'loss_type="sigmoid"', {"loss_type": "sigmoid", "beta": 0.1},
               f"{_DPO}:dpo_loss", "pair-sum", {"beta": 0.1}, _DPO_NOTE),
    TRLMapping("DPO", 'loss_type="robust", label_smoothing=ε',
               {"loss_type": "robust", "beta": 0.1, "label_smoothing": 0.1},
               f"{_DPO}:dpo_loss", "pair-sum",
               {"beta": 0.1, "label_smoothing": 0.1, "robust": True}, _DPO_NOTE,
               "rDPO; 1.16's sigmoid ignores label_smoothing, so cDPO has no TRL option"),
    TRLMapping("DPO", 'loss_type="hinge"', {"loss_type": "hinge", "beta": 0.1},
               f"{_DPO}:hinge_loss", "pair-sum", {"beta": 0.1}, _DPO_NOTE),
    TRLMapping("DPO", 'loss_type="ipo"', {"loss_type": "ipo", "beta": 0.1},
               f"{_DPO}:ipo_loss", "pair-mean", {"beta": 0.1}, _DPO_NOTE,
               "TRL length-normalises each log-ratio: pass mean log-probs"),
    TRLMapping("DPO", 'loss_type="sppo_hard"', {"loss_type": "sppo_hard", "beta": 0.1},
               "rlref.algos.self_play:sppo_loss", "sppo-pair",
               {"eta": 10.0, "reduction": "pair-sum"}, "AI/LLM/RL/Other-Algorithms/SPPO-verl实践",
               "targets +½ (chosen) / −½ (rejected), eta = 1/β, anchor = reference"),
    TRLMapping("DPO", 'loss_type="sigmoid_norm"', {"loss_type": "sigmoid_norm", "beta": 0.1},
               f"{_DPO}:dpo_loss", "pair-mean", {"beta": 0.1}, _DPO_NOTE,
               "sigmoid on per-token mean log-ratios: pass mean log-probs"),
    TRLMapping("DPO", 'loss_type="exo_pair", label_smoothing=ε',
               {"loss_type": "exo_pair", "beta": 0.1, "label_smoothing": 1e-3},
               f"{_VAR}:exo_pair_loss", "pair-sum", {"beta": 0.1, "label_smoothing": 1e-3},
               _VARIANTS_NOTE,
               "TRL refuses label_smoothing=0 for exo_pair; it builds ε with torch.tensor(), a "
               "float32 constant, so the harness runs it with float64 as the default dtype",
               {"float64_constants": True}),
    TRLMapping("DPO", 'loss_type="nca_pair"', {"loss_type": "nca_pair", "beta": 0.1},
               f"{_VAR}:nca_pair_loss", "pair-sum", {"beta": 0.1}, _VARIANTS_NOTE),
    TRLMapping("DPO", 'loss_type="bco_pair"', {"loss_type": "bco_pair", "beta": 0.1},
               f"{_VAR}:bco_pair_loss", "pair-sum", {"beta": 0.1}, _VARIANTS_NOTE,
               "no running-mean reward shift (that is trl.experimental.bco)"),
    TRLMapping("DPO", 'loss_type="apo_zero"', {"loss_type": "apo_zero", "beta": 0.1},
               f"{_VAR}:apo_zero_loss", "pair-sum", {"beta": 0.1}, _VARIANTS_NOTE),
    TRLMapping("DPO", 'loss_type="apo_down"', {"loss_type": "apo_down", "beta": 0.1},
               f"{_VAR}:apo_down_loss", "pair-sum", {"beta": 0.1}, _VARIANTS_NOTE),
    TRLMapping("DPO", 'loss_type="aot", label_smoothing=ε',
               {"loss_type": "aot", "beta": 0.1, "label_smoothing": 0.1},
               f"{_VAR}:aot_loss", "pair-sum",
               {"beta": 0.1, "label_smoothing": 0.1, "paired": True}, _VARIANTS_NOTE,
               "sorts within one process's batch"),
    TRLMapping("DPO", 'loss_type="aot_unpaired", label_smoothing=ε',
               {"loss_type": "aot_unpaired", "beta": 0.1, "label_smoothing": 0.1},
               f"{_VAR}:aot_loss", "pair-sum",
               {"beta": 0.1, "label_smoothing": 0.1, "paired": False}, _VARIANTS_NOTE,
               "sorts within one process's batch"),
    TRLMapping("DPO", 'loss_type="discopop", discopop_tau=τ',
               {"loss_type": "discopop", "beta": 0.1, "discopop_tau": 0.05},
               f"{_VAR}:discopop_loss", "pair-sum", {"beta": 0.1, "tau": 0.05}, _VARIANTS_NOTE),
    TRLMapping("DPO", 'loss_type="sft"', {"loss_type": "sft", "beta": 0.1},
               f"{_MOD}:sft_loss", "chosen-tokens", {}, _VARIANTS_NOTE,
               "one token mean over the chosen rows; combine with other loss types through "
               "loss_weights"),
    TRLMapping("DPO", 'f_divergence_type="forward_kl"',
               {"loss_type": "sigmoid", "beta": 0.1, "f_divergence_type": "forward_kl"},
               f"{_MOD}:f_dpo_loss", "pair-sum", {"beta": 0.1, "divergence": "forward_kl"},
               _VARIANTS_NOTE),
    TRLMapping("DPO", 'f_divergence_type="js_divergence"',
               {"loss_type": "sigmoid", "beta": 0.1, "f_divergence_type": "js_divergence"},
               f"{_MOD}:f_dpo_loss", "pair-sum", {"beta": 0.1, "divergence": "js_divergence"},
               _VARIANTS_NOTE),
    TRLMapping("DPO", 'f_divergence_type="alpha_divergence", f_alpha_divergence_coef=α',
               {"loss_type": "sigmoid", "beta": 0.1, "f_divergence_type": "alpha_divergence",
                "f_alpha_divergence_coef": 0.5},
               f"{_MOD}:f_dpo_loss", "pair-sum",
               {"beta": 0.1, "divergence": "alpha_divergence", "alpha": 0.5}, _VARIANTS_NOTE,
               "TRL clamps (α−1)u at 80 in float32 and has no float64 entry in that table "
               "(KeyError in float64): the harness's tensor reports float32 there; rlref "
               "does not clamp", {"float32_dtype_tables": True}),
    TRLMapping("DPO", "ld_alpha=α", {"loss_type": "sigmoid", "beta": 0.1, "ld_alpha": 0.3},
               f"{_DPO}:dpo_loss", "pair-ld", {"beta": 0.1}, _VARIANTS_NOTE,
               "sequence log-probs of policy and reference from ld_sequence_logps(alpha=α)",
               {"ld_alpha": 0.3}),
    TRLMapping("DPO", "use_weighting=True (WPO)",
               {"loss_type": "sigmoid", "beta": 0.1, "use_weighting": True},
               f"{_MOD}:wpo_loss", "pair-wpo", {"beta": 0.1}, _VARIANTS_NOTE,
               "weights from wpo_weights(token log-probs, token_log_sum_sq_probs(logits), mask)"),
    # --- KTOTrainer -----------------------------------------------------------------------
    TRLMapping("KTO", 'loss_type="kto"',
               {"loss_type": "kto", "beta": 0.1, "desirable_weight": 1.0,
                "undesirable_weight": 1.5},
               f"{_DPO}:kto_loss", "unpaired",
               {"beta": 0.1, "desirable_weight": 1.0, "undesirable_weight": 1.5},
               "AI/LLM/RL/KTO/KTO 原理", "z0 = kto_reference_point on the mismatched pairs",
               {"reference_point": "kto_reference_point"}),
    TRLMapping("KTO", 'loss_type="apo_zero_unpaired"',
               {"loss_type": "apo_zero_unpaired", "beta": 0.1, "desirable_weight": 1.0,
                "undesirable_weight": 1.0},
               f"{_DPO}:kto_loss", "unpaired", {"beta": 0.1, "reference_point": 0.0},
               "AI/LLM/RL/KTO/KTO 原理", "unpaired APO-zero is KTO with z0 = 0"),
    # --- ORPOTrainer (trl.experimental.orpo) ----------------------------------------------
    TRLMapping("ORPO", "ORPOConfig(beta=λ)", {"beta": 0.1},
               f"{_DPO}:orpo_loss", "orpo", {"lam": 0.1}, "AI/LLM/RL/DPO/SimPO 与 ORPO",
               "NLL = one token mean over the chosen rows' prompt + completion "
               "(nll_token_logps, nll_mask)"),
    # --- CPOTrainer (trl.experimental.cpo) -------------------------------------------------
    TRLMapping("CPO", 'loss_type="sigmoid", cpo_alpha=λ',
               {"loss_type": "sigmoid", "beta": 0.1, "cpo_alpha": 1.0},
               f"{_CPO}:cpo_loss", "cpo-sum", {"beta": 0.1, "cpo_alpha": 1.0}, _CPO_NOTE,
               "NLL = one token mean over the chosen completions (nll_token_logps, nll_mask)"),
    TRLMapping("CPO", 'loss_type="sigmoid", label_smoothing=ε',
               {"loss_type": "sigmoid", "beta": 0.1, "label_smoothing": 0.1, "cpo_alpha": 0.5},
               f"{_CPO}:cpo_loss", "cpo-sum",
               {"beta": 0.1, "label_smoothing": 0.1, "cpo_alpha": 0.5}, _CPO_NOTE,
               "cDPO-style smoothing without a reference model"),
    TRLMapping("CPO", 'loss_type="hinge"', {"loss_type": "hinge", "beta": 0.1, "cpo_alpha": 1.0},
               f"{_CPO}:cpo_loss", "cpo-sum",
               {"beta": 0.1, "loss_type": "hinge", "cpo_alpha": 1.0}, _CPO_NOTE),
    TRLMapping("CPO", 'loss_type="ipo"', {"loss_type": "ipo", "beta": 0.1, "cpo_alpha": 1.0},
               f"{_CPO}:cpo_loss", "cpo-mean",
               {"beta": 0.1, "loss_type": "ipo", "cpo_alpha": 1.0}, _CPO_NOTE,
               "mean completion log-probs (TRL's average_log_prob)"),
    TRLMapping("CPO", 'loss_type="simpo", simpo_gamma=γ',
               {"loss_type": "simpo", "beta": 2.0, "simpo_gamma": 0.5, "cpo_alpha": 0.0,
                "label_smoothing": 0.1},
               f"{_CPO}:cpo_loss", "cpo-mean",
               {"beta": 2.0, "loss_type": "simpo", "simpo_gamma": 0.5, "cpo_alpha": 0.0,
                "label_smoothing": 0.1}, _CPO_NOTE,
               "SimPO (cpo_alpha=0); mean completion log-probs"),
    TRLMapping("CPO", 'loss_type="alphapo", alpha=α',
               {"loss_type": "simpo", "beta": 2.0, "simpo_gamma": 0.5, "cpo_alpha": 0.0,
                "alpha": 0.25},
               f"{_CPO}:cpo_loss", "cpo-mean",
               {"beta": 2.0, "loss_type": "simpo", "simpo_gamma": 0.5, "cpo_alpha": 0.0,
                "alpha": 0.25}, _CPO_NOTE,
               "CPOConfig turns loss_type='alphapo' into simpo with cpo_alpha=0"),
    TRLMapping("CPO", 'loss_type="sigmoid", alpha=α (AlphaPO rewards, with NLL)',
               {"loss_type": "sigmoid", "beta": 0.1, "cpo_alpha": 1.0, "alpha": -0.05},
               f"{_CPO}:cpo_loss", "cpo-sum",
               {"beta": 0.1, "cpo_alpha": 1.0, "alpha": -0.05}, _CPO_NOTE,
               "alpha works with every loss type; on summed log-probs keep |α·ℓ| small"),
    # --- GRPOTrainer ----------------------------------------------------------------------
    TRLMapping("GRPO", 'loss_type="grpo", beta>0',
               {"loss_type": "grpo", "beta": 0.04, "epsilon": 0.2, "epsilon_high": 0.28,
                "use_bias_correction_kl": False},
               f"{_PG}:grpo_loss", "token-ref",
               {"beta": 0.04, "clip_eps": 0.2, "clip_eps_high": 0.28,
                "loss_agg": "seq-mean-token-mean"}, _GRPO_NOTE,
               "TRL counts all-pad rows in B, rlref does not (equal without such rows)"),
    TRLMapping("GRPO", 'loss_type="grpo", use_bias_correction_kl=True',
               {"loss_type": "grpo", "beta": 0.04, "epsilon": 0.2, "epsilon_high": 0.2,
                "use_bias_correction_kl": True},
               f"{_PG}:grpo_loss", "token-ref",
               {"beta": 0.04, "clip_eps": 0.2, "loss_agg": "seq-mean-token-mean",
                "kl_ratio_weighted": True}, _GRPO_NOTE),
    TRLMapping("GRPO", 'loss_type="bnpo"',
               {"loss_type": "bnpo", "beta": 0.04, "epsilon": 0.2, "epsilon_high": 0.2,
                "use_bias_correction_kl": False},
               f"{_PG}:grpo_loss", "token-ref",
               {"beta": 0.04, "clip_eps": 0.2, "loss_agg": "bnpo"}, _GRPO_NOTE),
    TRLMapping("GRPO", 'loss_type="dr_grpo"',
               {"loss_type": "dr_grpo", "beta": 0.04, "epsilon": 0.2, "epsilon_high": 0.2,
                "use_bias_correction_kl": False, "max_completion_length": _C},
               f"{_PG}:grpo_loss", "token-ref",
               {"beta": 0.04, "clip_eps": 0.2, "loss_agg": "seq-mean-token-sum-norm",
                "max_completion_length": _C}, _GRPO_NOTE),
    TRLMapping("GRPO", 'loss_type="dapo"',
               {"loss_type": "dapo", "beta": 0.04, "epsilon": 0.2, "epsilon_high": 0.28,
                "use_bias_correction_kl": True},
               f"{_PG}:grpo_loss", "token-ref",
               {"beta": 0.04, "clip_eps": 0.2, "clip_eps_high": 0.28, "loss_agg": "token-mean",
                "kl_ratio_weighted": True}, _GRPO_NOTE,
               "one process, no gradient accumulation: TRL's global token count is this batch's"),
    TRLMapping("GRPO", 'loss_type="luspo"',
               {"loss_type": "luspo", "beta": 0.0, "epsilon": 0.2, "epsilon_high": 0.2},
               f"{_PG}:grpo_loss", "token-ref",
               {"beta": 0.0, "clip_eps": 0.2, "loss_agg": "seq-mean-token-sum"}, _GRPO_NOTE),
    TRLMapping("GRPO", "delta=δ (two-sided clip)",
               {"loss_type": "dapo", "beta": 0.0, "epsilon": 0.2, "epsilon_high": 0.2,
                "delta": 1.5},
               f"{_PG}:ppo_clip_loss", "token",
               {"clip_eps": 0.2, "clip_ratio_c": 1.5, "loss_agg": "token-mean"},
               "AI/LLM/RL/PPO/PPO 原理", "TRL's delta is the dual clip constant c"),
    TRLMapping("GRPO", 'importance_sampling_level="sequence" (GSPO)',
               {"loss_type": "grpo", "beta": 0.0, "epsilon": 3e-4, "epsilon_high": 4e-4,
                "importance_sampling_level": "sequence"},
               f"{_PG}:gspo_loss", "token",
               {"clip_eps_low": 3e-4, "clip_eps_high": 4e-4, "loss_agg": "seq-mean-token-mean"},
               "AI/LLM/RL/Other-Algorithms/GSPO-Unsloth实践"),
    TRLMapping("GRPO", 'loss_type="sapo"',
               {"loss_type": "sapo", "beta": 0.0, "sapo_temperature_pos": 1.0,
                "sapo_temperature_neg": 1.125},
               "rlref.algos.stability:sapo_loss", "token",
               {"tau_pos": 1.0, "tau_neg": 1.125, "loss_agg": "seq-mean-token-mean"}, _PANORAMA,
               "TRL builds the temperatures in float32 (torch.where on Python floats), so its "
               "default 1.05 becomes 1.0499999523 even in float64; the row uses 1.125, exact "
               "in float32"),
    TRLMapping("GRPO", 'loss_type="cispo"',
               {"loss_type": "cispo", "beta": 0.0, "epsilon_high": 1.2},
               f"{_PG}:cispo_loss", "token", {"clip_eps_high": 0.2, "loss_agg": "token-mean"},
               _PANORAMA, "TRL's epsilon_high E is the cap itself: clip_eps_high = E − 1"),
    TRLMapping("GRPO", "top_entropy_quantile=ρ",
               {"loss_type": "grpo", "beta": 0.04, "epsilon": 0.2, "epsilon_high": 0.28,
                "top_entropy_quantile": 0.3},
               f"{_PG}:grpo_loss", "token-ref-entropy",
               {"beta": 0.04, "clip_eps": 0.2, "clip_eps_high": 0.28,
                "loss_agg": "seq-mean-token-mean"}, _GRPO_OPTIONS_NOTE,
               "advantages[:, None] * high_entropy_mask(entropies, mask, ρ); TRL takes the "
               "quantile in float32, the harness keeps float64", {"top_entropy_quantile": 0.3}),
    TRLMapping("GRPO", "use_adaptive_entropy=True",
               {"loss_type": "grpo", "beta": 0.04, "epsilon": 0.2, "use_adaptive_entropy": True,
                "entropy_coef": 0.05, "entropy_target": 0.8, "entropy_coef_delta": 0.01,
                "entropy_coef_min": 0.0, "entropy_coef_max": 1.0},
               "rlref.algos.grpo_options:adaptive_entropy_bonus", "token-ref-adaptive-entropy",
               {"coef": 0.05, "last_entropy": 0.5, "target": 0.8}, _GRPO_OPTIONS_NOTE,
               "grpo_loss + the bonus, the previous step's entropy 0.5 (bonus on); the "
               "coefficient TRL stores for the next step equals adaptive_entropy_coef",
               {"policy_kwargs": {"beta": 0.04, "clip_eps": 0.2,
                                  "loss_agg": "seq-mean-token-mean"}}),
    TRLMapping("GRPO", 'loss_type="vespo" with vllm_importance_sampling_correction',
               {"loss_type": "vespo", "beta": 0.0, "use_vllm": True,
                "vllm_importance_sampling_correction": True,
                "vllm_importance_sampling_mode": "token_truncate"},
               "rlref.algos.vespo_correction:vespo_corrected_loss", "token-rollout",
               {"loss_agg": "token-mean"},
               "AI/LLM/RL/Other-Algorithms/VESPO-Variational-Sequence-Policy-Optimization",
               "the sampler's token ratios enter VESPO's sequence weight (log-summed), not the "
               "token loss; one process, no gradient accumulation"),
    TRLMapping("GRPO", 'multi_objective_aggregation="normalize_then_sum" (GDPO)',
               {"loss_type": "grpo", "beta": 0.0, "epsilon": 0.2, "num_generations": 4,
                "multi_objective_aggregation": "normalize_then_sum",
                "reward_weights": [1.0, 0.5, 2.0]},
               "rlref.algos.grpo_options:gdpo_advantages", "grpo-rewards", {},
               _GRPO_OPTIONS_NOTE,
               "advantages compared through the loss TRL builds on them (grpo_loss); a NaN score "
               "is a reward function that returned None. TRL's nanstd computes Bessel's n/(n−1) "
               "from integer counts in the default dtype (float32, ~3e-8 off): the harness runs "
               "it with float64 as the default dtype"),
    # --- RLOOTrainer ----------------------------------------------------------------------
    TRLMapping("RLOO", "RLOOConfig(epsilon=ε)",
               {"epsilon": 0.2, "epsilon_high": 0.2},
               f"{_PG}:ppo_clip_loss", "sequence", {"clip_eps": 0.2, "loss_agg": "token-mean"},
               "AI/LLM/RL/RLOO/RLOO 原理",
               "PPO-clip on summed completion log-probs, one 'token' per sequence; "
               "advantages from rloo_advantages"),
    TRLMapping("RLOO", "RLOOConfig(beta=β, reward_clip_range=(lo, hi))",
               {"beta": 0.05, "reward_clip_range": (-1.0, 1.0), "num_generations": 4,
                "epsilon": 0.2},
               "rlref.algos.rloo_rewards:rloo_shaped_rewards", "rloo-rewards",
               {"beta": 0.05, "clip_range": (-1.0, 1.0)}, "AI/LLM/RL/RLOO/RLOO 原理",
               "scores clipped, then β·(k1 sequence KL) subtracted, before rloo_advantages; "
               "compared through the loss (ppo_clip_loss) that TRL builds on those advantages"),
)
# fmt: on

"""Checks of the formulas of RL-Training-Stability-2026-Unified-Analysis.

Note: [[AI/LLM/RL/Theory/RL-Training-Stability-2026-Unified-Analysis]]
"""

from __future__ import annotations

from rlref.algos.stability import off_policy_sequence_mask, rollout_correction_weights
from rlref.formulas.api import Check, formula_check, reduction


@formula_check(
    "AI/LLM/RL/Theory/RL-Training-Stability-2026-Unified-Analysis", "rollout-is-token-truncate"
)
def check_rollout_is_token_truncate() -> Check:
    return Check(
        impl=rollout_correction_weights,
        axes={"i": 5, "t": 8},
        inputs={
            "lold": lambda v: v.normal(-1.5, 0.6, v.i, v.t),
            "lroll": lambda v: v.lold + v.normal(0, 0.7, v.i, v.t),
            "mask": lambda v: v.prefix_mask(v.i, v.t),
            "C": 1.4,
        },
        symbols={
            r"\ell^{\mathrm{old}}_{i,t}": lambda v: v.lold,
            r"\ell^{\mathrm{roll}}_{i,t}": lambda v: v.lroll,
            "C": lambda v: v.C,
        },
        args={
            "old_logp": lambda v: v.lold,
            "rollout_logp": lambda v: v.lroll,
            "mask": lambda v: v.mask,
            "level": "token",
            "mode": "truncate",
            "clip_max": lambda v: v.C,
        },
        # 只比较真实 token
        relation=lambda v: (v.where(v.mask, v.out, 0.0), "==", v.where(v.mask, v.formula, 0.0)),
        cover=[
            lambda v: v.mask & (v.exp(v.lold - v.lroll) > v.C),
            lambda v: v.mask & (v.exp(v.lold - v.lroll) < v.C),
        ],
    )


@formula_check(
    "AI/LLM/RL/Theory/RL-Training-Stability-2026-Unified-Analysis", "rollout-is-sequence-ratio"
)
def check_rollout_is_sequence_ratio() -> Check:
    return Check(
        impl=rollout_correction_weights,
        axes={"i": 6, "t": 8},
        inputs={
            "lold": lambda v: v.normal(-1.5, 0.6, v.i, v.t),
            "lroll": lambda v: v.lold + v.normal(0, 0.3, v.i, v.t),
            "mask": lambda v: v.prefix_mask(v.i, v.t),
        },
        symbols={
            r"\sum_{t=1}^{T}": reduction("sum", "t"),
            "m_{i,t}": lambda v: v.mask,
            r"\ell^{\mathrm{old}}_{i,t}": lambda v: v.lold,
            r"\ell^{\mathrm{roll}}_{i,t}": lambda v: v.lroll,
        },
        args={
            "old_logp": lambda v: v.lold,
            "rollout_logp": lambda v: v.lroll,
            "mask": lambda v: v.mask,
            "level": "sequence",
            "mode": "truncate",
            "clip_max": None,
        },
        cover=[
            lambda v: v.mask == 0,
        ],
    )


@formula_check(
    "AI/LLM/RL/Theory/RL-Training-Stability-2026-Unified-Analysis", "rollout-is-sequence-mask"
)
def check_rollout_is_sequence_mask() -> Check:
    return Check(
        impl=rollout_correction_weights,
        axes={"i": 12, "t": 8},
        inputs={
            "lold": lambda v: v.normal(-1.5, 0.6, v.i, v.t),
            "lroll": lambda v: v.lold + v.normal(0, 0.4, v.i, v.t),
            "mask": lambda v: v.prefix_mask(v.i, v.t),
            "C": 1.3,
            "rho": lambda v: v.call(
                rollout_correction_weights, v.lold, v.lroll, v.mask, "sequence", "truncate", None
            )[v.i],
        },
        symbols={r"\rho_i": lambda v: v.rho, "C": lambda v: v.C},
        args={
            "old_logp": lambda v: v.lold,
            "rollout_logp": lambda v: v.lroll,
            "mask": lambda v: v.mask,
            "level": "sequence",
            "mode": "mask",
            "clip_max": lambda v: v.C,
        },
        cover=[
            lambda v: v.rho > v.C,
            lambda v: v.rho < v.C,
        ],
    )


@formula_check(
    "AI/LLM/RL/Theory/RL-Training-Stability-2026-Unified-Analysis", "off-policy-sequence-mask"
)
def check_off_policy_sequence_mask() -> Check:
    return Check(
        impl=off_policy_sequence_mask,
        axes={"i": 16, "t": 8},
        inputs={
            "logp": lambda v: v.normal(-1.5, 0.6, v.i, v.t),
            # 每条序列一个漂移量
            "lroll": lambda v: v.logp + v.normal(0.2, 0.25, v.i) + v.normal(0, 0.05, v.i, v.t),
            "mask": lambda v: v.prefix_mask(v.i, v.t),
            "adv": lambda v: v.normal(0, 1, v.i),
            "delta": 0.2,
            "drift": lambda v: v.sum((v.lroll - v.logp) * v.mask, v.t) / v.sum(v.mask, v.t),
        },
        symbols={
            r"\sum_{t=1}^{T}": reduction("sum", "t"),
            "m_{i,t}": lambda v: v.mask,
            r"\ell^{\mathrm{roll}}_{i,t}": lambda v: v.lroll,
            r"\ell_{i,t}": lambda v: v.logp,
            r"\hat{A}_i": lambda v: v.adv,
            r"\delta": lambda v: v.delta,
        },
        args={
            "advantages": lambda v: v.adv,
            "logp": lambda v: v.logp,
            "sampling_logp": lambda v: v.lroll,
            "mask": lambda v: v.mask,
            "threshold": lambda v: v.delta,
        },
        cover=[
            lambda v: (v.adv < 0) & (v.drift > v.delta),
            lambda v: (v.adv < 0) & (v.drift < v.delta),
            lambda v: (v.adv > 0) & (v.drift > v.delta),
        ],
        exact=True,
    )

"""Checks of the formulas of GRPO 的高熵掩码与 GDPO.

Note: [[AI/LLM/RL/GRPO/GRPO 的高熵掩码与 GDPO]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rlref.algos.grpo_options import (
    adaptive_entropy_bonus,
    adaptive_entropy_coef,
    gdpo_advantages,
    high_entropy_mask,
)
from rlref.algos.kl import kl_k3
from rlref.algos.policy_loss import grpo_loss
from rlref.formulas.api import Check, formula_check, reduction


def _threshold(v: Any) -> float:
    """τ_ρ: the (1 − ρ)-quantile of the real tokens' entropies (linear interpolation)."""
    return float(np.quantile(v.H[v.mask.astype(bool)], 1 - v.rho))


ENTROPY_INPUTS: dict[str, Any] = {
    "H": lambda v: v.uniform(0.0, 3.0, v.i, v.t),
    "mask": lambda v: v.prefix_mask(v.i, v.t),
    "rho": lambda v: v.uniform(0.1, 0.5),
}


@formula_check("AI/LLM/RL/GRPO/GRPO 的高熵掩码与 GDPO", "high-entropy-mask")
def check_high_entropy_mask() -> Check:
    return Check(
        impl=high_entropy_mask,
        axes={"i": 6, "t": 10},
        inputs=ENTROPY_INPUTS,
        symbols={
            "m_{i,t}": lambda v: v.mask,
            "H_{i,t}": lambda v: v.H,
            r"\tau_\rho": _threshold,
        },
        args={
            "entropies": lambda v: v.H,
            "mask": lambda v: v.mask,
            "top_quantile": lambda v: v.rho,
        },
        exact=True,
        # kept and dropped real tokens, and pads whose entropy is above the threshold
        cover=[
            lambda v: v.mask & (v.H >= _threshold(v)),
            lambda v: v.mask & (v.H < _threshold(v)),
            lambda v: (v.mask == 0) & (v.H >= _threshold(v)),
        ],
    )


@formula_check("AI/LLM/RL/GRPO/GRPO 的高熵掩码与 GDPO", "entropy-masked-grpo-loss")
def check_entropy_masked_grpo_loss() -> Check:
    def kept(v: Any) -> Any:
        return v.mask.astype(bool) & (v.H >= _threshold(v))

    return Check(
        impl=grpo_loss,
        axes={"i": 10, "t": 12},
        inputs={
            **ENTROPY_INPUTS,
            "rho": lambda v: v.uniform(0.3, 0.6),
            "logp": lambda v: v.normal(-1, 0.4, v.i, v.t),
            # wide enough that kept tokens fall outside the clip range on both sides
            "old_logp": lambda v: v.normal(-1, 0.8, v.i, v.t),
            "ref_logp": lambda v: v.normal(-1, 0.4, v.i, v.t),
            "ratio": lambda v: v.exp(v.logp - v.old_logp),
            "adv": lambda v: v.normal(0, 1, v.i),
            "eps": 0.2,
            "beta": 0.04,
        },
        symbols={
            "B": lambda v: v.size(v.i),
            r"\sum_{i=1}^{B}": reduction("sum", "i"),
            r"\sum_{t=1}^{|o_i|}": reduction("sum", "t", where=lambda v: v.mask),
            "|o_i|": lambda v: v.sum(v.mask, v.t),
            "e_{i,t}": lambda v: kept(v),
            "r_{i,t}": lambda v: v.ratio,
            r"\hat{A}_i": lambda v: v.adv,
            r"\epsilon": lambda v: v.eps,
            r"\beta": lambda v: v.beta,
            r"\hat{D}_{i,t}": lambda v: v.call(kl_k3, v.logp, v.ref_logp),
        },
        args={
            "logp": lambda v: v.logp,
            "old_logp": lambda v: v.old_logp,
            "ref_logp": lambda v: v.ref_logp,
            # the mask multiplies the advantage of each token
            "advantages": lambda v: v.adv * kept(v),
            "mask": lambda v: v.mask,
            "beta": lambda v: v.beta,
            "clip_eps": lambda v: v.eps,
            "loss_agg": "seq-mean-token-mean",
        },
        relation=lambda v: (v.out.loss, "==", v.formula),
        cover=[
            lambda v: kept(v) & (v.ratio > 1 + v.eps) & (v.adv > 0),
            lambda v: kept(v) & (v.ratio < 1 - v.eps) & (v.adv < 0),
            lambda v: v.mask.astype(bool) & ~kept(v),
        ],
    )


@formula_check("AI/LLM/RL/GRPO/GRPO 的高熵掩码与 GDPO", "entropy-mask-on-advantage")
def check_entropy_mask_on_advantage() -> Check:
    return Check(
        # 恒等式，两边都从笔记读出：0/1 掩码乘在裁剪目标外面，等于乘在优势上
        axes={"i": 8, "t": 12},
        inputs={
            "e": lambda v: v.bernoulli(0.5, v.i, v.t),
            # wide enough that the ratio leaves the clip range on both sides
            "ratio": lambda v: v.exp(v.normal(0, 0.5, v.i, v.t)),
            "adv": lambda v: v.normal(0, 1, v.i),
            "eps": 0.2,
        },
        symbols={
            "e_{i,t}": lambda v: v.e,
            "r_{i,t}": lambda v: v.ratio,
            r"\hat{A}_i": lambda v: v.adv,
            r"\epsilon": lambda v: v.eps,
        },
        relation=lambda v: (v.lhs, "==", v.formula),
        cover=[
            lambda v: (v.e == 1) & (v.ratio > 1 + v.eps) & (v.adv > 0),
            lambda v: (v.e == 1) & (v.ratio < 1 - v.eps) & (v.adv < 0),
            lambda v: (v.e == 1) & (v.ratio > 1 + v.eps) & (v.adv < 0),
            lambda v: (v.e == 0) & (v.ratio > 1 + v.eps),
        ],
    )


GDPO_INPUTS: dict[str, Any] = {
    # three reward functions of very different scales, groups of 4 completions
    "R": lambda v: v.normal(0, 1, v.g, v.i, v.k) * np.array([1.0, 10.0, 0.1]).reshape(1, 1, 3),
    "w": lambda v: v.uniform(0.2, 2.0, v.k),
}
GDPO_ARGS: dict[str, Any] = {
    "rewards_per_func": lambda v: v.reshape(v.R, 12, 3),
    "weights": lambda v: v.w[0, 0],
    "group_size": 4,
}


def _combined(v: Any) -> Any:
    """R_i as the code returns it, laid out by group and member."""
    return v.reshape(v.out.rewards, 3, 4, 1)


@formula_check("AI/LLM/RL/GRPO/GRPO 的高熵掩码与 GDPO", "gdpo-combined-reward")
def check_gdpo_combined_reward() -> Check:
    return Check(
        impl=gdpo_advantages,
        axes={"g": 3, "i": 4, "k": 3},
        inputs=GDPO_INPUTS,
        symbols={
            r"\sum_{k=1}^{K}": reduction("sum", "k"),
            "w_k": lambda v: v.w,
            "r_{i,k}": lambda v: v.R,
            r"\mu_k": lambda v: v.mean(v.R, v.i),
            r"\sigma_k": lambda v: v.std(v.R, v.i, ddof=1),
            r"\epsilon": 1e-4,
        },
        args=GDPO_ARGS,
        relation=lambda v: (_combined(v), "==", v.formula),
    )


@formula_check("AI/LLM/RL/GRPO/GRPO 的高熵掩码与 GDPO", "gdpo-advantage")
def check_gdpo_advantage() -> Check:
    return Check(
        impl=gdpo_advantages,
        axes={"g": 3, "i": 4, "k": 3},
        inputs={
            **GDPO_INPUTS,
            # some functions leave some completions unscored (never the first function)
            "R": lambda v: np.where(
                (v.k >= 1) & (v.bernoulli(0.25, v.g, v.i, v.k) > 0),
                np.nan,
                v.normal(0, 1, v.g, v.i, v.k) * np.array([1.0, 10.0, 0.1]).reshape(1, 1, 3),
            ),
        },
        symbols={
            # R_i from the code (its formula is gdpo-combined-reward)
            "R_i": _combined,
            "s_R": lambda v: v.std(_combined(v), ddof=1),
            r"\epsilon": 1e-4,
        },
        args=GDPO_ARGS,
        relation=lambda v: (v.reshape(v.out.advantages, 3, 4, 1), "==", v.formula),
    )


@formula_check("AI/LLM/RL/GRPO/GRPO 的高熵掩码与 GDPO", "adaptive-entropy-coef")
def check_adaptive_entropy_coef() -> Check:
    return Check(
        impl=adaptive_entropy_coef,
        axes={"n": 32},
        inputs={
            # one controller per position: its coefficient and its measured entropy
            "c": lambda v: v.uniform(0.0, 0.02, v.n),
            "H": lambda v: v.uniform(0.0, 2.0, v.n),
            "target": lambda v: v.uniform(0.5, 1.5),
            "delta": 0.005,
            "cmin": 0.003,
            "cmax": 0.015,
        },
        symbols={
            "c_k": lambda v: v.c,
            r"\bar{H}_k": lambda v: v.H,
            "H^{*}": lambda v: v.target,
            r"\delta": lambda v: v.delta,
            r"c_{\min}": lambda v: v.cmin,
            r"c_{\max}": lambda v: v.cmax,
        },
        args={
            "coef": lambda v: v.c,
            "entropy": lambda v: v.H,
            "target": lambda v: v.target,
            "delta": lambda v: v.delta,
            "coef_min": lambda v: v.cmin,
            "coef_max": lambda v: v.cmax,
        },
        # both branches, each with and without its bound
        cover=[
            lambda v: (v.H <= v.target) & (v.c + v.delta > v.cmax),
            lambda v: (v.H <= v.target) & (v.c + v.delta < v.cmax),
            lambda v: (v.H > v.target) & (v.c - v.delta < v.cmin),
            lambda v: (v.H > v.target) & (v.c - v.delta > v.cmin),
        ],
    )


def _bonus_check(last_entropy: float) -> Check:
    return Check(
        impl=adaptive_entropy_bonus,
        axes={"i": 6, "t": 9},
        inputs={
            "H": lambda v: v.uniform(0.0, 3.0, v.i, v.t),
            "m": lambda v: v.prefix_mask(v.i, v.t),
            "c": lambda v: v.uniform(0.01, 0.5),
            "target": 1.0,
            "last": last_entropy,
        },
        symbols={
            "c_k": lambda v: v.c,
            r"\bar{H}_{k-1}": lambda v: v.last,
            "H^{*}": lambda v: v.target,
            "H_{i,t}": lambda v: v.H,
            "m_{i,t}": lambda v: v.m,
            r"\sum_{i,t}": reduction("sum", "i", "t"),
        },
        args={
            "entropies": lambda v: v.H,
            "mask": lambda v: v.m,
            "coef": lambda v: v.c,
            "last_entropy": lambda v: v.last,
            "target": lambda v: v.target,
        },
        cover=[lambda v: v.m == 0],
    )


@formula_check("AI/LLM/RL/GRPO/GRPO 的高熵掩码与 GDPO", "adaptive-entropy-bonus")
def check_adaptive_entropy_bonus() -> Check:
    # the last entropy below the target: the bonus is on (off is a unit test)
    return _bonus_check(last_entropy=0.8)

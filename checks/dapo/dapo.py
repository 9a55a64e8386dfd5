"""Checks of the formulas of DAPO 原理.

Note: [[AI/LLM/RL/DAPO/DAPO 原理]]
"""

from __future__ import annotations

from rlref.algos.policy_loss import dapo_overlong_penalty, dynamic_sampling_filter, ppo_clip_loss
from rlref.formulas.api import Check, formula_check, reduction


@formula_check("AI/LLM/RL/DAPO/DAPO 原理", "dapo-objective")
def check_dapo_objective() -> Check:
    return Check(
        impl=ppo_clip_loss,
        axes={"i": 8, "t": 16},
        inputs={
            "logp": lambda v: v.normal(-1, 0.4, v.i, v.t),
            # 对数比率：三成落在 (1+ε_low, 1+ε_high) 这条窄带里，其余正常散开
            "log_ratio": lambda v: v.where(
                v.bernoulli(0.3, v.i, v.t) > 0,
                v.uniform(0.19, 0.24, v.i, v.t),
                v.normal(0, 0.6, v.i, v.t),
            ),
            "old_logp": lambda v: v.logp - v.log_ratio,
            "ratio": lambda v: v.exp(v.logp - v.old_logp),
            # 一条回答一个优势，广播到它的 token
            "adv": lambda v: v.normal(0, 1, v.i),
            "mask": lambda v: v.prefix_mask(v.i, v.t),
            "el": 0.2,
            "eh": 0.28,
        },
        symbols={
            r"\sum_{i=1}^{G}": reduction("sum", "i"),
            r"\sum_{t=1}^{T}": reduction("sum", "t"),
            "m_{i,t}": lambda v: v.mask,
            r"r_{i,t}(\theta)": lambda v: v.ratio,
            r"\hat{A}_{i,t}": lambda v: v.adv,
            r"\epsilon_{\mathrm{low}}": lambda v: v.el,
            r"\epsilon_{\mathrm{high}}": lambda v: v.eh,
        },
        args={
            "logp": lambda v: v.logp,
            "old_logp": lambda v: v.old_logp,
            "advantages": lambda v: v.adv,
            "mask": lambda v: v.mask,
            "clip_eps_low": lambda v: v.el,
            "clip_eps_high": lambda v: v.eh,
            "loss_agg": "token-mean",
        },
        # 代码返回 −J_DAPO
        relation=lambda v: (v.out.loss, "==", -v.formula),
        cover=[
            # 只有 clip-higher 才不裁的区间
            lambda v: v.mask & (v.ratio > 1 + v.el) & (v.ratio < 1 + v.eh) & (v.adv > 0),
            lambda v: v.mask & (v.ratio > 1 + v.eh) & (v.adv > 0),
            lambda v: v.mask & (v.ratio < 1 - v.el) & (v.adv < 0),
            lambda v: v.mask & (v.ratio < 1 - v.el) & (v.adv > 0),
            lambda v: v.mask == 0,
        ],
    )


@formula_check("AI/LLM/RL/DAPO/DAPO 原理", "dapo-dynamic-sampling")
def check_dapo_dynamic_sampling() -> Check:
    return Check(
        impl=dynamic_sampling_filter,
        dims={"P": 8, "G": 4},
        axes={"g": lambda v: v.P, "i": lambda v: v.G},
        inputs={
            # 约一半的组全对（±1 奖励全为 1），其余组 ±1 随机
            "R": lambda v: v.where(
                v.bernoulli(0.5, v.P, 1) > 0, 1.0, 2.0 * v.integers(0, 2, v.P, v.G) - 1.0
            ),
        },
        symbols={
            r"\max_{i}": reduction("max", "i"),
            r"\min_{i}": reduction("min", "i"),
            "R_{g,i}": lambda v: v.R[v.g, v.i],
        },
        args={"rewards": lambda v: v.reshape(v.R, v.P * v.G), "group_size": lambda v: v.G},
        relation=lambda v: (v.reshape(v.out, v.P, v.G)[:, 0], "==", v.formula),
        cover=[
            lambda v: v.formula == 0,
            lambda v: v.formula == 1,
        ],
        exact=True,
    )


# 闭式与论文的分段式是同一个量：一个检查同时登记两条公式
@formula_check("AI/LLM/RL/DAPO/DAPO 原理", "dapo-overlong-penalty")
@formula_check("AI/LLM/RL/DAPO/DAPO 原理", "dapo-overlong-penalty-cases")
def check_dapo_overlong_penalty() -> Check:
    return Check(
        impl=dapo_overlong_penalty,
        axes={"n": 40},
        inputs={"length": lambda v: v.integers(1, 40, v.n), "L_max": 30, "L_cache": 8},
        symbols={
            r"\ell": lambda v: v.length,
            r"L_{\max}": lambda v: v.L_max,
            r"L_{\mathrm{cache}}": lambda v: v.L_cache,
        },
        args={
            "lengths": lambda v: v.length,
            "max_length": lambda v: v.L_max,
            "cache_length": lambda v: v.L_cache,
        },
        # 三段都要有样本（两个分界点上相邻两段的值相同，分界取哪边不影响结果）
        cover=[
            lambda v: v.length <= v.L_max - v.L_cache,
            lambda v: (v.length > v.L_max - v.L_cache) & (v.length <= v.L_max),
            lambda v: v.length > v.L_max,
        ],
    )

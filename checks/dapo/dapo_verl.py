"""Checks of the formulas of DAPO-verl实践.

Note: [[AI/LLM/RL/DAPO/DAPO-verl实践]]
"""

from __future__ import annotations

from rlref.algos.policy_loss import (
    aggregate_loss,
    dapo_overlong_penalty,
    dynamic_sampling_filter,
    ppo_clip_loss,
)
from rlref.formulas.api import Check, formula_check, reduction


@formula_check("AI/LLM/RL/DAPO/DAPO-verl实践", "dapo-clip-higher-token-loss")
def check_dapo_clip_higher_token_loss() -> Check:
    return Check(
        impl=ppo_clip_loss,
        axes={"i": 6, "t": 16},
        inputs={
            "logp": lambda v: v.normal(-1, 0.5, v.i, v.t),
            # 对数比率：三成落在 (1+ε_low, 1+ε_high) 这条窄带里，其余正常散开
            "log_ratio": lambda v: v.where(
                v.bernoulli(0.3, v.i, v.t) > 0,
                v.uniform(0.19, 0.24, v.i, v.t),
                v.normal(0, 0.6, v.i, v.t),
            ),
            "old_logp": lambda v: v.logp - v.log_ratio,
            "rho": lambda v: v.exp(v.logp - v.old_logp),
            # 一条回答一个优势
            "adv": lambda v: v.normal(0, 1, v.i),
            "mask": lambda v: v.prefix_mask(v.i, v.t),
            "el": 0.2,
            "eh": 0.28,
        },
        symbols={
            r"\rho_{i,t}": lambda v: v.rho,
            r"\hat{A}_{i}": lambda v: v.adv,
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
            "loss_agg": "none",
        },
        # 不聚合（loss_agg='none'）：逐 token 对照
        relation=lambda v: (v.out.loss, "==", v.where(v.mask, v.formula, 0)),
        cover=[
            # 只有 clip-higher 才不裁的区间
            lambda v: v.mask & (v.rho > 1 + v.el) & (v.rho < 1 + v.eh) & (v.adv > 0),
            lambda v: v.mask & (v.rho > 1 + v.eh) & (v.adv > 0),
            lambda v: v.mask & (v.rho < 1 - v.el) & (v.adv < 0),
            lambda v: v.mask & (v.rho < 1 - v.el) & (v.adv > 0),
            lambda v: v.mask == 0,
        ],
    )


@formula_check("AI/LLM/RL/DAPO/DAPO-verl实践", "dynamic-sampling-keep")
def check_dynamic_sampling_keep() -> Check:
    return Check(
        impl=dynamic_sampling_filter,
        dims={"P": 8, "G": 4},
        axes={"g": lambda v: v.P, "i": lambda v: v.G, "j": lambda v: v.G},
        inputs={
            # 约一半的组全对（奖励全为 1），其余组 0/1 随机
            "M": lambda v: v.where(v.bernoulli(0.5, v.P, 1) > 0, 1.0, v.integers(0, 2, v.P, v.G)),
        },
        symbols={
            "M_{g,i}": lambda v: v.M[v.g, v.i],
            "M_{g,j}": lambda v: v.M[v.g, v.j],
            "G": lambda v: v.G,
            r"\sum_{i=1}^{G}": reduction("sum", "i"),
            r"\sum_{j=1}^{G}": reduction("sum", "j"),
        },
        args={"rewards": lambda v: v.reshape(v.M, v.P * v.G), "group_size": lambda v: v.G},
        relation=lambda v: (v.reshape(v.out, v.P, v.G)[:, 0], "==", v.formula),
        cover=[
            lambda v: v.formula == 0,
            lambda v: v.formula == 1,
        ],
        exact=True,
    )


@formula_check("AI/LLM/RL/DAPO/DAPO-verl实践", "dapo-token-mean")
def check_dapo_token_mean() -> Check:
    return Check(
        impl=aggregate_loss,
        axes={"i": 5, "t": 7},
        inputs={
            "loss": lambda v: v.normal(0, 1, v.i, v.t),
            # 含一条全 padding 的回答
            "mask": lambda v: v.prefix_mask(v.i, v.t) & (v.i != 1),
        },
        symbols={
            r"\sum_{i=1}^{N}": reduction("sum", "i"),
            r"\sum_{t=1}^{T}": reduction("sum", "t"),
            "m_{i,t}": lambda v: v.mask,
            r"\ell_{i,t}": lambda v: v.loss,
        },
        args={"loss_mat": lambda v: v.loss, "mask": lambda v: v.mask, "loss_agg": "token-mean"},
        cover=[
            lambda v: v.mask == 0,
            lambda v: v.sum(v.mask, v.t) == 0,
        ],
    )


@formula_check("AI/LLM/RL/DAPO/DAPO-verl实践", "verl-overlong-penalty")
def check_verl_overlong_penalty() -> Check:
    return Check(
        impl=dapo_overlong_penalty,
        axes={"k": 40},
        inputs={
            "L_max": 30,
            "L_cache": 8,
            # 只取可达长度 n ≤ L_max（verl 的生成在 L_max 处截断）
            "n": lambda v: v.integers(1, v.L_max + 1, v.k),
            "alpha": 0.5,
        },
        symbols={
            "n": lambda v: v.n,
            r"L_{\mathrm{max}}": lambda v: v.L_max,
            r"L_{\mathrm{cache}}": lambda v: v.L_cache,
            r"\alpha": lambda v: v.alpha,
        },
        args={
            "lengths": lambda v: v.n,
            "max_length": lambda v: v.L_max,
            "cache_length": lambda v: v.L_cache,
            "penalty_factor": lambda v: v.alpha,
        },
        cover=[
            lambda v: v.n <= v.L_max - v.L_cache,
            lambda v: (v.n > v.L_max - v.L_cache) & (v.n < v.L_max),
            lambda v: v.n == v.L_max,
        ],
    )

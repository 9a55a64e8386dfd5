"""Checks of the formulas of 为什么 PPO 优于 PG.

Note: [[AI/LLM/RL/Fundamentals/为什么 PPO 优于 PG]]
"""

from __future__ import annotations

from rlref.algos.policy_loss import importance_ratio, ppo_clip_loss, reinforce_loss
from rlref.formulas.api import Check, fn, formula_check, reduction


@formula_check("AI/LLM/RL/Fundamentals/为什么 PPO 优于 PG", "pg-loss")
def check_pg_loss() -> Check:
    return Check(
        impl=reinforce_loss,
        dims={"S": 6, "A": 5},
        axes={"i": 4, "t": 8},
        inputs={
            "P": lambda v: v.simplex(v.S, v.A),
            "s": lambda v: v.integers(0, v.S, v.i, v.t),
            "a": lambda v: v.integers(0, v.A, v.i, v.t),
            "adv": lambda v: v.normal(0, 1, v.i, v.t),
            "mask": lambda v: v.prefix_mask(v.i, v.t),
        },
        symbols={
            "B": lambda v: v.size(v.i),
            r"\sum_{i=1}^{B}": reduction("sum", "i"),
            r"\sum_{t=1}^{T}": reduction("sum", "t"),
            "m_{i,t}": lambda v: v.mask,
            r"\hat{A}_{i,t}": lambda v: v.adv,
            r"\pi_\theta": fn(lambda v, a, s: v.P[s, a], bar=True),
            "a_{i,t}": lambda v: v.a,
            "s_{i,t}": lambda v: v.s,
        },
        # 优势作为 returns 传入（baseline 取 0）；默认聚合 seq-mean-token-sum
        args={
            "logp": lambda v: v.log(v.P[v.s, v.a]),
            "returns": lambda v: v.adv,
            "mask": lambda v: v.mask,
        },
        cover=[
            lambda v: v.mask == 0,
            lambda v: v.mask & (v.adv > 0),
            lambda v: v.mask & (v.adv < 0),
        ],
    )


@formula_check("AI/LLM/RL/Fundamentals/为什么 PPO 优于 PG", "importance-ratio")
def check_importance_ratio() -> Check:
    return Check(
        impl=importance_ratio,
        dims={"S": 5, "A": 4},
        axes={"n": 48},
        inputs={
            "P": lambda v: v.simplex(v.S, v.A),
            "Pold": lambda v: v.simplex(v.S, v.A),
            "s": lambda v: v.integers(0, v.S, v.n),
            "a": lambda v: v.integers(0, v.A, v.n),
        },
        symbols={
            r"\pi_\theta": fn(lambda v, a, s: v.P[s, a], bar=True),
            r"\pi_{\theta_{\mathrm{old}}}": fn(lambda v, a, s: v.Pold[s, a], bar=True),
            "a_t": lambda v: v.a,
            "s_t": lambda v: v.s,
        },
        args={
            "logp": lambda v: v.log(v.P[v.s, v.a]),
            "old_logp": lambda v: v.log(v.Pold[v.s, v.a]),
        },
        cover=[
            lambda v: v.formula > 1,
            lambda v: v.formula < 1,
        ],
    )


@formula_check("AI/LLM/RL/Fundamentals/为什么 PPO 优于 PG", "surrogate-loss")
def check_surrogate_loss() -> Check:
    return Check(
        # 无裁剪的代理目标 = ε 取得足够大时的 ppo_clip_loss（clip 永不生效），token-mean 聚合
        impl=ppo_clip_loss,
        axes={"b": 4, "t": 16},
        inputs={
            "logp": lambda v: v.normal(-1, 0.5, v.b, v.t),
            "old_logp": lambda v: v.normal(-1, 0.5, v.b, v.t),
            "ratio": lambda v: v.exp(v.logp - v.old_logp),
            "adv": lambda v: v.normal(0, 1, v.b, v.t),
            "mask": lambda v: v.prefix_mask(v.b, v.t),
            "eps": 1000000.0,
        },
        symbols={
            # t 遍历 batch 中所有序列的所有位置
            r"\sum_{t=1}^{T}": reduction("sum", "b", "t"),
            "m_t": lambda v: v.mask,
            r"r_t(\theta)": lambda v: v.ratio,
            r"\hat{A}_t": lambda v: v.adv,
        },
        args={
            "logp": lambda v: v.logp,
            "old_logp": lambda v: v.old_logp,
            "advantages": lambda v: v.adv,
            "mask": lambda v: v.mask,
            "clip_eps": lambda v: v.eps,
        },
        relation=lambda v: (v.out.loss, "==", v.formula),
        # 比率远离 1 的样本真的出现（PPO 会裁掉它们）
        cover=[
            lambda v: v.mask & (v.ratio > 1.2) & (v.adv > 0),
            lambda v: v.mask & (v.ratio < 0.8) & (v.adv < 0),
            lambda v: v.mask == 0,
        ],
    )


@formula_check("AI/LLM/RL/Fundamentals/为什么 PPO 优于 PG", "ppo-clip-loss")
def check_ppo_clip_loss() -> Check:
    return Check(
        impl=ppo_clip_loss,
        axes={"b": 4, "t": 16},
        inputs={
            "logp": lambda v: v.normal(-1, 0.5, v.b, v.t),
            "old_logp": lambda v: v.normal(-1, 0.5, v.b, v.t),
            "ratio": lambda v: v.exp(v.logp - v.old_logp),
            "adv": lambda v: v.normal(0, 1, v.b, v.t),
            "mask": lambda v: v.prefix_mask(v.b, v.t),
            "eps": 0.2,
        },
        symbols={
            r"\sum_{t=1}^{T}": reduction("sum", "b", "t"),
            "m_t": lambda v: v.mask,
            r"r_t(\theta)": lambda v: v.ratio,
            r"\hat{A}_t": lambda v: v.adv,
            r"\epsilon": lambda v: v.eps,
        },
        args={
            "logp": lambda v: v.logp,
            "old_logp": lambda v: v.old_logp,
            "advantages": lambda v: v.adv,
            "mask": lambda v: v.mask,
            "clip_eps": lambda v: v.eps,
        },
        relation=lambda v: (v.out.loss, "==", v.formula),
        # 两条 clip 分支、两种优势符号都出现
        cover=[
            lambda v: v.mask & (v.ratio > 1 + v.eps) & (v.adv > 0),
            lambda v: v.mask & (v.ratio > 1 + v.eps) & (v.adv < 0),
            lambda v: v.mask & (v.ratio < 1 - v.eps) & (v.adv > 0),
            lambda v: v.mask & (v.ratio < 1 - v.eps) & (v.adv < 0),
            lambda v: v.mask == 0,
        ],
    )

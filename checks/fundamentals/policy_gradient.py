"""Checks of the formulas of 策略梯度方法.

Note: [[AI/LLM/RL/Fundamentals/策略梯度方法]]
"""

from __future__ import annotations

from rlref.algos.advantages import reinforce_pp_advantages
from rlref.algos.kl import kl_k1
from rlref.algos.policy_loss import reinforce_loss
from rlref.algos.returns import discounted_returns
from rlref.formulas.api import Check, fn, formula_check, indexed, reduction


@formula_check("AI/LLM/RL/Fundamentals/策略梯度方法", "reinforce-loss")
def check_reinforce_loss() -> Check:
    return Check(
        impl=reinforce_loss,
        dims={"S": 6, "A": 5},
        axes={"i": 4, "t": 8},
        inputs={
            "P": lambda v: v.simplex(v.S, v.A),
            "s": lambda v: v.integers(0, v.S, v.i, v.t),
            "a": lambda v: v.integers(0, v.A, v.i, v.t),
            "G": lambda v: v.normal(0, 1, v.i, v.t),
            "bl": lambda v: v.normal(0, 0.5, v.i, v.t),
            "mask": lambda v: v.prefix_mask(v.i, v.t),
        },
        symbols={
            "B": lambda v: v.size(v.i),
            r"\sum_{i=1}^{B}": reduction("sum", "i"),
            r"\sum_{t=0}^{T-1}": reduction("sum", "t"),
            "m_{i,t}": lambda v: v.mask,
            "G_{i,t}": lambda v: v.G,
            "b_{i,t}": lambda v: v.bl,
            r"\pi_\theta": fn(lambda v, a, s: v.P[s, a], bar=True),
            "a_{i,t}": lambda v: v.a,
            "s_{i,t}": lambda v: v.s,
        },
        # 默认聚合 seq-mean-token-sum：序列内求和、序列间平均（prefix_mask 保证每行至少一个有效
        # token）
        args={
            "logp": lambda v: v.log(v.P[v.s, v.a]),
            "returns": lambda v: v.G,
            "mask": lambda v: v.mask,
            "baseline": lambda v: v.bl,
        },
        cover=[
            lambda v: v.mask == 0,
            lambda v: v.mask & (v.G - v.bl > 0),
            lambda v: v.mask & (v.G - v.bl < 0),
        ],
    )


@formula_check("AI/LLM/RL/Fundamentals/策略梯度方法", "rpp-token-reward")
def check_rpp_token_reward() -> Check:
    return Check(
        # 没有函数直接返回 r_t（它是 reinforce_pp_advantages 的输入）；检查括号里的项就是代码的
        # kl_k1(old, ref)、以 −β 进入奖励，结果奖励只落在最后一个有效 token（下标 T−1）上
        impl=kl_k1,
        dims={"H": 6, "V": 5},
        axes={"i": 4, "t": 8},
        inputs={
            "Pold": lambda v: v.simplex(v.H, v.V),
            "Pref": lambda v: v.simplex(v.H, v.V),
            "s": lambda v: v.integers(0, v.H, v.i, v.t),
            "a": lambda v: v.integers(0, v.V, v.i, v.t),
            "R": lambda v: v.normal(0, 1, v.i),
            "mask": lambda v: v.prefix_mask(v.i, v.t),
            "L": lambda v: v.sum(v.mask, v.t),
            "beta": 0.05,
        },
        symbols={
            "T": lambda v: v.L,
            "R(x, y)": lambda v: v.R,
            r"\beta": lambda v: v.beta,
            r"\pi_{\theta_{\mathrm{old}}}": fn(lambda v, a, s: v.Pold[s, a], bar=True),
            r"\pi_{\mathrm{ref}}": fn(lambda v, a, s: v.Pref[s, a], bar=True),
            "a_t": lambda v: v.a,
            "s_t": lambda v: v.s,
        },
        args={
            "logp": lambda v: v.log(v.Pold[v.s, v.a]),
            "ref_logp": lambda v: v.log(v.Pref[v.s, v.a]),
        },
        relation=lambda v: (
            v.where(v.mask, v.where(v.t == v.L - 1, v.R, 0) - v.formula, 0),
            "==",
            v.where(v.mask, v.beta * v.out, 0),
        ),
        cover=[
            lambda v: v.mask == 0,
            lambda v: v.mask & (v.out > 0),
            lambda v: v.mask & (v.out < 0),
        ],
    )


@formula_check("AI/LLM/RL/Fundamentals/策略梯度方法", "rpp-return")
def check_rpp_return() -> Check:
    return Check(
        # reinforce_pp_advantages 先用 discounted_returns 算这个回报，再做全 batch 白化
        impl=discounted_returns,
        dims={"B": 4, "T": 8},
        axes={"i": lambda v: v.B, "t": lambda v: v.T, "k": lambda v: v.T},
        inputs={
            "R": lambda v: v.normal(0, 1, v.B, v.T),
            "M": lambda v: v.prefix_mask(v.B, v.T),
            "L": lambda v: v.sum(v.M, 1),
            "gamma": lambda v: v.uniform(0.8, 1.0),
            "mask": lambda v: v.M[v.i, v.t],
        },
        symbols={
            # T：每条回答的有效长度
            r"\sum_{k=t}^{T-1}": reduction(
                "sum", "k", where=lambda v: (v.k >= v.t) & (v.k < v.L[v.i])
            ),
            r"\gamma": lambda v: v.gamma,
            "r": indexed(lambda v, j: v.get(v.R, v.i, j, default=0)),
        },
        args={"rewards": lambda v: v.R, "gamma": lambda v: v.gamma, "mask": lambda v: v.M},
        relation=lambda v: (v.out, "==", v.where(v.mask, v.formula, 0)),
        cover=[
            lambda v: v.mask == 0,
        ],
    )


@formula_check("AI/LLM/RL/Fundamentals/策略梯度方法", "rpp-batch-mean")
def check_rpp_batch_mean() -> Check:
    return Check(
        # 代码不单独返回 μ：把笔记的 μ 代入白化（σ² 按 rpp-batch-var 的定义），与代码的优势比较
        impl=reinforce_pp_advantages,
        axes={"i": 4, "t": 8},
        inputs={
            "r": lambda v: v.normal(0, 1, v.i, v.t),
            "mask": lambda v: v.prefix_mask(v.i, v.t),
            "gamma": lambda v: v.uniform(0.9, 1.0),
            "eps": 1e-08,
            "G": lambda v: v.call(discounted_returns, v.r, v.gamma, v.mask),
        },
        symbols={
            r"\sum_{i=1}^{B}": reduction("sum", "i"),
            r"\sum_{t=0}^{T-1}": reduction("sum", "t"),
            "m_{i,t}": lambda v: v.mask,
            "G_{i,t}": lambda v: v.G,
        },
        args={
            "token_rewards": lambda v: v.r,
            "mask": lambda v: v.mask,
            "gamma": lambda v: v.gamma,
            "eps": lambda v: v.eps,
        },
        relation=lambda v: (
            v.out,
            "==",
            v.where(
                v.mask,
                (v.G - v.formula)
                / v.sqrt(v.sum((v.G - v.formula) ** 2 * v.mask) / (v.sum(v.mask) - 1) + v.eps),
                0,
            ),
        ),
        cover=[
            lambda v: v.mask == 0,
        ],
    )


@formula_check("AI/LLM/RL/Fundamentals/策略梯度方法", "rpp-batch-var")
def check_rpp_batch_var() -> Check:
    return Check(
        impl=reinforce_pp_advantages,
        axes={"i": 4, "t": 8},
        inputs={
            "r": lambda v: v.normal(0, 1, v.i, v.t),
            "mask": lambda v: v.prefix_mask(v.i, v.t),
            "gamma": lambda v: v.uniform(0.9, 1.0),
            "eps": 1e-08,
            "G": lambda v: v.call(discounted_returns, v.r, v.gamma, v.mask),
            "mu": lambda v: v.sum(v.G * v.mask) / v.sum(v.mask),
        },
        symbols={
            r"\sum_{i=1}^{B}": reduction("sum", "i"),
            r"\sum_{t=0}^{T-1}": reduction("sum", "t"),
            "m_{i,t}": lambda v: v.mask,
            "G_{i,t}": lambda v: v.G,
            r"\mu": lambda v: v.mu,
        },
        args={
            "token_rewards": lambda v: v.r,
            "mask": lambda v: v.mask,
            "gamma": lambda v: v.gamma,
            "eps": lambda v: v.eps,
        },
        relation=lambda v: (
            v.out,
            "==",
            v.where(v.mask, (v.G - v.mu) / v.sqrt(v.formula + v.eps), 0),
        ),
        cover=[
            lambda v: v.mask == 0,
        ],
    )


@formula_check("AI/LLM/RL/Fundamentals/策略梯度方法", "rpp-advantage")
def check_rpp_advantage() -> Check:
    return Check(
        impl=reinforce_pp_advantages,
        axes={"i": 4, "t": 8},
        inputs={
            "r": lambda v: v.normal(0, 1, v.i, v.t),
            "mask": lambda v: v.prefix_mask(v.i, v.t),
            "gamma": lambda v: v.uniform(0.9, 1.0),
            "eps": 1e-08,
            "G": lambda v: v.call(discounted_returns, v.r, v.gamma, v.mask),
            "mu": lambda v: v.sum(v.G * v.mask) / v.sum(v.mask),
        },
        symbols={
            "G_{i,t}": lambda v: v.G,
            r"\mu": lambda v: v.mu,
            # 带 Bessel 校正的方差
            r"\sigma^{2}": lambda v: v.sum((v.G - v.mu) ** 2 * v.mask) / (v.sum(v.mask) - 1),
            r"\epsilon": lambda v: v.eps,
        },
        args={
            "token_rewards": lambda v: v.r,
            "mask": lambda v: v.mask,
            "gamma": lambda v: v.gamma,
            "eps": lambda v: v.eps,
        },
        # padding 位置输出 0
        relation=lambda v: (v.out, "==", v.where(v.mask, v.formula, 0)),
        cover=[
            lambda v: v.mask == 0,
            lambda v: v.mask & (v.formula > 0),
            lambda v: v.mask & (v.formula < 0),
        ],
    )

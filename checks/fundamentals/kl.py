"""Checks of the formulas of KL散度.

Note: [[AI/LLM/RL/Fundamentals/KL散度]]
"""

from __future__ import annotations

from rlref.algos.kl import kl_categorical, kl_k1, kl_k2, kl_k3
from rlref.algos.policy_loss import grpo_loss
from rlref.formulas.api import Check, fn, formula_check, indexed, reduction


@formula_check("AI/LLM/RL/Fundamentals/KL散度", "kl-categorical")
def check_kl_categorical() -> Check:
    return Check(
        impl=kl_categorical,
        dims={"B": 3, "V": 6},
        axes={"b": lambda v: v.B, "i": lambda v: v.V},
        inputs={
            "zp": lambda v: v.normal(0, 1.5, v.B, v.V),
            "zq": lambda v: v.normal(0, 1.5, v.B, v.V),
        },
        symbols={
            r"\sum_{i=1}^{V}": reduction("sum", "i"),
            "p": indexed(lambda v, k: v.softmax(v.zp, -1)[v.b, k]),
            "q": indexed(lambda v, k: v.softmax(v.zq, -1)[v.b, k]),
        },
        args={"p_logits": lambda v: v.zp, "q_logits": lambda v: v.zq},
    )


@formula_check("AI/LLM/RL/Fundamentals/KL散度", "kl-ratio")
def check_kl_ratio() -> Check:
    return Check(
        # 没有函数单独返回 r：kl_k3 按 r − 1 − log r 计算，把笔记的 r 代进去必须得到代码的 k3
        impl=kl_k3,
        dims={"S": 4, "A": 5},
        axes={"n": 32},
        inputs={
            "P": lambda v: v.simplex(v.S, v.A),
            "Pref": lambda v: v.simplex(v.S, v.A),
            "s": lambda v: v.integers(0, v.S, v.n),
            "a": lambda v: v.integers(0, v.A, v.n),
        },
        symbols={
            r"\pi_\theta": fn(lambda v, a, s: v.P[s, a], bar=True),
            r"\pi_{\mathrm{ref}}": fn(lambda v, a, s: v.Pref[s, a], bar=True),
            "a_t": lambda v: v.a,
            "s_t": lambda v: v.s,
        },
        args={
            "logp": lambda v: v.log(v.P[v.s, v.a]),
            "ref_logp": lambda v: v.log(v.Pref[v.s, v.a]),
        },
        relation=lambda v: (v.out, "==", v.formula - 1 - v.log(v.formula)),
        cover=[
            lambda v: v.formula > 1,
            lambda v: v.formula < 1,
        ],
    )


@formula_check("AI/LLM/RL/Fundamentals/KL散度", "kl-k1")
def check_kl_k1() -> Check:
    return Check(
        impl=kl_k1,
        dims={"S": 4, "A": 5},
        axes={"n": 32},
        inputs={
            "P": lambda v: v.simplex(v.S, v.A),
            "Pref": lambda v: v.simplex(v.S, v.A),
            "s": lambda v: v.integers(0, v.S, v.n),
            "a": lambda v: v.integers(0, v.A, v.n),
        },
        symbols={
            r"\pi_\theta": fn(lambda v, a, s: v.P[s, a], bar=True),
            r"\pi_{\mathrm{ref}}": fn(lambda v, a, s: v.Pref[s, a], bar=True),
            "a_t": lambda v: v.a,
            "s_t": lambda v: v.s,
        },
        args={
            "logp": lambda v: v.log(v.P[v.s, v.a]),
            "ref_logp": lambda v: v.log(v.Pref[v.s, v.a]),
        },
        # 单样本的 k1 正负都有
        cover=[
            lambda v: v.out > 0,
            lambda v: v.out < 0,
        ],
    )


@formula_check("AI/LLM/RL/Fundamentals/KL散度", "kl-k2")
def check_kl_k2() -> Check:
    return Check(
        impl=kl_k2,
        dims={"S": 4, "A": 5},
        axes={"n": 32},
        inputs={
            "P": lambda v: v.simplex(v.S, v.A),
            "Pref": lambda v: v.simplex(v.S, v.A),
            "s": lambda v: v.integers(0, v.S, v.n),
            "a": lambda v: v.integers(0, v.A, v.n),
        },
        symbols={
            r"\pi_\theta": fn(lambda v, a, s: v.P[s, a], bar=True),
            r"\pi_{\mathrm{ref}}": fn(lambda v, a, s: v.Pref[s, a], bar=True),
            "a_t": lambda v: v.a,
            "s_t": lambda v: v.s,
        },
        args={
            "logp": lambda v: v.log(v.P[v.s, v.a]),
            "ref_logp": lambda v: v.log(v.Pref[v.s, v.a]),
        },
    )


@formula_check("AI/LLM/RL/Fundamentals/KL散度", "kl-k3")
def check_kl_k3() -> Check:
    return Check(
        impl=kl_k3,
        dims={"S": 4, "A": 5},
        axes={"n": 32},
        inputs={
            "P": lambda v: v.simplex(v.S, v.A),
            "Pref": lambda v: v.simplex(v.S, v.A),
            "s": lambda v: v.integers(0, v.S, v.n),
            "a": lambda v: v.integers(0, v.A, v.n),
        },
        symbols={
            r"\pi_\theta": fn(lambda v, a, s: v.P[s, a], bar=True),
            r"\pi_{\mathrm{ref}}": fn(lambda v, a, s: v.Pref[s, a], bar=True),
            "a_t": lambda v: v.a,
            "s_t": lambda v: v.s,
        },
        args={
            "logp": lambda v: v.log(v.P[v.s, v.a]),
            "ref_logp": lambda v: v.log(v.Pref[v.s, v.a]),
        },
        cover=[
            lambda v: v.P[v.s, v.a] > v.Pref[v.s, v.a],
            lambda v: v.P[v.s, v.a] < v.Pref[v.s, v.a],
        ],
    )


@formula_check("AI/LLM/RL/Fundamentals/KL散度", "kl-k3-unbiased")
def check_kl_k3_unbiased() -> Check:
    return Check(
        # 恒等式，两边都从笔记读出：左边是代码的 k3 在 π_θ 下的精确期望（穷举小词表），
        # 右边是代码算的精确 KL
        dims={"S": 4, "A": 6},
        axes={"s": lambda v: v.S, "a": lambda v: v.A},
        inputs={
            "P": lambda v: v.simplex(v.S, v.A),
            "Pref": lambda v: v.simplex(v.S, v.A),
            "k3": lambda v: v.call(kl_k3, v.log(v.P), v.log(v.Pref)),
        },
        symbols={
            r"\mathbb{E}_{a \sim \pi_\theta}": reduction(
                "mean", "a", weights=lambda v: v.P[v.s, v.a]
            ),
            "k_3": lambda v: v.k3[v.s, v.a],
            r"D_{\mathrm{KL}}": fn(
                lambda v, p, q: v.expand_dims(v.call(kl_categorical, v.log(p), v.log(q)), -1),
                bar=True,
            ),
            r"\pi_\theta": lambda v: v.P[v.s, v.a],
            r"\pi_{\mathrm{ref}}": lambda v: v.Pref[v.s, v.a],
        },
        relation=lambda v: (v.lhs, "==", v.formula),
    )


@formula_check("AI/LLM/RL/Fundamentals/KL散度", "kl-reward-penalty")
def check_kl_reward_penalty() -> Check:
    return Check(
        # 没有"奖励整形"函数：检查从奖励里减掉的量正是 β 乘以代码的 kl_k1（方向 θ − ref）
        impl=kl_k1,
        dims={"S": 4, "A": 5},
        axes={"i": 4, "t": 8},
        inputs={
            "P": lambda v: v.simplex(v.S, v.A),
            "Pref": lambda v: v.simplex(v.S, v.A),
            "s": lambda v: v.integers(0, v.S, v.i, v.t),
            "a": lambda v: v.integers(0, v.A, v.i, v.t),
            "rew": lambda v: v.normal(0, 1, v.i, v.t),
            "beta": 0.1,
        },
        symbols={
            "r_t": lambda v: v.rew,
            r"\beta": lambda v: v.beta,
            r"\pi_\theta": fn(lambda v, a, s: v.P[s, a], bar=True),
            r"\pi_{\mathrm{ref}}": fn(lambda v, a, s: v.Pref[s, a], bar=True),
            "a_t": lambda v: v.a,
            "s_t": lambda v: v.s,
        },
        args={
            "logp": lambda v: v.log(v.P[v.s, v.a]),
            "ref_logp": lambda v: v.log(v.Pref[v.s, v.a]),
        },
        relation=lambda v: (v.rew - v.formula, "==", v.beta * v.out),
        cover=[
            lambda v: v.out > 0,
            lambda v: v.out < 0,
        ],
    )


@formula_check("AI/LLM/RL/Fundamentals/KL散度", "kl-loss-term")
def check_kl_loss_term() -> Check:
    return Check(
        # 对 grpo_loss（token-mean 聚合）检查：token 损失 = 策略项 + β·k3，聚合是对有效 token 取平均
        impl=grpo_loss,
        axes={"i": 6, "t": 10},
        inputs={
            "logp": lambda v: v.normal(-1, 0.4, v.i, v.t),
            "old_logp": lambda v: v.normal(-1, 0.4, v.i, v.t),
            "ref_logp": lambda v: v.normal(-1, 0.4, v.i, v.t),
            "ratio": lambda v: v.exp(v.logp - v.old_logp),
            "adv": lambda v: v.normal(0, 1, v.i, v.t),
            "mask": lambda v: v.prefix_mask(v.i, v.t),
            "eps": 0.2,
            "beta": 0.5,
        },
        symbols={
            # ℓ^PG：PPO-clip 的逐 token 负目标（它本身在 PPO 原理笔记的 ppo-clip 中对代码检查）
            r"\ell^{\mathrm{PG}}_t": lambda v: (
                -v.minimum(v.ratio * v.adv, v.clip(v.ratio, 1 - v.eps, 1 + v.eps) * v.adv)
            ),
            r"\beta": lambda v: v.beta,
            "k_3": lambda v: v.call(kl_k3, v.logp, v.ref_logp),
        },
        args={
            "logp": lambda v: v.logp,
            "old_logp": lambda v: v.old_logp,
            "ref_logp": lambda v: v.ref_logp,
            "advantages": lambda v: v.adv,
            "mask": lambda v: v.mask,
            "beta": lambda v: v.beta,
            "clip_eps": lambda v: v.eps,
            "loss_agg": "token-mean",
        },
        relation=lambda v: (v.out.loss, "==", v.sum(v.formula * v.mask) / v.sum(v.mask)),
        cover=[
            lambda v: v.mask & (v.ratio > 1 + v.eps) & (v.adv > 0),
            lambda v: v.mask & (v.ratio < 1 - v.eps) & (v.adv < 0),
            lambda v: v.mask == 0,
        ],
    )

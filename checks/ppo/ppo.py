"""Checks of the formulas of PPO 原理.

Note: [[AI/LLM/RL/PPO/PPO 原理]]
"""

from __future__ import annotations

from rlref.algos.kl import kl_k1
from rlref.algos.lm import entropy_from_logits
from rlref.algos.objectives import ppo_total_loss
from rlref.algos.policy_loss import (
    entropy_bonus,
    importance_ratio,
    ppo_clip_loss,
    value_loss_clipped,
)
from rlref.formulas.api import Check, fn, formula_check, index, reduction


@formula_check("AI/LLM/RL/PPO/PPO 原理", "ppo-ratio")
def check_ppo_ratio() -> Check:
    return Check(
        impl=importance_ratio,
        dims={"S": 6, "V": 5},
        axes={"b": 4, "t": 8},
        inputs={
            # π_θ(· | s)：每个状态一张分布
            "P": lambda v: v.simplex(v.S, v.V),
            "P_old": lambda v: v.simplex(v.S, v.V),
            # 每个 token 位置的状态（前缀）
            "s": lambda v: v.integers(0, v.S, v.b, v.t),
            # 被采样的 token
            "a": lambda v: v.integers(0, v.V, v.b, v.t),
        },
        symbols={
            r"\pi_\theta": fn(lambda v, a, s: v.P[s, a], bar=True),
            r"\pi_{\theta_{\mathrm{old}}}": fn(lambda v, a, s: v.P_old[s, a], bar=True),
            "a_t": lambda v: v.a,
            "s_t": lambda v: v.s,
        },
        args={
            "logp": lambda v: v.log(v.P[v.s, v.a]),
            "old_logp": lambda v: v.log(v.P_old[v.s, v.a]),
        },
    )


@formula_check("AI/LLM/RL/PPO/PPO 原理", "ppo-clip")
def check_ppo_clip() -> Check:
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
            # 所有有效 token 的平均（token-mean）
            r"\mathbb{E}_t": reduction("mean", "b", "t", where=lambda v: v.mask),
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
        # 代码最小化 −L^CLIP
        relation=lambda v: (v.out.loss, "==", -v.formula),
        # 两条 clip 分支、两种优势符号、padding
        cover=[
            lambda v: v.mask & (v.ratio > 1 + v.eps) & (v.adv > 0),
            lambda v: v.mask & (v.ratio > 1 + v.eps) & (v.adv < 0),
            lambda v: v.mask & (v.ratio < 1 - v.eps) & (v.adv > 0),
            lambda v: v.mask & (v.ratio < 1 - v.eps) & (v.adv < 0),
            lambda v: v.mask == 0,
        ],
    )


@formula_check("AI/LLM/RL/PPO/PPO 原理", "ppo-dual-clip")
def check_ppo_dual_clip() -> Check:
    return Check(
        impl=ppo_clip_loss,
        axes={"b": 4, "t": 16},
        inputs={
            "logp": lambda v: v.normal(-1, 0.8, v.b, v.t),
            "old_logp": lambda v: v.normal(-1, 0.8, v.b, v.t),
            "ratio": lambda v: v.exp(v.logp - v.old_logp),
            "adv": lambda v: v.normal(0, 1, v.b, v.t),
            "mask": lambda v: v.prefix_mask(v.b, v.t),
            "eps": 0.2,
            "c": 3.0,
        },
        symbols={
            r"\mathbb{E}_t": reduction("mean", "b", "t", where=lambda v: v.mask),
            r"r_t(\theta)": lambda v: v.ratio,
            r"\hat{A}_t": lambda v: v.adv,
            r"\epsilon": lambda v: v.eps,
            "c": lambda v: v.c,
        },
        args={
            "logp": lambda v: v.logp,
            "old_logp": lambda v: v.old_logp,
            "advantages": lambda v: v.adv,
            "mask": lambda v: v.mask,
            "clip_eps": lambda v: v.eps,
            "clip_ratio_c": lambda v: v.c,
        },
        relation=lambda v: (v.out.loss, "==", -v.formula),
        cover=[
            # 双重裁剪真的生效
            lambda v: v.mask & (v.ratio > v.c) & (v.adv < 0),
            # 负优势、比率大但未到 c
            lambda v: v.mask & (v.ratio > 1 + v.eps) & (v.ratio < v.c) & (v.adv < 0),
            lambda v: v.mask & (v.ratio > 1 + v.eps) & (v.adv > 0),
            lambda v: v.mask & (v.ratio < 1 - v.eps) & (v.adv < 0),
            lambda v: v.mask == 0,
        ],
    )


@formula_check("AI/LLM/RL/PPO/PPO 原理", "ppo-value-clip")
def check_ppo_value_clip() -> Check:
    return Check(
        impl=value_loss_clipped,
        axes={"b": 4, "t": 12},
        inputs={
            "V": lambda v: v.normal(0, 1, v.b, v.t),
            "V_old": lambda v: v.V + v.normal(0, 0.3, v.b, v.t),
            "R": lambda v: v.normal(0, 1, v.b, v.t),
            "mask": lambda v: v.prefix_mask(v.b, v.t),
            "eps_v": 0.2,
        },
        symbols={
            r"\mathbb{E}_t": reduction("mean", "b", "t", where=lambda v: v.mask),
            r"V_\phi(s_t)": lambda v: v.V,
            r"V_{\phi_{\mathrm{old}}}(s_t)": lambda v: v.V_old,
            r"\hat{R}_t": lambda v: v.R,
            r"\epsilon_v": lambda v: v.eps_v,
        },
        args={
            "values": lambda v: v.V,
            "old_values": lambda v: v.V_old,
            "returns": lambda v: v.R,
            "mask": lambda v: v.mask,
            "clip_range_value": lambda v: v.eps_v,
        },
        # 直接最小化，没有符号翻转
        relation=lambda v: (v.out.loss, "==", v.formula),
        cover=[
            # clip 生效
            lambda v: v.mask & (v.abs(v.V - v.V_old) > v.eps_v),
            # 截断项更大
            lambda v: (
                v.mask
                & (
                    (v.V_old + v.clip(v.V - v.V_old, -v.eps_v, v.eps_v) - v.R) ** 2
                    > (v.V - v.R) ** 2
                )
            ),
            lambda v: (
                v.mask
                & (
                    (v.V_old + v.clip(v.V - v.V_old, -v.eps_v, v.eps_v) - v.R) ** 2
                    < (v.V - v.R) ** 2
                )
            ),
            lambda v: v.mask == 0,
        ],
    )


@formula_check("AI/LLM/RL/PPO/PPO 原理", "ppo-entropy")
def check_ppo_entropy() -> Check:
    return Check(
        impl=entropy_from_logits,
        dims={"B": 3, "T": 6, "K": 5},
        axes={"b": lambda v: v.B, "t": lambda v: v.T, "k": lambda v: v.K},
        inputs={"logits": lambda v: v.normal(0, 2, v.B, v.T, v.K)},
        symbols={
            r"\sum_{k=1}^{K}": reduction("sum", "k"),
            r"\pi_\theta": fn(lambda v, k, s: v.softmax(v.logits, -1)[v.b, s, k], bar=True),
            "s_t": index("t"),
        },
        args={"logits": lambda v: v.logits},
        relation=lambda v: (v.out[v.b, v.t], "==", v.formula),
    )


@formula_check("AI/LLM/RL/PPO/PPO 原理", "ppo-entropy-bonus")
def check_ppo_entropy_bonus() -> Check:
    return Check(
        impl=entropy_bonus,
        axes={"b": 3, "t": 6},
        inputs={
            "H": lambda v: v.uniform(0, 2, v.b, v.t),
            "mask": lambda v: v.prefix_mask(v.b, v.t),
            "coef": 0.01,
        },
        symbols={
            r"\mathbb{E}_t": reduction("mean", "b", "t", where=lambda v: v.mask),
            r"\mathcal{H}_t": lambda v: v.H,
            "c_2": lambda v: v.coef,
        },
        args={"entropy": lambda v: v.H, "mask": lambda v: v.mask, "coef": lambda v: v.coef},
        cover=[
            lambda v: v.mask == 0,
        ],
    )


@formula_check("AI/LLM/RL/PPO/PPO 原理", "ppo-total")
def check_ppo_total() -> Check:
    return Check(
        impl=ppo_total_loss,
        axes={"b": 4, "t": 12},
        inputs={
            "logp": lambda v: v.normal(-1, 0.5, v.b, v.t),
            "old_logp": lambda v: v.normal(-1, 0.5, v.b, v.t),
            "ratio": lambda v: v.exp(v.logp - v.old_logp),
            "adv": lambda v: v.normal(0, 1, v.b, v.t),
            "V": lambda v: v.normal(0, 1, v.b, v.t),
            "V_old": lambda v: v.V + v.normal(0, 0.3, v.b, v.t),
            "R": lambda v: v.normal(0, 1, v.b, v.t),
            "H": lambda v: v.uniform(0, 2, v.b, v.t),
            "mask": lambda v: v.prefix_mask(v.b, v.t),
            "eps": 0.2,
            "eps_v": 0.2,
            "c1": 0.5,
            "c2": 0.1,
        },
        symbols={
            r"\mathbb{E}_t": reduction("mean", "b", "t", where=lambda v: v.mask),
            # 逐 token 的各项：第 2 节的 clip 目标、第 4 节的 clipped value loss、第 5 节的熵
            r"L^{\mathrm{CLIP}}_t(\theta)": lambda v: v.minimum(
                v.ratio * v.adv, v.clip(v.ratio, 1 - v.eps, 1 + v.eps) * v.adv
            ),
            r"L^{\mathrm{VF}}_t(\theta)": lambda v: (
                0.5
                * v.maximum(
                    (v.V - v.R) ** 2, (v.clip(v.V, v.V_old - v.eps_v, v.V_old + v.eps_v) - v.R) ** 2
                )
            ),
            r"S_t(\theta)": lambda v: v.H,
            "c_1": lambda v: v.c1,
            "c_2": lambda v: v.c2,
        },
        args={
            "logp": lambda v: v.logp,
            "old_logp": lambda v: v.old_logp,
            "advantages": lambda v: v.adv,
            "values": lambda v: v.V,
            "old_values": lambda v: v.V_old,
            "returns": lambda v: v.R,
            "entropy": lambda v: v.H,
            "mask": lambda v: v.mask,
            "clip_eps": lambda v: v.eps,
            "clip_range_value": lambda v: v.eps_v,
            "vf_coef": lambda v: v.c1,
            "ent_coef": lambda v: v.c2,
        },
        # 代码最小化 −L^total
        relation=lambda v: (v.out.loss, "==", -v.formula),
        cover=[
            lambda v: v.mask == 0,
        ],
    )


@formula_check("AI/LLM/RL/PPO/PPO 原理", "ppo-kl-reward")
def check_ppo_kl_reward() -> Check:
    return Check(
        impl=kl_k1,
        dims={"S": 6, "V": 5},
        axes={"b": 4, "t": 7},
        inputs={
            # rollout 时刻的策略
            "P": lambda v: v.simplex(v.S, v.V),
            "P_ref": lambda v: v.simplex(v.S, v.V),
            "s": lambda v: v.integers(0, v.S, v.b, v.t),
            "a": lambda v: v.integers(0, v.V, v.b, v.t),
            "mask": lambda v: v.prefix_mask(v.b, v.t),
            # 最后一个有效 token 的位置
            "last": lambda v: v.sum(v.mask, v.t) - 1,
            # r_φ(x, y)，每条回答一个
            "score": lambda v: v.normal(0, 1, v.b),
            "beta": 0.05,
        },
        symbols={
            "T": lambda v: v.last,
            r"r_\phi": fn(lambda v, x, y: v.score),
            "x": 0,
            "y": 0,
            r"\beta": lambda v: v.beta,
            r"\pi_\theta": fn(lambda v, a, s: v.P[s, a], bar=True),
            r"\pi_{\mathrm{ref}}": fn(lambda v, a, s: v.P_ref[s, a], bar=True),
            "a_t": lambda v: v.a,
            "s_t": lambda v: v.s,
        },
        args={
            "logp": lambda v: v.log(v.P[v.s, v.a]),
            "ref_logp": lambda v: v.log(v.P_ref[v.s, v.a]),
        },
        # 代码给出逐 token 的 k1；奖励模型分数只落在最后一个有效 token 上
        relation=lambda v: (
            v.where(v.mask, v.score * (v.t == v.last) - v.beta * v.out, 0),
            "==",
            v.where(v.mask, v.formula, 0),
        ),
    )

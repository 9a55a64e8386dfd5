"""Checks of the formulas of RLOO 原理.

Note: [[AI/LLM/RL/RLOO/RLOO 原理]]
"""

from __future__ import annotations

from rlref.algos.advantages import rloo_advantages
from rlref.algos.policy_loss import ppo_clip_loss
from rlref.algos.rloo_rewards import rloo_shaped_rewards
from rlref.formulas.api import Check, fn, formula_check, indexed, reduction


@formula_check("AI/LLM/RL/RLOO/RLOO 原理", "rloo-kl-shaped-reward")
def check_rloo_kl_shaped_reward() -> Check:
    return Check(
        # 不裁剪分数时，rloo_shaped_rewards 就是这条式子；log π(y|x) 是补全各 token 的对数概率之和
        impl=rloo_shaped_rewards,
        dims={"X": 4, "Y": 6},
        axes={"n": 32, "t": 3},
        inputs={
            "Pold": lambda v: v.simplex(v.X, v.Y),
            "Pref": lambda v: v.simplex(v.X, v.Y),
            # 奖励模型 / 规则给出的分数
            "Rm": lambda v: v.normal(0, 1, v.X, v.Y),
            "x": lambda v: v.integers(0, v.X, v.n),
            "y": lambda v: v.integers(0, v.Y, v.n),
            "beta": lambda v: v.uniform(0.01, 0.2),
            # 序列对数概率随机拆到各有效 token 上（只有它们的和进入公式），填充位置放干扰值
            "mask": lambda v: v.prefix_mask(v.n, v.t),
            "split": lambda v: v.simplex(v.n, v.t) * v.mask,
            "share": lambda v: v.split / v.split.sum(-1, keepdims=True),
            "junk": lambda v: v.normal(0, 5, v.n, v.t) * (v.mask == 0),
        },
        symbols={
            "r": fn(lambda v, x, y: v.Rm[x, y]),
            r"\pi_{\mathrm{old}}": fn(lambda v, y, x: v.Pold[x, y], bar=True),
            r"\pi_{\mathrm{ref}}": fn(lambda v, y, x: v.Pref[x, y], bar=True),
            r"\beta": lambda v: v.beta,
            "x": lambda v: v.x,
            "y": lambda v: v.y,
        },
        args={
            "rewards": lambda v: v.Rm[v.x, v.y][:, 0],
            "old_token_logps": lambda v: v.log(v.Pold[v.x, v.y]) * v.share + v.junk,
            "ref_token_logps": lambda v: v.log(v.Pref[v.x, v.y]) * v.share - v.junk,
            "mask": lambda v: v.mask,
            "beta": lambda v: v.beta,
        },
        relation=lambda v: (v.formula, "==", v.out),
        # 序列 KL 的单样本 k1 估计两种符号都出现
        cover=[
            lambda v: v.Pold[v.x, v.y] > v.Pref[v.x, v.y],
            lambda v: v.Pold[v.x, v.y] < v.Pref[v.x, v.y],
            lambda v: v.mask == 0,
        ],
    )


@formula_check("AI/LLM/RL/RLOO/RLOO 原理", "rloo-baseline")
def check_rloo_baseline() -> Check:
    return Check(
        impl=rloo_advantages,
        dims={"P": 3, "K": 5},
        axes={"g": lambda v: v.P, "i": lambda v: v.K, "j": lambda v: v.K},
        inputs={
            # P 个 prompt，各 K 条回答的序列奖励
            "R": lambda v: v.normal(0, 1, v.P, v.K),
        },
        symbols={
            "R": indexed(lambda v, n: v.R[v.g, n]),
            "k": lambda v: v.K,
            r"\sum_{j=1}^{k}": reduction("sum", "j"),
        },
        args={"rewards": lambda v: v.reshape(v.R, v.P * v.K), "group_size": lambda v: v.K},
        # 基线 = 奖励 − 优势
        relation=lambda v: (v.R[v.g, v.i] - v.reshape(v.out, v.P, v.K)[v.g, v.i], "==", v.formula),
    )


@formula_check("AI/LLM/RL/RLOO/RLOO 原理", "rloo-advantage")
def check_rloo_advantage() -> Check:
    return Check(
        impl=rloo_advantages,
        dims={"P": 3, "K": 5},
        axes={"g": lambda v: v.P, "i": lambda v: v.K, "j": lambda v: v.K},
        inputs={"R": lambda v: v.normal(0, 1, v.P, v.K)},
        symbols={
            "R": indexed(lambda v, n: v.R[v.g, n]),
            "k": lambda v: v.K,
            r"\sum_{j=1}^{k}": reduction("sum", "j"),
        },
        args={"rewards": lambda v: v.reshape(v.R, v.P * v.K), "group_size": lambda v: v.K},
        relation=lambda v: (v.reshape(v.out, v.P, v.K)[v.g, v.i], "==", v.formula),
        cover=[
            lambda v: v.formula > 0,
            lambda v: v.formula < 0,
        ],
    )


@formula_check("AI/LLM/RL/RLOO/RLOO 原理", "rloo-advantage-mean-form")
def check_rloo_advantage_mean_form() -> Check:
    return Check(
        impl=rloo_advantages,
        dims={"P": 3, "K": 5},
        axes={"g": lambda v: v.P, "i": lambda v: v.K, "j": lambda v: v.K},
        inputs={"R": lambda v: v.normal(0, 1, v.P, v.K)},
        symbols={
            "R": indexed(lambda v, n: v.R[v.g, n]),
            "k": lambda v: v.K,
            r"\sum_{j=1}^{k}": reduction("sum", "j"),
        },
        args={"rewards": lambda v: v.reshape(v.R, v.P * v.K), "group_size": lambda v: v.K},
        relation=lambda v: (v.reshape(v.out, v.P, v.K)[v.g, v.i], "==", v.formula),
        cover=[
            lambda v: v.formula > 0,
            lambda v: v.formula < 0,
        ],
    )


@formula_check("AI/LLM/RL/RLOO/RLOO 原理", "rloo-trl-clipped-loss")
def check_rloo_trl_clipped_loss() -> Check:
    return Check(
        # 整段回答是一步：每行第 0 列放序列 log-prob，第 1 列是 padding（掩码 0），
        # 于是 ppo_clip_loss 的 token-mean 就是对序列取平均（TRL 的 per_sequence_loss.mean()）
        impl=ppo_clip_loss,
        axes={"n": 64, "t": 2},
        inputs={
            # log π_old(y|x)，整段回答
            "lo": lambda v: v.normal(-20, 3, v.n),
            # log π_θ(y|x)
            "lp": lambda v: v.lo + v.normal(0, 0.5, v.n),
            "ratio": lambda v: v.exp(v.lp - v.lo),
            "adv": lambda v: v.normal(0, 1, v.n),
            "eps_low": 0.2,
            "eps_high": 0.28,
        },
        symbols={
            r"\pi_\theta": fn(lambda v, y, x: v.exp(v.lp), bar=True),
            r"\pi_{\mathrm{old}}": fn(lambda v, y, x: v.exp(v.lo), bar=True),
            "y": 0,
            "x": 0,
            "A": lambda v: v.adv,
            r"\epsilon_{\mathrm{low}}": lambda v: v.eps_low,
            r"\epsilon_{\mathrm{high}}": lambda v: v.eps_high,
        },
        args={
            "logp": lambda v: v.lp + 0 * v.t,
            "old_logp": lambda v: v.lo + 0 * v.t,
            "advantages": lambda v: v.adv,
            "mask": lambda v: v.t + 0 * v.lo == 0,
            "clip_eps_low": lambda v: v.eps_low,
            "clip_eps_high": lambda v: v.eps_high,
        },
        relation=lambda v: (v.out.loss, "==", v.mean(v.formula)),
        # 两条 clip 分支、两种优势符号都出现
        cover=[
            lambda v: (v.ratio > 1 + v.eps_high) & (v.adv > 0),
            lambda v: (v.ratio > 1 + v.eps_high) & (v.adv < 0),
            lambda v: (v.ratio < 1 - v.eps_low) & (v.adv > 0),
            lambda v: (v.ratio < 1 - v.eps_low) & (v.adv < 0),
        ],
    )

"""Checks of the formulas of GRPO 深度理解.

Note: [[AI/LLM/RL/GRPO/GRPO 深度理解]]
"""

from __future__ import annotations

from rlref.algos.advantages import group_advantages, rloo_advantages
from rlref.algos.kl import kl_k3
from rlref.algos.policy_loss import aggregate_loss, grpo_loss
from rlref.formulas.api import Check, fn, formula_check, indexed, reduction


@formula_check("AI/LLM/RL/GRPO/GRPO 深度理解", "grpo-advantage")
def check_grpo_advantage() -> Check:
    return Check(
        impl=group_advantages,
        dims={"P": 3, "G": 5},
        # g：问题；i、j、k：组内的回答
        axes={"g": lambda v: v.P, "i": lambda v: v.G, "j": lambda v: v.G, "k": lambda v: v.G},
        inputs={
            "R": lambda v: v.integers(0, 2, v.P, v.G) + v.normal(0, 0.1, v.P, v.G),
            "eps": 0.0001,
        },
        symbols={
            "r": indexed(lambda v, n: v.R[v.g, n]),
            "G": lambda v: v.G,
            r"\sum_{j=1}^{G}": reduction("sum", "j"),
            r"\sum_{k=1}^{G}": reduction("sum", "k"),
            r"\epsilon": lambda v: v.eps,
        },
        args={
            "rewards": lambda v: v.reshape(v.R, v.P * v.G),
            "group_size": lambda v: v.G,
            "scale": "group",
            "eps": lambda v: v.eps,
        },
        relation=lambda v: (v.reshape(v.out, v.P, v.G), "==", v.formula),
    )


@formula_check("AI/LLM/RL/GRPO/GRPO 深度理解", "grpo-advantage-no-std")
def check_grpo_advantage_no_std() -> Check:
    return Check(
        impl=group_advantages,
        dims={"P": 3, "G": 5},
        axes={"g": lambda v: v.P, "i": lambda v: v.G, "j": lambda v: v.G},
        inputs={"R": lambda v: v.integers(0, 2, v.P, v.G) + v.normal(0, 0.1, v.P, v.G)},
        symbols={
            "r": indexed(lambda v, n: v.R[v.g, n]),
            "G": lambda v: v.G,
            r"\sum_{j=1}^{G}": reduction("sum", "j"),
        },
        args={
            "rewards": lambda v: v.reshape(v.R, v.P * v.G),
            "group_size": lambda v: v.G,
            "scale": "none",
        },
        relation=lambda v: (v.reshape(v.out, v.P, v.G), "==", v.formula),
    )


@formula_check("AI/LLM/RL/GRPO/GRPO 深度理解", "grpo-advantage-batch-std")
def check_grpo_advantage_batch_std() -> Check:
    return Check(
        impl=group_advantages,
        dims={"P": 3, "G": 4},
        axes={
            "g": lambda v: v.P,
            "i": lambda v: v.G,
            "h": lambda v: v.P,
            "j": lambda v: v.G,
            "u": lambda v: v.P,
            "k": lambda v: v.G,
        },
        inputs={
            "R": lambda v: v.integers(0, 2, v.P, v.G) + v.normal(0, 0.1, v.P, v.G),
            "eps": 0.0001,
        },
        symbols={
            "r": indexed(lambda v, p, n: v.R[p, n]),
            "B": lambda v: v.P,
            "G": lambda v: v.G,
            r"\sum_{j=1}^{G}": reduction("sum", "j"),
            r"\sum_{h=1}^{B}": reduction("sum", "h"),
            r"\sum_{u=1}^{B}": reduction("sum", "u"),
            r"\sum_{k=1}^{G}": reduction("sum", "k"),
            r"\epsilon": lambda v: v.eps,
        },
        args={
            "rewards": lambda v: v.reshape(v.R, v.P * v.G),
            "group_size": lambda v: v.G,
            "scale": "batch",
            "eps": lambda v: v.eps,
        },
        relation=lambda v: (v.reshape(v.out, v.P, v.G), "==", v.formula),
    )


@formula_check("AI/LLM/RL/GRPO/GRPO 深度理解", "grpo-kl-k3")
def check_grpo_kl_k3() -> Check:
    return Check(
        impl=kl_k3,
        dims={"H": 6, "V": 5},
        axes={"i": 4, "t": 8},
        inputs={
            "P": lambda v: v.simplex(v.H, v.V),
            "P_ref": lambda v: v.simplex(v.H, v.V),
            # 被采样的 token
            "o": lambda v: v.integers(0, v.V, v.i, v.t),
            # 它的上下文
            "h": lambda v: v.integers(0, v.H, v.i, v.t),
        },
        symbols={
            r"\pi_\theta": fn(lambda v, o, h: v.P[h, o], bar=True),
            r"\pi_{\mathrm{ref}}": fn(lambda v, o, h: v.P_ref[h, o], bar=True),
            "o_{i,t}": lambda v: v.o,
            "h_{i,t}": lambda v: v.h,
        },
        args={
            "logp": lambda v: v.log(v.P[v.h, v.o]),
            "ref_logp": lambda v: v.log(v.P_ref[v.h, v.o]),
        },
    )


@formula_check("AI/LLM/RL/GRPO/GRPO 深度理解", "grpo-objective")
def check_grpo_objective() -> Check:
    return Check(
        impl=grpo_loss,
        axes={"i": 6, "t": 10},
        inputs={
            "logp": lambda v: v.normal(-1, 0.4, v.i, v.t),
            "old_logp": lambda v: v.normal(-1, 0.4, v.i, v.t),
            "ref_logp": lambda v: v.normal(-1, 0.4, v.i, v.t),
            "ratio": lambda v: v.exp(v.logp - v.old_logp),
            # 一条回答一个优势，广播到它的 token
            "adv": lambda v: v.normal(0, 1, v.i),
            "mask": lambda v: v.prefix_mask(v.i, v.t),
            "eps": 0.2,
            "beta": 0.04,
        },
        symbols={
            "G": 6,
            r"\sum_{i=1}^{G}": reduction("sum", "i"),
            r"\sum_{t=1}^{T}": reduction("sum", "t"),
            "m_{i,t}": lambda v: v.mask,
            r"r_{i,t}(\theta)": lambda v: v.ratio,
            r"\hat{A}_{i,t}": lambda v: v.adv,
            r"\epsilon": lambda v: v.eps,
            r"\beta": lambda v: v.beta,
            "D_{i,t}": lambda v: v.call(kl_k3, v.logp, v.ref_logp),
        },
        args={
            "logp": lambda v: v.logp,
            "old_logp": lambda v: v.old_logp,
            "ref_logp": lambda v: v.ref_logp,
            "advantages": lambda v: v.adv,
            "mask": lambda v: v.mask,
            "beta": lambda v: v.beta,
            "clip_eps": lambda v: v.eps,
            "loss_agg": "seq-mean-token-mean",
        },
        relation=lambda v: (v.out.loss, "==", -v.formula),
        cover=[
            lambda v: v.mask & (v.ratio > 1 + v.eps) & (v.adv > 0),
            lambda v: v.mask & (v.ratio < 1 - v.eps) & (v.adv < 0),
            lambda v: v.mask & (v.ratio > 1 + v.eps) & (v.adv < 0),
            lambda v: v.mask == 0,
        ],
    )


@formula_check("AI/LLM/RL/GRPO/GRPO 深度理解", "agg-token-mean")
def check_agg_token_mean() -> Check:
    return Check(
        impl=aggregate_loss,
        axes={"i": 5, "t": 7},
        inputs={
            "loss": lambda v: v.normal(0, 1, v.i, v.t),
            # 第 2 条回答全是 padding
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


@formula_check("AI/LLM/RL/GRPO/GRPO 深度理解", "agg-seq-mean-token-mean")
def check_agg_seq_mean_token_mean() -> Check:
    return Check(
        impl=aggregate_loss,
        axes={"i": 4, "t": 7},
        inputs={
            "loss": lambda v: v.normal(0, 1, v.i, v.t),
            # 每条回答至少一个有效 token（空回答时此式是 0/0）
            "mask": lambda v: v.prefix_mask(v.i, v.t),
        },
        symbols={
            "N": 4,
            r"\sum_{i=1}^{N}": reduction("sum", "i"),
            r"\sum_{t=1}^{T}": reduction("sum", "t"),
            "m_{i,t}": lambda v: v.mask,
            r"\ell_{i,t}": lambda v: v.loss,
        },
        args={
            "loss_mat": lambda v: v.loss,
            "mask": lambda v: v.mask,
            "loss_agg": "seq-mean-token-mean",
        },
        cover=[
            lambda v: v.mask == 0,
        ],
    )


@formula_check("AI/LLM/RL/GRPO/GRPO 深度理解", "agg-seq-mean-token-sum-norm")
def check_agg_seq_mean_token_sum_norm() -> Check:
    return Check(
        impl=aggregate_loss,
        axes={"i": 5, "t": 7},
        inputs={
            "loss": lambda v: v.normal(0, 1, v.i, v.t),
            # 第 2 条回答全是 padding，不计入 N
            "mask": lambda v: v.prefix_mask(v.i, v.t) & (v.i != 1),
            "C": 9,
        },
        symbols={
            # 5 条回答中至少含一个有效 token 的 4 条
            "N": 4,
            "C": lambda v: v.C,
            r"\sum_{i=1}^{N}": reduction("sum", "i"),
            r"\sum_{t=1}^{T}": reduction("sum", "t"),
            "m_{i,t}": lambda v: v.mask,
            r"\ell_{i,t}": lambda v: v.loss,
        },
        args={
            "loss_mat": lambda v: v.loss,
            "mask": lambda v: v.mask,
            "loss_agg": "seq-mean-token-sum-norm",
            "max_completion_length": lambda v: v.C,
        },
        cover=[
            lambda v: v.mask == 0,
            lambda v: v.sum(v.mask, v.t) == 0,
        ],
    )


@formula_check("AI/LLM/RL/GRPO/GRPO 深度理解", "grpo-rloo-relation")
def check_grpo_rloo_relation() -> Check:
    return Check(
        impl=rloo_advantages,
        dims={"P": 3, "G": 5},
        axes={"g": lambda v: v.P, "i": lambda v: v.G, "j": lambda v: v.G},
        inputs={"R": lambda v: v.normal(0, 1, v.P, v.G)},
        symbols={
            "r": indexed(lambda v, n: v.R[v.g, n]),
            "G": lambda v: v.G,
            r"\sum_{j=1}^{G}": reduction("sum", "j"),
        },
        args={"rewards": lambda v: v.reshape(v.R, v.P * v.G), "group_size": lambda v: v.G},
        relation=lambda v: (v.reshape(v.out, v.P, v.G), "==", v.formula),
    )

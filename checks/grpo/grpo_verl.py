"""Checks of the formulas of GRPO-verl实践.

Note: [[AI/LLM/RL/GRPO/GRPO-verl实践]]
"""

from __future__ import annotations

from rlref.algos.advantages import group_advantages
from rlref.algos.kl import kl_k3
from rlref.algos.policy_loss import aggregate_loss
from rlref.formulas.api import Check, fn, formula_check, indexed, reduction


@formula_check("AI/LLM/RL/GRPO/GRPO-verl实践", "verl-grpo-advantage")
def check_verl_grpo_advantage() -> Check:
    return Check(
        impl=group_advantages,
        dims={"P": 3, "G": 5},
        axes={"g": lambda v: v.P, "i": lambda v: v.G, "j": lambda v: v.G, "k": lambda v: v.G},
        inputs={
            "R": lambda v: v.integers(0, 2, v.P, v.G) + v.normal(0, 0.1, v.P, v.G),
            # verl 的 ε
            "eps": 1e-06,
        },
        symbols={
            "R": indexed(lambda v, n: v.R[v.g, n]),
            "G": lambda v: v.G,
            r"\sum_{j=1}^{G}": reduction("sum", "j"),
            r"\sum_{k=1}^{G}": reduction("sum", "k"),
            r"\varepsilon": lambda v: v.eps,
        },
        args={
            "rewards": lambda v: v.reshape(v.R, v.P * v.G),
            "group_size": lambda v: v.G,
            "scale": "group",
            "eps": lambda v: v.eps,
        },
        relation=lambda v: (v.reshape(v.out, v.P, v.G), "==", v.formula),
    )


@formula_check("AI/LLM/RL/GRPO/GRPO-verl实践", "verl-grpo-advantage-no-std")
def check_verl_grpo_advantage_no_std() -> Check:
    return Check(
        impl=group_advantages,
        dims={"P": 3, "G": 5},
        axes={"g": lambda v: v.P, "i": lambda v: v.G, "j": lambda v: v.G},
        inputs={"R": lambda v: v.integers(0, 2, v.P, v.G) + v.normal(0, 0.1, v.P, v.G)},
        symbols={
            "R": indexed(lambda v, n: v.R[v.g, n]),
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


@formula_check("AI/LLM/RL/GRPO/GRPO-verl实践", "verl-k3-kl-loss")
def check_verl_k3_kl_loss() -> Check:
    return Check(
        impl=kl_k3,
        dims={"S": 6, "V": 5},
        axes={"b": 4, "t": 8},
        inputs={
            "P": lambda v: v.simplex(v.S, v.V),
            "P_ref": lambda v: v.simplex(v.S, v.V),
            "s": lambda v: v.integers(0, v.S, v.b, v.t),
            "a": lambda v: v.integers(0, v.V, v.b, v.t),
        },
        symbols={
            r"\pi_\theta": fn(lambda v, a, s: v.P[s, a], bar=True),
            r"\pi_{\mathrm{ref}}": fn(lambda v, a, s: v.P_ref[s, a], bar=True),
            "a_t": lambda v: v.a,
            "s_t": lambda v: v.s,
        },
        args={
            "logp": lambda v: v.log(v.P[v.s, v.a]),
            "ref_logp": lambda v: v.log(v.P_ref[v.s, v.a]),
        },
    )


@formula_check("AI/LLM/RL/GRPO/GRPO-verl实践", "verl-agg-seq-mean-token-sum-norm")
def check_verl_agg_seq_mean_token_sum_norm() -> Check:
    return Check(
        impl=aggregate_loss,
        axes={"i": 5, "t": 7},
        inputs={
            "loss": lambda v: v.normal(0, 1, v.i, v.t),
            # 第 2 条序列全是 padding，不计入 B
            "mask": lambda v: v.prefix_mask(v.i, v.t) & (v.i != 1),
            "C": 12,
        },
        symbols={
            # 5 条序列中 mask 不全为 0 的 4 条
            "B": 4,
            "C": lambda v: v.C,
            r"\sum_{i=1}^{B}": reduction("sum", "i"),
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

"""Checks of the formulas of GPG-verl实践.

Note: [[AI/LLM/RL/Other-Algorithms/GPG-verl实践]]
"""

from __future__ import annotations

from rlref.algos.policy_loss import reinforce_loss
from rlref.algos.recipes import gpg_advantages
from rlref.formulas.api import Check, fn, formula_check, index, indexed, reduction


@formula_check("AI/LLM/RL/Other-Algorithms/GPG-verl实践", "gpg-alpha")
def check_gpg_alpha() -> Check:
    return Check(
        impl=gpg_advantages,
        dims={"P": 4, "G": 3},
        axes={"g": lambda v: v.P, "i": lambda v: v.G, "j": lambda v: v.G},
        inputs={
            # 约三分之一的奖励恰为 0
            "R": lambda v: v.integers(-1, 2, v.P, v.G) * v.uniform(0.5, 1.5, v.P, v.G),
        },
        symbols={
            "N": lambda v: v.P * v.G,
            r"\sum_{k=1}^{N}": reduction("sum", "g", "i"),
            "r_k": lambda v: v.R[v.g, v.i],
        },
        args={"rewards": lambda v: v.reshape(v.R, v.P * v.G), "group_size": lambda v: v.G},
        relation=lambda v: (
            v.reshape(v.out, v.P, v.G)[v.g, v.i],
            "==",
            v.formula * (v.R[v.g, v.i] - v.mean(v.R[v.g, v.j], v.j)),
        ),
        cover=[
            lambda v: v.R[v.g, v.i] == 0,
            lambda v: v.R[v.g, v.i] != 0,
        ],
    )


@formula_check("AI/LLM/RL/Other-Algorithms/GPG-verl实践", "gpg-advantage")
def check_gpg_advantage() -> Check:
    return Check(
        impl=gpg_advantages,
        dims={"P": 4, "G": 3},
        axes={"g": lambda v: v.P, "i": lambda v: v.G, "j": lambda v: v.G},
        inputs={
            "R": lambda v: v.integers(-1, 2, v.P, v.G) * v.uniform(0.5, 1.5, v.P, v.G),
            "fnorm": lambda v: v.uniform(0.5, 2.0),
        },
        symbols={
            "r": indexed(lambda v, p, n: v.R[p, n]),
            "G": lambda v: v.G,
            r"\sum_{j=1}^{G}": reduction("sum", "j"),
            # 与 gpg-alpha 同一个量
            r"\alpha": lambda v: v.P * v.G / v.maximum(1, v.sum(v.R != 0)),
            r"F_{\mathrm{norm}}": lambda v: v.fnorm,
        },
        args={
            "rewards": lambda v: v.reshape(v.R, v.P * v.G),
            "group_size": lambda v: v.G,
            "f_norm": lambda v: v.fnorm,
        },
        relation=lambda v: (v.reshape(v.out, v.P, v.G), "==", v.formula),
    )


@formula_check("AI/LLM/RL/Other-Algorithms/GPG-verl实践", "gpg-loss")
def check_gpg_loss() -> Check:
    return Check(
        impl=reinforce_loss,
        dims={"B": 5, "T": 8, "V": 6},
        axes={"i": lambda v: v.B, "t": lambda v: v.T},
        inputs={
            "P": lambda v: v.softmax(v.normal(0, 1, v.B, v.T, v.V), -1),
            "o": lambda v: v.integers(0, v.V, v.B, v.T),
            "mask": lambda v: v.prefix_mask(v.i, v.t),
            "adv": lambda v: v.normal(0, 1, v.i),
        },
        symbols={
            r"\pi_\theta": fn(lambda v, x, q, h: v.P[v.i, h, x], bar=True),
            "o_{i,t}": lambda v: v.o[v.i, v.t],
            "o_{i,<t}": index("t"),
            "q": 0,
            "m_{i,t}": lambda v: v.mask,
            r"\hat{A}_i": lambda v: v.adv,
            r"\sum_{i=1}^{N}": reduction("sum", "i"),
            r"\sum_{t=1}^{T}": reduction("sum", "t"),
        },
        args={
            "logp": lambda v: v.log(v.P[v.i, v.t, v.o[v.i, v.t]]),
            "returns": lambda v: v.adv,
            "mask": lambda v: v.mask,
            "loss_agg": "token-mean",
        },
        cover=[
            lambda v: v.mask == 0,
        ],
    )

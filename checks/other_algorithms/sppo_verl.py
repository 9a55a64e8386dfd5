"""Checks of the formulas of SPPO-verl实践.

Note: [[AI/LLM/RL/Other-Algorithms/SPPO-verl实践]]
"""

from __future__ import annotations

from rlref.algos.self_play import softmean, sppo_loss, sppo_softmean_targets, sppo_win_rates
from rlref.formulas.api import Check, builtin, fn, formula_check, indexed, reduction


@formula_check("AI/LLM/RL/Other-Algorithms/SPPO-verl实践", "sppo-win-rate")
def check_sppo_win_rate() -> Check:
    return Check(
        impl=sppo_win_rates,
        dims={"B": 3, "K": 5},
        axes={"b": lambda v: v.B, "i": lambda v: v.K, "j": lambda v: v.K},
        inputs={
            # 排序模型给每条回答的分数
            "S": lambda v: v.normal(0, 2, v.B, v.K),
        },
        symbols={
            "s": indexed(lambda v, n: v.S[v.b, n]),
            "K": lambda v: v.K,
            r"\sigma": builtin("sigmoid"),
            r"\sum_{j=1}^{K}": reduction("sum", "j"),
        },
        args={"scores": lambda v: v.S},
        relation=lambda v: (v.out[v.b, v.i], "==", v.formula),
    )


@formula_check("AI/LLM/RL/Other-Algorithms/SPPO-verl实践", "sppo-loss")
def check_sppo_loss() -> Check:
    return Check(
        impl=sppo_loss,
        dims={"X": 4, "Y": 7},
        axes={"i": 16},
        inputs={
            "P": lambda v: v.simplex(v.X, v.Y),
            "Pt": lambda v: v.simplex(v.X, v.Y),
            "x": lambda v: v.integers(0, v.X, v.i),
            "y": lambda v: v.integers(0, v.Y, v.i),
            # 估计胜率 P̂_i
            "W": lambda v: v.uniform(0, 1, v.i),
            "eta": lambda v: v.uniform(0.5, 5.0),
        },
        symbols={
            "N": 16,
            r"\sum_{i=1}^{N}": reduction("sum", "i"),
            r"\pi_\theta": fn(lambda v, y, x: v.P[x, y], bar=True),
            r"\pi_t": fn(lambda v, y, x: v.Pt[x, y], bar=True),
            "x_i": lambda v: v.x,
            "y_i": lambda v: v.y,
            r"\hat{P}_i": lambda v: v.W,
            r"\eta": lambda v: v.eta,
        },
        args={
            "policy_logps": lambda v: v.log(v.P[v.x, v.y]),
            "anchor_logps": lambda v: v.log(v.Pt[v.x, v.y]),
            "targets": lambda v: v.W - 0.5,
            "eta": lambda v: v.eta,
        },
        relation=lambda v: (v.out.loss, "==", v.formula),
    )


@formula_check("AI/LLM/RL/Other-Algorithms/SPPO-verl实践", "softmean")
def check_softmean() -> Check:
    return Check(
        impl=softmean,
        axes={"j": 12},
        inputs={"R": lambda v: v.normal(0, 1, v.j), "beta": lambda v: v.uniform(0.2, 3.0)},
        symbols={
            "R": indexed(lambda v, n: v.R[n]),
            "N": 12,
            r"\beta": lambda v: v.beta,
            r"\sum_{j=1}^{N}": reduction("sum", "j"),
        },
        args={"x": lambda v: v.R, "beta": lambda v: v.beta},
    )


@formula_check("AI/LLM/RL/Other-Algorithms/SPPO-verl实践", "sppo-verl-target")
def check_sppo_verl_target() -> Check:
    return Check(
        impl=sppo_softmean_targets,
        dims={"M": 12},
        axes={"i": lambda v: v.M, "j": lambda v: v.M},
        inputs={
            # 一张表：按 i 或 j 取下标
            "R": lambda v: v.integers(0, 2, v.M) + v.normal(0, 0.1, v.M),
            "beta": lambda v: v.uniform(0.2, 3.0),
        },
        symbols={
            "R": indexed(lambda v, n: v.R[n]),
            "N": lambda v: v.M,
            r"\beta": lambda v: v.beta,
            r"\sum_{j=1}^{N}": reduction("sum", "j"),
        },
        args={"rewards": lambda v: v.R, "beta": lambda v: v.beta},
        relation=lambda v: (v.out[v.i], "==", v.formula),
    )


@formula_check("AI/LLM/RL/Other-Algorithms/SPPO-verl实践", "sppo-verl-loss")
def check_sppo_verl_loss() -> Check:
    return Check(
        impl=sppo_loss,
        axes={"i": 16},
        inputs={
            # 序列 log-prob：token log-prob 之和
            "logp": lambda v: v.normal(-40, 10, v.i),
            "old_logp": lambda v: v.logp + v.normal(0, 0.5, v.i),
            "R": lambda v: v.integers(0, 2, v.i) + v.normal(0, 0.1, v.i),
            "beta": lambda v: v.uniform(0.2, 3.0),
            "eta": lambda v: v.uniform(0.5, 2.0),
            "g": lambda v: v.call(sppo_softmean_targets, v.R, v.beta),
        },
        symbols={
            "N": 16,
            r"\sum_{i=1}^{N}": reduction("sum", "i"),
            "S_i": lambda v: v.logp,
            r"S^{\mathrm{old}}_i": lambda v: v.old_logp,
            "g_i": lambda v: v.g,
            r"\eta": lambda v: v.eta,
        },
        args={
            "policy_logps": lambda v: v.logp,
            "anchor_logps": lambda v: v.old_logp,
            "targets": lambda v: v.g,
            "eta": lambda v: v.eta,
        },
        relation=lambda v: (v.out.loss, "==", v.formula),
    )

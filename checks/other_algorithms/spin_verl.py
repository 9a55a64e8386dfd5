"""Checks of the formulas of SPIN-verl实践.

Note: [[AI/LLM/RL/Other-Algorithms/SPIN-verl实践]]
"""

from __future__ import annotations

from rlref.algos.preference import dpo_loss
from rlref.algos.self_play import spin_loss
from rlref.formulas.api import Check, builtin, fn, formula_check


@formula_check("AI/LLM/RL/Other-Algorithms/SPIN-verl实践", "spin-loss")
def check_spin_loss() -> Check:
    return Check(
        impl=spin_loss,
        dims={"X": 4, "Y": 7},
        axes={"n": 32},
        inputs={
            # 正在训练的策略 π_θ(y|x)
            "P": lambda v: v.simplex(v.X, v.Y),
            # 上一轮的对手 π_t(y|x)
            "Pt": lambda v: v.simplex(v.X, v.Y),
            "x": lambda v: v.integers(0, v.X, v.n),
            # SFT 数据中的真实回答
            "yr": lambda v: v.integers(0, v.Y, v.n),
            # 对手生成的回答
            "yg": lambda v: v.integers(0, v.Y, v.n),
            "beta": lambda v: v.uniform(0.05, 0.5),
        },
        symbols={
            r"\sigma": builtin("sigmoid"),
            r"\beta": lambda v: v.beta,
            r"\pi_\theta": fn(lambda v, y, x: v.P[x, y], bar=True),
            r"\pi_t": fn(lambda v, y, x: v.Pt[x, y], bar=True),
            "x": lambda v: v.x,
            "y": lambda v: v.yr,
            "y'": lambda v: v.yg,
        },
        args={
            "policy_real_logps": lambda v: v.log(v.P[v.x, v.yr]),
            "policy_generated_logps": lambda v: v.log(v.P[v.x, v.yg]),
            "opponent_real_logps": lambda v: v.log(v.Pt[v.x, v.yr]),
            "opponent_generated_logps": lambda v: v.log(v.Pt[v.x, v.yg]),
            "beta": lambda v: v.beta,
        },
        relation=lambda v: (v.out.loss, "==", v.mean(v.formula)),
    )


@formula_check("AI/LLM/RL/Other-Algorithms/SPIN-verl实践", "spin-hinge-loss")
def check_spin_hinge_loss() -> Check:
    return Check(
        impl=spin_loss,
        dims={"X": 4, "Y": 7},
        axes={"n": 32},
        inputs={
            "P": lambda v: v.simplex(v.X, v.Y),
            "Pt": lambda v: v.simplex(v.X, v.Y),
            "x": lambda v: v.integers(0, v.X, v.n),
            "yr": lambda v: v.integers(0, v.Y, v.n),
            "yg": lambda v: v.integers(0, v.Y, v.n),
            # 让 1 − βh 两侧都出现
            "beta": lambda v: v.uniform(0.5, 2.0),
        },
        symbols={
            r"\beta": lambda v: v.beta,
            r"\pi_\theta": fn(lambda v, y, x: v.P[x, y], bar=True),
            r"\pi_t": fn(lambda v, y, x: v.Pt[x, y], bar=True),
            "x": lambda v: v.x,
            "y": lambda v: v.yr,
            "y'": lambda v: v.yg,
        },
        args={
            "policy_real_logps": lambda v: v.log(v.P[v.x, v.yr]),
            "policy_generated_logps": lambda v: v.log(v.P[v.x, v.yg]),
            "opponent_real_logps": lambda v: v.log(v.Pt[v.x, v.yr]),
            "opponent_generated_logps": lambda v: v.log(v.Pt[v.x, v.yg]),
            "beta": lambda v: v.beta,
            "loss_type": "hinge",
        },
        relation=lambda v: (v.out.loss, "==", v.mean(v.formula)),
        cover=[
            lambda v: v.formula == 0,
            lambda v: v.formula > 0,
        ],
    )


@formula_check("AI/LLM/RL/Other-Algorithms/SPIN-verl实践", "online-dpo-loss")
def check_online_dpo_loss() -> Check:
    return Check(
        impl=dpo_loss,
        dims={"X": 4, "Y": 7},
        axes={"n": 32},
        inputs={
            "P": lambda v: v.simplex(v.X, v.Y),
            "Pref": lambda v: v.simplex(v.X, v.Y),
            "x": lambda v: v.integers(0, v.X, v.n),
            "yw": lambda v: v.integers(0, v.Y, v.n),
            "yl": lambda v: v.integers(0, v.Y, v.n),
            "beta": lambda v: v.uniform(0.05, 0.5),
            "eps": lambda v: v.uniform(0.0, 0.3),
        },
        symbols={
            r"\sigma": builtin("sigmoid"),
            r"\beta": lambda v: v.beta,
            r"\varepsilon": lambda v: v.eps,
            r"\pi_\theta": fn(lambda v, y, x: v.P[x, y], bar=True),
            r"\pi_{\mathrm{ref}}": fn(lambda v, y, x: v.Pref[x, y], bar=True),
            "x": lambda v: v.x,
            "y_w": lambda v: v.yw,
            "y_l": lambda v: v.yl,
        },
        args={
            "policy_chosen_logps": lambda v: v.log(v.P[v.x, v.yw]),
            "policy_rejected_logps": lambda v: v.log(v.P[v.x, v.yl]),
            "ref_chosen_logps": lambda v: v.log(v.Pref[v.x, v.yw]),
            "ref_rejected_logps": lambda v: v.log(v.Pref[v.x, v.yl]),
            "beta": lambda v: v.beta,
            "label_smoothing": lambda v: v.eps,
        },
        relation=lambda v: (v.out.loss, "==", v.mean(v.formula)),
    )

"""Checks of the formulas of DPO 原理.

Note: [[AI/LLM/RL/DPO/DPO 原理]]
"""

from __future__ import annotations

from rlref.algos.preference import bradley_terry_loss, dpo_loss, hinge_loss, ipo_loss
from rlref.formulas.api import Check, Symbols, builtin, fn, formula_check, formula_symbols


@formula_symbols("AI/LLM/RL/DPO/DPO 原理", "optimal-policy")
def symbols_optimal_policy() -> Symbols:
    # check: none in the note; the kinds let the symbolic identities parse it
    return Symbols(
        {
            r"\pi^{*}": fn("y | x"),
            r"\pi_{\mathrm{ref}}": fn("y | x"),
            "Z": fn("x"),
            "r": fn("x, y"),
            r"\beta": None,
            "x": None,
            "y": None,
        }
    )


@formula_symbols("AI/LLM/RL/DPO/DPO 原理", "reward-reparameterization")
def symbols_reward_reparameterization() -> Symbols:
    # check: none in the note; the kinds let the symbolic identities parse it
    return Symbols(
        {
            r"\pi^{*}": fn("y | x"),
            r"\pi_{\mathrm{ref}}": fn("y | x"),
            "Z": fn("x"),
            "r": fn("x, y"),
            r"\beta": None,
            "x": None,
            "y": None,
        }
    )


@formula_check("AI/LLM/RL/DPO/DPO 原理", "implicit-reward")
def check_implicit_reward() -> Check:
    return Check(
        impl=dpo_loss,
        dims={"X": 4, "Y": 7},
        axes={"n": 32},
        # 离散的 prompt × 回答表，策略与参考各一张
        inputs={
            "P": lambda v: v.simplex(v.X, v.Y),
            "Pref": lambda v: v.simplex(v.X, v.Y),
            "x": lambda v: v.integers(0, v.X, v.n),
            "yw": lambda v: v.integers(0, v.Y, v.n),
            "yl": lambda v: v.integers(0, v.Y, v.n),
            "beta": lambda v: v.uniform(0.05, 0.5),
        },
        symbols={
            r"\beta": lambda v: v.beta,
            r"\pi_\theta": fn(lambda v, y, x: v.P[x, y], bar=True),
            r"\pi_{\mathrm{ref}}": fn(lambda v, y, x: v.Pref[x, y], bar=True),
            "x": lambda v: v.x,
            "y": lambda v: v.yw,
        },
        args={
            "policy_chosen_logps": lambda v: v.log(v.P[v.x, v.yw]),
            "policy_rejected_logps": lambda v: v.log(v.P[v.x, v.yl]),
            "ref_chosen_logps": lambda v: v.log(v.Pref[v.x, v.yw]),
            "ref_rejected_logps": lambda v: v.log(v.Pref[v.x, v.yl]),
            "beta": lambda v: v.beta,
        },
        # TRL 日志 rewards/chosen
        relation=lambda v: (v.out.chosen_rewards, "==", v.formula),
        cover=[
            lambda v: v.formula > 0,
            lambda v: v.formula < 0,
        ],
    )


@formula_check("AI/LLM/RL/DPO/DPO 原理", "bt-preference-probability")
def check_bt_preference_probability() -> Check:
    return Check(
        impl=bradley_terry_loss,
        dims={"X": 4, "Y": 7},
        axes={"n": 32},
        inputs={
            "R": lambda v: v.normal(0, 2, v.X, v.Y),
            "x": lambda v: v.integers(0, v.X, v.n),
            "yw": lambda v: v.integers(0, v.Y, v.n),
            "yl": lambda v: v.integers(0, v.Y, v.n),
        },
        symbols={
            r"\sigma": builtin("sigmoid"),
            "r": fn(lambda v, x, y: v.R[x, y]),
            "x": lambda v: v.x,
            "y_w": lambda v: v.yw,
            "y_l": lambda v: v.yl,
        },
        args={
            "chosen_scores": lambda v: v.R[v.x, v.yw],
            "rejected_scores": lambda v: v.R[v.x, v.yl],
        },
        # 损失是偏好概率的负对数似然
        relation=lambda v: (v.out.loss, "==", -v.mean(v.log(v.formula))),
        cover=[
            lambda v: v.formula > 0.5,
            lambda v: v.formula < 0.5,
        ],
    )


@formula_check("AI/LLM/RL/DPO/DPO 原理", "dpo-loss")
def check_dpo_loss() -> Check:
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
        },
        symbols={
            r"\sigma": builtin("sigmoid"),
            r"\beta": lambda v: v.beta,
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
        },
        # 代码对 batch 内各对取平均
        relation=lambda v: (v.out.loss, "==", v.mean(v.formula)),
        # 排对的与排错的偏好对都有
        cover=[
            lambda v: v.formula < v.log(2),
            lambda v: v.formula > v.log(2),
        ],
    )


@formula_check("AI/LLM/RL/DPO/DPO 原理", "ipo-loss")
def check_ipo_loss() -> Check:
    return Check(
        impl=ipo_loss,
        dims={"X": 4, "Y": 7},
        axes={"n": 32},
        inputs={
            "P": lambda v: v.simplex(v.X, v.Y),
            "Pref": lambda v: v.simplex(v.X, v.Y),
            "x": lambda v: v.integers(0, v.X, v.n),
            "yw": lambda v: v.integers(0, v.Y, v.n),
            "yl": lambda v: v.integers(0, v.Y, v.n),
            # 目标 margin 1/(2τ) 落在 margin 的取值范围内
            "tau": lambda v: v.uniform(0.2, 1.0),
            "h": lambda v: (
                v.log(v.P[v.x, v.yw])
                - v.log(v.Pref[v.x, v.yw])
                - v.log(v.P[v.x, v.yl])
                + v.log(v.Pref[v.x, v.yl])
            ),
        },
        symbols={
            r"\tau": lambda v: v.tau,
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
            # TRL 的 beta 就是 IPO 的 τ
            "beta": lambda v: v.tau,
        },
        relation=lambda v: (v.out.loss, "==", v.mean(v.formula)),
        # margin 在目标两侧都出现
        cover=[
            lambda v: v.h > 1 / (2 * v.tau),
            lambda v: v.h < 1 / (2 * v.tau),
        ],
    )


@formula_check("AI/LLM/RL/DPO/DPO 原理", "hinge-loss")
def check_hinge_loss() -> Check:
    return Check(
        impl=hinge_loss,
        dims={"X": 4, "Y": 7},
        axes={"n": 32},
        inputs={
            "P": lambda v: v.simplex(v.X, v.Y),
            "Pref": lambda v: v.simplex(v.X, v.Y),
            "x": lambda v: v.integers(0, v.X, v.n),
            "yw": lambda v: v.integers(0, v.Y, v.n),
            "yl": lambda v: v.integers(0, v.Y, v.n),
            # 让 1 − βh 两侧都出现
            "beta": lambda v: v.uniform(0.5, 2.0),
        },
        symbols={
            r"\beta": lambda v: v.beta,
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
        },
        relation=lambda v: (v.out.loss, "==", v.mean(v.formula)),
        # hinge 的两段都出现
        cover=[
            lambda v: v.formula == 0,
            lambda v: v.formula > 0,
        ],
    )


@formula_check("AI/LLM/RL/DPO/DPO 原理", "cdpo-loss")
def check_cdpo_loss() -> Check:
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
            # 标签翻转概率 ε < 0.5
            "eps": lambda v: v.uniform(0.05, 0.45),
        },
        symbols={
            r"\sigma": builtin("sigmoid"),
            r"\beta": lambda v: v.beta,
            r"\pi_\theta": fn(lambda v, y, x: v.P[x, y], bar=True),
            r"\pi_{\mathrm{ref}}": fn(lambda v, y, x: v.Pref[x, y], bar=True),
            "x": lambda v: v.x,
            "y_w": lambda v: v.yw,
            "y_l": lambda v: v.yl,
            r"\varepsilon": lambda v: v.eps,
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


@formula_check("AI/LLM/RL/DPO/DPO 原理", "robust-dpo-loss")
def check_robust_dpo_loss() -> Check:
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
            "eps": lambda v: v.uniform(0.05, 0.45),
        },
        symbols={
            r"\sigma": builtin("sigmoid"),
            r"\beta": lambda v: v.beta,
            r"\pi_\theta": fn(lambda v, y, x: v.P[x, y], bar=True),
            r"\pi_{\mathrm{ref}}": fn(lambda v, y, x: v.Pref[x, y], bar=True),
            "x": lambda v: v.x,
            "y_w": lambda v: v.yw,
            "y_l": lambda v: v.yl,
            r"\varepsilon": lambda v: v.eps,
        },
        args={
            "policy_chosen_logps": lambda v: v.log(v.P[v.x, v.yw]),
            "policy_rejected_logps": lambda v: v.log(v.P[v.x, v.yl]),
            "ref_chosen_logps": lambda v: v.log(v.Pref[v.x, v.yw]),
            "ref_rejected_logps": lambda v: v.log(v.Pref[v.x, v.yl]),
            "beta": lambda v: v.beta,
            "label_smoothing": lambda v: v.eps,
            "robust": True,
        },
        relation=lambda v: (v.out.loss, "==", v.mean(v.formula)),
    )

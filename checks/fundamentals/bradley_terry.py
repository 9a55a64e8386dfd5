"""Checks of the formulas of Bradley-Terry 奖励模型.

Note: [[AI/LLM/RL/Fundamentals/Bradley-Terry 奖励模型]]
"""

from __future__ import annotations

from rlref.algos.objectives import bradley_terry_centered_loss
from rlref.algos.preference import bradley_terry_loss
from rlref.formulas.api import Check, builtin, formula_check, reduction
from rlref.formulas.specs.gradients import loss_gradient


@formula_check("AI/LLM/RL/Fundamentals/Bradley-Terry 奖励模型", "bt-preference-prob")
def check_bt_preference_prob() -> Check:
    return Check(
        impl=bradley_terry_loss,
        axes={"n": 32},
        inputs={"rw": lambda v: v.normal(0, 2, v.n), "rl": lambda v: v.normal(0, 2, v.n)},
        symbols={r"\sigma": builtin("sigmoid"), "r_w": lambda v: v.rw, "r_l": lambda v: v.rl},
        args={"chosen_scores": lambda v: v.rw, "rejected_scores": lambda v: v.rl},
        # 损失是偏好概率的负对数似然（m = 0）
        relation=lambda v: (v.out.loss, "==", -v.mean(v.log(v.formula))),
        cover=[
            lambda v: v.rw > v.rl,
            lambda v: v.rw < v.rl,
        ],
    )


@formula_check("AI/LLM/RL/Fundamentals/Bradley-Terry 奖励模型", "bt-softmax-form")
def check_bt_softmax_form() -> Check:
    return Check(
        impl=bradley_terry_loss,
        axes={"n": 32},
        inputs={"rw": lambda v: v.normal(0, 2, v.n), "rl": lambda v: v.normal(0, 2, v.n)},
        symbols={"r_w": lambda v: v.rw, "r_l": lambda v: v.rl},
        args={"chosen_scores": lambda v: v.rw, "rejected_scores": lambda v: v.rl},
        relation=lambda v: (v.out.loss, "==", -v.mean(v.log(v.formula))),
        cover=[
            lambda v: v.rw > v.rl,
            lambda v: v.rw < v.rl,
        ],
    )


@formula_check("AI/LLM/RL/Fundamentals/Bradley-Terry 奖励模型", "bt-loss")
def check_bt_loss() -> Check:
    return Check(
        impl=bradley_terry_loss,
        axes={"i": 32},
        inputs={
            "rw": lambda v: v.normal(0, 2, v.i),
            "rl": lambda v: v.normal(0, 2, v.i),
            "m": lambda v: v.uniform(0, 1, v.i),
        },
        symbols={
            r"\sigma": builtin("sigmoid"),
            "N": lambda v: v.size(v.i),
            r"\sum_{i=1}^{N}": reduction("sum", "i"),
            "r^{w}_i": lambda v: v.rw,
            "r^{l}_i": lambda v: v.rl,
            "m_i": lambda v: v.m,
        },
        args={
            "chosen_scores": lambda v: v.rw,
            "rejected_scores": lambda v: v.rl,
            "margin": lambda v: v.m,
        },
        relation=lambda v: (v.out.loss, "==", v.formula),
        cover=[
            lambda v: v.rw - v.rl - v.m > 0,
            lambda v: v.rw - v.rl - v.m < 0,
            lambda v: (v.rw > v.rl) & (v.rw - v.rl - v.m < 0),
        ],
    )


@formula_check("AI/LLM/RL/Fundamentals/Bradley-Terry 奖励模型", "bt-center-penalty")
def check_bt_center_penalty() -> Check:
    return Check(
        impl=bradley_terry_centered_loss,
        axes={"i": 32},
        inputs={
            # 分数整体偏离 0，中心化项才有分量
            "rw": lambda v: v.normal(1, 2, v.i),
            "rl": lambda v: v.normal(1, 2, v.i),
            "m": lambda v: v.uniform(0, 1, v.i),
            "eta": 0.05,
        },
        symbols={
            # L_BT 取自 bradley_terry_loss（它在 bt-loss 中单独检查）
            r"\mathcal{L}_{\mathrm{BT}}": lambda v: (
                v.call(bradley_terry_loss, v.rw, v.rl, v.m).loss
            ),
            r"\eta": lambda v: v.eta,
            "N": lambda v: v.size(v.i),
            r"\sum_{i=1}^{N}": reduction("sum", "i"),
            "r^{w}_i": lambda v: v.rw,
            "r^{l}_i": lambda v: v.rl,
        },
        args={
            "chosen_scores": lambda v: v.rw,
            "rejected_scores": lambda v: v.rl,
            "center_coef": lambda v: v.eta,
            "margin": lambda v: v.m,
        },
        relation=lambda v: (v.out.loss, "==", v.formula),
    )


@formula_check("AI/LLM/RL/Fundamentals/Bradley-Terry 奖励模型", "bt-gradient")
def check_bt_gradient() -> Check:
    return Check(
        axes={"i": 32},
        inputs={
            "rw": lambda v: v.normal(0, 2, v.i),
            "rl": lambda v: v.normal(0, 2, v.i),
            "m": lambda v: v.uniform(0, 1, v.i),
            "grad": lambda v: loss_gradient(
                bradley_terry_loss,
                "chosen_scores",
                "loss",
                chosen_scores=v.rw,
                rejected_scores=v.rl,
                margin=v.m,
            ),
        },
        symbols={
            r"\sigma": builtin("sigmoid"),
            "N": lambda v: v.size(v.i),
            "r^{w}_i": lambda v: v.rw,
            "r^{l}_i": lambda v: v.rl,
            "m_i": lambda v: v.m,
        },
        relation=lambda v: (v.grad, "==", v.formula),
        cover=[
            lambda v: v.rw - v.rl - v.m > 0,
            lambda v: v.rw - v.rl - v.m < 0,
        ],
    )

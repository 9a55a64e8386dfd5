"""Checks of the formulas of Stable-Asynchrony-VCPO-Off-Policy-RL.

Note: [[AI/LLM/RL/Other-Algorithms/Stable-Asynchrony-VCPO-Off-Policy-RL]]
"""

from __future__ import annotations

from rlref.algos.frontier import ess_lr_scale, ess_ratio, opob_baseline
from rlref.formulas.api import Check, formula_check, reduction


@formula_check("AI/LLM/RL/Other-Algorithms/Stable-Asynchrony-VCPO-Off-Policy-RL", "vcpo-ess")
def check_vcpo_ess() -> Check:
    return Check(
        impl=ess_ratio,
        axes={"i": 12},
        inputs={"w": lambda v: v.lognormal(0, 1, v.i)},
        symbols={"B": 12, r"\sum_{i=1}^{B}": reduction("sum", "i"), "w_i": lambda v: v.w},
        args={"weights": lambda v: v.w, "eps": 0.0},
    )


@formula_check("AI/LLM/RL/Other-Algorithms/Stable-Asynchrony-VCPO-Off-Policy-RL", "vcpo-lr-scale")
def check_vcpo_lr_scale() -> Check:
    return Check(
        # 函数逐元素计算，这里一次检查 ρ 落在 ρ_base 两侧的多个值
        impl=ess_lr_scale,
        axes={"n": 10},
        inputs={"rho": lambda v: v.uniform(0.02, 1, v.n), "base": 0.5},
        symbols={
            r"\rho_{\mathrm{ess}}": lambda v: v.rho,
            r"\rho_{\mathrm{base}}": lambda v: v.base,
        },
        args={"ess": lambda v: v.rho, "base_ess_ratio": lambda v: v.base},
        cover=[
            lambda v: v.rho > v.base,
            lambda v: v.rho < v.base,
        ],
    )


@formula_check("AI/LLM/RL/Other-Algorithms/Stable-Asynchrony-VCPO-Off-Policy-RL", "vcpo-opob")
def check_vcpo_opob() -> Check:
    return Check(
        impl=opob_baseline,
        dims={"P": 3, "N": 6},
        axes={"g": lambda v: v.P, "i": lambda v: v.N},
        inputs={
            "R": lambda v: v.integers(0, 2, v.P, v.N) + v.normal(0, 0.1, v.P, v.N),
            "nu": lambda v: v.lognormal(0, 1, v.P, v.N),
            "W": lambda v: v.lognormal(0, 0.5, v.P, v.N),
        },
        symbols={
            "R_i": lambda v: v.R[v.g, v.i],
            r"\nu_i": lambda v: v.nu[v.g, v.i],
            "w_i": lambda v: v.W[v.g, v.i],
            r"\sum_{i=1}^{N}": reduction("sum", "i"),
        },
        args={
            "rewards": lambda v: v.reshape(v.R, v.P * v.N),
            "grad_sq_norms": lambda v: v.reshape(v.nu, v.P * v.N),
            "weights": lambda v: v.reshape(v.W, v.P * v.N),
            "group_size": lambda v: v.N,
            "eps": 0.0,
        },
        relation=lambda v: (v.reshape(v.out, v.P, 1), "==", v.formula),
    )

"""Checks of the formulas of MASPO-Mass-Adaptive-Soft-Policy-Optimization.

Note: [[AI/LLM/RL/Other-Algorithms/MASPO-Mass-Adaptive-Soft-Policy-Optimization]]
"""

from __future__ import annotations

from rlref.algos.frontier import maspo_gate, maspo_loss, maspo_sigma
from rlref.formulas.api import Check, builtin, formula_check, reduction


@formula_check(
    "AI/LLM/RL/Other-Algorithms/MASPO-Mass-Adaptive-Soft-Policy-Optimization", "maspo-sigma-pos"
)
def check_maspo_sigma_pos() -> Check:
    return Check(
        # β 与 a_high 取得与默认值不同，让风险因子两侧的截断都在随机输入里出现
        impl=maspo_sigma,
        axes={"i": 8, "t": 16},
        inputs={
            "old_logp": lambda v: v.uniform(-12, -0.01, v.i, v.t),
            "adv": lambda v: v.uniform(-3, 3, v.i, v.t),
            "sb": 1.0,
            "al": 0.3,
            "sh": 10.0,
            "bp": 1.0,
            "bn": 1.0,
            "lo": 0.1,
            "hi": 2.0,
        },
        symbols={
            "p_{i,t}": lambda v: v.exp(v.old_logp),
            r"\hat{A}_{i,t}": lambda v: v.adv,
            r"\sigma_{\mathrm{base}}": lambda v: v.sb,
            r"\sigma_{\mathrm{high}}": lambda v: v.sh,
            r"\alpha": lambda v: v.al,
            r"\beta_{+}": lambda v: v.bp,
            r"a_{\mathrm{low}}": lambda v: v.lo,
            r"a_{\mathrm{high}}": lambda v: v.hi,
        },
        args={
            "old_logp": lambda v: v.old_logp,
            "advantages": lambda v: v.adv,
            "sigma_base": lambda v: v.sb,
            "alpha": lambda v: v.al,
            "beta_pos": lambda v: v.bp,
            "beta_neg": lambda v: v.bn,
            "sigma_high": lambda v: v.sh,
            "adv_low": lambda v: v.lo,
            "adv_high": lambda v: v.hi,
        },
        relation=lambda v: (v.out.pos, "==", v.formula),
        cover=[
            lambda v: v.sb * v.exp(-v.al * v.old_logp) > v.sh,
            lambda v: v.sb * v.exp(-v.al * v.old_logp) < v.sh,
            lambda v: 1 + v.bp * v.adv > v.hi,
            lambda v: 1 + v.bp * v.adv < v.lo,
        ],
    )


@formula_check(
    "AI/LLM/RL/Other-Algorithms/MASPO-Mass-Adaptive-Soft-Policy-Optimization", "maspo-sigma-neg"
)
def check_maspo_sigma_neg() -> Check:
    return Check(
        impl=maspo_sigma,
        axes={"i": 8, "t": 16},
        inputs={
            "old_logp": lambda v: v.uniform(-12, -0.01, v.i, v.t),
            "adv": lambda v: v.uniform(-3, 3, v.i, v.t),
            "sb": 1.0,
            "al": 0.3,
            "sh": 10.0,
            "bp": 1.0,
            "bn": 1.0,
            "lo": 0.1,
            "hi": 2.0,
        },
        symbols={
            "p_{i,t}": lambda v: v.exp(v.old_logp),
            r"\hat{A}_{i,t}": lambda v: v.adv,
            r"\sigma_{\mathrm{base}}": lambda v: v.sb,
            r"\sigma_{\mathrm{high}}": lambda v: v.sh,
            r"\alpha": lambda v: v.al,
            r"\beta_{-}": lambda v: v.bn,
            r"a_{\mathrm{low}}": lambda v: v.lo,
            r"a_{\mathrm{high}}": lambda v: v.hi,
        },
        args={
            "old_logp": lambda v: v.old_logp,
            "advantages": lambda v: v.adv,
            "sigma_base": lambda v: v.sb,
            "alpha": lambda v: v.al,
            "beta_pos": lambda v: v.bp,
            "beta_neg": lambda v: v.bn,
            "sigma_high": lambda v: v.sh,
            "adv_low": lambda v: v.lo,
            "adv_high": lambda v: v.hi,
        },
        relation=lambda v: (v.out.neg, "==", v.formula),
        cover=[
            lambda v: v.adv < 0,
            lambda v: (v.adv > 0) & (1 / (1 - v.bn * v.adv) > v.hi),
            lambda v: (v.adv > 0) & (1 / (1 - v.bn * v.adv) < v.lo),
        ],
    )


@formula_check(
    "AI/LLM/RL/Other-Algorithms/MASPO-Mass-Adaptive-Soft-Policy-Optimization", "maspo-gate"
)
def check_maspo_gate() -> Check:
    return Check(
        impl=maspo_gate,
        axes={"i": 8, "t": 8},
        inputs={
            "old_logp": lambda v: v.uniform(-6, -0.05, v.i, v.t),
            "logp": lambda v: v.old_logp + v.normal(0, 0.8, v.i, v.t),
            "adv": lambda v: v.normal(0, 1, v.i),
            "sig": lambda v: v.call(maspo_sigma, v.old_logp, v.adv),
            "width": lambda v: v.where(v.adv > 0, v.sig[0], v.sig[1]),
        },
        symbols={
            r"\hat{A}_{i,t}": lambda v: v.adv,
            "r_{i,t}": lambda v: v.exp(v.logp - v.old_logp),
            r"\operatorname{sg}": builtin("sg"),
            r"\sigma_{i,t}": lambda v: v.width,
        },
        args={
            "logp": lambda v: v.logp,
            "old_logp": lambda v: v.old_logp,
            "advantages": lambda v: v.adv,
        },
        cover=[
            lambda v: (v.adv > 0) & (v.logp > v.old_logp),
            lambda v: (v.adv < 0) & (v.logp < v.old_logp),
            lambda v: (v.adv > 0) & (v.logp < v.old_logp),
            lambda v: (v.adv < 0) & (v.logp > v.old_logp),
        ],
    )


@formula_check(
    "AI/LLM/RL/Other-Algorithms/MASPO-Mass-Adaptive-Soft-Policy-Optimization", "maspo-loss"
)
def check_maspo_loss() -> Check:
    return Check(
        impl=maspo_loss,
        axes={"i": 6, "t": 10},
        inputs={
            "old_logp": lambda v: v.uniform(-6, -0.05, v.i, v.t),
            "logp": lambda v: v.old_logp + v.normal(0, 0.8, v.i, v.t),
            "mask": lambda v: v.prefix_mask(v.i, v.t),
            "adv": lambda v: v.normal(0, 1, v.i),
            "gate": lambda v: v.call(maspo_gate, v.logp, v.old_logp, v.adv),
        },
        symbols={
            r"\sum_{i=1}^{G}": reduction("sum", "i"),
            r"\sum_{t=1}^{T}": reduction("sum", "t"),
            "m_{i,t}": lambda v: v.mask,
            "F_{i,t}": lambda v: v.gate,
            r"r_{i,t}(\theta)": lambda v: v.exp(v.logp - v.old_logp),
            r"\hat{A}_{i,t}": lambda v: v.adv,
        },
        args={
            "logp": lambda v: v.logp,
            "old_logp": lambda v: v.old_logp,
            "advantages": lambda v: v.adv,
            "mask": lambda v: v.mask,
        },
        cover=[
            lambda v: v.mask == 0,
        ],
    )

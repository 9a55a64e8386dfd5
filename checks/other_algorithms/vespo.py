"""Checks of the formulas of VESPO-Variational-Sequence-Policy-Optimization.

Note: [[AI/LLM/RL/Other-Algorithms/VESPO-Variational-Sequence-Policy-Optimization]]
"""

from __future__ import annotations

from rlref.algos.frontier import vespo_gamma_weight, vespo_loss, vespo_sequence_ratio
from rlref.formulas.api import Check, builtin, fn, formula_check, reduction


@formula_check(
    "AI/LLM/RL/Other-Algorithms/VESPO-Variational-Sequence-Policy-Optimization", "vespo-seq-ratio"
)
def check_vespo_seq_ratio() -> Check:
    return Check(
        impl=vespo_sequence_ratio,
        axes={"i": 6, "t": 9},
        inputs={
            "logp": lambda v: v.normal(-1, 0.4, v.i, v.t),
            "old_logp": lambda v: v.logp + v.normal(0, 0.3, v.i, v.t),
            "mask": lambda v: v.prefix_mask(v.i, v.t),
        },
        symbols={
            r"\sum_{t=1}^{T}": reduction("sum", "t"),
            "m_{i,t}": lambda v: v.mask,
            # 采样 token 在其位置上的概率
            r"\pi_\theta": fn(lambda v, x, q, h: v.exp(v.logp), bar=True),
            r"\pi_{\theta_{\mathrm{old}}}": fn(lambda v, x, q, h: v.exp(v.old_logp), bar=True),
            "o_{i,t}": 0,
            "o_{i,<t}": 0,
            "q": 0,
        },
        args={"logp": lambda v: v.logp, "old_logp": lambda v: v.old_logp, "mask": lambda v: v.mask},
        cover=[
            lambda v: v.mask == 0,
        ],
    )


@formula_check(
    "AI/LLM/RL/Other-Algorithms/VESPO-Variational-Sequence-Policy-Optimization", "vespo-phi"
)
def check_vespo_phi() -> Check:
    return Check(
        impl=vespo_gamma_weight,
        axes={"i": 8, "t": 6},
        inputs={
            "logp": lambda v: v.normal(-1, 0.4, v.i, v.t),
            "old_logp": lambda v: v.logp + v.normal(0, 0.25, v.i, v.t),
            "mask": lambda v: v.prefix_mask(v.i, v.t),
            "adv": lambda v: v.normal(0, 1, v.i),
            "kp": 2.0,
            "lp": 3.0,
            "kn": 3.0,
            "ln": 2.0,
            "w": lambda v: v.call(vespo_sequence_ratio, v.logp, v.old_logp, v.mask)[v.i],
        },
        symbols={
            "w_i": lambda v: v.w,
            # 按序列优势的符号选 (k, λ)
            "k_i": lambda v: v.where(v.adv >= 0, v.kp, v.kn),
            r"\lambda_i": lambda v: v.where(v.adv >= 0, v.lp, v.ln),
        },
        args={
            "logp": lambda v: v.logp,
            "old_logp": lambda v: v.old_logp,
            "mask": lambda v: v.mask,
            "advantages": lambda v: v.adv,
            "k_pos": lambda v: v.kp,
            "lambda_pos": lambda v: v.lp,
            "k_neg": lambda v: v.kn,
            "lambda_neg": lambda v: v.ln,
        },
        cover=[
            lambda v: v.adv >= 0,
            lambda v: v.adv < 0,
            lambda v: v.w > 1,
            lambda v: v.w < 1,
        ],
    )


@formula_check(
    "AI/LLM/RL/Other-Algorithms/VESPO-Variational-Sequence-Policy-Optimization", "vespo-loss"
)
def check_vespo_loss() -> Check:
    return Check(
        impl=vespo_loss,
        axes={"i": 6, "t": 10},
        inputs={
            "logp": lambda v: v.normal(-1, 0.4, v.i, v.t),
            "old_logp": lambda v: v.logp + v.normal(0, 0.25, v.i, v.t),
            "mask": lambda v: v.prefix_mask(v.i, v.t),
            "adv": lambda v: v.normal(0, 1, v.i),
            "phi": lambda v: v.call(vespo_gamma_weight, v.logp, v.old_logp, v.mask, v.adv)[v.i],
        },
        symbols={
            r"\sum_{i=1}^{G}": reduction("sum", "i"),
            r"\sum_{t=1}^{T}": reduction("sum", "t"),
            "m_{i,t}": lambda v: v.mask,
            r"\operatorname{sg}": builtin("sg"),
            r"\phi_i": lambda v: v.phi,
            r"\hat{A}_i": lambda v: v.adv,
            r"\pi_\theta": fn(lambda v, x, q, h: v.exp(v.logp), bar=True),
            "o_{i,t}": 0,
            "o_{i,<t}": 0,
            "q": 0,
        },
        args={
            "logp": lambda v: v.logp,
            "old_logp": lambda v: v.old_logp,
            "advantages": lambda v: v.adv,
            "mask": lambda v: v.mask,
        },
        cover=[
            lambda v: v.mask == 0,
            lambda v: v.adv < 0,
        ],
    )

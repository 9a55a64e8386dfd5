"""Checks of the rollout-corrected sequence weight and loss of VESPO.

Note: [[AI/LLM/RL/Other-Algorithms/VESPO-Variational-Sequence-Policy-Optimization]]
"""

from __future__ import annotations

from typing import Any

from rlref.algos.vespo_correction import vespo_corrected_loss, vespo_corrected_sequence_ratio
from rlref.formulas.api import Check, builtin, fn, formula_check, reduction


@formula_check(
    "AI/LLM/RL/Other-Algorithms/VESPO-Variational-Sequence-Policy-Optimization",
    "vespo-seq-ratio-corrected",
)
def check_vespo_seq_ratio_corrected() -> Check:
    return Check(
        impl=vespo_corrected_sequence_ratio,
        axes={"i": 6, "t": 9},
        inputs={
            "logp": lambda v: v.normal(-1, 0.4, v.i, v.t),
            "old_logp": lambda v: v.logp + v.normal(0, 0.3, v.i, v.t),
            "mask": lambda v: v.prefix_mask(v.i, v.t),
            # the sampler's ratio: near 1 on real tokens, exactly 1 on pads (as TRL builds it)
            "rho": lambda v: v.where(v.mask, v.exp(v.normal(0, 0.2, v.i, v.t)), 1.0),
        },
        symbols={
            r"\sum_{t=1}^{T}": reduction("sum", "t"),
            "m_{i,t}": lambda v: v.mask,
            r"\pi_\theta": fn(lambda v, x, q, h: v.exp(v.logp), bar=True),
            r"\pi_{\theta_{\mathrm{old}}}": fn(lambda v, x, q, h: v.exp(v.old_logp), bar=True),
            r"\rho_{i,t}": lambda v: v.rho,
            "o_{i,t}": 0,
            "o_{i,<t}": 0,
            "q": 0,
        },
        args={
            "logp": lambda v: v.logp,
            "old_logp": lambda v: v.old_logp,
            "mask": lambda v: v.mask,
            "rollout_ratio": lambda v: v.rho,
        },
        relation=lambda v: (v.expand_dims(v.out, -1), "==", v.formula),
        cover=[lambda v: v.mask == 0, lambda v: v.rho > 1, lambda v: v.rho < 1],
    )


def _phi(v: Any) -> Any:
    """VESPO's kernel (vespo-phi) on the corrected weight, (k, λ) by the advantage's sign."""
    w = v.call(vespo_corrected_sequence_ratio, v.logp, v.old_logp, v.mask, v.rho)[v.i]
    k = v.where(v.adv >= 0, 2.0, 3.0)
    lam = v.where(v.adv >= 0, 3.0, 2.0)
    return v.exp(lam + k * v.log(w) - lam * w)


@formula_check(
    "AI/LLM/RL/Other-Algorithms/VESPO-Variational-Sequence-Policy-Optimization",
    "vespo-loss-corrected",
)
def check_vespo_loss_corrected() -> Check:
    return Check(
        impl=vespo_corrected_loss,
        axes={"i": 6, "t": 10},
        inputs={
            "logp": lambda v: v.normal(-1, 0.4, v.i, v.t),
            "old_logp": lambda v: v.logp + v.normal(0, 0.25, v.i, v.t),
            "mask": lambda v: v.prefix_mask(v.i, v.t),
            "rho": lambda v: v.where(v.mask, v.exp(v.normal(0, 0.2, v.i, v.t)), 1.0),
            "adv": lambda v: v.normal(0, 1, v.i),
        },
        symbols={
            r"\sum_{i=1}^{G}": reduction("sum", "i"),
            r"\sum_{t=1}^{T}": reduction("sum", "t"),
            "m_{i,t}": lambda v: v.mask,
            r"\operatorname{sg}": builtin("sg"),
            r"\phi(\tilde{w}_i)": _phi,
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
            "rollout_ratio": lambda v: v.rho,
        },
        cover=[lambda v: v.mask == 0, lambda v: v.adv < 0, lambda v: v.adv > 0],
    )

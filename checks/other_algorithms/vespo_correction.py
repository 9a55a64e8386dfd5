"""Check of the rollout-corrected sequence weight of VESPO.

Note: [[AI/LLM/RL/Other-Algorithms/VESPO-Variational-Sequence-Policy-Optimization]]
"""

from __future__ import annotations

from rlref.algos.vespo_correction import vespo_corrected_sequence_ratio
from rlref.formulas.api import Check, fn, formula_check, reduction


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

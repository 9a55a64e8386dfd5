"""Checks of the formulas of QeRL-Quantization-Enhanced-RL.

Note: [[AI/LLM/RL/Frameworks/QeRL-Quantization-Enhanced-RL]]
"""

from __future__ import annotations

from rlref.algos.stability import aqn_sigma_schedule
from rlref.formulas.api import Check, formula_check


@formula_check("AI/LLM/RL/Frameworks/QeRL-Quantization-Enhanced-RL", "aqn-sigma")
def check_aqn_sigma() -> Check:
    return Check(
        impl=aqn_sigma_schedule,
        axes={"n": 80},
        inputs={
            # 浮点步数：输出为 float64，便于逐位对照
            "s": lambda v: v.float64(v.integers(0, 140, v.n)),
            "S": 120,
            "N": 10,
            "sa": 0.01,
            "se": 0.0001,
            "j": lambda v: v.floor(v.minimum(v.s, v.S) / (v.S / v.N)),
        },
        symbols={
            "j": lambda v: v.j,
            "N": lambda v: v.N,
            r"\sigma_{\mathrm{start}}": lambda v: v.sa,
            r"\sigma_{\mathrm{end}}": lambda v: v.se,
        },
        args={
            "steps": lambda v: v.s,
            "total_steps": lambda v: v.S,
            "sigma_start": lambda v: v.sa,
            "sigma_end": lambda v: v.se,
            "num_stages": lambda v: v.N,
        },
        cover=[
            lambda v: v.j == 0,
            lambda v: (v.j >= 1) & (v.j < v.N - 1),
            lambda v: v.s > v.S,
        ],
    )

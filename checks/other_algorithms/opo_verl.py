"""Checks of the formulas of OPO-verl实践.

Note: [[AI/LLM/RL/Other-Algorithms/OPO-verl实践]]
"""

from __future__ import annotations

from rlref.algos.advantages import opo_advantages
from rlref.formulas.api import Check, formula_check, indexed, reduction


@formula_check("AI/LLM/RL/Other-Algorithms/OPO-verl实践", "opo-advantage")
def check_opo_advantage() -> Check:
    return Check(
        impl=opo_advantages,
        dims={"P": 3, "G": 5},
        # g：prompt；i、j：组内的回答
        axes={"g": lambda v: v.P, "i": lambda v: v.G, "j": lambda v: v.G},
        inputs={
            "R": lambda v: v.integers(0, 2, v.P, v.G) + v.normal(0, 0.1, v.P, v.G),
            # 回答的 token 数
            "L": lambda v: v.integers(1, 60, v.P, v.G),
        },
        symbols={
            "r": indexed(lambda v, n: v.R[v.g, n]),
            "l": indexed(lambda v, n: v.L[v.g, n]),
            r"\sum_{j=1}^{G}": reduction("sum", "j"),
        },
        args={
            "rewards": lambda v: v.reshape(v.R, v.P * v.G),
            "lengths": lambda v: v.reshape(v.L, v.P * v.G),
            "group_size": lambda v: v.G,
        },
        relation=lambda v: (v.reshape(v.out, v.P, v.G), "==", v.formula),
    )

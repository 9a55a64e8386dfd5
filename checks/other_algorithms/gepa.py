"""Checks of the formulas of GEPA-Reflective-Prompt-Evolution.

Note: [[AI/LLM/RL/Other-Algorithms/GEPA-Reflective-Prompt-Evolution]]
"""

from __future__ import annotations

from rlref.algos.prompt_evolution import (
    pareto_front_mask,
    pareto_pruned_front,
    pareto_selection_probs,
)
from rlref.formulas.api import Check, formula_check, indexed, reduction


@formula_check("AI/LLM/RL/Other-Algorithms/GEPA-Reflective-Prompt-Evolution", "gepa-front")
def check_gepa_front() -> Check:
    return Check(
        # 整数分数让并列（同为最好）经常出现：并列者都在前沿上
        impl=pareto_front_mask,
        dims={"K": 5, "N": 7},
        axes={"k": lambda v: v.K, "n": lambda v: v.N, "j": lambda v: v.K},
        inputs={"S": lambda v: v.float64(v.integers(0, 3, v.K, v.N))},
        symbols={"s": indexed(lambda v, a, b: v.S[a, b]), r"\max_{j}": reduction("max", "j")},
        args={"scores": lambda v: v.S},
        relation=lambda v: (v.float64(v.out), "==", v.formula),
        cover=[
            lambda v: v.formula == 0,
            lambda v: v.formula == 1,
        ],
        exact=True,
    )


@formula_check("AI/LLM/RL/Other-Algorithms/GEPA-Reflective-Prompt-Evolution", "gepa-select")
def check_gepa_select() -> Check:
    return Check(
        # 剪枝本身（逐个删除被支配者）在 tests/algos/test_frontier.py 里按手算例子检查；
        # 这里检查的是“按领先实例数归一化”这一步
        impl=pareto_selection_probs,
        dims={"K": 5, "N": 7},
        axes={"k": lambda v: v.K, "n": lambda v: v.N, "j": lambda v: v.K, "u": lambda v: v.N},
        inputs={
            "S": lambda v: v.float64(v.integers(0, 3, v.K, v.N)),
            "Fp": lambda v: v.float64(v.call(pareto_pruned_front, v.S)),
        },
        symbols={
            r"\tilde{F}": indexed(lambda v, a, b: v.Fp[a, b]),
            r"\sum_{n=1}^{N}": reduction("sum", "n"),
            r"\sum_{j=1}^{K}": reduction("sum", "j"),
            r"\sum_{u=1}^{N}": reduction("sum", "u"),
        },
        args={"scores": lambda v: v.S},
        relation=lambda v: (v.reshape(v.out, v.K, 1), "==", v.formula),
        cover=[
            lambda v: v.formula == 0,
            lambda v: v.formula > 0,
        ],
    )

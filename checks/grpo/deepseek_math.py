"""Checks of the formulas of DeepSeek-Math.

Note: [[AI/LLM/RL/GRPO/DeepSeek-Math]]
"""

from __future__ import annotations

from rlref.algos.advantages import process_supervision_advantages
from rlref.formulas.api import Check, formula_check, index, reduction


@formula_check("AI/LLM/RL/GRPO/DeepSeek-Math", "deepseekmath-process-advantage")
def check_deepseekmath_process_advantage() -> Check:
    return Check(
        impl=process_supervision_advantages,
        dims={"P": 2, "G": 3, "T": 8},
        # g：问题；i：组内回答；t：token；j：步骤结束的位置
        axes={"g": lambda v: v.P, "i": lambda v: v.G, "t": lambda v: v.T, "j": lambda v: v.T},
        inputs={
            # 回答长度
            "L": lambda v: v.integers(3, v.T + 1, v.P, v.G),
            # 每个回答的最后一个 token 必是步骤结束，其余位置三成概率是
            "ends": lambda v: (
                (v.bernoulli(0.3, v.P, v.G, v.T) > 0) & (v.arange(v.T) < v.expand_dims(v.L, -1))
                | (v.arange(v.T) == v.expand_dims(v.L, -1) - 1)
            ),
            # 步骤奖励，只有步骤结束的位置有意义
            "R": lambda v: v.normal(0, 1, v.P, v.G, v.T),
            # 正文的标准化：整组所有步骤奖励的均值与标准差（Bessel 校正），ε = 0
            "mu": lambda v: v.sum(v.where(v.ends, v.R, 0), (1, 2)) / v.sum(v.ends, (1, 2)),
            "sd": lambda v: v.sqrt(
                v.sum(v.where(v.ends, (v.R - v.reshape(v.mu, v.P, 1, 1)) ** 2, 0), (1, 2))
                / (v.sum(v.ends, (1, 2)) - 1)
            ),
            "Rn": lambda v: (v.R - v.reshape(v.mu, v.P, 1, 1)) / v.reshape(v.sd, v.P, 1, 1),
        },
        symbols={
            # 对回答 i 的 K_i 个步骤求和
            r"\sum_{j=1}^{K_i}": reduction("sum", "j", where=lambda v: v.ends[v.g, v.i, v.j]),
            "e_{i,j}": index("j"),
            r"\tilde{r}_{i,j}": lambda v: v.Rn[v.g, v.i, v.j],
        },
        args={
            "step_rewards": lambda v: v.reshape(v.R, v.P * v.G, v.T),
            "step_ends": lambda v: v.reshape(v.ends, v.P * v.G, v.T),
            "group_size": lambda v: v.G,
            "eps": 0,
        },
        relation=lambda v: (v.reshape(v.out, v.P, v.G, v.T)[v.g, v.i, v.t], "==", v.formula),
        cover=[
            # 回答结束之后的位置（优势为 0）
            lambda v: v.t >= v.L[v.g, v.i],
            # 多步骤的回答
            lambda v: v.ends[v.g, v.i, v.t] & (v.t < v.L[v.g, v.i] - 1),
        ],
    )

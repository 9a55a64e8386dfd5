"""Checks of the formulas of PPL 计算 交叉熵损失与 ignore_index.

Note: [[AI/LLM/RL/Fundamentals/PPL 计算 交叉熵损失与 ignore_index]]
"""

from __future__ import annotations

from rlref.algos.lm import perplexity, token_logprobs
from rlref.formulas.api import Check, formula_check, indexed, reduction


@formula_check("AI/LLM/RL/Fundamentals/PPL 计算 交叉熵损失与 ignore_index", "token-nll")
def check_token_nll() -> Check:
    return Check(
        impl=token_logprobs,
        dims={"B": 2, "T": 4, "V": 6},
        axes={"b": lambda v: v.B, "i": lambda v: v.T, "v": lambda v: v.V},
        inputs={
            "logits": lambda v: v.normal(0, 2, v.B, v.T, v.V),
            "labels": lambda v: v.integers(0, v.V, v.B, v.T),
        },
        symbols={
            "z": indexed(lambda v, k: v.logits[v.b, v.i, k]),
            "y_i": lambda v: v.labels[v.b, v.i],
            r"\sum_{v=1}^{V}": reduction("sum", "v"),
        },
        args={"logits": lambda v: v.logits, "labels": lambda v: v.labels},
        # 代码返回 log-prob，笔记写的是 NLL
        relation=lambda v: (v.out, "==", -v.formula),
    )


@formula_check("AI/LLM/RL/Fundamentals/PPL 计算 交叉熵损失与 ignore_index", "ignore-mask")
def check_ignore_mask() -> Check:
    return Check(
        # token_logprobs 在 label = -100 的位置输出 0（不计入任何求和）；其它位置的 log-prob
        # 严格为负
        impl=token_logprobs,
        dims={"B": 3, "T": 5, "V": 6},
        axes={"b": lambda v: v.B, "i": lambda v: v.T},
        inputs={
            "logits": lambda v: v.normal(0, 2, v.B, v.T, v.V),
            "labels": lambda v: v.where(
                v.bernoulli(0.3, v.B, v.T) > 0, -100, v.integers(0, v.V, v.B, v.T)
            ),
        },
        symbols={"y_i": lambda v: v.labels[v.b, v.i]},
        args={"logits": lambda v: v.logits, "labels": lambda v: v.labels},
        relation=lambda v: (v.out != 0, "==", v.formula),
        cover=[
            lambda v: v.labels[v.b, v.i] == -100,
            lambda v: v.labels[v.b, v.i] >= 0,
        ],
        exact=True,
    )


@formula_check("AI/LLM/RL/Fundamentals/PPL 计算 交叉熵损失与 ignore_index", "mean-ce")
def check_mean_ce() -> Check:
    return Check(
        impl=perplexity,
        dims={"B": 3, "T": 5, "V": 6},
        axes={"b": lambda v: v.B, "t": lambda v: v.T},
        inputs={
            "logits": lambda v: v.normal(0, 2, v.B, v.T, v.V),
            "labels": lambda v: v.where(
                v.bernoulli(0.3, v.B, v.T) > 0, -100, v.integers(0, v.V, v.B, v.T)
            ),
        },
        symbols={
            # i 遍历整个 batch 的全部 token
            r"\sum_{i=1}^{N}": reduction("sum", "b", "t"),
            "m_i": lambda v: v.labels[v.b, v.t] != -100,
            r"\ell_i": lambda v: v.get(
                -v.log_softmax(v.logits, -1), v.b, v.t, v.labels[v.b, v.t], default=0
            ),
        },
        args={"logits": lambda v: v.logits, "labels": lambda v: v.labels},
        # perplexity 返回 exp(L_CE)
        relation=lambda v: (v.log(v.out), "==", v.formula),
        cover=[
            lambda v: v.labels[v.b, v.t] == -100,
        ],
    )


@formula_check("AI/LLM/RL/Fundamentals/PPL 计算 交叉熵损失与 ignore_index", "ppl")
def check_ppl() -> Check:
    return Check(
        impl=perplexity,
        dims={"B": 3, "T": 5, "V": 6},
        axes={"b": lambda v: v.B, "t": lambda v: v.T},
        inputs={
            "logits": lambda v: v.normal(0, 2, v.B, v.T, v.V),
            "labels": lambda v: v.where(
                v.bernoulli(0.3, v.B, v.T) > 0, -100, v.integers(0, v.V, v.B, v.T)
            ),
        },
        symbols={
            r"\sum_{i=1}^{N}": reduction("sum", "b", "t"),
            "m_i": lambda v: v.labels[v.b, v.t] != -100,
            r"\ell_i": lambda v: v.get(
                -v.log_softmax(v.logits, -1), v.b, v.t, v.labels[v.b, v.t], default=0
            ),
        },
        args={"logits": lambda v: v.logits, "labels": lambda v: v.labels},
        # 有被忽略的位置；各序列的有效 token 数不全相同（token 加权与序列加权才有区别）
        cover=[
            lambda v: v.labels[v.b, v.t] == -100,
            lambda v: v.sum(v.labels != -100, 1) != v.sum(v.labels != -100, 1)[0],
        ],
    )

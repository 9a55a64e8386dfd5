"""Checks of the formulas of RL & LLMs 入门.

Note: [[AI/LLM/RL/Fundamentals/RL & LLMs 入门]]
"""

from __future__ import annotations

from rlref.algos.lm import (
    entropy_from_logits,
    masked_mean,
    masked_sum,
    sequence_logprobs,
    token_logprobs,
)
from rlref.formulas.api import Check, fn, formula_check, index, indexed, reduction


@formula_check("AI/LLM/RL/Fundamentals/RL & LLMs 入门", "token-logprob")
def check_token_logprob() -> Check:
    return Check(
        impl=token_logprobs,
        dims={"B": 2, "T": 5, "V": 7},
        axes={"b": lambda v: v.B, "t": lambda v: v.T, "v": lambda v: v.V},
        inputs={
            "logits": lambda v: v.normal(0, 2, v.B, v.T, v.V),
            "labels": lambda v: v.integers(0, v.V, v.B, v.T),
        },
        symbols={
            # z_k：位置 (b, t) 上 token k 的 logit
            "z": indexed(lambda v, k: v.logits[v.b, v.t, k]),
            "a_t": lambda v: v.labels[v.b, v.t],
            r"\sum_{v=1}^{V}": reduction("sum", "v"),
        },
        args={"logits": lambda v: v.logits, "labels": lambda v: v.labels},
    )


@formula_check("AI/LLM/RL/Fundamentals/RL & LLMs 入门", "entropy")
def check_entropy() -> Check:
    return Check(
        impl=entropy_from_logits,
        dims={"B": 2, "T": 5, "V": 7},
        axes={"b": lambda v: v.B, "t": lambda v: v.T, "v": lambda v: v.V},
        inputs={"logits": lambda v: v.normal(0, 2, v.B, v.T, v.V)},
        symbols={
            "p_v": lambda v: v.softmax(v.logits, -1)[v.b, v.t, v.v],
            r"\sum_{v=1}^{V}": reduction("sum", "v"),
        },
        args={"logits": lambda v: v.logits},
    )


@formula_check("AI/LLM/RL/Fundamentals/RL & LLMs 入门", "entropy-logsumexp")
def check_entropy_logsumexp() -> Check:
    return Check(
        impl=entropy_from_logits,
        dims={"B": 2, "T": 5, "V": 7},
        axes={"b": lambda v: v.B, "t": lambda v: v.T, "v": lambda v: v.V},
        inputs={"logits": lambda v: v.normal(0, 2, v.B, v.T, v.V)},
        symbols={
            "z_v": lambda v: v.logits[v.b, v.t, v.v],
            "p_v": lambda v: v.softmax(v.logits, -1)[v.b, v.t, v.v],
            r"\sum_{v=1}^{V}": reduction("sum", "v"),
        },
        args={"logits": lambda v: v.logits},
    )


@formula_check("AI/LLM/RL/Fundamentals/RL & LLMs 入门", "masked-sum")
def check_masked_sum() -> Check:
    return Check(
        impl=masked_sum,
        axes={"b": 3, "t": 6},
        inputs={"x": lambda v: v.normal(0, 1, v.b, v.t), "m": lambda v: v.prefix_mask(v.b, v.t)},
        symbols={
            "m_t": lambda v: v.m,
            "x_t": lambda v: v.x,
            r"\sum_{t=1}^{T}": reduction("sum", "t"),
        },
        args={"x": lambda v: v.x, "mask": lambda v: v.m, "dim": -1},
        # 有 padding 位置，掩码才被检验
        cover=[
            lambda v: v.m == 0,
        ],
    )


@formula_check("AI/LLM/RL/Fundamentals/RL & LLMs 入门", "masked-mean")
def check_masked_mean() -> Check:
    return Check(
        impl=masked_mean,
        axes={"b": 4, "t": 6},
        inputs={
            "x": lambda v: v.normal(0, 1, v.b, v.t),
            # 第 0 行全是 padding：max(1, ·) 真正起作用
            "m": lambda v: v.prefix_mask(v.b, v.t) * (v.b > 0),
        },
        symbols={
            "m_t": lambda v: v.m,
            "x_t": lambda v: v.x,
            r"\sum_{t=1}^{T}": reduction("sum", "t"),
        },
        args={"x": lambda v: v.x, "mask": lambda v: v.m, "dim": -1},
        cover=[
            lambda v: v.m == 0,
            lambda v: v.sum(v.m, v.t) == 0,
            lambda v: v.sum(v.m, v.t) > 1,
        ],
    )


@formula_check("AI/LLM/RL/Fundamentals/RL & LLMs 入门", "sequence-logprob")
def check_sequence_logprob() -> Check:
    return Check(
        impl=sequence_logprobs,
        dims={"B": 3, "T": 6, "V": 5},
        # 第 t 个 logit 预测第 t+1 个 token
        axes={"b": lambda v: v.B, "t": lambda v: v.T - 1},
        inputs={
            "logits": lambda v: v.normal(0, 2, v.B, v.T, v.V),
            "ids": lambda v: v.integers(0, v.V, v.B, v.T),
            "completion": lambda v: v.bernoulli(0.6, v.B, v.T),
        },
        symbols={
            r"\pi_\theta": fn(lambda v, a, s: v.softmax(v.logits, -1)[v.b, s, a], bar=True),
            "a_t": lambda v: v.ids[v.b, v.t + 1],
            "s_t": index("t"),
            "m_t": lambda v: v.completion[v.b, v.t + 1],
            r"\sum_{t=1}^{T}": reduction("sum", "t"),
        },
        args={
            "logits": lambda v: v.logits,
            "input_ids": lambda v: v.ids,
            "completion_mask": lambda v: v.completion,
        },
        cover=[
            lambda v: v.completion[v.b, v.t + 1] == 0,
            lambda v: v.completion[v.b, v.t + 1] == 1,
        ],
    )

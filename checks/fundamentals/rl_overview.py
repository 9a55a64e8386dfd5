"""Checks of the formulas of RL 概览.

Note: [[AI/LLM/RL/Fundamentals/RL 概览]]
"""

from __future__ import annotations

from rlref.algos.bandits import epsilon_greedy_probs, simulate_regret, ucb1_scores
from rlref.formulas.api import Check, fn, formula_check, reduction


@formula_check("AI/LLM/RL/Fundamentals/RL 概览", "epsilon-greedy")
def check_epsilon_greedy() -> Check:
    return Check(
        # The exact distribution epsilon_greedy samples from (tests/algos checks the sampler's
        # frequencies against it); μ̂ values come in pairs so the argmax always has a tie,
        # which must go to the lowest index.
        impl=epsilon_greedy_probs,
        dims={"K": 6},
        axes={"a": lambda v: v.K, "b": lambda v: v.K},
        inputs={
            "half": lambda v: v.uniform(0, 1, 3),
            "means": lambda v: v.concatenate([v.half, v.half])[v.permutation(v.K)],
            "eps": lambda v: v.uniform(0.05, 0.95),
        },
        symbols={
            r"\pi": fn(lambda v, a: v.out[a]),
            r"\hat{\mu}_b": lambda v: v.means[v.b],
            r"\arg\max_{b}": reduction("argmax", "b"),
            r"\epsilon": lambda v: v.eps,
            "K": lambda v: v.K,
        },
        args={"q_values": lambda v: v.means, "epsilon": lambda v: v.eps},
        cover=[
            lambda v: v.sum(v.means == v.max(v.means)) >= 2,
        ],
    )


@formula_check("AI/LLM/RL/Fundamentals/RL 概览", "ucb1-score")
def check_ucb1_score() -> Check:
    return Check(
        impl=ucb1_scores,
        dims={"K": 6},
        axes={"a": lambda v: v.K},
        inputs={
            "means": lambda v: v.uniform(0, 1, v.K),
            "counts": lambda v: v.integers(1, 30, v.K),
            "c": 1.4,
        },
        symbols={
            r"\hat{\mu}_a": lambda v: v.means[v.a],
            "n_a": lambda v: v.counts[v.a],
            "t": lambda v: v.sum(v.counts),
            "c": lambda v: v.c,
        },
        args={
            "means": lambda v: v.means,
            "counts": lambda v: v.counts,
            "total": lambda v: v.sum(v.counts),
            "c": lambda v: v.c,
        },
    )


@formula_check("AI/LLM/RL/Fundamentals/RL 概览", "cumulative-regret")
def check_cumulative_regret() -> Check:
    return Check(
        # a_t 需要已知：UCB1 先按下标把每个臂各拉一次（没拉过的臂得分 +∞，argmax 取最小下标），
        # 所以 horizon = K 时第 t 步（t = 1…K，轴上的位置 t − 1）拉的是臂 t − 1；
        # 轴 n 上的第 n 个位置是 Regret(n + 1)，即代码返回的累计 regret
        impl=simulate_regret,
        dims={"K": 8},
        axes={"n": lambda v: v.K, "t": lambda v: v.K},
        inputs={"mu": lambda v: v.uniform(0, 1, v.K)},
        symbols={
            r"\sum_{t=1}^{T}": reduction("sum", "t", where=lambda v: v.t <= v.n),
            r"\mu^{\star}": lambda v: v.max(v.mu),
            r"\mu_{a_t}": lambda v: v.mu[v.t],
        },
        args={"strategy": "ucb1", "arm_means": lambda v: v.mu, "horizon": lambda v: v.K},
    )

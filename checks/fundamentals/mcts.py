"""Checks of the formulas of MCTS.

Note: [[AI/LLM/RL/Fundamentals/MCTS]]
"""

from __future__ import annotations

from rlref.algos.objectives import alphazero_loss
from rlref.algos.search import Node, puct_score, root_visit_policy, uct_score
from rlref.formulas.api import Check, fn, formula_check, reduction


@formula_check("AI/LLM/RL/Fundamentals/MCTS", "uct-score")
def check_uct_score() -> Check:
    return Check(
        impl=uct_score,
        dims={"S": 4, "A": 5},
        axes={"a": lambda v: v.A},
        inputs={
            "Qtab": lambda v: v.normal(0, 1, v.S, v.A),
            "visits": lambda v: v.integers(1, 20, v.S, v.A),
            "s": lambda v: v.integers(0, v.S),
            "c": 1.4,
        },
        symbols={
            "Q": fn(lambda v, x, y: v.Qtab[x, y]),
            "N(s)": lambda v: v.sum(v.visits[v.s]),
            "N(s, a)": lambda v: v.visits[v.s, v.a],
            "s": lambda v: v.s,
            "c": lambda v: v.c,
        },
        args={
            "q_values": lambda v: v.Qtab[v.s],
            "child_visits": lambda v: v.visits[v.s],
            "parent_visits": lambda v: v.sum(v.visits[v.s]),
            "c": lambda v: v.c,
        },
    )


@formula_check("AI/LLM/RL/Fundamentals/MCTS", "puct-score")
def check_puct_score() -> Check:
    return Check(
        impl=puct_score,
        dims={"S": 4, "A": 5},
        axes={"a": lambda v: v.A},
        inputs={
            "Qtab": lambda v: v.normal(0, 1, v.S, v.A),
            "prior": lambda v: v.simplex(v.S, v.A),
            "visits": lambda v: v.integers(0, 20, v.S, v.A),
            "s": lambda v: v.integers(0, v.S),
            "c": 1.5,
        },
        symbols={
            "Q": fn(lambda v, x, y: v.Qtab[x, y]),
            "P": fn(lambda v, x, y: v.prior[x, y]),
            "N(s)": lambda v: v.sum(v.visits[v.s]),
            "N(s, a)": lambda v: v.visits[v.s, v.a],
            "s": lambda v: v.s,
            r"c_{\mathrm{puct}}": lambda v: v.c,
        },
        args={
            "q_values": lambda v: v.Qtab[v.s],
            "priors": lambda v: v.prior[v.s],
            "child_visits": lambda v: v.visits[v.s],
            "parent_visits": lambda v: v.sum(v.visits[v.s]),
            "c_puct": lambda v: v.c,
        },
    )


@formula_check("AI/LLM/RL/Fundamentals/MCTS", "backup-mean-value")
def check_backup_mean_value() -> Check:
    return Check(
        # 树节点存访问次数 N（visits）与回传价值之和 W（value_sum）；Q 是它的 q_value 属性
        impl=Node,
        inputs={"N": lambda v: v.integers(1, 50), "W": lambda v: v.normal(0, 5)},
        symbols={"W(s, a)": lambda v: v.W, "N(s, a)": lambda v: v.N},
        args={"state": 0, "visits": lambda v: v.N, "value_sum": lambda v: v.W},
        relation=lambda v: (v.out.q_value, "==", v.formula),
    )


@formula_check("AI/LLM/RL/Fundamentals/MCTS", "root-visit-policy")
def check_root_visit_policy() -> Check:
    return Check(
        impl=root_visit_policy,
        dims={"A": 6},
        axes={"a": lambda v: v.A, "b": lambda v: v.A},
        inputs={
            # 根节点各动作的访问次数，可以为 0
            "visits": lambda v: v.integers(0, 40, v.A),
            "tau": lambda v: v.uniform(0.3, 3.0),
        },
        symbols={
            "N(s_0, a)": lambda v: v.visits[v.a],
            "N(s_0, b)": lambda v: v.visits[v.b],
            r"\sum_{b}": reduction("sum", "b"),
            r"\tau": lambda v: v.tau,
        },
        args={"visit_counts": lambda v: v.visits, "temperature": lambda v: v.tau},
        relation=lambda v: (v.out[v.a], "==", v.formula),
    )


@formula_check("AI/LLM/RL/Fundamentals/MCTS", "alphazero-loss")
def check_alphazero_loss() -> Check:
    return Check(
        # 一批 B 个局面，公式是每个局面的损失；代码对前两项取 batch 平均、c‖θ‖² 只加一次，
        # 两者相等正是 mean_i(ℓ_i)。θ 取一个长度 K 的参数向量；p 经 log 后作为 logits 传入
        impl=alphazero_loss,
        dims={"B": 4, "A": 5, "K": 7},
        axes={"i": lambda v: v.B, "a": lambda v: v.A},
        inputs={
            # 对局结果 ∈ {−1, 0, +1}
            "z": lambda v: v.integers(-1, 2, v.B),
            "v": lambda v: v.uniform(-1, 1, v.B),
            "pi": lambda v: v.simplex(v.B, v.A),
            "p": lambda v: v.simplex(v.B, v.A),
            "theta": lambda v: v.normal(0, 1, v.K),
            "c": lambda v: v.uniform(0.001, 0.1),
        },
        symbols={
            "z": lambda v: v.z[v.i],
            "v": lambda v: v.v[v.i],
            r"\pi_a": lambda v: v.pi[v.i, v.a],
            "p_a": lambda v: v.p[v.i, v.a],
            r"\sum_{a}": reduction("sum", "a"),
            r"\|\theta\|": lambda v: v.sqrt(v.sum(v.theta**2)),
            "c": lambda v: v.c,
        },
        args={
            "value": lambda v: v.v,
            "outcome": lambda v: v.z,
            "policy_logits": lambda v: v.log(v.p),
            "search_policy": lambda v: v.pi,
            "params": lambda v: v.theta,
            "c": lambda v: v.c,
        },
        relation=lambda v: (v.out.loss, "==", v.mean(v.formula)),
    )

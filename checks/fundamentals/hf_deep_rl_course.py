"""Checks of the formulas of HF Deep RL Course.

Note: [[AI/LLM/RL/Fundamentals/HF Deep RL Course]]
"""

from __future__ import annotations

from rlref.algos.bandits import epsilon_greedy_probs
from rlref.algos.policy_loss import reinforce_loss
from rlref.algos.returns import discounted_returns, td_residual
from rlref.algos.tabular import q_learning_update
from rlref.formulas.api import Check, fn, formula_check, index, indexed, reduction


@formula_check("AI/LLM/RL/Fundamentals/HF Deep RL Course", "discounted-return")
def check_discounted_return() -> Check:
    return Check(
        impl=discounted_returns,
        axes={"b": 3, "t": 6, "k": 6},
        inputs={"r": lambda v: v.normal(0, 1, 3, 6), "gamma": lambda v: v.uniform(0.5, 0.99)},
        symbols={
            r"\sum_{k=0}^{T-t-1}": reduction("sum", "k", where=lambda v: v.t + v.k < 6),
            r"\gamma": lambda v: v.gamma,
            "r": indexed(lambda v, i: v.get(v.r, v.b, i, default=0)),
        },
        args={"rewards": lambda v: v.r, "gamma": lambda v: v.gamma},
    )


@formula_check("AI/LLM/RL/Fundamentals/HF Deep RL Course", "epsilon-greedy")
def check_epsilon_greedy() -> Check:
    return Check(
        # Every state's row of the Q table at once: out[s, a] = epsilon_greedy_probs(Q[s], ε)[a].
        # Values come in pairs so each row's argmax has a tie, which must go to the lowest index.
        impl=epsilon_greedy_probs,
        dims={"S": 3, "K": 6},
        axes={"s": lambda v: v.S, "a": lambda v: v.K, "b": lambda v: v.K},
        inputs={
            "half": lambda v: v.uniform(0, 1, v.S, 3),
            "Q": lambda v: v.concatenate([v.half, v.half], axis=1)[:, v.permutation(v.K)],
            "eps": lambda v: v.uniform(0.05, 0.95),
        },
        symbols={
            r"\pi": fn(lambda v, a, s: v.out[s, a], bar=True),
            "Q": fn(lambda v, s, b: v.Q[s, b]),
            r"\arg\max_{b}": reduction("argmax", "b"),
            r"\epsilon": lambda v: v.eps,
            "K": lambda v: v.K,
        },
        args={"q_values": lambda v: v.Q, "epsilon": lambda v: v.eps},
    )


@formula_check("AI/LLM/RL/Fundamentals/HF Deep RL Course", "q-learning-update")
def check_q_learning_update() -> Check:
    return Check(
        # d_t 沿轴 n 取 0（impl，done=False）和 1（同一函数 done=True 的结果），
        # 两种情形每个种子都检查
        impl=q_learning_update,
        dims={"S": 6, "A": 4},
        axes={"n": 2, "a2": lambda v: v.A},
        inputs={
            "Q": lambda v: v.normal(0, 1, v.S, v.A),
            "s": lambda v: v.integers(0, v.S),
            "a": lambda v: v.integers(0, v.A),
            "r": lambda v: v.normal(0, 1),
            "s2": lambda v: v.integers(0, v.S),
            "alpha": lambda v: v.uniform(0.1, 0.9),
            "gamma": lambda v: v.uniform(0.5, 0.99),
            "Q_done": lambda v: v.call(
                q_learning_update, v.Q, v.s, v.a, v.r, v.s2, True, v.alpha, v.gamma
            ),
        },
        symbols={
            "Q": fn(lambda v, x, y: v.Q[x, y]),
            "s_t": lambda v: v.s,
            "a_t": lambda v: v.a,
            "r_t": lambda v: v.r,
            "s_{t+1}": lambda v: v.s2,
            "d_t": index("n"),
            "a'": index("a2"),
            r"\max_{a'}": reduction("max", "a2"),
            r"\alpha": lambda v: v.alpha,
            r"\gamma": lambda v: v.gamma,
        },
        args={
            "q_values": lambda v: v.Q,
            "state": lambda v: v.s,
            "action": lambda v: v.a,
            "reward": lambda v: v.r,
            "next_state": lambda v: v.s2,
            "done": False,
            "alpha": lambda v: v.alpha,
            "gamma": lambda v: v.gamma,
        },
        relation=lambda v: (
            v.where(v.n == 0, v.out[v.s, v.a], v.Q_done[v.s, v.a]),
            "==",
            v.formula,
        ),
    )


@formula_check("AI/LLM/RL/Fundamentals/HF Deep RL Course", "reinforce-loss")
def check_reinforce_loss() -> Check:
    return Check(
        impl=reinforce_loss,
        dims={"S": 6, "A": 5},
        axes={"i": 4, "t": 8},
        inputs={
            "P": lambda v: v.simplex(v.S, v.A),
            "s": lambda v: v.integers(0, v.S, v.i, v.t),
            "a": lambda v: v.integers(0, v.A, v.i, v.t),
            "G": lambda v: v.normal(0, 1, v.i, v.t),
            "bl": lambda v: v.normal(0, 0.5, v.i, v.t),
            "mask": lambda v: v.prefix_mask(v.i, v.t),
        },
        symbols={
            "B": lambda v: v.size(v.i),
            r"\sum_{i=1}^{B}": reduction("sum", "i"),
            r"\sum_{t=0}^{T-1}": reduction("sum", "t"),
            "m_{i,t}": lambda v: v.mask,
            "G_{i,t}": lambda v: v.G,
            "b_{i,t}": lambda v: v.bl,
            r"\pi_\theta": fn(lambda v, a, s: v.P[s, a], bar=True),
            "a_{i,t}": lambda v: v.a,
            "s_{i,t}": lambda v: v.s,
        },
        # 默认聚合 seq-mean-token-sum：回合内求和、回合间平均（prefix_mask 保证每行至少一个有效步）
        args={
            "logp": lambda v: v.log(v.P[v.s, v.a]),
            "returns": lambda v: v.G,
            "mask": lambda v: v.mask,
            "baseline": lambda v: v.bl,
        },
        cover=[
            lambda v: v.mask == 0,
            lambda v: v.mask & (v.G - v.bl > 0),
            lambda v: v.mask & (v.G - v.bl < 0),
        ],
    )


@formula_check("AI/LLM/RL/Fundamentals/HF Deep RL Course", "a2c-advantage")
def check_a2c_advantage() -> Check:
    return Check(
        # critic 是状态的函数：values 与 bootstrap 值都从同一张 V 表按访问到的状态取
        impl=td_residual,
        dims={"B": 3, "T": 6, "S": 5},
        axes={"b": lambda v: v.B, "t": lambda v: v.T},
        inputs={
            "r": lambda v: v.normal(0, 1, v.B, v.T),
            "states": lambda v: v.integers(0, v.S, v.B, v.T + 1),
            "Vtab": lambda v: v.normal(0, 1, v.S),
            "gamma": lambda v: v.uniform(0.5, 0.99),
        },
        symbols={
            "r": indexed(lambda v, i: v.r[v.b, i]),
            "s": indexed(lambda v, i: v.states[v.b, i]),
            "V": fn(lambda v, x: v.Vtab[x]),
            r"\gamma": lambda v: v.gamma,
        },
        args={
            "rewards": lambda v: v.r,
            "values": lambda v: v.Vtab[v.states[:, :-1]],
            "gamma": lambda v: v.gamma,
            "bootstrap_value": lambda v: v.Vtab[v.states[:, -1]],
        },
    )

"""Checks of the formulas of 贝尔曼方程.

Note: [[AI/LLM/RL/Fundamentals/贝尔曼方程]]
"""

from __future__ import annotations

from rlref.algos.tabular import (
    action_values,
    policy_evaluation_iterative,
    policy_evaluation_linear,
    q_learning_update,
    value_iteration,
)
from rlref.formulas.api import Check, fn, formula_check, index, reduction
from rlref.formulas.specs.tabular import finite_mdp


@formula_check("AI/LLM/RL/Fundamentals/贝尔曼方程", "bellman-expectation-v")
def check_bellman_expectation_v() -> Check:
    return Check(
        # 不动点：代码线性求解得到的 V^π 代回右边，必须还给出 V^π
        impl=policy_evaluation_linear,
        dims={"S": 5, "A": 3},
        axes={"s": lambda v: v.S, "a": lambda v: v.A, "s2": lambda v: v.S},
        inputs={
            "P": lambda v: v.simplex(v.S, v.A, v.S),
            "R": lambda v: v.normal(0, 1, v.S, v.A),
            "pi": lambda v: v.simplex(v.S, v.A),
            "gamma": lambda v: v.uniform(0.5, 0.95),
        },
        symbols={
            r"\sum_{a=1}^{n_A}": reduction("sum", "a"),
            r"\sum_{s'=1}^{n_S}": reduction("sum", "s2"),
            r"\pi": fn(lambda v, a, s: v.pi[s, a], bar=True),
            "r": fn(lambda v, s, a: v.R[s, a]),
            "P": fn(lambda v, x, s, a: v.P[s, a, x], bar=True),
            r"V^{\pi}": fn(lambda v, x: v.out[x]),
            "s'": index("s2"),
            r"\gamma": lambda v: v.gamma,
        },
        args={"mdp": lambda v: finite_mdp(v.P, v.R, v.gamma), "policy": lambda v: v.pi},
    )


@formula_check("AI/LLM/RL/Fundamentals/贝尔曼方程", "bellman-expectation-q")
def check_bellman_expectation_q() -> Check:
    return Check(
        # 不动点：Q^π 取代码的 action_values(V^π)，V^π 来自线性求解；代回右边必须还给出 Q^π
        impl=action_values,
        dims={"S": 5, "A": 3},
        axes={"s": lambda v: v.S, "a": lambda v: v.A, "s2": lambda v: v.S, "a2": lambda v: v.A},
        inputs={
            "P": lambda v: v.simplex(v.S, v.A, v.S),
            "R": lambda v: v.normal(0, 1, v.S, v.A),
            "pi": lambda v: v.simplex(v.S, v.A),
            "gamma": lambda v: v.uniform(0.5, 0.95),
            "M": lambda v: finite_mdp(v.P, v.R, v.gamma),
        },
        symbols={
            r"\sum_{s'=1}^{n_S}": reduction("sum", "s2"),
            r"\sum_{a'=1}^{n_A}": reduction("sum", "a2"),
            r"\pi": fn(lambda v, x, y: v.pi[y, x], bar=True),
            "r": fn(lambda v, x, y: v.R[x, y]),
            "P": fn(lambda v, x, y, z: v.P[y, z, x], bar=True),
            r"Q^{\pi}": fn(lambda v, x, y: v.out[x, y]),
            "s'": index("s2"),
            "a'": index("a2"),
            r"\gamma": lambda v: v.gamma,
        },
        args={
            "mdp": lambda v: v.M,
            "values": lambda v: v.call(policy_evaluation_linear, v.M, v.pi),
        },
    )


@formula_check("AI/LLM/RL/Fundamentals/贝尔曼方程", "q-from-v")
def check_q_from_v() -> Check:
    return Check(
        impl=action_values,
        dims={"S": 5, "A": 3},
        axes={"s": lambda v: v.S, "a": lambda v: v.A, "s2": lambda v: v.S},
        inputs={
            "P": lambda v: v.simplex(v.S, v.A, v.S),
            "R": lambda v: v.normal(0, 1, v.S, v.A),
            "V": lambda v: v.normal(0, 1, v.S),
            "gamma": lambda v: v.uniform(0.5, 0.95),
        },
        symbols={
            r"\sum_{s'=1}^{n_S}": reduction("sum", "s2"),
            "r": fn(lambda v, s, a: v.R[s, a]),
            "P": fn(lambda v, x, s, a: v.P[s, a, x], bar=True),
            r"V^{\pi}": fn(lambda v, x: v.V[x]),
            "s'": index("s2"),
            r"\gamma": lambda v: v.gamma,
        },
        args={"mdp": lambda v: finite_mdp(v.P, v.R, v.gamma), "values": lambda v: v.V},
    )


@formula_check("AI/LLM/RL/Fundamentals/贝尔曼方程", "policy-reward")
def check_policy_reward() -> Check:
    return Check(
        # γ = 0 时 (I − γP^π)V = r^π 给出 V^π = r^π：线性求解直接返回代码里的 r^π
        impl=policy_evaluation_linear,
        dims={"S": 5, "A": 3},
        axes={"s": lambda v: v.S, "a": lambda v: v.A},
        inputs={
            "P": lambda v: v.simplex(v.S, v.A, v.S),
            "R": lambda v: v.normal(0, 1, v.S, v.A),
            "pi": lambda v: v.simplex(v.S, v.A),
        },
        symbols={
            r"\sum_{a=1}^{n_A}": reduction("sum", "a"),
            r"\pi": fn(lambda v, a, s: v.pi[s, a], bar=True),
            "r": fn(lambda v, s, a: v.R[s, a]),
        },
        args={"mdp": lambda v: finite_mdp(v.P, v.R, 0.0), "policy": lambda v: v.pi},
    )


@formula_check("AI/LLM/RL/Fundamentals/贝尔曼方程", "policy-transition")
def check_policy_transition() -> Check:
    return Check(
        # 代码不单独返回 P^π：用只依赖状态的奖励 R(s, a) = u(s)（于是 r^π = u），
        # 笔记的 P^π 必须让代码解出的 V^π 满足 V^π = u + γ P^π V^π（S 个方程，P^π 取错即失败）
        impl=policy_evaluation_linear,
        dims={"S": 5, "A": 3},
        axes={"s": lambda v: v.S, "a": lambda v: v.A, "s2": lambda v: v.S},
        inputs={
            "P": lambda v: v.simplex(v.S, v.A, v.S),
            "pi": lambda v: v.simplex(v.S, v.A),
            "u": lambda v: v.normal(0, 1, v.S),
            "R": lambda v: v.reshape(v.u, v.S, 1) + v.zeros_like(v.pi),
            "gamma": lambda v: v.uniform(0.5, 0.95),
        },
        symbols={
            r"\sum_{a=1}^{n_A}": reduction("sum", "a"),
            r"\pi": fn(lambda v, a, s: v.pi[s, a], bar=True),
            "P": fn(lambda v, x, s, a: v.P[s, a, x], bar=True),
            "s'": index("s2"),
        },
        args={"mdp": lambda v: finite_mdp(v.P, v.R, v.gamma), "policy": lambda v: v.pi},
        relation=lambda v: (v.out, "==", v.u[v.s] + v.gamma * v.sum(v.formula * v.out[v.s2], v.s2)),
    )


@formula_check("AI/LLM/RL/Fundamentals/贝尔曼方程", "bellman-matrix")
def check_bellman_matrix() -> Check:
    return Check(
        # 矩阵乘 P^π V^π 写成对 s' 的加权求和：P^π 是以 P^π(s, s') 为权重的求和算子，
        # 所以右边的 V^π 取在 s' 上；V^π 来自代码的线性求解（不动点检查）
        impl=policy_evaluation_linear,
        dims={"S": 5, "A": 3},
        axes={"s": lambda v: v.S, "a": lambda v: v.A, "s2": lambda v: v.S},
        inputs={
            "P": lambda v: v.simplex(v.S, v.A, v.S),
            "R": lambda v: v.normal(0, 1, v.S, v.A),
            "pi": lambda v: v.simplex(v.S, v.A),
            "gamma": lambda v: v.uniform(0.5, 0.95),
        },
        symbols={
            r"r^{\pi}": lambda v: v.sum(v.pi[v.s, v.a] * v.R[v.s, v.a], v.a),
            r"P^{\pi}": reduction(
                "sum", "s2", weights=lambda v: v.sum(v.pi[v.s, v.a] * v.P[v.s, v.a, v.s2], v.a)
            ),
            r"V^{\pi}": lambda v: v.out[v.s2],
            r"\gamma": lambda v: v.gamma,
        },
        args={"mdp": lambda v: finite_mdp(v.P, v.R, v.gamma), "policy": lambda v: v.pi},
    )


@formula_check("AI/LLM/RL/Fundamentals/贝尔曼方程", "policy-evaluation-iterative")
def check_policy_evaluation_iterative() -> Check:
    return Check(
        # 代码从 V_0 = 0 迭代；tol = 0 让它恰好扫 max_iterations 遍：扫 K 遍得 V_k，扫 K+1 遍得
        # V_{k+1}
        impl=policy_evaluation_iterative,
        dims={"S": 5, "A": 3},
        axes={"s": lambda v: v.S, "a": lambda v: v.A, "s2": lambda v: v.S},
        inputs={
            "P": lambda v: v.simplex(v.S, v.A, v.S),
            "R": lambda v: v.normal(0, 1, v.S, v.A),
            "pi": lambda v: v.simplex(v.S, v.A),
            "gamma": lambda v: v.uniform(0.5, 0.95),
            "M": lambda v: finite_mdp(v.P, v.R, v.gamma),
            "K": lambda v: v.integers(1, 6),
            "Vk": lambda v: v.call(policy_evaluation_iterative, v.M, v.pi, 0.0, v.K),
        },
        symbols={
            r"r^{\pi}": lambda v: v.sum(v.pi[v.s, v.a] * v.R[v.s, v.a], v.a),
            r"P^{\pi}": reduction(
                "sum", "s2", weights=lambda v: v.sum(v.pi[v.s, v.a] * v.P[v.s, v.a, v.s2], v.a)
            ),
            "V_{k+1}": lambda v: v.out[v.s],
            "V_{k}": lambda v: v.Vk[v.s2],
            r"\gamma": lambda v: v.gamma,
        },
        args={
            "mdp": lambda v: v.M,
            "policy": lambda v: v.pi,
            "tol": 0.0,
            "max_iterations": lambda v: v.K + 1,
        },
        relation=lambda v: (v.lhs, "==", v.formula),
    )


@formula_check("AI/LLM/RL/Fundamentals/贝尔曼方程", "bellman-optimality-v")
def check_bellman_optimality_v() -> Check:
    return Check(
        impl=value_iteration,
        dims={"S": 5, "A": 3},
        axes={"s": lambda v: v.S, "a": lambda v: v.A, "s2": lambda v: v.S},
        inputs={
            "P": lambda v: v.simplex(v.S, v.A, v.S),
            "R": lambda v: v.normal(0, 1, v.S, v.A),
            "gamma": lambda v: v.uniform(0.5, 0.9),
        },
        symbols={
            r"\max_{a}": reduction("max", "a"),
            r"\sum_{s'=1}^{n_S}": reduction("sum", "s2"),
            "r": fn(lambda v, s, a: v.R[s, a]),
            "P": fn(lambda v, x, s, a: v.P[s, a, x], bar=True),
            r"V^{\star}": fn(lambda v, x: v.out.values[x]),
            "s'": index("s2"),
            r"\gamma": lambda v: v.gamma,
        },
        args={"mdp": lambda v: finite_mdp(v.P, v.R, v.gamma)},
        relation=lambda v: (v.out.values, "==", v.formula),
        # 值迭代停在 ‖ΔV‖∞ < 1e-10
        atol=1e-08,
    )


@formula_check("AI/LLM/RL/Fundamentals/贝尔曼方程", "bellman-optimality-q")
def check_bellman_optimality_q() -> Check:
    return Check(
        # Q^⋆ = action_values(V^⋆)，V^⋆ 来自值迭代；代回右边必须还给出 Q^⋆
        impl=action_values,
        dims={"S": 5, "A": 3},
        axes={"s": lambda v: v.S, "a": lambda v: v.A, "s2": lambda v: v.S, "a2": lambda v: v.A},
        inputs={
            "P": lambda v: v.simplex(v.S, v.A, v.S),
            "R": lambda v: v.normal(0, 1, v.S, v.A),
            "gamma": lambda v: v.uniform(0.5, 0.9),
            "M": lambda v: finite_mdp(v.P, v.R, v.gamma),
        },
        symbols={
            r"\sum_{s'=1}^{n_S}": reduction("sum", "s2"),
            r"\max_{a'}": reduction("max", "a2"),
            "r": fn(lambda v, x, y: v.R[x, y]),
            "P": fn(lambda v, x, y, z: v.P[y, z, x], bar=True),
            r"Q^{\star}": fn(lambda v, x, y: v.out[x, y]),
            "s'": index("s2"),
            "a'": index("a2"),
            r"\gamma": lambda v: v.gamma,
        },
        args={"mdp": lambda v: v.M, "values": lambda v: v.call(value_iteration, v.M).values},
        # 值迭代停在 ‖ΔV‖∞ < 1e-10
        atol=1e-08,
    )


@formula_check("AI/LLM/RL/Fundamentals/贝尔曼方程", "value-iteration")
def check_value_iteration() -> Check:
    return Check(
        # tol = 0 让值迭代恰好扫 max_iterations 遍（从 V_0 = 0 开始）：K 遍得 V_k，K+1 遍得 V_{k+1}
        impl=value_iteration,
        dims={"S": 5, "A": 3},
        axes={"s": lambda v: v.S, "a": lambda v: v.A, "s2": lambda v: v.S},
        inputs={
            "P": lambda v: v.simplex(v.S, v.A, v.S),
            "R": lambda v: v.normal(0, 1, v.S, v.A),
            "gamma": lambda v: v.uniform(0.5, 0.95),
            "M": lambda v: finite_mdp(v.P, v.R, v.gamma),
            "K": lambda v: v.integers(1, 6),
            "Vk": lambda v: v.call(value_iteration, v.M, 0.0, v.K).values,
        },
        symbols={
            r"\max_{a}": reduction("max", "a"),
            r"\sum_{s'=1}^{n_S}": reduction("sum", "s2"),
            "r": fn(lambda v, s, a: v.R[s, a]),
            "P": fn(lambda v, x, s, a: v.P[s, a, x], bar=True),
            "V_{k+1}": fn(lambda v, x: v.out.values[x]),
            "V_{k}": fn(lambda v, x: v.Vk[x]),
            "s'": index("s2"),
            r"\gamma": lambda v: v.gamma,
        },
        args={"mdp": lambda v: v.M, "tol": 0.0, "max_iterations": lambda v: v.K + 1},
        relation=lambda v: (v.lhs, "==", v.formula),
    )


@formula_check("AI/LLM/RL/Fundamentals/贝尔曼方程", "greedy-policy")
def check_greedy_policy() -> Check:
    return Check(
        impl=value_iteration,
        dims={"S": 6, "A": 4},
        axes={"s": lambda v: v.S, "a": lambda v: v.A},
        inputs={
            "P": lambda v: v.simplex(v.S, v.A, v.S),
            "R": lambda v: v.normal(0, 1, v.S, v.A),
            "gamma": lambda v: v.uniform(0.5, 0.9),
            "M": lambda v: finite_mdp(v.P, v.R, v.gamma),
        },
        symbols={
            r"\arg\max_{a}": reduction("argmax", "a"),
            r"Q^{\star}": fn(lambda v, x, y: v.call(action_values, v.M, v.out.values)[x, y]),
        },
        args={"mdp": lambda v: v.M},
        relation=lambda v: (v.out.policy, "==", v.formula),
        exact=True,
    )


@formula_check("AI/LLM/RL/Fundamentals/贝尔曼方程", "q-learning-update")
def check_q_learning_update() -> Check:
    return Check(
        # d_t 沿一根长度 2 的轴取 0 和 1：d = 0 对比 done=False 的调用（out），d = 1 对比
        # done=True 的调用
        impl=q_learning_update,
        dims={"S": 6, "A": 4},
        axes={"a2": lambda v: v.A, "d": 2},
        inputs={
            "Q": lambda v: v.normal(0, 1, v.S, v.A),
            "s": lambda v: v.integers(0, v.S),
            "a": lambda v: v.integers(0, v.A),
            "r": lambda v: v.normal(0, 1),
            "s2": lambda v: v.integers(0, v.S),
            "alpha": lambda v: v.uniform(0.1, 0.9),
            "gamma": lambda v: v.uniform(0.5, 0.99),
        },
        symbols={
            "Q": fn(lambda v, x, y: v.Q[x, y]),
            "s_t": lambda v: v.s,
            "a_t": lambda v: v.a,
            "r_t": lambda v: v.r,
            "s_{t+1}": lambda v: v.s2,
            "d_t": index("d"),
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
            v.where(
                v.d == 1,
                v.call(q_learning_update, v.Q, v.s, v.a, v.r, v.s2, True, v.alpha, v.gamma)[
                    v.s, v.a
                ],
                v.out[v.s, v.a],
            ),
            "==",
            v.formula,
        ),
    )

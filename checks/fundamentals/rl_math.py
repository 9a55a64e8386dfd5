"""Checks of the formulas of 强化学习的数学原理.

Note: [[AI/LLM/RL/Fundamentals/强化学习的数学原理]]
"""

from __future__ import annotations

from rlref.algos.returns import discounted_returns, td_residual
from rlref.algos.tabular import (
    action_values,
    policy_evaluation_iterative,
    policy_evaluation_linear,
    q_learning_update,
    value_iteration,
)
from rlref.formulas.api import Check, fn, formula_check, index, indexed, reduction
from rlref.formulas.specs.markov_chain import stationary_distribution
from rlref.formulas.specs.tabular import finite_mdp


@formula_check("AI/LLM/RL/Fundamentals/强化学习的数学原理", "discounted-return")
def check_discounted_return() -> Check:
    return Check(
        # 教材下标：r_j 是第 j − 1 步动作之后的奖励，即代码的 rewards[j − 1]
        impl=discounted_returns,
        dims={"B": 3, "T": 6},
        axes={"b": lambda v: v.B, "t": lambda v: v.T, "k": lambda v: v.T},
        inputs={"rew": lambda v: v.normal(0, 1, v.B, v.T), "gamma": lambda v: v.uniform(0.5, 0.99)},
        symbols={
            r"\sum_{k=0}^{T-t-1}": reduction("sum", "k", where=lambda v: v.t + v.k < v.T),
            r"\gamma": lambda v: v.gamma,
            "r": indexed(lambda v, j: v.get(v.rew, v.b, j - 1, default=0)),
        },
        args={"rewards": lambda v: v.rew, "gamma": lambda v: v.gamma},
    )


@formula_check("AI/LLM/RL/Fundamentals/强化学习的数学原理", "bellman-matrix-form")
def check_bellman_matrix_form() -> Check:
    return Check(
        # 矩阵乘 P_π v_π 写成对 s' 的加权求和：P_π 是以 P_π(s, s') 为权重的求和算子，
        # 所以右边的 v_π 取在 s' 上；v_π 来自代码的线性求解（不动点检查）
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
            r"r_\pi": lambda v: v.sum(v.pi[v.s, v.a] * v.R[v.s, v.a], v.a),
            r"P_\pi": reduction(
                "sum", "s2", weights=lambda v: v.sum(v.pi[v.s, v.a] * v.P[v.s, v.a, v.s2], v.a)
            ),
            r"v_\pi": lambda v: v.out[v.s2],
            r"\gamma": lambda v: v.gamma,
        },
        args={"mdp": lambda v: finite_mdp(v.P, v.R, v.gamma), "policy": lambda v: v.pi},
    )


@formula_check("AI/LLM/RL/Fundamentals/强化学习的数学原理", "bellman-iterative-solution")
def check_bellman_iterative_solution() -> Check:
    return Check(
        # 代码从 v_0 = 0 迭代；tol = 0 让它恰好扫 max_iterations 遍：扫 K 遍得 v_k，扫 K+1 遍得
        # v_{k+1}
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
            "vk": lambda v: v.call(policy_evaluation_iterative, v.M, v.pi, 0.0, v.K),
        },
        symbols={
            r"r_\pi": lambda v: v.sum(v.pi[v.s, v.a] * v.R[v.s, v.a], v.a),
            r"P_\pi": reduction(
                "sum", "s2", weights=lambda v: v.sum(v.pi[v.s, v.a] * v.P[v.s, v.a, v.s2], v.a)
            ),
            "v_{k+1}": lambda v: v.out[v.s],
            "v_{k}": lambda v: v.vk[v.s2],
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


@formula_check("AI/LLM/RL/Fundamentals/强化学习的数学原理", "bellman-optimality-matrix")
def check_bellman_optimality_matrix() -> Check:
    return Check(
        # 右边第 s 个分量只依赖策略在 s 上怎么选，所以对 π 取 max 可以逐状态进行，并在确定性策略
        # π(s) = a 处取到（随机策略给出这些值的凸组合，不会更大）：max_π 绑定为对 a 取 max，
        # r_π(s) = r(s, a)，(P_π v)(s) = Σ_s' p(s'|s, a) v(s')。v 取值迭代的解，代回右边必须还给出它
        impl=value_iteration,
        dims={"S": 5, "A": 3},
        axes={"s": lambda v: v.S, "a": lambda v: v.A, "s2": lambda v: v.S},
        inputs={
            "P": lambda v: v.simplex(v.S, v.A, v.S),
            "R": lambda v: v.normal(0, 1, v.S, v.A),
            "gamma": lambda v: v.uniform(0.5, 0.9),
        },
        symbols={
            r"\max_{\pi}": reduction("max", "a"),
            r"r_\pi": lambda v: v.R[v.s, v.a],
            r"P_\pi": reduction("sum", "s2", weights=lambda v: v.P[v.s, v.a, v.s2]),
            "v": lambda v: v.out.values[v.s2],
            r"\gamma": lambda v: v.gamma,
        },
        args={"mdp": lambda v: finite_mdp(v.P, v.R, v.gamma)},
        relation=lambda v: (v.out.values, "==", v.formula),
        # 值迭代停在 ‖Δv‖∞ < 1e-10
        atol=1e-08,
    )


@formula_check("AI/LLM/RL/Fundamentals/强化学习的数学原理", "value-iteration-q")
def check_value_iteration_q() -> Check:
    return Check(
        # 对任意 v_k 成立的一步前瞻
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
            r"\sum_{s'=1}^{n}": reduction("sum", "s2"),
            "r": fn(lambda v, s, a: v.R[s, a]),
            "p": fn(lambda v, x, s, a: v.P[s, a, x], bar=True),
            "v_k": fn(lambda v, x: v.V[x]),
            "s'": index("s2"),
            r"\gamma": lambda v: v.gamma,
        },
        args={"mdp": lambda v: finite_mdp(v.P, v.R, v.gamma), "values": lambda v: v.V},
    )


@formula_check("AI/LLM/RL/Fundamentals/强化学习的数学原理", "value-iteration-v")
def check_value_iteration_v() -> Check:
    return Check(
        # tol = 0 让值迭代恰好扫 max_iterations 遍（从 v_0 = 0 开始）：q_k 由 K 遍后的 v_k 算出，
        # 左边是 K+1 遍后的代码输出
        impl=value_iteration,
        dims={"S": 5, "A": 3},
        axes={"s": lambda v: v.S, "a": lambda v: v.A},
        inputs={
            "P": lambda v: v.simplex(v.S, v.A, v.S),
            "R": lambda v: v.normal(0, 1, v.S, v.A),
            "gamma": lambda v: v.uniform(0.5, 0.95),
            "M": lambda v: finite_mdp(v.P, v.R, v.gamma),
            "K": lambda v: v.integers(1, 6),
            "qk": lambda v: v.call(
                action_values, v.M, v.call(value_iteration, v.M, 0.0, v.K).values
            ),
        },
        symbols={
            r"\max_{a}": reduction("max", "a"),
            "v_{k+1}": fn(lambda v, x: v.out.values[x]),
            "q_k": fn(lambda v, x, y: v.qk[x, y]),
        },
        args={"mdp": lambda v: v.M, "tol": 0.0, "max_iterations": lambda v: v.K + 1},
        relation=lambda v: (v.lhs, "==", v.formula),
    )


@formula_check("AI/LLM/RL/Fundamentals/强化学习的数学原理", "incremental-mean")
def check_incremental_mean() -> Check:
    return Check(
        # 恒等式（rlref 中没有对应函数，不调用代码）：w_k 取前 k − 1 个样本的均值（w_1 任意，取 0）
        dims={"K": 8},
        axes={"j": lambda v: v.K},
        inputs={
            "x": lambda v: v.normal(0, 1, v.K),
            "w": lambda v: v.concatenate([[0.0], v.cumsum(v.x, 0) / v.arange(1, v.K + 1)]),
        },
        symbols={
            "k": lambda v: v.j + 1,
            "w": indexed(lambda v, i: v.w[i - 1]),
            "x": indexed(lambda v, i: v.x[i - 1]),
        },
        relation=lambda v: (v.lhs, "==", v.formula),
    )


@formula_check("AI/LLM/RL/Fundamentals/强化学习的数学原理", "td0-update")
def check_td0_update() -> Check:
    return Check(
        # 更新量除以步长就是 TD 残差：(v_{t+1}(s_t) − v_t(s_t)) / α_t 必须等于 td_residual 的 δ_t。
        # 教材的 r_{t+1} 是代码的 rewards[t]；每一步都用同一张表 v_t，最后一步的 v_t(s_{t+1})
        # 作为 bootstrap
        impl=td_residual,
        dims={"B": 3, "T": 6, "S": 5},
        axes={"b": lambda v: v.B, "t": lambda v: v.T},
        inputs={
            "V": lambda v: v.normal(0, 1, v.S),
            "states": lambda v: v.integers(0, v.S, v.B, v.T + 1),
            "rew": lambda v: v.normal(0, 1, v.B, v.T),
            "gamma": lambda v: v.uniform(0.5, 0.99),
            "alpha": lambda v: v.uniform(0.1, 0.9),
        },
        symbols={
            "v_t": fn(lambda v, x: v.V[x]),
            "s_t": lambda v: v.states[v.b, v.t],
            "s_{t+1}": lambda v: v.states[v.b, v.t + 1],
            "r_{t+1}": lambda v: v.rew[v.b, v.t],
            r"\alpha_t": lambda v: v.alpha,
            r"\gamma": lambda v: v.gamma,
        },
        args={
            "rewards": lambda v: v.rew,
            "values": lambda v: v.V[v.states[:, :-1]],
            "gamma": lambda v: v.gamma,
            "bootstrap_value": lambda v: v.V[v.states[:, -1]],
        },
        relation=lambda v: (v.out, "==", (v.formula - v.V[v.states[v.b, v.t]]) / v.alpha),
    )


@formula_check("AI/LLM/RL/Fundamentals/强化学习的数学原理", "q-learning")
def check_q_learning() -> Check:
    return Check(
        impl=q_learning_update,
        dims={"S": 6, "A": 4},
        axes={"a": lambda v: v.A},
        inputs={
            "Q": lambda v: v.normal(0, 1, v.S, v.A),
            "st": lambda v: v.integers(0, v.S),
            "at": lambda v: v.integers(0, v.A),
            "rew": lambda v: v.normal(0, 1),
            "s2": lambda v: v.integers(0, v.S),
            "alpha": lambda v: v.uniform(0.1, 0.9),
            "gamma": lambda v: v.uniform(0.5, 0.99),
        },
        symbols={
            "q_{t+1}": fn(lambda v, x, y: v.out[x, y]),
            "q_t": fn(lambda v, x, y: v.Q[x, y]),
            "s_t": lambda v: v.st,
            "a_t": lambda v: v.at,
            "s_{t+1}": lambda v: v.s2,
            "r_{t+1}": lambda v: v.rew,
            r"\max_{a}": reduction("max", "a"),
            r"\alpha_t": lambda v: v.alpha,
            r"\gamma": lambda v: v.gamma,
        },
        args={
            "q_values": lambda v: v.Q,
            "state": lambda v: v.st,
            "action": lambda v: v.at,
            "reward": lambda v: v.rew,
            "next_state": lambda v: v.s2,
            "done": False,
            "alpha": lambda v: v.alpha,
            "gamma": lambda v: v.gamma,
        },
        relation=lambda v: (v.lhs, "==", v.formula),
    )


@formula_check("AI/LLM/RL/Fundamentals/强化学习的数学原理", "average-reward-value-relation")
def check_average_reward_value_relation() -> Check:
    return Check(
        # d_π 是 P_π 的平稳分布（spec 解 d_πᵀ P_π = d_πᵀ，作为输入）；v_π 取代码的线性求解，
        # r_π 取 γ = 0 时的同一求解（此时 v = r_π）
        impl=policy_evaluation_linear,
        dims={"S": 5, "A": 3},
        inputs={
            "P": lambda v: v.simplex(v.S, v.A, v.S),
            "R": lambda v: v.normal(0, 1, v.S, v.A),
            "pi": lambda v: v.simplex(v.S, v.A),
            "gamma": lambda v: v.uniform(0.5, 0.95),
            "d": lambda v: stationary_distribution(v.P, v.pi),
            "r_pi": lambda v: v.call(policy_evaluation_linear, finite_mdp(v.P, v.R, 0.0), v.pi),
        },
        symbols={
            r"\bar{r}_\pi": lambda v: v.sum(v.d * v.r_pi),
            r"\bar{v}_\pi": lambda v: v.sum(v.d * v.out),
            r"\gamma": lambda v: v.gamma,
        },
        args={"mdp": lambda v: finite_mdp(v.P, v.R, v.gamma), "policy": lambda v: v.pi},
        relation=lambda v: (v.lhs, "==", v.formula),
    )

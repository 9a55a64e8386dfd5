"""Checks of the formulas of 马尔科夫.

Note: [[AI/LLM/RL/Fundamentals/马尔科夫]]
"""

from __future__ import annotations

from rlref.algos.returns import discounted_returns
from rlref.algos.tabular import action_values, potential_shaping, value_iteration
from rlref.formulas.api import Check, fn, formula_check, index, indexed, reduction
from rlref.formulas.specs.tabular import finite_mdp


@formula_check("AI/LLM/RL/Fundamentals/马尔科夫", "discounted-return")
def check_discounted_return() -> Check:
    return Check(
        impl=discounted_returns,
        dims={"B": 3, "T": 6},
        axes={"b": lambda v: v.B, "t": lambda v: v.T, "k": lambda v: v.T},
        inputs={"r": lambda v: v.normal(0, 1, v.B, v.T), "gamma": lambda v: v.uniform(0.5, 0.99)},
        symbols={
            r"\sum_{k=0}^{T-t-1}": reduction("sum", "k", where=lambda v: v.t + v.k < v.T),
            r"\gamma": lambda v: v.gamma,
            "r": indexed(lambda v, i: v.get(v.r, v.b, i, default=0)),
        },
        args={"rewards": lambda v: v.r, "gamma": lambda v: v.gamma},
    )


@formula_check("AI/LLM/RL/Fundamentals/马尔科夫", "return-recursion")
def check_return_recursion() -> Check:
    return Check(
        impl=discounted_returns,
        dims={"B": 3, "T": 6},
        axes={"b": lambda v: v.B, "t": lambda v: v.T},
        inputs={"r": lambda v: v.normal(0, 1, v.B, v.T), "gamma": lambda v: v.uniform(0.5, 0.99)},
        symbols={
            # 递推式：右边的 G_{t+1} 取代码自己的输出，G_T = 0
            "G": indexed(lambda v, i: v.get(v.out, v.b, i, default=0)),
            "r": indexed(lambda v, i: v.r[v.b, i]),
            r"\gamma": lambda v: v.gamma,
        },
        args={"rewards": lambda v: v.r, "gamma": lambda v: v.gamma},
    )


@formula_check("AI/LLM/RL/Fundamentals/马尔科夫", "shaping-term")
def check_shaping_term() -> Check:
    return Check(
        # 塑形项是代码加到奖励上的量：out − r；在所有 (s, s') 组合上检查
        impl=potential_shaping,
        dims={"S": 5},
        axes={"s": lambda v: v.S, "s2": lambda v: v.S},
        inputs={
            "Phi": lambda v: v.normal(0, 1, v.S),
            "rew": lambda v: v.normal(0, 1, v.s, v.s2),
            "gamma": lambda v: v.uniform(0.5, 0.99),
        },
        symbols={
            r"\Phi": fn(lambda v, x: v.Phi[x]),
            "s'": index("s2"),
            r"\gamma": lambda v: v.gamma,
        },
        args={
            "rewards": lambda v: v.rew,
            "potential": lambda v: v.Phi[v.s] + v.zeros_like(v.rew),
            "next_potential": lambda v: v.Phi[v.s2] + v.zeros_like(v.rew),
            "gamma": lambda v: v.gamma,
        },
        relation=lambda v: (v.out - v.rew, "==", v.formula),
    )


@formula_check("AI/LLM/RL/Fundamentals/马尔科夫", "shaped-reward")
def check_shaped_reward() -> Check:
    return Check(
        impl=potential_shaping,
        dims={"B": 3, "T": 6, "S": 5},
        axes={"b": lambda v: v.B, "t": lambda v: v.T},
        inputs={
            "r": lambda v: v.normal(0, 1, v.B, v.T),
            "states": lambda v: v.integers(0, v.S, v.B, v.T + 1),
            "Phi": lambda v: v.normal(0, 1, v.S),
            "gamma": lambda v: v.uniform(0.5, 0.99),
        },
        symbols={
            "r": indexed(lambda v, i: v.r[v.b, i]),
            "s": indexed(lambda v, i: v.states[v.b, i]),
            r"\Phi": fn(lambda v, x: v.Phi[x]),
            r"\gamma": lambda v: v.gamma,
        },
        args={
            "rewards": lambda v: v.r,
            "potential": lambda v: v.Phi[v.states[:, :-1]],
            "next_potential": lambda v: v.Phi[v.states[:, 1:]],
            "gamma": lambda v: v.gamma,
        },
    )


@formula_check("AI/LLM/RL/Fundamentals/马尔科夫", "shaped-return-telescoping")
def check_shaped_return_telescoping() -> Check:
    return Check(
        # 恒等式：代码整形后的回报 = 原回报 + γ^T Φ(s_T) − Φ(s_0)
        impl=potential_shaping,
        dims={"B": 3, "T": 6, "S": 5},
        axes={"b": lambda v: v.B, "k": lambda v: v.T},
        inputs={
            "r": lambda v: v.normal(0, 1, v.B, v.T),
            "states": lambda v: v.integers(0, v.S, v.B, v.T + 1),
            "Phi": lambda v: v.normal(0, 1, v.S),
            "gamma": lambda v: v.uniform(0.5, 0.99),
        },
        symbols={
            r"\sum_{k=0}^{T-1}": reduction("sum", "k"),
            "r'": indexed(lambda v, i: v.out[v.b, i]),
            "r": indexed(lambda v, i: v.r[v.b, i]),
            "s": indexed(lambda v, i: v.states[v.b, i]),
            r"\Phi": fn(lambda v, x: v.Phi[x]),
            r"\gamma": lambda v: v.gamma,
            "T": lambda v: v.T,
        },
        args={
            "rewards": lambda v: v.r,
            "potential": lambda v: v.Phi[v.states[:, :-1]],
            "next_potential": lambda v: v.Phi[v.states[:, 1:]],
            "gamma": lambda v: v.gamma,
        },
        relation=lambda v: (v.lhs, "==", v.formula),
    )


@formula_check("AI/LLM/RL/Fundamentals/马尔科夫", "shaping-q-invariance")
def check_shaping_q_invariance() -> Check:
    return Check(
        # 定理的数值验证：用 potential_shaping 整形 MDP 的期望奖励（Φ(s') 取 E[Φ(s')] = Σ_s' P Φ），
        # 对整形后的 MDP 做值迭代得 Q'^⋆ = action_values(V'^⋆)；原 MDP 的 Q^⋆ 同样由代码算出
        impl=action_values,
        dims={"S": 5, "A": 3},
        axes={"s": lambda v: v.S, "a": lambda v: v.A},
        inputs={
            "P": lambda v: v.simplex(v.S, v.A, v.S),
            "R": lambda v: v.normal(0, 1, v.S, v.A),
            "Phi": lambda v: v.normal(0, 1, v.S),
            "gamma": lambda v: v.uniform(0.5, 0.9),
            "M": lambda v: finite_mdp(v.P, v.R, v.gamma),
            "shaped": lambda v: finite_mdp(
                v.P,
                v.call(
                    potential_shaping,
                    v.R,
                    v.reshape(v.Phi, v.S, 1) + v.zeros_like(v.R),
                    v.sum(v.P * v.Phi, 2),
                    v.gamma,
                ),
                v.gamma,
            ),
            "Qstar": lambda v: v.call(action_values, v.M, v.call(value_iteration, v.M).values),
        },
        symbols={
            r"Q'^{\star}": fn(lambda v, x, y: v.out[x, y]),
            r"Q^{\star}": fn(lambda v, x, y: v.Qstar[x, y]),
            r"\Phi": fn(lambda v, x: v.Phi[x]),
        },
        args={
            "mdp": lambda v: v.shaped,
            "values": lambda v: v.call(value_iteration, v.shaped).values,
        },
        relation=lambda v: (v.lhs, "==", v.formula),
        # 两次值迭代各停在 ‖ΔV‖∞ < 1e-10
        atol=1e-08,
    )

"""Checks of the formulas of GAE.

Note: [[AI/LLM/RL/Fundamentals/GAE]]
"""

from __future__ import annotations

from rlref.algos.advantages import gae
from rlref.algos.returns import lambda_returns, reverse_linear_recurrence, td_residual
from rlref.formulas.api import Check, formula_check, indexed, reduction


@formula_check("AI/LLM/RL/Fundamentals/GAE", "td-residual")
def check_td_residual() -> Check:
    return Check(
        impl=td_residual,
        axes={"b": 3, "t": 7},
        inputs={
            "r": lambda v: v.normal(0, 1, 3, 7),
            "V": lambda v: v.normal(0, 1, 3, 7),
            "done": lambda v: v.bernoulli(0.25, 3, 7),
            "boot": lambda v: v.normal(0, 1, 3),
            "gamma": lambda v: v.uniform(0.8, 0.99),
            # 右侧 padding：最后一个真实步之后接 V_T
            "M": lambda v: v.prefix_mask(3, 7),
            "mask": lambda v: v.M[v.b, v.t],
        },
        symbols={
            "r": indexed(lambda v, i: v.r[v.b, i]),
            "V": indexed(
                lambda v, i: v.where(
                    v.get(v.M, v.b, i, default=0) > 0, v.get(v.V, v.b, i, default=0), v.boot[v.b]
                )
            ),
            "d": indexed(lambda v, i: v.done[v.b, i]),
            r"\gamma": lambda v: v.gamma,
        },
        args={
            "rewards": lambda v: v.r,
            "values": lambda v: v.V,
            "gamma": lambda v: v.gamma,
            "mask": lambda v: v.M,
            "dones": lambda v: v.done,
            "bootstrap_value": lambda v: v.boot,
        },
        relation=lambda v: (v.out, "==", v.where(v.mask, v.formula, 0)),
        cover=[
            lambda v: v.mask == 0,
            lambda v: v.mask & (v.done[v.b, v.t] > 0),
            lambda v: v.mask & (v.done[v.b, v.t] == 0),
        ],
    )


@formula_check("AI/LLM/RL/Fundamentals/GAE", "gae-sum")
def check_gae_sum() -> Check:
    return Check(
        impl=gae,
        axes={"b": 3, "t": 7, "l": 7},
        inputs={
            "r": lambda v: v.normal(0, 1, 3, 7),
            "V": lambda v: v.normal(0, 1, 3, 7),
            "boot": lambda v: v.normal(0, 1, 3),
            "gamma": lambda v: v.uniform(0.8, 0.99),
            "lam": lambda v: v.uniform(0.5, 0.99),
            "M": lambda v: v.prefix_mask(3, 7),
            # 每条轨迹的长度 T
            "L": lambda v: v.sum(v.M, 1),
            "mask": lambda v: v.M[v.b, v.t],
            "delta": lambda v: v.call(td_residual, v.r, v.V, v.gamma, v.M, bootstrap_value=v.boot),
        },
        symbols={
            r"\sum_{l=0}^{T-t-1}": reduction("sum", "l", where=lambda v: v.t + v.l < v.L[v.b]),
            r"\gamma": lambda v: v.gamma,
            r"\lambda": lambda v: v.lam,
            r"\delta": indexed(lambda v, i: v.get(v.delta, v.b, i, default=0)),
        },
        args={
            "rewards": lambda v: v.r,
            "values": lambda v: v.V,
            "gamma": lambda v: v.gamma,
            "lam": lambda v: v.lam,
            "mask": lambda v: v.M,
            "bootstrap_value": lambda v: v.boot,
        },
        relation=lambda v: (v.out.advantages, "==", v.where(v.mask, v.formula, 0)),
        cover=[
            lambda v: v.mask == 0,
        ],
    )


@formula_check("AI/LLM/RL/Fundamentals/GAE", "gae-recursive")
def check_gae_recursive() -> Check:
    return Check(
        impl=gae,
        axes={"b": 3, "t": 7},
        inputs={
            "r": lambda v: v.normal(0, 1, 3, 7),
            "V": lambda v: v.normal(0, 1, 3, 7),
            "done": lambda v: v.bernoulli(0.25, 3, 7),
            "boot": lambda v: v.normal(0, 1, 3),
            "gamma": lambda v: v.uniform(0.8, 0.99),
            "lam": lambda v: v.uniform(0.5, 0.99),
            "M": lambda v: v.prefix_mask(3, 7),
            "mask": lambda v: v.M[v.b, v.t],
            "delta": lambda v: v.call(td_residual, v.r, v.V, v.gamma, v.M, v.done, v.boot),
        },
        symbols={
            # padding 处为 0：Â_T = 0
            r"\hat{A}": indexed(lambda v, i: v.get(v.out.advantages, v.b, i, default=0)),
            r"\delta": indexed(lambda v, i: v.delta[v.b, i]),
            "d": indexed(lambda v, i: v.done[v.b, i]),
            r"\gamma": lambda v: v.gamma,
            r"\lambda": lambda v: v.lam,
        },
        args={
            "rewards": lambda v: v.r,
            "values": lambda v: v.V,
            "gamma": lambda v: v.gamma,
            "lam": lambda v: v.lam,
            "mask": lambda v: v.M,
            "dones": lambda v: v.done,
            "bootstrap_value": lambda v: v.boot,
        },
        relation=lambda v: (v.out.advantages, "==", v.where(v.mask, v.formula, 0)),
        cover=[
            lambda v: v.mask == 0,
            lambda v: v.mask & (v.done[v.b, v.t] > 0),
        ],
    )


@formula_check("AI/LLM/RL/Fundamentals/GAE", "lambda-return")
def check_lambda_return() -> Check:
    return Check(
        # gae 的 Â + V 与 lambda_returns 的独立递推相互核对
        impl=lambda_returns,
        axes={"b": 3, "t": 7},
        inputs={
            "r": lambda v: v.normal(0, 1, 3, 7),
            "V": lambda v: v.normal(0, 1, 3, 7),
            "done": lambda v: v.bernoulli(0.25, 3, 7),
            "boot": lambda v: v.normal(0, 1, 3),
            "gamma": lambda v: v.uniform(0.8, 0.99),
            "lam": lambda v: v.uniform(0.5, 0.99),
            "M": lambda v: v.prefix_mask(3, 7),
            "mask": lambda v: v.M[v.b, v.t],
            "adv": lambda v: v.call(gae, v.r, v.V, v.gamma, v.lam, v.M, v.done, v.boot).advantages,
        },
        symbols={r"\hat{A}_t": lambda v: v.adv[v.b, v.t], "V_t": lambda v: v.V[v.b, v.t]},
        args={
            "rewards": lambda v: v.r,
            "values": lambda v: v.V,
            "gamma": lambda v: v.gamma,
            "lam": lambda v: v.lam,
            "mask": lambda v: v.M,
            "dones": lambda v: v.done,
            "bootstrap_value": lambda v: v.boot,
        },
        relation=lambda v: (v.out, "==", v.where(v.mask, v.formula, 0)),
        cover=[
            lambda v: v.mask == 0,
            lambda v: v.mask & (v.done[v.b, v.t] > 0),
        ],
    )


@formula_check("AI/LLM/RL/Fundamentals/GAE", "lambda-return-recursive")
def check_lambda_return_recursive() -> Check:
    return Check(
        impl=lambda_returns,
        axes={"b": 3, "t": 7},
        inputs={
            "r": lambda v: v.normal(0, 1, 3, 7),
            "V": lambda v: v.normal(0, 1, 3, 7),
            "done": lambda v: v.bernoulli(0.25, 3, 7),
            "boot": lambda v: v.normal(0, 1, 3),
            "gamma": lambda v: v.uniform(0.8, 0.99),
            "lam": lambda v: v.uniform(0.5, 0.99),
            "M": lambda v: v.prefix_mask(3, 7),
            "mask": lambda v: v.M[v.b, v.t],
        },
        symbols={
            # 最后一个真实步之后：G^λ_T = V_T = bootstrap 值
            r"G^{\lambda}": indexed(
                lambda v, i: v.where(
                    v.get(v.M, v.b, i, default=0) > 0, v.get(v.out, v.b, i, default=0), v.boot[v.b]
                )
            ),
            "r": indexed(lambda v, i: v.r[v.b, i]),
            "V": indexed(
                lambda v, i: v.where(
                    v.get(v.M, v.b, i, default=0) > 0, v.get(v.V, v.b, i, default=0), v.boot[v.b]
                )
            ),
            "d": indexed(lambda v, i: v.done[v.b, i]),
            r"\gamma": lambda v: v.gamma,
            r"\lambda": lambda v: v.lam,
        },
        args={
            "rewards": lambda v: v.r,
            "values": lambda v: v.V,
            "gamma": lambda v: v.gamma,
            "lam": lambda v: v.lam,
            "mask": lambda v: v.M,
            "dones": lambda v: v.done,
            "bootstrap_value": lambda v: v.boot,
        },
        relation=lambda v: (v.out, "==", v.where(v.mask, v.formula, 0)),
        cover=[
            lambda v: v.mask == 0,
            lambda v: v.mask & (v.done[v.b, v.t] > 0),
        ],
    )


@formula_check("AI/LLM/RL/Fundamentals/GAE", "gae-lambda-zero")
def check_gae_lambda_zero() -> Check:
    return Check(
        impl=gae,
        axes={"b": 3, "t": 7},
        inputs={
            "r": lambda v: v.normal(0, 1, 3, 7),
            "V": lambda v: v.normal(0, 1, 3, 7),
            "done": lambda v: v.bernoulli(0.25, 3, 7),
            "boot": lambda v: v.normal(0, 1, 3),
            "gamma": lambda v: v.uniform(0.8, 0.99),
            "M": lambda v: v.prefix_mask(3, 7),
            "mask": lambda v: v.M[v.b, v.t],
        },
        symbols={
            "r": indexed(lambda v, i: v.r[v.b, i]),
            "V": indexed(
                lambda v, i: v.where(
                    v.get(v.M, v.b, i, default=0) > 0, v.get(v.V, v.b, i, default=0), v.boot[v.b]
                )
            ),
            "d": indexed(lambda v, i: v.done[v.b, i]),
            r"\gamma": lambda v: v.gamma,
        },
        args={
            "rewards": lambda v: v.r,
            "values": lambda v: v.V,
            "gamma": lambda v: v.gamma,
            "lam": 0.0,
            "mask": lambda v: v.M,
            "dones": lambda v: v.done,
            "bootstrap_value": lambda v: v.boot,
        },
        relation=lambda v: (v.out.advantages, "==", v.where(v.mask, v.formula, 0)),
        cover=[
            lambda v: v.mask == 0,
            lambda v: v.mask & (v.done[v.b, v.t] > 0),
        ],
    )


@formula_check("AI/LLM/RL/Fundamentals/GAE", "gae-lambda-one")
def check_gae_lambda_one() -> Check:
    return Check(
        impl=gae,
        axes={"b": 3, "t": 7, "l": 7},
        inputs={
            "r": lambda v: v.normal(0, 1, 3, 7),
            "V": lambda v: v.normal(0, 1, 3, 7),
            "boot": lambda v: v.normal(0, 1, 3),
            "gamma": lambda v: v.uniform(0.8, 0.99),
            "M": lambda v: v.prefix_mask(3, 7),
            # 每条轨迹的长度 T（窗口内无终止）
            "L": lambda v: v.sum(v.M, 1),
            "mask": lambda v: v.M[v.b, v.t],
        },
        symbols={
            r"\sum_{l=0}^{T-t-1}": reduction("sum", "l", where=lambda v: v.t + v.l < v.L[v.b]),
            "r": indexed(lambda v, i: v.get(v.r, v.b, i, default=0)),
            "V": indexed(
                lambda v, i: v.where(
                    v.get(v.M, v.b, i, default=0) > 0, v.get(v.V, v.b, i, default=0), v.boot[v.b]
                )
            ),
            r"\gamma": lambda v: v.gamma,
            "T": lambda v: v.int64(v.L[v.b]),
        },
        args={
            "rewards": lambda v: v.r,
            "values": lambda v: v.V,
            "gamma": lambda v: v.gamma,
            "lam": 1.0,
            "mask": lambda v: v.M,
            "bootstrap_value": lambda v: v.boot,
        },
        relation=lambda v: (v.out.advantages, "==", v.where(v.mask, v.formula, 0)),
        cover=[
            lambda v: v.mask == 0,
        ],
    )


@formula_check("AI/LLM/RL/Fundamentals/GAE", "linear-recurrence-unrolled")
def check_linear_recurrence_unrolled() -> Check:
    return Check(
        impl=reverse_linear_recurrence,
        dims={"T": 6},
        # 批次轴叫 i：b 是公式里的输入序列
        axes={"i": 3, "t": lambda v: v.T, "l": lambda v: v.T, "k": lambda v: v.T},
        inputs={
            "B": lambda v: v.normal(0, 1, 3, v.T),
            # 因子里有 0（终止），也有大于 1 的
            "A": lambda v: v.uniform(-1.2, 1.2, 3, v.T) * v.bernoulli(0.8, 3, v.T),
            "xT": lambda v: v.normal(0, 1, 3),
        },
        symbols={
            r"\sum_{l=t}^{T-1}": reduction("sum", "l", where=lambda v: v.l >= v.t),
            r"\prod_{k=t}^{l-1}": reduction(
                "prod", "k", where=lambda v: (v.k >= v.t) & (v.k < v.l)
            ),
            r"\prod_{k=t}^{T-1}": reduction("prod", "k", where=lambda v: v.k >= v.t),
            "a": indexed(lambda v, j: v.A[v.i, j]),
            "b": indexed(lambda v, j: v.B[v.i, j]),
            "x_T": lambda v: v.xT[v.i],
        },
        args={"b": lambda v: v.B, "a": lambda v: v.A, "x_last": lambda v: v.xT},
        cover=[
            lambda v: v.A[v.i, v.t] == 0,
            lambda v: v.abs(v.A[v.i, v.t]) > 1,
        ],
    )

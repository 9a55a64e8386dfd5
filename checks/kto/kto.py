"""Checks of the formulas of KTO 原理.

Note: [[AI/LLM/RL/KTO/KTO 原理]]
"""

from __future__ import annotations

from rlref.algos.preference import kto_loss, kto_reference_point
from rlref.formulas.api import Check, builtin, fn, formula_check, index, reduction


@formula_check("AI/LLM/RL/KTO/KTO 原理", "kto-implicit-reward")
def check_kto_implicit_reward() -> Check:
    return Check(
        impl=kto_loss,
        dims={"X": 4, "Y": 6},
        axes={"n": 32},
        inputs={
            "P": lambda v: v.simplex(v.X, v.Y),
            "Pref": lambda v: v.simplex(v.X, v.Y),
            "x": lambda v: v.integers(0, v.X, v.n),
            "y": lambda v: v.integers(0, v.Y, v.n),
            # 好坏样本混在一个 batch 里
            "d": lambda v: v.bernoulli(0.5, v.n),
            "z0": lambda v: v.uniform(0, 0.5),
            "beta": lambda v: v.uniform(0.05, 0.5),
        },
        symbols={
            r"\pi_\theta": fn(lambda v, y, x: v.P[x, y], bar=True),
            r"\pi_{\mathrm{ref}}": fn(lambda v, y, x: v.Pref[x, y], bar=True),
            "x": lambda v: v.x,
            "y": lambda v: v.y,
        },
        args={
            "policy_logps": lambda v: v.log(v.P[v.x, v.y]),
            "ref_logps": lambda v: v.log(v.Pref[v.x, v.y]),
            "desirable": lambda v: v.d == 1,
            "reference_point": lambda v: v.z0,
            "beta": lambda v: v.beta,
        },
        # 代码记录的 rewards/chosen、rewards/rejected 是好、坏样本各自的 β·r_θ
        relation=lambda v: (
            v.concatenate([v.out.chosen_rewards, v.out.rejected_rewards]),
            "==",
            v.beta * v.concatenate([v.formula[v.d == 1], v.formula[v.d == 0]]),
        ),
        cover=[
            lambda v: v.d == 1,
            lambda v: v.d == 0,
            lambda v: v.formula > 0,
            lambda v: v.formula < 0,
        ],
    )


@formula_check("AI/LLM/RL/KTO/KTO 原理", "kto-reference-point")
def check_kto_reference_point() -> Check:
    return Check(
        # 两个独立的 batch（r = 0、1）：第一个策略整体偏高，z_0 > 0；第二个偏低，截断到 0
        impl=kto_reference_point,
        axes={"r": 2, "j": 24},
        inputs={
            # log π_ref(y'_j | x_j)，错配对
            "lq": lambda v: v.normal(-8, 2, v.r, v.j),
            # log π_θ(y'_j | x_j)
            "lp": lambda v: v.lq + v.normal(0, 0.5, v.r, v.j) + 0.5 - v.r,
        },
        symbols={
            "m": 24,
            r"\sum_{j=1}^{m}": reduction("sum", "j"),
            r"\pi_\theta": fn(lambda v, y, x: v.exp(v.lp), bar=True),
            r"\pi_{\mathrm{ref}}": fn(lambda v, y, x: v.exp(v.lq), bar=True),
            "y'_j": index("j"),
            "x_j": index("j"),
        },
        args={"policy_kl_logps": lambda v: v.lp[0], "ref_kl_logps": lambda v: v.lq[0]},
        relation=lambda v: (
            v.reshape(v.stack([v.out, v.call(kto_reference_point, v.lp[1], v.lq[1])]), 2, 1),
            "==",
            v.formula,
        ),
        # max(0, ·) 的两支都出现
        cover=[
            lambda v: v.formula > 0,
            lambda v: v.formula == 0,
        ],
    )


@formula_check("AI/LLM/RL/KTO/KTO 原理", "kto-value-desirable")
def check_kto_value_desirable() -> Check:
    return Check(
        impl=kto_loss,
        dims={"X": 4, "Y": 6},
        axes={"n": 32},
        inputs={
            "P": lambda v: v.simplex(v.X, v.Y),
            "Pref": lambda v: v.simplex(v.X, v.Y),
            "x": lambda v: v.integers(0, v.X, v.n),
            "y": lambda v: v.integers(0, v.Y, v.n),
            "z0": lambda v: v.uniform(0, 0.5),
            "beta": lambda v: v.uniform(0.5, 2),
            "lam_d": lambda v: v.uniform(1.0, 2.0),
            "lam_u": lambda v: v.uniform(0.3, 0.9),
        },
        symbols={
            r"\sigma": builtin("sigmoid"),
            r"\lambda_D": lambda v: v.lam_d,
            r"\beta": lambda v: v.beta,
            # kto-implicit-reward
            r"r_\theta": fn(lambda v, x, y: v.log(v.P[x, y]) - v.log(v.Pref[x, y])),
            "x": lambda v: v.x,
            "y": lambda v: v.y,
            "z_0": lambda v: v.z0,
        },
        args={
            "policy_logps": lambda v: v.log(v.P[v.x, v.y]),
            "ref_logps": lambda v: v.log(v.Pref[v.x, v.y]),
            # 全部是 desirable 样本
            "desirable": lambda v: v.x >= 0,
            "reference_point": lambda v: v.z0,
            "beta": lambda v: v.beta,
            "desirable_weight": lambda v: v.lam_d,
            "undesirable_weight": lambda v: v.lam_u,
        },
        # 论文的损失 E[λ_y − v(x, y)]
        relation=lambda v: (v.out.loss, "==", v.mean(v.lam_d - v.formula)),
        # r_θ 在 z_0 两侧
        cover=[
            lambda v: v.formula > v.lam_d / 2,
            lambda v: v.formula < v.lam_d / 2,
        ],
    )


@formula_check("AI/LLM/RL/KTO/KTO 原理", "kto-loss-desirable")
def check_kto_loss_desirable() -> Check:
    return Check(
        impl=kto_loss,
        dims={"X": 4, "Y": 6},
        axes={"n": 32},
        inputs={
            "P": lambda v: v.simplex(v.X, v.Y),
            "Pref": lambda v: v.simplex(v.X, v.Y),
            "x": lambda v: v.integers(0, v.X, v.n),
            "y": lambda v: v.integers(0, v.Y, v.n),
            "z0": lambda v: v.uniform(0, 0.5),
            "beta": lambda v: v.uniform(0.5, 2),
            "lam_d": lambda v: v.uniform(1.0, 2.0),
            "lam_u": lambda v: v.uniform(0.3, 0.9),
        },
        symbols={
            r"\sigma": builtin("sigmoid"),
            r"\lambda_D": lambda v: v.lam_d,
            r"\beta": lambda v: v.beta,
            r"\pi_\theta": fn(lambda v, y, x: v.P[x, y], bar=True),
            r"\pi_{\mathrm{ref}}": fn(lambda v, y, x: v.Pref[x, y], bar=True),
            "x": lambda v: v.x,
            "y": lambda v: v.y,
            "z_0": lambda v: v.z0,
        },
        args={
            "policy_logps": lambda v: v.log(v.P[v.x, v.y]),
            "ref_logps": lambda v: v.log(v.Pref[v.x, v.y]),
            "desirable": lambda v: v.x >= 0,
            "reference_point": lambda v: v.z0,
            "beta": lambda v: v.beta,
            "desirable_weight": lambda v: v.lam_d,
            "undesirable_weight": lambda v: v.lam_u,
        },
        # TRL 与 rlref 都对 batch 内样本取平均
        relation=lambda v: (v.out.loss, "==", v.mean(v.formula)),
        cover=[
            lambda v: v.formula > v.lam_d / 2,
            lambda v: v.formula < v.lam_d / 2,
        ],
    )


@formula_check("AI/LLM/RL/KTO/KTO 原理", "kto-value-undesirable")
def check_kto_value_undesirable() -> Check:
    return Check(
        impl=kto_loss,
        dims={"X": 4, "Y": 6},
        axes={"n": 32},
        inputs={
            "P": lambda v: v.simplex(v.X, v.Y),
            "Pref": lambda v: v.simplex(v.X, v.Y),
            "x": lambda v: v.integers(0, v.X, v.n),
            "y": lambda v: v.integers(0, v.Y, v.n),
            "z0": lambda v: v.uniform(0, 0.5),
            "beta": lambda v: v.uniform(0.5, 2),
            "lam_d": lambda v: v.uniform(1.0, 2.0),
            "lam_u": lambda v: v.uniform(0.3, 0.9),
        },
        symbols={
            r"\sigma": builtin("sigmoid"),
            r"\lambda_U": lambda v: v.lam_u,
            r"\beta": lambda v: v.beta,
            r"r_\theta": fn(lambda v, x, y: v.log(v.P[x, y]) - v.log(v.Pref[x, y])),
            "x": lambda v: v.x,
            "y": lambda v: v.y,
            "z_0": lambda v: v.z0,
        },
        args={
            "policy_logps": lambda v: v.log(v.P[v.x, v.y]),
            "ref_logps": lambda v: v.log(v.Pref[v.x, v.y]),
            # 全部是 undesirable 样本
            "desirable": lambda v: v.x < 0,
            "reference_point": lambda v: v.z0,
            "beta": lambda v: v.beta,
            "desirable_weight": lambda v: v.lam_d,
            "undesirable_weight": lambda v: v.lam_u,
        },
        relation=lambda v: (v.out.loss, "==", v.mean(v.lam_u - v.formula)),
        cover=[
            lambda v: v.formula > v.lam_u / 2,
            lambda v: v.formula < v.lam_u / 2,
        ],
    )


@formula_check("AI/LLM/RL/KTO/KTO 原理", "kto-loss-undesirable")
def check_kto_loss_undesirable() -> Check:
    return Check(
        impl=kto_loss,
        dims={"X": 4, "Y": 6},
        axes={"n": 32},
        inputs={
            "P": lambda v: v.simplex(v.X, v.Y),
            "Pref": lambda v: v.simplex(v.X, v.Y),
            "x": lambda v: v.integers(0, v.X, v.n),
            "y": lambda v: v.integers(0, v.Y, v.n),
            "z0": lambda v: v.uniform(0, 0.5),
            "beta": lambda v: v.uniform(0.5, 2),
            "lam_d": lambda v: v.uniform(1.0, 2.0),
            "lam_u": lambda v: v.uniform(0.3, 0.9),
        },
        symbols={
            r"\sigma": builtin("sigmoid"),
            r"\lambda_U": lambda v: v.lam_u,
            r"\beta": lambda v: v.beta,
            r"\pi_\theta": fn(lambda v, y, x: v.P[x, y], bar=True),
            r"\pi_{\mathrm{ref}}": fn(lambda v, y, x: v.Pref[x, y], bar=True),
            "x": lambda v: v.x,
            "y": lambda v: v.y,
            "z_0": lambda v: v.z0,
        },
        args={
            "policy_logps": lambda v: v.log(v.P[v.x, v.y]),
            "ref_logps": lambda v: v.log(v.Pref[v.x, v.y]),
            "desirable": lambda v: v.x < 0,
            "reference_point": lambda v: v.z0,
            "beta": lambda v: v.beta,
            "desirable_weight": lambda v: v.lam_d,
            "undesirable_weight": lambda v: v.lam_u,
        },
        relation=lambda v: (v.out.loss, "==", v.mean(v.formula)),
        cover=[
            lambda v: v.formula > v.lam_u / 2,
            lambda v: v.formula < v.lam_u / 2,
        ],
    )

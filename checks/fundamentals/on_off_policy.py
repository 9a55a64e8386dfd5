"""Checks of the formulas of On-Policy vs Off-Policy.

Note: [[AI/LLM/RL/Fundamentals/On-Policy vs Off-Policy]]
"""

from __future__ import annotations

from rlref.algos.policy_loss import importance_ratio, ppo_clip_loss
from rlref.algos.stability import rollout_correction_weights
from rlref.formulas.api import Check, builtin, fn, formula_check, reduction


@formula_check("AI/LLM/RL/Fundamentals/On-Policy vs Off-Policy", "importance-sampling-identity")
def check_importance_sampling_identity() -> Check:
    return Check(
        # 恒等式，两边都从笔记读出：在随机的有限分布 p、q（q 处处为正）和任意 f 上精确求期望
        dims={"B": 3, "X": 6},
        axes={"b": lambda v: v.B, "x": lambda v: v.X},
        inputs={
            "Pt": lambda v: v.simplex(v.B, v.X),
            "Qt": lambda v: v.simplex(v.B, v.X),
            "F": lambda v: v.normal(0, 1, v.B, v.X),
        },
        symbols={
            r"\mathbb{E}_{x \sim p}": reduction("mean", "x", weights=lambda v: v.Pt[v.b, v.x]),
            r"\mathbb{E}_{x \sim q}": reduction("mean", "x", weights=lambda v: v.Qt[v.b, v.x]),
            "p": fn(lambda v, y: v.Pt[v.b, y]),
            "q": fn(lambda v, y: v.Qt[v.b, y]),
            "f": fn(lambda v, y: v.F[v.b, y]),
        },
        relation=lambda v: (v.lhs, "==", v.formula),
    )


@formula_check("AI/LLM/RL/Fundamentals/On-Policy vs Off-Policy", "importance-ratio")
def check_importance_ratio() -> Check:
    return Check(
        impl=importance_ratio,
        dims={"S": 5, "A": 4},
        axes={"n": 48},
        inputs={
            "P": lambda v: v.simplex(v.S, v.A),
            "Pold": lambda v: v.simplex(v.S, v.A),
            "s": lambda v: v.integers(0, v.S, v.n),
            "a": lambda v: v.integers(0, v.A, v.n),
        },
        symbols={
            r"\pi_\theta": fn(lambda v, a, s: v.P[s, a], bar=True),
            r"\pi_{\theta_{\mathrm{old}}}": fn(lambda v, a, s: v.Pold[s, a], bar=True),
            "a_t": lambda v: v.a,
            "s_t": lambda v: v.s,
        },
        args={
            "logp": lambda v: v.log(v.P[v.s, v.a]),
            "old_logp": lambda v: v.log(v.Pold[v.s, v.a]),
        },
        cover=[
            lambda v: v.formula > 1,
            lambda v: v.formula < 1,
        ],
    )


@formula_check("AI/LLM/RL/Fundamentals/On-Policy vs Off-Policy", "importance-ratio-log-space")
def check_importance_ratio_log_space() -> Check:
    return Check(
        impl=importance_ratio,
        dims={"S": 5, "A": 4},
        axes={"n": 48},
        inputs={
            "P": lambda v: v.simplex(v.S, v.A),
            "Pold": lambda v: v.simplex(v.S, v.A),
            "s": lambda v: v.integers(0, v.S, v.n),
            "a": lambda v: v.integers(0, v.A, v.n),
        },
        symbols={
            r"\pi_\theta": fn(lambda v, a, s: v.P[s, a], bar=True),
            r"\pi_{\theta_{\mathrm{old}}}": fn(lambda v, a, s: v.Pold[s, a], bar=True),
            "a_t": lambda v: v.a,
            "s_t": lambda v: v.s,
        },
        args={
            "logp": lambda v: v.log(v.P[v.s, v.a]),
            "old_logp": lambda v: v.log(v.Pold[v.s, v.a]),
        },
        cover=[
            lambda v: v.formula > 1,
            lambda v: v.formula < 1,
        ],
    )


@formula_check("AI/LLM/RL/Fundamentals/On-Policy vs Off-Policy", "on-policy-ratio")
def check_on_policy_ratio() -> Check:
    return Check(
        # 完全 on-policy：旧 log-prob 就是当前 log-prob 的 detach 副本，数值相同（sg 数值上是恒等）
        impl=importance_ratio,
        dims={"S": 5, "A": 4},
        axes={"n": 48},
        inputs={
            "P": lambda v: v.simplex(v.S, v.A),
            "s": lambda v: v.integers(0, v.S, v.n),
            "a": lambda v: v.integers(0, v.A, v.n),
        },
        symbols={
            r"\operatorname{sg}": builtin("sg"),
            r"\pi_\theta": fn(lambda v, a, s: v.P[s, a], bar=True),
            "a_t": lambda v: v.a,
            "s_t": lambda v: v.s,
        },
        args={"logp": lambda v: v.log(v.P[v.s, v.a]), "old_logp": lambda v: v.log(v.P[v.s, v.a])},
    )


@formula_check("AI/LLM/RL/Fundamentals/On-Policy vs Off-Policy", "surrogate-objective")
def check_surrogate_objective() -> Check:
    return Check(
        # L^IS = ε 取得足够大时的 ppo_clip_loss（clip 永不生效）的相反数，𝔼_t 是有效 token 平均
        impl=ppo_clip_loss,
        axes={"b": 4, "t": 16},
        inputs={
            "logp": lambda v: v.normal(-1, 0.5, v.b, v.t),
            "old_logp": lambda v: v.normal(-1, 0.5, v.b, v.t),
            "ratio": lambda v: v.exp(v.logp - v.old_logp),
            "adv": lambda v: v.normal(0, 1, v.b, v.t),
            "mask": lambda v: v.prefix_mask(v.b, v.t),
            "eps": 1000000.0,
        },
        symbols={
            r"\mathbb{E}_{t}": reduction("mean", "b", "t", where=lambda v: v.mask),
            r"r_t(\theta)": lambda v: v.ratio,
            r"\hat{A}_t": lambda v: v.adv,
        },
        args={
            "logp": lambda v: v.logp,
            "old_logp": lambda v: v.old_logp,
            "advantages": lambda v: v.adv,
            "mask": lambda v: v.mask,
            "clip_eps": lambda v: v.eps,
        },
        relation=lambda v: (v.out.loss, "==", -v.formula),
        cover=[
            lambda v: v.mask & (v.ratio > 1.2) & (v.adv > 0),
            lambda v: v.mask & (v.ratio < 0.8) & (v.adv < 0),
            lambda v: v.mask == 0,
        ],
    )


@formula_check("AI/LLM/RL/Fundamentals/On-Policy vs Off-Policy", "sequence-ratio-product")
def check_sequence_ratio_product() -> Check:
    return Check(
        # rollout_correction_weights(level="sequence") 返回 exp(Σ_t m_t (ℓ_a − ℓ_b))：传入 π_θ 与
        # π_old 的 log-prob、不截断（clip_max=None），就是整条回答上 token 比值之积
        impl=rollout_correction_weights,
        axes={"b": 4, "t": 8},
        inputs={
            "logp": lambda v: v.normal(-1, 0.3, v.b, v.t),
            "old_logp": lambda v: v.normal(-1, 0.3, v.b, v.t),
            "ratio": lambda v: v.exp(v.logp - v.old_logp),
            "mask": lambda v: v.prefix_mask(v.b, v.t),
        },
        symbols={
            # 只乘回答的 |y| 个有效 token
            r"\prod_{t=1}^{|y|}": reduction("prod", "t", where=lambda v: v.mask),
            r"r_t(\theta)": lambda v: v.ratio,
        },
        args={
            "old_logp": lambda v: v.logp,
            "rollout_logp": lambda v: v.old_logp,
            "mask": lambda v: v.mask,
            "level": "sequence",
            "mode": "truncate",
            "clip_max": None,
        },
        cover=[
            lambda v: v.mask == 0,
        ],
    )

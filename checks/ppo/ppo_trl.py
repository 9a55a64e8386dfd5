"""Checks of the formulas of PPO-TRL实践.

Note: [[AI/LLM/RL/PPO/PPO-TRL实践]]
"""

from __future__ import annotations

from rlref.algos.advantages import gae, group_advantages
from rlref.algos.policy_loss import ppo_clip_loss
from rlref.formulas.api import Check, formula_check, indexed, reduction


@formula_check("AI/LLM/RL/PPO/PPO-TRL实践", "ppo-clip-token-loss")
def check_ppo_clip_token_loss() -> Check:
    return Check(
        impl=ppo_clip_loss,
        axes={"b": 4, "t": 16},
        inputs={
            "logp": lambda v: v.normal(-1, 0.5, v.b, v.t),
            "old_logp": lambda v: v.normal(-1, 0.5, v.b, v.t),
            "rho": lambda v: v.exp(v.logp - v.old_logp),
            "adv": lambda v: v.normal(0, 1, v.b, v.t),
            "mask": lambda v: v.prefix_mask(v.b, v.t),
            "eps": 0.2,
        },
        symbols={
            r"\rho_t": lambda v: v.rho,
            r"\hat{A}_t": lambda v: v.adv,
            r"\epsilon": lambda v: v.eps,
        },
        args={
            "logp": lambda v: v.logp,
            "old_logp": lambda v: v.old_logp,
            "advantages": lambda v: v.adv,
            "mask": lambda v: v.mask,
            "clip_eps": lambda v: v.eps,
            "loss_agg": "none",
        },
        # 不聚合（loss_agg='none'）：逐 token 对照
        relation=lambda v: (v.out.loss, "==", v.where(v.mask, v.formula, 0)),
        cover=[
            lambda v: v.mask & (v.rho > 1 + v.eps) & (v.adv > 0),
            lambda v: v.mask & (v.rho > 1 + v.eps) & (v.adv < 0),
            lambda v: v.mask & (v.rho < 1 - v.eps) & (v.adv > 0),
            lambda v: v.mask & (v.rho < 1 - v.eps) & (v.adv < 0),
            lambda v: v.mask == 0,
        ],
    )


@formula_check("AI/LLM/RL/PPO/PPO-TRL实践", "ppo-gae-advantage")
def check_ppo_gae_advantage() -> Check:
    return Check(
        impl=gae,
        axes={"b": 3, "t": 7, "l": 7},
        inputs={
            "r": lambda v: v.normal(0, 1, 3, 7),
            "V": lambda v: v.normal(0, 1, 3, 7),
            "gamma": lambda v: v.uniform(0.8, 1.0),
            "lam": lambda v: v.uniform(0.5, 1.0),
        },
        symbols={
            r"\sum_{l=0}^{T-t-1}": reduction("sum", "l", where=lambda v: v.t + v.l < 7),
            "r": indexed(lambda v, k: v.get(v.r, v.b, k, default=0)),
            # 终止后 V_T = 0
            "V": indexed(lambda v, k: v.get(v.V, v.b, k, default=0)),
            r"\gamma": lambda v: v.gamma,
            r"\lambda": lambda v: v.lam,
        },
        args={
            "rewards": lambda v: v.r,
            "values": lambda v: v.V,
            "gamma": lambda v: v.gamma,
            "lam": lambda v: v.lam,
        },
        relation=lambda v: (v.out.advantages, "==", v.formula),
    )


@formula_check("AI/LLM/RL/PPO/PPO-TRL实践", "group-baseline-advantage")
def check_group_baseline_advantage() -> Check:
    return Check(
        impl=group_advantages,
        dims={"P": 3, "G": 5},
        axes={"g": lambda v: v.P, "i": lambda v: v.G, "j": lambda v: v.G},
        inputs={
            "R": lambda v: v.integers(0, 2, v.P, v.G) + v.normal(0, 0.1, v.P, v.G),
            "eps": 0.0001,
        },
        symbols={
            "R": indexed(lambda v, n: v.R[v.g, n]),
            "G": lambda v: v.G,
            r"\sum_{j=1}^{G}": reduction("sum", "j"),
            # 组内标准差，Bessel 校正
            "s": lambda v: v.std(v.R[v.g, v.j], v.j, ddof=1),
            r"\varepsilon": lambda v: v.eps,
        },
        args={
            "rewards": lambda v: v.reshape(v.R, v.P * v.G),
            "group_size": lambda v: v.G,
            "scale": "group",
            "eps": lambda v: v.eps,
        },
        relation=lambda v: (v.reshape(v.out, v.P, v.G), "==", v.formula),
    )

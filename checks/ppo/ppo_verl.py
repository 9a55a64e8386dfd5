"""Checks of the formulas of PPO-verl实践.

Note: [[AI/LLM/RL/PPO/PPO-verl实践]]
"""

from __future__ import annotations

from rlref.algos.advantages import gae
from rlref.algos.kl import adaptive_kl_coef, kl_k1
from rlref.algos.policy_loss import aggregate_loss, ppo_clip_loss, value_loss_clipped
from rlref.algos.returns import td_residual
from rlref.formulas.api import Check, fn, formula_check, indexed, reduction


@formula_check("AI/LLM/RL/PPO/PPO-verl实践", "verl-kl-in-reward")
def check_verl_kl_in_reward() -> Check:
    return Check(
        impl=kl_k1,
        dims={"S": 6, "V": 5},
        axes={"b": 4, "t": 7},
        inputs={
            "P_old": lambda v: v.simplex(v.S, v.V),
            "P_ref": lambda v: v.simplex(v.S, v.V),
            "s": lambda v: v.integers(0, v.S, v.b, v.t),
            "a": lambda v: v.integers(0, v.V, v.b, v.t),
            "mask": lambda v: v.prefix_mask(v.b, v.t),
            # 只有最后一个有效 token 有分数
            "score": lambda v: v.where(v.t == v.sum(v.mask, v.t) - 1, v.normal(0, 1, v.b), 0),
            "beta": 0.05,
        },
        symbols={
            "c_t": lambda v: v.score,
            r"\beta": lambda v: v.beta,
            r"\pi_{\mathrm{old}}": fn(lambda v, a, s: v.P_old[s, a], bar=True),
            r"\pi_{\mathrm{ref}}": fn(lambda v, a, s: v.P_ref[s, a], bar=True),
            "a_t": lambda v: v.a,
            "s_t": lambda v: v.s,
        },
        args={
            "logp": lambda v: v.log(v.P_old[v.s, v.a]),
            "ref_logp": lambda v: v.log(v.P_ref[v.s, v.a]),
        },
        # 代码给逐 token 的 k1，奖励 = 分数 − β·k1
        relation=lambda v: (v.score - v.beta * v.out, "==", v.formula),
    )


@formula_check("AI/LLM/RL/PPO/PPO-verl实践", "verl-adaptive-kl")
def check_verl_adaptive_kl() -> Check:
    return Check(
        impl=adaptive_kl_coef,
        axes={"k": 24},
        inputs={
            "beta": lambda v: v.uniform(0.001, 0.2),
            "target": lambda v: v.uniform(0.02, 0.2),
            # 比目标低、高、在 ±20% 之内的都有
            "kl": lambda v: v.target * v.uniform(0.5, 1.5, v.k),
            "n": lambda v: v.integers(64, 1024),
            "H": lambda v: v.integers(500, 20000),
        },
        symbols={
            r"\beta": lambda v: v.beta,
            r"\mathrm{KL}": lambda v: v.kl,
            r"\mathrm{KL}_{\mathrm{target}}": lambda v: v.target,
            "n": lambda v: v.n,
            "H": lambda v: v.H,
        },
        args={
            "beta": lambda v: v.beta,
            "current_kl": lambda v: v.kl,
            "target_kl": lambda v: v.target,
            "n_steps": lambda v: v.n,
            "horizon": lambda v: v.H,
        },
        cover=[
            # 上侧截断
            lambda v: v.kl / v.target - 1 > 0.2,
            # 下侧截断
            lambda v: v.kl / v.target - 1 < -0.2,
            # 未截断
            lambda v: v.abs(v.kl / v.target - 1) < 0.2,
        ],
    )


@formula_check("AI/LLM/RL/PPO/PPO-verl实践", "verl-td-residual")
def check_verl_td_residual() -> Check:
    return Check(
        impl=td_residual,
        axes={"b": 3, "t": 7},
        inputs={
            "r": lambda v: v.normal(0, 1, v.b, v.t),
            "V": lambda v: v.normal(0, 1, v.b, v.t),
            "mask": lambda v: v.prefix_mask(v.b, v.t),
            "gamma": lambda v: v.uniform(0.8, 1.0),
        },
        symbols={
            "r": indexed(lambda v, k: v.r[v.b, k]),
            # 回答结束之后 V = 0
            "V": indexed(lambda v, k: v.get(v.where(v.mask, v.V, 0), v.b, k, default=0)),
            r"\gamma": lambda v: v.gamma,
        },
        args={
            "rewards": lambda v: v.r,
            "values": lambda v: v.V,
            "gamma": lambda v: v.gamma,
            "mask": lambda v: v.mask,
        },
        # padding 位置代码输出 0
        relation=lambda v: (v.out, "==", v.where(v.mask, v.formula, 0)),
        cover=[
            lambda v: v.mask == 0,
        ],
    )


@formula_check("AI/LLM/RL/PPO/PPO-verl实践", "verl-gae-recursion")
def check_verl_gae_recursion() -> Check:
    return Check(
        impl=gae,
        axes={"b": 3, "t": 7},
        inputs={
            "r": lambda v: v.normal(0, 1, v.b, v.t),
            "V": lambda v: v.normal(0, 1, v.b, v.t),
            "mask": lambda v: v.prefix_mask(v.b, v.t),
            "gamma": lambda v: v.uniform(0.8, 1.0),
            "lam": lambda v: v.uniform(0.5, 1.0),
            "delta": lambda v: v.call(td_residual, v.r, v.V, v.gamma, mask=v.mask),
        },
        symbols={
            # 回答之后 Â = 0
            r"\hat{A}": indexed(lambda v, k: v.get(v.out.advantages, v.b, k, default=0)),
            r"\delta": indexed(lambda v, k: v.delta[v.b, k]),
            r"\gamma": lambda v: v.gamma,
            r"\lambda": lambda v: v.lam,
        },
        args={
            "rewards": lambda v: v.r,
            "values": lambda v: v.V,
            "gamma": lambda v: v.gamma,
            "lam": lambda v: v.lam,
            "mask": lambda v: v.mask,
        },
        relation=lambda v: (v.out.advantages, "==", v.where(v.mask, v.formula, 0)),
        cover=[
            lambda v: v.mask == 0,
        ],
    )


@formula_check("AI/LLM/RL/PPO/PPO-verl实践", "verl-returns")
def check_verl_returns() -> Check:
    return Check(
        impl=gae,
        axes={"b": 3, "t": 7},
        inputs={
            "r": lambda v: v.normal(0, 1, v.b, v.t),
            "V": lambda v: v.normal(0, 1, v.b, v.t),
            "mask": lambda v: v.prefix_mask(v.b, v.t),
            "gamma": lambda v: v.uniform(0.8, 1.0),
            "lam": lambda v: v.uniform(0.5, 1.0),
        },
        symbols={
            # 同一次调用的（未白化的）优势
            r"\hat{A}_t": lambda v: v.out.advantages,
            "V_t": lambda v: v.V,
        },
        args={
            "rewards": lambda v: v.r,
            "values": lambda v: v.V,
            "gamma": lambda v: v.gamma,
            "lam": lambda v: v.lam,
            "mask": lambda v: v.mask,
        },
        relation=lambda v: (v.out.returns, "==", v.where(v.mask, v.formula, 0)),
        cover=[
            lambda v: v.mask == 0,
        ],
    )


@formula_check("AI/LLM/RL/PPO/PPO-verl实践", "verl-dual-clip-loss")
def check_verl_dual_clip_loss() -> Check:
    return Check(
        impl=ppo_clip_loss,
        axes={"b": 6, "t": 16},
        inputs={
            "logp": lambda v: v.normal(-1, 0.5, v.b, v.t),
            # 对数比率：三成落在 (1+ε_low, 1+ε_high) 这条窄带里，其余尺度大到比率能超过 c
            "log_ratio": lambda v: v.where(
                v.bernoulli(0.3, v.b, v.t) > 0,
                v.uniform(0.19, 0.24, v.b, v.t),
                v.normal(0, 1.5, v.b, v.t),
            ),
            "old_logp": lambda v: v.logp - v.log_ratio,
            "rho": lambda v: v.exp(v.logp - v.old_logp),
            "adv": lambda v: v.normal(0, 1, v.b, v.t),
            "mask": lambda v: v.prefix_mask(v.b, v.t),
            "el": 0.2,
            "eh": 0.28,
            "c": 3.0,
        },
        symbols={
            r"\rho_t": lambda v: v.rho,
            r"\hat{A}_t": lambda v: v.adv,
            r"\epsilon_{\mathrm{low}}": lambda v: v.el,
            r"\epsilon_{\mathrm{high}}": lambda v: v.eh,
            "c": lambda v: v.c,
        },
        args={
            "logp": lambda v: v.logp,
            "old_logp": lambda v: v.old_logp,
            "advantages": lambda v: v.adv,
            "mask": lambda v: v.mask,
            "clip_eps_low": lambda v: v.el,
            "clip_eps_high": lambda v: v.eh,
            "clip_ratio_c": lambda v: v.c,
            "loss_agg": "none",
        },
        # 不聚合（loss_agg='none'）：逐 token 对照
        relation=lambda v: (v.out.loss, "==", v.where(v.mask, v.formula, 0)),
        cover=[
            # dual-clip 生效
            lambda v: v.mask & (v.rho > v.c) & (v.adv < 0),
            lambda v: v.mask & (v.rho > 1 + v.eh) & (v.rho < v.c) & (v.adv < 0),
            lambda v: v.mask & (v.rho > 1 + v.eh) & (v.adv > 0),
            lambda v: v.mask & (v.rho > 1 + v.el) & (v.rho < 1 + v.eh) & (v.adv > 0),
            lambda v: v.mask & (v.rho < 1 - v.el) & (v.adv < 0),
            lambda v: v.mask & (v.rho < 1 - v.el) & (v.adv > 0),
            lambda v: v.mask == 0,
        ],
    )


@formula_check("AI/LLM/RL/PPO/PPO-verl实践", "verl-agg-token-mean")
def check_verl_agg_token_mean() -> Check:
    return Check(
        impl=aggregate_loss,
        axes={"i": 5, "t": 7},
        inputs={
            "loss": lambda v: v.normal(0, 1, v.i, v.t),
            # 含一条全 padding 的回答
            "mask": lambda v: v.prefix_mask(v.i, v.t) & (v.i != 1),
        },
        symbols={
            r"\sum_{i=1}^{B}": reduction("sum", "i"),
            r"\sum_{t=1}^{T}": reduction("sum", "t"),
            "m_{i,t}": lambda v: v.mask,
            r"\ell_{i,t}": lambda v: v.loss,
        },
        args={"loss_mat": lambda v: v.loss, "mask": lambda v: v.mask, "loss_agg": "token-mean"},
        cover=[
            lambda v: v.mask == 0,
            lambda v: v.sum(v.mask, v.t) == 0,
        ],
    )


@formula_check("AI/LLM/RL/PPO/PPO-verl实践", "verl-value-loss")
def check_verl_value_loss() -> Check:
    return Check(
        impl=value_loss_clipped,
        axes={"b": 4, "t": 12},
        inputs={
            "V_hat": lambda v: v.normal(0, 1, v.b, v.t),
            "V": lambda v: v.V_hat + v.normal(0, 0.3, v.b, v.t),
            "R": lambda v: v.normal(0, 1, v.b, v.t),
            "mask": lambda v: v.prefix_mask(v.b, v.t),
            "eps_v": 0.2,
        },
        symbols={
            r"\hat{V}_t": lambda v: v.V_hat,
            "V_t": lambda v: v.V,
            "R_t": lambda v: v.R,
            r"\epsilon_v": lambda v: v.eps_v,
        },
        args={
            "values": lambda v: v.V_hat,
            "old_values": lambda v: v.V,
            "returns": lambda v: v.R,
            "mask": lambda v: v.mask,
            "clip_range_value": lambda v: v.eps_v,
            "loss_agg": "none",
        },
        # 不聚合（loss_agg='none'）：逐 token 对照
        relation=lambda v: (v.out.loss, "==", v.where(v.mask, v.formula, 0)),
        cover=[
            # 截断项更大
            lambda v: (
                v.mask
                & (
                    (v.V + v.clip(v.V_hat - v.V, -v.eps_v, v.eps_v) - v.R) ** 2
                    > (v.V_hat - v.R) ** 2
                )
            ),
            lambda v: (
                v.mask
                & (
                    (v.V + v.clip(v.V_hat - v.V, -v.eps_v, v.eps_v) - v.R) ** 2
                    < (v.V_hat - v.R) ** 2
                )
            ),
            lambda v: v.mask & (v.abs(v.V_hat - v.V) < v.eps_v),
            lambda v: v.mask == 0,
        ],
    )

"""Checks of the formulas of TRL 中实现 GRPO.

Note: [[AI/LLM/RL/GRPO/TRL 中实现 GRPO]]
"""

from __future__ import annotations

from rlref.algos.advantages import group_advantages
from rlref.algos.kl import kl_k3
from rlref.algos.policy_loss import (
    aggregate_loss,
    entropy_bonus,
    grpo_loss,
    gspo_sequence_ratio,
    importance_ratio,
    ppo_clip_loss,
)
from rlref.formulas.api import Check, fn, formula_check, indexed, reduction


@formula_check("AI/LLM/RL/GRPO/TRL 中实现 GRPO", "trl-group-mean")
def check_trl_group_mean() -> Check:
    return Check(
        impl=group_advantages,
        dims={"P": 3, "G": 5},
        axes={"g": lambda v: v.P, "j": lambda v: v.G},
        inputs={"R": lambda v: v.normal(0, 1, v.P, v.G)},
        symbols={
            "r": indexed(lambda v, n: v.R[v.g, n]),
            "G": lambda v: v.G,
            r"\sum_{j=1}^{G}": reduction("sum", "j"),
        },
        args={
            "rewards": lambda v: v.reshape(v.R, v.P * v.G),
            "group_size": lambda v: v.G,
            "scale": "none",
        },
        # 代码的 r_i − Â_i 就是组均值
        relation=lambda v: (v.R[:, 0] - v.reshape(v.out, v.P, v.G)[:, 0], "==", v.formula),
    )


@formula_check("AI/LLM/RL/GRPO/TRL 中实现 GRPO", "trl-group-std")
def check_trl_group_std() -> Check:
    return Check(
        impl=group_advantages,
        dims={"P": 3, "G": 5},
        axes={"g": lambda v: v.P, "j": lambda v: v.G},
        inputs={
            "R": lambda v: v.normal(0, 1, v.P, v.G),
            "centered": lambda v: v.reshape(
                v.call(group_advantages, v.reshape(v.R, v.P * v.G), v.G, scale="none"), v.P, v.G
            ),
        },
        symbols={
            "r": indexed(lambda v, n: v.R[v.g, n]),
            # 代码的组均值（trl-group-mean 已检查）
            r"\bar{r}": lambda v: v.R[v.g, 0] - v.centered[v.g, 0],
            "G": lambda v: v.G,
            r"\sum_{j=1}^{G}": reduction("sum", "j"),
        },
        args={
            "rewards": lambda v: v.reshape(v.R, v.P * v.G),
            "group_size": lambda v: v.G,
            "scale": "group",
            "eps": 0.0,
        },
        # ε = 0 时 (r − r̄)/Â = s
        relation=lambda v: (v.centered[:, 0] / v.reshape(v.out, v.P, v.G)[:, 0], "==", v.formula),
    )


@formula_check("AI/LLM/RL/GRPO/TRL 中实现 GRPO", "trl-group-advantage")
def check_trl_group_advantage() -> Check:
    return Check(
        impl=group_advantages,
        dims={"P": 3, "G": 5},
        axes={"g": lambda v: v.P, "i": lambda v: v.G},
        inputs={
            "R": lambda v: v.integers(0, 2, v.P, v.G) + v.normal(0, 0.1, v.P, v.G),
            "eps": 0.0001,
        },
        symbols={
            "r_i": lambda v: v.R[v.g, v.i],
            r"\bar{r}": lambda v: v.mean(v.R[v.g, v.i], v.i),
            # 见 trl-group-std：Bessel 校正
            "s": lambda v: v.std(v.R[v.g, v.i], v.i, ddof=1),
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


@formula_check("AI/LLM/RL/GRPO/TRL 中实现 GRPO", "trl-advantage-batch-scale")
def check_trl_advantage_batch_scale() -> Check:
    return Check(
        impl=group_advantages,
        dims={"P": 3, "G": 4},
        axes={"g": lambda v: v.P, "i": lambda v: v.G},
        inputs={
            "R": lambda v: v.integers(0, 2, v.P, v.G) + v.normal(0, 0.1, v.P, v.G),
            "eps": 0.0001,
        },
        symbols={
            "r_i": lambda v: v.R[v.g, v.i],
            # 均值仍是组内的
            r"\bar{r}": lambda v: v.mean(v.R[v.g, v.i], v.i),
            # 整个 batch 的 P·G 个奖励
            r"s_{\mathrm{batch}}": lambda v: v.std(v.R, ddof=1),
            r"\varepsilon": lambda v: v.eps,
        },
        args={
            "rewards": lambda v: v.reshape(v.R, v.P * v.G),
            "group_size": lambda v: v.G,
            "scale": "batch",
            "eps": lambda v: v.eps,
        },
        relation=lambda v: (v.reshape(v.out, v.P, v.G), "==", v.formula),
    )


@formula_check("AI/LLM/RL/GRPO/TRL 中实现 GRPO", "trl-advantage-no-scale")
def check_trl_advantage_no_scale() -> Check:
    return Check(
        impl=group_advantages,
        dims={"P": 3, "G": 5},
        axes={"g": lambda v: v.P, "i": lambda v: v.G},
        inputs={"R": lambda v: v.integers(0, 2, v.P, v.G) + v.normal(0, 0.1, v.P, v.G)},
        symbols={"r_i": lambda v: v.R[v.g, v.i], r"\bar{r}": lambda v: v.mean(v.R[v.g, v.i], v.i)},
        args={
            "rewards": lambda v: v.reshape(v.R, v.P * v.G),
            "group_size": lambda v: v.G,
            "scale": "none",
        },
        relation=lambda v: (v.reshape(v.out, v.P, v.G), "==", v.formula),
    )


@formula_check("AI/LLM/RL/GRPO/TRL 中实现 GRPO", "trl-token-ratio")
def check_trl_token_ratio() -> Check:
    return Check(
        impl=importance_ratio,
        dims={"S": 6, "V": 5},
        axes={"i": 4, "t": 8},
        inputs={
            "P": lambda v: v.simplex(v.S, v.V),
            "P_old": lambda v: v.simplex(v.S, v.V),
            "o": lambda v: v.integers(0, v.V, v.i, v.t),
            "s": lambda v: v.integers(0, v.S, v.i, v.t),
        },
        symbols={
            r"\pi_\theta": fn(lambda v, o, s: v.P[s, o], bar=True),
            r"\pi_{\theta_{\mathrm{old}}}": fn(lambda v, o, s: v.P_old[s, o], bar=True),
            "o_{i,t}": lambda v: v.o,
            "s_{i,t}": lambda v: v.s,
        },
        args={
            "logp": lambda v: v.log(v.P[v.s, v.o]),
            "old_logp": lambda v: v.log(v.P_old[v.s, v.o]),
        },
    )


@formula_check("AI/LLM/RL/GRPO/TRL 中实现 GRPO", "trl-sequence-ratio")
def check_trl_sequence_ratio() -> Check:
    return Check(
        impl=gspo_sequence_ratio,
        dims={"S": 6, "V": 5},
        axes={"i": 4, "t": 8},
        inputs={
            "P": lambda v: v.simplex(v.S, v.V),
            "P_old": lambda v: v.simplex(v.S, v.V),
            "o": lambda v: v.integers(0, v.V, v.i, v.t),
            "s": lambda v: v.integers(0, v.S, v.i, v.t),
            "mask": lambda v: v.prefix_mask(v.i, v.t),
        },
        symbols={
            "T_i": lambda v: v.sum(v.mask, v.t),
            r"\sum_{t=1}^{T_i}": reduction("sum", "t", where=lambda v: v.mask),
            r"\pi_\theta": fn(lambda v, o, s: v.P[s, o], bar=True),
            r"\pi_{\theta_{\mathrm{old}}}": fn(lambda v, o, s: v.P_old[s, o], bar=True),
            "o_{i,t}": lambda v: v.o,
            "s_{i,t}": lambda v: v.s,
        },
        args={
            "logp": lambda v: v.log(v.P[v.s, v.o]),
            "old_logp": lambda v: v.log(v.P_old[v.s, v.o]),
            "mask": lambda v: v.mask,
        },
        cover=[
            lambda v: v.mask == 0,
        ],
    )


@formula_check("AI/LLM/RL/GRPO/TRL 中实现 GRPO", "trl-clipped-token-loss")
def check_trl_clipped_token_loss() -> Check:
    return Check(
        impl=ppo_clip_loss,
        axes={"i": 6, "t": 12},
        inputs={
            "logp": lambda v: v.normal(-1, 0.4, v.i, v.t),
            "old_logp": lambda v: v.normal(-1, 0.4, v.i, v.t),
            "rho": lambda v: v.exp(v.logp - v.old_logp),
            "adv": lambda v: v.normal(0, 1, v.i),
            "mask": lambda v: v.prefix_mask(v.i, v.t),
            "el": 0.2,
            "eh": 0.28,
        },
        symbols={
            r"\rho_{i,t}": lambda v: v.rho,
            r"\hat{A}_i": lambda v: v.adv,
            r"\epsilon_{\mathrm{low}}": lambda v: v.el,
            r"\epsilon_{\mathrm{high}}": lambda v: v.eh,
        },
        args={
            "logp": lambda v: v.logp,
            "old_logp": lambda v: v.old_logp,
            "advantages": lambda v: v.adv,
            "mask": lambda v: v.mask,
            "clip_eps_low": lambda v: v.el,
            "clip_eps_high": lambda v: v.eh,
            "loss_agg": "none",
        },
        # 不聚合（loss_agg='none'）：逐 token 对照
        relation=lambda v: (v.out.loss, "==", v.where(v.mask, v.formula, 0)),
        cover=[
            lambda v: v.mask & (v.rho > 1 + v.eh) & (v.adv > 0),
            # 只有 clip-higher 才不裁的区间
            lambda v: v.mask & (v.rho > 1 + v.el) & (v.rho < 1 + v.eh) & (v.adv > 0),
            lambda v: v.mask & (v.rho < 1 - v.el) & (v.adv < 0),
            lambda v: v.mask & (v.rho < 1 - v.el) & (v.adv > 0),
            lambda v: v.mask == 0,
        ],
    )


@formula_check("AI/LLM/RL/GRPO/TRL 中实现 GRPO", "trl-k3-kl")
def check_trl_k3_kl() -> Check:
    return Check(
        impl=kl_k3,
        dims={"S": 6, "V": 5},
        axes={"i": 4, "t": 8},
        inputs={
            "P": lambda v: v.simplex(v.S, v.V),
            "P_ref": lambda v: v.simplex(v.S, v.V),
            "o": lambda v: v.integers(0, v.V, v.i, v.t),
            "s": lambda v: v.integers(0, v.S, v.i, v.t),
        },
        symbols={
            r"\pi_\theta": fn(lambda v, o, s: v.P[s, o], bar=True),
            r"\pi_{\mathrm{ref}}": fn(lambda v, o, s: v.P_ref[s, o], bar=True),
            "o_{i,t}": lambda v: v.o,
            "s_{i,t}": lambda v: v.s,
        },
        args={
            "logp": lambda v: v.log(v.P[v.s, v.o]),
            "ref_logp": lambda v: v.log(v.P_ref[v.s, v.o]),
        },
    )


@formula_check("AI/LLM/RL/GRPO/TRL 中实现 GRPO", "trl-token-total-loss")
def check_trl_token_total_loss() -> Check:
    return Check(
        impl=grpo_loss,
        axes={"i": 6, "t": 12},
        inputs={
            "logp": lambda v: v.normal(-1, 0.4, v.i, v.t),
            "old_logp": lambda v: v.normal(-1, 0.4, v.i, v.t),
            "ref_logp": lambda v: v.normal(-1, 0.4, v.i, v.t),
            "rho": lambda v: v.exp(v.logp - v.old_logp),
            "adv": lambda v: v.normal(0, 1, v.i),
            "mask": lambda v: v.prefix_mask(v.i, v.t),
            "el": 0.2,
            "eh": 0.28,
            "beta": 0.04,
        },
        symbols={
            # ℓ_{i,t}：trl-clipped-token-loss 的逐 token 裁剪损失（那条公式已单独检查）
            r"\ell_{i,t}": lambda v: (
                -v.minimum(v.rho * v.adv, v.clip(v.rho, 1 - v.el, 1 + v.eh) * v.adv)
            ),
            "D_{i,t}": lambda v: v.call(kl_k3, v.logp, v.ref_logp),
            r"\rho_{i,t}": lambda v: v.rho,
            r"\beta": lambda v: v.beta,
        },
        args={
            "logp": lambda v: v.logp,
            "old_logp": lambda v: v.old_logp,
            "ref_logp": lambda v: v.ref_logp,
            "advantages": lambda v: v.adv,
            "mask": lambda v: v.mask,
            "beta": lambda v: v.beta,
            "clip_eps": lambda v: v.el,
            "clip_eps_high": lambda v: v.eh,
            "loss_agg": "none",
            "kl_ratio_weighted": True,
        },
        # 不聚合（loss_agg='none'）：逐 token 对照
        relation=lambda v: (v.out.loss, "==", v.where(v.mask, v.formula, 0)),
        cover=[
            lambda v: v.mask & (v.rho > 1 + v.eh) & (v.adv > 0),
            lambda v: v.mask & (v.rho < 1 - v.el) & (v.adv < 0),
            # 比率明显偏离 1：乘 ρ 与不乘可区分
            lambda v: v.mask & (v.abs(v.rho - 1) > 0.2),
            lambda v: v.mask == 0,
        ],
    )


@formula_check("AI/LLM/RL/GRPO/TRL 中实现 GRPO", "trl-agg-seq-mean-token-mean")
def check_trl_agg_seq_mean_token_mean() -> Check:
    return Check(
        impl=aggregate_loss,
        axes={"i": 4, "t": 7},
        inputs={
            "loss": lambda v: v.normal(0, 1, v.i, v.t),
            # 无整条被屏蔽的回答：那时 TRL 仍把它计入 B，rlref 不计
            "mask": lambda v: v.prefix_mask(v.i, v.t),
        },
        symbols={
            "B": 4,
            r"\sum_{i=1}^{B}": reduction("sum", "i"),
            r"\sum_{t=1}^{T}": reduction("sum", "t"),
            "m_{i,t}": lambda v: v.mask,
            r"\ell^{\mathrm{tot}}_{i,t}": lambda v: v.loss,
        },
        args={
            "loss_mat": lambda v: v.loss,
            "mask": lambda v: v.mask,
            "loss_agg": "seq-mean-token-mean",
        },
        cover=[
            lambda v: v.mask == 0,
        ],
    )


@formula_check("AI/LLM/RL/GRPO/TRL 中实现 GRPO", "trl-agg-token-mean")
def check_trl_agg_token_mean() -> Check:
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
            r"\ell^{\mathrm{tot}}_{i,t}": lambda v: v.loss,
        },
        args={"loss_mat": lambda v: v.loss, "mask": lambda v: v.mask, "loss_agg": "token-mean"},
        cover=[
            lambda v: v.mask == 0,
            lambda v: v.sum(v.mask, v.t) == 0,
        ],
    )


@formula_check("AI/LLM/RL/GRPO/TRL 中实现 GRPO", "trl-agg-dr-grpo")
def check_trl_agg_dr_grpo() -> Check:
    return Check(
        impl=aggregate_loss,
        axes={"i": 4, "t": 7},
        inputs={
            "loss": lambda v: v.normal(0, 1, v.i, v.t),
            # 无整条被屏蔽的回答（TRL 把它计入 B，rlref 不计）
            "mask": lambda v: v.prefix_mask(v.i, v.t),
            "L_max": 10,
        },
        symbols={
            "B": 4,
            r"L_{\mathrm{max}}": lambda v: v.L_max,
            r"\sum_{i=1}^{B}": reduction("sum", "i"),
            r"\sum_{t=1}^{T}": reduction("sum", "t"),
            "m_{i,t}": lambda v: v.mask,
            r"\ell^{\mathrm{tot}}_{i,t}": lambda v: v.loss,
        },
        args={
            "loss_mat": lambda v: v.loss,
            "mask": lambda v: v.mask,
            "loss_agg": "seq-mean-token-sum-norm",
            "max_completion_length": lambda v: v.L_max,
        },
        cover=[
            lambda v: v.mask == 0,
        ],
    )


@formula_check("AI/LLM/RL/GRPO/TRL 中实现 GRPO", "trl-entropy-bonus")
def check_trl_entropy_bonus() -> Check:
    return Check(
        impl=entropy_bonus,
        axes={"i": 4, "t": 7},
        inputs={
            "H": lambda v: v.uniform(0, 2, v.i, v.t),
            "mask": lambda v: v.prefix_mask(v.i, v.t),
            "coef": 0.01,
            # 聚合后的策略损失，任意标量
            "L": lambda v: v.normal(0, 1),
        },
        symbols={
            "L": lambda v: v.L,
            "c_H": lambda v: v.coef,
            "H_{i,t}": lambda v: v.H,
            "m_{i,t}": lambda v: v.mask,
            r"\sum_{i=1}^{B}": reduction("sum", "i"),
            r"\sum_{t=1}^{T}": reduction("sum", "t"),
        },
        args={
            "entropy": lambda v: v.H,
            "mask": lambda v: v.mask,
            "coef": lambda v: v.coef,
            "loss_agg": "token-mean",
        },
        # entropy_bonus 返回要加到损失上的 −c·H̄
        relation=lambda v: (v.L + v.out, "==", v.formula),
        cover=[
            lambda v: v.mask == 0,
        ],
    )

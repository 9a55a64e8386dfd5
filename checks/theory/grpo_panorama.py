"""Checks of the formulas of GRPO-Improvement-Panorama-2026.

Note: [[AI/LLM/RL/Theory/GRPO-Improvement-Panorama-2026]]
"""

from __future__ import annotations

from rlref.algos.policy_loss import cispo_loss
from rlref.algos.stability import sapo_loss
from rlref.formulas.api import Check, builtin, fn, formula_check


@formula_check("AI/LLM/RL/Theory/GRPO-Improvement-Panorama-2026", "cispo-loss")
def check_cispo_loss() -> Check:
    return Check(
        impl=cispo_loss,
        axes={"i": 6, "t": 10},
        inputs={
            "logp": lambda v: v.normal(-1, 0.5, v.i, v.t),
            "old_logp": lambda v: v.normal(-1, 0.5, v.i, v.t),
            "adv": lambda v: v.normal(0, 1, v.i, v.t),
            "mask": lambda v: v.prefix_mask(v.i, v.t),
            "el": 0.2,
            "eh": 0.28,
        },
        symbols={
            r"\operatorname{sg}": builtin("sg"),
            r"\hat{r}_{i,t}(\theta)": lambda v: v.clip(
                v.exp(v.logp - v.old_logp), 1 - v.el, 1 + v.eh
            ),
            r"\hat{A}_{i,t}": lambda v: v.adv,
            # 采样 token 在其位置上的概率
            r"\pi_\theta": fn(lambda v, x, q, h: v.exp(v.logp), bar=True),
            "o_{i,t}": 0,
            "o_{i,<t}": 0,
            "q": 0,
        },
        args={
            "logp": lambda v: v.logp,
            "old_logp": lambda v: v.old_logp,
            "advantages": lambda v: v.adv,
            "mask": lambda v: v.mask,
            "clip_eps_high": lambda v: v.eh,
            "clip_eps_low": lambda v: v.el,
        },
        # 代码做 token-mean 聚合
        relation=lambda v: (v.out.loss, "==", v.sum(v.formula * v.mask) / v.sum(v.mask)),
        cover=[
            lambda v: v.exp(v.logp - v.old_logp) > 1 + v.eh,
            lambda v: v.exp(v.logp - v.old_logp) < 1 - v.el,
            lambda v: (
                (v.exp(v.logp - v.old_logp) < 1 + v.eh) & (v.exp(v.logp - v.old_logp) > 1 - v.el)
            ),
        ],
    )


@formula_check("AI/LLM/RL/Theory/GRPO-Improvement-Panorama-2026", "sapo-loss")
def check_sapo_loss() -> Check:
    return Check(
        impl=sapo_loss,
        axes={"i": 6, "t": 10},
        inputs={
            "logp": lambda v: v.normal(-1, 0.5, v.i, v.t),
            "old_logp": lambda v: v.normal(-1, 0.5, v.i, v.t),
            "ratio": lambda v: v.exp(v.logp - v.old_logp),
            "adv": lambda v: v.normal(0, 1, v.i),
            "mask": lambda v: v.prefix_mask(v.i, v.t),
            "tp": 0.8,
            "tn": 2.0,
        },
        symbols={
            r"\sigma": builtin("sigmoid"),
            # 正优势用 τ_pos，其余用 τ_neg
            r"\tau_{i,t}": lambda v: v.where(v.adv > 0, v.tp, v.tn),
            r"r_{i,t}(\theta)": lambda v: v.ratio,
            r"\hat{A}_{i,t}": lambda v: v.adv,
        },
        args={
            "logp": lambda v: v.logp,
            "old_logp": lambda v: v.old_logp,
            "advantages": lambda v: v.adv,
            "mask": lambda v: v.mask,
            "tau_pos": lambda v: v.tp,
            "tau_neg": lambda v: v.tn,
            "loss_agg": "token-mean",
        },
        # 用 token-mean 聚合来对照逐 token 项
        relation=lambda v: (v.out, "==", v.sum(v.formula * v.mask) / v.sum(v.mask)),
        cover=[
            lambda v: v.mask & (v.adv > 0) & (v.ratio > 1.5),
            lambda v: v.mask & (v.adv < 0) & (v.ratio < 0.7),
            lambda v: v.mask == 0,
        ],
    )

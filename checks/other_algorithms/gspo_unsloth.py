"""Checks of the formulas of GSPO-Unsloth实践.

Note: [[AI/LLM/RL/Other-Algorithms/GSPO-Unsloth实践]]
"""

from __future__ import annotations

from rlref.algos.policy_loss import gspo_loss, gspo_sequence_ratio, gspo_token_ratio
from rlref.formulas.api import Check, builtin, fn, formula_check, index, reduction


@formula_check("AI/LLM/RL/Other-Algorithms/GSPO-Unsloth实践", "gspo-sequence-ratio")
def check_gspo_sequence_ratio() -> Check:
    return Check(
        impl=gspo_sequence_ratio,
        dims={"B": 4, "T": 9, "V": 6},
        axes={"i": lambda v: v.B, "t": lambda v: v.T},
        inputs={
            # 位置 (i, t) 上当前策略的下一个 token 分布
            "P": lambda v: v.softmax(v.normal(0, 1, v.B, v.T, v.V), -1),
            # 采样时（旧）策略的分布
            "Pold": lambda v: v.softmax(v.normal(0, 1, v.B, v.T, v.V), -1),
            "o": lambda v: v.integers(0, v.V, v.B, v.T),
            "mask": lambda v: v.prefix_mask(v.i, v.t),
        },
        symbols={
            r"\pi_\theta": fn(lambda v, x, q, h: v.P[v.i, h, x], bar=True),
            r"\pi_{\theta_{\mathrm{old}}}": fn(lambda v, x, q, h: v.Pold[v.i, h, x], bar=True),
            "o_{i,t}": lambda v: v.o[v.i, v.t],
            # 上下文由位置 t 代表
            "o_{i,<t}": index("t"),
            "q": 0,
            "|o_i|": lambda v: v.sum(v.mask, v.t),
            r"\sum_{t=1}^{|o_i|}": reduction("sum", "t", where=lambda v: v.mask),
        },
        args={
            "logp": lambda v: v.log(v.P[v.i, v.t, v.o[v.i, v.t]]),
            "old_logp": lambda v: v.log(v.Pold[v.i, v.t, v.o[v.i, v.t]]),
            "mask": lambda v: v.mask,
        },
    )


@formula_check("AI/LLM/RL/Other-Algorithms/GSPO-Unsloth实践", "gspo-token-ratio")
def check_gspo_token_ratio() -> Check:
    return Check(
        impl=gspo_token_ratio,
        dims={"B": 4, "T": 9, "V": 6},
        axes={"i": lambda v: v.B, "t": lambda v: v.T},
        inputs={
            "P": lambda v: v.softmax(v.normal(0, 1, v.B, v.T, v.V), -1),
            "Pold": lambda v: v.softmax(v.normal(0, 1, v.B, v.T, v.V), -1),
            "o": lambda v: v.integers(0, v.V, v.B, v.T),
            "mask": lambda v: v.prefix_mask(v.i, v.t),
            "logp": lambda v: v.log(v.P[v.i, v.t, v.o[v.i, v.t]]),
            "old_logp": lambda v: v.log(v.Pold[v.i, v.t, v.o[v.i, v.t]]),
        },
        symbols={
            r"\operatorname{sg}": builtin("sg"),
            r"s_i(\theta)": lambda v: v.call(gspo_sequence_ratio, v.logp, v.old_logp, v.mask)[v.i],
            r"\pi_\theta": fn(lambda v, x, q, h: v.P[v.i, h, x], bar=True),
            "o_{i,t}": lambda v: v.o[v.i, v.t],
            "o_{i,<t}": index("t"),
            "q": 0,
        },
        args={"logp": lambda v: v.logp, "old_logp": lambda v: v.old_logp, "mask": lambda v: v.mask},
        # s_{i,t} 的数值不随 t 变化
        relation=lambda v: (v.out, "==", v.formula + v.zeros_like(v.out)),
    )


@formula_check("AI/LLM/RL/Other-Algorithms/GSPO-Unsloth实践", "gspo-loss")
def check_gspo_loss() -> Check:
    return Check(
        impl=gspo_loss,
        axes={"i": 24, "t": 10},
        inputs={
            "logp": lambda v: v.normal(-1, 0.5, v.i, v.t),
            # 每条序列一个对数比偏移：s_i 落在裁剪区间两侧
            "old_logp": lambda v: v.logp + v.normal(0, 0.0006, v.i),
            "mask": lambda v: v.prefix_mask(v.i, v.t),
            "adv": lambda v: v.normal(0, 1, v.i),
            "el": 0.0003,
            "eh": 0.0004,
            "s": lambda v: v.call(gspo_sequence_ratio, v.logp, v.old_logp, v.mask)[v.i],
        },
        symbols={
            "G": 24,
            r"\sum_{i=1}^{G}": reduction("sum", "i"),
            r"s_i(\theta)": lambda v: v.s,
            r"\hat{A}_i": lambda v: v.adv,
            r"\varepsilon_{\mathrm{low}}": lambda v: v.el,
            r"\varepsilon_{\mathrm{high}}": lambda v: v.eh,
        },
        args={
            "logp": lambda v: v.logp,
            "old_logp": lambda v: v.old_logp,
            "advantages": lambda v: v.adv,
            "mask": lambda v: v.mask,
            "clip_eps_low": lambda v: v.el,
            "clip_eps_high": lambda v: v.eh,
        },
        relation=lambda v: (v.out.loss, "==", v.formula),
        cover=[
            lambda v: (v.s > 1 + v.eh) & (v.adv > 0),
            lambda v: (v.s < 1 - v.el) & (v.adv < 0),
            lambda v: (v.s < 1 + v.eh) & (v.s > 1 - v.el),
        ],
    )

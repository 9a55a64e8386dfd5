"""Checks of the formulas of GRPO-demo.

Note: [[AI/LLM/RL/GRPO/GRPO-demo]]
"""

from __future__ import annotations

from rlref.algos.policy_loss import grpo_loss
from rlref.formulas.api import Check, formula_check, reduction


@formula_check("AI/LLM/RL/GRPO/GRPO-demo", "grpo-demo-loss")
def check_grpo_demo_loss() -> Check:
    return Check(
        impl=grpo_loss,
        # prefix_mask 每行至少一个 token（无整条被屏蔽的回答）
        axes={"i": 6, "t": 12},
        inputs={
            "logp": lambda v: v.normal(-1, 0.4, v.i, v.t),
            "old_logp": lambda v: v.normal(-1, 0.4, v.i, v.t),
            "ref_logp": lambda v: v.normal(-1, 0.4, v.i, v.t),
            "rho": lambda v: v.exp(v.logp - v.old_logp),
            # 一条回答一个优势
            "adv": lambda v: v.normal(0, 1, v.i),
            "mask": lambda v: v.prefix_mask(v.i, v.t),
            "eps": 0.2,
            "beta": 0.04,
        },
        symbols={
            "N": 6,
            r"\sum_{i=1}^{N}": reduction("sum", "i"),
            r"\sum_{t=1}^{T}": reduction("sum", "t"),
            "m_{i,t}": lambda v: v.mask,
            r"\rho_{i,t}": lambda v: v.rho,
            r"\hat{A}_i": lambda v: v.adv,
            r"\epsilon": lambda v: v.eps,
            r"\beta": lambda v: v.beta,
            # 式中省略了条件 (o_{i,t} | s_{i,t})
            r"\pi_\theta": lambda v: v.exp(v.logp),
            r"\pi_{\mathrm{ref}}": lambda v: v.exp(v.ref_logp),
        },
        args={
            "logp": lambda v: v.logp,
            "old_logp": lambda v: v.old_logp,
            "ref_logp": lambda v: v.ref_logp,
            "advantages": lambda v: v.adv,
            "mask": lambda v: v.mask,
            "beta": lambda v: v.beta,
            "clip_eps": lambda v: v.eps,
            "loss_agg": "seq-mean-token-mean",
        },
        # 式子本身就是要最小化的损失
        relation=lambda v: (v.out.loss, "==", v.formula),
        cover=[
            lambda v: v.mask & (v.rho > 1 + v.eps) & (v.adv > 0),
            lambda v: v.mask & (v.rho < 1 - v.eps) & (v.adv < 0),
            lambda v: v.mask == 0,
        ],
    )

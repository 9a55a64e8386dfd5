"""Checks of the formulas of RLHF 全链路.

Note: [[AI/LLM/RL/RLHF 全链路]]
"""

from __future__ import annotations

from rlref.algos.kl import kl_shaped_rewards
from rlref.algos.preference import bradley_terry_loss
from rlref.formulas.api import Check, builtin, fn, formula_check, index


@formula_check("AI/LLM/RL/RLHF 全链路", "rm-pairwise-loss")
def check_rm_pairwise_loss() -> Check:
    return Check(
        impl=bradley_terry_loss,
        dims={"X": 4, "Y": 7},
        axes={"n": 32},
        inputs={
            # 奖励模型对每个 (prompt, 回答) 的打分
            "R": lambda v: v.normal(0, 2, v.X, v.Y),
            "x": lambda v: v.integers(0, v.X, v.n),
            "yw": lambda v: v.integers(0, v.Y, v.n),
            "yl": lambda v: v.integers(0, v.Y, v.n),
        },
        symbols={
            r"\sigma": builtin("sigmoid"),
            r"r_\phi": fn(lambda v, x, y: v.R[x, y]),
            "x": lambda v: v.x,
            "y_w": lambda v: v.yw,
            "y_l": lambda v: v.yl,
        },
        args={
            "chosen_scores": lambda v: v.R[v.x, v.yw],
            "rejected_scores": lambda v: v.R[v.x, v.yl],
        },
        # 对所有比较对取平均
        relation=lambda v: (v.out.loss, "==", v.mean(v.formula)),
        # 打分排对与排错的比较对都有
        cover=[
            lambda v: v.formula < v.log(2),
            lambda v: v.formula > v.log(2),
        ],
    )


@formula_check("AI/LLM/RL/RLHF 全链路", "kl-shaped-token-reward")
def check_kl_shaped_token_reward() -> Check:
    return Check(
        # kl_shaped_rewards 组装 GAE 之前的 token 奖励：KL 的 k1 估计以 −β 逐 token 进入奖励，
        # RM 分数只加在每条回答最后一个真实 token 上（被截断的回答也一样），padding 处为 0
        impl=kl_shaped_rewards,
        axes={"i": 4, "t": 6},
        inputs={
            # log π_old(a_t | s_t)
            "lo": lambda v: v.normal(-2, 1, v.i, v.t),
            # log π_ref(a_t | s_t)
            "lr": lambda v: v.normal(-2, 1, v.i, v.t),
            # r_φ(x, y)，每条回答一个
            "score": lambda v: v.normal(0, 1, v.i),
            "mask": lambda v: v.prefix_mask(v.i, v.t),
            # 最后一个回答 token 的位置
            "last": lambda v: v.sum(v.mask, v.t) - 1,
            "beta": lambda v: v.uniform(0.01, 0.2),
        },
        symbols={
            r"\pi_{\mathrm{old}}": fn(lambda v, a, s: v.exp(v.lo), bar=True),
            r"\pi_{\mathrm{ref}}": fn(lambda v, a, s: v.exp(v.lr), bar=True),
            "a_t": index("t"),
            "s_t": index("t"),
            "T": lambda v: v.last,
            r"r_\phi": fn(lambda v, x, y: v.score),
            "x": index("i"),
            "y": index("i"),
            r"\beta": lambda v: v.beta,
        },
        args={
            "scores": lambda v: v.score,
            "logp": lambda v: v.lo,
            "ref_logp": lambda v: v.lr,
            "mask": lambda v: v.mask,
            "beta": lambda v: v.beta,
        },
        relation=lambda v: (v.out, "==", v.where(v.mask, v.formula, 0)),
        # 有 padding；RM 分数落在被截断的回答末尾
        cover=[
            lambda v: v.mask == 0,
            lambda v: v.mask & (v.t == v.last) & (v.last < v.size(v.t) - 1),
        ],
    )

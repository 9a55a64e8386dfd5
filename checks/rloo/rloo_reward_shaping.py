"""Checks of the reward-shaping formula of RLOO 原理 (clipping and the KL penalty).

Note: [[AI/LLM/RL/RLOO/RLOO 原理]]
"""

from __future__ import annotations

from rlref.algos.rloo_rewards import rloo_shaped_rewards
from rlref.formulas.api import Check, fn, formula_check


@formula_check("AI/LLM/RL/RLOO/RLOO 原理", "rloo-clipped-shaped-reward")
def check_rloo_clipped_shaped_reward() -> Check:
    return Check(
        impl=rloo_shaped_rewards,
        axes={"n": 16, "t": 8},
        inputs={
            # one score per completion (constant along t), spread past both clip bounds
            "score": lambda v: v.normal(0, 2, v.n) + 0 * v.t,
            "old": lambda v: v.normal(-1.5, 0.7, v.n, v.t),
            "ref": lambda v: v.normal(-1.5, 0.7, v.n, v.t),
            "m": lambda v: v.prefix_mask(v.n, v.t),
            "low": lambda v: v.uniform(-1.5, -0.5),
            "high": lambda v: v.uniform(0.5, 1.5),
            "beta": lambda v: v.uniform(0.01, 0.3),
        },
        symbols={
            "r": fn(lambda v, x, y: v.score),
            # log π(y|x): the completion's token log-probs summed under the mask
            r"\pi_{\mathrm{old}}": fn(lambda v, y, x: v.exp(v.sum(v.m * v.old, v.t)), bar=True),
            r"\pi_{\mathrm{ref}}": fn(lambda v, y, x: v.exp(v.sum(v.m * v.ref, v.t)), bar=True),
            r"c_{\mathrm{low}}": lambda v: v.low,
            r"c_{\mathrm{high}}": lambda v: v.high,
            r"\beta": lambda v: v.beta,
            "x": 0,
            "y": 0,
        },
        args={
            "rewards": lambda v: v.score[:, 0],
            "old_token_logps": lambda v: v.old,
            "ref_token_logps": lambda v: v.ref,
            "mask": lambda v: v.m,
            "beta": lambda v: v.beta,
            "clip_range": lambda v: (float(v.low), float(v.high)),
        },
        relation=lambda v: (v.expand_dims(v.out, -1), "==", v.formula[:, :1]),
        # scores above, below and inside the clip range
        cover=[
            lambda v: v.score > v.high,
            lambda v: v.score < v.low,
            lambda v: (v.score > v.low) & (v.score < v.high),
        ],
    )

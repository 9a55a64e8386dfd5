"""Checks of the formulas of DPO 损失变体.

Note: [[AI/LLM/RL/DPO/DPO 损失变体]]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from rlref.algos.dpo_modifiers import (
    f_divergence_score,
    f_dpo_loss,
    ld_sequence_logps,
    sft_loss,
    token_log_sum_sq_probs,
    wpo_loss,
    wpo_weights,
)
from rlref.algos.preference import dpo_loss
from rlref.algos.preference_variants import (
    aot_loss,
    apo_down_loss,
    apo_zero_loss,
    bco_pair_loss,
    discopop_loss,
    exo_pair_loss,
    nca_pair_loss,
)
from rlref.formulas.api import Check, builtin, fn, formula_check, reduction

# Summed completion log-probs of one pair per position of the axis n; the reference's spread
# puts the log-ratios Δ on both sides of 0.
PAIR_INPUTS: dict[str, Any] = {
    "pw": lambda v: -v.uniform(2, 20, v.n),
    "pl": lambda v: -v.uniform(2, 20, v.n),
    "rw": lambda v: v.pw + v.normal(0, 3, v.n),
    "rl": lambda v: v.pl + v.normal(0, 3, v.n),
    "beta": lambda v: v.uniform(0.2, 1.0),
}
PAIR_ARGS: dict[str, Any] = {
    "policy_chosen_logps": lambda v: v.pw,
    "policy_rejected_logps": lambda v: v.pl,
    "ref_chosen_logps": lambda v: v.rw,
    "ref_rejected_logps": lambda v: v.rl,
    "beta": lambda v: v.beta,
}
DELTAS: dict[str, Any] = {
    r"\Delta_w": lambda v: v.pw - v.rw,
    r"\Delta_l": lambda v: v.pl - v.rl,
    r"\beta": lambda v: v.beta,
}
SIGMOID = {r"\sigma": builtin("sigmoid")}


def _margin(v: Any) -> Any:
    return v.beta * ((v.pw - v.rw) - (v.pl - v.rl))


def _pair_check(impl: Callable[..., Any], **extra: Any) -> Check:
    """A per-pair loss of Δ_w, Δ_l whose code takes the batch mean."""
    return Check(
        impl=impl,
        axes={"n": 32},
        inputs={**PAIR_INPUTS, **extra.pop("inputs", {})},
        symbols={**SIGMOID, **DELTAS, **extra.pop("symbols", {})},
        args={**PAIR_ARGS, **extra.pop("args", {})},
        relation=lambda v: (v.out.loss, "==", v.mean(v.formula)),
        **extra,
    )


@formula_check("AI/LLM/RL/DPO/DPO 损失变体", "dpo-sigmoid-loss")
def check_dpo_sigmoid_loss() -> Check:
    return _pair_check(
        dpo_loss,
        # pairs ranked right and wrong
        cover=[lambda v: _margin(v) > 0, lambda v: _margin(v) < 0],
    )


@formula_check("AI/LLM/RL/DPO/DPO 损失变体", "exo-pair-loss")
def check_exo_pair_loss() -> Check:
    return _pair_check(
        exo_pair_loss,
        inputs={"eps": lambda v: v.uniform(0.01, 0.3)},
        symbols={r"\varepsilon": lambda v: v.eps},
        args={"label_smoothing": lambda v: v.eps},
        # pairs ranked right and wrong
        cover=[lambda v: _margin(v) > 0, lambda v: _margin(v) < 0],
    )


@formula_check("AI/LLM/RL/DPO/DPO 损失变体", "nca-pair-loss")
def check_nca_pair_loss() -> Check:
    return _pair_check(
        nca_pair_loss,
        cover=[lambda v: v.pw - v.rw > 0, lambda v: v.pw - v.rw < 0],
    )


@formula_check("AI/LLM/RL/DPO/DPO 损失变体", "bco-pair-loss")
def check_bco_pair_loss() -> Check:
    return _pair_check(
        bco_pair_loss,
        cover=[lambda v: v.pl - v.rl > 0, lambda v: v.pw - v.rw < 0],
    )


@formula_check("AI/LLM/RL/DPO/DPO 损失变体", "apo-zero-loss")
def check_apo_zero_loss() -> Check:
    return _pair_check(
        apo_zero_loss,
        cover=[lambda v: v.pw - v.rw > 0, lambda v: v.pl - v.rl < 0],
    )


@formula_check("AI/LLM/RL/DPO/DPO 损失变体", "apo-down-loss")
def check_apo_down_loss() -> Check:
    return _pair_check(
        apo_down_loss,
        cover=[lambda v: _margin(v) > 0, lambda v: _margin(v) < 0],
    )


@formula_check("AI/LLM/RL/DPO/DPO 损失变体", "discopop-loss")
def check_discopop_loss() -> Check:
    return _pair_check(
        discopop_loss,
        inputs={"tau": lambda v: v.uniform(0.05, 2.0)},
        symbols={r"\tau": lambda v: v.tau},
        args={"tau": lambda v: v.tau},
        # both regimes of the mixing weight
        cover=[lambda v: _margin(v) > 0, lambda v: _margin(v) < 0],
    )


def _aot_check(paired: bool) -> Check:
    def sides(v: Any) -> tuple[Any, Any]:
        if paired:
            return v.pw - v.pl, v.rw - v.rl
        return v.pw - v.rw, v.pl - v.rl

    return Check(
        impl=aot_loss,
        axes={"k": 16},
        inputs={
            "pw": lambda v: -v.uniform(2, 20, v.k),
            "pl": lambda v: -v.uniform(2, 20, v.k),
            "rw": lambda v: v.pw + v.normal(0, 3, v.k),
            "rl": lambda v: v.pl + v.normal(0, 3, v.k),
            "beta": lambda v: v.uniform(0.2, 1.0),
            "eps": lambda v: v.uniform(0.0, 0.3),
        },
        symbols={
            **SIGMOID,
            r"\beta": lambda v: v.beta,
            r"\varepsilon": lambda v: v.eps,
            "B": lambda v: v.size(v.k),
            r"\sum_{k=1}^{B}": reduction("sum", "k"),
            # the k-th smallest of each batch quantity
            "a_{(k)}": lambda v: np.sort(sides(v)[0]),
            "b_{(k)}": lambda v: np.sort(sides(v)[1]),
        },
        args={
            "policy_chosen_logps": lambda v: v.pw,
            "policy_rejected_logps": lambda v: v.pl,
            "ref_chosen_logps": lambda v: v.rw,
            "ref_rejected_logps": lambda v: v.rl,
            "beta": lambda v: v.beta,
            "label_smoothing": lambda v: v.eps,
            "paired": paired,
        },
        relation=lambda v: (v.out.loss, "==", v.formula),
        # sorting matters: some pair is not at its own rank
        cover=[lambda v: np.argsort(sides(v)[0]) != np.argsort(sides(v)[1])],
    )


@formula_check("AI/LLM/RL/DPO/DPO 损失变体", "aot-loss")
def check_aot_loss() -> Check:
    return _aot_check(paired=True)


def _score_check(divergence: str, **extra: Any) -> Check:
    return Check(
        impl=f_divergence_score,
        axes={"n": 32},
        inputs={"u": lambda v: v.normal(0, 2, v.n), **extra.pop("inputs", {})},
        symbols={"u": lambda v: v.u, **extra.pop("symbols", {})},
        args={"log_ratio": lambda v: v.u, "divergence": divergence, **extra.pop("args", {})},
        cover=[lambda v: v.u > 0, lambda v: v.u < 0],
    )


@formula_check("AI/LLM/RL/DPO/DPO 损失变体", "f-score-forward-kl")
def check_f_score_forward_kl() -> Check:
    return _score_check("forward_kl")


@formula_check("AI/LLM/RL/DPO/DPO 损失变体", "f-score-js")
def check_f_score_js() -> Check:
    return _score_check("js_divergence", symbols=SIGMOID)


@formula_check("AI/LLM/RL/DPO/DPO 损失变体", "f-score-alpha")
def check_f_score_alpha() -> Check:
    return _score_check(
        "alpha_divergence",
        inputs={"alpha": lambda v: v.uniform(0.1, 0.9)},
        symbols={r"\alpha": lambda v: v.alpha},
        args={"alpha": lambda v: v.alpha},
    )


@formula_check("AI/LLM/RL/DPO/DPO 损失变体", "f-dpo-loss")
def check_f_dpo_loss() -> Check:
    # ψ bound to the Jensen-Shannon score; the scores themselves are checked above
    return _pair_check(
        f_dpo_loss,
        symbols={r"\psi": fn(lambda v, u: np.log(2.0) + v.logsigmoid(u))},
        args={"divergence": "js_divergence"},
        cover=[lambda v: v.pw - v.rw > 0, lambda v: v.pw - v.rw < 0],
    )


@formula_check("AI/LLM/RL/DPO/DPO 损失变体", "ld-sequence-logp")
def check_ld_sequence_logp() -> Check:
    return Check(
        impl=ld_sequence_logps,
        axes={"b": 12, "t": 10},
        inputs={
            "lw": lambda v: v.normal(-2, 1, v.b, v.t),
            "ll": lambda v: v.normal(-2, 1, v.b, v.t),
            # right-padded completions of 1..10 tokens
            "mw": lambda v: v.t < v.integers(1, 11, v.b),
            "ml": lambda v: v.t < v.integers(1, 11, v.b),
            "alpha": lambda v: v.uniform(0.1, 0.9),
        },
        symbols={
            "m_t": lambda v: v.mw,
            "c_t": lambda v: v.cumsum(v.mw, v.t),
            r"\ell_t": lambda v: v.lw,
            "n_s": lambda v: v.minimum(v.sum(v.mw, v.t), v.sum(v.ml, v.t)),
            r"\alpha": lambda v: v.alpha,
            r"\sum_{t}": reduction("sum", "t"),
        },
        args={
            "chosen_token_logps": lambda v: v.lw,
            "rejected_token_logps": lambda v: v.ll,
            "chosen_mask": lambda v: v.mw,
            "rejected_mask": lambda v: v.ml,
            "alpha": lambda v: v.alpha,
        },
        # the chosen side; the rejected side is the same function with the roles swapped
        relation=lambda v: (v.expand_dims(v.out[0], -1), "==", v.formula),
        # a chosen completion longer than its rejected one (so a tail exists), and one shorter
        cover=[
            lambda v: v.sum(v.mw, v.t) > v.sum(v.ml, v.t),
            lambda v: v.sum(v.mw, v.t) < v.sum(v.ml, v.t),
        ],
    )


@formula_check("AI/LLM/RL/DPO/DPO 损失变体", "sft-loss")
def check_sft_loss() -> Check:
    return Check(
        impl=sft_loss,
        axes={"i": 5, "t": 9},
        inputs={
            "ell": lambda v: v.normal(-2, 1, v.i, v.t),
            "m": lambda v: v.prefix_mask(v.i, v.t),
        },
        symbols={
            r"\ell_{i,t}": lambda v: v.ell,
            "m_{i,t}": lambda v: v.m,
            r"\sum_{i,t}": reduction("sum", "i", "t"),
        },
        args={"token_logps": lambda v: v.ell, "mask": lambda v: v.m},
        cover=[lambda v: v.m == 0],
    )


@formula_check("AI/LLM/RL/DPO/DPO 损失变体", "log-sum-sq-probs")
def check_log_sum_sq_probs() -> Check:
    return Check(
        impl=token_log_sum_sq_probs,
        axes={"t": 6, "v": 9},
        inputs={"z": lambda v: v.normal(0, 2, v.t, v.v)},
        symbols={
            "p_t": fn(lambda v, k: v.softmax(v.z, v.v)[v.t, k]),
            "z_{t,v}": lambda v: v.z,
            r"\sum_{v}": reduction("sum", "v"),
        },
        args={"logits": lambda v: v.z},
        relation=lambda v: (v.expand_dims(v.out, -1), "==", v.formula),
    )


def _token_law(v: Any) -> Any:
    """p_t(v) of each row b and step t: a softmax over the vocabulary axis."""
    return v.softmax(v.z, v.v)


@formula_check("AI/LLM/RL/DPO/DPO 损失变体", "wpo-weight")
def check_wpo_weight() -> Check:
    return Check(
        impl=wpo_weights,
        axes={"b": 4, "t": 7, "v": 5},
        inputs={
            "z": lambda v: v.normal(0, 1.5, v.b, v.t, v.v),
            "y": lambda v: v.integers(0, 5, v.b, v.t),
            "m": lambda v: v.prefix_mask(v.b, v.t),
        },
        symbols={
            "p_t": fn(lambda v, k: _token_law(v)[v.b, v.t, k]),
            "y_t": lambda v: v.y,
            "|y|": lambda v: v.sum(v.m, v.t),
            r"\sum_{t=1}^{|y|}": reduction("sum", "t", where=lambda v: v.m),
            r"\sum_{v}": reduction("sum", "v"),
        },
        args={
            "token_logps": lambda v: v.log(_token_law(v)[v.b, v.t, v.y])[..., 0],
            "log_sum_sq_probs": lambda v: v.log(v.sum(_token_law(v) ** 2, v.v))[..., 0],
            "mask": lambda v: v.m[..., 0],
        },
        relation=lambda v: (v.expand_dims(v.expand_dims(v.out, -1), -1), "==", v.formula),
    )


@formula_check("AI/LLM/RL/DPO/DPO 损失变体", "wpo-loss")
def check_wpo_loss() -> Check:
    return _pair_check(
        wpo_loss,
        inputs={
            "ww": lambda v: v.uniform(0.05, 0.9, v.n),
            "wl": lambda v: v.uniform(0.05, 0.9, v.n),
        },
        symbols={
            r"\operatorname{sg}": builtin("sg"),
            "w(x, y_w)": lambda v: v.ww,
            "w(x, y_l)": lambda v: v.wl,
        },
        args={"chosen_weights": lambda v: v.ww, "rejected_weights": lambda v: v.wl},
        cover=[lambda v: _margin(v) > 0, lambda v: _margin(v) < 0],
    )

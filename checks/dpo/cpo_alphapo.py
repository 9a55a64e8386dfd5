"""Checks of the formulas of CPO 与 AlphaPO.

Note: [[AI/LLM/RL/DPO/CPO 与 AlphaPO]]
"""

from __future__ import annotations

from typing import Any

from rlref.algos.cpo import alphapo_reward, cpo_loss
from rlref.formulas.api import Check, builtin, formula_check, reduction

# Length-normalised log-likelihoods of one pair per position of n (the scale of SimPO's inputs)
PAIR_INPUTS: dict[str, Any] = {
    "lw": lambda v: -v.uniform(0.2, 3.0, v.n),
    "ll": lambda v: -v.uniform(0.2, 3.0, v.n),
    "beta": lambda v: v.uniform(0.5, 3.0),
    "alpha": lambda v: v.uniform(0.1, 1.0),
}
PAIR_ARGS: dict[str, Any] = {
    "policy_chosen_logps": lambda v: v.lw,
    "policy_rejected_logps": lambda v: v.ll,
    "beta": lambda v: v.beta,
    "alpha": lambda v: v.alpha,
    "cpo_alpha": 0.0,
}
# r(y) is AlphaPO's reward, itself checked against alphapo-reward
REWARDS: dict[str, Any] = {
    "r(y_w)": lambda v: v.call(alphapo_reward, v.lw, v.alpha),
    "r(y_l)": lambda v: v.call(alphapo_reward, v.ll, v.alpha),
    r"\beta": lambda v: v.beta,
}


def _gap(v: Any) -> Any:
    return v.beta * (v.call(alphapo_reward, v.lw, v.alpha) - v.call(alphapo_reward, v.ll, v.alpha))


def _pair_check(**extra: Any) -> Check:
    return Check(
        impl=cpo_loss,
        axes={"n": 32},
        inputs={**PAIR_INPUTS, **extra.pop("inputs", {})},
        symbols={**REWARDS, **extra.pop("symbols", {})},
        args={**PAIR_ARGS, **extra.pop("args", {})},
        relation=lambda v: (v.out.loss, "==", v.mean(v.formula)),
        **extra,
    )


@formula_check("AI/LLM/RL/DPO/CPO 与 AlphaPO", "alphapo-reward")
def check_alphapo_reward() -> Check:
    return Check(
        impl=alphapo_reward,
        axes={"n": 32},
        inputs={
            "ell": lambda v: -v.uniform(0.0, 20.0, v.n),
            "alpha": lambda v: v.uniform(-0.5, 1.0),
        },
        symbols={r"\ell(y)": lambda v: v.ell, r"\alpha": lambda v: v.alpha},
        args={"logps": lambda v: v.ell, "alpha": lambda v: v.alpha},
    )


@formula_check("AI/LLM/RL/DPO/CPO 与 AlphaPO", "cpo-preference-loss")
def check_cpo_preference_loss() -> Check:
    return _pair_check(
        inputs={"eps": lambda v: v.uniform(0.05, 0.4)},
        symbols={r"\sigma": builtin("sigmoid"), r"\varepsilon": lambda v: v.eps},
        args={"loss_type": "sigmoid", "label_smoothing": lambda v: v.eps},
        cover=[lambda v: _gap(v) > 0, lambda v: _gap(v) < 0],
    )


@formula_check("AI/LLM/RL/DPO/CPO 与 AlphaPO", "cpo-simpo-loss")
def check_cpo_simpo_loss() -> Check:
    return _pair_check(
        inputs={"eps": lambda v: v.uniform(0.05, 0.4), "gamma": lambda v: v.uniform(0.1, 1.0)},
        symbols={
            r"\sigma": builtin("sigmoid"),
            r"\varepsilon": lambda v: v.eps,
            r"\gamma": lambda v: v.gamma,
        },
        args={
            "loss_type": "simpo",
            "label_smoothing": lambda v: v.eps,
            "simpo_gamma": lambda v: v.gamma,
        },
        # the margin on both sides of the target γ
        cover=[lambda v: _gap(v) > v.gamma, lambda v: _gap(v) < v.gamma],
    )


@formula_check("AI/LLM/RL/DPO/CPO 与 AlphaPO", "cpo-hinge-loss")
def check_cpo_hinge_loss() -> Check:
    return _pair_check(
        args={"loss_type": "hinge"},
        # both pieces of the hinge
        cover=[lambda v: _gap(v) > 1, lambda v: _gap(v) < 1],
    )


@formula_check("AI/LLM/RL/DPO/CPO 与 AlphaPO", "cpo-ipo-loss")
def check_cpo_ipo_loss() -> Check:
    return _pair_check(
        inputs={"beta": lambda v: v.uniform(0.3, 1.0)},
        args={"loss_type": "ipo"},
        cover=[
            lambda v: _gap(v) / v.beta > 1 / (2 * v.beta),
            lambda v: _gap(v) / v.beta < 1 / (2 * v.beta),
        ],
    )


@formula_check("AI/LLM/RL/DPO/CPO 与 AlphaPO", "cpo-nll-loss")
def check_cpo_nll_loss() -> Check:
    return Check(
        impl=cpo_loss,
        axes={"i": 6, "t": 9},
        inputs={
            "lw": lambda v: -v.uniform(0.2, 3.0, v.i),
            "ll": lambda v: -v.uniform(0.2, 3.0, v.i),
            "tok": lambda v: v.normal(-2, 1, v.i, v.t),
            # prompt positions (mask 0) before each completion, padding after it
            "m": lambda v: (v.t >= 2) & v.prefix_mask(v.i, v.t),
        },
        symbols={
            r"\ell_{i,t}": lambda v: v.tok,
            "m_{i,t}": lambda v: v.m,
            r"\sum_{i,t}": reduction("sum", "i", "t"),
        },
        args={
            "policy_chosen_logps": lambda v: v.lw,
            "policy_rejected_logps": lambda v: v.ll,
            "cpo_alpha": 1.0,
            "nll_token_logps": lambda v: v.tok,
            "nll_mask": lambda v: v.m,
        },
        relation=lambda v: (v.out.nll_loss, "==", v.formula),
        cover=[lambda v: v.m == 0],
    )


@formula_check("AI/LLM/RL/DPO/CPO 与 AlphaPO", "cpo-loss")
def check_cpo_loss() -> Check:
    def prefer(v: Any) -> Any:
        # the sigmoid preference loss of each pair (cpo-preference-loss with ε = 0, α = 0)
        return -v.logsigmoid(v.beta * (v.lw - v.ll))

    def nll(v: Any) -> Any:
        return -v.sum(v.m * v.tok) / v.sum(v.m)

    return Check(
        impl=cpo_loss,
        axes={"i": 6, "t": 9},
        inputs={
            "lw": lambda v: -v.uniform(2, 20, v.i),
            "ll": lambda v: -v.uniform(2, 20, v.i),
            "tok": lambda v: v.normal(-2, 1, v.i, v.t),
            "m": lambda v: v.prefix_mask(v.i, v.t),
            "beta": lambda v: v.uniform(0.05, 0.5),
            "lam": lambda v: v.uniform(0.2, 2.0),
        },
        symbols={
            "B": lambda v: v.size(v.i),
            r"\sum_{i=1}^{B}": reduction("sum", "i"),
            r"\mathcal{L}_{\mathrm{prefer}}^{(i)}": prefer,
            r"\mathcal{L}_{\mathrm{NLL}}": nll,
            r"\lambda": lambda v: v.lam,
        },
        args={
            "policy_chosen_logps": lambda v: v.lw,
            "policy_rejected_logps": lambda v: v.ll,
            "beta": lambda v: v.beta,
            "cpo_alpha": lambda v: v.lam,
            "nll_token_logps": lambda v: v.tok,
            "nll_mask": lambda v: v.m,
        },
        relation=lambda v: (v.out.loss, "==", v.formula),
    )

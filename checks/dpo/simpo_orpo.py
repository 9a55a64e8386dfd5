"""Checks of the formulas of SimPO 与 ORPO.

Note: [[AI/LLM/RL/DPO/SimPO 与 ORPO]]
"""

from __future__ import annotations

from rlref.algos.lm import sequence_logprobs
from rlref.algos.preference import orpo_loss, simpo_loss
from rlref.formulas.api import Check, builtin, fn, formula_check, index


@formula_check("AI/LLM/RL/DPO/SimPO 与 ORPO", "simpo-reward")
def check_simpo_reward() -> Check:
    return Check(
        impl=simpo_loss,
        dims={"X": 4, "Y": 6},
        axes={"n": 32},
        inputs={
            # 回答 y 的序列 log-prob（token 求和）
            "S": lambda v: -v.uniform(1, 30, v.X, v.Y),
            # 回答 y 的 token 数
            "Ln": lambda v: v.integers(1, 20, v.X, v.Y),
            "x": lambda v: v.integers(0, v.X, v.n),
            "yw": lambda v: v.integers(0, v.Y, v.n),
            "yl": lambda v: v.integers(0, v.Y, v.n),
            "beta": lambda v: v.uniform(0.5, 3.0),
            "gamma": lambda v: v.uniform(0.2, 1.0),
        },
        symbols={
            r"\pi_\theta": fn(lambda v, y, x: v.exp(v.S[x, y]), bar=True),
            "|y|": lambda v: v.Ln[v.x, v.yw],
            r"\beta": lambda v: v.beta,
            "x": lambda v: v.x,
            "y": lambda v: v.yw,
        },
        args={
            "policy_chosen_logps": lambda v: v.S[v.x, v.yw],
            "policy_rejected_logps": lambda v: v.S[v.x, v.yl],
            "chosen_lengths": lambda v: v.Ln[v.x, v.yw],
            "rejected_lengths": lambda v: v.Ln[v.x, v.yl],
            "beta": lambda v: v.beta,
            "gamma": lambda v: v.gamma,
        },
        relation=lambda v: (v.out.chosen_rewards, "==", v.formula),
    )


@formula_check("AI/LLM/RL/DPO/SimPO 与 ORPO", "simpo-loss")
def check_simpo_loss() -> Check:
    return Check(
        impl=simpo_loss,
        dims={"X": 4, "Y": 6},
        axes={"n": 32},
        inputs={
            "S": lambda v: -v.uniform(1, 30, v.X, v.Y),
            "Ln": lambda v: v.integers(1, 20, v.X, v.Y),
            "x": lambda v: v.integers(0, v.X, v.n),
            "yw": lambda v: v.integers(0, v.Y, v.n),
            "yl": lambda v: v.integers(0, v.Y, v.n),
            "beta": lambda v: v.uniform(0.5, 3.0),
            "gamma": lambda v: v.uniform(0.2, 1.0),
        },
        symbols={
            r"\sigma": builtin("sigmoid"),
            r"\pi_\theta": fn(lambda v, y, x: v.exp(v.S[x, y]), bar=True),
            "|y_w|": lambda v: v.Ln[v.x, v.yw],
            "|y_l|": lambda v: v.Ln[v.x, v.yl],
            r"\beta": lambda v: v.beta,
            r"\gamma": lambda v: v.gamma,
            "x": lambda v: v.x,
            "y_w": lambda v: v.yw,
            "y_l": lambda v: v.yl,
        },
        args={
            "policy_chosen_logps": lambda v: v.S[v.x, v.yw],
            "policy_rejected_logps": lambda v: v.S[v.x, v.yl],
            "chosen_lengths": lambda v: v.Ln[v.x, v.yw],
            "rejected_lengths": lambda v: v.Ln[v.x, v.yl],
            "beta": lambda v: v.beta,
            "gamma": lambda v: v.gamma,
        },
        # 单个偏好对的损失，代码取 batch 平均
        relation=lambda v: (v.out.loss, "==", v.mean(v.formula)),
        # 奖励差超过与未超过 γ 的对都有
        cover=[
            lambda v: v.formula < v.log(2),
            lambda v: v.formula > v.log(2),
        ],
    )


@formula_check("AI/LLM/RL/DPO/SimPO 与 ORPO", "orpo-normalized-likelihood")
def check_orpo_normalized_likelihood() -> Check:
    return Check(
        # log P_θ 由 sequence_logprobs(average=True) 算出，再作为 orpo_loss 的输入；
        # π_θ(y|x) 是同一函数给出的序列概率（token 求和，另有检查），|y| 是生成的回答长度
        impl=sequence_logprobs,
        dims={"B": 6, "T": 8, "V": 5},
        axes={"b": lambda v: v.B},
        inputs={
            "logits": lambda v: v.normal(0, 2, v.B, v.T, v.V),
            "ids": lambda v: v.integers(0, v.V, v.B, v.T),
            # 回答 token 数 1…T−2，其后是 padding
            "L": lambda v: v.integers(1, v.T - 1, v.B),
            # 前 2 个是 prompt
            "cm": lambda v: v.int64(
                (v.arange(v.T) >= 2) & (v.arange(v.T) < 2 + v.expand_dims(v.L, -1))
            ),
            "S": lambda v: v.call(sequence_logprobs, v.logits, v.ids, v.cm),
        },
        symbols={
            r"\pi_\theta": fn(lambda v, y, x: v.exp(v.S[y]), bar=True),
            "|y|": lambda v: v.L,
            "y": index("b"),
            "x": index("b"),
        },
        args={
            "logits": lambda v: v.logits,
            "input_ids": lambda v: v.ids,
            "completion_mask": lambda v: v.cm,
            "average": True,
        },
        # 代码返回 log P_θ
        relation=lambda v: (v.out, "==", v.log(v.formula)),
        # 有 padding 的回答、多于 1 个 token 的回答
        cover=[
            lambda v: v.L < v.T - 2,
            lambda v: v.L > 1,
        ],
    )


@formula_check("AI/LLM/RL/DPO/SimPO 与 ORPO", "orpo-odds")
def check_orpo_odds() -> Check:
    return Check(
        impl=orpo_loss,
        dims={"X": 4, "Y": 6},
        # s = 0：chosen，s = 1：rejected
        axes={"n": 32, "s": 2},
        inputs={
            # 平均 token log-prob，即 log P_θ
            "Avg": lambda v: -v.uniform(0.05, 3, v.X, v.Y),
            "x": lambda v: v.integers(0, v.X, v.n),
            "yw": lambda v: v.integers(0, v.Y, v.n),
            "yl": lambda v: v.integers(0, v.Y, v.n),
            "lam": lambda v: v.uniform(0.05, 1.0),
        },
        symbols={
            r"P_\theta": fn(lambda v, y, x: v.exp(v.Avg[x, y]), bar=True),
            "x": lambda v: v.x,
            "y": lambda v: v.where(v.s == 0, v.yw, v.yl),
        },
        args={
            "policy_chosen_avg_logps": lambda v: v.Avg[v.x, v.yw],
            "policy_rejected_avg_logps": lambda v: v.Avg[v.x, v.yl],
            "lam": lambda v: v.lam,
        },
        # 代码记录 batch 平均的对数几率比
        relation=lambda v: (
            v.out.log_odds_ratio,
            "==",
            v.mean(v.log(v.formula[:, 0]) - v.log(v.formula[:, 1])),
        ),
        # P 在 1/2 两侧（log1mexp 的两条分支）
        cover=[
            lambda v: v.Avg[v.x, v.yw] > -v.log(2),
            lambda v: v.Avg[v.x, v.yw] < -v.log(2),
        ],
    )


@formula_check("AI/LLM/RL/DPO/SimPO 与 ORPO", "orpo-odds-ratio-loss")
def check_orpo_odds_ratio_loss() -> Check:
    return Check(
        impl=orpo_loss,
        dims={"X": 4, "Y": 6},
        axes={"n": 32},
        inputs={
            "Avg": lambda v: -v.uniform(0.05, 3, v.X, v.Y),
            "x": lambda v: v.integers(0, v.X, v.n),
            "yw": lambda v: v.integers(0, v.Y, v.n),
            "yl": lambda v: v.integers(0, v.Y, v.n),
            "lam": lambda v: v.uniform(0.05, 1.0),
        },
        symbols={
            r"\sigma": builtin("sigmoid"),
            r"P_\theta": fn(lambda v, y, x: v.exp(v.Avg[x, y]), bar=True),
            "x": lambda v: v.x,
            "y_w": lambda v: v.yw,
            "y_l": lambda v: v.yl,
        },
        args={
            "policy_chosen_avg_logps": lambda v: v.Avg[v.x, v.yw],
            "policy_rejected_avg_logps": lambda v: v.Avg[v.x, v.yl],
            "lam": lambda v: v.lam,
        },
        # 总损失 = L_SFT + λ·L_OR
        relation=lambda v: (v.out.loss - v.out.nll_loss, "==", v.lam * v.mean(v.formula)),
        cover=[
            lambda v: v.formula < v.log(2),
            lambda v: v.formula > v.log(2),
        ],
    )


@formula_check("AI/LLM/RL/DPO/SimPO 与 ORPO", "orpo-sft-loss")
def check_orpo_sft_loss() -> Check:
    return Check(
        impl=orpo_loss,
        dims={"X": 4, "Y": 6},
        axes={"n": 32},
        inputs={
            "Avg": lambda v: -v.uniform(0.05, 3, v.X, v.Y),
            "x": lambda v: v.integers(0, v.X, v.n),
            "yw": lambda v: v.integers(0, v.Y, v.n),
            "yl": lambda v: v.integers(0, v.Y, v.n),
            "lam": lambda v: v.uniform(0.05, 1.0),
        },
        symbols={
            r"P_\theta": fn(lambda v, y, x: v.exp(v.Avg[x, y]), bar=True),
            "x": lambda v: v.x,
            "y_w": lambda v: v.yw,
        },
        args={
            "policy_chosen_avg_logps": lambda v: v.Avg[v.x, v.yw],
            "policy_rejected_avg_logps": lambda v: v.Avg[v.x, v.yl],
            "lam": lambda v: v.lam,
        },
        relation=lambda v: (v.out.nll_loss, "==", v.mean(v.formula)),
    )


@formula_check("AI/LLM/RL/DPO/SimPO 与 ORPO", "orpo-loss")
def check_orpo_loss() -> Check:
    return Check(
        impl=orpo_loss,
        dims={"X": 4, "Y": 6},
        axes={"n": 32},
        inputs={
            "Avg": lambda v: -v.uniform(0.05, 3, v.X, v.Y),
            "x": lambda v: v.integers(0, v.X, v.n),
            "yw": lambda v: v.integers(0, v.Y, v.n),
            "yl": lambda v: v.integers(0, v.Y, v.n),
            "lam": lambda v: v.uniform(0.05, 1.0),
        },
        symbols={
            r"\sigma": builtin("sigmoid"),
            r"P_\theta": fn(lambda v, y, x: v.exp(v.Avg[x, y]), bar=True),
            "x": lambda v: v.x,
            "y_w": lambda v: v.yw,
            "y_l": lambda v: v.yl,
            r"\lambda": lambda v: v.lam,
        },
        args={
            "policy_chosen_avg_logps": lambda v: v.Avg[v.x, v.yw],
            "policy_rejected_avg_logps": lambda v: v.Avg[v.x, v.yl],
            "lam": lambda v: v.lam,
        },
        relation=lambda v: (v.out.loss, "==", v.mean(v.formula)),
    )

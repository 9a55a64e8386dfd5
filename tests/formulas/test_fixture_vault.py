"""Every formula of the fixture vault passes its check, and the formulas the issue names
are bound to code (not merely declared unchecked)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rlref.formulas import check_formula, vault_formulas
from rlref.formulas.api import Check
from rlref.formulas.registry import load_checks

FIXTURE_VAULT = Path(__file__).resolve().parents[1] / "fixtures" / "formula_vault"

REQUIRED = [  # (note, formula id): what the issue asks to bind at least
    ("AI/LLM/RL/Fundamentals/On-Policy vs Off-Policy", "importance-ratio"),
    ("AI/LLM/RL/PPO/PPO 原理", "ppo-clip"),
    ("AI/LLM/RL/Fundamentals/GAE", "td-residual"),
    ("AI/LLM/RL/Fundamentals/GAE", "gae-sum"),
    ("AI/LLM/RL/GRPO/GRPO 深度理解", "grpo-advantage"),
    ("AI/LLM/RL/DAPO/DAPO 原理", "dapo-objective"),
    ("AI/LLM/RL/Other-Algorithms/GSPO-Unsloth实践", "gspo-sequence-ratio"),
    ("AI/LLM/RL/Fundamentals/KL散度", "kl-k1"),
    ("AI/LLM/RL/Fundamentals/KL散度", "kl-k3"),
    ("AI/LLM/RL/Fundamentals/Bradley-Terry 奖励模型", "bt-loss"),
    ("AI/LLM/RL/DPO/DPO 原理", "dpo-loss"),
    ("AI/LLM/RL/DPO/DPO 原理", "ipo-loss"),
    ("AI/LLM/RL/DPO/SimPO 与 ORPO", "simpo-loss"),
    ("AI/LLM/RL/KTO/KTO 原理", "kto-loss-desirable"),
    ("AI/LLM/RL/Fundamentals/贝尔曼方程", "bellman-expectation-v"),
    ("AI/LLM/RL/Fundamentals/贝尔曼方程", "q-learning-update"),
    ("AI/LLM/RL/Fundamentals/RL 概览", "ucb1-score"),
    ("AI/LLM/RL/Fundamentals/马尔科夫", "shaped-reward"),
    ("AI/LLM/RL/Fundamentals/PPL 计算 交叉熵损失与 ignore_index", "ppl"),
]

CASES = vault_formulas(FIXTURE_VAULT)
CHECKS = load_checks(FIXTURE_VAULT)


@pytest.mark.parametrize(("note", "formula"), CASES,
                         ids=[f"{n.key}::{f.id}" for n, f in CASES])
def test_fixture_formula(note, formula):
    result = check_formula(note, formula, CHECKS)
    assert result.status != "fail", f"{result.note}:{result.line}: {result.message}"
    if result.status == "pass":
        assert result.seeds == [0, 1, 2]
        assert result.max_abs_error is not None and result.max_abs_error < 1e-6


def test_enough_formulas_for_the_budget():
    assert len(CASES) >= 60


@pytest.mark.parametrize(("note", "formula_id"), REQUIRED)
def test_required_formula_is_bound_to_code(note, formula_id):
    by_key = {(n.key, f.id): n for n, f in CASES}
    assert (note, formula_id) in by_key, f"{note}::{formula_id} is not in the fixture vault"
    check = CHECKS[note, formula_id].function()
    assert isinstance(check, Check) and check.impl is not None

"""The shared contract: notes address these functions as `module:function` in their `impl:`
frontmatter and the formula checker binds to them, so the names and their notes are pinned."""

from __future__ import annotations

import importlib
import inspect
import re

import pytest

FUND = "AI/LLM/RL/Fundamentals"
CONTRACT: dict[str, str] = {
    "lm:token_logprobs": f"{FUND}/RL & LLMs 入门",
    "lm:entropy_from_logits": f"{FUND}/RL & LLMs 入门",
    "lm:masked_mean": f"{FUND}/RL & LLMs 入门",
    "lm:masked_sum": f"{FUND}/RL & LLMs 入门",
    "lm:sequence_logprobs": f"{FUND}/RL & LLMs 入门",
    "lm:perplexity": f"{FUND}/PPL 计算 交叉熵损失与 ignore_index",
    "returns:discounted_returns": f"{FUND}/马尔科夫",
    "returns:td_residual": f"{FUND}/GAE",
    "returns:lambda_returns": f"{FUND}/GAE",
    "advantages:gae": f"{FUND}/GAE",
    "advantages:gae_loop_reference": f"{FUND}/GAE",
    "advantages:group_advantages": "AI/LLM/RL/GRPO/GRPO 深度理解",
    "advantages:rloo_advantages": "AI/LLM/RL/RLOO/RLOO 原理",
    "advantages:reinforce_pp_advantages": f"{FUND}/策略梯度方法",
    "advantages:process_supervision_advantages": "AI/LLM/RL/GRPO/DeepSeek-Math",
    "kl:kl_k1": f"{FUND}/KL散度",
    "kl:kl_k2": f"{FUND}/KL散度",
    "kl:kl_k3": f"{FUND}/KL散度",
    "kl:kl_categorical": f"{FUND}/KL散度",
    "kl:adaptive_kl_coef": "AI/LLM/RL/PPO/PPO-verl实践",
    "policy_loss:importance_ratio": f"{FUND}/On-Policy vs Off-Policy",
    "policy_loss:reinforce_loss": f"{FUND}/策略梯度方法",
    "policy_loss:ppo_clip_loss": "AI/LLM/RL/PPO/PPO 原理",
    "policy_loss:value_loss_clipped": "AI/LLM/RL/PPO/PPO 原理",
    "policy_loss:entropy_bonus": "AI/LLM/RL/PPO/PPO 原理",
    "policy_loss:aggregate_loss": "AI/LLM/RL/GRPO/GRPO 深度理解",
    "policy_loss:grpo_loss": "AI/LLM/RL/GRPO/GRPO 深度理解",
    "policy_loss:dapo_overlong_penalty": "AI/LLM/RL/DAPO/DAPO 原理",
    "policy_loss:dynamic_sampling_filter": "AI/LLM/RL/DAPO/DAPO 原理",
    "policy_loss:gspo_sequence_ratio": "AI/LLM/RL/Other-Algorithms/GSPO-Unsloth实践",
    "policy_loss:gspo_token_ratio": "AI/LLM/RL/Other-Algorithms/GSPO-Unsloth实践",
    "policy_loss:gspo_loss": "AI/LLM/RL/Other-Algorithms/GSPO-Unsloth实践",
    "policy_loss:cispo_loss": "AI/LLM/RL/Theory/GRPO-Improvement-Panorama-2026",
    "preference:bradley_terry_loss": f"{FUND}/Bradley-Terry 奖励模型",
    "preference:dpo_loss": "AI/LLM/RL/DPO/DPO 原理",
    "preference:ipo_loss": "AI/LLM/RL/DPO/DPO 原理",
    "preference:hinge_loss": "AI/LLM/RL/DPO/DPO 原理",
    "preference:simpo_loss": "AI/LLM/RL/DPO/SimPO 与 ORPO",
    "preference:orpo_loss": "AI/LLM/RL/DPO/SimPO 与 ORPO",
    "preference:kto_loss": "AI/LLM/RL/KTO/KTO 原理",
    "tabular:FiniteMDP": f"{FUND}/贝尔曼方程",
    "tabular:policy_evaluation_linear": f"{FUND}/贝尔曼方程",
    "tabular:policy_evaluation_iterative": f"{FUND}/贝尔曼方程",
    "tabular:value_iteration": f"{FUND}/贝尔曼方程",
    "tabular:q_learning_update": f"{FUND}/贝尔曼方程",
    "tabular:potential_shaping": f"{FUND}/马尔科夫",
    "bandits:epsilon_greedy": f"{FUND}/RL 概览",
    "bandits:ucb1_scores": f"{FUND}/RL 概览",
    "bandits:thompson_sample": f"{FUND}/RL 概览",
    "bandits:simulate_regret": f"{FUND}/RL 概览",
    "search:uct_score": f"{FUND}/MCTS",
    "search:puct_score": f"{FUND}/MCTS",
    "search:mcts": f"{FUND}/MCTS",
    "search:root_visit_policy": f"{FUND}/MCTS",
    "objectives:bradley_terry_centered_loss": f"{FUND}/Bradley-Terry 奖励模型",
    "objectives:ppo_total_loss": "AI/LLM/RL/PPO/PPO 原理",
    "objectives:alphazero_loss": f"{FUND}/MCTS",
}
MODULES = [
    "lm",
    "returns",
    "advantages",
    "kl",
    "aggregation",
    "policy_loss",
    "grpo_variants",
    "preference",
    "tabular",
    "bandits",
    "search",
    "self_play",
    "recipes",
    "stability",
    "frontier",
    "prompt_evolution",
    "objectives",
]
NOTE = re.compile(r"^\s*Note: \[\[([^\]|]+)\]\]\s*$", re.MULTILINE)
SOURCE = re.compile(r"^\s*Sources?: \S", re.MULTILINE)
DISPLAY = re.compile(r"^\s*\$\$\s*$(.+?)^\s*\$\$\s*$", re.MULTILINE | re.DOTALL)


def _resolve(ref: str) -> object:
    module, name = ref.split(":")
    return getattr(importlib.import_module(f"rlref.algos.{module}"), name)


@pytest.mark.parametrize("ref", sorted(CONTRACT))
def test_contract_name_resolves_and_names_its_note(ref: str) -> None:
    obj = _resolve(ref)
    notes = NOTE.findall(inspect.getdoc(obj) or "")
    assert notes == [CONTRACT[ref]], f"{ref} documents {notes}"


def _public_functions():
    for module_name in MODULES:
        module = importlib.import_module(f"rlref.algos.{module_name}")
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj) and obj.__module__ == module.__name__:
                yield f"{module_name}:{name}", obj


def test_every_module_is_covered() -> None:
    import rlref.algos

    assert sorted(MODULES) == sorted(rlref.algos.__all__)


@pytest.mark.parametrize(("ref", "fn"), list(_public_functions()), ids=lambda x: str(x))
def test_every_public_function_documents_formula_note_args_and_returns(ref, fn) -> None:
    doc = inspect.getdoc(fn) or ""
    assert "$" in doc, f"{ref}: no LaTeX formula"
    displays = DISPLAY.findall(doc)
    assert displays and all(block.strip() for block in displays), (
        f"{ref}: needs a display formula, a non-empty `$$` … `$$` block on lines of its own")
    assert SOURCE.search(doc), f"{ref}: needs a 'Source:' (or 'Sources:') line"
    assert len(NOTE.findall(doc)) == 1, f"{ref}: needs exactly one 'Note: [[…]]' line"
    assert "Args:" in doc and "Returns:" in doc, f"{ref}: Google-style Args/Returns missing"
    hints = inspect.get_annotations(fn)
    assert "return" in hints and len(hints) == len(inspect.signature(fn).parameters) + 1, ref

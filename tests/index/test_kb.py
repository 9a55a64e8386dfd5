"""The shipped vault: clean under `rlref check --strict`, every impl importable, every
algos docstring's note link pointing at a real note, and the MOC in its promised shape."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from functools import lru_cache
from pathlib import Path

import pytest

import rlref.algos
from rlref.cli.common import load_checked_index
from rlref.diagnostics import sort_diagnostics
from rlref.index import Index

KB = Path(__file__).parents[2] / "kb"
MOC = "AI/LLM/RL/_MOC"
NOTE_LINE = re.compile(r"^\s*Note: \[\[([^\]|#]+)", re.MULTILINE)


@lru_cache(maxsize=1)
def kb_index() -> Index:
    return load_checked_index(KB)


def test_kb_is_clean_under_strict() -> None:
    problems = [d.format() for d in sort_diagnostics(kb_index().diagnostics)]
    assert problems == []


def test_every_impl_reference_imports_for_real() -> None:
    refs = sorted(
        {
            ref
            for note in kb_index().notes.values()
            if note.frontmatter
            for ref in note.frontmatter.impl
        }
    )
    assert len(refs) >= 40
    for ref in refs:
        module, name = ref.split(":")
        assert callable(getattr(importlib.import_module(module), name)), ref


def test_algos_docstrings_link_to_existing_notes() -> None:
    notes = kb_index().notes
    linked = 0
    for info in pkgutil.iter_modules(rlref.algos.__path__):
        module = importlib.import_module(f"rlref.algos.{info.name}")
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            for target in NOTE_LINE.findall(inspect.getdoc(obj) or ""):
                assert target in notes, f"{module.__name__}.{name} links to missing note {target}"
                linked += 1
    assert linked >= 60


EXPECTED_SECTIONS = [
    "基础理论 (Fundamentals)",
    "PPO",
    "GRPO",
    "DPO",
    "DAPO",
    "KTO",
    "RLOO",
    "其他算法 (Other-Algorithms)",
    "训练框架 (Frameworks)",
    "综述与深度笔记",
    "相关 MOC",
]
F, G = "AI/LLM/RL/Fundamentals/", "AI/LLM/RL/GRPO/"
REQUIRED = {
    "基础理论 (Fundamentals)": [
        F + n
        for n in [
            "马尔科夫",
            "贝尔曼方程",
            "策略梯度方法",
            "On-Policy vs Off-Policy",
            "KL散度",
            "MCTS",
            "为什么 PPO 优于 PG",
            "PPL 计算 交叉熵损失与 ignore_index",
            "RL 概览",
            "RL & LLMs 入门",
            "HF Deep RL Course",
            "强化学习的数学原理",
            "GAE",
            "Bradley-Terry 奖励模型",
        ]
    ]
    + ["AI/LLM/RL/Theory/RLVR-Edge-of-Competence"],
    "PPO": ["AI/LLM/RL/PPO/PPO 原理", "AI/LLM/RL/PPO/PPO-TRL实践", "AI/LLM/RL/PPO/PPO-verl实践"],
    "GRPO": [
        G + n
        for n in [
            "GRPO 深度理解",
            "DeepSeek R1 学习笔记",
            "DeepSeek-Math",
            "Blockwise-Advantage-Estimation",
            "TRL 中实现 GRPO",
            "GRPO-TRL实践",
            "GRPO-verl实践",
            "GRPO-Unsloth实践",
            "GRPO-demo",
            "OpenR1",
        ]
    ]
    + ["AI/RL/iGRPO"],
    "DPO": [
        "AI/LLM/RL/DPO/DPO 原理",
        "AI/LLM/RL/DPO/SimPO 与 ORPO",
        "AI/LLM/RL/DPO/DPO-TRL实践",
        "AI/LLM/RL/DPO/DPO-Unsloth实践",
    ],
    "DAPO": ["AI/LLM/RL/DAPO/DAPO 原理", "AI/LLM/RL/DAPO/DAPO-verl实践"],
    "KTO": ["AI/LLM/RL/KTO/KTO 原理", "AI/LLM/RL/KTO/KTO-TRL实践"],
    "RLOO": ["AI/LLM/RL/RLOO/RLOO 原理", "AI/LLM/RL/RLOO/RLOO-TRL实践"],
    "训练框架 (Frameworks)": [
        "AI/LLM/RL/Frameworks/Jet-RL-FP8-On-Policy-RL-Training",
        "AI/LLM/RL/Frameworks/QeRL-Quantization-Enhanced-RL",
        "AI/RL/Slime RL Framework",
    ],
    "综述与深度笔记": [
        "AI/LLM/RL/RLHF 全链路",
        "AI/LLM/RL/RLHF-DPO-2026-技术全景",
        "AI/LLM/RL/对齐技术综述",
        "AI/LLM/RL/Theory/GRPO-Improvement-Panorama-2026",
        "AI/LLM/RL/Theory/RL-Training-Stability-2026-Unified-Analysis",
        "AI/LLM/RL/RARL-Reward-Modeling-Survey",
    ],
    "相关 MOC": ["AI/LLM/_MOC", "AI/Agent/_MOC"],
}


def test_moc_sections_in_order() -> None:
    sections = kb_index().moc_sections[MOC]
    assert [s.heading for s in sections] == EXPECTED_SECTIONS


@pytest.mark.parametrize("section", sorted(REQUIRED))
def test_moc_section_lists_its_notes(section: str) -> None:
    listed = next(s.notes for s in kb_index().moc_sections[MOC] if s.heading == section)
    missing = [key for key in REQUIRED[section] if key not in listed]
    assert missing == []


def test_other_algorithms_section_has_the_frontier_notes() -> None:
    listed = next(s.notes for s in kb_index().moc_sections[MOC] if s.heading.startswith("其他算法"))
    assert len([k for k in listed if k.startswith("AI/LLM/RL/Other-Algorithms/")]) == 24


def test_each_note_is_an_entry_of_one_moc_section() -> None:
    seen: dict[str, str] = {}
    for section in kb_index().moc_sections[MOC]:
        for key in section.notes:
            assert key not in seen, f"{key} is listed under {seen.get(key)} and {section.heading}"
            seen[key] = section.heading

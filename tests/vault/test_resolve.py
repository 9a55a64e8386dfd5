"""Table-driven tests of wikilink resolution (Obsidian's behaviour)."""

from __future__ import annotations

import unicodedata

import pytest

from rlref.vault.resolve import LinkTargets, Resolved, Unresolved, find_heading, resolve_link

NOTES = [
    "AI/LLM/RL/PPO/PPO 原理",
    "AI/LLM/RL/GRPO/GRPO 深度理解",
    "AI/LLM/RL/Fundamentals/KL散度",
    "AI/LLM/RL/Fundamentals/RL & LLMs 入门",
    "AI/LLM/RL/_MOC",
    "AI/LLM/_MOC",
    "A/same",
    "B/same",
    "Case/Upper",
    "case/upper",
    "Notes/Café 概览",  # "é" has a decomposed (NFD) form; CJK characters do not
]
ATTACHMENTS = ["assets/图 1.png", "A/diagram.svg", "B/diagram.svg"]
ALIASES = {"AI/LLM/RL/PPO/PPO 原理": ["PPO", "Proximal Policy Optimization"], "A/same": ["共享"]}
TARGETS = LinkTargets.build(NOTES, ATTACHMENTS, ALIASES)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("AI/LLM/RL/PPO/PPO 原理", "AI/LLM/RL/PPO/PPO 原理"),  # exact, CJK with a space
        ("AI/LLM/RL/PPO/PPO 原理.md", "AI/LLM/RL/PPO/PPO 原理"),  # exact with .md
        ("PPO/PPO 原理", "AI/LLM/RL/PPO/PPO 原理"),  # unique path suffix
        ("PPO 原理", "AI/LLM/RL/PPO/PPO 原理"),  # unique file name
        ("KL散度", "AI/LLM/RL/Fundamentals/KL散度"),
        ("RL & LLMs 入门", "AI/LLM/RL/Fundamentals/RL & LLMs 入门"),
        ("PPO", "AI/LLM/RL/PPO/PPO 原理"),  # alias
        ("Proximal Policy Optimization", "AI/LLM/RL/PPO/PPO 原理"),
        ("proximal policy optimization", "AI/LLM/RL/PPO/PPO 原理"),  # alias, case-insensitive
        ("ppo 原理", "AI/LLM/RL/PPO/PPO 原理"),  # file name, case-insensitive
        ("kl散度", "AI/LLM/RL/Fundamentals/KL散度"),
        ("RL/_MOC", "AI/LLM/RL/_MOC"),  # suffix disambiguates two _MOC
        ("共享", "A/same"),
        ("Case/Upper", "Case/Upper"),  # exact case wins over the folded match
        ("case/upper", "case/upper"),
        ("  PPO 原理  ", "AI/LLM/RL/PPO/PPO 原理"),  # surrounding spaces
        ("./PPO 原理", "AI/LLM/RL/PPO/PPO 原理"),
        (unicodedata.normalize("NFD", "Café 概览"), "Notes/Café 概览"),  # macOS-typed target
        (unicodedata.normalize("NFD", "Notes/Café 概览.md"), "Notes/Café 概览"),
    ],
)
def test_resolves(target: str, expected: str) -> None:
    assert resolve_link("A/same", target, TARGETS) == Resolved(expected, "note")


@pytest.mark.parametrize(
    ("target", "reason", "candidates"),
    [
        ("same", "ambiguous", ("A/same", "B/same")),
        ("_MOC", "ambiguous", ("AI/LLM/RL/_MOC", "AI/LLM/_MOC")),
        ("CASE/UPPER", "ambiguous", ("Case/Upper", "case/upper")),  # only folded matches
        ("diagram.svg", "ambiguous", ("A/diagram.svg", "B/diagram.svg")),
        ("../same", "escapes", ()),
        ("A/../../etc/passwd", "escapes", ()),
        ("/etc/passwd", "escapes", ()),
        ("C:/Windows", "escapes", ()),
        ("no such note", "broken", ()),
        ("PPO原理", "broken", ()),
    ],
)
def test_does_not_resolve(target: str, reason: str, candidates: tuple[str, ...]) -> None:
    result = resolve_link("A/same", target, TARGETS)
    assert result == Unresolved(reason, candidates)  # type: ignore[arg-type]
    assert target.strip() in result.message(target.strip()) or reason == "escapes"


def test_attachment_by_name_and_path() -> None:
    assert resolve_link("A/same", "图 1.png", TARGETS) == Resolved("assets/图 1.png", "attachment")
    assert resolve_link("A/same", "A/diagram.svg", TARGETS) == Resolved(
        "A/diagram.svg", "attachment"
    )


def test_empty_target_is_the_source_note() -> None:
    assert resolve_link("B/same", "", TARGETS) == Resolved("B/same", "note")


def test_ambiguity_message_names_candidates() -> None:
    result = resolve_link("A/same", "same", TARGETS)
    assert isinstance(result, Unresolved)
    assert "A/same" in result.message("same") and "B/same" in result.message("same")


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("实现对照", "实现对照"),
        ("实现 对照", "实现-对照"),
        ("Q&A 面试", "qa-面试"),
        ("q&a 面试", "qa-面试"),  # Obsidian matches loosely; slugs agree
        ("重复", "重复"),
        ("不存在", None),
    ],
)
def test_find_heading(heading: str, anchor: str | None) -> None:
    pairs = [
        ("实现对照", "实现对照"),
        ("实现 对照", "实现-对照"),
        ("Q&A 面试", "qa-面试"),
        ("重复", "重复"),
        ("重复", "重复_1"),
    ]
    assert find_heading(heading, pairs) == anchor

"""The gap model: which character fills a gap, read from the tokens on both sides of it."""

from __future__ import annotations

import random

from rlref.vault.mojibake import Vocabulary, damage, recover_text
from rlref.vault.mojibake.gaps import UNKNOWN, GapModel, can_be_a_gap, features
from rlref.vault.mojibake.lattice import analyse
from rlref.vault.mojibake.model import Model
from rlref.vault.mojibake.search import _gap_costs, _likely, _shortlist
from rlref.vault.mojibake.vocabulary import context_tokens

# Clean lines written for this test: 与 between Latin names, 中 closing an "在 … 中" clause,
# 不 before a verb.
TRAINING = [
    "PPO 与 GRPO 的区别在于优势估计。",
    "DPO 与 KTO 都不需要奖励模型。",
    "在 $\\pi$ 中，动作的概率之和为一。",
    "在训练过程中，策略会逐渐收敛。",
    "这个估计不需要额外的网络。",
    "模型不会忘记之前学到的东西。",
] * 10


def _model() -> GapModel:
    model = GapModel()
    for line in TRAINING:
        model.count(context_tokens(line))
    return model


def test_only_characters_that_can_lose_a_byte_are_counted() -> None:
    assert can_be_a_gap("与") and can_be_a_gap("中") and can_be_a_gap("不")
    assert not can_be_a_gap("的")  # E7 9A 84: no byte the damage loses
    assert not can_be_a_gap("a") and not can_be_a_gap("，")
    model = _model()
    assert "的" not in model.chars and model.chars["与"] == 20


def test_features_abstract_latin_and_math_and_stop_at_another_gap() -> None:
    found = features(context_tokens("在 $\\pi$"), context_tokens("，动作"))
    assert "l$" in found and "r，" in found and "m$，" in found and "f在" in found
    assert "lA" in features(context_tokens("PPO"), context_tokens("GRPO"))
    blind = features(["在", UNKNOWN], ["，"])
    assert not any(f.startswith(("l", "L", "m")) for f in blind) and "r，" in blind


def test_the_clause_cue_looks_past_a_neighbour_that_is_a_gap() -> None:
    """A gap next to another gap (环 in 环境, its last byte lost too) still reads the clause
    it closes: the unknown neighbour is not a clause end."""
    left = [*context_tokens("在新"), UNKNOWN, "境"]
    found = features(left, [UNKNOWN, "练"])
    assert "c在" in found and "f在" in found and "c新" in found
    assert "c在" not in features([*context_tokens("在新"), "?", "境"], ["，"])  # a real "?"


def test_latin_words_are_read_by_their_kind() -> None:
    """A name in capitals, another word and a number are three tokens: "TRL 中是" (in TRL)
    and "reward 与" read differently."""
    assert context_tokens("TRL 中 reward 与 DeepSeek 的 3 个 Q") == [*"A中a与A的0个A"]


def test_the_neighbours_decide_among_the_same_candidates() -> None:
    model = _model()
    between_names = features(context_tokens("TRPO"), context_tokens("SAC"))
    closing = features(context_tokens("在推理过程"), context_tokens("，"))
    before_verb = features(context_tokens("模型"), context_tokens("需要"))

    def best(found: list[str]) -> str:
        return max("与中不", key=lambda c: model.score(found, c) or 0.0)

    assert best(between_names) == "与"
    assert best(closing) == "中"
    assert best(before_verb) == "不"


def test_a_rare_character_is_not_scored() -> None:
    model = _model()
    assert model.score(["lA"], "丝") is None


def test_the_search_gives_each_candidate_of_a_gap_its_cost() -> None:
    vocabulary = Vocabulary.build([], TRAINING)
    line = damage("TRPO 与 SAC", random.Random(0))
    slots = analyse(line).slots
    gap = next(i for i, slot in enumerate(slots) if len(slot) > 1)
    model = Model(vocabulary, line)
    slots[gap] = _shortlist(slots, gap, model)
    found = _gap_costs(slots, gap, vocabulary, _likely(slots, [gap], model))
    assert found is not None
    costs = {text.rstrip(" "): cost for text, cost in zip(slots[gap], found, strict=True)}
    assert costs["与"] < costs["中"] and costs["与"] < costs["不"]


def test_recovery_reads_the_clause() -> None:
    vocabulary = Vocabulary.build([], TRAINING)
    # the last: 中 between two gaps (环 and 训 lose a byte too), 环境 unknown to the vault
    for clean in ("TRPO 与 SAC 的区别", "在推理过程中，模型不需要奖励", "在新环境中训练策略"):
        assert recover_text(damage(clean, random.Random(1)), vocabulary)[0] == clean

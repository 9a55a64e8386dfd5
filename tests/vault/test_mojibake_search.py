"""The search reads each ambiguous slot by its weight summed over every path through it."""

from __future__ import annotations

import math
import random

import pytest

from rlref.vault.mojibake import damage, recover_text, search
from rlref.vault.mojibake.search import TEMPERATURE, _decode, _Edge, _logadd

State = tuple[str, str]


def test_logadd_is_the_cost_of_either_path() -> None:
    assert _logadd(1.0, 2.0) == pytest.approx(-math.log(math.exp(-1.0) + math.exp(-2.0)))
    assert _logadd(math.inf, 2.0) == 2.0 and _logadd(2.0, math.inf) == 2.0


def test_a_slot_is_read_by_the_paths_that_agree_not_by_the_best_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Slot 0 is A or B, slot 1 X or Y. The best path is A X (cost 1); A Y costs 50; B X and
    B Y cost 1 + TEMPERATURE / 2 each, and together they outweigh A X, so slot 0 is B (the
    best path alone would say A) and slot 1 is X."""
    extra = TEMPERATURE / 2
    pair = {("A", "X"): 1.0, ("A", "Y"): 50.0, ("B", "X"): 1.0 + extra, ("B", "Y"): 1.0 + extra}

    def edges(slots: list[list[str]], start: int, stop: int, model: object) -> list[_Edge]:
        return [_Edge(start + 1, (c,), 0.0, (slots[start][c],)) for c in (0, 1)]

    def walk(state: State, edge: _Edge, model: object) -> tuple[float, State]:
        token = edge.tokens[0]
        return pair.get((state[1], token), 0.0), (state[1], token)

    monkeypatch.setattr(search, "_edges", edges)
    monkeypatch.setattr(search, "_walk", walk)
    choices, marginals = _decode([["A", "B"], ["X", "Y"]], 0, 2, ("^", "^"), None)  # type: ignore[arg-type]
    assert choices == [1, 0], marginals
    a, b = marginals[0]
    assert b < a and marginals[1][0] < marginals[1][1]


def test_a_space_between_two_chinese_characters_was_a_no_break_space() -> None:
    """占 is E5 8D A0: 8D is lost and A0 read as a space; Chinese puts no space between two
    of its characters, so the space is A0 (占), not a real one after some other character."""
    clean = "例如好样本只占一成"
    damaged = damage(clean, random.Random(0), space_rate=1.0)
    assert " " in damaged
    assert recover_text(damaged)[0] == clean

"""The shipped kb read in Chromium at desktop and phone sizes: every diagram's node text is
legible (issue 15, item 2) and no identifier in a table is broken mid-word (item 7)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from .kb_survey import DESKTOP, PHONE, Survey

pytestmark = pytest.mark.browser
MIN_TEXT_PX = 11  # the floor; diagrams are drawn at 12 px or more (mermaid-config.js)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_kb_diagram_has_legible_node_text(
    kb_survey: Callable[[tuple[int, int]], Survey], viewport: tuple[int, int]
) -> None:
    survey = kb_survey(viewport)
    drawn = [(path, d) for path, seen in survey.pages.items() for d in seen["diagrams"]]
    assert len({path for path, _ in drawn}) >= 40
    assert len(drawn) >= 41 and all(d["texts"] > 0 for _, d in drawn)
    small = {path: round(d["smallest"], 1) for path, d in drawn if d["smallest"] < MIN_TEXT_PX}
    assert small == {}
    # a diagram wider than its column scrolls inside it and shows where more of it is
    wide = [(path, d) for path, d in drawn if d["wide"]]
    assert all(d["scrolls"] and d["cue"] for _, d in wide), wide
    assert all(d["fits"] for _, d in drawn)
    if viewport == PHONE:
        assert len(wide) > 0  # the phone case really exercises the scroll
    assert survey.external == [] and survey.errors == []


def test_identifiers_in_kb_tables_stay_whole_on_a_phone(
    kb_survey: Callable[[tuple[int, int]], Survey],
) -> None:
    survey = kb_survey(PHONE)
    found = [
        (path, text, boxes)
        for path, seen in survey.pages.items()
        for text, boxes in seen["identifiers"]
    ]
    # the check is not vacuous: many identifiers, long ones among them (the example)
    long_ones = sum(len(text) >= 20 for _, text, _ in found)
    assert len(found) > 200 and long_ones > 20, (len(found), long_ones)
    broken = sorted({(path, text) for path, text, boxes in found if boxes > 1})
    assert broken == []
    # tables wider than the phone's column scroll sideways instead
    assert sum(seen["wide_tables"] for seen in survey.pages.values()) > 0
    unscrollable = {
        p: s["unscrollable_tables"] for p, s in survey.pages.items() if s["unscrollable_tables"]
    }
    assert unscrollable == {}
    assert survey.external == [] and survey.errors == []

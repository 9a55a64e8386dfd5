"""Costs of single characters that are not words: punctuation, symbols, emoji.

A cost is in nats, like ``-log p`` of a word, so that it competes with jieba's words. A
character that cannot be in a note (unassigned, private use, surrogates, controls) has none
and is never a candidate.
"""

from __future__ import annotations

import re
import unicodedata

CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

UNKNOWN_CJK = 19.0  # cost of a CJK character jieba does not know
PUNCTUATION = {
    **dict.fromkeys("，。、：；（）“”", 5.0),
    **dict.fromkeys("！？《》「」—…·‘’", 7.0),
    **dict.fromkeys("【】『』〈〉～", 9.0),
}
# A closing mark is likelier when its opening one is on the line.
PAIRS = {"」": "「", "』": "『", "”": "“", "’": "‘", "》": "《", "）": "（", "】": "【"}


def prior(char: str) -> float | None:
    """Cost of a single non-word character; None when it cannot be in a note."""
    if char in PUNCTUATION:
        return PUNCTUATION[char]
    point = ord(char)
    category = unicodedata.category(char)
    if category in ("Cn", "Co", "Cs", "Cc") or (point & 0xFFFE) == 0xFFFE:
        return None
    if CJK.match(char):
        return UNKNOWN_CJK
    if 0x1F300 <= point <= 0x1FAFF or 0x2600 <= point <= 0x27BF:
        return 9.0  # emoji and pictographs
    if 0x3B1 <= point <= 0x3C9 or 0x2190 <= point <= 0x22FF or 0x2460 <= point <= 0x2473:
        return 8.0  # Greek lowercase, arrows, mathematical operators, circled numbers
    if category == "Cf":
        return 16.0 if point == 0x200D else 20.0
    if point >= 0x10000:
        return 18.0
    return 13.0 if category[0] in "PS" or point < 0x600 else 15.0

"""Which character fills a gap, read from its neighbours on both sides.

Some gaps are the same choice every time: ``与``, ``中`` and ``不`` (``E4 B8 8E/AD/8D``)
always lose their last byte, so each of them is a choice among the same candidates. Words
and a left-to-right context model see these choices poorly in technical notes (``PPO 与
GRPO``, ``在 $\\pi$ 中``, ``不需要``): what decides them is the token on each side, the pair
around the gap, and a cue earlier in the clause (``在 … 中``). ``GapModel`` is a naive Bayes
model of the characters a gap can hold, over such features of clean text, where an ASCII
word is its kind (``A`` a name in capitals, ``a`` another word, ``0`` a number), inline math
``$`` and inline code a backtick (as ``context_tokens`` reads text), and the dictionary
words on each side stand also as their part of speech (jieba's tags). It is counted from the
vault's text (``Vocabulary.build``); the search adds to each candidate of a gap minus how
much its neighbours lift it (``search._gap_costs``). Measured on kb's notes it moves little
(about 3 % fewer errors): the vault is small, and what it says about 与/中/不 mostly agrees
with the vault's trigrams, which the search already has.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rlref.vault.mojibake.priors import CJK
from rlref.vault.mojibake.roundtrip import LOST

GAP_BYTES = frozenset((*LOST, 0xA0))
CLAUSE_END = frozenset('，。；：！？、（）()[]“”"《》,.;:!?|')
START, END = "^", "\n"  # a line's ends
# A neighbour that is itself a gap: no context token (each is one character), so it is never
# read as a clause end such as "?" and the clause cue looks past it.
UNKNOWN = "<gap>"
CLAUSE_REACH = 8  # tokens before the gap that a clause cue is looked for
# Weight of each kind of feature (its lift in nats, summed): l/r the token before/after,
# L/R two of them, m/P/Q/M the tokens around the gap (1+1, 1+2, 2+1, 2+2; an exact phrase
# the vault uses says more), t/w the part of speech and the dictionary word on each side,
# c a character earlier in the clause and f the clause's first one (在 … 中) only tip a
# close choice.
WEIGHTS = {
    "l": 1.0,
    "r": 1.0,
    "L": 0.5,
    "R": 0.5,
    "m": 0.5,
    "c": 0.15,
    "f": 0.5,
    "t": 1.0,
    "w": 0.5,
    "P": 1.0,
    "Q": 1.0,
    "M": 3.0,
}
SMOOTHING = 2.0  # pseudo-counts pulling P(char | feature) towards P(char)
WORD_REACH = 4  # characters of the longest dictionary word read on each side
MIN_COUNT = 20  # a character counted fewer times is not scored (its lifts are noise)
CAP = 3.0  # no one feature lifts or sinks a character by more (nats)


@lru_cache(maxsize=1)
def word_tags() -> dict[str, str]:
    """jieba's dictionary: word → part of speech (empty without jieba)."""
    try:
        import jieba
    except ImportError:
        return {}
    found: dict[str, str] = {}
    with jieba.get_dict_file() as handle:
        for line in handle:
            parts = line.decode("utf-8").split()
            if len(parts) == 3:
                found[parts[0]] = parts[2]
    return found


@lru_cache(maxsize=8192)
def can_be_a_gap(char: str) -> bool:
    """A CJK character whose UTF-8 holds a byte the damage loses (or an ``A0``): it may be
    one of a gap's candidates, so the model counts its contexts."""
    return bool(CJK.match(char)) and bool(GAP_BYTES & set(char.encode("utf-8")))


def _word(tokens: Sequence[str], tags: dict[str, str], step: int) -> str | None:
    """The longest dictionary word next to a gap: ``step`` +1 reads ``tokens`` (right of
    it) from their start, -1 reads them (left of it) from their end."""
    best, word = None, ""
    for token in tokens[::step][:WORD_REACH]:
        if not CJK.match(token):
            break
        word = word + token if step > 0 else token + word
        if word in tags:
            best = word
    return best


def features(left: Sequence[str], right: Sequence[str]) -> list[str]:
    """The features of a position between ``left`` (nearest last) and ``right`` (nearest
    first) context tokens; no feature reads an ``UNKNOWN`` token (another gap)."""
    found = []
    l1 = left[-1] if left else START
    r1 = right[0] if right else END
    if l1 != UNKNOWN:
        found.append("l" + l1)
        if len(left) >= 2 and left[-2] != UNKNOWN:
            found.append("L" + left[-2] + l1)
        elif len(left) == 1:
            found.append("L" + START + l1)
    if r1 != UNKNOWN:
        found.append("r" + r1)
        if len(right) >= 2 and right[1] != UNKNOWN:
            found.append("R" + r1 + right[1])
        elif len(right) == 1:
            found.append("R" + r1 + END)
        if l1 != UNKNOWN:
            found.append("m" + l1 + r1)
            wide_l = len(left) >= 2 and left[-2] != UNKNOWN
            wide_r = len(right) >= 2 and right[1] != UNKNOWN
            if wide_r:
                found.append("P" + l1 + r1 + right[1])
            if wide_l:
                found.append("Q" + left[-2] + l1 + r1)
            if wide_l and wide_r:
                found.append("M" + left[-2] + l1 + r1 + right[1])
    tags = word_tags()
    if tags:  # the words on each side, and their parts of speech
        after, before = _word(right, tags, 1), _word(left, tags, -1)
        tag_r = tags[after] if after else r1
        tag_l = tags[before] if before else l1
        if r1 != UNKNOWN:
            found.append("tr" + tag_r)
            if after:
                found.append("wr" + after)
        if l1 != UNKNOWN:
            found.append("tl" + tag_l)
            if before:
                found.append("wl" + before)
        if r1 != UNKNOWN and l1 != UNKNOWN:
            found.append("tm" + tag_l + " " + tag_r)
    seen = set()
    opener = None  # the clause's first character (its start seen within reach)
    for token in reversed(left[-CLAUSE_REACH - 1 : -1]):
        if token in CLAUSE_END:
            break
        if CJK.match(token) and token not in seen:
            seen.add(token)
            found.append("c" + token)
        opener = token
    else:
        if len(left) > CLAUSE_REACH + 1:
            opener = None
    if opener is not None and CJK.match(opener):
        found.append("f" + opener)
    return found


@dataclass
class GapModel:
    """Counts of the contexts of every character that can be in a gap."""

    pairs: Counter[tuple[str, str]] = field(default_factory=Counter)  # (feature, char)
    chars: Counter[str] = field(default_factory=Counter)
    feats: Counter[str] = field(default_factory=Counter)  # over those characters' positions
    total: int = 0
    memo: dict[tuple[str, str], float] = field(default_factory=dict, repr=False)

    def count(self, tokens: Sequence[str]) -> None:
        """Count one line's context tokens."""
        for i, token in enumerate(tokens):
            if len(token) == 1 and can_be_a_gap(token):
                found = features(tokens[:i], tokens[i + 1 : i + 1 + WORD_REACH])
                self.chars[token] += 1
                self.total += 1
                self.feats.update(found)
                self.pairs.update((f, token) for f in found)

    def lift(self, feature: str, char: str) -> float:
        """``log P(char | feature) / P(char)`` (which is ``P(feature | char) / P(feature)``),
        with ``P(char | feature)`` smoothed towards ``P(char)`` by ``SMOOTHING`` pseudo-counts:
        a feature seen a few times says little, whichever character it was seen with."""
        key = (feature, char)
        found = self.memo.get(key)
        if found is None:
            prior = self.chars.get(char, 0) / max(self.total, 1)
            posterior = (self.pairs.get(key, 0) + SMOOTHING * prior) / (
                self.feats.get(feature, 0) + SMOOTHING
            )
            found = self.memo[key] = max(-CAP, min(CAP, math.log(posterior / prior)))
        return found

    def score(self, found: Iterable[str], char: str) -> float | None:
        """How much the features lift ``char`` (nats); None for a character counted too
        rarely to say."""
        if self.chars.get(char, 0) < MIN_COUNT:
            return None
        return sum(WEIGHTS[f[0]] * self.lift(f, char) for f in found)

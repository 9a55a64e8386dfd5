"""What the vault knows, for choosing among candidates: its words and its text's n-grams.

``Vocabulary.build`` takes the vault's note names, titles and aliases (each CJK run a word)
and its text: CJK n-grams it uses often become words, and the n-gram counts of its context
tokens (``context_tokens``) make a trigram model of how the vault writes.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise

from rlref.vault.mojibake.gaps import GapModel

ASCII_WORD = re.compile(r"[A-Za-z0-9_]+")
SPAN = re.compile(r"\$[^$\x80-\U0010ffff]+\$|`[^`\x80-\U0010ffff]+`")  # inline math, code
_CJK_RUN = re.compile("[\u3400-\u9fff]{2,}")

NAME_COST = 4.0  # cost of a word that is a vault note's name, title or alias
VAULT_WORD_COUNT = 3  # an n-gram the vault's text uses this often is a word
VAULT_WORD_COST = 9.0  # base cost of a word the vault's text uses often (3–4 characters)
# Most frequent pairs are two words side by side ("与训", "的策"), which the context model
# already counts: as words they cost more (dev: 474 → 459 wrong; 11–14 all within 7 of that).
VAULT_PAIR_COST = 12.0


def context_tokens(text: str) -> list[str]:
    """The tokens the context model sees: inline math is ``$``, inline code a backtick, an
    ASCII word its kind (``_latin_kind``); blanks are skipped."""
    text = ASCII_WORD.sub(_latin_kind, SPAN.sub(lambda m: m.group()[0], text))
    return [t for t in text if not t.isspace()]


def _latin_kind(match: re.Match[str]) -> str:
    """``0`` for a number, ``A`` for a name in capitals (PPO, TRL, DeepSeek, Q), ``a`` for
    any other word (reward, batch): "TRL 中" and "reward 与" are told apart (dev: 423 → 408
    wrong; numbers alone 417)."""
    word = match.group()
    if word.isdigit():
        return "0"
    return "A" if word.isupper() or sum(c.isupper() for c in word) >= 2 else "a"


@dataclass(eq=False)  # hashable by identity: recoveries are cached per vocabulary
class Vocabulary:
    """What the vault knows: words (its note names, titles and aliases, and the CJK n-grams
    its text uses often) and the context-token n-gram counts of its text."""

    words: dict[str, float] = field(default_factory=dict)  # CJK word → cost
    prefixes: set[str] = field(default_factory=set)
    counts: Counter[tuple[str, ...]] = field(default_factory=Counter)  # 1-, 2- and 3-grams
    total: int = 0
    cache: dict[tuple[str, str, str], float] = field(default_factory=dict, repr=False)
    known: dict[str, float | None] = field(default_factory=dict, repr=False)
    kinds: int = 1  # distinct tokens, plus one
    followers: Counter[tuple[str, ...]] = field(default_factory=Counter)
    gaps: GapModel = field(default_factory=GapModel)  # contexts of the gaps' characters

    @classmethod
    def build(cls, names: Iterable[str] = (), texts: Iterable[str] = ()) -> Vocabulary:
        vocabulary = cls()
        grams: Counter[str] = Counter()
        counts = vocabulary.counts
        for text in texts:
            for line in text.split("\n"):
                tokens = context_tokens(line)
                vocabulary.total += len(tokens)
                counts.update((t,) for t in tokens)
                counts.update(pairwise(tokens))
                counts.update(zip(tokens, tokens[1:], tokens[2:], strict=False))
                vocabulary.gaps.count(tokens)
            for run in _CJK_RUN.findall(text):
                for n in (2, 3, 4):
                    grams.update(run[i : i + n] for i in range(len(run) - n + 1))
        for word, count in grams.items():
            if count >= VAULT_WORD_COUNT:
                base = VAULT_PAIR_COST if len(word) == 2 else VAULT_WORD_COST
                vocabulary.add(word, base - math.log(count))
        for name in names:
            for run in _CJK_RUN.findall(name):
                vocabulary.add(run, NAME_COST)
        vocabulary.kinds = sum(1 for key in counts if len(key) == 1) + 1
        for key in counts:  # Witten-Bell: how many different tokens follow a history
            if len(key) > 1:
                vocabulary.followers[key[:-1]] += 1
        return vocabulary

    def add(self, word: str, cost: float) -> None:
        self.words[word] = min(cost, self.words.get(word, math.inf))
        self.prefixes.update(word[:i] for i in range(1, len(word) + 1))

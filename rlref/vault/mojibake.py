"""Recover UTF-8 text that was read as Windows-1252 and saved again, losing bytes.

The damage (``damage``): every byte of the UTF-8 text is decoded as cp1252; the bytes
``81 8D 8F 90 9D`` (undefined in cp1252) and ``8E 9E AD`` (Ž, ž, soft hyphen) are lost, and
``A0`` (no-break space) may become a plain space. ``学习`` (``E5 AD A6 E4 B9 A0``) reads
``å¦ä¹ ``.

The recovery, line by line: a line is mojibake when its cp1252/Latin-1 characters map back to
bytes that form UTF-8 sequences (complete, or with gaps the damage explains) and nothing
else (``detect``); legitimate Latin-1 such as ``café`` or ``½`` never does. Each sequence
with a gap gets its candidate characters (1–2 lost bytes inserted, or a following space read
as ``A0``) and a Viterbi search over the line chooses among them with a word model of
Chinese (jieba's dictionary), priors for punctuation, symbols and emoji, and the vault
(``Vocabulary``: its note names, titles and aliases and frequent n-grams as words, its
character frequencies, and a token trigram model of its text as context). Choices whose
runner-up comes close are returned as ``Uncertain``. Without jieba (``rlref[site]``) only
the vault and the priors decide.
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations, pairwise, product

LOST = (0x81, 0x8D, 0x8F, 0x90, 0x9D, 0x8E, 0x9E, 0xAD)
UNDEFINED = frozenset((0x81, 0x8D, 0x8F, 0x90, 0x9D))
_BYTE: dict[str, int] = {}
for _b in range(0x80, 0x100):
    _BYTE[chr(_b)] = _b  # Latin-1, which also covers cp1252's undefined positions
    if _b not in UNDEFINED:
        _BYTE[bytes([_b]).decode("cp1252")] = _b
_HIGH = re.compile("[" + "".join(sorted(re.escape(c) for c in _BYTE)) + "]")
_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_ASCII_WORD = re.compile(r"[A-Za-z0-9_]+")
_SPAN = re.compile(r"\$[^$\x80-\U0010ffff]+\$|`[^`\x80-\U0010ffff]+`")  # inline math, code

UNCERTAIN_MARGIN = 2.5  # nats: a choice whose runner-up is closer than this is reported
_UNKNOWN_CJK = 19.0  # cost of a CJK character jieba does not know
_CONTEXT_WEIGHT = 0.6  # weight of the vault's trigram context
_CONTEXT_K = 1.0  # smoothing of the context model (Witten-Bell, plus this)
_DOMAIN_WEIGHT = 0.4  # weight of the vault's character frequencies against jieba's
_SPACE_COST = 1.5  # a real space after a gap, against an A0 that became a space
_SHORTLIST = 8  # candidates per gap kept for the search
_BEAM = 4  # states kept per slot
_WINDOW = 3  # slots of context on each side of an ambiguous one
_NAME_COST = 4.0  # cost of a word that is a vault note's name, title or alias
_VAULT_WORD_COUNT = 3  # an n-gram the vault's text uses this often is a word
_VAULT_WORD_COST = 9.0  # base cost of a word the vault's text uses often
# Priors (cost in nats, like -log p of a word) for characters jieba's dictionary lacks.
_PUNCTUATION = {
    **dict.fromkeys("，。、：；（）“”", 5.0),
    **dict.fromkeys("！？《》「」—…·‘’", 7.0),
    **dict.fromkeys("【】『』〈〉～", 9.0),
}
_PAIRS = {"」": "「", "』": "『", "”": "“", "’": "‘", "》": "《", "）": "（", "】": "【"}


def damage(text: str, rng: random.Random, space_rate: float = 0.5) -> str:
    """``text`` saved as UTF-8, read as cp1252 and saved again: the damage, exactly."""
    out = []
    for byte in text.encode("utf-8"):
        if byte in LOST:
            continue
        if byte == 0xA0 and rng.random() < space_rate:
            out.append(" ")
        else:
            out.append(bytes([byte]).decode("latin-1" if byte in UNDEFINED else "cp1252"))
    return "".join(out)


@dataclass(frozen=True)
class Uncertain:
    """A character chosen among close candidates: ``alternatives`` are (char, probability),
    best first; ``line`` and ``column`` (1-based) place it in the repaired text."""

    line: int
    column: int
    chosen: str
    alternatives: tuple[tuple[str, float], ...]

    def to_json(self) -> dict[str, object]:
        return {"line": self.line, "column": self.column, "chosen": self.chosen,
                "alternatives": [{"char": c, "p": round(p, 4)} for c, p in self.alternatives]}


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
            for run in re.findall("[\u3400-\u9fff]{2,}", text):
                for n in (2, 3, 4):
                    grams.update(run[i : i + n] for i in range(len(run) - n + 1))
        for word, count in grams.items():
            if count >= _VAULT_WORD_COUNT:
                vocabulary._add(word, _VAULT_WORD_COST - math.log(count))
        for name in names:
            for run in re.findall("[\u3400-\u9fff]{2,}", name):
                vocabulary._add(run, _NAME_COST)
        vocabulary.kinds = sum(1 for key in counts if len(key) == 1) + 1
        for key in counts:  # Witten-Bell: how many different tokens follow a history
            if len(key) > 1:
                vocabulary.followers[key[:-1]] += 1
        return vocabulary

    def _add(self, word: str, cost: float) -> None:
        self.words[word] = min(cost, self.words.get(word, math.inf))
        self.prefixes.update(word[:i] for i in range(1, len(word) + 1))


def context_tokens(text: str) -> list[str]:
    """The tokens the context model sees: inline math is ``$``, inline code a backtick, an
    ASCII word ``A``; blanks are skipped."""
    text = _ASCII_WORD.sub("A", _SPAN.sub(lambda m: m.group()[0], text))
    return [t for t in text if not t.isspace()]


@lru_cache(maxsize=1)
def _jieba() -> tuple[dict[str, int], float]:
    """jieba's dictionary (word → frequency; prefixes at 0) and log of its total, loaded once."""
    try:
        import jieba
    except ImportError:  # without jieba (rlref[site]) only the vault and the priors decide
        return {}, 0.0
    with jieba.get_dict_file() as handle:
        frequencies, total = jieba.Tokenizer().gen_pfdict(handle)
    return frequencies, math.log(total)


# ---------------------------------------------------------------- detection and lattice


@dataclass
class _Line:
    slots: list[list[str]]  # alternatives per slot; one alternative: fixed
    good: int = 0  # complete multi-byte sequences
    gaps: int = 0  # sequences with lost bytes (at least one continuation byte seen)
    bare: int = 0  # a lead byte with nothing after it
    bad: int = 0  # bytes no UTF-8 explains (orphan continuation, invalid lead)


def _length(lead: int) -> int:
    return 2 if 0xC2 <= lead <= 0xDF else 3 if 0xE0 <= lead <= 0xEF else 4 if lead <= 0xF4 else 0


@lru_cache(maxsize=65536)
def _candidates(lead: int, seen: tuple[int, ...], length: int) -> tuple[str, ...]:
    """Characters whose UTF-8 is ``lead`` + ``seen`` with lost bytes inserted."""
    missing = length - 1 - len(seen)
    if missing < 0 or missing > 2:
        return ()
    found: list[str] = []
    for places in combinations(range(length - 1), missing):
        for fill in product(LOST, repeat=missing):
            tail, given, lost = [], iter(seen), iter(fill)
            for i in range(length - 1):
                tail.append(next(lost) if i in places else next(given))
            try:
                char = bytes([lead, *tail]).decode("utf-8")
            except UnicodeDecodeError:
                continue
            if char not in found and _prior(char) is not None:
                found.append(char)
    return tuple(found)


def _analyse(line: str) -> _Line:
    """The line as slots of alternatives, with the evidence that it is mojibake."""
    result = _Line([])
    slots = result.slots
    i, n = 0, len(line)
    while i < n:
        char = line[i]
        byte = _BYTE.get(char) if char >= "\x80" else ord(char)
        if byte is None or byte < 0x80:
            j = i + 1
            word = _ASCII_WORD.match(line, i) or _SPAN.match(line, i)
            if word is not None:
                j = word.end()
            slots.append([line[i:j]])
            i = j
            continue
        length = _length(byte)
        if length == 0 or not 0xC2 <= byte:
            result.bad += 1
            slots.append([char])
            i += 1
            continue
        seen: list[int] = []
        j, inside = i + 1, False
        while j < n and len(seen) < length - 1:
            nxt = _BYTE.get(line[j])
            if nxt is not None and 0x80 <= nxt <= 0xBF:
                seen.append(nxt)
                j += 1
            elif line[j] == " " and j + 1 < n and 0x80 <= _BYTE.get(line[j + 1], 0) <= 0xBF:
                seen.append(0xA0)  # a space inside a sequence was a no-break space
                j, inside = j + 1, True
            else:
                break
        alternatives = list(_candidates(byte, tuple(seen), length))
        if len(seen) == length - 1 and not inside:
            result.good += 1
        else:
            if len(seen) < length - 1 and j < n and line[j] == " ":  # that space may be A0
                absorbed = _candidates(byte, (*seen, 0xA0), length)
                alternatives = [c + " " for c in alternatives] + list(absorbed)
                j += 1
            result.gaps += 1 if seen and not inside else 0  # "é – " is no evidence
            result.bare += 0 if seen else 1
        if not alternatives:
            result.bad += 1
            slots.append([char])
            i += 1
            continue
        slots.append(alternatives)
        i = j
    return result


def _is_mojibake(analysed: _Line, line: str) -> bool:
    if analysed.bad or analysed.bare > analysed.good + analysed.gaps:
        return False
    if analysed.good or analysed.gaps >= 2:
        return True
    if analysed.gaps == 1:
        from ftfy.badness import is_bad

        return bool(is_bad(line))
    return False


def line_kind(line: str) -> str | None:
    """``"lossy"`` or ``"lossless"`` for a mojibake line, else None (cheap: no model)."""
    if not _HIGH.search(line):
        return None
    analysed = _analyse(line)
    if not _is_mojibake(analysed, line):
        return None
    return "lossy" if analysed.gaps or analysed.bare else "lossless"


def detect(text: str) -> list[tuple[int, str]]:
    """The mojibake lines of ``text``: (1-based line, ``"lossy"`` | ``"lossless"``)."""
    found = []
    for number, line in enumerate(text.split("\n"), start=1):
        kind = line_kind(line)
        if kind:
            found.append((number, kind))
    return found


# ---------------------------------------------------------------- the model


def _prior(char: str) -> float | None:
    """Cost of a single non-word character; None when it cannot be in a note."""
    if char in _PUNCTUATION:
        return _PUNCTUATION[char]
    point = ord(char)
    category = unicodedata.category(char)
    if category in ("Cn", "Co", "Cs", "Cc") or (point & 0xFFFE) == 0xFFFE:
        return None
    if _CJK.match(char):
        return _UNKNOWN_CJK
    if 0x1F300 <= point <= 0x1FAFF or 0x2600 <= point <= 0x27BF:
        return 9.0  # emoji and pictographs
    if 0x3B1 <= point <= 0x3C9 or 0x2190 <= point <= 0x22FF or 0x2460 <= point <= 0x2473:
        return 8.0  # Greek lowercase, arrows, mathematical operators, circled numbers
    if category == "Cf":
        return 16.0 if point == 0x200D else 20.0
    if point >= 0x10000:
        return 18.0
    return 13.0 if category[0] in "PS" or point < 0x600 else 15.0


class _Model:
    """Costs (nats) of words, single characters and context for one line."""

    def __init__(self, vocabulary: Vocabulary, line: str) -> None:
        self.words, self.log_total = _jieba()
        self.vocabulary = vocabulary
        self.line = line
        self.cache = vocabulary.cache
        self.known = vocabulary.known
        self.kinds = vocabulary.kinds

    def single(self, char: str) -> float:
        frequency = self.words.get(char, 0)
        if frequency:
            return self.log_total - math.log(frequency)
        cost = _prior(char)
        if cost is None:
            return 99.0
        opener = _PAIRS.get(char)
        if opener is not None:
            cost += -2.0 if opener in self.line else 3.0
        return cost

    def word(self, word: str) -> float | None:
        cached = self.known.get(word, 0.0)
        if cached != 0.0:
            return cached
        found = self._word(word)
        if len(word) > 1 or _CJK.match(word):  # punctuation costs depend on the line
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
            counts, followers = self.vocabulary.counts, self.vocabulary.followers
            unigram = (counts.get((t,), 0) + 0.5) / (self.vocabulary.total + 0.5 * self.kinds)
            k = followers.get((v,), 0) + _CONTEXT_K
            bigram = (counts.get((v, t), 0) + k * unigram) / (counts.get((v,), 0) + k)
            k = followers.get((u, v), 0) + _CONTEXT_K
            trigram = (counts.get(key, 0) + k * bigram) / (counts.get((u, v), 0) + k)
            cost = -_CONTEXT_WEIGHT * math.log(trigram / unigram)
            frequency = self.words.get(t, 0) if _CJK.match(t) else 0
            if frequency:  # the vault's own use of the character, against jieba's
                cost -= _DOMAIN_WEIGHT * (math.log(unigram / frequency) + self.log_total)
            self.cache[key] = cost
        return cost


@dataclass
class _Edge:
    end: int
    choices: tuple[int, ...]  # the alternative taken in each slot it covers
    cost: float
    tokens: tuple[str, ...]  # context tokens it emits


def _edges(slots: list[list[str]], start: int, stop: int, model: _Model) -> list[_Edge]:
    """Every word (or single character) that can start at slot ``start``."""
    edges: list[_Edge] = []
    fixed = len(slots[start]) == 1
    for index, text in enumerate(slots[start]):
        head = text[0]
        tokens = tuple(context_tokens(text))
        if not _CJK.match(head):
            cost = 0.0 if fixed else model.single(head) + _SPACE_COST * (len(text) > 1)
            edges.append(_Edge(start + 1, (index,), cost, tokens))
            continue
        space = _SPACE_COST if len(text) > 1 else 0.0  # a real space after a gap
        edges.append(_Edge(start + 1, (index,), (model.word(head) or 0.0) + space, tokens))
        stack = [] if len(text) > 1 else [(head, start + 1, (index,))]
        while stack:
            word, k, choices = stack.pop()
            if k >= stop:
                continue
            for index2, text2 in enumerate(slots[k]):
                longer = word + text2[0]
                if not _CJK.match(text2[0]) or not model.is_prefix(longer):
                    continue
                cost = model.word(longer)
                if cost is not None:
                    space = _SPACE_COST if len(text2) > 1 else 0.0
                    edges.append(_Edge(k + 1, (*choices, index2), cost + space, tuple(longer)))
                if len(text2) == 1:
                    stack.append((longer, k + 1, (*choices, index2)))
    return edges


State = tuple[str, str]


def _walk(state: State, edge: _Edge, model: _Model) -> tuple[float, State]:
    cost = edge.cost
    u, v = state
    cache = model.cache
    for token in edge.tokens:
        step = cache.get((u, v, token))
        cost += model.context(u, v, token) if step is None else step
        u, v = v, token
    return cost, (u, v)


def _decode(
    slots: list[list[str]], lo: int, hi: int, state: State, model: _Model
) -> tuple[list[int], dict[int, list[float]]]:
    """The best alternatives of slots ``lo:hi`` after context ``state``, and each ambiguous
    slot's alternatives' best path costs (max-marginals)."""
    edges = {i: _edges(slots, i, hi, model) for i in range(lo, hi)}
    forward: dict[int, dict[State, tuple[float, int, _Edge | None, State]]] = {
        i: {} for i in range(lo, hi + 1)
    }
    forward[lo][state] = (0.0, lo, None, state)
    walks: dict[tuple[State, int], list[tuple[_Edge, float, State]]] = {}
    for i in range(lo, hi):
        if len(forward[i]) > _BEAM:
            kept = sorted(forward[i].items(), key=lambda item: item[1][0])[:_BEAM]
            forward[i] = dict(kept)
        for before, (cost, _, _, _) in forward[i].items():
            walked = walks[before, i] = []
            for edge in edges[i]:
                step, after = _walk(before, edge, model)
                walked.append((edge, step, after))
                held = forward[edge.end].get(after)
                if held is None or cost + step < held[0]:
                    forward[edge.end][after] = (cost + step, i, edge, before)
    backward: dict[int, dict[State, float]] = {hi: dict.fromkeys(forward[hi], 0.0)}
    marginals = {i: [math.inf] * len(slots[i]) for i in range(lo, hi) if len(slots[i]) > 1}
    for i in range(hi - 1, lo - 1, -1):
        backward[i] = {}
        for before, (cost, _, _, _) in forward[i].items():
            best = math.inf
            for edge, step, after in walks[before, i]:
                total = step + backward[edge.end].get(after, math.inf)
                best = min(best, total)
                for offset, choice in enumerate(edge.choices):
                    scores = marginals.get(i + offset)
                    if scores is not None and cost + total < scores[choice]:
                        scores[choice] = cost + total
            backward[i][before] = best
    end = forward[hi]
    last = min(end, key=lambda key: end[key][0])
    choices = [0] * (hi - lo)
    node = hi
    while node > lo:
        _, start, edge, before = forward[node][last]
        assert edge is not None
        for offset, choice in enumerate(edge.choices):
            choices[start - lo + offset] = choice
        node, last = start, before
    return choices, marginals


def _shortlist(slots: list[list[str]], i: int, model: _Model) -> list[str]:
    """The candidates worth a search: the likeliest alone, and any that makes a word with a
    neighbour."""
    alternatives = slots[i]
    costs = {text: model.single(text[0]) for text in alternatives}
    ranked = sorted(alternatives, key=costs.__getitem__)
    best = costs[ranked[0]]
    words, vault = model.words, model.vocabulary.words
    left = [text[-1] for text in slots[i - 1] if _CJK.match(text[-1])] if i else []
    right = [t[0] for t in slots[i + 1] if _CJK.match(t[0])] if i + 1 < len(slots) else []
    kept = []
    for rank, text in enumerate(ranked):
        char = text[0]
        if rank < _SHORTLIST and costs[text] < best + 12.0:
            kept.append(text)
            continue
        pairs = [a + char for a in left] + ([char + b for b in right] if len(text) == 1 else [])
        if any(words.get(pair) or pair in vault for pair in pairs):
            kept.append(text)
    return kept


def _uncertain(
    number: int, column: int, slot: list[str], scores: list[float]
) -> Uncertain | None:
    best = min(scores)
    close = sorted((score - best, text.rstrip(" ") or " ") for text, score in zip(
        slot, scores, strict=True) if score - best < UNCERTAIN_MARGIN + 3.0)
    if len(close) < 2 or close[1][0] >= UNCERTAIN_MARGIN:
        return None
    weights = [math.exp(-gap) for gap, _ in close]
    alternatives = tuple((text, w / sum(weights)) for (_, text), w in zip(close, weights,
                                                                         strict=True))
    return Uncertain(number, column, close[0][1], alternatives)


def recover_line(
    line: str, vocabulary: Vocabulary, number: int = 1
) -> tuple[str, list[Uncertain]]:
    """The line repaired when it is mojibake (else as it is), and its uncertain choices."""
    if not _HIGH.search(line):
        return line, []
    analysed = _analyse(line)
    if not _is_mojibake(analysed, line):
        return line, []
    slots = analysed.slots
    ambiguous = [i for i, alternatives in enumerate(slots) if len(alternatives) > 1]
    choices = [0] * len(slots)
    marginals: dict[int, list[float]] = {}
    if ambiguous:
        model = _Model(vocabulary, line)
        for i in ambiguous:
            slots[i] = _shortlist(slots, i, model)
        windows: list[list[int]] = []
        for i in ambiguous:
            if windows and i - _WINDOW <= windows[-1][1]:
                windows[-1][1] = min(i + _WINDOW + 1, len(slots))
            else:
                windows.append([max(i - _WINDOW, 0), min(i + _WINDOW + 1, len(slots))])
        for lo, hi in windows:
            before = context_tokens("".join(slots[i][choices[i]] for i in range(lo)))
            state = (["^", "^", *before][-2], ["^", "^", *before][-1])
            chosen, found = _decode(slots, lo, hi, state, model)
            choices[lo:hi] = chosen
            marginals.update(found)
    parts = [slots[i][choice] for i, choice in enumerate(choices)]
    uncertain: list[Uncertain] = []
    column = 1
    for i, part in enumerate(parts):
        if i in marginals:
            found_one = _uncertain(number, column, slots[i], marginals[i])
            if found_one is not None:
                uncertain.append(found_one)
        column += len(part)
    return "".join(parts), uncertain


def recover_text(text: str, vocabulary: Vocabulary | None = None) -> tuple[str, list[Uncertain]]:
    """``text`` with every mojibake line recovered, and the characters chosen among close
    candidates (with their line and alternatives)."""
    vocabulary = vocabulary or Vocabulary()
    lines = text.split("\n")
    uncertain: list[Uncertain] = []
    for number, line in enumerate(lines, start=1):
        lines[number - 1], found = recover_line(line, vocabulary, number)
        uncertain.extend(found)
    return "\n".join(lines), uncertain


def recover_name(name: str, vocabulary: Vocabulary | None = None) -> tuple[str, list[Uncertain]]:
    """A file stem (or title) recovered; a recovered name never gains a path separator."""
    repaired, uncertain = recover_line(name, vocabulary or Vocabulary())
    if "/" in repaired or "\\" in repaired or any(c < " " for c in repaired):
        return name, []
    return repaired, uncertain

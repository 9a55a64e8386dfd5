"""The search: each mojibake line's best reading, and the choices that were close.

Around each slot with candidates, a window of slots is decoded over paths of words (jieba's
and the vault's) and single characters, scored by ``Model``; the state is the last two
context tokens, for the vault's trigrams; each candidate of a gap also carries what
``GapModel`` reads from the gap's neighbours on both sides. A neighbour that is itself a gap
is first unknown to it (unless one candidate is far likelier alone); a second pass reads it
as the first pass chose it, and decodes again where that can change a choice. Each slot
takes the candidate with the most weight summed over the paths through it (forward-backward,
beam-pruned), and a choice whose runner-up comes within ``UNCERTAIN_MARGIN`` is reported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rlref.vault.mojibake.gaps import (
    CLAUSE_REACH,
    END,
    MIN_COUNT,
    START,
    UNKNOWN,
    WORD_REACH,
    features,
)
from rlref.vault.mojibake.lattice import analyse, is_mojibake
from rlref.vault.mojibake.model import Model
from rlref.vault.mojibake.priors import CJK
from rlref.vault.mojibake.roundtrip import HIGH
from rlref.vault.mojibake.vocabulary import Vocabulary, context_tokens

UNCERTAIN_MARGIN = 2.5  # nats: a choice whose runner-up is closer than this is reported
# A real space after a gap, against an A0 that became a space: before a Latin word, the
# notes are about as likely to put one as not (dev, wrong characters: 0 → 383, 0.5 → 383,
# 1 → 386, 1.5 → 389, 2 → 395); before a CJK character, almost never (1.5 → 408, 3 → 404,
# 4.5 → 392, 6 → 390, 8 → 389, 12 → 389, with the other at 1.5).
SPACE_COST = 0.5
SPACE_BETWEEN_CJK = 8.0
SHORTLIST = 8  # candidates per gap kept for the search
BEAM = 4  # states kept per slot
WINDOW = 3  # slots of context on each side of an ambiguous one
GAP_WEIGHT = 0.2  # weight of the gap model's lift (nats) against the other costs
# Paths are weighed as exp(-cost / TEMPERATURE). Dev, wrong characters: 1 → 457, 2 → 450,
# 3 → 443, 4 → 447, 6 → 461 (the best path alone: 459).
TEMPERATURE = 3.0
LIKELY_MARGIN = 5.0  # nats: a gap this sure alone is read as its best candidate nearby


@dataclass(frozen=True)
class Uncertain:
    """A character chosen among close candidates: ``alternatives`` are (char, probability),
    best first; ``line`` and ``column`` (1-based) place it in the repaired text."""

    line: int
    column: int
    chosen: str
    alternatives: tuple[tuple[str, float], ...]

    def to_json(self) -> dict[str, object]:
        return {
            "line": self.line,
            "column": self.column,
            "chosen": self.chosen,
            "alternatives": [{"char": c, "p": round(p, 4)} for c, p in self.alternatives],
        }


@dataclass
class _Edge:
    end: int
    choices: tuple[int, ...]  # the alternative taken in each slot it covers
    cost: float
    tokens: tuple[str, ...]  # context tokens it emits


def _space_cost(slots: list[list[str]], i: int) -> float:
    """The cost of reading the space after gap ``i`` as a real one: Chinese puts no space
    between two of its characters, and often one before a Latin word."""
    after = slots[i + 1][0][0] if i + 1 < len(slots) else " "
    return SPACE_BETWEEN_CJK if CJK.match(after) else SPACE_COST


def _edges(slots: list[list[str]], start: int, stop: int, model: Model) -> list[_Edge]:
    """Every word (or single character) that can start at slot ``start``."""
    edges: list[_Edge] = []
    fixed = len(slots[start]) == 1
    gaps = model.gaps
    space_cost = _space_cost(slots, start)
    for index, text in enumerate(slots[start]):
        head = text[0]
        tokens = tuple(context_tokens(text))
        if not CJK.match(head):
            cost = 0.0 if fixed else model.single(head) + space_cost * (len(text) > 1)
            edges.append(_Edge(start + 1, (index,), cost, tokens))
            continue
        space = space_cost if len(text) > 1 else 0.0  # a real space after a gap
        gap = gaps[start][index] if start in gaps else 0.0
        edges.append(_Edge(start + 1, (index,), (model.word(head) or 0.0) + space + gap, tokens))
        stack = [] if len(text) > 1 else [(head, start + 1, (index,), gap)]
        while stack:
            word, k, choices, gap = stack.pop()
            if k >= stop:
                continue
            for index2, text2 in enumerate(slots[k]):
                longer = word + text2[0]
                if not CJK.match(text2[0]) or not model.is_prefix(longer):
                    continue
                cost = model.word(longer)
                gap2 = gap + (gaps[k][index2] if k in gaps else 0.0)
                if cost is not None:
                    space = _space_cost(slots, k) if len(text2) > 1 else 0.0
                    edges.append(
                        _Edge(k + 1, (*choices, index2), cost + space + gap2, tuple(longer))
                    )
                if len(text2) == 1:
                    stack.append((longer, k + 1, (*choices, index2), gap2))
    return edges


State = tuple[str, str]


def _walk(state: State, edge: _Edge, model: Model) -> tuple[float, State]:
    cost = edge.cost
    u, v = state
    cache = model.cache
    for token in edge.tokens:
        step = cache.get((u, v, token))
        cost += model.context(u, v, token) if step is None else step
        u, v = v, token
    return cost, (u, v)


def _logadd(a: float, b: float) -> float:
    """``-log(exp(-a) + exp(-b))``: two costs of disjoint paths as one."""
    if a > b:
        a, b = b, a
    if b == math.inf:
        return a
    return a - math.log1p(math.exp(a - b))


Steps = dict[tuple[State, int], list[tuple[_Edge, float, State]]]  # (state, slot) → steps


def _forward(
    slots: list[list[str]], lo: int, hi: int, state: State, model: Model
) -> tuple[dict[int, dict[State, float]], Steps]:
    """The cost of all paths from ``lo`` to each slot and state (the ``BEAM`` cheapest states
    kept per slot), and each step taken, for the backward pass."""
    edges = {i: _edges(slots, i, hi, model) for i in range(lo, hi)}
    fwd: dict[int, dict[State, float]] = {i: {} for i in range(lo, hi + 1)}
    fwd[lo][state] = 0.0
    walks: Steps = {}
    for i in range(lo, hi):
        if len(fwd[i]) > BEAM:
            fwd[i] = dict(sorted(fwd[i].items(), key=lambda item: item[1])[:BEAM])
        for before, cost in fwd[i].items():
            walked = walks[before, i] = []
            for edge in edges[i]:
                step, after = _walk(before, edge, model)
                step /= TEMPERATURE
                walked.append((edge, step, after))
                fwd[edge.end][after] = _logadd(fwd[edge.end].get(after, math.inf), cost + step)
    return fwd, walks


def _decode(
    slots: list[list[str]], lo: int, hi: int, state: State, model: Model
) -> tuple[list[int], dict[int, list[float]]]:
    """Each ambiguous slot of ``lo:hi`` (after context ``state``) read as its likeliest
    alternative summed over every path through it, not as the best path's: the measure is
    characters, and a character that many readings agree on beats one that one reading
    favours. Costs count the same evidence more than once (words, the vault's and general
    context, the gap model), so paths are weighed at ``TEMPERATURE``. Returns the choices and
    each ambiguous slot's alternatives' costs (``-TEMPERATURE * log`` of their share)."""
    fwd, walks = _forward(slots, lo, hi, state, model)
    bwd: dict[int, dict[State, float]] = {hi: dict.fromkeys(fwd[hi], 0.0)}
    marginals = {i: [math.inf] * len(slots[i]) for i in range(lo, hi) if len(slots[i]) > 1}
    for i in range(hi - 1, lo - 1, -1):
        bwd[i] = {}
        for before, cost in fwd[i].items():
            acc = math.inf
            for edge, step, after in walks[before, i]:
                total = step + bwd[edge.end].get(after, math.inf)
                acc = _logadd(acc, total)
                for offset, choice in enumerate(edge.choices):
                    scores = marginals.get(i + offset)
                    if scores is not None:
                        scores[choice] = _logadd(scores[choice], cost + total)
            bwd[i][before] = acc
    choices = [0] * (hi - lo)
    for j, scores in marginals.items():
        choices[j - lo] = min(range(len(scores)), key=scores.__getitem__)
        marginals[j] = [TEMPERATURE * x for x in scores]
    return choices, marginals


def _shortlist(slots: list[list[str]], i: int, model: Model) -> list[str]:
    """The candidates worth a search: the likeliest alone, and any that makes a word with a
    neighbour."""
    alternatives = slots[i]
    costs = {text: model.single(text[0]) for text in alternatives}
    ranked = sorted(alternatives, key=costs.__getitem__)
    best = costs[ranked[0]]
    words, vault = model.words, model.vocabulary.words
    left = [text[-1] for text in slots[i - 1] if CJK.match(text[-1])] if i else []
    right = [t[0] for t in slots[i + 1] if CJK.match(t[0])] if i + 1 < len(slots) else []
    kept = []
    for rank, text in enumerate(ranked):
        char = text[0]
        if rank < SHORTLIST and costs[text] < best + 12.0:
            kept.append(text)
            continue
        pairs = [a + char for a in left] + ([char + b for b in right] if len(text) == 1 else [])
        if any(words.get(pair) or pair in vault for pair in pairs):
            kept.append(text)
    return kept


def _neighbours(
    slots: list[list[str]], i: int, step: int, reach: int, likely: dict[int, str]
) -> list[str]:
    """Context tokens of the slots next to slot ``i`` (``step`` -1: to its left, nearest
    last; +1: to its right, nearest first): a gap's ``likely`` reading, or ``UNKNOWN``;
    ``START`` or ``END`` where the line ends."""
    found: list[str] = []
    j = i + step
    while 0 <= j < len(slots) and len(found) < reach:
        text = slots[j][0] if len(slots[j]) == 1 else likely.get(j)
        if text is None:
            found.append(UNKNOWN)
        else:
            found.extend(context_tokens(text)[::step])
        j += step
    if not 0 <= j < len(slots) and len(found) < reach:
        found.append(START if step < 0 else END)
    return found[::step]


def _likely(slots: list[list[str]], ambiguous: list[int], model: Model) -> dict[int, str]:
    """The gaps whose likeliest candidate alone beats the next by ``LIKELY_MARGIN`` (most
    gaps: 环 against 灯), read as that candidate when they are a neighbour's context."""
    found = {}
    for i in ambiguous:
        first, second = slots[i][0], slots[i][1] if len(slots[i]) > 1 else None
        if second is None or model.single(first[0]) + LIKELY_MARGIN < model.single(second[0]):
            found[i] = first
    return found


def _gap_costs(
    slots: list[list[str]], i: int, vocabulary: Vocabulary, likely: dict[int, str]
) -> list[float] | None:
    """Each candidate's cost from ``GapModel``: ``-GAP_WEIGHT`` times how much the gap's
    neighbours lift it; None when fewer than two candidates were counted often enough to
    compare (most gaps: the model has no say, and its features are not computed)."""
    gaps = vocabulary.gaps
    counted = gaps.chars
    if sum(1 for text in slots[i] if counted.get(text[0], 0) >= MIN_COUNT) < 2:
        return None
    left = _neighbours(slots, i, -1, CLAUSE_REACH + 1, likely)
    right = _neighbours(slots, i, 1, WORD_REACH, likely)
    if left and left[0] == START:
        left = left[1:]  # features() reads an empty left as the line's start
    if right and right[-1] == END:
        right = right[:-1]
    found = features(left, right)
    scores = [gaps.score(found, text[0]) for text in slots[i]]
    # a character too rare to count gains nothing over the counted ones
    floor = min(score for score in scores if score is not None)
    return [-GAP_WEIGHT * (floor if score is None else score) for score in scores]


def _uncertain(number: int, column: int, slot: list[str], scores: list[float]) -> Uncertain | None:
    best = min(scores)
    close = sorted(
        (score - best, text.rstrip(" ") or " ")
        for text, score in zip(slot, scores, strict=True)
        if score - best < UNCERTAIN_MARGIN + 3.0
    )
    if len(close) < 2 or close[1][0] >= UNCERTAIN_MARGIN:
        return None
    weights = [math.exp(-gap) for gap, _ in close]
    alternatives = tuple(
        (text, w / sum(weights)) for (_, text), w in zip(close, weights, strict=True)
    )
    return Uncertain(number, column, close[0][1], alternatives)


def _reads_a_gap(slots: list[list[str]], i: int, likely: dict[int, str]) -> bool:
    """Whether ``GapModel`` read one of the two tokens on either side of slot ``i`` as
    ``UNKNOWN`` (another gap); further off, only the clause cue looks, and it skips them."""
    return UNKNOWN in _neighbours(slots, i, -1, 2, likely) or (
        UNKNOWN in _neighbours(slots, i, 1, 2, likely)
    )


def _may_flip(before: list[float], after: list[float], scores: list[float] | None) -> bool:
    """Whether costs moving from ``before`` to ``after`` can change the choice whose path
    costs were ``scores``: their relative shift exceeds the runner-up's distance."""
    if scores is None:
        return True
    shifts = [b - a for a, b in zip(before, after, strict=True)]
    first, second = sorted(scores)[:2]
    return max(shifts) - min(shifts) > second - first


def _windows(ambiguous: list[int], size: int) -> list[list[int]]:
    """Slots decoded together: ``WINDOW`` slots each side of each ambiguous one, merged."""
    windows: list[list[int]] = []
    for i in ambiguous:
        if windows and i - WINDOW <= windows[-1][1]:
            windows[-1][1] = min(i + WINDOW + 1, size)
        else:
            windows.append([max(i - WINDOW, 0), min(i + WINDOW + 1, size)])
    return windows


def _decode_windows(
    slots: list[list[str]],
    windows: list[list[int]],
    choices: list[int],
    marginals: dict[int, list[float]],
    model: Model,
) -> None:
    """Decode each window after the choices before it; ``choices`` and ``marginals`` updated."""
    for lo, hi in windows:
        before = ["^", "^", *context_tokens("".join(slots[i][choices[i]] for i in range(lo)))]
        chosen, found = _decode(slots, lo, hi, (before[-2], before[-1]), model)
        choices[lo:hi] = chosen
        marginals.update(found)


def _reread(
    slots: list[list[str]],
    likely: dict[int, str],
    chosen: dict[int, str],
    marginals: dict[int, list[float]],
    model: Model,
) -> list[int]:
    """Gaps next to gaps: each gap that read a close neighbour as ``UNKNOWN`` reads it again
    as the first pass ``chosen`` it (a 中 between two gaps is then read between 环 and 训).
    Its costs are updated where that can change its choice; those gaps are returned."""
    moved = []
    for i, before in list(model.gaps.items()):
        if not _reads_a_gap(slots, i, likely):
            continue
        after = _gap_costs(slots, i, model.vocabulary, chosen)
        if after is not None and _may_flip(before, after, marginals.get(i)):
            model.gaps[i] = after
            moved.append(i)
    return moved


def _redecode(
    slots: list[list[str]],
    windows: list[list[int]],
    moved: list[int],
    choices: list[int],
    marginals: dict[int, list[float]],
    model: Model,
) -> None:
    """Decode again the windows of the gaps whose costs moved, with the same bounds; the
    slots within ``WINDOW`` of such a gap are free, the other gaps keep their choice (a
    whole line is often one window, and most of it need not be searched again)."""
    free = {j for i in moved for j in range(i - WINDOW, i + WINDOW + 1)}
    for lo, hi in windows:
        if not any(lo <= i < hi for i in moved):
            continue
        pinned = [slots[j] if j in free else [slots[j][choices[j]]] for j in range(hi)]
        before = ["^", "^", *context_tokens("".join(slots[j][choices[j]] for j in range(lo)))]
        chosen, found = _decode(pinned, lo, hi, (before[-2], before[-1]), model)
        for j in range(lo, hi):
            if len(pinned[j]) > 1:
                choices[j] = chosen[j - lo]
        marginals.update(found)


def recover_line(line: str, vocabulary: Vocabulary, number: int = 1) -> tuple[str, list[Uncertain]]:
    """The line repaired when it is mojibake (else as it is), and its uncertain choices."""
    if not HIGH.search(line):
        return line, []
    analysed = analyse(line)
    if not is_mojibake(analysed, line):
        return line, []
    slots = analysed.slots
    ambiguous = [i for i, alternatives in enumerate(slots) if len(alternatives) > 1]
    choices = [0] * len(slots)
    marginals: dict[int, list[float]] = {}
    if ambiguous:
        model = Model(vocabulary, line)
        for i in ambiguous:
            slots[i] = _shortlist(slots, i, model)
        likely = _likely(slots, ambiguous, model)
        for i in ambiguous:
            costs = _gap_costs(slots, i, vocabulary, likely)
            if costs is not None:
                model.gaps[i] = costs
        windows = _windows(ambiguous, len(slots))
        _decode_windows(slots, windows, choices, marginals, model)
        chosen = {i: slots[i][choices[i]] for i in ambiguous}
        moved = _reread(slots, likely, chosen, marginals, model)
        _redecode(slots, windows, moved, choices, marginals, model)
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

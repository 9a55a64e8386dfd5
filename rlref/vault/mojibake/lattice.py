"""Detection, and each line as slots of candidate characters.

A line is mojibake when its cp1252/Latin-1 characters map back to bytes that form UTF-8
sequences (complete, or with gaps the damage explains) and nothing else; legitimate Latin-1
such as ``café`` or ``½`` never does. Each sequence with a gap becomes a slot of candidates:
1–2 lost bytes inserted, or a following space read as the ``A0`` it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations, product

from rlref.vault.mojibake.priors import prior
from rlref.vault.mojibake.roundtrip import BYTE, HIGH, LOST
from rlref.vault.mojibake.vocabulary import ASCII_WORD, SPAN


@dataclass
class Line:
    slots: list[list[str]]  # alternatives per slot; one alternative: fixed
    good: int = 0  # complete multi-byte sequences
    gaps: int = 0  # sequences with lost bytes (at least one continuation byte seen)
    bare: int = 0  # a lead byte with nothing after it
    bad: int = 0  # bytes no UTF-8 explains (orphan continuation, invalid lead)


def _length(lead: int) -> int:
    return 2 if 0xC2 <= lead <= 0xDF else 3 if 0xE0 <= lead <= 0xEF else 4 if lead <= 0xF4 else 0


@lru_cache(maxsize=65536)
def candidates(lead: int, seen: tuple[int, ...], length: int) -> tuple[str, ...]:
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
            if char not in found and prior(char) is not None:
                found.append(char)
    return tuple(found)


def analyse(line: str) -> Line:
    """The line as slots of alternatives, with the evidence that it is mojibake."""
    result = Line([])
    slots = result.slots
    i, n = 0, len(line)
    while i < n:
        char = line[i]
        byte = BYTE.get(char) if char >= "\x80" else ord(char)
        if byte is None or byte < 0x80:
            j = i + 1
            word = ASCII_WORD.match(line, i) or SPAN.match(line, i)
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
            nxt = BYTE.get(line[j])
            if nxt is not None and 0x80 <= nxt <= 0xBF:
                seen.append(nxt)
                j += 1
            elif line[j] == " " and j + 1 < n and 0x80 <= BYTE.get(line[j + 1], 0) <= 0xBF:
                seen.append(0xA0)  # a space inside a sequence was a no-break space
                j, inside = j + 1, True
            else:
                break
        alternatives = list(candidates(byte, tuple(seen), length))
        if len(seen) == length - 1 and not inside:
            result.good += 1
        else:
            if len(seen) < length - 1 and j < n and line[j] == " ":  # that space may be A0
                absorbed = candidates(byte, (*seen, 0xA0), length)
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


def is_mojibake(analysed: Line, line: str) -> bool:
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
    if not HIGH.search(line):
        return None
    analysed = analyse(line)
    if not is_mojibake(analysed, line):
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

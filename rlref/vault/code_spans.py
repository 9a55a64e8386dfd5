"""Inline code spans found in linear time, and the regions a line's rewriters must pass over.

A code span opens with a run of n backticks and closes at the next run of exactly n
(CommonMark). The regex ``(`+).+?(?<!`)\\1(?!`)`` says the same but backtracks: a line of a
few thousand backticks took it minutes (cubic), which a note from someone else can hold. Here
each run of backticks finds its closer by a binary search among the runs of its length.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

_RUN = re.compile(r"`+")
# What else a line's rewriters pass over, as the site's Markdown reads a line: math
# (arithmatex: $$…$$, $…$) and a link's address (``](…)``). Patterns for ``protected_spans``.
LINE_MATH = r"\$\$.+?\$\$|\$[^$\n]+\$"
LINK_ADDRESS = r"\]\([^)\n]*\)"


def _closers(text: str, prefix_openers: bool) -> tuple[list[tuple[int, int]], list[int]]:
    """The runs of backticks of ``text`` and, for each, the index of the run that closes a
    span it opens (-1: none). Where a run closes does not depend on where a scan started."""
    runs = [match.span() for match in _RUN.finditer(text)]
    by_length: dict[int, list[int]] = {}  # run length → the indices of such runs, in order
    for index, (start, end) in enumerate(runs):
        by_length.setdefault(end - start, []).append(index)
    closers = []
    for index, (start, end) in enumerate(runs):
        closer = -1
        # Each length is tried once per run: the loop costs at most the run's own length.
        for length in range(end - start, 0, -1) if prefix_openers else (end - start,):
            same = by_length.get(length, ())
            after = bisect_right(same, index)
            if after < len(same):
                closer = same[after]
                break
        closers.append(closer)
    return runs, closers


def code_spans(text: str, prefix_openers: bool = False) -> list[tuple[int, int]]:
    """The (start, end) offsets of the code spans of ``text``, in order.

    CommonMark's rule by default: a run of n backticks closes at the next run of exactly n.
    With ``prefix_openers``, Python-Markdown's (which renders the site, and whose regex
    ``(`+)(.+?)(?<!`)\2(?!`)`` lets the opener be the first k backticks of a run): a run of n
    opens with the largest k <= n for which a later run of exactly k exists, and closes there.
    Pass one line at a time for Python-Markdown (its ``.`` stops at a line break).
    """
    if "`" not in text:
        return []
    runs, closers = _closers(text, prefix_openers)
    spans: list[tuple[int, int]] = []
    index = 0
    while index < len(runs):
        closer = closers[index]
        if closer < 0:  # the run is literal text
            index += 1
        else:
            spans.append((runs[index][0], runs[closer][1]))
            index = closer + 1
    return spans


def protected_spans(text: str, other: re.Pattern[str]) -> list[tuple[int, int]]:
    """Code spans (Python-Markdown's rule) and the matches of ``other`` (math, link targets,
    …), leftmost first and not overlapping, as the regex alternation
    ``(`+).+?(?<!`)\1(?!`)|other`` finds them in one line, in order."""
    runs, closers = _closers(text, prefix_openers=True) if "`" in text else ([], [])
    starts = [start for start, _ in runs]
    next_opener = [len(runs)] * (len(runs) + 1)  # the first run at or after i that opens
    for index in range(len(runs) - 1, -1, -1):
        next_opener[index] = index if closers[index] >= 0 else next_opener[index + 1]
    found: list[tuple[int, int]] = []
    position = 0
    # One search per match: a match is searched again only once ``position`` passes its start,
    # and no match after one position means none after a later one.
    match = other.search(text)
    while True:
        if match is not None and match.start() < position:
            match = other.search(text, position)
        opener = next_opener[bisect_left(starts, position)]
        code_at = (starts[opener], runs[closers[opener]][1]) if opener < len(runs) else None
        if match is not None and (code_at is None or match.start() < code_at[0]):
            found.append(match.span())
            position = max(match.end(), match.start() + 1)
        elif code_at is not None:
            found.append(code_at)
            position = code_at[1]
        else:
            return found


def inside(spans: list[tuple[int, int]], offset: int) -> bool:
    """Whether ``offset`` falls in one of the sorted, non-overlapping ``spans``."""
    at = bisect_right(spans, (offset, float("inf"))) - 1
    return at >= 0 and spans[at][0] <= offset < spans[at][1]

r"""LaTeX mutants of a formula, for the checker's self-test: each is the kind of drift a
note suffers (a typo, a swapped subscript) and each must make the check fail.

Operators: ``\min``↔``\max``; one binary ``+``/``-`` flipped; one comparison turned
round (``<``↔``>``, ``\le``↔``\ge``); one ``\frac`` inverted; ``w``↔``l`` subscripts
swapped; ``low``↔``high`` swapped; a leading (unary) minus dropped.

A left side that the check does not read is the formula's *name* (``\delta_t``,
``v_{t+1}(s_t)``): no check compares it, so a mutant confined to it is not a change of the
checked formula. :func:`checked_mutants` leaves those out for such bindings; a binding whose
relation reads ``lhs`` (every inequality does) keeps them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from rlref.formulas.api import Check
from rlref.formulas.latex import (
    GREEK,
    LAYOUT_ENVIRONMENTS,
    LatexError,
    split_relation,
    tokenize,
)

_TOKEN = re.compile(r"\\[a-zA-Z]+|\\.|\s+|.", re.S)
# a + or - after one of these ends an operand, so the sign is binary
_OPERAND_END = re.compile(r"[A-Za-z0-9}\])|']")
# a comparison turned round: the indicator of the other case, an inequality the wrong way
_TURNED = {"<": ">", ">": "<", r"\lt": r"\gt", r"\gt": r"\lt", r"\le": r"\ge",
           r"\ge": r"\le", r"\leq": r"\geq", r"\geq": r"\leq"}
_ENVIRONMENT = re.compile(r"\\(begin|end)\s*\{\s*([A-Za-z]+\*?)\s*\}")
# Inside \begin{aligned}, a sign after these continues the line before: ``a \\ &\quad + b``.
_LAYOUT = frozenset(["&", "\\\\", r"\quad", r"\qquad", r"\,", r"\;", r"\:", r"\!", "\\ "])


def _tokens(latex: str) -> list[tuple[int, str]]:
    return [(m.start(), m.group()) for m in _TOKEN.finditer(latex) if not m.group().isspace()]


def _group_end(latex: str, start: int) -> int:
    """Index after the ``{…}`` group that opens at ``start`` (or after one character)."""
    if latex[start] != "{":
        return start + 1
    depth = 0
    for k in range(start, len(latex)):
        depth += {"{": 1, "}": -1}.get(latex[k], 0)
        if depth == 0:
            return k + 1
    raise ValueError("unbalanced braces")


def _is_binary(previous: str | None) -> bool:
    if previous is None:
        return False
    if previous.startswith("\\"):
        return previous[1:] in GREEK or previous in (r"\infty", r"\}")
    return bool(_OPERAND_END.fullmatch(previous))


def latex_mutants(latex: str, *, lhs_is_label: bool = False) -> Iterator[tuple[str, str]]:
    """(description, mutated LaTeX) pairs, without duplicates or no-op mutants; with
    ``lhs_is_label``, without the mutants that change only the left side."""
    seen = {latex}
    original = _relation_and_right_side(latex) if lhs_is_label else None
    for name, mutant in _all_mutants(latex):
        if mutant in seen:
            continue
        seen.add(mutant)
        if original is not None and _relation_and_right_side(mutant) == original:
            continue
        yield name, mutant


def checked_mutants(latex: str, check: Check) -> Iterator[tuple[str, str]]:
    """The mutants of ``latex`` that change what ``check``'s numeric check reads."""
    return latex_mutants(latex, lhs_is_label=not check.reads_lhs)


def _relation_and_right_side(latex: str) -> tuple[str | None, tuple[str, ...]] | None:
    """What a label-only edit leaves alone; None when there is no left side to edit (or the
    text does not split, so that no mutant is mistaken for a label edit)."""
    try:
        lhs, rhs, relation = split_relation(tokenize(latex))
    except LatexError:
        return None
    return None if lhs is None else (relation, tuple(rhs))


def _all_mutants(latex: str) -> Iterator[tuple[str, str]]:
    tokens = _tokens(latex)
    previous: str | None = None
    environments: list[str] = []
    skip_to = 0
    for at, token in tokens:
        if at < skip_to:
            continue
        if token in (r"\begin", r"\end") and (found := _ENVIRONMENT.match(latex, at)):
            if found.group(1) == "begin":
                environments.append(found.group(2))
            elif environments:
                environments.pop()
            if found.group(2) in LAYOUT_ENVIRONMENTS:  # \begin{aligned}: layout, not a token
                skip_to = found.end()
                continue
        elif environments and environments[-1] in LAYOUT_ENVIRONMENTS and token in _LAYOUT:
            continue
        end = at + len(token)
        if token in (r"\min", r"\max"):
            other = r"\max" if token == r"\min" else r"\min"
            yield f"{token}→{other} at {at}", latex[:at] + other + latex[end:]
        elif token in _TURNED:
            other = _TURNED[token]
            yield f"'{token}'→'{other}' at {at}", latex[:at] + other + latex[end:]
        elif token in "+-" and _is_binary(previous):
            flipped = "-" if token == "+" else "+"
            yield f"'{token}'→'{flipped}' at {at}", latex[:at] + flipped + latex[end:]
        elif token == "-":  # a unary minus: at the start, after a relation or a bracket
            yield f"leading minus dropped at {at}", latex[:at] + latex[end:]
        elif token in (r"\frac", r"\dfrac", r"\tfrac"):
            yield from _inverted_fraction(latex, at, end)
        previous = token
    yield from _swapped(latex, r"(?<=[_^])(?:\{w\}|w)(?![A-Za-z])",
                        r"(?<=[_^])(?:\{l\}|l)(?![A-Za-z])", "{w}", "{l}", "w↔l swapped")
    yield from _swapped(latex, r"\{low\}", r"\{high\}", "{low}", "{high}", "low↔high swapped")


def _inverted_fraction(latex: str, at: int, end: int) -> Iterator[tuple[str, str]]:
    start = end
    while start < len(latex) and latex[start].isspace():
        start += 1
    if start >= len(latex) or latex[start] != "{":
        return
    numerator_end = _group_end(latex, start)
    denominator_start = numerator_end
    while denominator_start < len(latex) and latex[denominator_start].isspace():
        denominator_start += 1
    if denominator_start >= len(latex) or latex[denominator_start] != "{":
        return
    denominator_end = _group_end(latex, denominator_start)
    numerator = latex[start:numerator_end]
    denominator = latex[denominator_start:denominator_end]
    mutant = latex[:end] + denominator + numerator + latex[denominator_end:]
    yield f"fraction inverted at {at}", mutant


def _swapped(latex: str, first: str, second: str, first_text: str, second_text: str,
             name: str) -> Iterator[tuple[str, str]]:
    if not (re.search(first, latex) and re.search(second, latex)):
        return
    marker = "\x00"
    mutant = re.sub(first, marker, latex)
    mutant = re.sub(second, first_text, mutant)
    yield name, mutant.replace(marker, second_text)

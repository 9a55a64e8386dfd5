r"""Paper notation the normaliser reads into atoms (pure Python, like normalise.py).

- ``\begin{cases} a & \text{if } c \\ b & \text{otherwise} \end{cases}`` → a piecewise atom
  ``(a, c, b)``: value, condition, …, and the value of the ``\text{otherwise}`` row last.
- Conditions: comparisons ``< > \le \ge \leq \geq = \neq`` (chained: ``a < x \le b``), joined
  by ``\land``/``\wedge``/``\text{and}``/``,`` and ``\lor``/``\vee``/``\text{or}``, negated by
  ``\neg``; parentheses group them.
- Indicators ``\mathbb{1}[c]``, ``\mathbb{1}\{c\}``, ``\mathbb{I}(c)``, ``\mathbf{1}[c]``,
  ``\mathbb{1}_{c}``: 1 where ``c`` holds, else 0.
- A declared reduction applied to a set ``\{r_1, \dots, r_G\}`` (or a list
  ``(r_1, \dots, r_G)``): the reduction of ``r_j`` over its one axis ``j``. The first and last
  index become arguments too, so that the numeric check can insist the set has as many
  elements as the axis.

Every construct is read exactly; anything else is an error that names it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Protocol

from rlref.formulas.latex import (
    CASES_BEGIN,
    CASES_END,
    CLOSE,
    OPEN,
    SET_OPEN,
    WORD_FONTS,
    LatexError,
    canonical,
    closing,
    read_group,
    split_top_level,
    tokenize,
)
from rlref.formulas.vocabulary import COMPARISONS, Entry, comparison_entry

if TYPE_CHECKING:
    from rlref.formulas.normalise import Piece

IF_WORDS = frozenset(["if", "when", "for", "where", "若", "如果", "当"])
OTHERWISE_WORDS = frozenset(["otherwise", "else", "否则", "其他", "其它", "其余"])
AND_WORDS = frozenset(["and", "且", "并且"])
OR_WORDS = frozenset(["or", "或"])
AND, OR, NOT = r"\land", r"\lor", r"\neg"
_CONNECTIVES = {
    r"\land": AND,
    r"\wedge": AND,
    r"\lor": OR,
    r"\vee": OR,
    r"\neg": NOT,
    r"\lnot": NOT,
}
ELLIPSES = frozenset([r"\dots", r"\ldots", r"\cdots", r"\dotsc", r"\dotsb"])
_ROW_SPACING = re.compile(r"\[-?[\d.]+(pt|em|ex|mm|cm|mu|bp)\]")

# Multi-line environments and what to write instead (``aligned`` and ``split`` are read as
# one line by rlref.formulas.latex.tokenize; these never reach the normaliser).
_ALIGNED = frozenset(
    "align align* gather gather* gathered eqnarray eqnarray* "
    "multline multline* alignat alignat* alignedat flalign flalign*".split()
)


def _builtin(name: str, arity: int | None) -> Entry:
    """An entry the normaliser creates itself; its key cannot be a LaTeX spelling."""
    return Entry("@" + name, "builtin", name, arity, builtin=name, declared=False)


PIECEWISE = _builtin("piecewise", None)
INDICATOR_OF = _builtin("indicator_of", 1)  # 1 where a compound condition holds
CONDITION_OPERATORS = {
    AND: _builtin("cond_and", None),
    OR: _builtin("cond_or", None),
    NOT: _builtin("cond_not", 1),
}


def condition_entry(operator: str) -> Entry:
    """A comparison inside a condition: a relation, not a number."""
    return _builtin("cond_" + COMPARISONS[operator], 2)


class Rewriter(Protocol):
    vocabulary: dict[str, Entry]

    def mark(self, entry: Entry) -> None: ...

    def piece(self, tokens: list[str]) -> Piece: ...

    def atom(self, piece: Piece, entry: Entry | None, args: list[Piece]) -> None: ...

    def applied(self, entry: Entry, args: list[Piece]) -> Piece: ...


def check_environments(tokens: list[str]) -> None:
    r"""Only ``\begin{cases}`` is read here (``aligned`` is gone after ``tokenize``); any
    other environment is an error with the rewrite."""
    for token in tokens:
        if not token.startswith((r"\begin{", r"\end{")) or token in (CASES_BEGIN, CASES_END):
            continue
        name = token[token.index("{") + 1 : -1]
        if name in _ALIGNED:
            raise LatexError(
                rf"\begin{{{name}}} is not supported: break one formula over lines "
                r"with \begin{aligned} … \end{aligned}, or split it into one tagged "
                "formula per relation (a '<!-- formula: id -->' above each $$ block)"
            )
        if name == "array":
            raise LatexError(
                r"\begin{array} is not supported: write a piecewise definition as "
                r"\begin{cases} value & \text{if } condition \\ … \end{cases}"
            )
        if name.endswith("matrix"):
            raise LatexError(
                rf"\begin{{{name}}} (a matrix) is not supported: declare the matrix "
                "as one value in symbols"
            )
        raise LatexError(
            rf"\begin{{{name}}} is not supported (of the environments, only "
            r"\begin{cases} and \begin{aligned} are read)"
        )


def word_at(tokens: list[str], i: int) -> tuple[str, int] | None:
    r"""The text of ``\text{…}`` (or ``\mathrm{…}``, …) at ``i``, lower-cased, and the index
    after it; None when ``tokens[i]`` is not such a word."""
    token = tokens[i]
    if token[1:] in WORD_FONTS and token.startswith("\\") and i + 1 < len(tokens):
        inner, j = read_group(tokens, i + 1)
        return "".join(inner).strip(".,;:").lower(), j
    return None


# ---------------------------------------------------------------------------- conditions
def _markers(tokens: list[str], where: str) -> list[str]:
    r"""Connectives as one token each: ``\text{and}`` → ``\land``, ``\vee`` → ``\lor``."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        found = word_at(tokens, i)
        if found is not None and found[0] in AND_WORDS | OR_WORDS | IF_WORDS | OTHERWISE_WORDS:
            word, i = found
            if word in IF_WORDS | OTHERWISE_WORDS:
                raise LatexError(f"{where}: '{word}' in the middle of a condition")
            out.append(AND if word in AND_WORDS else OR)
            continue
        out.append(_CONNECTIVES.get(tokens[i], tokens[i]))
        i += 1
    return out


def _split_keeping(tokens: list[str], separators: set[str]) -> tuple[list[list[str]], list[str]]:
    """``split_top_level``, and the separators it split at."""
    parts = split_top_level(tokens, separators)
    found: list[str] = []
    depth = 0
    for token in tokens:
        if token in OPEN:
            depth += 1
        elif token in CLOSE:
            depth -= 1
        elif depth == 0 and token in separators:
            found.append(token)
    return parts, found


def condition(rewriter: Rewriter, tokens: list[str], where: str) -> Piece:
    """A condition as one atom: a relation, or a conjunction / disjunction / negation."""
    return _disjunction(rewriter, _markers(tokens, where), where)


def _joined(rewriter: Rewriter, operator: str, parts: list[Piece]) -> Piece:
    return parts[0] if len(parts) == 1 else rewriter.applied(CONDITION_OPERATORS[operator], parts)


def _disjunction(rewriter: Rewriter, tokens: list[str], where: str) -> Piece:
    parts = split_top_level(tokens, {OR})
    return _joined(rewriter, OR, [_conjunction(rewriter, p, where) for p in parts])


def _conjunction(rewriter: Rewriter, tokens: list[str], where: str) -> Piece:
    parts = split_top_level(tokens, {AND, ","})
    return _joined(rewriter, AND, [_negation(rewriter, p, where) for p in parts])


def _negation(rewriter: Rewriter, tokens: list[str], where: str) -> Piece:
    if tokens and tokens[0] == NOT:
        return rewriter.applied(CONDITION_OPERATORS[NOT], [_negation(rewriter, tokens[1:], where)])
    return _comparisons(rewriter, tokens, where)


def _comparisons(rewriter: Rewriter, tokens: list[str], where: str) -> Piece:
    if not tokens:
        raise LatexError(f"{where}: an empty condition")
    parts, operators = _split_keeping(tokens, set(COMPARISONS))
    if not operators:
        if tokens[0] == "(" and closing(tokens, 0) == len(tokens) - 1:
            return _disjunction(rewriter, tokens[1:-1], where)
        if {r"\in", r"\notin"} & set(tokens):
            raise LatexError(
                rf"{where}: set membership (\in) is not supported: write the bounds "
                r"as comparisons, a \le x \le b"
            )
        raise LatexError(
            f"{where}: {canonical(tokens)!r} is not a condition: a condition is "
            r"a comparison (< > \le \ge = \neq)"
        )
    if not all(parts):
        raise LatexError(f"{where}: a comparison with nothing on one side")
    relations = [
        rewriter.applied(
            condition_entry(operator), [rewriter.piece(parts[k]), rewriter.piece(parts[k + 1])]
        )
        for k, operator in enumerate(operators)
    ]  # a < x \le b: both comparisons hold
    return _joined(rewriter, AND, relations)


# ---------------------------------------------------------------------------- indicators
def indicator(rewriter: Rewriter, entry: Entry, inside: list[str], piece: Piece) -> None:
    r"""``\mathbb{1}[a < b]`` → ``indicator_lt(a, b)``; a compound condition → ``indicator_of``."""
    rewriter.mark(entry)
    where = f"the condition of {entry.key}"
    tokens = _markers(inside, where)
    parts, operators = _split_keeping(tokens, set(COMPARISONS))
    connectives = _split_keeping(tokens, {AND, OR, NOT, ","})[1]
    simple = len(operators) == 1 and all(parts) and not connectives
    if simple:
        rewriter.atom(
            piece,
            comparison_entry(operators[0]),
            [rewriter.piece(parts[0]), rewriter.piece(parts[1])],
        )
    else:
        rewriter.atom(piece, INDICATOR_OF, [condition(rewriter, inside, where)])


def indicator_brackets(tokens: list[str], entry: Entry, end: int) -> tuple[list[str], int]:
    """The condition in ``[…]``, ``(…)`` or ``\\{…\\}`` after an indicator → (inside, next)."""
    if end >= len(tokens) or tokens[end] not in ("(", "[", SET_OPEN):
        raise LatexError(f"the indicator {entry.key} needs a condition: {entry.key}[a < b]")
    stop = closing(tokens, end)
    return tokens[end + 1 : stop], stop + 1


def subscript_condition(sub: list[str]) -> list[str]:
    r"""``\mathbb{1}_{\{a > 0\}}`` and ``\mathbb{1}_{a > 0}``: the condition."""
    if sub and sub[0] == SET_OPEN and closing(sub, 0) == len(sub) - 1:
        return sub[1:-1]
    return sub


# ---------------------------------------------------------------------------- cases
def cases(rewriter: Rewriter, tokens: list[str], start: int, piece: Piece) -> int:
    r"""``\begin{cases}…\end{cases}`` at ``start`` → a piecewise atom; the index after it."""
    stop = closing(tokens, start)
    rows = split_top_level(tokens[start + 1 : stop], {"\\\\"})
    rows = [_without_spacing(row) if k else row for k, row in enumerate(rows)]
    if rows and not rows[-1]:
        rows.pop()  # a \\ after the last row
    if len(rows) < 2:
        raise LatexError(r"\begin{cases} needs two or more rows separated by \\")
    args: list[Piece] = []
    for k, row in enumerate(rows, 1):
        where = rf"row {k} of \begin{{cases}}"
        value, test = _row(row, where)
        if not value:
            raise LatexError(f"{where} has no value")
        if test is None:
            if k != len(rows):
                raise LatexError(rf"{where}: \text{{otherwise}} must be the last row")
            args.append(rewriter.piece(value))
        else:
            args += [rewriter.piece(value), condition(rewriter, test, where)]
    rewriter.atom(piece, PIECEWISE, args)
    return stop + 1


def _without_spacing(row: list[str]) -> list[str]:
    r"""A row after ``\\[4pt]``: the spacing is not part of it."""
    if row and row[0] == "[":
        stop = closing(row, 0)
        if _ROW_SPACING.fullmatch("".join(row[: stop + 1])):
            return row[stop + 1 :]
    return row


def _row(row: list[str], where: str) -> tuple[list[str], list[str] | None]:
    """A row → (value, condition); the condition is None for ``\\text{otherwise}``."""
    parts = split_top_level(row, {"&"})
    if len(parts) > 2:
        raise LatexError(f"{where} has more than one &")
    if len(parts) == 2:
        value, test = parts
    else:
        at = _condition_start(row)
        if at is None:
            raise LatexError(
                rf"{where} has no condition: write 'value & \text{{if }} condition' "
                rf"(or 'value & \text{{otherwise}}')"
            )
        value, test = row[:at], row[at:]
    while value and value[-1] in (",", ";"):
        value = value[:-1]
    while test and test[0] == ",":
        test = test[1:]
    if test and (found := word_at(test, 0)) is not None and found[0] in IF_WORDS:
        test = test[found[1] :]
    while test and test[-1] in (".", ",", ";"):
        test = test[:-1]
    if test and (found := word_at(test, 0)) is not None and found[0] in OTHERWISE_WORDS:
        if found[1] != len(test):
            raise LatexError(rf"{where}: nothing may follow \text{{{found[0]}}}")
        return value, None
    if not test:
        raise LatexError(f"{where}: the condition is empty")
    return value, test


def _condition_start(row: list[str]) -> int | None:
    r"""Without ``&``: the condition starts at ``\text{if}``/``\text{otherwise}``, else after
    the last top-level comma (``a, \quad x > 0``)."""
    depth, comma = 0, None
    for i, token in enumerate(row):
        if token in OPEN:
            depth += 1
        elif token in CLOSE:
            depth -= 1
        elif depth == 0:
            found = word_at(row, i)
            if found is not None and found[0] in IF_WORDS | OTHERWISE_WORDS:
                return i
            if token == ",":
                comma = i
    return comma


# ---------------------------------------------------------------------------- sets
def set_elements(tokens: list[str], end: int) -> tuple[list[str], int] | None:
    r"""The elements of ``\{…\}``, ``(\{…\})`` or ``(a, \dots, b)`` right after a reduction →
    (elements, index after); None when no set follows."""
    if end >= len(tokens):
        return None
    if tokens[end] == SET_OPEN:
        stop = closing(tokens, end)
        return tokens[end + 1 : stop], stop + 1
    if tokens[end] != "(":
        return None
    stop = closing(tokens, end)
    inside = tokens[end + 1 : stop]
    if inside and inside[0] == SET_OPEN and closing(inside, 0) == len(inside) - 1:
        return inside[1:-1], stop + 1
    if any(len(part) == 1 and part[0] in ELLIPSES for part in split_top_level(inside, {","})):
        return inside, stop + 1
    return None


def set_reduction(rewriter: Rewriter, entry: Entry, elements: list[str], piece: Piece) -> None:
    r"""``\mathrm{mean}(\{r_1, \dots, r_G\})`` with ``mean`` declared over the axis ``j`` →
    ``mean_j(r_j, 1, G)``."""
    parts = split_top_level(elements, {","})
    dots = [k for k, part in enumerate(parts) if len(part) == 1 and part[0] in ELLIPSES]
    if len(dots) != 1 or dots[0] != len(parts) - 2 or dots[0] == 0 or not all(parts):
        raise LatexError(
            rf"{entry.key}: write the set as \{{x_1, \dots, x_N\}}: the first "
            r"element, \dots, the last"
        )
    axes = entry.source.axes
    if len(axes) != 1:
        raise LatexError(
            f"{entry.key}: a reduction over a set runs over one axis, not {', '.join(axes)}"
        )
    first, last = parts[0], parts[-1]
    prefix, low, high, suffix = _difference(first, last, entry.key)
    for k, element in enumerate(parts[1 : dots[0]], 1):  # r_1, r_2, \dots, r_G
        if not (len(low) == 1 and low[0].isdigit()):
            raise LatexError(
                f"{entry.key}: elements before the ellipsis need a numeric first index"
            )
        expected = _substituted(prefix, list(str(int(low[0]) + k)), suffix)
        if canonical(expected) != canonical(element):
            raise LatexError(
                f"{entry.key}: element {k + 1} of the set should be "
                f"{canonical(expected)}, not {canonical(element)}"
            )
    operand = _substituted(prefix, _index_tokens(rewriter.vocabulary, axes[0], entry), suffix)
    try:
        args = [
            rewriter.piece(operand),
            rewriter.piece(_unbraced(low)),
            rewriter.piece(_unbraced(high)),
        ]
    except LatexError as error:
        raise LatexError(f"in the set of {entry.key}: {error}") from None
    rewriter.atom(piece, entry, args)


def _difference(
    first: list[str], last: list[str], key: str
) -> tuple[list[str], list[str], list[str], list[str]]:
    """The first and last elements as (common prefix, first index, last index, suffix)."""
    n = min(len(first), len(last))
    p = 0
    while p < n and first[p] == last[p]:
        p += 1
    while p and first[p - 1].isdigit():  # r_{1} and r_{10}: the index is the whole number
        p -= 1
    s = 0
    while s < n - p and first[-1 - s] == last[-1 - s]:
        s += 1
    while s and first[len(first) - s].isdigit():
        s -= 1
    low, high = first[p : len(first) - s], last[p : len(last) - s]
    if not low or not high or low == high:
        raise LatexError(
            f"{key}: the first and last elements of the set must differ in their index"
        )
    for index in (low, high):
        if not _balanced(index) or len(split_top_level(index, {","})) != 1:
            raise LatexError(
                f"{key}: the first and last elements of the set differ in more "
                f"than one index ({canonical(low)} and {canonical(high)})"
            )
    return first[:p], low, high, first[len(first) - s :]


def _balanced(tokens: list[str]) -> bool:
    depth = 0
    for token in tokens:
        if token in OPEN:
            depth += 1
        elif token in CLOSE:
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _substituted(prefix: list[str], index: list[str], suffix: list[str]) -> list[str]:
    if prefix and prefix[-1] in ("_", "^") and len(index) > 1:
        index = ["{", *index, "}"]
    return [*prefix, *index, *suffix]


def _unbraced(tokens: list[str]) -> list[str]:
    if tokens[0] == "{" and closing(tokens, 0) == len(tokens) - 1:
        return tokens[1:-1]
    return tokens


def _index_tokens(vocabulary: dict[str, Entry], axis: str, entry: Entry) -> list[str]:
    """The index letter of an axis: the axis name itself, or a spelling declared as it."""
    found = vocabulary.get(axis)
    if found is not None and found.kind == "index":
        return [axis]
    for key, candidate in vocabulary.items():
        if candidate.kind == "index" and candidate.source == axis:
            return tokenize(key)
    raise LatexError(
        f"{entry.key}: the axis {axis} has no index letter to put in the set's elements"
    )

r"""Tokens and identifiers of a LaTeX formula (pure Python: no sympy here).

sympy's LaTeX parser is good at structure (``+ - \frac``, powers, implicit products,
``\log``/``\exp``/``\sqrt``, ``f(x, y)``, ``|x|``) and bad at identifiers: ``\pi_{ref}``
becomes ``pi_{r*e*f}``, ``\mathbb{E}`` becomes ``E*mathbb``. So identifiers are read here:
base (letter, Greek, accent, font, word in ``\text{}``), primes, subscript and superscript,
and written in one *canonical spelling*, the key under which a binding declares them.
``\pi_\theta``, ``\pi_{\theta}`` and ``\pi_{ \theta }`` share one key, and so do
``\text{old}``, ``\mathrm{old}`` and ``old``.

A formula broken over lines in ``\begin{aligned}`` (or ``split``) is the formula on one
line: its line breaks ``\\`` and alignment points ``&`` are layout, dropped here like
spacing, so that every reader of the tokens (the normaliser, the canonical form of a
docstring formula) sees the one-line form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


class LatexError(ValueError):
    """A formula the checker cannot read; the message names the offending piece."""


GREEK = frozenset(
    """alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu
    nu xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta
    Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega ell nabla partial""".split()
)
ACCENTS = {
    "hat": "hat",
    "widehat": "hat",
    "tilde": "tilde",
    "widetilde": "tilde",
    "bar": "bar",
    "overline": "bar",
    "vec": "vec",
    "dot": "dot",
    "ddot": "ddot",
    "check": "check",
}
WORD_FONTS = frozenset(
    "text textrm textit textsf texttt mathrm mathit mathsf mathtt operatorname".split()
)
LETTER_FONTS = {
    "mathbb": "mathbb",
    "mathcal": "mathcal",
    "mathbf": "mathbf",
    "boldsymbol": "mathbf",
    "bm": "mathbf",
    "mathscr": "mathscr",
    "mathfrak": "mathfrak",
}
OPERATOR_WORDS = frozenset("min max arg argmax argmin sum prod sup inf Pr".split())
# Sizing and spacing never carry meaning.
DROPPED = frozenset(
    r"""\left \right \big \Big \bigg \Bigg \bigl \bigr \Bigl \Bigr \biggl \biggr \Biggl \Biggr
    \bigm \Bigm \, \; \: \! \quad \qquad \displaystyle \textstyle \scriptstyle \limits
    \nolimits \nonumber \notag \mathstrut ~""".split()
) | {"\\ "}
# ``\begin{cases}…\end{cases}`` and a set ``\{…\}`` nest like brackets: a relation or comma
# inside them is not at the top level. Other environments are refused by the normaliser.
CASES_BEGIN, CASES_END = r"\begin{cases}", r"\end{cases}"
SET_OPEN, SET_CLOSE = r"\{", r"\}"
OPEN = {"(": ")", "[": "]", "{": "}", SET_OPEN: SET_CLOSE, CASES_BEGIN: CASES_END}
CLOSE = frozenset(OPEN.values())
EQUALITIES = frozenset(
    r"= \leftarrow \gets \coloneqq \triangleq \equiv \doteq \approx \eqqcolon".split()
)
INEQUALITIES = frozenset(r"< > \lt \gt \le \leq \ge \geq \neq \ne".split())
RELATIONS = EQUALITIES | INEQUALITIES
ARGUMENT_BARS = frozenset(["|", r"\mid", r"\|", r"\parallel", r"\Vert"])

# an environment (\begin{cases}, \end{aligned}) is one token
_TOKEN = re.compile(r"\\(?:begin|end)\s*\{\s*[A-Za-z]+\*?\s*\}|\\[a-zA-Z]+|\\.|\s+|.", re.S)
_LABEL = re.compile(r"\\(?:tag|label)\*?\{[^{}]*\}")
# spellings of the same token
_ALIASES = {
    r"\lbrace": SET_OPEN,
    r"\rbrace": SET_CLOSE,
    r"\begin{dcases}": CASES_BEGIN,
    r"\end{dcases}": CASES_END,
}
# a word in ``\text{…}``: letters, digits, ``\_``, and ``.``/``-`` inside a name (Dr.GRPO)
_WORD = re.compile(r"\w+(?:[.\-]\w+)*")


# Environments that only lay one formula out over lines (see the module's docstring).
LAYOUT_ENVIRONMENTS = frozenset(["aligned", "split"])
LINE_BREAK, ALIGNMENT = "\\\\", "&"
ROW_SPACING = re.compile(r"-?[\d.]+(?:pt|em|ex|mm|cm|mu|bp)")  # the 4pt of \\[4pt]
_POSITION = frozenset(["t", "b", "c"])  # \begin{aligned}[t]


def _normal_token(token: str) -> str:
    if "{" in token:  # an environment: \begin {cases} → \begin{cases}
        token = re.sub(r"\s+", "", token)
    return _ALIASES.get(token, token)


def tokenize(latex: str) -> list[str]:
    r"""Split into tokens: ``\name``, ``\x``, or one character; drop spacing and sizing."""
    text = _LABEL.sub(" ", latex).strip()
    raw = [_normal_token(t) for t in _TOKEN.findall(text) if not t.isspace()]
    if any(name in text for name in LAYOUT_ENVIRONMENTS):  # the pass returns the rest as is
        raw = one_line(raw)
    tokens: list[str] = []
    i = 0
    while i < len(raw):
        token = raw[i]
        if token in (r"\left", r"\right") and i + 1 < len(raw) and raw[i + 1] == ".":
            i += 2  # an invisible delimiter
            continue
        if token not in DROPPED:
            tokens.append(token)
        i += 1
    while tokens and tokens[-1] in (".", ",", ";"):  # sentence punctuation after a formula
        tokens.pop()
    return tokens


@dataclass
class _Environment:
    """An environment being read: the ``{…}`` groups and ``\\left…\\right`` pairs open in it."""

    name: str  # "" for the formula around every environment
    braces: int = 0
    delimiters: int = 0


def one_line(raw: list[str]) -> list[str]:
    r"""Raw tokens with each ``\begin{aligned}…\end{aligned}`` (or ``split``) read as one
    line: the environment, its ``\\`` (with a ``[4pt]`` after it) and its ``&`` go. A break
    or ``&`` inside a ``{…}`` group or a ``\left…\right`` pair of the environment is an error,
    as in TeX; those of ``\begin{cases}`` and outside any environment are kept, for the
    normaliser to read or refuse."""
    out: list[str] = []
    open_ = [_Environment("")]
    i = 0
    while i < len(raw):
        token, here = raw[i], open_[-1]
        i += 1
        if token.startswith("\\begin{"):
            name = token[len("\\begin{") : -1]
            open_.append(_Environment(name))
            if name in LAYOUT_ENVIRONMENTS:
                if (
                    raw[i : i + 1] == ["["]
                    and raw[i + 2 : i + 3] == ["]"]
                    and (raw[i + 1] in _POSITION)
                ):
                    i += 3  # the vertical position of the block: layout too
                continue
        elif token.startswith("\\end{"):
            name = token[len("\\end{") : -1]
            if name in LAYOUT_ENVIRONMENTS or here.name in LAYOUT_ENVIRONMENTS:
                if here.name != name:
                    opened = rf"\begin{{{here.name}}}" if here.name else "nothing"
                    raise LatexError(rf"\end{{{name}}} closes {opened}")
                if here.braces or here.delimiters:
                    raise LatexError(
                        rf"a group or \left…\right pair opened in \begin{{{name}}} "
                        "is not closed before its end"
                    )
            if len(open_) > 1:
                open_.pop()
            if name in LAYOUT_ENVIRONMENTS:
                continue
        elif token in ("{", "}", r"\left", r"\right"):
            step = 1 if token in ("{", r"\left") else -1
            if token in ("{", "}"):
                here.braces += step
            else:
                here.delimiters += step
            if min(here.braces, here.delimiters) < 0 and here.name in LAYOUT_ENVIRONMENTS:
                raise LatexError(
                    rf"'{token}' in \begin{{{here.name}}} closes a group or "
                    r"\left…\right pair opened before the environment"
                )
        elif token in (LINE_BREAK, ALIGNMENT) and here.name in LAYOUT_ENVIRONMENTS:
            if here.braces or here.delimiters:
                raise LatexError(
                    rf"'{token}' inside a group {{…}} or a \left…\right pair of "
                    rf"\begin{{{here.name}}}: break the line outside it (brackets that span "
                    r"lines are written \bigl( … \bigr), not \left( … \right))"
                )
            if token == LINE_BREAK and raw[i : i + 1] == ["["]:
                i = _row_spacing_end(raw, i, here.name)
            elif token == ALIGNMENT:  # ``={} &``: the empty group only keeps the = spaced
                if out[-2:] == ["{", "}"]:
                    del out[-2:]
                if raw[i : i + 2] == ["{", "}"]:
                    i += 2
            continue
        out.append(token)
    unclosed = [e.name for e in open_ if e.name in LAYOUT_ENVIRONMENTS]
    if unclosed:
        raise LatexError(rf"\begin{{{unclosed[-1]}}} is never closed")
    return out


def _row_spacing_end(raw: list[str], i: int, name: str) -> int:
    r"""Index after the ``[4pt]`` at ``i`` (after a ``\\``). TeX reads any ``[`` there as the
    line's spacing, so one that is not a length is an error, not the next line's bracket."""
    try:
        stop = raw.index("]", i, i + 12)  # a length is a few characters
    except ValueError:
        stop = -1
    if stop < 0 or not ROW_SPACING.fullmatch("".join(raw[i + 1 : stop])):
        raise LatexError(
            rf"a line of \begin{{{name}}} starts with '[', which TeX reads as the "
            r"spacing of the line break (\\[4pt]): start the line with its & (\\ & [ … ])"
        )
    return stop + 1


# Groups inside each other that a formula may have. The deepest formula of the shipped
# vault has 7; sympy's parser recurses per level and stops near 60 (a \frac chain).
MAX_NESTING = 40


def check_nesting(tokens: list[str]) -> None:
    """Raise LatexError when groups nest deeper than MAX_NESTING (before anything recurses)."""
    depth = 0
    for token in tokens:
        if token in OPEN:
            depth += 1
            if depth > MAX_NESTING:
                raise LatexError(f"the formula nests groups more than {MAX_NESTING} deep; split it")
        elif token in CLOSE:
            depth -= 1


def closing(tokens: list[str], start: int) -> int:
    """Index of the bracket that closes ``tokens[start]``; brackets must nest."""
    stack: list[str] = []
    for j in range(start, len(tokens)):
        token = tokens[j]
        if token in OPEN:
            stack.append(OPEN[token])
        elif token in CLOSE:
            if not stack or stack[-1] != token:
                raise LatexError(f"bracket {token!r} does not match")
            stack.pop()
            if not stack:
                return j
    raise LatexError(f"bracket {tokens[start]!r} is never closed")


def read_group(tokens: list[str], i: int) -> tuple[list[str], int]:
    r"""The TeX argument at ``i``: the inside of ``{…}``, or one token (with its own argument
    when that token is a font or accent, as in ``_\mathrm{ref}``). Returns (tokens, next)."""
    if i >= len(tokens):
        raise LatexError("a subscript, superscript or macro is missing its argument")
    if tokens[i] == "{":
        j = closing(tokens, i)
        return tokens[i + 1 : j], j + 1
    name = tokens[i][1:] if tokens[i].startswith("\\") else ""
    if name in WORD_FONTS or name in LETTER_FONTS or name in ACCENTS:
        inner, j = read_group(tokens, i + 1)
        return [tokens[i], "{", *inner, "}"], j
    return [tokens[i]], i + 1


def split_top_level(tokens: list[str], separators: frozenset[str] | set[str]) -> list[list[str]]:
    """Split at separators that are not inside brackets."""
    parts: list[list[str]] = [[]]
    depth = 0
    for token in tokens:
        if token in OPEN:
            depth += 1
        elif token in CLOSE:
            depth -= 1
        if depth == 0 and token in separators:
            parts.append([])
        else:
            parts[-1].append(token)
    return parts


@dataclass
class Identifier:
    """One identifier occurrence: tokens ``start:end`` of the formula."""

    base: str
    primes: str
    sub: list[str] | None
    sup: list[str] | None
    start: int
    end: int

    def key(self, with_sup: bool = True) -> str:
        text = self.base + self.primes
        if self.sub is not None:
            text += "_{" + canonical(self.sub) + "}"
        if with_sup and self.sup is not None:
            text += "^{" + canonical(self.sup) + "}"
        return text

    @property
    def stem(self) -> str:
        """Base and primes: the name of an indexed base such as ``r`` in ``r_{t+1}``."""
        return self.base + self.primes


def _read_base(tokens: list[str], i: int) -> tuple[str, int] | None:
    token = tokens[i]
    if len(token) == 1 and token.isalpha() and token.isascii():
        return token, i + 1
    if not token.startswith("\\") or len(token) < 3:
        return None
    name = token[1:]
    if name in GREEK:
        return token, i + 1
    if name in ACCENTS:
        inner, j = read_group(tokens, i + 1)
        return "\\" + ACCENTS[name] + "{" + canonical(inner) + "}", j
    if name in WORD_FONTS:
        inner, j = read_group(tokens, i + 1)
        word = "".join("_" if t == r"\_" else t for t in inner)
        if not _WORD.fullmatch(word):
            raise LatexError(
                f"\\{name}{{{''.join(inner)}}}: only a word (letters, digits, \\_, "
                "and . or - inside a name) can be an identifier"
            )
        return word, j
    if name in LETTER_FONTS:
        inner, j = read_group(tokens, i + 1)
        return "\\" + LETTER_FONTS[name] + "{" + canonical(inner) + "}", j
    if name in OPERATOR_WORDS:
        if name == "arg" and i + 1 < len(tokens) and tokens[i + 1] in (r"\max", r"\min"):
            return r"\arg" + tokens[i + 1], i + 2
        return token, i + 1
    return None


def read_identifier(tokens: list[str], i: int) -> Identifier | None:
    """The identifier starting at ``i``, or None when ``tokens[i]`` does not start one."""
    found = _read_base(tokens, i)
    if found is None:
        return None
    base, j = found
    primes = ""
    while j < len(tokens) and tokens[j] == "'":
        primes += "'"
        j += 1
    ident = Identifier(base, primes, None, None, i, j)
    for _ in range(2):  # subscript and superscript, in either order
        if j < len(tokens) and tokens[j] == "_" and ident.sub is None:
            ident.sub, j = read_group(tokens, j + 1)
        elif j < len(tokens) and tokens[j] == "^" and ident.sup is None:
            ident.sup, j = read_group(tokens, j + 1)
    ident.end = j
    return ident


def canonical(tokens: list[str]) -> str:
    """The canonical spelling of a token list (identifiers in their key form)."""
    pieces: list[str] = []
    i = 0
    while i < len(tokens):
        ident = read_identifier(tokens, i)
        if ident is None:
            pieces.append(tokens[i])
            i += 1
        else:
            pieces.append(ident.key())
            i = ident.end
    return joined(pieces)


def joined(pieces: list[str]) -> str:
    """Pieces of LaTeX as one text, a space only where a macro would fuse with a letter."""
    text = ""
    for piece in pieces:
        # keep ``\theta old`` from fusing into the macro ``\thetaold``
        if re.search(r"\\[A-Za-z]+$", text) and piece[:1].isalpha():
            text += " "
        text += piece
    return text


def canonical_spelling(spelling: str) -> str:
    """The key of a spelling as a binding declares it (``"\\pi_\\theta"`` → ``\\pi_{\\theta}``)."""
    return canonical(tokenize(spelling))


def split_relation(tokens: list[str]) -> tuple[list[str] | None, list[str], str | None]:
    """Split ``lhs REL rhs`` at its one top-level relation → (lhs, rhs, relation)."""
    depth = 0
    hits: list[int] = []
    for k, token in enumerate(tokens):
        if token in OPEN:
            depth += 1
        elif token in CLOSE:
            depth -= 1
        elif depth == 0 and token == ":" and k + 1 < len(tokens) and tokens[k + 1] == "=":
            hits.append(k)  # := (the = that follows is part of it)
        elif depth == 0 and token in RELATIONS and not (k and tokens[k - 1] == ":"):
            hits.append(k)
    if not hits:
        return None, tokens, None
    if len(hits) > 1:
        raise LatexError(
            "more than one top-level relation (=, \\leftarrow, …; a chain a = b = c, "
            "or the steps of an aligned derivation): tag each relation as its own "
            "formula"
        )
    k = hits[0]
    width = 2 if tokens[k] == ":" else 1
    relation = "".join(tokens[k : k + width])
    return tokens[:k], tokens[k + width :], relation

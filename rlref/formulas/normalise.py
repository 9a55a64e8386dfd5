r"""Rewrite a formula so that sympy's parser cannot misread it (pure Python).

Every identifier is looked up in the formula's vocabulary. A declared value becomes an
opaque placeholder macro (``\vvq…``). Everything that takes arguments — a function
``\pi_\theta(a|s)``, an indexed base ``r_{t+1}``, a reduction ``\sum_t …``, a builtin
``\min(…)``, a bracket group — becomes an *atom* (``\vvx…``) whose arguments are rewritten
as separate pieces: antlr then only parses arithmetic skeletons (it is slow on function
applications, and pieces repeat across formulas and mutants, so they cache well).

What is not declared — an identifier, a macro — is an error naming it, never a guess; a
declared spelling that does not occur is an error too (note and binding have drifted apart).
The notation of papers (``\begin{cases}``, indicators, reductions over a set ``\{r_1,
\dots, r_G\}``) is read by :mod:`rlref.formulas.notation`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache

from rlref.formulas import notation
from rlref.formulas.latex import (
    ACCENTS,
    ARGUMENT_BARS,
    CASES_BEGIN,
    CLOSE,
    DROPPED,
    GREEK,
    LETTER_FONTS,
    OPEN,
    OPERATOR_WORDS,
    RELATIONS,
    SET_OPEN,
    WORD_FONTS,
    Identifier,
    LatexError,
    canonical,
    check_nesting,
    closing,
    joined,
    read_group,
    read_identifier,
    split_relation,
    split_top_level,
    tokenize,
)
from rlref.formulas.vocabulary import Entry, undeclared_hint

# Structural macros that sympy's antlr grammar reads correctly.
PASSTHROUGH = frozenset(r"\frac \dfrac \tfrac \log \ln \exp \sqrt \cdot \times \infty".split())
NORM_BARS = (r"\|", r"\Vert")  # ``\|x\|``: a norm when the binding declares the spelling
PARENLESS = frozenset([r"\log", r"\ln", r"\exp"])
FRACTIONS = frozenset([r"\frac", r"\dfrac", r"\tfrac"])
# Tokens that are read only inside a construct, with what to write elsewhere.
UNSUPPORTED = {
    "&": r"'&' outside \begin{cases} and \begin{aligned}: write a formula broken over lines "
    r"as \begin{aligned} … \end{aligned}",
    "\\\\": r"a line break \\ outside \begin{cases} and \begin{aligned}: write a formula broken "
    r"over lines as \begin{aligned} … \end{aligned}",
    SET_OPEN: r"a set \{…\} is read only as the operand of a declared reduction "
    r"(r'\mathrm{mean}': reduction('mean', 'j') reads \mathrm{mean}(\{r_1, \dots, "
    r"r_G\})) or as "
    r"an indicator's condition \mathbb{1}\{…\}",
    **{
        dots: f"{dots} outside a set: write a sum with a declared reduction, "
        r"\sum_{j=1}^{G} r_j"
        for dots in notation.ELLIPSES
    },
}
VALUE_PREFIX = "vvq"  # a declared value
ATOM_PREFIX = "vvx"  # an application, numbered within its piece


def letters(n: int) -> str:
    """0 → a, 25 → z, 26 → aa: placeholder names must be letters for antlr."""
    text = ""
    while True:
        text = chr(ord("a") + n % 26) + text
        n = n // 26 - 1
        if n < 0:
            return text


@lru_cache(maxsize=4096)
def value_name(key: str) -> str:
    """A placeholder name fixed by the spelling, so equal pieces of different formulas
    normalise to equal text (and share a parse)."""
    return VALUE_PREFIX + letters(int(hashlib.sha1(key.encode()).hexdigest()[:12], 16))


def atom_name(k: int) -> str:
    return ATOM_PREFIX + letters(k)


@dataclass
class Application:
    """An atom: ``entry`` applied to ``args``; ``entry`` None is a bracket group."""

    entry: Entry | None
    args: list[Piece]


@dataclass
class Piece:
    """Parser-ready tokens, with the atoms they contain (atom k is ``atom_name(k)``)."""

    tokens: list[str] = field(default_factory=list)
    atoms: list[Application] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(self.tokens)


@dataclass
class Normalised:
    rhs: Piece
    lhs: Piece | None  # None when the formula has no left side or it is not fully declared
    lhs_latex: str | None  # the left side as written (canonical), a label when not parsed
    relation: str | None
    values: dict[str, Entry] = field(default_factory=dict)  # placeholder name → entry
    used: set[str] = field(default_factory=set)  # declared keys that occur


class _Rewriter:
    def __init__(self, vocabulary: dict[str, Entry]) -> None:
        self.vocabulary = vocabulary
        self.values: dict[str, Entry] = {}
        self.used: set[str] = set()

    def mark(self, entry: Entry) -> None:
        if entry.declared:
            self.used.add(entry.key)

    def value(self, entry: Entry, piece: Piece) -> None:
        name = value_name(entry.key)
        if self.values.setdefault(name, entry) is not entry:
            raise LatexError(f"placeholder clash between {entry.key} and {self.values[name].key}")
        self.mark(entry)
        piece.tokens.append("\\" + name)

    def atom(self, piece: Piece, entry: Entry | None, args: list[Piece]) -> None:
        if entry is not None:
            self.mark(entry)
        piece.tokens.append("\\" + atom_name(len(piece.atoms)))
        piece.atoms.append(Application(entry, args))

    def applied(self, entry: Entry, args: list[Piece]) -> Piece:
        """A piece that is just ``entry`` applied to ``args`` (a condition, say)."""
        piece = Piece()
        self.atom(piece, entry, args)
        return piece

    def piece(self, tokens: list[str]) -> Piece:
        piece = Piece()
        self.emit(tokens, piece)
        return piece

    # ------------------------------------------------------------------ the token walk
    def emit(self, tokens: list[str], piece: Piece) -> None:
        out = piece.tokens
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token in PARENLESS and i + 1 < len(tokens) and tokens[i + 1] not in "(_^":
                # ``\log \pi(a|s) A`` means ``\log(\pi(a|s)) A``: the operator takes one
                # factor, where antlr would take the whole product.
                end = self.factor_end(tokens, i + 1)
                out += [token, "("]
                self.emit(tokens[i + 1 : end], piece)
                out.append(")")
                i = end
            elif token in FRACTIONS:
                numerator, j = read_group(tokens, i + 1)
                denominator, j = read_group(tokens, j)
                out += [r"\frac", "{"]
                self.emit(numerator, piece)
                out += ["}", "{"]
                self.emit(denominator, piece)
                out.append("}")
                i = j
            elif token == r"\sqrt":
                if i + 1 < len(tokens) and tokens[i + 1] == "[":
                    raise LatexError(r"\sqrt[n]{…} is not supported; write a power")
                radicand, j = read_group(tokens, i + 1)
                out += [r"\sqrt", "{"]
                self.emit(radicand, piece)
                out.append("}")
                i = j
            elif token == "^":
                exponent, j = read_group(tokens, i + 1)
                out += ["^", "{"]
                self.emit(exponent, piece)
                out.append("}")
                i = j
            elif token in ("(", "["):
                stop = closing(tokens, i)
                if stop == i + 1:
                    raise LatexError("empty brackets")
                if out and out[-1].startswith("\\vv"):
                    out.append(r"\cdot")  # f(x) (y + z): a product, not an application
                out.append("(")  # kept: \log(X) Y must not become \log X Y
                self.atom(piece, None, [self.piece(tokens[i + 1 : stop])])
                out.append(")")
                i = stop + 1
            elif token in ("|", *NORM_BARS) and (found := self.declared_bars(tokens, i)):
                entry, i = found  # a declared spelling such as |y_w| (a length) or \|\theta\|
                self.value(entry, piece)
            elif token == CASES_BEGIN:
                i = notation.cases(self, tokens, i, piece)
            elif token == "_":
                raise LatexError(f"a subscript on {tokens[i - 1] if i else 'nothing'!r}")
            elif token in UNSUPPORTED:
                raise LatexError(UNSUPPORTED[token])
            elif (ident := read_identifier(tokens, i)) is not None:
                i = self.identifier(tokens, ident, piece)
            elif token.startswith("\\") and token not in PASSTHROUGH:
                if token in ARGUMENT_BARS:
                    raise LatexError(
                        f"{token} outside the argument list of a function declared "
                        "with '|' between its parameters"
                    )
                raise LatexError(f"unknown macro {token}")
            else:
                out.append(token)
                i += 1

    def declared_bars(self, tokens: list[str], i: int) -> tuple[Entry, int] | None:
        """``|y_w|`` or ``\\|\\theta\\|`` when a binding declares that spelling (a length, a
        norm) as a value, else None: the bars are then not argument separators."""
        bar = tokens[i]
        depth = 0
        for j in range(i + 1, len(tokens)):
            if tokens[j] in OPEN:
                depth += 1
            elif tokens[j] in CLOSE:
                depth -= 1
                if depth < 0:
                    return None
            elif tokens[j] == bar and depth == 0:
                entry = self.vocabulary.get(bar + canonical(tokens[i + 1 : j]) + bar)
                return (entry, j + 1) if entry is not None and entry.kind == "value" else None
        return None

    def arguments(self, tokens: list[str], entry: Entry) -> list[Piece]:
        separators = {","} | (set(ARGUMENT_BARS) if entry.bar else set())
        parts = split_top_level(tokens, separators)
        if any(not part for part in parts):
            raise LatexError(f"{entry.key}: an empty argument")
        if entry.arity is not None and len(parts) != entry.arity:
            raise LatexError(
                f"{entry.key} takes {entry.arity} argument(s), the formula gives {len(parts)}"
            )
        if entry.arity is None and len(parts) < 2:
            raise LatexError(f"{entry.key} takes two or more arguments")
        return [self.piece(part) for part in parts]

    def identifier(self, tokens: list[str], ident: Identifier, piece: Piece) -> int:
        indicator = self.vocabulary.get(ident.stem)
        if (
            ident.sub is not None
            and ident.sup is None
            and indicator is not None
            and indicator.builtin == "indicator"
            and ident.key() not in self.vocabulary
        ):
            # \mathbb{1}_{a > 0}: the subscript is the condition
            notation.indicator(self, indicator, notation.subscript_condition(ident.sub), piece)
            return ident.end
        entry, end, power = self.lookup(tokens, ident)
        if entry.kind == "reduction" and (found := notation.set_elements(tokens, end)):
            notation.set_reduction(self, entry, found[0], piece)
            return found[1]
        if entry.kind == "reduction":
            stop = self.operand_end(tokens, end)
            if stop == end:
                raise LatexError(f"the operator {entry.key} has no operand")
            self.atom(piece, entry, [self.piece(tokens[end:stop])])
            return stop
        if entry.builtin == "indicator":
            inside, stop = notation.indicator_brackets(tokens, entry, end)
            notation.indicator(self, entry, inside, piece)
            return stop
        if entry.kind == "indexed":
            if ident.sub is None:
                raise LatexError(
                    f"{entry.key} is an indexed base: it needs a subscript, {entry.key}_{{…}}"
                )
            self.atom(piece, entry, self.arguments(ident.sub, entry))
        elif entry.applies:
            if notation.set_elements(tokens, end) is not None:
                operation = entry.builtin if entry.builtin in ("min", "max") else "mean"
                raise LatexError(
                    f"{entry.key} of a set: declare {entry.key} as a reduction over "
                    f"the set's axis, e.g. r'{entry.key}': "
                    f"reduction('{operation}', 'j')"
                )
            if power:
                raise LatexError(f"{entry.key}: a power of a function; write (f(x))^n")
            if end >= len(tokens) or tokens[end] not in ("(", "["):
                raise LatexError(f"the function {entry.key} is used without an argument list")
            stop = closing(tokens, end)
            self.atom(piece, entry, self.arguments(tokens[end + 1 : stop], entry))
            return stop + 1
        else:
            self.value(entry, piece)
        if power:
            piece.tokens += ["^", "{"]
            self.emit(power, piece)
            piece.tokens.append("}")
        if end < len(tokens) and tokens[end] in ("(", "["):
            piece.tokens.append(r"\cdot")  # a value followed by a bracket is a product
        return end

    def lookup(self, tokens: list[str], ident: Identifier) -> tuple[Entry, int, list[str]]:
        """→ (entry, index after the occurrence, superscript to re-emit as a power)."""
        vocabulary = self.vocabulary
        end = ident.end
        key = ident.key()
        if end < len(tokens) and tokens[end] == "(":  # an applied spelling: r_t(\theta)
            stop = closing(tokens, end)
            applied = key + "(" + canonical(tokens[end + 1 : stop]) + ")"
            if applied in vocabulary:
                return vocabulary[applied], stop + 1, []
        if key in vocabulary:
            return vocabulary[key], end, []
        power = ident.sup or []
        if ident.sup is not None:  # the superscript may be a power: \hat{A}_t^2
            entry = vocabulary.get(ident.key(with_sup=False))
            if entry is not None and entry.kind != "reduction":
                return entry, end, power
        if ident.sub is not None:  # an indexed base: r_{t+1}
            stems = [ident.stem + "^{" + canonical(ident.sup) + "}"] if ident.sup else []
            for stem in [*stems, ident.stem]:
                entry = vocabulary.get(stem)
                if entry is not None and entry.kind == "indexed":
                    return entry, end, power if stem == ident.stem else []
        raise LatexError(f"undeclared identifier {key!r}{undeclared_hint(key)}")

    def operand_end(self, tokens: list[str], start: int) -> int:
        """A reduction's operand: up to the next top-level + - , or relation, or the
        bracket that closes the enclosing group."""
        depth, in_abs = 0, False
        for k in range(start, len(tokens)):
            token = tokens[k]
            if token in OPEN:
                depth += 1
            elif token in CLOSE:
                if depth == 0:
                    return k
                depth -= 1
            elif depth == 0 and token == "|":
                in_abs = not in_abs
            elif (
                depth == 0
                and not in_abs
                and k > start
                and (token in ("+", "-", ",", r"\pm") or token in RELATIONS)
            ):
                return k
        return len(tokens)

    def factor_end(self, tokens: list[str], start: int) -> int:
        """The single factor after a paren-less ``\\log``/``\\exp``."""
        if start >= len(tokens):
            raise LatexError("\\log or \\exp without an argument")
        token = tokens[start]
        if token in FRACTIONS:
            _, k = read_group(tokens, start + 1)
            _, k = read_group(tokens, k)
        elif token == r"\sqrt":
            _, k = read_group(tokens, start + 1)
        elif token in OPEN:
            k = closing(tokens, start) + 1
        elif token in PARENLESS:
            k = self.factor_end(tokens, start + 1)
        elif token.isdigit():
            k = start
            while k < len(tokens) and (tokens[k].isdigit() or tokens[k] == "."):
                k += 1
        elif (ident := read_identifier(tokens, start)) is not None:
            entry, k, _ = self.lookup(tokens, ident)
            if entry.kind == "reduction":
                return self.operand_end(tokens, k)
            if entry.applies and k < len(tokens) and tokens[k] in ("(", "["):
                k = closing(tokens, k) + 1
        else:
            raise LatexError(f"cannot tell what \\log or \\exp applies to at {token!r}")
        if k < len(tokens) and tokens[k] == "^":  # \log x^2 is \log(x^2)
            _, k = read_group(tokens, k + 1)
        return k


# Macros that only a left-side label uses (π^⋆, P(y_w ≻ y_l), x ∼ p): harmless there.
LABEL_MACROS = frozenset(
    r"\star \ast \prime \succ \prec \sim \in \to \top \dagger \circ \cdots \ldots \dots".split()
)
_KNOWN_MACROS = (
    {"\\" + name for name in GREEK | WORD_FONTS | OPERATOR_WORDS | {*ACCENTS, *LETTER_FONTS}}
    | DROPPED
    | PASSTHROUGH
    | RELATIONS
    | ARGUMENT_BARS
    | LABEL_MACROS
)


def check_label(tokens: list[str]) -> None:
    """A left side kept as a label: its brackets must match and every macro must be known,
    so a typo there (``\\fracc``, ``\\pi_\\thetaa``'s stray macro) is an error, not silence."""
    for i, token in enumerate(tokens):
        if token in OPEN:
            closing(tokens, i)  # raises on an unclosed bracket
        elif token.startswith("\\") and len(token) > 2 and token not in _KNOWN_MACROS:
            raise LatexError(f"unknown macro {token} on the left side")


def normalise(latex: str, vocabulary: dict[str, Entry]) -> Normalised:
    """Rewrite ``latex`` (one formula) for the parser. Raises LatexError."""
    tokens = tokenize(latex)
    if not tokens:
        raise LatexError("the formula is empty")
    check_nesting(tokens)
    notation.check_environments(tokens)
    lhs_tokens, rhs_tokens, relation = split_relation(tokens)
    if not rhs_tokens:
        raise LatexError("nothing on the right of the relation")
    rewriter = _Rewriter(vocabulary)
    rhs = rewriter.piece(rhs_tokens)
    lhs = lhs_latex = None
    if lhs_tokens:
        try:
            lhs_latex = canonical(lhs_tokens)
        except LatexError:  # a label such as \mathcal{L}_{\text{GRPO (v2)}}
            lhs_latex = joined(lhs_tokens)
        # The left side names the quantity; it is parsed only when every identifier in it
        # is declared (symbolic identities use it), otherwise it stays a label.
        trial = _Rewriter(vocabulary)
        try:
            lhs = trial.piece(lhs_tokens)
        except LatexError:
            lhs = None
            check_label(lhs_tokens)  # a label is not checked, but it must still be LaTeX we know
        else:
            rewriter.values.update(trial.values)
            rewriter.used |= trial.used
    unused = sorted(k for k, e in vocabulary.items() if e.declared and k not in rewriter.used)
    if unused:
        raise LatexError(
            "declared but not in the formula: "
            + ", ".join(unused)
            + (
                " (the left side was not parsed: it has an undeclared identifier)"
                if lhs_tokens and lhs is None
                else ""
            )
        )
    return Normalised(rhs, lhs, lhs_latex, relation, rewriter.values, rewriter.used)

"""The glossary check: flag the spellings a vault's glossary page says not to use.

The glossary is data in the vault, written once: every note tagged ``glossary`` holds a
Markdown table whose header has a ``采用`` column (the chosen term), a ``不用`` column (its
losing variants) and optionally a ``例外`` column (longer words that contain a variant and are
fine, such as ``占位符`` for the variant ``占位``). Variants and exceptions are written as code
spans (`` `信任域` ``), so the glossary page never flags itself; a cell may hold several.

A variant is flagged only in prose: fenced code, inline code, math, HTML comments and tags,
link targets (a file name such as ``马尔科夫.md`` is a link target; the alias of
``[[target|alias]]`` is prose), URLs and the frontmatter (where ``aliases`` keep the old
spellings on purpose) are not read. Everything here is a pure function of text; the
whole-vault assembly (:func:`rlref.index.checked.check_vault`) calls :func:`term_diagnostics`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

from rlref.diagnostics import Diagnostic, diagnose
from rlref.vault.code_spans import code_spans
from rlref.vault.model import Note

GLOSSARY_TAG = "glossary"
PREFERRED_COLUMN = "采用"
VARIANTS_COLUMN = "不用"
EXCEPTIONS_COLUMN = "例外"


@dataclass(frozen=True)
class Term:
    """One row of a glossary table."""

    preferred: str  # the chosen term, as written in the 采用 cell (markup removed)
    variants: tuple[str, ...]  # spellings to flag
    exceptions: tuple[str, ...] = ()  # longer words containing a variant that are fine
    source: str = ""  # the glossary note's key, named in the message


@dataclass(frozen=True)
class Hit:
    """A losing variant found in prose, at a 1-based line of the note."""

    line: int
    variant: str
    term: Term


_CODE_SPAN_IN_CELL = re.compile(r"`([^`]+)`")
_SEPARATOR_CELL = re.compile(r"^:?-{3,}:?$")
_EMPHASIS = re.compile(r"[*_`]")


def _cells(line: str) -> list[str]:
    """The cells of a table row ``| a | b |`` (an escaped ``\\|`` stays inside its cell)."""
    row = line.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", row)]


def _is_separator(line: str) -> bool:
    cells = [c.replace(" ", "") for c in _cells(line)] if line.lstrip().startswith("|") else []
    return bool(cells) and all(_SEPARATOR_CELL.match(c) for c in cells)


def _column(header: list[str], name: str) -> int | None:
    for i, cell in enumerate(header):
        if _EMPHASIS.sub("", cell).strip().startswith(name):
            return i
    return None


def read_glossary(body: str, source: str = "") -> list[Term]:
    """The terms of every glossary table in ``body`` (tables inside fenced code are skipped).

    A glossary table is one whose header names a ``采用`` and a ``不用`` column; rows
    without a preferred term or without a variant are documentation only and are skipped.
    """
    lines = _mask_fences(body).split("\n")
    terms: list[Term] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        header_row = line.lstrip().startswith("|") and i + 1 < len(lines)
        if not (header_row and _is_separator(lines[i + 1])):
            i += 1
            continue
        header = _cells(line)
        preferred_at = _column(header, PREFERRED_COLUMN)
        variants_at = _column(header, VARIANTS_COLUMN)
        exceptions_at = _column(header, EXCEPTIONS_COLUMN)
        i += 2
        while i < len(lines) and lines[i].lstrip().startswith("|"):
            if preferred_at is not None and variants_at is not None:
                row = _cells(lines[i])
                term = _term(row, preferred_at, variants_at, exceptions_at, source)
                if term is not None:
                    terms.append(term)
            i += 1
    return terms


def _term(
    row: list[str], preferred_at: int, variants_at: int, exceptions_at: int | None, source: str
) -> Term | None:
    def cell(at: int | None) -> str:
        return row[at] if at is not None and at < len(row) else ""

    preferred = _EMPHASIS.sub("", cell(preferred_at)).strip()
    variants = tuple(v.strip() for v in _CODE_SPAN_IN_CELL.findall(cell(variants_at)))
    exceptions = tuple(v.strip() for v in _CODE_SPAN_IN_CELL.findall(cell(exceptions_at)))
    variants = tuple(v for v in variants if v)
    if not preferred or not variants:
        return None
    return Term(preferred, variants, tuple(e for e in exceptions if e), source)


# --- prose: the text a reader sees as words, everything else blanked in place ---------------

_FENCE_OPEN = re.compile(r"^[ \t>]*(`{3,}|~{3,})")


def _blank(text: str) -> str:
    """Spaces for every character but newlines: offsets and line numbers stay put."""
    return re.sub(r"[^\n]", " ", text)


def _mask_fences(body: str) -> str:
    """``body`` with fenced code blocks (fences included) blanked."""
    if "```" not in body and "~~~" not in body:
        return body
    out: list[str] = []
    fence: str | None = None
    for line in body.split("\n"):
        if fence is None:
            match = _FENCE_OPEN.match(line)
            if match:
                fence = match.group(1)
                out.append(_blank(line))
                continue
            out.append(line)
            continue
        out.append(_blank(line))
        stripped = line.lstrip(" \t>")
        if stripped.startswith(fence[0] * len(fence)) and not stripped.strip(fence[0]).strip():
            fence = None
    return "\n".join(out)


def _blank_match(match: re.Match[str]) -> str:
    return _blank(match.group(0))


_HTML_COMMENT = re.compile(r"<!--[\s\S]*?-->")  # formula tags; blanked before inline code
_NOT_PROSE = [  # blanked after inline code
    re.compile(r"(?<!\\)\$\$[\s\S]*?(?<!\\)\$\$"),  # display math
    re.compile(r"(?<![\\$])\$(?!\$)[^\n$]*?(?<![\\$])\$"),  # inline math
    re.compile(r"!\[\[[^\]\n]*\]\]"),  # embeds
    re.compile(r"\]\([^)\n]*\)"),  # a Markdown link's URL
    re.compile(r"<https?://[^>\n]*>|https?://[^\s)）>\]]+"),  # autolinks and bare URLs
    re.compile(r"</?[A-Za-z][^>\n]*>"),  # HTML tags
]
# [[target|alias]]: the target is a file name, the alias is what the reader sees.
_WIKILINK = re.compile(r"\[\[([^\]\n]*?)(\\?\|[^\]\n]*)?\]\]")


def _mask_wikilink(match: re.Match[str]) -> str:
    alias = match.group(2)
    if alias is None:
        return _blank(match.group(0))
    bar = 2 if alias.startswith("\\") else 1
    return _blank("[[" + match.group(1) + alias[:bar]) + alias[bar:] + "  "


def prose(body: str) -> str:
    """``body`` with everything that is not prose blanked in place (same length)."""
    text = _mask_fences(body)
    text = _HTML_COMMENT.sub(_blank_match, text)
    pieces, last = [], 0
    for start, end in code_spans(text):  # inline code, found in linear time
        pieces += [text[last:start], _blank(text[start:end])]
        last = end
    text = "".join([*pieces, text[last:]])
    for pattern in _NOT_PROSE:
        text = pattern.sub(_blank_match, text)
    return _WIKILINK.sub(_mask_wikilink, text)


def find_variants(body: str, terms: Iterable[Term], body_line: int = 1) -> list[Hit]:
    """Every losing variant in the prose of ``body``, by position; ``body_line`` is the note
    line of the body's first line. Of overlapping matches the longest is kept."""
    terms = list(terms)
    if not any(v in body for term in terms for v in term.variants):
        return []  # the common case: nothing to find, no need to blank anything
    text = prose(body)
    found: list[tuple[int, int, str, Term]] = []
    for term in terms:
        excused = [
            (at, at + len(word))
            for word in term.exceptions
            for at in _occurrences(text, word)
        ]
        for variant in term.variants:
            for at in _occurrences(text, variant):
                end = at + len(variant)
                if not any(start <= at and end <= stop for start, stop in excused):
                    found.append((at, end, variant, term))
    found.sort(key=lambda hit: (hit[0], -(hit[1] - hit[0])))
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    hits: list[Hit] = []
    last_end = -1
    for start, end, variant, term in found:
        if start < last_end:
            continue
        last_end = end
        hits.append(Hit(body_line + bisect_right(line_starts, start) - 1, variant, term))
    return hits


def _occurrences(text: str, word: str) -> list[int]:
    found = []
    at = text.find(word)
    while at != -1:
        found.append(at)
        at = text.find(word, at + 1)
    return found


def is_glossary(note: Note) -> bool:
    return any(tag.name == GLOSSARY_TAG for tag in note.frontmatter_tags)


def term_diagnostics(notes: Iterable[Note]) -> list[Diagnostic]:
    """A ``term-variant`` warning for each losing variant in each note, as the glossary
    notes of the vault (tagged ``glossary``) define them; nothing when there is none."""
    notes = list(notes)
    terms = [t for note in notes if is_glossary(note) for t in read_glossary(note.body, note.key)]
    if not terms:
        return []
    diagnostics = []
    for note in notes:
        for hit in find_variants(note.body, terms, note.body_line):
            message = (
                f"term variant '{hit.variant}': the glossary [[{hit.term.source}]] "
                f"writes '{hit.term.preferred}'"
            )
            diagnostics.append(diagnose("term-variant", note.path, hit.line, message))
    return diagnostics

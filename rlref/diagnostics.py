"""Diagnostics shared by every stage: a problem at a place in a file, and how serious it is.

``SEVERITY`` is the one table of problem kinds → severity that ``check``, ``import``, ``build``
and ``serve`` share. It follows Obsidian: a link to a note not written yet, or an embed whose
file is missing, is a normal state of a growing vault — a warning, shown on the site as an
unresolved link or a placeholder. ``--strict`` turns every warning into an error.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]

SEVERITY: dict[str, Severity] = {
    # Obsidian shows these and carries on: the vault is growing, not broken.
    "unresolved-link": "warning",  # [[a note not written yet]]
    "missing-embed": "warning",  # ![[picture.png]] with no such file
    "missing-image": "warning",  # ![](picture.png) with no such file
    "missing-heading": "warning",  # [[Note#heading]]: the note opens, at its top
    "missing-block": "warning",  # [[Note#^block]]: the same
    "unreachable": "warning",  # no MOC leads to the note
    "orphan-formula-tag": "warning",  # <!-- formula: id --> with no $$ block under it
    "possible-mojibake": "warning",
    "unknown-key": "warning",  # a frontmatter key close to a known one
    "empty-note": "warning",
    "missing-title": "warning",  # no title: key; Obsidian titles the note by its file name
    "unlisted-impl": "warning",  # a formula checked against a function its note's impl: lacks
    "term-variant": "warning",  # a spelling the vault's glossary page says not to use
    "wide-formula": "warning",  # a display formula wider than the site's column: it scrolls
    # The vault says two contradictory things, or cannot be read: an error everywhere.
    "ambiguous-link": "error",  # [[name]] that names two notes
    "escaping-link": "error",  # [[../../outside]]: never resolved outside the vault
    "mojibake": "error",
    "duplicate-name": "error",
    "duplicate-formula-id": "error",
    "impl": "error",
    "frontmatter": "error",
    "unreadable": "error",
}


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem, reported as ``path:line: severity: message``.

    ``path`` is vault-relative (POSIX, NFC) when the problem is in the vault. ``kind`` names
    its row of ``SEVERITY`` (empty for a problem that is an error by nature).
    """

    path: str
    line: int
    severity: Severity
    message: str
    kind: str = ""

    def format(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"


def diagnose(kind: str, path: str, line: int, message: str) -> Diagnostic:
    """A diagnostic of ``kind``, with the severity the table gives it."""
    return Diagnostic(path, line, SEVERITY[kind], message, kind)


def strictly(diagnostics: list[Diagnostic], strict: bool) -> list[Diagnostic]:
    """Under ``--strict`` every warning counts as an error."""
    if not strict:
        return diagnostics
    return [dataclasses.replace(d, severity="error") for d in diagnostics]


def sort_diagnostics(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Sort by path, then line, errors before warnings on the same line."""
    return sorted(
        set(diagnostics), key=lambda d: (d.path, d.line, d.severity != "error", d.message)
    )

"""Diagnostics shared by every stage: a problem at a place in a file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem, reported as ``path:line: severity: message``.

    ``path`` is vault-relative (POSIX, NFC) when the problem is in the vault.
    """

    path: str
    line: int
    severity: Severity
    message: str

    def format(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"


def sort_diagnostics(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Sort by path, then line, errors before warnings on the same line."""
    return sorted(
        set(diagnostics), key=lambda d: (d.path, d.line, d.severity != "error", d.message)
    )

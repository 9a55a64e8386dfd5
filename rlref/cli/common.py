"""Helpers shared by the CLI commands: loading the vault and printing diagnostics."""

from __future__ import annotations

from pathlib import Path

import typer

from rlref.diagnostics import Diagnostic, sort_diagnostics
from rlref.vault.writes import write_atomic_bytes

DEFAULT_VAULT = Path("kb")


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print an error for the user (no traceback) and return the Exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def require_vault(vault: Path) -> Path:
    if vault.is_file():
        raise fail(f"'{vault}' is a file: give the vault folder that holds it")
    if not vault.is_dir():
        raise fail(f"vault folder '{vault}' does not exist")
    return vault


def load_checked_index(vault: Path):
    """Load the vault and build its index with every check (``rlref.index.load_checked``)."""
    from rlref.index import load_checked

    return load_checked(require_vault(vault))


def print_diagnostics(diagnostics: list[Diagnostic], notes: int) -> tuple[int, int]:
    """Print ``path:line: severity: message`` lines and the summary; return the counts."""
    ordered = sort_diagnostics(diagnostics)
    for diagnostic in ordered:
        typer.echo(diagnostic.format())
    errors = sum(d.severity == "error" for d in ordered)
    warnings = len(ordered) - errors
    typer.echo(f"{notes} notes checked: {errors} error(s), {warnings} warning(s)")
    return errors, warnings


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file and a rename (never half-written)."""
    write_atomic_bytes(path, text.encode("utf-8"))

"""Helpers shared by the CLI commands: loading the vault and printing diagnostics."""

from __future__ import annotations

import codecs
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rlref.diagnostics import Diagnostic, sort_diagnostics

if TYPE_CHECKING:
    import typer

DEFAULT_VAULT = Path("kb")


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print an error for the user (no traceback) and return the Exit to raise."""
    import typer

    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def echo(line: str) -> None:
    """``typer.echo(line)``, written directly when typer would pass it through unchanged
    (no escape sequence, which typer strips from a pipe; a UTF-8 stdout, which it keeps as
    it is), so that ``rlref check`` need not import typer."""
    stream = sys.stdout
    encoding = getattr(stream, "encoding", None) or "ascii"
    if "\x1b" in line or codecs.lookup(encoding).name != "utf-8":
        import typer

        typer.echo(line)
        return
    stream.write(line + "\n")
    stream.flush()


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
        echo(diagnostic.format())
    errors = sum(d.severity == "error" for d in ordered)
    warnings = len(ordered) - errors
    echo(f"{notes} notes checked: {errors} error(s), {warnings} warning(s)")
    return errors, warnings


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file and a rename (never half-written)."""
    from rlref.vault.writes import write_atomic_bytes

    write_atomic_bytes(path, text.encode("utf-8"))

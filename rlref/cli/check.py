"""`rlref check`: report every problem of a vault as ``path:line: severity: message``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rlref.cli.common import DEFAULT_VAULT, load_checked_index, print_diagnostics
from rlref.diagnostics import strictly


def check(
    vault: Annotated[Path, typer.Argument(help="Vault folder.")] = DEFAULT_VAULT,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
) -> None:
    """Check the vault: frontmatter, links, headings, embeds, impl, formulas, encoding."""
    index = load_checked_index(vault)
    errors, _ = print_diagnostics(strictly(index.diagnostics, strict), len(index.notes))
    if errors:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(check)

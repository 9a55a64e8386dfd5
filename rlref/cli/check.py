"""`rlref check`: report every problem of a vault as ``path:line: severity: message``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rlref.cli.check_run import report
from rlref.cli.common import DEFAULT_VAULT


def check(
    vault: Annotated[Path, typer.Argument(help="Vault folder.")] = DEFAULT_VAULT,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
) -> None:
    """Check the vault: frontmatter, links, headings, embeds, impl, formulas, encoding."""
    if report(vault, strict):
        raise typer.Exit(1)


def check_with_typer_exit(vault: Path, strict: bool) -> int:
    """``check``, its ``typer.Exit`` (a vault that is not a folder) as the exit code."""
    try:
        check(vault, strict)
    except typer.Exit as exit_:
        return exit_.exit_code
    return 0


def register(app: typer.Typer) -> None:
    app.command()(check)

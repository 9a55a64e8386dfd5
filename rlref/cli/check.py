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


def plain_arguments(argv: list[str]) -> tuple[Path, bool] | None:
    """``check [VAULT] [--strict]`` in its plain spellings → (vault, strict), which
    :func:`rlref.cli.main` runs without typer's parser (it imports and builds pydantic
    validators for every parameter: a tenth of the whole check). None for anything else
    (``--help``, another option, two vaults, ``--``, an empty name): typer parses it."""
    if not argv or argv[0] != "check":
        return None
    vaults = [argument for argument in argv[1:] if argument != "--strict"]
    flags = len(argv) - 1 - len(vaults)
    if flags > 1 or len(vaults) > 1 or any(not v or v.startswith("-") for v in vaults):
        return None
    return (Path(vaults[0]) if vaults else DEFAULT_VAULT), flags == 1


def run_plain(vault: Path, strict: bool) -> int:
    """Run ``check`` as typer would and return its exit code (a broken pipe: 1, silently)."""
    import errno
    import sys

    try:
        check(vault, strict)
    except typer.Exit as exit_:
        return exit_.exit_code
    except KeyboardInterrupt:
        return 130
    except OSError as error:
        if error.errno != errno.EPIPE:
            raise
        from typer._click.utils import PacifyFlushWrapper

        sys.stdout = PacifyFlushWrapper(sys.stdout)  # type: ignore[assignment]
        sys.stderr = PacifyFlushWrapper(sys.stderr)  # type: ignore[assignment]
        return 1
    return 0

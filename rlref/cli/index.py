"""`rlref index`: write the concept index as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from rlref.cli.common import DEFAULT_VAULT, load_checked_index, write_atomic


def index(
    vault: Annotated[Path, typer.Argument(help="Vault folder.")] = DEFAULT_VAULT,
    json_path: Annotated[Path, typer.Option("--json", help="Where to write the index.")] = Path(
        "build/index.json"
    ),
) -> None:
    """Build the concept index and write it as JSON."""
    from rlref.index import index_to_json

    built = load_checked_index(vault)
    write_atomic(json_path, json.dumps(index_to_json(built), ensure_ascii=False, indent=1))
    typer.echo(f"wrote {json_path} ({len(built.notes)} notes, {len(built.links)} links)")


def register(app: typer.Typer) -> None:
    app.command(name="index")(index)

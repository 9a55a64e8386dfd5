"""`rlref new`: create a paper note from the template and list it in the MOC."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

import typer

from rlref.cli.common import DEFAULT_VAULT, fail, require_vault
from rlref.cli.placement import (
    DEFAULT_MOC,
    ForceOption,
    MocOption,
    NewSectionOption,
    PathOption,
    SectionOption,
    SummaryOption,
    VaultOption,
    place_note,
    write_note_and_moc,
)

NOTE_TYPES = ("paper", "algorithm", "concept", "practice", "survey", "framework")
ARXIV_ID = re.compile(r"^\d{4}\.\d{4,5}$")


def new(
    title: Annotated[str, typer.Argument(help="The note's title (also its file name).")],
    section: SectionOption,
    arxiv: Annotated[str | None, typer.Option("--arxiv", help="arXiv id, e.g. 2507.18071.")] = None,
    note_type: Annotated[str, typer.Option("--type", help="Note type.")] = "paper",
    path: PathOption = None,
    summary: SummaryOption = "",
    new_section: NewSectionOption = False,
    force: ForceOption = False,
    vault: VaultOption = DEFAULT_VAULT,
    moc: MocOption = DEFAULT_MOC,
) -> None:
    """Create a `status: stub` note from the template and insert its link into the MOC."""
    from rlref.vault.authoring import domain_for, render_note

    root = require_vault(vault)
    if note_type not in NOTE_TYPES:
        raise fail(f"unknown --type '{note_type}' (one of: {', '.join(NOTE_TYPES)})", 1)
    if arxiv is not None and not ARXIV_ID.match(arxiv.removeprefix("arXiv:")):
        raise fail(f"'{arxiv}' is not an arXiv id like 2507.18071", 1)
    arxiv = arxiv.removeprefix("arXiv:") if arxiv else None
    placement = place_note(
        root, moc, section, title, path=path, new_section=new_section, force=force
    )
    text = render_note(title, note_type, domain_for(placement.folder), arxiv, date.today())
    write_note_and_moc(placement, text, title, summary, force=force)
    typer.echo(str(placement.note_file))


def register(app: typer.Typer) -> None:
    app.command()(new)

"""`rlref import`: bring an existing Markdown note (from another Obsidian vault) into kb."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from rlref.cli.common import DEFAULT_VAULT, fail, require_vault
from rlref.diagnostics import sort_diagnostics

if TYPE_CHECKING:
    pass
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


def import_note(
    source: Annotated[Path, typer.Argument(help="The Markdown note to import.")],
    section: SectionOption,
    note_type: Annotated[
        str, typer.Option("--type", help="Note type when the note does not state one.")
    ] = "paper",
    path: PathOption = None,
    summary: SummaryOption = "",
    new_section: NewSectionOption = False,
    force: ForceOption = False,
    vault: VaultOption = DEFAULT_VAULT,
    moc: MocOption = DEFAULT_MOC,
) -> None:
    """Copy a note into the vault (line endings, mojibake and missing frontmatter keys
    repaired, each change reported) with the files it embeds, list it in the MOC and report
    its unresolved links and missing embeds."""
    from rlref.cli.new import NOTE_TYPES
    from rlref.vault.attachments import plan_attachments
    from rlref.vault.authoring import domain_for
    from rlref.vault.importing import ImportProblem, prepare_import
    from rlref.vault.load import decode_note

    root = require_vault(vault)
    if note_type not in NOTE_TYPES:
        raise fail(f"unknown --type '{note_type}' (one of: {', '.join(NOTE_TYPES)})", 1)
    if not source.is_file():
        raise fail(f"'{source}' is not a file", 1)
    if source.suffix.lower() != ".md":
        raise fail(f"'{source}' is not a Markdown note (.md)", 1)
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise fail(f"cannot read {source}: {exc.strerror or exc}", 1) from None
    text, problems = decode_note(str(source), data)
    if problems:
        first = problems[0]
        raise fail(f"{first.path}:{first.line}: {first.message}; nothing imported", 1)
    file_title = unicodedata.normalize("NFC", source.stem)
    try:
        # The title decides the destination, which decides the domain: read it first.
        title = prepare_import(str(source), text, file_title, "", note_type, date.today()).title
        placement = place_note(
            root, moc, section, title, path=path, new_section=new_section, force=force
        )
        prepared = prepare_import(
            str(source), text, file_title, domain_for(placement.folder), note_type, date.today()
        )
    except ImportProblem as problem:
        for found in problem.diagnostics:
            typer.echo(f"{found.path}:{found.line}: error: {found.message}", err=True)
        raise fail("nothing imported", 1) from None
    plan = plan_attachments(prepared.text, source, root, placement.key)
    attachments = {}
    for copy in plan.copies:
        try:
            attachments[root / copy.dest] = copy.source.read_bytes()
        except OSError as exc:
            reason = exc.strerror or exc
            raise fail(f"cannot read {copy.source}: {reason}; nothing imported", 1) from None
    write_note_and_moc(
        placement, plan.text, prepared.title, summary, force=force, attachments=attachments
    )
    for change in prepared.changes:
        typer.echo(f"  {change}")
    for copy in plan.copies:
        typer.echo(f"  attachment {copy.source.name} → {copy.dest}")
    _report_links(root, placement.key)
    typer.echo(str(placement.note_file))


def _report_links(root: Path, key: str) -> None:
    """The imported note's own problems (links to notes this vault lacks, …), each with the
    severity `rlref check` gives it."""
    from rlref.index import build_index
    from rlref.vault import load_vault

    index = build_index(load_vault(root))
    note = index.notes.get(key)
    mine = [d for d in index.diagnostics if note is not None and d.path == note.path]
    for diagnostic in sort_diagnostics(mine):
        typer.echo(diagnostic.format())
    if mine:
        typer.echo(f"  {len(mine)} problem(s) to fix in the imported note; then `rlref check`")


def register(app: typer.Typer) -> None:
    app.command(name="import")(import_note)

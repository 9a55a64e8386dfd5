"""`rlref import`: bring the user's material into the vault — notes from another Obsidian
vault, whole folders, RSS/Atom feeds and HTML pages."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from rlref.cli.common import DEFAULT_VAULT, fail, require_vault
from rlref.diagnostics import sort_diagnostics

if TYPE_CHECKING:
    from rlref.vault.incoming import Incoming
from rlref.cli.placement import (
    DEFAULT_MOC,
    ForceOption,
    MocOption,
    NewSectionOption,
    PathOption,
    Placement,
    SectionOption,
    SummaryOption,
    VaultOption,
    place_note,
    write_note_and_moc,
)

DryRunOption = Annotated[
    bool,
    typer.Option("--dry-run", help="Print the plan (notes, repairs, links); write nothing."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the plan or report as JSON.")]


@dataclass
class Planned:
    """One note of the import, ready to write."""

    origin: str
    placement: Placement
    text: str
    title: str
    changes: list[str]
    attachments: dict[Path, bytes] = field(default_factory=dict)
    links_rewritten: int = 0
    uncertain: list[dict[str, object]] = field(default_factory=list)  # mojibake choices

    def as_json(self) -> dict[str, object]:
        return {
            "source": self.origin,
            "note": f"{self.placement.key}.md",
            "title": self.title,
            "changes": self.changes,
            "attachments": sorted(
                str(p.relative_to(self.placement.root)) for p in self.attachments
            ),
            "links_rewritten": self.links_rewritten,
            "overwrites": self.placement.note_file.exists(),
            "uncertain": self.uncertain,
        }


def import_note(
    sources: Annotated[
        list[Path],
        typer.Argument(help="Notes, folders, feeds (RSS/Atom) or HTML pages to import."),
    ],
    section: SectionOption,
    note_type: Annotated[
        str, typer.Option("--type", help="Note type when the note does not state one.")
    ] = "paper",
    path: PathOption = None,
    summary: SummaryOption = "",
    new_section: NewSectionOption = False,
    force: ForceOption = False,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
    vault: VaultOption = DEFAULT_VAULT,
    moc: MocOption = DEFAULT_MOC,
) -> None:
    """Bring notes in: Markdown files, whole folders, RSS/Atom feeds (a note per item) and
    HTML pages. Line endings, mojibake, missing frontmatter and unsafe HTML are repaired
    (each change reported), embedded files come along, links between imported notes are
    rewritten to their new paths, and each note is listed in the MOC section. With one note,
    --path is its vault path; with several, the folder they go to."""
    from rlref.cli.new import NOTE_TYPES
    from rlref.vault.incoming import IncomingError, collect, skipped_template_folders

    root = require_vault(vault)
    if note_type not in NOTE_TYPES:
        raise fail(f"unknown --type '{note_type}' (one of: {', '.join(NOTE_TYPES)})", 1)
    try:
        incoming = collect(sources)
    except IncomingError as problem:
        raise fail(f"{problem}; nothing imported", 1) from None
    for templates in skipped_template_folders(sources):
        typer.echo(f"{templates}: skipped: the vault's template folder (templates, not notes)",
                   err=True)
    plan = _plan(incoming, root, moc, section, note_type, path, new_section, force)
    if dry_run:
        _print_plan(plan, as_json)
        return
    with _progress(len(plan)) as advance:
        for planned in plan:
            write_note_and_moc(
                planned.placement,
                planned.text,
                planned.title,
                summary,
                force=force,
                attachments=planned.attachments,
            )
            advance()
    if as_json:
        _print_plan(plan, True)
    else:
        for planned in plan:
            for change in planned.changes:
                typer.echo(f"  {planned.origin}: {change}" if len(plan) > 1 else f"  {change}")
    _report_links(root, [p.placement.key for p in plan])
    if not as_json:
        for planned in plan:
            typer.echo(str(planned.placement.note_file))


def _plan(
    incoming: list[Incoming],
    root: Path,
    moc: str,
    section: str,
    note_type: str,
    path: str | None,
    new_section: bool,
    force: bool,
) -> list[Planned]:
    """Every note placed, prepared and checked for conflicts before anything is written."""
    from rlref.vault.attachments import plan_attachments
    from rlref.vault.authoring import domain_for, safe_file_name
    from rlref.vault.importing import ImportProblem, prepare_import, repair_path, repaired_name
    from rlref.vault.incoming import folder_resolver, rewrite_links
    from rlref.vault.load import vault_vocabulary

    single = len(incoming) == 1 and incoming[0].relative is None
    folder: str | None = None if single else (path or "").strip("/") or None
    planned: list[Planned] = []
    keys: dict[tuple[Path, str], str] = {}
    vocabulary = vault_vocabulary(root, [f"{i.stem}\n{i.text}" for i in incoming])
    try:
        for item in incoming:
            # mojibake in the file name (in a folder: in each folder name too)
            name = repaired_name(item.stem, vocabulary)
            relative = item.relative
            if relative is not None:
                name = repair_path(relative, vocabulary)
                relative = name.name
            stem = name.name.rsplit("/", 1)[-1]
            title = prepare_import(
                item.origin, item.text, stem, "", note_type, item.written, vocabulary
            ).title
            if single:
                where = path
            else:
                if folder is None:  # the section's folder, found once
                    folder = place_note(
                        root, moc, section, title, path=None, new_section=new_section, force=True
                    ).folder
                file = relative if relative is not None else safe_file_name(title)
                base = f"{folder}/{item.folder_root.name}" if item.folder_root else folder
                where = f"{base}/{file}".strip("/")
            placement = place_note(
                root, moc, section, title, path=where, new_section=new_section, force=force
            )
            prepared = prepare_import(
                item.origin,
                item.text,
                stem,
                domain_for(placement.folder),
                note_type,
                item.written,
                vocabulary,
            )
            if item.folder_root is not None and item.relative is not None:
                keys[(item.folder_root, item.relative)] = placement.key
                if relative is not None:  # links may name the note as damaged or as repaired
                    keys[(item.folder_root, relative)] = placement.key
            planned.append(
                Planned(
                    item.origin,
                    placement,
                    prepared.text,
                    prepared.title,
                    [*item.report, *name.changes, *prepared.changes],
                    uncertain=[*name.uncertain, *prepared.uncertain_json()],
                )
            )
    except ImportProblem as problem:
        for found in problem.diagnostics:
            typer.echo(f"{found.path}:{found.line}: error: {found.message}", err=True)
        raise fail("nothing imported", 1) from None
    taken = [p.placement.key for p in planned]
    if len(set(taken)) != len(taken):
        twice = sorted({k for k in taken if taken.count(k) > 1})
        raise fail(f"two imported notes would both be {', '.join(twice)}; nothing imported", 1)
    for item, note in zip(incoming, planned, strict=True):
        if item.folder_root is not None:
            mine = {rel: key for (top, rel), key in keys.items() if top == item.folder_root}
            note.text, note.links_rewritten = rewrite_links(note.text, folder_resolver(mine))
        attachments = plan_attachments(
            note.text, item.file, root, note.placement.key, item.folder_root
        )
        note.text = attachments.text
        for copy in attachments.copies:
            try:
                note.attachments[root / copy.dest] = copy.source.read_bytes()
            except OSError as exc:
                reason = exc.strerror or exc
                raise fail(f"cannot read {copy.source}: {reason}; nothing imported", 1) from None
            note.changes.append(f"attachment {copy.source.name} → {copy.dest}")
        if note.links_rewritten:
            note.changes.append(f"{note.links_rewritten} link(s) rewritten to the new paths")
    return planned


def _print_plan(plan: list[Planned], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps([p.as_json() for p in plan], ensure_ascii=False, indent=2))
        return
    for planned in plan:
        verb = "overwrite" if planned.placement.note_file.exists() else "create"
        typer.echo(f"{verb} {planned.placement.key}.md ← {planned.origin}")
        for change in planned.changes:
            typer.echo(f"    {change}")
    typer.echo(f"{len(plan)} note(s) planned; nothing written (--dry-run)")


@contextlib.contextmanager
def _progress(total: int) -> Iterator[Callable[[], None]]:
    """A progress bar for imports of several notes (on stderr); nothing for one."""
    if total < 2:
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("导入"), BarColumn(), MofNCompleteColumn(), console=Console(stderr=True)
    ) as progress:
        task = progress.add_task("import", total=total)
        yield lambda: progress.advance(task)


def _report_links(root: Path, keys: list[str]) -> None:
    """The imported notes' own problems (links to notes this vault lacks, …), each with the
    severity `rlref check` gives it."""
    from rlref.index import build_index
    from rlref.vault import load_vault

    index = build_index(load_vault(root))
    paths = {index.notes[key].path for key in keys if key in index.notes}
    mine = [d for d in index.diagnostics if d.path in paths]
    for diagnostic in sort_diagnostics(mine):
        typer.echo(diagnostic.format())
    if mine:
        typer.echo(f"  {len(mine)} problem(s) to fix in the imported note(s); then `rlref check`")


def register(app: typer.Typer) -> None:
    app.command(name="import")(import_note)

"""`rlref new`: create a paper note from the template and list it in the MOC."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from rlref.cli.common import DEFAULT_VAULT, fail, require_vault, write_atomic

NOTE_TYPES = ("paper", "algorithm", "concept", "practice", "survey", "framework")
ARXIV_ID = re.compile(r"^\d{4}\.\d{4,5}$")
DEFAULT_MOC = "AI/LLM/RL/_MOC"
RELATED_SECTION = "相关 MOC"


def _section_folder(moc_key: str, section_lines: list[str], vault_root: Path, title: str) -> str:
    """Where the notes of a section live: the folder most of its linked notes are in."""
    from rlref.index.build import link_targets
    from rlref.vault import Resolved, load_vault, resolve_link
    from rlref.vault.parse import WIKILINK_IN_TEXT, split_wikilink

    vault = load_vault(vault_root)
    targets = link_targets(vault)
    folders: Counter[str] = Counter()
    for line in section_lines:
        for match in WIKILINK_IN_TEXT.finditer(line):
            link = split_wikilink(match.group(2), False, 0)
            found = resolve_link(moc_key, link.target, targets)
            if isinstance(found, Resolved) and found.kind == "note":
                folders[found.path.rsplit("/", 1)[0] if "/" in found.path else ""] += 1
    if folders:
        return folders.most_common(1)[0][0]
    from rlref.vault.authoring import section_folder_name

    base = moc_key.rsplit("/", 1)[0] if "/" in moc_key else ""
    return f"{base}/{section_folder_name(title)}".strip("/")


def new(
    title: Annotated[str, typer.Argument(help="The note's title (also its file name).")],
    section: Annotated[str, typer.Option("--section", help="MOC section, e.g. Other-Algorithms.")],
    arxiv: Annotated[str | None, typer.Option("--arxiv", help="arXiv id, e.g. 2507.18071.")] = None,
    note_type: Annotated[str, typer.Option("--type", help="Note type.")] = "paper",
    path: Annotated[
        str | None, typer.Option("--path", help="Vault path of the note (without .md).")
    ] = None,
    summary: Annotated[str, typer.Option("--summary", help="One line for the MOC entry.")] = "",
    new_section: Annotated[
        bool, typer.Option("--new-section", help="Create the section when it does not exist.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing note.")] = False,
    vault: Annotated[Path, typer.Option("--vault", help="Vault folder.")] = DEFAULT_VAULT,
    moc: Annotated[str, typer.Option("--moc", help="Vault path of the MOC.")] = DEFAULT_MOC,
) -> None:
    """Create a `status: stub` note from the template and insert its link into the MOC."""
    from rlref.vault.authoring import (
        add_moc_section,
        domain_for,
        find_section,
        insert_moc_entry,
        moc_entry,
        moc_sections,
        render_note,
        safe_file_name,
    )
    from rlref.vault.resolve import escapes_vault

    root = require_vault(vault)
    if note_type not in NOTE_TYPES:
        raise fail(f"unknown --type '{note_type}' (one of: {', '.join(NOTE_TYPES)})", 1)
    if arxiv is not None and not ARXIV_ID.match(arxiv.removeprefix("arXiv:")):
        raise fail(f"'{arxiv}' is not an arXiv id like 2507.18071", 1)
    arxiv = arxiv.removeprefix("arXiv:") if arxiv else None
    moc_key = moc.removesuffix(".md")
    moc_file = root / f"{moc_key}.md"
    if not moc_file.is_file():
        raise fail(f"MOC '{moc_file}' does not exist", 1)
    moc_text = moc_file.read_text(encoding="utf-8")
    sections = moc_sections(moc_text)
    found = find_section(sections, section)
    if found is None:
        if not new_section:
            known = "\n".join(f"  - {s.title}" for s in sections)
            raise fail(
                f"no section '{section}' in {moc_file}; known sections:\n{known}\n"
                "(use --new-section to create it)",
                1,
            )
        moc_text = add_moc_section(moc_text, section, before=RELATED_SECTION)
        sections = moc_sections(moc_text)
        found = find_section(sections, section)
        assert found is not None
    lines = moc_text.split("\n")
    if path:
        key = path.removesuffix(".md").strip("/")
        if escapes_vault(key):
            raise fail(f"--path '{path}' leaves the vault", 1)
    else:
        folder = _section_folder(moc_key, lines[found.line : found.end], root, found.title)
        key = f"{folder}/{safe_file_name(title)}".strip("/")
    note_file = root / f"{key}.md"
    if note_file.exists() and not force:
        raise fail(f"{note_file} exists; not overwriting it (use --force)", 1)
    folder = key.rsplit("/", 1)[0] if "/" in key else ""
    text = render_note(title, note_type, domain_for(folder), arxiv, date.today())
    if f"[[{key}|" not in moc_text and f"[[{key}]]" not in moc_text:
        entry = moc_entry(key, title, summary or "待补充一句话描述")
        moc_text = insert_moc_entry(moc_text, found, entry)
    _write_note_and_moc(note_file, text, moc_file, moc_text)
    typer.echo(str(note_file))


def _write_note_and_moc(note_file: Path, text: str, moc_file: Path, moc_text: str) -> None:
    """Both files or neither: a failed MOC write puts the note back as it was."""
    previous = note_file.read_bytes() if note_file.exists() else None  # kept for --force
    try:
        write_atomic(note_file, text)
    except OSError as exc:
        raise fail(f"could not write {note_file}: {exc}", 1) from None
    try:
        write_atomic(moc_file, moc_text)
    except OSError as exc:
        if previous is None:
            note_file.unlink(missing_ok=True)
        else:
            write_atomic(note_file, previous.decode("utf-8"))
        raise fail(f"could not write {moc_file}: {exc}; {note_file} left as it was", 1) from None


def register(app: typer.Typer) -> None:
    app.command()(new)

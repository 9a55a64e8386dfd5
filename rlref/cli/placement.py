"""Where a new note goes and how it lands: shared by `rlref new` and `rlref import`.

A note is placed in a MOC section (its folder is where most of that section's notes live),
refused when it would overwrite a note without ``--force``, and written together with its
MOC entry: both files or neither.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from rlref.cli.common import fail
from rlref.vault.authoring import (
    MocSection,
    add_moc_section,
    find_section,
    insert_moc_entry,
    moc_entry,
    moc_sections,
    safe_file_name,
    section_folder_name,
)
from rlref.vault.boundary import OutsideVault, write_target
from rlref.vault.resolve import escapes_vault
from rlref.vault.writes import commit_files, recover, vault_lock

DEFAULT_MOC = "AI/LLM/RL/_MOC"
RELATED_SECTION = "相关 MOC"

# The options `rlref new` and `rlref import` share (both place a note in a MOC section).
SectionOption = Annotated[
    str, typer.Option("--section", help="MOC section, e.g. Other-Algorithms.")
]
PathOption = Annotated[
    str | None, typer.Option("--path", help="Vault path of the note (without .md).")
]
SummaryOption = Annotated[str, typer.Option("--summary", help="One line for the MOC entry.")]
NewSectionOption = Annotated[
    bool, typer.Option("--new-section", help="Create the section when it does not exist.")
]
ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite an existing note.")]
VaultOption = Annotated[Path, typer.Option("--vault", help="Vault folder.")]
MocOption = Annotated[str, typer.Option("--moc", help="Vault path of the MOC.")]


@dataclass
class Placement:
    root: Path
    moc_file: Path
    moc_text: str  # with the section added when it was created
    section: MocSection
    key: str  # vault path of the note, without ".md"

    @property
    def note_file(self) -> Path:
        return self.root / f"{self.key}.md"

    @property
    def folder(self) -> str:
        return self.key.rsplit("/", 1)[0] if "/" in self.key else ""


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
    base = moc_key.rsplit("/", 1)[0] if "/" in moc_key else ""
    return f"{base}/{section_folder_name(title)}".strip("/")


def _plain_line(what: str, text: str) -> str:
    """A title or section name: one line of text, no control characters."""
    if not text.strip():
        raise fail(f"{what} is empty", 1)
    bad = sorted({f"U+{ord(c):04X}" for c in text if unicodedata.category(c) in ("Cc", "Cf")
                  and c not in "\u200d"})  # ZWJ joins emoji: allowed
    if bad:
        raise fail(f"{what} {text!r} contains control characters ({', '.join(bad)}): "
                   "a title or section is one line of text", 1)
    return text.strip()


def _inside(root: Path, relative: str, what: str) -> Path:
    try:
        return write_target(root, relative)
    except OutsideVault as problem:
        raise fail(f"{what} {problem}", 1) from None


def place_note(
    root: Path,
    moc: str,
    section: str,
    title: str,
    *,
    path: str | None,
    new_section: bool,
    force: bool,
) -> Placement:
    """Find the section (or create it when asked) and the note's vault path; refuse to
    overwrite an existing note unless ``force``, and any path that leaves the vault. Raises
    a user-facing exit on any problem."""
    title = _plain_line("title", title)
    section = _plain_line("--section", section)
    moc_key = moc.removesuffix(".md")
    moc_file = _inside(root, f"{moc_key}.md", "--moc")
    if not moc_file.is_file():
        raise fail(f"MOC '{moc_file}' does not exist", 1)
    moc_text = _read_moc(moc_file)
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
        found = find_section(moc_sections(moc_text), section)
        if found is None:  # a name Markdown reads differently as a heading (e.g. "# x")
            raise fail(f"--section {section!r} cannot be written as a MOC heading", 1)
    if path:
        key = path.removesuffix(".md").strip("/")
        if escapes_vault(key):
            raise fail(f"--path '{path}' leaves the vault", 1)
    else:
        lines = moc_text.split("\n")[found.line : found.end]
        folder = _section_folder(moc_key, lines, root, found.title)
        key = f"{folder}/{safe_file_name(title)}".strip("/")
    _inside(root, f"{key}.md", "--path")
    placement = Placement(root, moc_file, moc_text, found, key)
    if placement.note_file.exists() and not force:
        raise fail(f"{placement.note_file} exists; not overwriting it (use --force)", 1)
    return placement


def _read_moc(moc_file: Path) -> str:
    try:
        return moc_file.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        message = f"{moc_file}: not valid UTF-8 (byte {exc.start}); fix the MOC first"
        raise fail(message, 1) from None
    except OSError as exc:
        raise fail(f"cannot read {moc_file}: {exc.strerror or exc}", 1) from None


def write_note_and_moc(
    placement: Placement,
    text: str,
    title: str,
    summary: str,
    *,
    force: bool = False,
    attachments: dict[Path, bytes] | None = None,
) -> None:
    """Write the note, (when it is not listed yet) its MOC entry and its ``attachments``
    (new files only): all or nothing.

    Under the vault's write lock the MOC is read again, so that additions made meanwhile by
    another `rlref new`/`import` are kept; a crash at any point is finished or undone at the
    next write (``rlref.vault.writes``)."""
    root, note_file, moc_file = placement.root, placement.note_file, placement.moc_file
    try:
        with vault_lock(root):
            for done in recover(root):
                typer.echo(f"  {done}")
            moc_text = _read_moc(moc_file)
            section = find_section(moc_sections(moc_text), placement.section.title)
            if section is None:  # created by this addition (--new-section)
                moc_text = add_moc_section(moc_text, placement.section.title,
                                           before=RELATED_SECTION)
                section = find_section(moc_sections(moc_text), placement.section.title)
                if section is None:
                    raise fail(f"section {placement.section.title!r} vanished from the MOC", 1)
            if note_file.exists() and not force:
                raise fail(f"{note_file} exists; not overwriting it (use --force)", 1)
            key = placement.key
            if f"[[{key}|" not in moc_text and f"[[{key}]]" not in moc_text:
                entry = moc_entry(key, title, summary or "待补充一句话描述")
                moc_text = insert_moc_entry(moc_text, section, entry)
            files = {note_file: text.encode("utf-8"), moc_file: moc_text.encode("utf-8")}
            for target, data in (attachments or {}).items():
                if target.exists() and target.read_bytes() != data:
                    raise fail(f"{target} appeared meanwhile with other contents; run again", 1)
                if not target.exists():
                    files[target] = data
            commit_files(root, files)
    except OSError as exc:
        raise fail(f"could not write {note_file} and {moc_file}: {exc}; nothing changed", 1) \
            from None

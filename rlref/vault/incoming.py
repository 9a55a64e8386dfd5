"""What `rlref import` is given, read into notes: Markdown files, whole folders, feeds, pages.

Each path is judged by its content (``rlref.vault.web.detect_kind``), not its name: a folder
brings every note below it (tool folders skipped) and keeps its layout; a feed brings one note
per item; an HTML page one note; anything else is a Markdown note. Links between the notes of
an imported folder are rewritten to their new vault paths (``rewrite_links``).
"""

from __future__ import annotations

import posixpath
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rlref.vault.boundary import max_file_bytes, refusal
from rlref.vault.load import decode_note, walk_vault
from rlref.vault.obsidian import template_folders
from rlref.vault.parse import parse_note
from rlref.vault.web import detect_kind, feed_notes, page_note


@dataclass
class Incoming:
    """One note to import."""

    origin: str  # how messages name it: a file, or "feed.xml item 3"
    file: Path  # the file it came from (its embeds are looked for next to it)
    text: str  # Markdown, frontmatter included when the source had one
    stem: str  # the title when the note gives none (a file name, an item title)
    written: date  # the `date` of a note without frontmatter: when its file was written
    folder_root: Path | None = None  # the imported folder it belongs to
    relative: str | None = None  # its path in that folder, without ".md"
    report: list[str] = field(default_factory=list)


class IncomingError(ValueError):
    """A path that cannot be imported; the message names it."""


def _modified(file: Path) -> date:
    try:
        return date.fromtimestamp(file.stat().st_mtime)
    except (OSError, ValueError, OverflowError):
        return date.today()


def _read(file: Path, limit: int) -> bytes:
    reason = refusal(file.parent.resolve(), file, limit)
    if reason is not None and "outside the vault" not in reason:
        raise IncomingError(f"{file}: {reason}")
    try:
        return file.read_bytes()
    except OSError as exc:
        raise IncomingError(f"cannot read {file}: {exc.strerror or exc}") from None


def _markdown(file: Path, data: bytes, **where: object) -> Incoming:
    text, problems = decode_note(str(file), data)
    if problems:
        first = problems[0]
        raise IncomingError(f"{first.path}:{first.line}: {first.message}")
    stem = unicodedata.normalize("NFC", file.stem)
    return Incoming(str(file), file, text, stem, _modified(file), **where)  # type: ignore[arg-type]


def collect(paths: list[Path]) -> list[Incoming]:
    """The notes ``paths`` hold, in order; raises IncomingError naming the first bad path."""
    limit = max_file_bytes()
    found: list[Incoming] = []
    for path in paths:
        if path.is_dir():
            found += _folder(path, limit)
            continue
        if not path.is_file():
            raise IncomingError(f"'{path}' is neither a file nor a folder")
        data = _read(path, limit)
        kind = detect_kind(data)
        if kind == "feed":
            items = feed_notes(data)
            if not items:
                raise IncomingError(f"{path}: a feed with no items")
            for n, item in enumerate(items, start=1):
                text = item.text()
                found.append(Incoming(f"{path} item {n}", path, text, item.title,
                                      _modified(path), report=item.report))
        elif kind == "html":
            item = page_note(data, unicodedata.normalize("NFC", path.stem))
            found.append(Incoming(str(path), path, item.text(), item.title, _modified(path),
                                  report=item.report))
        else:
            found.append(_markdown(path, data))
    return found


def _folder(root: Path, limit: int) -> list[Incoming]:
    notes = []
    for file in walk_vault(root)[0]:
        relative = unicodedata.normalize("NFC", file.relative_to(root).with_suffix("").as_posix())
        notes.append(_markdown(file, _read(file, limit), folder_root=root, relative=relative))
    if not notes:
        raise IncomingError(f"'{root}' holds no Markdown note")
    return notes


def skipped_template_folders(paths: list[Path]) -> list[Path]:
    """The template folders (Obsidian's settings) of the folders among ``paths``: their notes
    are templates (``title: {{title}}``), not notes, and are not imported."""
    return [
        path / folder
        for path in paths
        if path.is_dir()
        for folder in sorted(template_folders(path))
        if (path / folder).is_dir()
    ]


def rewrite_links(text: str, new_key: Callable[[str], str | None]) -> tuple[str, int]:
    """``text`` with each wikilink whose target ``new_key`` maps rewritten to that vault path
    (the text shown stays what the reader saw); returns the text and how many changed."""
    note = parse_note("incoming.md", text)
    lines = text.split("\n")
    changed = 0
    for link in note.links:
        key = new_key(link.target) if link.target else None
        if key is None:
            continue
        fragment = f"#^{link.block}" if link.block else (f"#{link.heading}" if link.heading else "")
        shown = link.alias or (link.target if not link.embed else None)
        rebuilt = ("!" if link.embed else "") + f"[[{key}{fragment}" + (
            f"|{shown}" if shown else ""
        ) + "]]"
        if rebuilt != link.raw:
            lines[link.line - 1] = lines[link.line - 1].replace(link.raw, rebuilt, 1)
            changed += 1
    return "\n".join(lines), changed


def folder_resolver(keys: dict[str, str]) -> Callable[[str], str | None]:
    """Obsidian's look-up among an imported folder's notes: a path, or a unique name (the
    shortest path wins); ``keys`` maps each note's folder-relative path to its new key."""
    by_name: dict[str, list[str]] = {}
    for relative in keys:
        by_name.setdefault(posixpath.basename(relative).casefold(), []).append(relative)

    def new_key(target: str) -> str | None:
        target = unicodedata.normalize("NFC", target.strip()).removesuffix(".md")
        if target in keys:
            return keys[target]
        candidates = sorted(by_name.get(posixpath.basename(target).casefold(), []), key=len)
        matching = [c for c in candidates if c.casefold().endswith(target.casefold())]
        return keys[matching[0]] if matching else None

    return new_key

"""Attachments of an imported note: find the files it embeds, plan their copies, rewrite embeds.

Obsidian finds ``![[pic.png]]`` by name anywhere in the vault (the shortest unique path), and
``![alt](img/pic.png)`` relative to the note. An imported note's attachments are looked for
the same way in its source: next to the note, in the source vault's attachment folder
(``.obsidian/app.json``'s ``attachmentFolderPath``), then anywhere in the source vault. Each
found file is copied into the destination vault's attachment folder and the embed rewritten
to the copy's vault path; what cannot be found stays an unresolved embed and is reported.

Only regular files inside the source vault (or the note's own folder when it has no vault)
are copied: a symlink that leads elsewhere is treated as missing.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote

from rlref.vault.boundary import is_inside, refusal
from rlref.vault.obsidian import settings, vault_folder
from rlref.vault.parse import parse_note

DEFAULT_ATTACHMENT_FOLDER = "assets"
MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024
_MARKDOWN_IMAGE = re.compile(r"(!\[[^\]\n]*\]\()(<[^>\n]*>|[^)\s]+)")


@dataclass(frozen=True)
class AttachmentCopy:
    source: Path  # the file in the source folder
    dest: str  # its vault path in the destination vault


@dataclass
class AttachmentPlan:
    text: str  # the note with its embeds rewritten to the copies
    copies: list[AttachmentCopy] = field(default_factory=list)
    missing: list[tuple[int, str]] = field(default_factory=list)  # (line, what was embedded)


def find_vault_root(note_file: Path) -> Path | None:
    """The Obsidian vault holding ``note_file``: the nearest folder with ``.obsidian/``."""
    for folder in note_file.resolve().parents:
        if (folder / ".obsidian").is_dir():
            return folder
    return None


def attachment_folder(vault_root: Path | None) -> str:
    """The vault's attachment folder (vault path, "" for the root), as Obsidian configures it.

    Obsidian's "same folder as the note" (``./…``) has no single folder: then, and when
    nothing is configured, the folder is ``assets``.
    """
    if vault_root is not None:
        folder = settings(vault_root, "app.json").get("attachmentFolderPath")
        if isinstance(folder, str) and folder != "." and not folder.startswith("./"):
            found = vault_folder(folder)  # "/" is the root; no ".."
            if found is not None:
                return found
    return DEFAULT_ATTACHMENT_FOLDER


def _usable(path: Path, root: Path) -> bool:
    """A regular file inside ``root`` (symlinks followed), within the size limit: the
    vault-boundary rules of ``rlref.vault.boundary``, applied to the source folder."""
    resolved = root.resolve()
    return (
        path.exists()
        and is_inside(path, resolved)
        and refusal(resolved, path, MAX_ATTACHMENT_BYTES) is None
    )


class _SourceFiles:
    """Where the source's embedded files are: next to the note, then in its vault."""

    def __init__(self, note_file: Path, root: Path | None = None) -> None:
        self.note_dir = note_file.parent
        self.root = find_vault_root(note_file) or root or self.note_dir
        self.attachments = self.root / attachment_folder(find_vault_root(note_file))
        self._by_name: dict[str, list[Path]] | None = None

    def find(self, target: str, relative_only: bool = False) -> Path | None:
        target = target.strip().lstrip("/")
        if not target or target.endswith(".md"):
            return None
        candidates = [self.note_dir / target]
        if not relative_only:
            candidates += [self.attachments / posixpath.basename(target), self.root / target]
        for candidate in candidates:
            if _usable(candidate, self.root):
                return candidate
        if relative_only:
            return None
        # Obsidian's by-name look-up: the file whose path ends with the target.
        matches = [
            p
            for p in self._names().get(posixpath.basename(target).casefold(), [])
            if p.relative_to(self.root).as_posix().casefold().endswith(target.casefold())
        ]
        usable = sorted((p for p in matches if _usable(p, self.root)), key=lambda p: len(p.parts))
        return usable[0] if usable else None

    def _names(self) -> dict[str, list[Path]]:
        if self._by_name is None:
            self._by_name = {}
            for path in self.root.rglob("*"):
                if ".obsidian" in path.parts or path.suffix.lower() == ".md":
                    continue
                self._by_name.setdefault(path.name.casefold(), []).append(path)
        return self._by_name


def _destination(
    name: str, source: Path, folder: str, dest_root: Path, taken: dict[str, Path]
) -> str:
    """A vault path for ``source`` in ``folder``: its own name, unless another file has it."""
    stem, ext = posixpath.splitext(name)
    for n in range(1000):
        candidate = posixpath.join(folder, f"{stem}-{n}{ext}" if n else name)
        if candidate in taken:
            if taken[candidate] == source:
                return candidate
            continue
        existing = dest_root / candidate
        if not existing.exists() or _same_bytes(existing, source):
            taken[candidate] = source
            return candidate
    raise ValueError(f"no free name for {name} in {folder}")


def _same_bytes(a: Path, b: Path) -> bool:
    try:
        return a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()
    except OSError:
        return False


def plan_attachments(
    text: str, note_file: Path, dest_root: Path, dest_key: str, source_root: Path | None = None
) -> AttachmentPlan:
    """Find what ``text`` (the note read from ``note_file``) embeds; plan copies into
    ``dest_root``'s attachment folder and rewrite the embeds to them. ``source_root`` (an
    imported folder) is searched when the note belongs to no Obsidian vault."""
    source = _SourceFiles(note_file, source_root)
    folder = attachment_folder(dest_root)
    note = parse_note(note_file.name, text)
    lines = text.split("\n")
    plan = AttachmentPlan(text)
    taken: dict[str, Path] = {}
    for link in note.links:
        if not link.embed or not link.target or posixpath.splitext(link.target)[1] in ("", ".md"):
            continue
        found = source.find(link.target)
        if found is None:
            plan.missing.append((link.line, link.raw))
            continue
        dest = _destination(found.name, found, folder, dest_root, taken)
        plan.copies.append(AttachmentCopy(found, dest))
        rewritten = "![[" + dest + (f"|{link.alias}" if link.alias else "") + "]]"
        lines[link.line - 1] = lines[link.line - 1].replace(link.raw, rewritten)
    note_folder = posixpath.dirname(dest_key)
    for image in note.markdown_links:
        url = unquote(image.url)
        if not image.image or not url or "://" in url or url.startswith(("data:", "/", "#")):
            continue
        found = source.find(url, relative_only=True)
        if found is None:
            plan.missing.append((image.line, image.url))
            continue
        dest = _destination(found.name, found, folder, dest_root, taken)
        plan.copies.append(AttachmentCopy(found, dest))
        relative = quote(posixpath.relpath(dest, note_folder or "."), safe="/")
        lines[image.line - 1] = _MARKDOWN_IMAGE.sub(
            lambda m, url=url, relative=relative: m.group(1) + relative
            if unquote(m.group(2).strip("<>")) == url
            else m.group(0),
            lines[image.line - 1],
        )
    plan.text = "\n".join(lines)
    plan.copies = list({c.dest: c for c in plan.copies}.values())
    return plan

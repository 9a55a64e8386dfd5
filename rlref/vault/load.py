"""Read a vault from disk: the only I/O of ``rlref.vault``."""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rlref.diagnostics import Diagnostic, diagnose
from rlref.vault.boundary import max_file_bytes, refusal
from rlref.vault.model import Note
from rlref.vault.obsidian import template_folders
from rlref.vault.parse import parse_note

if TYPE_CHECKING:
    from rlref.vault.mojibake import Vocabulary

ATTACHMENT_BYTES = 50 * 1024 * 1024  # pictures and PDFs may be larger than notes
SKIPPED_DIRS = {".obsidian", ".git", ".trash", "node_modules", "__pycache__"}


@dataclass
class Vault:
    root: Path
    notes: dict[str, Note]  # keyed by vault path without ".md"
    attachments: set[str]  # vault paths of non-Markdown files (images, PDFs, …)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def note_by_path(self, path: str) -> Note | None:
        return self.notes.get(path.removesuffix(".md"))


def vault_path(root: Path, file: Path) -> str:
    """The vault-relative POSIX path of ``file``, NFC-normalised (macOS writes NFD); a name
    that is not UTF-8 is shown with its bytes escaped."""
    relative = file.relative_to(root).as_posix()
    relative = os.fsencode(relative).decode("utf-8", errors="backslashreplace")
    return unicodedata.normalize("NFC", relative)


def decode_note(path: str, data: bytes) -> tuple[str, list[Diagnostic]]:
    """Decode UTF-8, reporting the first invalid byte by line and byte offset."""
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        message = f"invalid UTF-8 at byte {exc.start} (0x{data[exc.start]:02x}): {exc.reason}"
        return data.decode("utf-8", errors="replace"), [Diagnostic(path, line, "error", message)]


# UTF-8 read as Latin-1/cp1252 always leaves characters of U+0080–U+00FF behind; lines
# without one cannot be mojibake of that kind, and skipping them keeps the check cheap.
_LATIN1_SUPPLEMENT = re.compile("[\u0080-\u00ff]")
# More narrowly, it leaves a lead byte (Ã, å, æ, ç …) followed by a continuation byte as
# Latin-1 (U+0080–U+00BF) or as cp1252's letters for 0x80–0x9F (€ ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’
# “ ” • – — ˜ ™ š › œ ž Ÿ). Text with only legitimate ×, ·, ± or Â never reaches ftfy.
_CP1252_CONTINUATION = "\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc" \
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
_UTF8_AS_CP1252 = re.compile(f"[\u00c2-\u00f4][{_CP1252_CONTINUATION}]")


def mojibake_diagnostics(path: str, text: str) -> list[Diagnostic]:
    """Judge line by line: a whole-file badness test misfires on long files. A line whose
    bytes were lost (UTF-8 read as cp1252) is named as such: ``rlref import`` recovers it;
    only lines that look damaged are analysed, and no language model runs here."""
    found: list[Diagnostic] = []
    if not _UTF8_AS_CP1252.search(text):
        return found
    # ftfy and the recovery model are imported only for a text that may hold mojibake.
    from ftfy import fix_text
    from ftfy.badness import is_bad

    from rlref.vault.mojibake import line_kind

    for number, line in enumerate(text.split("\n"), start=1):
        if not _LATIN1_SUPPLEMENT.search(line):
            continue
        kind = line_kind(line)
        quoted = line.strip()[:80]
        if kind == "lossy":
            message = (f"mojibake: {quoted!r} — lossy (UTF-8 read as Windows-1252, bytes "
                       "lost); `rlref import` can recover it")
            found.append(diagnose("mojibake", path, number, message))
            continue
        if kind is None and not is_bad(line):
            continue
        repaired = fix_text(line)
        if repaired != line:
            message = f"mojibake: {quoted!r} — ftfy repairs it as {repaired.strip()[:80]!r}"
            found.append(diagnose("mojibake", path, number, message))
        else:
            message = f"possible mojibake: {quoted!r}"
            found.append(diagnose("possible-mojibake", path, number, message))
    return found


def read_note(root: Path, file: Path, keep_tokens: bool = False) -> Note:
    path = vault_path(root, file)
    text, problems = decode_note(path, file.read_bytes())
    # markdown-it counts a lone CR as a line break too; one convention keeps line numbers equal.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    note = parse_note(path, text, keep_tokens)
    note.diagnostics.extend(problems)
    if not problems:  # replacement characters from a failed decode are not mojibake
        note.diagnostics.extend(mojibake_diagnostics(path, text))
    return note


def walk_vault(root: Path) -> tuple[list[Path], list[Path]]:
    """Markdown files and other files below ``root``, skipping tool folders and the folders
    the vault's Obsidian settings keep templates in (``rlref.vault.obsidian``)."""
    notes: list[Path] = []
    others: list[Path] = []
    templates = template_folders(root)
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("."))
        if templates:
            here = vault_path(root, Path(directory))
            prefix = "" if here == "." else here + "/"
            dirs[:] = [d for d in dirs if prefix + unicodedata.normalize("NFC", d) not in templates]
        for name in sorted(files):
            if name.startswith("."):  # rlref's lock and journal, editors' swap files
                continue
            (notes if name.endswith(".md") else others).append(Path(directory) / name)
    return notes, others


def load_vault(root: Path, keep_tokens: bool = False) -> Vault:
    """Read and parse every ``*.md`` below ``root`` (``keep_tokens``: see ``parse_note``).

    Files outside the vault boundary (``rlref.vault.boundary``) are reported, never read."""
    root = Path(root)
    resolved_root = root.resolve()
    note_files, other_files = walk_vault(root)
    notes: dict[str, Note] = {}
    diagnostics: list[Diagnostic] = []
    for file in note_files:
        reason = refusal(resolved_root, file)
        if reason is not None:
            diagnostics.append(diagnose("unreadable", vault_path(root, file), 1, reason))
            continue
        try:
            note = read_note(root, file, keep_tokens)
        except OSError as exc:  # a broken symlink, a file without read permission
            reason = exc.strerror or str(exc)
            message = f"cannot read: {reason}"
            diagnostics.append(diagnose("unreadable", vault_path(root, file), 1, message))
            continue
        if note.key in notes:
            # Two files whose names differ only in Unicode normal form collide here.
            diagnostics.append(
                Diagnostic(note.path, 1, "error", "another file has the same NFC-normalised path")
            )
            continue
        notes[note.key] = note
    attachments = set()
    for file in other_files:
        # Attachments are published byte for byte: the same boundary, a larger size limit.
        reason = refusal(resolved_root, file, limit=max(max_file_bytes(), ATTACHMENT_BYTES))
        if reason is None:
            attachments.add(vault_path(root, file))
        else:
            diagnostics.append(diagnose("unreadable", vault_path(root, file), 1, reason))
    return Vault(root, notes, attachments, diagnostics)


_NAME_LINE = re.compile(r"^(?:title|aliases):[ \t]*(.+)$", re.MULTILINE)


def vault_vocabulary(root: Path, for_texts: Iterable[str] | None = None) -> Vocabulary:
    """What the vault knows, for lossy mojibake recovery: its notes' names, paths, titles and
    aliases, and their text. Files outside the vault boundary are not read. With
    ``for_texts``, the vault is read only when one of them may hold mojibake."""
    from rlref.vault.mojibake import Vocabulary

    if for_texts is not None and not any(_LATIN1_SUPPLEMENT.search(t) for t in for_texts):
        return Vocabulary()
    root = Path(root)
    resolved_root = root.resolve()
    names: list[str] = []
    texts: list[str] = []
    for file in walk_vault(root)[0]:
        if refusal(resolved_root, file) is not None:
            continue
        try:
            text = file.read_bytes().decode("utf-8", errors="replace")
        except OSError:
            continue
        key = vault_path(root, file).removesuffix(".md")
        names += [key, key.rsplit("/", 1)[-1], *_NAME_LINE.findall(text[:4000])]
        texts.append(text)
    return Vocabulary.build(names, texts)

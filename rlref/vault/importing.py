"""Prepare an existing Markdown note for the vault (``rlref import``): pure text → text.

An imported note keeps everything its author wrote — frontmatter keys, their order, comments
and formatting, the body. What is changed is only what the vault needs, and every change is
reported:

* line endings become ``\\n`` (CRLF and lone CR);
* HTML that could run (``<script>``, ``on*=`` handlers, ``javascript:`` URLs) is removed
  (``rlref.vault.sanitize``), each removal reported with its line;
* lines that are UTF-8 read as Latin-1/cp1252 (mojibake such as ``ç­–ç•¥``) are repaired
  line by line, each repair reported with its line: lossy ones (bytes lost in the round
  trip, ``å¦ä¹ `` for ``学习``) by ``rlref.vault.mojibake``, which also reports each character
  it chose among close candidates; other mojibake ftfy repairs;
* a missing frontmatter is created; missing ``title`` (from the file name), ``type`` and
  ``domain`` (from the destination folder) keys are added at the top of the frontmatter, as
  new lines, so the rest of the block stays as written.

A frontmatter that cannot be read (bad YAML, an unclosed ``---``) or fails validation is an
error naming the source file and line; nothing is imported then.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from ftfy import fix_encoding
from ftfy.badness import is_bad

from rlref.diagnostics import Diagnostic
from rlref.vault.frontmatter import read_frontmatter, split_frontmatter
from rlref.vault.mojibake import Uncertain, Vocabulary, recover_line, recover_name
from rlref.vault.sanitize import Removal, sanitise_body

_LATIN1_SUPPLEMENT = re.compile("[\u0080-\u00ff]")


@dataclass
class PreparedNote:
    text: str
    title: str
    changes: list[str] = field(default_factory=list)  # what was changed, for the user
    uncertain: list[Uncertain] = field(default_factory=list)  # mojibake choices to review
    added_lines: int = 0  # frontmatter lines added above source line ``added_at`` …
    added_at: int = 1  # … which, and every line after it, moved down by ``added_lines``

    def uncertain_json(self) -> list[dict[str, object]]:
        """The uncertain choices for tools: ``line`` in the written note, ``source_line`` in
        the file imported, ``column``, ``chosen`` and ``alternatives`` (char, p)."""
        found = []
        for choice in self.uncertain:
            line = choice.line + (self.added_lines if choice.line >= self.added_at else 0)
            found.append(
                {"where": "body", **choice.to_json(), "line": line, "source_line": choice.line}
            )
        return found


class ImportProblem(Exception):
    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = diagnostics


_NO_VOCABULARY = Vocabulary()


def repair_mojibake(
    text: str, vocabulary: Vocabulary | None = None
) -> tuple[str, list[tuple[int, str, str]], list[Uncertain]]:
    """``text`` with its mojibake lines repaired, the repairs (line, before, after) and the
    characters chosen among close candidates. ``vocabulary``: the vault's (``vault_vocabulary``).
    """
    if not _LATIN1_SUPPLEMENT.search(text):
        return text, [], []
    fixed, repairs, uncertain = _repaired(text, vocabulary or _NO_VOCABULARY)
    return fixed, list(repairs), list(uncertain)


@lru_cache(maxsize=4)  # import prepares a note twice (its title first, then in its folder)
def _repaired(
    text: str, vocabulary: Vocabulary
) -> tuple[str, tuple[tuple[int, str, str], ...], tuple[Uncertain, ...]]:
    lines = text.split("\n")
    repairs = []
    uncertain: list[Uncertain] = []
    for number, line in enumerate(lines, start=1):
        if not _LATIN1_SUPPLEMENT.search(line):
            continue
        fixed, found = recover_line(line, vocabulary, number)
        if fixed == line and is_bad(line):
            fixed = fix_encoding(line)  # only the encoding: keep quotes, widths, CJK punctuation
        if fixed != line:
            repairs.append((number, line, fixed))
            lines[number - 1] = fixed
            uncertain.extend(found)
    return "\n".join(lines), tuple(repairs), tuple(uncertain)


def describe_uncertain(uncertain: Uncertain) -> str:
    """A change line for a character chosen among close candidates."""
    others = ", ".join(f"{char!r} {p:.2f}" for char, p in uncertain.alternatives)
    return (
        f"line {uncertain.line}: uncertain mojibake repair at column {uncertain.column}: "
        f"chose {uncertain.chosen!r} among {others}"
    )


@dataclass(frozen=True)
class RepairedName:
    """A file or folder name with its mojibake repaired: the changes to report and the
    characters chosen among close candidates."""

    name: str
    changes: tuple[str, ...] = ()
    uncertain: tuple[dict[str, object], ...] = ()  # ``Uncertain.to_json`` + where, name


def repaired_name(
    stem: str, vocabulary: Vocabulary | None = None, what: str = "file name"
) -> RepairedName:
    """A file name (without ``.md``) or folder name with its mojibake repaired."""
    repaired, uncertain = recover_name(stem, vocabulary)
    if repaired == stem and _LATIN1_SUPPLEMENT.search(stem) and is_bad(stem):
        fixed = fix_encoding(stem)
        repaired = fixed if "/" not in fixed and "\\" not in fixed else stem
    if repaired == stem or repaired in (".", "..") or not repaired.strip():
        return RepairedName(stem)
    changes = [f"{what}: mojibake {stem!r} → {repaired!r}"]
    for found in uncertain:
        changes.append(describe_uncertain(found).replace(f"line {found.line}", what, 1))
    where = [
        {"where": what, "name": repaired, **found.to_json(), "line": None} for found in uncertain
    ]
    return RepairedName(repaired, tuple(changes), tuple(where))


def repair_name(stem: str, vocabulary: Vocabulary | None = None) -> tuple[str, list[str]]:
    """A file name (without ``.md``) with its mojibake repaired, and the changes to report."""
    found = repaired_name(stem, vocabulary)
    return found.name, list(found.changes)


def repair_path(relative: str, vocabulary: Vocabulary | None = None) -> RepairedName:
    """A note's path inside an imported folder (``/``-separated, without ``.md``) with the
    mojibake of each folder and of the file name repaired."""
    parts = relative.split("/")
    repaired = [
        repaired_name(part, vocabulary, "file name" if last else "folder name")
        for last, part in zip([False] * (len(parts) - 1) + [True], parts, strict=True)
    ]
    return RepairedName(
        "/".join(r.name for r in repaired),
        tuple(change for r in repaired for change in r.changes),
        tuple(found for r in repaired for found in r.uncertain),
    )


def _sanitised(text: str) -> tuple[str, list[Removal]]:
    """The note with scripts, ``on*`` handlers and ``javascript:`` URLs removed from its HTML."""
    try:
        yaml_text, body, body_line = split_frontmatter(text)
    except ValueError:
        return text, []  # reported as an error right after
    cleaned, removals = sanitise_body(body, body_line)
    if not removals:
        return text, []
    head = "\n".join(text.split("\n")[: body_line - 1])
    return (f"{head}\n{cleaned}" if yaml_text is not None else cleaned), removals


# arXiv identifiers (new style) in links and text: abs/ and pdf/ URLs, "arXiv:" prefixes.
_ARXIV = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf|html)/|arxiv:\s*)(\d{4}\.\d{4,5})(?:v\d+)?", re.IGNORECASE
)
# File names that say nothing about the note: Obsidian's and editors' defaults, dates, hashes.
_MEANINGLESS = re.compile(
    r"^(untitled|未命名|无标题|新建文本文档|new note|note|笔记)?[\s_-]*\d*$"
    r"|^\d{4}-?\d{2}-?\d{2}([ _T-]?\d{2}[-:]?\d{2}([-:]?\d{2})?)?$|^[0-9a-f]{8,}$",
    re.IGNORECASE,
)
_FIRST_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)


def plain_title(file_title: str, text: str) -> tuple[str, str]:
    """Obsidian's rule: the file name is the title; when the name says nothing (``Untitled
    3``, ``2024-05-01``, a hash), the note's first H1. Returns (title, where it came from)."""
    if _MEANINGLESS.match(file_title.strip()):
        heading = _FIRST_H1.search(text)
        if heading:
            return heading.group(1).strip(), "the first heading"
    return file_title, "the file name"


def arxiv_ids(text: str) -> list[str]:
    """The arXiv identifiers a note links to or names, once each, in order, no version."""
    return list(dict.fromkeys(m.group(1) for m in _ARXIV.finditer(text)))


def _yaml_scalar(value: object) -> str:
    """A YAML scalar for ``value`` (JSON strings are valid YAML, and quote what needs it)."""
    return json.dumps(value, ensure_ascii=False)


def prepare_import(
    source: str,
    text: str,
    file_title: str,
    domain: str,
    note_type: str,
    today: date,
    vocabulary: Vocabulary | None = None,
) -> PreparedNote:
    """The note text to write, its title and the list of changes; raises ImportProblem.

    ``source`` names the file in diagnostics; ``file_title`` is its name without ``.md``;
    ``vocabulary`` is the vault's, for lossy mojibake (``rlref.vault.load.vault_vocabulary``).
    """
    changes: list[str] = []
    added_lines, added_at = 0, 1
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        changes.append("line endings → LF")
    text, repairs, uncertain = repair_mojibake(text, vocabulary)
    for number, before, after in repairs:
        changes.append(f"line {number}: mojibake {before.strip()[:40]!r} → {after.strip()[:40]!r}")
    changes.extend(describe_uncertain(found) for found in uncertain)
    text, removals = _sanitised(text)
    for removal in removals:
        before, after = removal.before.replace("\n", " ")[:60], removal.after[:60]
        changes.append(
            f"line {removal.line}: removed {removal.what} that could run: {before!r} → {after!r}"
        )
    try:
        yaml_text, _, _ = split_frontmatter(text)
    except ValueError as exc:
        raise ImportProblem([Diagnostic(source, 1, "error", str(exc))]) from None
    if yaml_text is None:
        title, origin = plain_title(file_title, text)
        front: dict[str, object] = {
            "title": title,
            "type": note_type,
            "domain": domain,
            "status": "draft",
            "date": today.isoformat(),
        }
        arxiv = arxiv_ids(text)
        if arxiv:
            front["sources"] = [f"arXiv:{identifier}" for identifier in arxiv]
        lines = [f"{key}: {_yaml_scalar(value)}" for key, value in front.items()]
        text = "---\n" + "\n".join(lines) + "\n---\n" + text
        added_lines = len(lines) + 2
        found = f"; sources: {', '.join(arxiv)}" if arxiv else ""
        changes.append(f"frontmatter created (title from {origin}, status: draft{found})")
    else:
        read = read_frontmatter(source, text)
        errors = [d for d in read.diagnostics if d.severity == "error"]
        if errors:  # a missing title is only a warning: it is added below
            raise ImportProblem(errors)
        added = {}
        if "title" not in read.data or not read.data.get("title"):
            added["title"] = file_title
        if "type" not in read.data:
            added["type"] = note_type
        if "domain" not in read.data:
            added["domain"] = domain
        if added:
            lines = text.split("\n")
            new = [f"{key}: {_yaml_scalar(value)}" for key, value in added.items()]
            text = "\n".join([lines[0], *new, *lines[1:]])
            added_lines, added_at = len(new), 2
            changes.append("frontmatter: added " + ", ".join(added))
        title = str(read.data.get("title") or file_title)
    final = read_frontmatter(source, text)
    errors = [d for d in final.diagnostics if d.severity == "error"]
    if errors:  # e.g. a 'title' key present but empty and of the wrong type
        raise ImportProblem(errors)
    if not text.endswith("\n"):
        text += "\n"
    return PreparedNote(text, title, changes, uncertain, added_lines, added_at)

"""Wikilink resolution with Obsidian's behaviour, as pure functions.

``resolve_link(source, target, targets)`` takes everything it needs as arguments: the
linking note's path, the link's target text and a :class:`LinkTargets` table built once
from the vault's note paths, attachment paths and aliases. Order of the attempts:

1. exact vault path (with or without ``.md``),
2. unique path suffix (``PPO/PPO 原理``; a bare file name is the one-segment suffix),
3. unique alias,
4. the same three, case-insensitively.

More than one candidate at a step is an ambiguity (an error naming the candidates); a
target that would leave the vault (``..`` segment, absolute path) never resolves.
"""

from __future__ import annotations

import posixpath
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from rlref.vault.slug import slug


@dataclass(frozen=True)
class Resolved:
    path: str  # note key (no ".md") or attachment path
    kind: Literal["note", "attachment"]


@dataclass(frozen=True)
class Unresolved:
    reason: Literal["broken", "ambiguous", "escapes"]
    candidates: tuple[str, ...] = ()

    def message(self, target: str) -> str:
        if self.reason == "escapes":
            return f"link target '{target}' leaves the vault"
        if self.reason == "ambiguous":
            names = ", ".join(self.candidates)
            return f"ambiguous link '{target}': it matches {names}"
        return f"unresolved link: no note or file named '{target}' (yet)"


Resolution = Resolved | Unresolved


def _suffixes(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[i:]) for i in range(len(parts))]


@dataclass(frozen=True)
class _Tables:
    exact: Mapping[str, tuple[str, ...]]
    suffix: Mapping[str, tuple[str, ...]]
    alias: Mapping[str, tuple[str, ...]]


def _tables(paths: Iterable[str], aliases: Mapping[str, Iterable[str]], fold: bool) -> _Tables:
    key = str.casefold if fold else (lambda s: s)
    exact: dict[str, set[str]] = defaultdict(set)
    suffix: dict[str, set[str]] = defaultdict(set)
    alias: dict[str, set[str]] = defaultdict(set)
    for path in paths:
        exact[key(path)].add(path)
        for tail in _suffixes(path):
            suffix[key(tail)].add(path)
    for path, names in aliases.items():
        for name in names:
            alias[key(unicodedata.normalize("NFC", name))].add(path)

    def freeze(table: dict[str, set[str]]) -> dict[str, tuple[str, ...]]:
        return {k: tuple(sorted(v)) for k, v in table.items()}

    return _Tables(freeze(exact), freeze(suffix), freeze(alias))


@dataclass(frozen=True)
class LinkTargets:
    """Look-up tables over the vault's notes, attachments and aliases (build once)."""

    notes: _Tables
    notes_folded: _Tables
    attachments: _Tables
    attachments_folded: _Tables

    @classmethod
    def build(
        cls,
        note_keys: Iterable[str],
        attachment_paths: Iterable[str] = (),
        aliases: Mapping[str, Iterable[str]] | None = None,
    ) -> LinkTargets:
        """``note_keys`` are vault paths without ``.md``; ``aliases`` maps key → aliases."""
        note_keys = list(note_keys)
        attachment_paths = list(attachment_paths)
        aliases = aliases or {}
        return cls(
            _tables(note_keys, aliases, fold=False),
            _tables(note_keys, aliases, fold=True),
            _tables(attachment_paths, {}, fold=False),
            _tables(attachment_paths, {}, fold=True),
        )


def normalise_target(target: str) -> str:
    target = unicodedata.normalize("NFC", target.strip()).replace("\\", "/")
    return target.removeprefix("./")


def escapes_vault(target: str) -> bool:
    return target.startswith("/") or ".." in target.split("/") or ":" in target.split("/")[0]


def _lookup(tables: _Tables, target: str, fold: bool) -> Resolution | None:
    key = target.casefold() if fold else target
    for table in (tables.exact, tables.suffix, tables.alias):
        found = table.get(key)
        if found:
            if len(found) > 1:
                return Unresolved("ambiguous", found)
            return Resolved(found[0], "note")
    return None


def resolve_link(source: str, target: str, targets: LinkTargets) -> Resolution:
    """Resolve the target text of a wikilink written in the note ``source`` (its key).

    An empty target (``[[#heading]]``) is the source note itself.
    """
    target = normalise_target(target)
    if not target:
        return Resolved(source, "note")
    if escapes_vault(target):
        return Unresolved("escapes")
    note_target = target.removesuffix(".md")
    extension = posixpath.splitext(target)[1].lower()
    is_file = bool(extension) and extension != ".md" and " " not in extension
    for fold in (False, True):
        if is_file:
            table = targets.attachments_folded if fold else targets.attachments
            found = _lookup(table, target, fold)
            if isinstance(found, Resolved):
                return Resolved(found.path, "attachment")
            if found is not None:
                return found
        found = _lookup(targets.notes_folded if fold else targets.notes, note_target, fold)
        if found is not None:
            return found
    return Unresolved("broken")


def find_heading(heading: str, headings: Iterable[tuple[str, str]]) -> str | None:
    """The anchor of ``heading`` among a note's ``(text, anchor)`` pairs, or None.

    Obsidian matches the heading text; we accept an exact match first, then equal slugs
    (so case and punctuation differences resolve as they do in Obsidian).
    """
    pairs = list(headings)
    wanted = unicodedata.normalize("NFC", heading.strip())
    for text, anchor in pairs:
        if text.strip() == wanted:
            return anchor
    wanted_slug = slug(wanted)
    for text, anchor in pairs:
        if slug(text) == wanted_slug:
            return anchor
    return None

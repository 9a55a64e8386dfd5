"""Build the concept index from a parsed vault, with every link-level problem reported."""

from __future__ import annotations

import posixpath
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import unquote

from rlref.diagnostics import Diagnostic, diagnose
from rlref.index.impl import ImplLocation, locate_impl
from rlref.vault.load import Vault
from rlref.vault.model import Note, WikiLink
from rlref.vault.resolve import LinkTargets, Resolution, Resolved, find_heading, resolve_link

SCHEMA_VERSION = 1
ImplLocator = Callable[[str], "ImplLocation | str"]


class ResolvedLink(NamedTuple):
    """One link of a note, resolved. A named tuple: a vault of large notes holds hundreds of
    thousands, and a tuple is made several times faster than a frozen dataclass."""

    source: str  # note key
    line: int
    raw: str
    target: str | None  # note key or attachment path; None when unresolved
    kind: str  # "note" | "attachment" | "unresolved"
    anchor: str | None  # heading anchor in the target, when the link names one
    embed: bool
    alias: str | None
    in_frontmatter: bool
    in_list: bool = False  # written in a list item


@dataclass(frozen=True)
class MocSection:
    heading: str
    anchor: str
    line: int
    notes: tuple[str, ...]  # note keys in the order the MOC lists them


@dataclass
class Index:
    notes: dict[str, Note]
    links: list[ResolvedLink]
    backlinks: dict[str, list[str]]
    tags: dict[str, list[str]]
    moc_sections: dict[str, list[MocSection]]
    impl: dict[str, list[ImplLocation]]
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def links_from(self, key: str) -> list[ResolvedLink]:
        return [link for link in self.links if link.source == key]


def link_targets(vault: Vault) -> LinkTargets:
    aliases = {key: note.aliases for key, note in vault.notes.items()}
    return LinkTargets.build(vault.notes, vault.attachments, aliases)


# Where a link lands, by what decides it: (target, heading, block, embed) → (target, kind,
# anchor), kept for the links that land without a problem.
_Shape = tuple[str, str | None, str | None, bool]
_Landing = tuple[str | None, str, str | None]


def _note_links(
    note: Note,
    vault: Vault,
    targets: LinkTargets,
    resolved: dict[tuple[str, str], Resolution],
) -> Iterator[tuple[ResolvedLink, Diagnostic | None]]:
    """Each link of ``note`` resolved, with its problem. A note links to the same few targets
    many times: each (note, target) resolves once, and each link shape lands once."""
    source, body_line = note.key, note.body_line
    landed: dict[_Shape, _Landing] = {}
    for link in note.links:
        shape = (link.target, link.heading, link.block, link.embed)
        landing = landed.get(shape)
        problem = None
        if landing is None:
            resolution = resolved.get((source, link.target))
            if resolution is None:
                resolution = resolve_link(source, link.target, targets)
                resolved[(source, link.target)] = resolution
            target, kind, anchor, problem = _target(note, link, vault, resolution)
            if problem is None:
                landed[shape] = (target, kind, anchor)
        else:
            target, kind, anchor = landing
        found = ResolvedLink(
            source,
            link.line,
            link.raw,
            target,
            kind,
            anchor,
            link.embed,
            link.alias,
            link.line < body_line,  # in the frontmatter
            link.in_list,
        )
        yield found, problem


def _target(
    note: Note, link: WikiLink, vault: Vault, resolution: Resolution
) -> tuple[str | None, str, str | None, Diagnostic | None]:
    """Where a resolved link lands (target, kind, anchor) and what is wrong with it."""
    if not isinstance(resolution, Resolved):
        what = resolution.message(link.target)
        kind = {"ambiguous": "ambiguous-link", "escapes": "escaping-link"}.get(
            resolution.reason, "missing-embed" if link.embed else "unresolved-link"
        )
        if kind == "missing-embed":
            what = f"missing embed: no note or file named '{link.target}'"
        return None, "unresolved", None, diagnose(kind, note.path, link.line, what)
    if resolution.kind == "attachment":
        return resolution.path, "attachment", None, None
    if not link.heading and not link.block:
        return resolution.path, "note", None, None
    target_note = vault.notes[resolution.path]
    anchor = None
    if link.heading:
        pairs = ((h.text, h.anchor) for h in target_note.headings)
        anchor = find_heading(link.heading, pairs)
        if anchor is None:
            message = f"heading '{link.heading}' not found in '{target_note.key}'"
            problem = diagnose("missing-heading", note.path, link.line, message)
            return resolution.path, "note", None, problem
    if link.block and link.block not in target_note.block_ids:
        message = f"block '^{link.block}' not found in '{target_note.key}'"
        problem = diagnose("missing-block", note.path, link.line, message)
        return resolution.path, "note", None, problem
    return resolution.path, "note", anchor, None


def _image_diagnostics(note: Note, vault: Vault) -> list[Diagnostic]:
    found = []
    folder = posixpath.dirname(note.path)
    for link in note.markdown_links:
        if not link.image or "://" in link.url or link.url.startswith("data:"):
            continue
        # markdown-it percent-encodes the URL: the file is "fig 1.png", not "fig%201.png"
        path = posixpath.normpath(posixpath.join(folder, unquote(link.url.split("#")[0])))
        if path.startswith("../") or path not in vault.attachments:
            message = f"missing image '{link.url}'"
            found.append(diagnose("missing-image", note.path, link.line, message))
    return found


def _name_clashes(vault: Vault) -> list[Diagnostic]:
    """Titles and aliases must name one note each."""
    owners: dict[str, list[tuple[str, int, str, str]]] = defaultdict(list)
    for note in vault.notes.values():
        if not note.raw_frontmatter:
            continue
        title_line = note.key_lines.get("title", 2)
        owners[note.title.casefold()].append((note.path, title_line, "title", note.title))
        for alias in set(note.aliases):
            line = note.key_lines.get("aliases", 2)
            owners[alias.casefold()].append((note.path, line, "alias", alias))
    found = []
    for places in owners.values():
        paths = sorted({p for p, _, _, _ in places})
        if len(paths) < 2:
            continue
        for path, line, kind, name in places:
            others = ", ".join(p for p in paths if p != path)
            message = f"duplicate {kind} '{name}': also used by {others}"
            found.append(diagnose("duplicate-name", path, line, message))
    return found


def _moc_sections(note: Note, links: list[ResolvedLink]) -> list[MocSection]:
    """Each section's entries: the notes its list items link to, in order, each once.

    A link in the section's prose (an introduction mentioning another section's note) is not
    an entry; a section written without a list falls back to all of its links.
    """
    sections: list[MocSection] = []
    headings = [h for h in note.headings if h.level >= 2] or note.headings
    for i, heading in enumerate(headings):
        end = headings[i + 1].line if i + 1 < len(headings) else float("inf")
        inside = [
            link
            for link in links
            if link.kind == "note"
            and link.target
            and not link.embed
            and not link.in_frontmatter
            and heading.line < link.line < end
            and link.target != note.key
        ]
        entries = [link for link in inside if link.in_list] or inside
        keys = dict.fromkeys(link.target for link in entries if link.target)  # ordered set
        sections.append(MocSection(heading.text, heading.anchor, heading.line, tuple(keys)))
    return sections


def _unreachable(vault: Vault, links: list[ResolvedLink]) -> list[Diagnostic]:
    mocs = [k for k, n in vault.notes.items() if n.frontmatter and n.frontmatter.type == "moc"]
    if not mocs:
        return []
    out_edges: dict[str, set[str]] = defaultdict(set)
    for link in links:
        if link.kind == "note" and link.target:
            out_edges[link.source].add(link.target)
    seen = set(mocs)
    queue = deque(mocs)
    while queue:
        for target in out_edges[queue.popleft()]:
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return [
        diagnose("unreachable", note.path, 1, "not reachable from any MOC")
        for key, note in vault.notes.items()
        if key not in seen
    ]


def build_index(vault: Vault, locate: ImplLocator = locate_impl) -> Index:
    """Resolve links and ``impl`` references; collect backlinks, tags and MOC sections."""
    targets = link_targets(vault)
    diagnostics: list[Diagnostic] = list(vault.diagnostics)
    links: list[ResolvedLink] = []
    backlinks: dict[str, set[str]] = defaultdict(set)
    tags: dict[str, set[str]] = defaultdict(set)
    resolutions: dict[tuple[str, str], Resolution] = {}
    impl: dict[str, list[ImplLocation]] = {}
    for key, note in vault.notes.items():
        diagnostics.extend(note.diagnostics)
        for resolved, problem in _note_links(note, vault, targets, resolutions):
            links.append(resolved)
            if problem is not None:
                diagnostics.append(problem)
            if resolved.kind == "note" and resolved.target and resolved.target != key:
                backlinks[resolved.target].add(key)
        diagnostics.extend(_image_diagnostics(note, vault))
        for tag in note.tags:
            tags[tag.name].add(key)
        if note.frontmatter is not None:
            for tag_name in note.frontmatter.tags:
                tags[tag_name].add(key)
            located = []
            for ref in note.frontmatter.impl:
                where = locate(ref)
                if isinstance(where, str):
                    line = note.key_lines.get("impl", 2)
                    diagnostics.append(diagnose("impl", note.path, line, where))
                else:
                    located.append(where)
            impl[key] = located
    diagnostics.extend(_name_clashes(vault))
    diagnostics.extend(_unreachable(vault, links))
    moc_sections = {
        key: _moc_sections(note, [lk for lk in links if lk.source == key])
        for key, note in vault.notes.items()
        if note.frontmatter is not None and note.frontmatter.type == "moc"
    }
    return Index(
        notes=vault.notes,
        links=links,
        backlinks={k: sorted(v) for k, v in backlinks.items()},
        tags={k: sorted(v) for k, v in sorted(tags.items())},
        moc_sections=moc_sections,
        impl=impl,
        diagnostics=diagnostics,
    )

"""Inline rewriting of one note: wikilinks, embeds, tags and block ids → plain Markdown.

Resolution is not redone here: every ``[[…]]`` the scanner finds is matched with the link
``rlref.index`` already resolved (same raw text, nearest line), so the site and
``rlref check`` can never disagree about where a link goes.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections import defaultdict
from dataclasses import dataclass, field

from rlref.diagnostics import Diagnostic, diagnose
from rlref.index import ResolvedLink
from rlref.site.card import ICONS
from rlref.site.layout import (
    TAGS_PAGE,
    attachment_doc,
    escape_markdown,
    note_doc,
    relative_url,
)
from rlref.vault.code_spans import LINE_MATH, LINK_ADDRESS, inside, protected_spans
from rlref.vault.model import Note, WikiLink
from rlref.vault.parse import BLOCK_ID, INLINE_TAG, split_wikilink
from rlref.vault.sanitize import clean_inline

IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp", ".avif"}
_WIKILINK = re.compile(r"!?\[\[[^\[\]\n]*\]\]")
# Spans where ``[[…]]`` and ``#tag`` are text, as the vault parser treats them.
# (with the code spans: ``protected_spans``)
_MATH_OR_TARGET = re.compile(f"{LINE_MATH}|{LINK_ADDRESS}")
_SIZE = re.compile(r"^(\d+)(?:x(\d+))?$")
LINK_KINDS = {"unresolved-link", "missing-embed", "ambiguous-link", "escaping-link"}


def _normalise_raw(raw: str) -> str:
    return raw.replace("\\|", "|")


@dataclass
class NoteTargets:
    """What the rewriter needs to know about the rest of the site."""

    notes: dict[str, Note]
    tag_anchors: dict[str, str]
    problems: dict[tuple[str, int], list[Diagnostic]]  # (note path, line) → index diagnostics
    raw_html: bool = False  # the opt-out: a note's HTML is published as written


@dataclass
class InlineRewriter:
    note: Note
    doc: str  # docs path of the compiled note
    links: list[ResolvedLink]
    targets: NoteTargets
    diagnostics: list[Diagnostic] = field(default_factory=list)
    attachments: set[str] = field(default_factory=set)
    _pending: dict[str, list[ResolvedLink]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        pending: dict[str, list[ResolvedLink]] = defaultdict(list)
        for link in self.links:
            if not link.in_frontmatter:
                pending[_normalise_raw(link.raw)].append(link)
        self._pending = dict(pending)
        self._tags = {tag.name for tag in self.note.tags}

    # -- scanning -------------------------------------------------------------------------

    def __call__(self, content: str, index: int, in_heading: bool) -> str:
        if "<" in content and not self.targets.raw_html:
            content = self._sanitised(content)
        if "[[" not in content and "#" not in content and "^" not in content:
            return content
        line = self.note.body_line + index
        protected = protected_spans(content, _MATH_OR_TARGET)
        pieces: list[str] = []
        last = 0
        for match in _scan(content):
            start = match.start()
            if inside(protected, start):
                continue
            text = match.group()
            if text.startswith(("[[", "![[")):
                replacement = self._wikilink(text, line, in_heading)
            else:
                replacement = self._tag(text)
            if replacement is None:
                continue
            pieces.append(content[last:start])
            pieces.append(replacement)
            last = match.end()
        pieces.append(content[last:])
        return self._block_id("".join(pieces))

    @staticmethod
    def _sanitised(content: str) -> str:
        """The note's inline HTML with what could run removed; code and math untouched."""
        pieces, last = [], 0
        for start, end in protected_spans(content, _MATH_OR_TARGET):
            pieces.append(clean_inline(content[last:start])[0])
            pieces.append(content[start:end])
            last = end
        pieces.append(clean_inline(content[last:])[0])
        return "".join(pieces)

    def _take(self, raw: str, line: int) -> ResolvedLink | None:
        candidates = self._pending.get(_normalise_raw(raw))
        if not candidates:
            return None  # the vault parser does not read this as a link: keep the text
        best = min(range(len(candidates)), key=lambda i: abs(candidates[i].line - line))
        return candidates.pop(best)

    # -- wikilinks ------------------------------------------------------------------------

    def _wikilink(self, raw: str, line: int, in_heading: bool) -> str | None:
        resolved = self._take(raw, line)
        if resolved is None:
            return None
        embed = raw.startswith("!")
        link = split_wikilink(raw[3:-2] if embed else raw[2:-2], embed, line)
        text = _display(link, in_heading)
        if resolved.kind == "unresolved" or resolved.target is None:
            return self._broken(link, text, resolved.line)
        if resolved.kind == "attachment":
            return self._attachment(link, resolved.target, text)
        return self._note_link(link, resolved, text)

    def _broken(self, link: WikiLink, text: str, line: int) -> str:
        """An unresolved link as Obsidian shows it: text styled as a link to nowhere, never a
        link to a 404; a missing embed as a visible placeholder."""
        found = [
            d for d in self.targets.problems.get((self.note.path, line), []) if d.kind in LINK_KINDS
        ]
        kind = found[0].kind if found else ("missing-embed" if link.embed else "unresolved-link")
        reason = "; ".join(d.message for d in found) or f"no note or file named '{link.target}'"
        self.diagnostics.append(
            diagnose(kind, self.note.path, line, f"{link.raw}: {reason} (shown as unresolved)")
        )
        if link.embed:
            title = html.escape(f"缺少嵌入的文件：{link.target}", quote=True)
            # the icon is the theme's own markup; only the target is the note's text
            label = f"{ICONS['embed']} {html.escape(link.target)}（文件缺失）"
            return f'<span class="rlref-missing-embed" title="{title}">{label}</span>'
        title = html.escape(f"尚未创建的笔记：{link.target}", quote=True)
        return f'<span class="rlref-unresolved" title="{title}">{html.escape(text)}</span>'

    def _attachment(self, link: WikiLink, path: str, text: str) -> str:
        self.attachments.add(path)
        url = relative_url(self.doc, attachment_doc(path))
        extension = posixpath.splitext(path)[1].lower()
        if link.embed and extension in IMAGE_EXTENSIONS:
            size = _SIZE.match(link.alias or "")
            alt = posixpath.basename(path) if size or not link.alias else link.alias
            attrs = ""
            if size:
                attrs = f'{{ width="{size.group(1)}"'
                attrs += f' height="{size.group(2)}" }}' if size.group(2) else " }"
            return f"![{escape_markdown(alt)}]({url}){attrs}"
        return f"[{escape_markdown(text)}]({url})"

    def _note_link(self, link: WikiLink, resolved: ResolvedLink, text: str) -> str:
        assert resolved.target is not None
        target = self.targets.notes[resolved.target]
        anchor = resolved.anchor
        missing = ""
        if link.heading and anchor is None:
            missing = f"heading '{link.heading}' not found in '{target.key}'"
        if link.block:
            if link.block in target.block_ids:
                anchor = f"block-{link.block}"
            else:
                missing = f"block '^{link.block}' not found in '{target.key}'"
        url = relative_url(self.doc, note_doc(target.key), anchor)
        label = escape_markdown(text)
        if link.embed:  # a note embed is shown as a link to the note, not transcluded
            label = f"{ICONS['embed']} {label}"
        if missing:
            kind = "missing-block" if missing.startswith("block") else "missing-heading"
            self.diagnostics.append(
                diagnose(kind, self.note.path, resolved.line, f"{link.raw}: {missing}")
            )
            title = html.escape(f"断开的链接：{link.raw}", quote=True).replace('"', "&quot;")
            return f'[{label}]({url}){{ .rlref-broken title="{title}" }}'
        return f"[{label}]({url})"

    # -- tags and block ids ---------------------------------------------------------------

    def _tag(self, text: str) -> str | None:
        name = text[1:]
        anchor = self.targets.tag_anchors.get(name)
        if name not in self._tags or anchor is None:
            return None
        url = relative_url(self.doc, TAGS_PAGE, anchor)
        return f"[\\#{escape_markdown(name)}]({url}){{ .rlref-tag }}"

    def _block_id(self, content: str) -> str:
        if "^" not in content:
            return content
        match = BLOCK_ID.search(content)
        if match is None or match.group(1) not in self.note.block_ids:
            return content
        anchor = f' <span class="rlref-block" id="block-{match.group(1)}"></span>'
        return content[: match.start()] + anchor


_SCANNER = re.compile(f"{_WIKILINK.pattern}|{INLINE_TAG.pattern}")


def _scan(content: str) -> list[re.Match[str]]:
    return list(_SCANNER.finditer(content))


def _display(link: WikiLink, in_heading: bool) -> str:
    """The link text Obsidian shows (in a heading: the text the vault parser slugged)."""
    if link.alias:
        return link.alias
    if in_heading or not link.target:
        return link.heading or link.target or (f"^{link.block}" if link.block else "")
    if link.heading:
        return f"{link.target} › {link.heading}"
    return link.target

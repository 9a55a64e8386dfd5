"""Parse one note's text into a :class:`Note` (pure: text in, note out)."""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import lru_cache
from typing import Any

from markdown_it.token import Token

from rlref.diagnostics import diagnose
from rlref.vault import markdown
from rlref.vault.frontmatter import SourceRef, read_frontmatter
from rlref.vault.markdown import DOUBLE, EMBED, LINK, parser
from rlref.vault.model import (
    Formula,
    Heading,
    MarkdownLink,
    Math,
    Note,
    Source,
    Tag,
    WikiLink,
)
from rlref.vault.plain_paragraphs import COMPACT, RUN
from rlref.vault.slug import unique_anchors

FORMULA_TAG = re.compile(r"^\s*<!--\s*formula:\s*(\S+?)\s*-->\s*$")
ARXIV_ID = re.compile(r"(?<![\d.])(\d{4}\.\d{4,5})(?:v\d+)?(?![\d])")
ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5})")
# Obsidian tag: '#' after whitespace/start, letters/digits/_/-//, at least one non-digit.
_TAG_CHAR = r"[^\s#!-,.:-@\[-^`{-~]"
INLINE_TAG = re.compile(rf"(?:(?<=\s)|(?<=^)|(?<=[（(]))#({_TAG_CHAR}+(?:[/\-_]{_TAG_CHAR}+)*)")
# INLINE_TAG without its look-behind: a pattern that starts with '#' lets the regex engine
# jump from '#' to '#' (a look-behind first makes it try every position). A name holds no '#'
# or space, so a match refused for what precedes it hides no other tag.
_HASH_NAME = re.compile(rf"#({_TAG_CHAR}+(?:[/\-_]{_TAG_CHAR}+)*)")
# BLOCK_ID without its leading alternative (start of line or a space, tested in Python): a
# pattern that starts with '^' lets the regex engine jump from '^' to '^'.
_CARET_ID = re.compile(r"\^([A-Za-z0-9-]+)[^\S\n]*$", re.MULTILINE)
BLOCK_ID = re.compile(r"(?:^|\s)\^([A-Za-z0-9-]+)\s*$", re.MULTILINE)
WIKILINK_IN_TEXT = re.compile(r"(!?)\[\[([^\[\]\n]+)\]\]")


def split_wikilink(inner: str, embed: bool, line: int) -> WikiLink:
    """Split the text between ``[[`` and ``]]`` into target, heading/block and alias."""
    parts = _cached_parts(inner, embed) if len(inner) <= _CACHED_LENGTH else None
    target, heading, block, alias, raw = parts or _wikilink_parts(inner, embed)
    return WikiLink(target, heading, block, alias, embed, line, raw)


_Parts = tuple[str, str | None, str | None, str | None, str]


def _wikilink_parts(inner: str, embed: bool) -> _Parts:
    """(target, heading, block, alias, raw) of the text between ``[[`` and ``]]``."""
    raw = ("!" if embed else "") + f"[[{inner}]]"
    inner = inner.replace("\\|", "|")
    target_part, _, alias = inner.partition("|")
    target, _, fragment = target_part.partition("#")
    heading: str | None = None
    block: str | None = None
    if fragment.startswith("^"):
        block = fragment[1:].strip()
    elif _:
        # Obsidian allows nested headings "#A#B": the last one is the target heading.
        heading = fragment.split("#")[-1].strip()
    return target.strip(), heading, block, alias.strip() if alias else None, raw


# A note links the same few targets again and again: each short spelling is split once (the
# cache holds at most 4096 × 200 characters, whatever the notes).
_CACHED_LENGTH = 200
_cached_parts = lru_cache(maxsize=4096)(_wikilink_parts)


def _plain_text(children: list[Token]) -> str:
    """The heading text as the toc sees it once rendered (markup stripped)."""
    parts = []
    for child in children:
        if child.type == "wikilink":
            link = split_wikilink(child.content, False, 0)
            parts.append(link.alias or link.heading or link.target)
        elif child.type in ("text", "code_inline", "math_inline"):
            parts.append(child.content)
    return "".join(parts)


def _source_arxiv(entry: str | SourceRef) -> list[str]:
    if isinstance(entry, SourceRef):
        text = " ".join(str(v) for v in (entry.arxiv, entry.url) if v)
    else:
        text = entry
    return [m.group(1) for m in ARXIV_ID.finditer(text)]


class _Walker:
    """Collects the items of one note from markdown-it's token stream."""

    def __init__(self, note: Note) -> None:
        self.note = note
        self.heading_texts: list[tuple[int, str, int]] = []
        self.list_depth = 0  # > 0 inside a list item

    def line_of(self, token: Token, offset: int = 0) -> int:
        start = token.map[0] if token.map else 0
        return self.note.body_line + start + offset

    def walk(self, tokens: list[Token]) -> None:
        pending_tag: tuple[str, int, int] | None = None  # (id, line, end line in body)
        for i, token in enumerate(tokens):
            kind = token.type
            if pending_tag is not None and kind != "math_block":
                self._orphan_tag(pending_tag)
                pending_tag = None
            # Most tokens of a note are paragraphs: their inline token is asked first.
            if kind == "inline":
                self._inline(token)
            elif kind == "paragraph_open" or kind == "paragraph_close":
                continue
            elif kind == RUN:
                meta = token.meta
                in_list = meta.get("in_list", False)
                self.list_depth += in_list
                for first, content in meta["paragraphs"]:
                    self._paragraph(first, content, in_list)
                self.list_depth -= in_list
                # Tags and block ids of the whole run at once: their patterns stay in a line.
                begin, end = meta["span"]
                self._text(meta["source"][begin:end], self.note.body_line + meta["first"])
            elif kind == "html_block":
                match = FORMULA_TAG.match(token.content)
                if match and token.map:
                    pending_tag = (match.group(1), self.line_of(token), token.map[1])
            elif kind == "math_block" or kind == "math_block_label":
                self.note.math.append(Math(token.content.strip(), True, self.line_of(token)))
                if pending_tag is not None:
                    formula_id, _, tag_end = pending_tag
                    if token.map and token.map[0] == tag_end:
                        self._formula(formula_id, token)
                    else:
                        self._orphan_tag(pending_tag)
                    pending_tag = None
            elif kind == "heading_open":
                inline = tokens[i + 1]
                self.heading_texts.append(
                    (int(token.tag[1]), _plain_text(inline.children or []), self.line_of(token))
                )
            elif kind == "list_item_open":
                self.list_depth += 1
            elif kind == "list_item_close":
                self.list_depth -= 1
        if pending_tag is not None:
            self._orphan_tag(pending_tag)
        anchors = unique_anchors(text for _, text, _ in self.heading_texts)
        self.note.headings = [
            Heading(level, text, anchor, line)
            for (level, text, line), anchor in zip(self.heading_texts, anchors, strict=True)
        ]

    def _orphan_tag(self, tag: tuple[str, int, int]) -> None:
        self.note.diagnostics.append(
            diagnose(
                "orphan-formula-tag",
                self.note.path,
                tag[1],
                f"formula tag '{tag[0]}' is not directly followed by a $$ block",
            )
        )

    def _formula(self, formula_id: str, token: Token) -> None:
        line = self.line_of(token)
        if any(f.id == formula_id for f in self.note.formulas):
            self.note.diagnostics.append(
                diagnose(
                    "duplicate-formula-id",
                    self.note.path,
                    line - 1,
                    f"duplicate formula id '{formula_id}'",
                )
            )
            return
        self.note.formulas.append(Formula(formula_id, token.content.strip(), line))

    def _inline(self, token: Token, text: bool = True) -> None:
        """The items of an inline token (``text``: its tags and block ids too)."""
        note = self.note
        first = note.body_line + (token.map[0] if token.map else 0)  # the content's line
        in_list = self.list_depth > 0
        offset = 0  # lines into the inline content, advanced at each line break
        for child in token.children or ():
            kind = child.type
            if kind == "wikilink":
                meta = child.meta
                offset = meta["offset"]
                link = split_wikilink(child.content, meta["embed"], first + offset)
                note.links.append(replace(link, in_list=True) if in_list else link)
            elif kind == "softbreak" or kind == "hardbreak":
                offset += 1
            elif kind == "math_inline" or kind == "math_inline_double":
                latex = child.content
                offset = child.meta.get("offset", offset)  # set by the simple-inline path
                note.math.append(Math(latex.strip(), kind == "math_inline_double", first + offset))
                if "\n" in latex:
                    offset += latex.count("\n")
            elif kind == "link_open":
                href = str(child.attrs.get("href", ""))
                line = first + offset
                note.markdown_links.append(MarkdownLink(href, False, line))
                for match in ARXIV_URL.finditer(href):
                    note.sources.append(Source(match.group(1), line))
            elif kind == "image":
                src = str(child.attrs.get("src", ""))
                note.markdown_links.append(MarkdownLink(src, True, first + offset))
        if text:
            self._text(token.content, first)

    def _text(self, content: str, first: int) -> None:
        """The tags and block ids of inline ``content`` whose first line is ``first``.

        Line offsets of text children are not tracked by markdown-it: scan the content, all
        lines at once (no pattern below matches across a line break)."""
        if "#" in content:
            self.note.tags.extend(text_tags(content, first))
        if "^" in content:
            self.note.block_ids.update(block_ids(content))

    def _paragraph(self, body_line: int, content: str, in_list: bool) -> None:
        """A top-level plain paragraph read without tokens (``plain_paragraphs.COMPACT``): the
        links and math ``_inline`` reads from the children markdown-it's core rule would give
        it (its tags and block ids are read with its run's)."""
        note = self.note
        first = note.body_line + body_line
        if "[" in content or "$" in content or "<" in content:
            items = markdown.simple_inline_items(content)
            if items is None:  # not simple prose: markdown-it's inline rules read it
                md = parser()
                children: list[Token] = []
                md.inline.parse(content, md, {}, children)
                inline = Token("inline", "", 0, map=[body_line, body_line], children=children)
                inline.content = content
                self._inline(inline, text=False)
                return
            links, math = note.links, note.math
            for kind, body, offset in items:
                if kind == LINK or kind == EMBED:
                    link = split_wikilink(body, kind == EMBED, first + offset)
                    links.append(replace(link, in_list=True) if in_list else link)
                else:
                    math.append(Math(body.strip(), kind == DOUBLE, first + offset))


def text_tags(content: str, first: int) -> list[Tag]:
    """The inline tags of ``content``, whose first line is line ``first`` of the note: what
    INLINE_TAG finds on each line once its code spans, math, wikilinks and link targets are
    blanked out, found in one pass over all lines."""
    text = _CODE_OR_MATH.sub(" ", content)
    tags: list[Tag] = []
    counted, newlines = 0, 0
    for match in _HASH_NAME.finditer(text):
        start = match.start()
        if start and not (text[start - 1].isspace() or text[start - 1] in "（("):
            continue  # INLINE_TAG's look-behind, tested after the '#' is found
        name = match.group(1)
        if name.replace("/", "").replace("-", "").replace("_", "").isdigit():
            continue  # '#123' is not a tag
        newlines += text.count("\n", counted, start)
        counted = start
        tags.append(Tag(name, first + newlines))
    return tags


def block_ids(content: str) -> list[str]:
    """The ``^id`` ending each line of ``content``: what BLOCK_ID finds line by line."""
    return [
        match.group(1)
        for match in _CARET_ID.finditer(content)
        if not match.start() or content[match.start() - 1].isspace()
    ]


# Code spans, math, wikilinks and link targets of one line, where a '#' starts no tag.
_CODE_OR_MATH = re.compile(r"`[^`\n]*`|\$\$[^$\n]*\$\$|\$[^$\n]*\$|\[\[[^\]\n]*\]\]|\]\([^)\n]*\)")


def _frontmatter_links(note: Note, data: dict[str, Any]) -> None:
    """Wikilinks written in frontmatter values such as ``related:`` are links too."""
    for key, value in data.items():
        if key == "formulas":
            continue
        values = value if isinstance(value, list) else [value]
        for item in values:
            if isinstance(item, str) and "[[" in item:
                line = note.key_lines.get(key, 2)
                for match in WIKILINK_IN_TEXT.finditer(item):
                    note.links.append(split_wikilink(match.group(2), bool(match.group(1)), line))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a note is parsed: the parse allocates one
    object per token and makes no cycles, and on a large note the collector's passes over
    the growing token list cost a quarter of the time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def parse_note(path: str, text: str, keep_tokens: bool = False) -> Note:
    """Parse the text of the note at vault path ``path`` (POSIX, NFC, with ``.md``).

    ``keep_tokens`` stores markdown-it's token stream of the body on ``Note.tokens``.
    """
    front = read_frontmatter(path, text)
    note = Note(
        path=path,
        frontmatter=front.model,
        raw_frontmatter=front.data,
        body=front.body,
        body_line=front.body_line,
        key_lines=front.key_lines,
        diagnostics=list(front.diagnostics),
    )
    _frontmatter_links(note, front.data)
    if front.model is not None:
        line = front.key_lines.get("tags", 2)
        note.frontmatter_tags = [Tag(name, line) for name in front.model.tags]
        line = front.key_lines.get("sources", 2)
        for entry in front.model.sources:
            note.sources.extend(Source(arxiv, line) for arxiv in _source_arxiv(entry))
    with _collector_paused():
        # Without the tokens kept, plain paragraphs are read without making tokens for them.
        tokens = parser().parse(front.body, {} if keep_tokens else {COMPACT: True})
        _Walker(note).walk(tokens)
        if keep_tokens:
            note.tokens = tokens
        # Freed while the collector is paused: its first pass after the pause then walks
        # what the note keeps, not every token of the parse (a tenth of a large note's time).
        del tokens
    if not front.body.strip():
        note.diagnostics.append(diagnose("empty-note", path, front.body_line, "empty note"))
    return note

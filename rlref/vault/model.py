"""The typed vault model: what one note contains, each item with its line number.

Line numbers are 1-based lines of the note file (frontmatter included).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markdown_it.token import Token

from rlref.diagnostics import Diagnostic
from rlref.vault.frontmatter import Frontmatter


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str  # the id MkDocs' toc gives it (same slug function, same de-duplication)
    line: int


@dataclass(frozen=True)
class WikiLink:
    """``[[target#heading|alias]]`` or, with ``embed``, ``![[target]]``."""

    target: str  # file part, may be "" for a same-note link ``[[#heading]]``
    heading: str | None  # text after ``#`` (without ``^``), None when absent
    block: str | None  # block id after ``#^``
    alias: str | None
    embed: bool
    line: int
    raw: str
    in_list: bool = False  # written in a list item (a MOC's entries are list items)


@dataclass(frozen=True)
class MarkdownLink:
    """A plain Markdown link or image ``[text](url)`` / ``![alt](src)``."""

    url: str
    image: bool
    line: int


@dataclass(frozen=True)
class Tag:
    name: str  # without ``#``
    line: int


@dataclass(frozen=True)
class Math:
    latex: str
    display: bool
    line: int


@dataclass(frozen=True)
class Formula:
    """A display block ``$$…$$`` directly preceded by ``<!-- formula: ID -->``."""

    id: str
    latex: str
    line: int  # line of the opening ``$$``


@dataclass(frozen=True)
class Source:
    arxiv: str
    line: int


@dataclass
class Note:
    path: str  # vault-relative POSIX path with ".md", NFC-normalised
    frontmatter: Frontmatter | None  # None when the frontmatter could not be read
    raw_frontmatter: dict[str, Any]
    body: str
    body_line: int  # line number of the body's first line
    headings: list[Heading] = field(default_factory=list)
    links: list[WikiLink] = field(default_factory=list)
    markdown_links: list[MarkdownLink] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)  # inline ``#tag``s of the body
    # The frontmatter's ``tags:``, each at the line of that key.
    frontmatter_tags: list[Tag] = field(default_factory=list)
    math: list[Math] = field(default_factory=list)
    formulas: list[Formula] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    block_ids: set[str] = field(default_factory=set)
    key_lines: dict[str, int] = field(default_factory=dict)  # frontmatter key → line
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # markdown-it's tokens of ``body``, kept only when the loader is asked to (the site
    # compiler reuses them instead of parsing every note a second time).
    tokens: list[Token] | None = field(default=None, repr=False, compare=False)

    @property
    def key(self) -> str:
        """The vault path without ``.md``: how wikilinks name the note."""
        return self.path[:-3] if self.path.endswith(".md") else self.path

    @property
    def name(self) -> str:
        """The file name without ``.md``."""
        return self.key.rsplit("/", 1)[-1]

    @property
    def title(self) -> str:
        if self.frontmatter is not None:
            return self.frontmatter.title
        raw = self.raw_frontmatter.get("title")
        return raw if isinstance(raw, str) and raw else self.name

    @property
    def aliases(self) -> list[str]:
        if self.frontmatter is not None:
            return list(self.frontmatter.aliases)
        # Keep a note that failed validation in the name checks when its aliases are readable.
        raw = self.raw_frontmatter.get("aliases")
        return [a for a in raw if isinstance(a, str)] if isinstance(raw, list) else []

"""Griffe extension: docstring wikilinks (``Note: [[AI/LLM/RL/…]]``) become links to the notes.

mkdocstrings loads it from ``mkdocs.yml``; ``links`` is the JSON file ``rlref build`` wrote
(``rlref.site.docstring_links``). A link the file does not know — say, when MkDocs runs on a
tree compiled without it — is shown as its text, never as raw ``[[…]]``.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from griffe import Extension, Object

_WIKILINK = re.compile(r"\[\[([^\[\]\n]+)\]\]")
# Where ``[[…]]`` is an example, not a link: fenced blocks, code spans and math.
_LITERAL = re.compile(
    r"^[ \t]*(`{3,}|~{3,}).*?^[ \t]*\1|(`+).+?(?<!`)\2(?!`)|\$\$.+?\$\$|\$[^$\n]+\$",
    re.MULTILINE | re.DOTALL,
)
_MARKDOWN_SPECIAL = str.maketrans({c: f"\\{c}" for c in "\\`*_[]"})


def docstring_wikilinks(text: str) -> list[re.Match[str]]:
    """The ``[[…]]`` of a docstring that are links: not inside code or math."""
    literal = [m.span() for m in _LITERAL.finditer(text)]
    return [m for m in _WIKILINK.finditer(text) if not any(a <= m.start() < b for a, b in literal)]


def link_docstring(text: str, links: dict[str, dict[str, str]]) -> str:
    """``text`` with every ``[[…]]`` replaced by a Markdown link (or its plain text)."""

    def replace(match: re.Match[str]) -> str:
        raw = match.group(1)
        known = links.get(raw)
        if known is None:
            target, _, alias = raw.replace("\\|", "|").partition("|")
            name = target.split("#")[0].rsplit("/", 1)[-1]  # the note's name, as Obsidian shows it
            return (alias or name or target).translate(_MARKDOWN_SPECIAL)
        title = html.escape(known["title"], quote=False).translate(_MARKDOWN_SPECIAL)
        return f"[{title}]({known['url']})"

    pieces, last = [], 0
    for match in docstring_wikilinks(text):
        pieces += [text[last : match.start()], replace(match)]
        last = match.end()
    return "".join(pieces) + text[last:]


class DocstringNoteLinks(Extension):
    def __init__(self, links: str = "") -> None:
        super().__init__()
        path = Path(links) if links else None
        self.links: dict[str, dict[str, str]] = (
            json.loads(path.read_text(encoding="utf-8")) if path and path.is_file() else {}
        )

    def on_instance(self, *, obj: Object, **kwargs: Any) -> None:
        docstring = obj.docstring
        if docstring is not None and "[[" in docstring.value:
            docstring.value = link_docstring(docstring.value, self.links)

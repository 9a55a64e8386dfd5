"""Wikilinks in the documented modules' docstrings (``Note: [[AI/LLM/RL/…]]``), resolved.

The compiler resolves every ``[[…]]`` found in a docstring against the vault, exactly as it
resolves a note's links, and writes the result next to the nav; the griffe extension
``rlref.site.griffe_notes`` then turns the links into real links while mkdocstrings reads the
docstrings. A docstring link that names no note is a diagnostic at its source line.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from pathlib import Path

from rlref.diagnostics import Diagnostic
from rlref.site.api import Module, module_tree
from rlref.site.griffe_notes import docstring_wikilinks
from rlref.site.layout import API_DIR, note_doc, relative_url, shown_title
from rlref.vault.model import Note, WikiLink
from rlref.vault.parse import split_wikilink
from rlref.vault.resolve import LinkTargets, Resolution, Resolved, find_heading, resolve_link

_WITH_DOCSTRING = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


@dataclass
class DocstringLinks:
    # raw inner text of ``[[…]]`` → {"url": …, "title": …}; the URL is relative to an API page
    links: dict[str, dict[str, str]] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def write(self, path: Path) -> None:
        text = json.dumps(self.links, ensure_ascii=False, sort_keys=True, indent=1)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")


def _docstrings(tree: ast.Module) -> list[tuple[str, int]]:
    """(docstring, line of its first character) of the module and every class and function.

    Only statements are visited (a docstring is a statement): walking every expression node
    with ``ast.walk`` cost more than compiling a hundred notes.
    """
    found = []
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        if not isinstance(node, _WITH_DOCSTRING):
            continue
        doc = ast.get_docstring(node, clean=False)
        if doc:
            found.append((doc, node.body[0].lineno))
        for statement in node.body:
            if isinstance(statement, _WITH_DOCSTRING):
                pending.append(statement)
            elif isinstance(statement, ast.If | ast.Try | ast.With):  # defs under a guard
                pending.extend(s for s in ast.walk(statement) if isinstance(s, _WITH_DOCSTRING))
    return sorted(found, key=lambda item: item[1])


def _target(
    link: WikiLink, resolution: Resolution, notes: dict[str, Note]
) -> tuple[Note | None, str | None, str]:
    """The note and heading anchor a docstring link names, or None and what is wrong."""
    if not isinstance(resolution, Resolved) or resolution.kind != "note":
        return None, None, "names no note of the vault"
    note = notes[resolution.path]
    if not link.heading:
        return note, None, ""
    anchor = find_heading(link.heading, [(h.text, h.anchor) for h in note.headings])
    if anchor is None:
        return None, None, f"names no heading '{link.heading}' of {note.path}"
    return note, anchor, ""


def resolve_docstring_links(
    modules: list[Module], notes: dict[str, Note], targets: LinkTargets
) -> DocstringLinks:
    """Resolve the ``[[…]]`` of every docstring of ``modules`` (pure but for reading sources)."""
    result = DocstringLinks()
    any_api_page = f"{API_DIR}/module.md"  # every API page sits in the same folder
    for module in modules:
        tree = module_tree(module.file)
        if tree is None:
            continue
        for doc, first_line in _docstrings(tree):
            for match in docstring_wikilinks(doc):
                raw = match.group(1)
                line = first_line + doc.count("\n", 0, match.start())
                link = split_wikilink(raw, False, line)
                resolution = resolve_link("", link.target, targets)
                note, anchor, problem = _target(link, resolution, notes)
                if note is None:
                    message = f"docstring link [[{raw}]] {problem}"
                    result.diagnostics.append(
                        Diagnostic(module.relative_file, line, "error", message)
                    )
                    continue
                url = relative_url(any_api_page, note_doc(note.key), anchor)
                result.links[raw] = {"url": url, "title": link.alias or shown_title(note)}
    return result

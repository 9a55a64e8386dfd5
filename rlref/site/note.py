"""Compile one note: frontmatter for MkDocs, concept card, rewritten body, backlinks."""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass, field
from urllib.parse import unquote

from rlref.index import Index, ResolvedLink
from rlref.site.api import ImplTarget
from rlref.site.blocks import analyse, rewrite_lines
from rlref.site.card import backlinks_section, concept_card
from rlref.site.formula_checks import FormulaChecks, check_line
from rlref.site.layout import html_text, note_doc, shown_title
from rlref.site.links import InlineRewriter, NoteTargets
from rlref.site.status import VerifyReport
from rlref.vault.model import Note


@dataclass
class NoteContext:
    """Everything about the rest of the site that a note's page shows."""

    index: Index
    targets: NoteTargets
    links_by_source: dict[str, list[ResolvedLink]]
    impls: dict[str, list[ImplTarget]]
    unresolved_impls: dict[str, list[str]]
    report: VerifyReport
    attachments: set[str]  # vault paths of every attachment (to copy the ones used)
    formula_checks: FormulaChecks = field(default_factory=dict)


@dataclass
class CompiledNote:
    doc: str
    text: str
    rewriter: InlineRewriter  # its diagnostics and the attachments the page uses


# Search weight by note type: a concept's own note should outrank the practice notes and
# papers that mention it, and notes outrank the API pages (boost 0.5, rlref.site.api).
SEARCH_BOOST = {"concept": 2, "algorithm": 2, "survey": 1.5}
# A stub (a title and a template) ranks below every note with content and the API pages.
STUB_BOOST = 0.3


def _front_matter(note: Note) -> str:
    # A JSON string is a valid YAML scalar, and far cheaper to write than yaml.safe_dump.
    # The theme prints the title unescaped (header, nav, footer): escape it here, once.
    title = html_text(shown_title(note))
    lines = ["---", f"title: {json.dumps(title, ensure_ascii=False)}"]
    boost = SEARCH_BOOST.get(note.frontmatter.type or "") if note.frontmatter else None
    if note.frontmatter and note.frontmatter.status == "stub":
        boost = STUB_BOOST
    if boost:
        lines += ["search:", f"  boost: {boost}"]
    aliases = [a for a in (note.frontmatter.aliases if note.frontmatter else []) if a]
    if aliases:  # searched as the page's tags (rlref.site.mkdocs_hooks)
        lines.append(f"rlref_aliases: {json.dumps([str(a) for a in aliases], ensure_ascii=False)}")
    displayed = [math.line for math in note.math if math.display]
    if displayed:  # where each display formula is, for the width lint (rlref.site.mkdocs_hooks)
        where = {"path": note.path, "lines": displayed}
        lines.append(f"rlref_math: {json.dumps(where, ensure_ascii=False)}")
    return "\n".join([*lines, "---", ""])


def _titled(keys: list[str], notes: dict[str, Note]) -> list[tuple[str, str]]:
    return [(key, shown_title(notes[key])) for key in keys if key in notes]


def linked_files(note: Note, attachments: set[str]) -> set[str]:
    """Attachments named by plain Markdown links/images (``![](../img.png)``)."""
    folder = posixpath.dirname(note.path)
    found = set()
    for link in note.markdown_links:
        url = link.url.split("#", 1)[0].split("?", 1)[0]
        if not url or "://" in url or url.startswith(("/", "data:", "mailto:")):
            continue
        path = posixpath.normpath(posixpath.join(folder, unquote(url)))
        if path in attachments:
            found.add(path)
    return found


def compile_note(note: Note, context: NoteContext) -> CompiledNote:
    doc = note_doc(note.key)
    links = context.links_by_source.get(note.key, [])
    rewriter = InlineRewriter(note, doc, links, context.targets)
    structure = analyse(note.body, note.tokens)
    checks = context.formula_checks

    def under_formula(formula_id: str) -> list[str]:
        check = checks.get((note.key, formula_id))
        return check_line(doc, check) if check is not None else []

    body = rewrite_lines(structure, rewriter, under_formula)
    rewriter.attachments |= linked_files(note, context.attachments)
    related_keys = [
        link.target
        for link in links
        if link.in_frontmatter and link.kind == "note" and link.target and link.target != note.key
    ]
    card = concept_card(
        note,
        doc,
        tag_anchors=context.targets.tag_anchors,
        impls=context.impls.get(note.key, []),
        unresolved_impls=context.unresolved_impls.get(note.key, []),
        related=_titled(list(dict.fromkeys(related_keys)), context.index.notes),
        report=context.report,
    )
    # The card goes right under the note's own H1 (Material adds the page title as H1
    # when the body has none, so the card then still sits under the title).
    split = structure.first_h1_end or 0
    backlinks = _titled(context.index.backlinks.get(note.key, []), context.index.notes)
    text = "\n".join(
        [
            _front_matter(note),
            *body[:split],
            "",
            card,
            *body[split:],
            backlinks_section(doc, backlinks),
        ]
    )
    return CompiledNote(doc, text, rewriter)

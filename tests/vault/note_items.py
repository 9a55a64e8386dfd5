"""Every item the vault reads from a note, for tests that hold two ways of reading equal."""

from __future__ import annotations

from rlref.vault.parse import parse_note


def items(text: str) -> tuple:
    """Links, math, Markdown links, tags, block ids, headings, formulas and problems, each
    with its line, of the note ``text``."""
    note = parse_note("n.md", text)
    return (
        note.links,
        note.math,
        note.markdown_links,
        note.tags,
        note.block_ids,
        note.headings,
        note.formulas,
        [str(d) for d in note.diagnostics],
    )

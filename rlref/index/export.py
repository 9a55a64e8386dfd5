"""The index as JSON (``rlref index --json``), with a schema version."""

from __future__ import annotations

from typing import Any

from rlref.index.build import SCHEMA_VERSION, Index
from rlref.vault.model import Note


def _note_json(note: Note, index: Index) -> dict[str, Any]:
    front = note.frontmatter
    return {
        "path": note.path,
        "title": note.title,
        "type": front.type if front else None,
        "status": front.status if front else None,
        "domain": front.domain if front else None,
        "aliases": note.aliases,
        "tags": sorted({t.name for t in note.tags} | set(front.tags if front else [])),
        "sources": sorted({s.arxiv for s in note.sources}),
        "demo": front.demo if front else None,
        "headings": [
            {"level": h.level, "text": h.text, "anchor": h.anchor, "line": h.line}
            for h in note.headings
        ],
        "formulas": [{"id": f.id, "line": f.line, "latex": f.latex} for f in note.formulas],
        "impl": [
            {"ref": f"{loc.module}:{loc.name}", "file": loc.file, "line": loc.line}
            for loc in index.impl.get(note.key, [])
        ],
        "backlinks": index.backlinks.get(note.key, []),
    }


def index_to_json(index: Index) -> dict[str, Any]:
    """A JSON-ready dict of the whole index."""
    return {
        "schema_version": SCHEMA_VERSION,
        "notes": {key: _note_json(note, index) for key, note in sorted(index.notes.items())},
        "links": [
            {
                "source": link.source,
                "line": link.line,
                "raw": link.raw,
                "target": link.target,
                "kind": link.kind,
                "anchor": link.anchor,
                "embed": link.embed,
            }
            for link in index.links
        ],
        "tags": index.tags,
        "moc_sections": {
            key: [
                {"heading": s.heading, "anchor": s.anchor, "line": s.line, "notes": list(s.notes)}
                for s in sections
            ]
            for key, sections in index.moc_sections.items()
        },
        "diagnostics": [
            {"path": d.path, "line": d.line, "severity": d.severity, "message": d.message}
            for d in index.diagnostics
        ],
    }

"""The shipped vault: clean under `rlref check --strict`, every impl importable, every
algos docstring's note link pointing at a real note, and its MOCs well formed.

Only properties: no test here pins how many notes, sections, formulas or tags kb has, so
adding a note (`rlref new`, `rlref import`, `--new-section`) never turns a test red."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from functools import lru_cache
from pathlib import Path

import rlref.algos
from rlref.cli.common import load_checked_index
from rlref.diagnostics import sort_diagnostics
from rlref.index import Index

KB = Path(__file__).parents[2] / "kb"
NOTE_LINE = re.compile(r"^\s*Note: \[\[([^\]|#]+)", re.MULTILINE)


@lru_cache(maxsize=1)
def kb_index() -> Index:
    return load_checked_index(KB)


def test_kb_is_clean_under_strict() -> None:
    problems = [d.format() for d in sort_diagnostics(kb_index().diagnostics)]
    assert problems == []


def test_every_impl_reference_imports_for_real() -> None:
    refs = sorted(
        {
            ref
            for note in kb_index().notes.values()
            if note.frontmatter
            for ref in note.frontmatter.impl
        }
    )
    assert refs, "no note of kb names an implementation"
    for ref in refs:
        module, name = ref.split(":")
        assert callable(getattr(importlib.import_module(module), name)), ref


def test_algos_docstrings_link_to_existing_notes() -> None:
    notes = kb_index().notes
    linked = 0
    for info in pkgutil.iter_modules(rlref.algos.__path__):
        module = importlib.import_module(f"rlref.algos.{info.name}")
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            for target in NOTE_LINE.findall(inspect.getdoc(obj) or ""):
                assert target in notes, f"{module.__name__}.{name} links to missing note {target}"
                linked += 1
    assert linked, "no algos docstring links to a note"


def test_every_moc_section_lists_notes() -> None:
    """A section heading with no entry under it is an empty page in the nav."""
    for moc, sections in kb_index().moc_sections.items():
        empty = [s.heading for s in sections if not s.notes]
        assert empty == [], f"{moc}: sections without entries: {empty}"


def test_every_note_is_listed_by_some_moc() -> None:
    listed = {key for sections in kb_index().moc_sections.values() for s in sections
              for key in s.notes}
    mocs = set(kb_index().moc_sections)
    unlisted = sorted(set(kb_index().notes) - listed - mocs)
    assert unlisted == []


def test_each_note_is_an_entry_of_one_moc_section() -> None:
    for moc, sections in kb_index().moc_sections.items():
        seen: dict[str, str] = {}
        for section in sections:
            for key in section.notes:
                where = f"{moc}: {key} is listed under {seen.get(key)} and {section.heading}"
                assert key not in seen, where
                seen[key] = section.heading

"""The static formula checks of a whole vault, for ``rlref check`` (and ``index``, ``build``,
the site compile): pure Python, no sympy, no torch, no numpy, and nothing in the vault or its
checks folder is imported or run.

Every tagged formula has a registered check or ``check: none`` with a reason; a note's
``formulas:`` holds nothing else; every registration in the checks folder names a note and a
tagged formula of it, once. A formula's LaTeX is read against the symbols its check declares
(read from the check module with :mod:`ast`): an undeclared identifier, an unknown macro or a
declared spelling that does not occur is an error at the formula's line; a check whose
``impl`` the note's ``impl:`` does not list is a warning.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

from rlref.diagnostics import Diagnostic, diagnose


class FormulaLike(Protocol):
    id: str
    latex: str
    line: int


class NoteLike(Protocol):
    """What the checker reads from a :class:`rlref.vault.Note`."""

    path: str
    raw_frontmatter: dict[str, Any]
    key_lines: dict[str, int]

    @property
    def formulas(self) -> list[Any]: ...


def raw_bindings(note: NoteLike) -> Any:
    """The note's ``formulas:`` value as YAML gave it (``{}`` when absent)."""
    raw = note.raw_frontmatter.get("formulas")
    return {} if raw is None else raw


def listed_impl(note: NoteLike) -> set[str] | None:
    """The note's ``impl:`` entries (one string or a list); None when it is not readable
    (the frontmatter check reports that)."""
    raw = note.raw_frontmatter.get("impl")
    if raw is None:
        return set()
    if isinstance(raw, str):
        return {raw}
    if isinstance(raw, list) and all(isinstance(ref, str) for ref in raw):
        return set(raw)
    return None


# ---------------------------------------------------------------------------- the whole vault
GUIDE = "see the guide 公式绑定 (site/guide/formula-binding.md)"
ALLOWED_ENTRY_KEYS = frozenset({"check", "reason", "glossary"})


def _entry_lines(text: str, formulas_line: int) -> dict[str, dict[str, int]]:
    """formula id → {key → line} for the entries under ``formulas:`` (1-based lines)."""
    lines = text.split("\n")
    found: dict[str, dict[str, int]] = {}
    current: str | None = None
    for number in range(formulas_line, len(lines)):
        line = lines[number]
        if line.strip() == "---":
            break
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        if indent == 0:
            break
        key = line.strip().split(":", 1)[0].strip().strip("'\"")
        if current is None or indent <= 2:
            current = key
            found.setdefault(current, {"": number + 1})
        else:
            found[current].setdefault(key, number + 1)
    return found


def entry_problems(raw: Any) -> str | None:
    """What is wrong with a ``formulas:`` entry: only ``check: none`` + ``reason`` (and an
    optional ``glossary`` of spellings → words) belong in a note."""
    if not isinstance(raw, dict):
        return "an entry is check: none with a reason"
    extra = sorted(str(k) for k in raw if k not in ALLOWED_ENTRY_KEYS)
    if extra:
        return (f"{', '.join(extra)}: a note holds no binding; the checks of a formula are "
                "Python in the vault's checks folder (@formula_check), " + GUIDE)
    if raw.get("check") != "none":
        return "check: none is the only value (a check is registered in the checks folder)"
    reason = raw.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        return "check: none needs a reason"
    glossary = raw.get("glossary")
    if glossary is not None and not (isinstance(glossary, dict) and all(
            isinstance(v, str) for v in glossary.values())):
        return "glossary maps LaTeX spellings to their meaning in words"
    return None


def vault_diagnostics(root: Path, notes: Iterable[NoteLike]) -> list[Diagnostic]:
    """The formula checks of a whole vault, statically (nothing is imported or run):

    every tagged formula has a registered check or ``check: none`` with a reason; every
    ``formulas:`` entry is only that; every registration in the checks folder names a note
    and a tagged formula of it, once.
    """
    from rlref.formulas.registry import scan_checks

    scanned = scan_checks(root)
    found = list(scanned.problems)
    by_key = {note.path.removesuffix(".md"): note for note in notes}
    registered: dict[tuple[str, str], list[Any]] = {}
    for registration in scanned.registrations:
        registered.setdefault((registration.note, registration.formula), []).append(registration)
    for (note_key, formula_id), registrations in sorted(registered.items()):
        first = registrations[0]
        where = str(first.path)
        note = by_key.get(note_key)
        if note is None:
            found.append(Diagnostic(where, first.line, "error",
                                    f"@{'formula_' + first.kind}: no note '{note_key}' in the "
                                    "vault"))
            continue
        if formula_id not in {f.id for f in note.formulas}:
            found.append(Diagnostic(where, first.line, "error",
                                    f"@{'formula_' + first.kind}: note '{note_key}' tags no "
                                    f"formula '{formula_id}'"))
        for again in registrations[1:]:
            found.append(Diagnostic(str(again.path), again.line, "error",
                                    f"{note_key}::{formula_id} is registered twice (first at "
                                    f"{first.where})"))
    for note in by_key.values():
        found.extend(_note_diagnostics(root, note, registered, scanned.folder))
    return found


def _note_diagnostics(root: Path, note: NoteLike, registered: dict[tuple[str, str], list[Any]],
                      folder: Path | None) -> list[Diagnostic]:
    raw = raw_bindings(note)
    formulas_line = note.key_lines.get("formulas", 1)
    if not isinstance(raw, dict):
        return [Diagnostic(note.path, formulas_line, "error",
                           "formulas: must map formula ids to check: none + reason")]
    found: list[Diagnostic] = []
    key = note.path.removesuffix(".md")
    lines: dict[str, dict[str, int]] = {}
    if raw:
        try:
            text = (Path(root) / note.path).read_text(encoding="utf-8")
            lines = _entry_lines(text, formulas_line)
        except (OSError, UnicodeDecodeError):
            lines = {}
    tagged = {f.id for f in note.formulas}
    for formula_id, entry in raw.items():
        at = lines.get(str(formula_id), {})
        line = at.get("", formulas_line)
        if formula_id not in tagged:
            found.append(Diagnostic(note.path, line, "error",
                                    f"formulas.{formula_id}: no formula is tagged "
                                    f"'<!-- formula: {formula_id} -->' in this note"))
        problem = entry_problems(entry)
        if problem is not None:
            bad = [at[k] for k in (entry if isinstance(entry, dict) else {}) if k in at
                   and k not in ALLOWED_ENTRY_KEYS]
            found.append(Diagnostic(note.path, min(bad, default=line), "error",
                                    f"formulas.{formula_id}: {problem}"))
    listed = listed_impl(note)
    for formula in note.formulas:
        for registration in registered.get((key, formula.id), [])[:1]:
            found.extend(_declared_diagnostics(note, formula, registration, listed))
        checks = [r for r in registered.get((key, formula.id), []) if r.kind == "check"]
        unchecked = isinstance(raw.get(formula.id), dict) and raw[formula.id].get("check") == "none"
        if checks and unchecked:
            found.append(Diagnostic(note.path, formula.line, "error",
                                    f"formula '{formula.id}' says check: none but "
                                    f"{checks[0].where} registers a check: keep one"))
        elif not checks and formula.id not in raw:
            home = "the vault's checks folder" if folder is None else str(folder)
            hint = "" if folder is not None else (
                " (this vault has no checks folder: .rlref.toml with checks = \"…\")")
            found.append(Diagnostic(note.path, formula.line, "error",
                                    f"formula '{formula.id}' has no check: register one in "
                                    f"{home} with @formula_check({key!r}, {formula.id!r}), or "
                                    f"give check: none with a reason{hint}"))
    return found


def _declared_diagnostics(note: NoteLike, formula: FormulaLike, registration: Any,
                          listed: set[str] | None) -> list[Diagnostic]:
    """What a formula's registered check declares, against the formula and the note: its
    LaTeX must read with the declared symbols (the normaliser alone: no sympy), and the code
    it checks belongs in the note's ``impl:`` (the concept card lists it)."""
    from rlref.formulas.latex import LatexError
    from rlref.formulas.normalise import normalise
    from rlref.formulas.vocabulary import build_vocabulary

    found: list[Diagnostic] = []
    if registration.symbols is not None:
        try:
            normalise(formula.latex, build_vocabulary(registration.symbols))
        except (LatexError, ValueError) as error:
            found.append(Diagnostic(note.path, formula.line, "error",
                                    f"formula '{formula.id}': {error} (its symbols: "
                                    f"{registration.where})"))
    impl = registration.impl
    if (registration.kind == "check" and impl is not None and listed is not None
            and impl not in listed):
        found.append(diagnose("unlisted-impl", note.path, formula.line,
                              f"formula '{formula.id}' is checked against {impl} "
                              f"({registration.where}), which is not listed in impl:"))
    return found

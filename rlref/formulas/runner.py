"""Run the checks of tagged formulas and record one result per formula.

A formula passes when its numeric check passes, is *unchecked* when its binding says
``check: none`` with a reason, and fails otherwise — a missing binding included. Bad input
never raises from here: every problem becomes a failed result with a message.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from rlref.formulas.binding import Unchecked, read_binding
from rlref.formulas.diagnostics import FormulaLike, NoteLike, binding_problems, raw_bindings

Status = Literal["pass", "fail", "unchecked"]


@dataclass
class FormulaResult:
    note: str  # vault path with ".md"
    formula: str
    line: int
    status: Status
    reason: str | None = None  # why a formula is unchecked
    message: str | None = None  # why a check failed
    impl: str | None = None
    seeds: list[int] = field(default_factory=list)
    max_abs_error: float | None = None
    max_rel_error: float | None = None
    duration_s: float = 0.0
    checked_at: str = ""
    latex_sha256: str = ""

    @property
    def label(self) -> str:
        """``note::formula-id``, the name of the generated test."""
        return f"{self.note.removesuffix('.md')}::{self.formula}"

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def latex_hash(latex: str) -> str:
    return hashlib.sha256(latex.encode("utf-8")).hexdigest()


def tagged_formulas(notes: Iterable[NoteLike]) -> Iterator[tuple[NoteLike, FormulaLike]]:
    """Every tagged formula of the notes, in note order then document order."""
    for note in notes:
        for formula in note.formulas:
            yield note, formula


def check_formula(note: NoteLike, formula: FormulaLike) -> FormulaResult:
    """Check one tagged formula of a note against its binding."""
    started = time.perf_counter()
    result = FormulaResult(note.path, formula.id, formula.line, "fail",
                           checked_at=datetime.now(UTC).isoformat(timespec="seconds"),
                           latex_sha256=latex_hash(formula.latex))
    try:
        _run(note, formula, result)
    except Exception as error:  # an impl that raises, a numpy error: a failure, not a crash
        result.status = "fail"
        result.message = f"{type(error).__name__}: {error}"
        seed = getattr(error, "seed", None)  # a CheckFailure knows where the check failed
        if seed is not None:
            result.seeds = [seed]
            result.max_abs_error = getattr(error, "max_abs_error", None)
    result.duration_s = round(time.perf_counter() - started, 4)
    return result


def _run(note: NoteLike, formula: FormulaLike, result: FormulaResult) -> None:
    bindings = raw_bindings(note)
    raw = bindings.get(formula.id) if isinstance(bindings, dict) else None
    if raw is None:
        result.message = ("no binding: add it under formulas: in the frontmatter, or give "
                          "check: none with a reason")
        return
    problems = binding_problems(formula.latex, raw)
    if problems:
        result.message = "; ".join(problems)
        return
    binding = read_binding(raw)
    if isinstance(binding, Unchecked):
        result.status, result.reason = "unchecked", binding.reason
        return
    # heavy imports (sympy, torch) only once a numeric check actually runs
    from rlref.formulas.numeric import check_numeric

    result.impl = binding.impl
    report = check_numeric(formula.latex, binding)
    result.status = "pass"
    result.seeds = report.seeds
    result.max_abs_error = report.max_abs_error
    result.max_rel_error = report.max_rel_error


def check_notes(notes: Iterable[NoteLike]) -> list[FormulaResult]:
    return [check_formula(note, formula) for note, formula in tagged_formulas(notes)]


def vault_formulas(root: Path) -> list[tuple[Any, Any]]:
    """(note, formula) for every tagged formula of the vault at ``root``, read through the
    concept index (the same notes ``rlref check`` and the site see)."""
    from rlref.index import build_index
    from rlref.vault import load_vault

    index = build_index(load_vault(root))
    notes = [index.notes[key] for key in sorted(index.notes)]
    return list(tagged_formulas(notes))

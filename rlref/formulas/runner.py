"""Run the checks of tagged formulas and record one result per formula.

A formula passes when its numeric check (a function registered in the vault's checks
folder, :mod:`rlref.formulas.registry`) passes, is *unchecked* when the note says
``check: none`` with a reason, and fails otherwise — a missing check included. Bad input
never raises from here: every problem becomes a failed result with a message.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from rlref.formulas.diagnostics import FormulaLike, NoteLike, entry_problems, raw_bindings
from rlref.formulas.registry import Loaded

Checks = dict[tuple[str, str], Loaded]

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


def check_formula(note: NoteLike, formula: FormulaLike,
                  checks: Checks | None = None) -> FormulaResult:
    """Check one tagged formula of a note against its registered check (``checks``, from
    :func:`rlref.formulas.registry.load_checks`)."""
    started = time.perf_counter()
    result = FormulaResult(note.path, formula.id, formula.line, "fail",
                           checked_at=datetime.now(UTC).isoformat(timespec="seconds"),
                           latex_sha256=latex_hash(formula.latex))
    try:
        with _time_limit(formula_timeout()):
            _run(note, formula, result, checks or {})
    except CheckTimeout as error:
        result.status = "fail"
        result.message = str(error)
    except Exception as error:  # an impl that raises, a numpy error: a failure, not a crash
        result.status = "fail"
        result.message = f"{type(error).__name__}: {error}"
        seed = getattr(error, "seed", None)  # a CheckFailure knows where the check failed
        if seed is not None:
            result.seeds = [seed]
            result.max_abs_error = getattr(error, "max_abs_error", None)
    result.duration_s = round(time.perf_counter() - started, 4)
    return result


DEFAULT_TIMEOUT_S = 60.0


class CheckTimeout(Exception):
    """A formula check that ran past its time limit."""


def formula_timeout() -> float:
    """Seconds one formula's check may take: ``RLREF_FORMULA_TIMEOUT`` or 60."""
    try:
        return max(float(os.environ.get("RLREF_FORMULA_TIMEOUT", DEFAULT_TIMEOUT_S)), 0.01)
    except ValueError:
        return DEFAULT_TIMEOUT_S


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Stop the check after ``seconds`` (a timer signal; only possible in the main thread,
    elsewhere the check runs unbounded)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise CheckTimeout(
            f"the check took longer than {seconds:g} s (RLREF_FORMULA_TIMEOUT) and was stopped"
        )

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def impl_reference(function: Any) -> str | None:
    """``module:function`` of an implementation, for ``verify.json``."""
    if function is None:
        return None
    return f"{getattr(function, '__module__', '?')}:{getattr(function, '__qualname__', '?')}"


def _run(note: NoteLike, formula: FormulaLike, result: FormulaResult, checks: Checks) -> None:
    registered = checks.get((note.path.removesuffix(".md"), formula.id))
    bindings = raw_bindings(note)
    raw = bindings.get(formula.id) if isinstance(bindings, dict) else None
    if registered is not None and registered.kind == "check":
        if isinstance(raw, dict) and raw.get("check") == "none":
            result.message = (f"the note says check: none but {registered.where} registers a "
                              "check: keep one")
            return
        from rlref.formulas.api import Check

        check = registered.function()
        if not isinstance(check, Check):
            result.message = f"{registered.where}: the check returns {type(check).__name__}, " \
                             "not a Check"
            return
        _numeric(formula, check, result)
        return
    if raw is None:
        result.message = ("no check: register one in the vault's checks folder "
                          "(@formula_check), or give check: none with a reason under formulas: "
                          "in the frontmatter")
        return
    problem = entry_problems(raw)  # a note is data: nothing in it is evaluated
    if problem is not None:
        result.message = f"formulas.{formula.id}: {problem}"
        return
    result.status, result.reason = "unchecked", raw["reason"]


def _numeric(formula: FormulaLike, check: Any, result: FormulaResult) -> None:
    # heavy imports (sympy, torch) only once a numeric check actually runs
    from rlref.formulas.numeric import check_numeric

    result.impl = impl_reference(check.impl)
    report = check_numeric(formula.latex, check)
    result.status = "pass"
    result.seeds = report.seeds
    result.max_abs_error = report.max_abs_error
    result.max_rel_error = report.max_rel_error


def check_notes(notes: Iterable[NoteLike], checks: Checks | None = None) -> list[FormulaResult]:
    return [check_formula(note, formula, checks) for note, formula in tagged_formulas(notes)]


def vault_formulas(root: Path) -> list[tuple[Any, Any]]:
    """(note, formula) for every tagged formula of the vault at ``root``, read through the
    concept index (the same notes ``rlref check`` and the site see)."""
    from rlref.index import build_index
    from rlref.vault import load_vault

    index = build_index(load_vault(root))
    notes = [index.notes[key] for key in sorted(index.notes)]
    return list(tagged_formulas(notes))

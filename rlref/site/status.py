"""Formula check results from ``build/verify.json`` (written by ``rlref verify``).

The schema belongs to ``rlref.formulas.report`` (``schema_version`` 1): a ``generated_at``
time and a ``formulas`` list whose entries carry ``note`` (vault path with ``.md``),
``formula`` (the id), ``status`` (pass / fail / unchecked), ``reason`` (why unchecked),
``message`` (why it failed), ``checked_at`` and ``latex_sha256``.

The site only displays the results, so reading is tolerant: a missing file, an unreadable
one or an unknown schema version never stops a build — every formula is then shown as
unchecked with the reason. A result whose LaTeX hash differs from the note's formula is
stale (the formula was edited after the run) and is shown as unchecked too.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Status = Literal["pass", "fail", "unchecked"]
SCHEMA_VERSION = 1
NOT_RUN = "verify 未运行"
_STATUSES = ("pass", "fail", "unchecked")


@dataclass(frozen=True)
class FormulaStatus:
    status: Status
    reason: str | None = None
    checked_at: str | None = None


@dataclass(frozen=True)
class _Entry:
    status: FormulaStatus
    latex_sha256: str | None


@dataclass
class VerifyReport:
    """Results keyed by (note key, formula id); ``available`` is False without a report."""

    available: bool
    generated_at: str | None = None
    problem: str | None = None  # why the report could not be used, when it could not
    entries: dict[tuple[str, str], _Entry] = field(default_factory=dict)

    def status(self, note_key: str, formula_id: str, latex: str | None = None) -> FormulaStatus:
        if not self.available:
            return FormulaStatus("unchecked", self.problem or NOT_RUN)
        entry = self.entries.get((note_key, formula_id))
        if entry is None:
            return FormulaStatus("unchecked", "上次 verify 之后新增的公式", self.generated_at)
        if latex is not None and entry.latex_sha256 and entry.latex_sha256 != latex_hash(latex):
            return FormulaStatus(
                "unchecked", "公式在上次 verify 之后改过：结果已过期", entry.status.checked_at
            )
        return entry.status


def latex_hash(latex: str) -> str:
    """The hash ``rlref verify`` records for a formula's LaTeX."""
    return hashlib.sha256(latex.encode("utf-8")).hexdigest()


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def read_verify_report(path: Path) -> VerifyReport:
    if not path.is_file():
        return VerifyReport(False)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return VerifyReport(False, problem=f"{path.name} 无法读取（{type(exc).__name__}）")
    if not isinstance(data, dict) or data.get("schema_version") != SCHEMA_VERSION:
        version = data.get("schema_version") if isinstance(data, dict) else None
        return VerifyReport(False, problem=f"{path.name} 的 schema_version {version!r} 不受支持")
    report = VerifyReport(True, generated_at=_text(data.get("generated_at")))
    formulas = data.get("formulas")
    for entry in formulas if isinstance(formulas, list) else []:
        if not isinstance(entry, dict):
            continue
        note, formula = _text(entry.get("note")), _text(entry.get("formula"))
        if note is None or formula is None:
            continue
        word = str(entry.get("status"))
        status: Status = word if word in _STATUSES else "unchecked"  # type: ignore[assignment]
        reason = _text(entry.get("message") if status == "fail" else entry.get("reason"))
        if status == "pass":  # what the formula was checked against
            impl = _text(entry.get("impl"))
            reason = f"对照 {impl}" if impl else "数值恒等式：两边互相对照，不调用代码"
        if word not in _STATUSES:
            reason = f"未知状态 {word!r}"
        checked_at = _text(entry.get("checked_at")) or report.generated_at
        report.entries[(note.removesuffix(".md"), formula)] = _Entry(
            FormulaStatus(status, reason, checked_at), _text(entry.get("latex_sha256"))
        )
    return report

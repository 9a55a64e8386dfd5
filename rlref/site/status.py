"""Formula check results from ``build/verify.json`` (written by ``rlref verify``).

The schema belongs to ``rlref.formulas.report`` (``schema_version`` 1): a ``generated_at``
time and a ``formulas`` list whose entries carry ``note`` (vault path with ``.md``),
``formula`` (the id), ``status`` (pass / fail / unchecked), ``reason`` (why unchecked),
``message`` (why it failed), ``checked_at`` and ``latex_sha256``.

The site only displays the results, so reading is tolerant: a missing file, an unreadable
one or an unknown schema version never stops a build. A formula that is not ``pass`` or
``fail`` is in one of three states, shown apart:

- ``none``: not numerically checkable by nature — the note says ``check: none`` with a
  reason (a definition, a theorem, an assumption); ``rlref verify`` writes it ``unchecked``;
- ``pending``: not checked yet — no report, or a formula newer than the last run;
- ``stale``: changed since the last check — the result's LaTeX hash is not the formula's.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from rlref.vault.model import Formula, Note

Status = Literal["pass", "fail", "none", "pending", "stale"]
SCHEMA_VERSION = 1
NOT_RUN = "verify 未运行"
# The report's words → the site's states ("unchecked" is what verify writes for check: none).
_STATUSES: dict[str, Status] = {"pass": "pass", "fail": "fail", "unchecked": "none"}


@dataclass(frozen=True)
class FormulaStatus:
    status: Status
    reason: str | None = None
    checked_at: str | None = None
    impl: str | None = None  # "module:function" a passing check ran against


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

    def status(
        self,
        note_key: str,
        formula_id: str,
        latex: str | None = None,
        none_reason: str | None = None,
    ) -> FormulaStatus:
        """The state of one formula. ``none_reason`` is the note's ``check: none`` reason:
        it stands when the report has no pass or fail for the formula."""
        entry = self.entries.get((note_key, formula_id)) if self.available else None
        if entry is None or entry.status.status == "none":
            if none_reason is not None and entry is None:
                return FormulaStatus("none", none_reason)
            if entry is not None:
                return entry.status
            if not self.available:
                return FormulaStatus("pending", self.problem or NOT_RUN)
            return FormulaStatus("pending", "上次 verify 之后新增的公式", self.generated_at)
        if latex is not None and entry.latex_sha256 and entry.latex_sha256 != latex_hash(latex):
            return FormulaStatus(
                "stale", "公式在上次 verify 之后改过：结果已过期", entry.status.checked_at
            )
        return entry.status


def none_reason(note: Note, formula_id: str) -> str | None:
    """The reason of the note's ``check: none`` for this formula, if it gives one."""
    raw = note.frontmatter.formulas.get(formula_id) if note.frontmatter else None
    if isinstance(raw, dict) and raw.get("check") == "none":
        return str(raw.get("reason") or "check: none")
    return None


def formula_status(report: VerifyReport, note: Note, formula: Formula) -> FormulaStatus:
    return report.status(note.key, formula.id, formula.latex, none_reason(note, formula.id))


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
        status: Status = _STATUSES.get(word, "pending")
        reason = _text(entry.get("message") if status == "fail" else entry.get("reason"))
        impl = _text(entry.get("impl")) if status == "pass" else None
        if status == "pass":  # what the formula was checked against
            reason = f"对照 {impl}" if impl else "数值恒等式：两边互相对照，不调用代码"
        if word not in _STATUSES:
            reason = f"未知状态 {word!r}"
        checked_at = _text(entry.get("checked_at")) or report.generated_at
        report.entries[(note.removesuffix(".md"), formula)] = _Entry(
            FormulaStatus(status, reason, checked_at, impl), _text(entry.get("latex_sha256"))
        )
    return report

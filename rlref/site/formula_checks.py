"""Each tagged formula with its check: the line under the formula and the API pages' lists.

Which function a formula is checked against comes from the vault's checks folder read
statically (:func:`rlref.formulas.registry.scan_checks`, what ``rlref check`` reads: the
``impl=`` of each ``@formula_check``), resolved to its API entry and source line by the one
resolver (:func:`rlref.site.api.impl_target`). A vault without a checks folder still shows
the function a passing result of ``rlref verify`` names. The state comes from the verify
report as on the concept card (:func:`rlref.site.status.formula_status`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from rlref.formulas.registry import scan_checks
from rlref.site.api import ImplTarget, Module, impl_target
from rlref.site.icons import icon
from rlref.site.layout import escape_markdown, note_doc, relative_url, shown_title
from rlref.site.status import FormulaStatus, VerifyReport, formula_status
from rlref.vault.model import Note

# The anchor of the concept card (rlref.site.card), where the line under a formula leads.
CARD_ANCHOR = "concept-card"
_PLAIN_ID = re.compile(r"^[\w.:-]+$")
# The states of rlref.site.status, as the line under a formula says them.
_WORDS = {
    "pass": "通过",
    "fail": "未通过",
    "none": "不适用",
    "pending": "待检查",
    "stale": "已过期",
}


@dataclass(frozen=True)
class FormulaCheck:
    note: str  # note key
    title: str  # the note's title
    formula: str  # formula id
    status: FormulaStatus
    ref: str | None  # "module:function" it is checked against, when there is one
    target: ImplTarget | None  # where the site documents it (None: not found)

    @property
    def anchor(self) -> str | None:
        """The formula's anchor on its note's page, when its id can stand in a link."""
        return formula_anchor(self.formula) if _PLAIN_ID.match(self.formula) else None


def formula_anchor(formula_id: str) -> str:
    return f"formula-{formula_id}"


def _id_text(formula_id: str) -> str:
    """A formula id as code when it is a plain word, escaped text otherwise."""
    return f"`{formula_id}`" if _PLAIN_ID.match(formula_id) else escape_markdown(formula_id)


FormulaChecks = dict[tuple[str, str], FormulaCheck]  # (note key, formula id) → its check


def formula_checks(
    vault_root: Path,
    notes: dict[str, Note],
    report: VerifyReport,
    documented: dict[str, Module],
) -> FormulaChecks:
    """Every tagged formula of ``notes`` with its state and the function it is checked
    against."""
    registered: dict[tuple[str, str], str] = {}
    for registration in scan_checks(vault_root).registrations:
        if registration.kind == "check" and registration.impl:
            registered.setdefault((registration.note, registration.formula), registration.impl)
    targets: dict[str, ImplTarget | None] = {}
    found: FormulaChecks = {}
    for key, note in notes.items():
        for formula in note.formulas:
            status = formula_status(report, note, formula)
            ref = registered.get((key, formula.id)) or status.impl
            if ref is not None and ref not in targets:
                targets[ref] = impl_target(ref, documented)
            target = targets[ref] if ref is not None else None
            check = FormulaCheck(key, shown_title(note), formula.id, status, ref, target)
            found[(key, formula.id)] = check
    return found


def _state(status: FormulaStatus) -> str:
    return f"{icon(status.status)} {_WORDS[status.status]}"


def _function(doc: str, check: FormulaCheck) -> str:
    """The function, linked to its API entry, and its source line."""
    if check.ref is None:
        return "数值恒等式" if check.status.status == "pass" else ""
    target = check.target
    if target is None:
        return f"对照 {escape_markdown(check.ref)}（未找到）"
    name = f"`{target.name}`"
    api = name
    if target.api_doc:
        api = f"[{name}]({relative_url(doc, target.api_doc, target.anchor)})"
    source = ""
    if target.source_doc:
        file = target.module.rsplit(".", 1)[-1]
        link = relative_url(doc, target.source_doc, target.source_anchor)
        source = f" · [{file}.py:{target.line}]({link})"
    return f"对照 {api}{source}"


def check_line(doc: str, check: FormulaCheck) -> list[str]:
    """The line under a formula: state · function (API, source line) · back to the card,
    as a Markdown paragraph (with its attribute line) kept out of the search index."""
    parts = [_state(check.status), _function(doc, check), f"[概念卡](#{CARD_ANCHOR})"]
    text = " · ".join(part for part in parts if part)
    return [text, '{ .rlref-formula-check data-search-exclude="true" }']


def checked_against(checks: FormulaChecks) -> dict[str, list[FormulaCheck]]:
    """API anchor (``module.function``) → the formulas checked against that function."""
    found: dict[str, list[FormulaCheck]] = defaultdict(list)
    for check in checks.values():
        if check.target is not None:
            found[check.target.anchor].append(check)
    return dict(found)


def api_checks_line(doc: str, checks: list[FormulaCheck]) -> str:
    """Under an API entry: the formulas checked against it, each with its state."""
    links = [
        f"{icon(check.status.status)} [{escape_markdown(check.title)} · {_id_text(check.formula)}]"
        f"({relative_url(doc, note_doc(check.note), check.anchor)})"
        for check in checks
    ]
    return f'<p class="rlref-checked-by" markdown>**对照公式：** {" · ".join(links)}</p>\n'

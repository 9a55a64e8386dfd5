"""``build/verify.json``: the status of every formula, as the docs site shows it.

The schema is documented in ``site/guide/formula-binding.md``; change it only together with
``SCHEMA_VERSION`` (the site refuses a version it does not know).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rlref import __version__
from rlref.formulas.runner import FormulaResult

SCHEMA_VERSION = 1


def previous_results(path: Path) -> list[dict[str, Any]]:
    """Results of an earlier run with the same schema ([] when absent or unreadable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(data, dict) or data.get("schema_version") != SCHEMA_VERSION:
        return []
    formulas = data.get("formulas")
    return [f for f in formulas if isinstance(f, dict)] if isinstance(formulas, list) else []


def merge(results: list[FormulaResult], earlier: list[dict[str, Any]],
          checked_notes: set[str], existing_notes: set[str]) -> list[dict[str, Any]]:
    """This run's results, plus earlier results of notes not checked this time (when
    ``rlref verify NOTE`` checks only some notes) that still exist in the vault."""
    kept = [
        f for f in earlier
        if f.get("note") not in checked_notes and f.get("note") in existing_notes
    ]
    merged = kept + [r.as_json() for r in results]
    return sorted(merged, key=lambda f: (str(f.get("note")), int(f.get("line") or 0)))


def write_report(path: Path, results: list[FormulaResult], *, vault: str,
                 checked_notes: set[str], existing_notes: set[str]) -> dict[str, Any]:
    """Write the report atomically and return it."""
    formulas = merge(results, previous_results(path), checked_notes, existing_notes)
    counts = Counter(str(f.get("status")) for f in formulas)
    report = {
        "schema_version": SCHEMA_VERSION,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "rlref_version": __version__,
        "vault": vault,
        "summary": {status: counts.get(status, 0) for status in ("pass", "fail", "unchecked")},
        "formulas": formulas,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)
    return report

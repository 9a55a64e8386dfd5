"""Generated tests: one per tagged formula of every note in ``kb/`` (``note::formula-id``).

A new note's formulas are tested without any test code: the formula is read from the note,
its check from the vault's checks folder (``.rlref.toml``: ``checks = "../checks"``). A
formula with neither a registered check nor ``check: none`` plus a reason fails.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rlref.formulas import check_formula, vault_formulas
from rlref.formulas.registry import load_checks

# RLREF_FORMULA_VAULT points the same generated tests at another vault (used by the test
# that shows a new note's formulas are collected with no test code written).
KB = Path(os.environ.get("RLREF_FORMULA_VAULT") or Path(__file__).resolve().parents[1] / "kb")
CHECKS = load_checks(KB) if KB.is_dir() else {}


def _cases() -> list:
    found = vault_formulas(KB) if KB.is_dir() else []
    if not found:  # an empty vault is a failure, not zero silent tests
        return [pytest.param(None, None, id="kb-has-no-tagged-formulas")]
    return [pytest.param(note, formula, id=f"{note.key}::{formula.id}") for note, formula in found]


@pytest.mark.parametrize(("note", "formula"), _cases())
def test_formula(note, formula):
    assert note is not None, f"no tagged formula found in {KB}"
    result = check_formula(note, formula, CHECKS)
    where = f"{result.note}:{result.line}: {result.formula}"
    assert result.status != "fail", f"{where}: {result.message}"

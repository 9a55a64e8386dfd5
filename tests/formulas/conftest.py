"""Shared fixtures of the formula-checker tests: the shipped vault kb/ and its checks
folder, read once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rlref.formulas.parse import ParsedFormula, parse_formula
from rlref.formulas.registry import load_checks
from rlref.vault import Vault, load_vault

KB = Path(__file__).resolve().parents[2] / "kb"


@pytest.fixture(scope="session")
def kb_vault() -> Vault:
    return load_vault(KB)


@pytest.fixture(scope="session")
def tagged(kb_vault: Vault):
    """``tagged(note, formula_id)``: (LaTeX from the kb note, its Check or Symbols from the
    checks folder)."""
    checks = load_checks(KB)

    def read(note: str, formula_id: str) -> tuple[str, Any]:
        found = kb_vault.notes[note]
        (formula,) = [f for f in found.formulas if f.id == formula_id]
        return formula.latex, checks[note, formula_id].function()

    return read


@pytest.fixture(scope="session")
def parsed(tagged):
    """``parsed(note, formula_id)``: the formula as sympy reads it, with its binding."""

    def parse(note: str, formula_id: str) -> ParsedFormula:
        latex, binding = tagged(note, formula_id)
        return parse_formula(latex, binding)

    return parse

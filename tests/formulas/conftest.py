"""Shared fixtures of the formula-checker tests: the fixture vault, read once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rlref.formulas.binding import read_binding
from rlref.formulas.parse import ParsedFormula, parse_formula
from rlref.vault import Vault, load_vault

FIXTURE_VAULT = Path(__file__).resolve().parents[1] / "fixtures" / "formula_vault"


@pytest.fixture(scope="session")
def fixture_vault() -> Vault:
    return load_vault(FIXTURE_VAULT)


@pytest.fixture(scope="session")
def tagged(fixture_vault: Vault):
    """``tagged(note, formula_id)``: (LaTeX, raw binding) read from the fixture note."""

    def read(note: str, formula_id: str) -> tuple[str, Any]:
        found = fixture_vault.notes[note]
        (formula,) = [f for f in found.formulas if f.id == formula_id]
        return formula.latex, found.raw_frontmatter["formulas"][formula_id]

    return read


@pytest.fixture(scope="session")
def parsed(tagged):
    """``parsed(note, formula_id)``: the formula as sympy reads it, with its binding."""

    def parse(note: str, formula_id: str) -> ParsedFormula:
        latex, raw = tagged(note, formula_id)
        return parse_formula(latex, read_binding(raw))

    return parse

"""Each display formula of an `rlref.algos` docstring equals a formula of the vault that a
check verifies (issue: notes are data, checks are Python; item 6). The API pages publish the
docstrings, so an unchecked copy there could drift from the checked note.

One test per documented function (or module): all its ``$$`` formulas must match, by relation
and canonical right side (`rlref.formulas.docstrings`). A docstring chaining several relations
(``a = b = c``) is split into one formula per relation, or keeps the extra steps in prose.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import rlref.algos
from rlref.formulas.docstrings import DocFormula, checked_keys, docstring_formulas, unmatched
from rlref.formulas.registry import scan_checks
from rlref.vault.load import load_vault

REPO = Path(__file__).resolve().parents[2]
ALGOS = Path(rlref.algos.__file__).parent
FORMULAS = docstring_formulas(ALGOS, "rlref.algos")

@pytest.fixture(scope="module")
def keys() -> dict:
    vault = load_vault(REPO / "kb")
    registrations = scan_checks(vault.root).registrations
    checked = {(r.note, r.formula) for r in registrations if r.kind == "check"}
    return checked_keys(vault.notes.values(), checked)


@pytest.mark.parametrize("owner", sorted({f.owner for f in FORMULAS}))
def test_docstring_formula_is_a_checked_formula(owner: str, keys: dict) -> None:
    mine = [f for f in FORMULAS if f.owner == owner]
    problems = [f"{f.file.name}:{f.line}: {why}: {f.latex}" for f, why in unmatched(mine, keys)]
    assert not problems, "\n".join(problems)


def test_the_matcher_can_fail() -> None:
    keys = {("=", r"-\log\sigma(\beta h)"): "note::dpo"}
    same = DocFormula(ALGOS, 1, "m:f", r"L = -\log \sigma\left(\beta h\right)")
    other = DocFormula(ALGOS, 1, "m:f", r"L = -\log \sigma(h)")
    chain = DocFormula(ALGOS, 1, "m:f", r"L = a = b")
    assert unmatched([same], keys) == []
    assert [why for _, why in unmatched([other, chain], keys)] == [
        "equals no checked formula of the vault",
        unmatched([chain], keys)[0][1],
    ]
    assert unmatched([chain], keys)[0][1].startswith("cannot be read")

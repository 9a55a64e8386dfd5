"""Checks are Python: a vault's ``.rlref.toml`` names its checks folder, whose functions
register a :class:`~rlref.formulas.api.Check` for (note, formula id)."""

from __future__ import annotations

from pathlib import Path

from rlref.formulas import check_formula, vault_formulas
from rlref.formulas.registry import load_checks, scan_checks

NOTE = """---
title: T
type: concept
formulas:
  unchecked:
    check: none
    reason: an assumption, not a quantity
---
<!-- formula: masked-mean -->
$$
\\bar{x} = \\frac{\\sum_t m_t x_t}{\\sum_t m_t}
$$

<!-- formula: unchecked -->
$$
a = b
$$
"""

CHECK = '''
from rlref.algos.lm import masked_mean
from rlref.formulas.api import Check, formula_check, reduction

from ._shared import MASK


@formula_check("T", "masked-mean")
def masked_mean_check() -> Check:
    return Check(
        impl=masked_mean,
        axes={"b": 3, "t": 6},
        inputs={"x": lambda v: v.normal(0, 1, v.b, v.t), "m": MASK},
        symbols={r"\\sum_t": reduction("sum", "t"), "m_t": lambda v: v.m, "x_t": lambda v: v.x},
        args={"x": lambda v: v.x, "mask": lambda v: v.m, "dim": -1},
        cover=[lambda v: v.m == 0],
    )
'''


def vault(tmp_path: Path, note: str = NOTE, check: str = CHECK, config: bool = True) -> Path:
    root = tmp_path / "vault"
    root.mkdir()
    (root / "T.md").write_text(note, encoding="utf-8")
    folder = tmp_path / "checks"
    folder.mkdir()
    (folder / "t.py").write_text(check, encoding="utf-8")
    (folder / "_shared.py").write_text("MASK = lambda v: v.prefix_mask(v.b, v.t)\n")
    if config:
        (root / ".rlref.toml").write_text('checks = "../checks"\n', encoding="utf-8")
    return root


def results(root: Path) -> dict[str, object]:
    checks = load_checks(root)
    return {f.id: check_formula(n, f, checks) for n, f in vault_formulas(root)}


def test_a_registered_check_runs_and_passes(tmp_path):
    found = results(vault(tmp_path))
    assert found["masked-mean"].status == "pass", found["masked-mean"].message
    assert found["masked-mean"].impl == "rlref.algos.lm:masked_mean"
    assert found["unchecked"].status == "unchecked"


def test_a_drifted_formula_fails(tmp_path):
    found = results(vault(tmp_path, NOTE.replace(r"m_t x_t", "x_t")))
    assert found["masked-mean"].status == "fail"
    assert "fails" in (found["masked-mean"].message or "")


def test_registrations_are_found_statically_with_their_line(tmp_path):
    scanned = scan_checks(vault(tmp_path))
    (registration,) = scanned.registrations
    assert (registration.note, registration.formula, registration.kind) == (
        "T", "masked-mean", "check")
    assert registration.path.as_posix() == "../checks/t.py" and registration.line == 8
    assert not scanned.problems


def test_a_vault_without_config_has_no_checks(tmp_path):
    root = vault(tmp_path, config=False)
    assert load_checks(root) == {} and scan_checks(root).folder is None
    assert "no check" in (results(root)["masked-mean"].message or "")


def test_a_config_naming_a_missing_folder_is_an_error(tmp_path):
    root = vault(tmp_path)
    (root / ".rlref.toml").write_text('checks = "../nowhere"\n', encoding="utf-8")
    (problem,) = scan_checks(root).problems
    assert problem.path == ".rlref.toml" and "does not exist" in problem.message


def test_one_check_can_serve_two_formulas_of_the_same_quantity(tmp_path):
    note = NOTE.replace("<!-- formula: unchecked -->", "<!-- formula: mean-again -->\n$$\n"
                        "\\bar{x} = \\frac{\\sum_t x_t m_t}{\\sum_t m_t}\n$$\n\n"
                        "<!-- formula: unchecked -->")
    check = CHECK.replace('@formula_check("T", "masked-mean")',
                          '@formula_check("T", "masked-mean")\n@formula_check("T", "mean-again")')
    root = vault(tmp_path, note, check)
    assert {r.formula for r in scan_checks(root).registrations} == {"masked-mean", "mean-again"}
    found = results(root)
    assert found["masked-mean"].status == found["mean-again"].status == "pass"
    (tmp_path / "drift").mkdir()
    drifted = results(vault(tmp_path / "drift", note.replace("x_t m_t", "x_t"), check))
    assert drifted["mean-again"].status == "fail" and drifted["masked-mean"].status == "pass"

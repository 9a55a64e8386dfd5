"""vault_diagnostics: the static formula checks `rlref check` runs on a whole vault (a note's
``formulas:`` entries, the checks folder's registrations), each at its file and line."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from rlref.index.checked import load_checked

NOTE = """---
title: T
impl: ["rlref.algos.policy_loss:importance_ratio"]
formulas:
{entries}
---

# T

<!-- formula: ratio -->
$$
r = \\frac{{\\pi(a \\mid s)}}{{\\mu(a \\mid s)}}
$$

<!-- formula: other -->
$$
x + y
$$
"""
OTHER = "  other: {check: none, reason: a placeholder}\n"
CHECK = '''from rlref.algos.policy_loss import importance_ratio
from rlref.formulas.api import Check, fn, formula_check


@formula_check("T", "ratio")
def check_ratio() -> Check:
    return Check(
        impl=importance_ratio,
        dims={"S": 3, "A": 2},
        axes={"n": 8},
        inputs={"P": lambda v: v.simplex(v.S, v.A), "Q": lambda v: v.simplex(v.S, v.A),
                "s": lambda v: v.integers(0, v.S, v.n), "a": lambda v: v.integers(0, v.A, v.n)},
        symbols={
            r"\\pi": fn(lambda v, a, s: v.P[s, a], bar=True),
            r"\\mu": fn(lambda v, a, s: v.Q[s, a], bar=True),
            "a": lambda v: v.a,
            "s": lambda v: v.s,
        },
        args={"logp": lambda v: v.log(v.P[v.s, v.a]), "old_logp": lambda v: v.log(v.Q[v.s, v.a])},
    )
'''


def vault(tmp_path: Path, entries: str = OTHER, check: str = CHECK) -> Path:
    root = tmp_path / "vault"
    root.mkdir(parents=True)
    (root / "T.md").write_text(NOTE.format(entries=entries), encoding="utf-8")
    (root / ".rlref.toml").write_text('checks = "../checks"\n', encoding="utf-8")
    (tmp_path / "checks").mkdir()
    (tmp_path / "checks" / "t.py").write_text(check, encoding="utf-8")
    return root


def line_of(text: str, needle: str, offset: int = 0) -> int:
    return text.split("\n").index(needle) + 1 + offset


def diagnostics(root: Path) -> list[str]:
    return [d.format() for d in load_checked(root).diagnostics]


def test_a_checked_note_is_clean(tmp_path):
    assert diagnostics(vault(tmp_path)) == []


def test_a_formula_without_check_is_an_error_at_its_line(tmp_path):
    root = vault(tmp_path, entries="")
    line = line_of(NOTE.format(entries=""), "<!-- formula: other -->", 1)
    (found,) = diagnostics(root)
    assert found.startswith(f"T.md:{line}: error: formula 'other' has no check: register one")
    assert "@formula_check('T', 'other')" in found


def test_an_entry_for_a_missing_formula_is_an_error_at_its_line(tmp_path):
    entries = OTHER + "  ghost: {check: none, reason: r}\n"
    found = diagnostics(vault(tmp_path, entries=entries))
    assert found == ["T.md:6: error: formulas.ghost: no formula is tagged "
                     "'<!-- formula: ghost -->' in this note"]


def test_a_binding_left_in_the_note_is_an_error_at_its_key(tmp_path):
    entries = OTHER + "  ratio:\n    impl: os:system\n    symbols: {a: x}\n"
    found = diagnostics(vault(tmp_path, entries=entries))
    assert any(f.startswith("T.md:7: error: formulas.ratio: impl, symbols: a note holds no "
                            "binding") for f in found), found


def test_check_none_needs_a_reason_and_excludes_a_check(tmp_path):
    found = diagnostics(vault(tmp_path, entries="  other: {check: none}\n"))
    assert any("check: none needs a reason" in f for f in found), found
    entries = OTHER + "  ratio: {check: none, reason: r}\n"
    found = diagnostics(vault(tmp_path / "b", entries=entries))
    assert any("says check: none but" in f and "registers a check: keep one" in f
               for f in found), found


def test_formulas_must_be_a_mapping(tmp_path):
    found = diagnostics(vault(tmp_path, entries="  - a list"))
    assert any("formulas: must map formula ids to check: none + reason" in f for f in found)


def test_registrations_name_a_real_note_and_formula_once(tmp_path):
    check = (CHECK + CHECK.split("\n\n\n")[1].replace("check_ratio", "again")
             + '\n\n@formula_check("T", "ghost")\ndef g():\n    pass\n'
             + '\n\n@formula_check("Nowhere", "x")\ndef h():\n    pass\n')
    found = diagnostics(vault(tmp_path, check=check))
    text = "\n".join(found)
    assert "T::ratio is registered twice (first at ../checks/t.py:5)" in text
    assert "@formula_check: note 'T' tags no formula 'ghost'" in text
    assert "@formula_check: no note 'Nowhere' in the vault" in text


def test_checking_a_vault_imports_neither_sympy_nor_torch(tmp_path):
    root = vault(tmp_path)
    script = textwrap.dedent(f"""
        import sys
        from rlref.index.checked import load_checked
        assert load_checked({str(root)!r}).diagnostics == []
        heavy = [m for m in ("sympy", "torch", "numpy") if m in sys.modules]
        assert not heavy, heavy
    """)
    subprocess.run([sys.executable, "-c", script], check=True)


def test_an_undeclared_identifier_is_an_error_at_the_formula_line(tmp_path):
    check = CHECK.replace('            "s": lambda v: v.s,\n', "")
    line = line_of(NOTE.format(entries=OTHER), "<!-- formula: ratio -->", 1)
    found = diagnostics(vault(tmp_path, check=check))
    assert found == [f"T.md:{line}: error: formula 'ratio': undeclared identifier 's' (its "
                     "symbols: ../checks/t.py:5)"]
    check = CHECK.replace('"a": lambda v: v.a,', '"a": lambda v: v.a, r"\\beta": 0.5,')
    (found,) = diagnostics(vault(tmp_path / "b", check=check))
    assert "declared but not in the formula: \\beta" in found


def test_symbols_built_at_run_time_are_left_to_verify(tmp_path):
    check = CHECK.replace("        symbols={", "        symbols={**SHARED,").replace(
        "@formula_check", "SHARED = {}\n\n\n@formula_check")
    assert diagnostics(vault(tmp_path, check=check)) == []


def test_code_a_formula_is_checked_against_must_be_listed_in_impl(tmp_path):
    line = line_of(NOTE.format(entries=OTHER), "<!-- formula: ratio -->", 1)
    root = vault(tmp_path)
    note = root / "T.md"
    note.write_text(note.read_text(encoding="utf-8").replace(
        "rlref.algos.policy_loss:importance_ratio", "rlref.algos.kl:kl_k1"), encoding="utf-8")
    assert diagnostics(root) == [
        f"T.md:{line}: warning: formula 'ratio' is checked against "
        "rlref.algos.policy_loss:importance_ratio (../checks/t.py:5), which is not listed in "
        "impl:"]
    note.write_text(note.read_text(encoding="utf-8").replace(
        'impl: ["rlref.algos.kl:kl_k1"]', "impl: rlref.algos.policy_loss:importance_ratio"),
        encoding="utf-8")
    assert diagnostics(root) == []  # a single entry may be a string

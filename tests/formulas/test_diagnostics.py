"""binding_diagnostics: the cheap structural check that `rlref check` runs."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from rlref.formulas import binding_diagnostics
from rlref.vault import parse_note

NOTE = """---
title: T
impl: ["rlref.algos.policy_loss:importance_ratio"]
formulas:
{bindings}
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
RATIO = """  ratio:
    impl: rlref.algos.policy_loss:importance_ratio
    dims: {S: 3, A: 2}
    axes: {n: 8}
    inputs: {P: "simplex(S, A)", Q: "simplex(S, A)", s: "integers(0, S, n)", a: "integers(0, A, n)"}
    symbols:
      '\\pi': {fn: "a | s -> P[s, a]"}
      '\\mu': {fn: "a | s -> Q[s, a]"}
      a: a
      s: s
    args: {logp: "log(P[s, a])", old_logp: "log(Q[s, a])"}
"""
OTHER = """  other: {check: none, reason: a placeholder}
"""


def line_of(bindings: str, formula_id: str) -> int:
    """The line of the $$ that opens a tagged formula (where its diagnostics point)."""
    lines = NOTE.format(bindings=bindings).split("\n")
    tag = lines.index(f"<!-- formula: {formula_id} -->")
    return tag + 2


def diagnostics(bindings: str) -> list[str]:
    note = parse_note("T.md", NOTE.format(bindings=bindings))
    return [d.format() for d in binding_diagnostics(note)]


def test_a_well_bound_note_is_clean():
    assert diagnostics(RATIO + OTHER) == []


def test_a_formula_without_binding_is_an_error_at_its_line():
    (found,) = diagnostics(RATIO)
    line = line_of(RATIO, "other")
    assert found.startswith(f"T.md:{line}: error: formula 'other' has no binding")


def test_a_binding_for_a_missing_formula_is_an_error_at_the_formulas_key():
    found = diagnostics(RATIO + OTHER + "  ghost: {check: none, reason: r}\n")
    assert found == ["T.md:4: error: formulas.ghost: no formula is tagged "
                     "'<!-- formula: ghost -->' in this note"]


def test_problems_inside_a_binding_name_the_formula():
    bindings = RATIO.replace("      s: s\n", "") + OTHER
    line = line_of(bindings, "ratio")
    expected = f"T.md:{line}: error: formula 'ratio': undeclared identifier 's'"
    assert diagnostics(bindings) == [expected]
    bindings = RATIO.replace("log(Q[s, a])", "log(R[s, a])") + OTHER
    line = line_of(bindings, "ratio")
    assert diagnostics(bindings) == [
        f"T.md:{line}: error: formula 'ratio': args.old_logp: unknown name(s) R"]
    found = diagnostics(RATIO.replace("args:", "unused: 1\n    args:") + OTHER)
    assert any("Extra inputs are not permitted" in f for f in found)
    found = diagnostics(OTHER + "  ratio: {check: none}\n")
    assert any("reason" in f for f in found)


def test_an_impl_whose_result_is_never_read_is_reported():
    found = diagnostics(RATIO + "    relation: formula == formula\n" + OTHER)
    assert any("nothing reads its result 'out'" in f for f in found)


def test_code_a_formula_is_bound_to_must_be_listed_in_impl():
    listed = NOTE.format(bindings=RATIO + OTHER)
    line = line_of(RATIO + OTHER, "ratio")
    unlisted = listed.replace('impl: ["rlref.algos.policy_loss:importance_ratio"]',
                              'impl: ["rlref.algos.kl:kl_k1"]')
    assert [d.format() for d in binding_diagnostics(parse_note("T.md", unlisted))] == [
        f"T.md:{line}: warning: formula 'ratio' is bound to "
        "rlref.algos.policy_loss:importance_ratio, which is not listed in impl:"]
    absent = listed.replace('impl: ["rlref.algos.policy_loss:importance_ratio"]\n', "")
    (found,) = binding_diagnostics(parse_note("T.md", absent))
    assert found.severity == "warning" and "not listed in impl:" in found.message
    one = listed.replace('["rlref.algos.policy_loss:importance_ratio"]',
                         "rlref.algos.policy_loss:importance_ratio")
    assert binding_diagnostics(parse_note("T.md", one)) == []  # a single entry may be a string


def test_formulas_must_be_a_mapping():
    note = parse_note("T.md", NOTE.format(bindings="  - a list"))
    (found,) = binding_diagnostics(note)
    assert "must map formula ids to bindings" in found.message


def test_checking_bindings_imports_neither_sympy_nor_torch():
    script = textwrap.dedent(f"""
        import sys
        from rlref.formulas import binding_diagnostics
        from rlref.vault import parse_note
        note = parse_note("T.md", {NOTE.format(bindings=RATIO + OTHER)!r})
        assert binding_diagnostics(note) == []
        heavy = [m for m in ("sympy", "torch", "numpy") if m in sys.modules]
        assert not heavy, heavy
    """)
    subprocess.run([sys.executable, "-c", script], check=True)

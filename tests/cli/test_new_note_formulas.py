"""The workflow of the guide's "添加一篇论文笔记": `rlref new`, write a formula and bind it,
and the generated formula tests pick it up with no test code written — and fail when the
formula drifts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from rlref.cli import app

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"

BINDING = r"""formulas:
  kl-k1:
    impl: rlref.algos.kl:kl_k1
    dims: {S: 4, A: 5}
    axes: {n: 32}
    inputs:
      P: simplex(S, A)
      Pref: simplex(S, A)
      s: integers(0, S, n)
      a: integers(0, A, n)
    symbols:
      '\pi_\theta': {fn: "a | s -> P[s, a]"}
      '\pi_{\mathrm{ref}}': {fn: "a | s -> Pref[s, a]"}
      a_t: a
      s_t: s
    args: {logp: "log(P[s, a])", ref_logp: "log(Pref[s, a])"}
    cover: [out > 0, out < 0]
"""
FORMULA = r"""
<!-- formula: kl-k1 -->
$$
k_1 = \log \pi_\theta(a_t \mid s_t) - \log \pi_{\mathrm{ref}}(a_t \mid s_t)
$$
"""


def generated_tests(vault: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RLREF_FORMULA_VAULT": str(vault), "RLREF_FORMULA_CACHE": "off"}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-rA",
            str(ROOT / "tests" / "test_formulas.py"),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )


def test_new_note_formula_is_tested_without_test_code(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    shutil.copytree(FIXTURES / "good_vault", vault)
    created = CliRunner().invoke(
        app,
        [
            "new",
            "KL 新笔记",
            "--section",
            "PPO",
            "--arxiv",
            "2507.18071",
            "--vault",
            str(vault),
            "--moc",
            "AI/RL/_MOC",
        ],
    )
    assert created.exit_code == 0, created.output
    note = Path(created.output.strip())
    text = note.read_text(encoding="utf-8")
    head, _, body = text.partition("\n---\n")
    bound = f"{head}\n{BINDING}---\n{body}{FORMULA}"
    note.write_text(bound, encoding="utf-8")

    run = generated_tests(vault)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "PASSED tests/test_formulas.py::test_formula[AI/RL/KL 新笔记::kl-k1]" in run.stdout

    # The same generated test fails once the note's formula drifts (sign of the ref term).
    note.write_text(
        note.read_text(encoding="utf-8").replace(") - \\log", ") + \\log"), encoding="utf-8"
    )
    drifted = generated_tests(vault)
    assert drifted.returncode == 1
    assert "FAILED tests/test_formulas.py::test_formula[AI/RL/KL 新笔记::kl-k1]" in drifted.stdout

"""The workflow of the guide's "添加一篇论文笔记": `rlref new`, write a formula and its check
(a Python function in the vault's checks folder), and the generated formula tests pick it up
with no test code written — and fail when the formula drifts."""

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

CHECK = r'''
from rlref.algos.kl import kl_k1
from rlref.formulas.api import Check, fn, formula_check


@formula_check("AI/RL/KL 新笔记", "kl-k1")
def check_kl_k1() -> Check:
    return Check(
        impl=kl_k1,
        dims={"S": 4, "A": 5},
        axes={"n": 32},
        inputs={
            "P": lambda v: v.simplex(v.S, v.A),
            "Pref": lambda v: v.simplex(v.S, v.A),
            "s": lambda v: v.integers(0, v.S, v.n),
            "a": lambda v: v.integers(0, v.A, v.n),
        },
        symbols={
            r"\pi_\theta": fn(lambda v, a, s: v.P[s, a], bar=True),
            r"\pi_{\mathrm{ref}}": fn(lambda v, a, s: v.Pref[s, a], bar=True),
            "a_t": lambda v: v.a,
            "s_t": lambda v: v.s,
        },
        args={
            "logp": lambda v: v.log(v.P[v.s, v.a]),
            "ref_logp": lambda v: v.log(v.Pref[v.s, v.a]),
        },
        cover=[lambda v: v.out > 0, lambda v: v.out < 0],
    )
'''
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
    note.write_text(f"{head}\n---\n{body}{FORMULA}", encoding="utf-8")
    (vault / ".rlref.toml").write_text('checks = "../checks"\n', encoding="utf-8")
    (tmp_path / "checks").mkdir()
    (tmp_path / "checks" / "kl.py").write_text(CHECK, encoding="utf-8")

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

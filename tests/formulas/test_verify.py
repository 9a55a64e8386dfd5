"""`rlref verify`, the per-formula results and build/verify.json."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from rlref.algos.kl import kl_k1
from rlref.cli import app
from rlref.formulas import check_formula
from rlref.formulas.api import Check
from rlref.formulas.registry import Loaded
from rlref.formulas.report import SCHEMA_VERSION
from rlref.vault import parse_note

FIXTURE_VAULT = Path(__file__).resolve().parents[1] / "fixtures" / "formula_vault"
KL = "AI/LLM/RL/Fundamentals/KL散度"
RLOO = "AI/LLM/RL/RLOO/RLOO 原理"
ENTRY_KEYS = {"note", "formula", "line", "status", "reason", "message", "impl", "seeds",
              "max_abs_error", "max_rel_error", "duration_s", "checked_at", "latex_sha256"}


def verify(*args: str):
    return CliRunner().invoke(app, ["verify", *args])


def copy_vault(tmp_path: Path, *notes: str) -> Path:
    """The notes, with the fixture vault's checks folder."""
    root = tmp_path / "vault"
    root.mkdir()
    checks = (FIXTURE_VAULT / "../formula_vault_checks").resolve().as_posix()
    (root / ".rlref.toml").write_text(f'checks = "{checks}"\n', encoding="utf-8")
    for note in notes:
        target = root / f"{note}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURE_VAULT / f"{note}.md", target)
    return root


def test_verify_writes_the_statuses(tmp_path):
    out = tmp_path / "verify.json"
    result = verify(KL, "--vault", str(FIXTURE_VAULT), "--json", str(out))
    assert result.exit_code == 0, result.output
    assert "kl-k3" in result.output and "pass" in result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["schema_version"] == SCHEMA_VERSION
    assert report["summary"] == {"pass": 5, "fail": 0, "unchecked": 0}
    assert {f["formula"] for f in report["formulas"]} == {
        "kl-categorical", "kl-k1", "kl-k2", "kl-k3", "kl-k3-unbiased"}
    for entry in report["formulas"]:
        assert set(entry) == ENTRY_KEYS
        assert entry["note"] == f"{KL}.md" and entry["seeds"] == [0, 1, 2]
        assert entry["max_abs_error"] < 1e-9


def test_a_drifted_formula_fails_with_exit_1(tmp_path):
    root = copy_vault(tmp_path, KL)
    note = root / f"{KL}.md"
    note.write_text(note.read_text(encoding="utf-8").replace(
        r"k_3 = \frac{\pi_{\mathrm{ref}}(a_t \mid s_t)}{\pi_\theta(a_t \mid s_t)} - 1",
        r"k_3 = \frac{\pi_\theta(a_t \mid s_t)}{\pi_{\mathrm{ref}}(a_t \mid s_t)} - 1"),
        encoding="utf-8")
    out = tmp_path / "verify.json"
    result = verify("--vault", str(root), "--json", str(out))
    assert result.exit_code == 1
    assert "FAIL" in result.output and "kl-k3" in result.output
    statuses = {f["formula"]: f for f in json.loads(out.read_text())["formulas"]}
    assert statuses["kl-k3"]["status"] == "fail"
    assert "out == formula fails" in statuses["kl-k3"]["message"]
    # the failing seed and the size of the violation are kept with the failure
    assert len(statuses["kl-k3"]["seeds"]) == 1 and statuses["kl-k3"]["max_abs_error"] > 0
    assert statuses["kl-k1"]["status"] == "pass"


def test_checking_some_notes_keeps_the_others_results(tmp_path):
    root = copy_vault(tmp_path, KL, RLOO)
    out = tmp_path / "verify.json"
    assert verify(KL, "--vault", str(root), "--json", str(out)).exit_code == 0
    # a file path works as well as a vault path
    assert verify(str(root / f"{RLOO}.md"), "--vault", str(root), "--json", str(out)).exit_code == 0
    notes = {f["note"] for f in json.loads(out.read_text())["formulas"]}
    assert notes == {f"{KL}.md", f"{RLOO}.md"}
    (root / f"{KL}.md").unlink()  # a deleted note's results go away
    assert verify(RLOO, "--vault", str(root), "--json", str(out)).exit_code == 0
    notes = {f["note"] for f in json.loads(out.read_text())["formulas"]}
    assert notes == {f"{RLOO}.md"}


def test_an_unknown_note_is_a_usage_error(tmp_path):
    result = verify("AI/Nowhere", "--vault", str(FIXTURE_VAULT), "--json", str(tmp_path / "v.json"))
    assert result.exit_code == 2


NOTE = """---
title: T
formulas:
{bindings}
---

<!-- formula: f -->
$$
y = a
$$
"""


def result_of(bindings: str, checks=None):
    note = parse_note("T.md", NOTE.format(bindings=bindings))
    return check_formula(note, note.formulas[0], checks)


def crashing_check():
    return Check(impl=kl_k1, symbols={"a": 1.0}, args={"logp": 1.0})  # kl_k1 needs two tensors


def test_results_of_unbound_unchecked_and_crashing_formulas():
    missing = result_of("  {}")
    assert missing.status == "fail" and "no check" in (missing.message or "")
    unchecked = result_of("  f: {check: none, reason: an assumption}")
    assert (unchecked.status, unchecked.reason) == ("unchecked", "an assumption")
    crashing = result_of("  {}", {("T", "f"): Loaded("check", "T", "f", crashing_check, "x:1")})
    assert crashing.status == "fail" and "TypeError" in (crashing.message or "")
    assert crashing.label == "T::f" and crashing.duration_s >= 0

"""`rlref verify` stops a formula check that runs too long, with a clear message, and goes on
with the other formulas (issue: hostile and careless input, "bounded time")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NOTE = "---\ntitle: 慢\n---\n# 慢\n\n<!-- formula: slow -->\n$$\nx = y\n$$\n"
CHECK = '''
import time

from rlref.formulas.api import Check, formula_check


@formula_check("慢", "slow")
def check_slow() -> Check:
    while True:  # a check that never returns
        time.sleep(0.05)
'''


def test_a_check_that_never_returns_is_stopped(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "慢.md").write_text(NOTE, "utf-8")
    (vault / ".rlref.toml").write_text('checks = "../checks"\n', "utf-8")
    (tmp_path / "checks").mkdir()
    (tmp_path / "checks" / "slow.py").write_text(CHECK, "utf-8")
    out = tmp_path / "verify.json"
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "rlref.cli", "verify", "--vault", str(vault), "--json", str(out)],
        capture_output=True, text=True, timeout=120, cwd=REPO,
        env={**os.environ, "RLREF_FORMULA_TIMEOUT": "2"},
    )
    assert time.perf_counter() - started < 60
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    result = json.loads(out.read_text("utf-8"))
    statuses = result["formulas"] if isinstance(result, dict) and "formulas" in result else result
    text = json.dumps(statuses, ensure_ascii=False)
    assert "longer than 2 s (RLREF_FORMULA_TIMEOUT)" in text

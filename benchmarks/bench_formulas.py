"""Time the formula suite cold, each part in a fresh process with the parse cache off.

Budget (issue 4): the whole formula suite ≤ 30 s on the 2-core machine for ≥ 60 formulas.
"The formula suite" is the generated test of every kb formula (``tests/test_formulas.py``:
parse with sympy, then the numeric check against the code). The checker's own self-tests
(mutation, identities, fixtures: ``tests/formulas/``) are timed too, for the record.

Usage: python benchmarks/bench_formulas.py     (from the repository root)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]

PARTS = {
    "rlref verify kb (every formula, one process)": [
        sys.executable, "-m", "rlref.cli", "verify", "--vault", "kb", "--json", "{tmp}/v.json"
    ],
    "pytest tests/test_formulas.py (the formula suite)": [*PYTEST, "tests/test_formulas.py"],
    "pytest tests/formulas/test_mutation.py": [*PYTEST, "tests/formulas/test_mutation.py"],
    "pytest tests/formulas/test_identities.py": [*PYTEST, "tests/formulas/test_identities.py"],
    "pytest tests/formulas tests/test_formulas.py (all)": [
        *PYTEST, "tests/formulas", "tests/test_formulas.py"
    ],
}


def main() -> None:
    env = {**os.environ, "RLREF_FORMULA_CACHE": "off"}
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'part':<52} {'wall s':>7}  result")
        for name, command in PARTS.items():
            command = [part.replace("{tmp}", tmp) for part in command]
            start = time.perf_counter()
            done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
            elapsed = time.perf_counter() - start
            lines = (done.stdout.strip() or done.stderr.strip()).splitlines()
            summary = lines[-1] if lines else f"exit {done.returncode}"
            if done.returncode != 0:
                summary = f"FAILED (exit {done.returncode}): {summary}"
            print(f"{name:<52} {elapsed:>7.1f}  {summary[:90]}", flush=True)


if __name__ == "__main__":
    main()

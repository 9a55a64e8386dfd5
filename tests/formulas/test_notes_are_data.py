"""A note is data: nothing a note writes is imported or run, by any command.

Each planted note below names code the old YAML bindings would run — ``impl: os:system``
with string arguments, ``algo("os:system", …)`` inside an expression, a ``spec:`` module, a
module in the vault folder, an exponential expression. ``rlref check`` reports each at its
frontmatter line, ``rlref verify`` fails them, and the marker files the code would create
never appear (run in a subprocess from inside the vault, so the vault folder is importable).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

FORMULA = """
<!-- formula: f -->
$$
y = a
$$
"""


def note(entry: str) -> str:
    return "---\ntitle: TITLE\ntype: concept\nformulas:\n  f:\n" + entry + "---\n" + FORMULA


def planted(marker: Path) -> dict[str, tuple[str, int]]:
    """note name → (text, line of the offending key)."""
    touch = f"touch {marker}"
    return {
        "impl": (note(f"    impl: os:system\n    args: [\"'{touch}-impl'\"]\n"
                      "    symbols: {a: 1.0}\n"), 6),
        "algo": (note(f"    symbols:\n      a: algo(\"os:system\", \"{touch}-algo\")\n"), 6),
        "spec": (note("    spec: this.x\n    symbols: {a: 1.0}\n"), 6),
        "vault-module": (note("    spec: evil.x\n    impl: evil:run\n    symbols: {a: 1.0}\n"), 6),
        "power": (note("    inputs: {x: '9**9**9**9'}\n    symbols: {a: x}\n"), 6),
    }


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rlref.cli", *args], cwd=cwd, text=True,
                          capture_output=True, timeout=120, check=False)


def test_nothing_in_a_note_runs(tmp_path):
    vault = tmp_path / "vault"
    vault.mkdir()
    marker = tmp_path / "ran"
    (vault / "evil.py").write_text(f"open({str(marker) + '-import'!r}, 'w').close()\n"
                                   "def run(*a):\n    open('ran-run', 'w').close()\n",
                                   encoding="utf-8")
    notes = planted(marker)
    for name, (text, _) in notes.items():
        (vault / f"{name}.md").write_text(text.replace("TITLE", name), encoding="utf-8")

    checked = run("check", ".", cwd=vault)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    for name, (_, line) in notes.items():
        assert f"{name}.md:{line}: error: formulas.f:" in checked.stdout, checked.stdout
        assert "checks folder" in checked.stdout
    assert "Zen of Python" not in checked.stdout + checked.stderr

    verified = run("verify", "--vault", ".", "--json", str(tmp_path / "v.json"), cwd=vault)
    assert verified.returncode == 1, verified.stdout + verified.stderr
    assert "Zen of Python" not in verified.stdout + verified.stderr
    assert not list(tmp_path.glob("ran*")) and not list(vault.glob("ran*")), "a note ran code"

"""Input Python cannot hold (an impossible date, a 5,000-digit integer, YAML nested 5,000
deep) or an option out of range gets a `path:line: error` and an exit code, never a
traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from rlref.cli import app

from .conftest import MOC

runner = CliRunner()
CASES = {
    "date": ("date: 2024-02-30", "'2024-02-30' is not a valid date"),
    "integer": ("rating: " + "9" * 5000, "is not a valid integer"),
    "nesting": ("x: " + "[" * 5000 + "]" * 5000, "nest"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_check_reports_the_line(vault: Path, case: str) -> None:
    line, message = CASES[case]
    (vault / "AI" / "坏.md").write_text(f"---\ntitle: 坏\n{line}\n---\n# 坏\n", "utf-8")
    result = runner.invoke(app, ["check", str(vault)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "AI/坏.md:3: error: YAML syntax:" in result.output and message in result.output


@pytest.mark.parametrize("case", sorted(CASES))
def test_import_reports_the_line_and_writes_nothing(vault: Path, tmp_path: Path, case: str) -> None:
    line, message = CASES[case]
    source = tmp_path / "坏.md"
    source.write_text(f"---\ntitle: 坏\n{line}\n---\n# 坏\n", "utf-8")
    moc_before = (vault / f"{MOC}.md").read_bytes()
    result = runner.invoke(
        app, ["import", str(source), "--section", "PPO", "--vault", str(vault), "--moc", MOC]
    )
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert f"{source}:3: error:" in result.output and message in result.output
    assert (vault / f"{MOC}.md").read_bytes() == moc_before


@pytest.mark.parametrize("option", ["slip=2", "slip=-0.1", "gamma=1.5", "gamma=nan"])
def test_run_rejects_a_setting_out_of_range(tmp_path: Path, option: str) -> None:
    result = runner.invoke(
        app, ["run", "value-iteration", "--set", option, "--out", str(tmp_path / "run")]
    )
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    assert f"--set {option.split('=')[0]}" in result.output


@pytest.mark.parametrize("command", [["check"], ["check", "--strict"], ["index"]])
def test_a_terminal_that_cannot_show_chinese_gets_escapes(vault: Path, command: list[str]) -> None:
    """A latin-1 locale: the report is printed with escapes, not cut by UnicodeEncodeError."""
    import os
    import subprocess
    import sys

    (vault / "AI" / "坏.md").write_text("---\ntitle: 坏\n---\n# 坏\n\n[[不存在]]\n", "utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "latin-1"}
    args = [*command, str(vault)] if command[0] == "check" else ["index", str(vault)]
    done = subprocess.run(
        [sys.executable, "-c", "from rlref.cli import main; main()", *args],
        capture_output=True,
        env=env,
        timeout=120,
    )
    assert b"Traceback" not in done.stderr, done.stderr.decode("latin-1")
    assert done.returncode == (1 if "--strict" in command else 0), done.stderr
    if command[0] == "check":
        assert b"AI/\\u574f.md:6: " in done.stdout, done.stdout

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

"""`rlref check` and `rlref index` on fixture vaults: planted problems, lines, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rlref.cli import app

FIXTURES = Path(__file__).parents[1] / "fixtures"
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def expected_lines() -> list[str]:
    text = (FIXTURES / "bad_vault.expected").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def test_good_vault_is_clean_under_strict() -> None:
    result = run("check", str(FIXTURES / "good_vault"), "--strict")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "3 notes checked: 0 error(s), 0 warning(s)"


def test_bad_vault_reports_every_planted_problem_in_order() -> None:
    result = run("check", str(FIXTURES / "bad_vault"))
    assert result.exit_code == 1
    reported = result.output.splitlines()[:-1]
    expected = expected_lines()
    assert len(reported) == len(expected), "\n".join(reported)
    for got, want in zip(reported, expected, strict=True):
        location, _, fragment = want.partition(": ")
        severity, _, message = fragment.partition(": ")
        assert got.startswith(f"{location}: {severity}: "), (got, want)
        assert message in got, (got, want)
    assert result.output.splitlines()[-1].endswith("15 error(s), 7 warning(s)")


def test_warnings_fail_only_under_strict(tmp_path: Path) -> None:
    (tmp_path / "n.md").write_text("---\ntitle: N\ntittle: x\n---\n# N\n", encoding="utf-8")
    assert run("check", str(tmp_path)).exit_code == 0
    strict = run("check", str(tmp_path), "--strict")
    assert strict.exit_code == 1
    assert "n.md:3: error: frontmatter: unknown key 'tittle'" in strict.output


def test_missing_vault_folder_is_a_clear_error(tmp_path: Path) -> None:
    result = run("check", str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert "does not exist" in result.output
    assert "Traceback" not in result.output


def test_no_traceback_from_the_console_script(tmp_path: Path) -> None:
    (tmp_path / "bad.md").write_bytes(b"---\ntitle: [\n---\n\xff\xfe\n")
    proc = subprocess.run(
        [sys.executable, "-m", "rlref.cli", "check", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("bad.md:2: error: YAML syntax: ")
    assert lines[1:] == [
        "bad.md:4: error: invalid UTF-8 at byte 17 (0xff): invalid start byte",
        "1 notes checked: 2 error(s), 0 warning(s)",
    ]


def test_index_json_has_schema_and_resolved_links(tmp_path: Path) -> None:
    out = tmp_path / "index.json"
    result = run("index", str(FIXTURES / "good_vault"), "--json", str(out))
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["schema_version"] == 1
    moc = data["moc_sections"]["AI/RL/_MOC"]
    assert [s["heading"] for s in moc] == ["基础理论 (Fundamentals)", "PPO"]
    assert moc[0]["notes"] == ["AI/RL/策略 梯度", "AI/RL/PPO 原理"]
    link = next(lk for lk in data["links"] if lk["raw"] == "[[AI/RL/PPO 原理#实现 对照|PPO 实现]]")
    assert (link["target"], link["anchor"]) == ("AI/RL/PPO 原理", "实现-对照")
    ppo = data["notes"]["AI/RL/PPO 原理"]
    assert ppo["backlinks"] == ["AI/RL/_MOC", "AI/RL/策略 梯度"]
    assert ppo["sources"] == ["1707.06347"]
    assert data["tags"]["rl/ppo"] == ["AI/RL/PPO 原理"]
    pg = data["notes"]["AI/RL/策略 梯度"]
    assert pg["formulas"][0]["id"] == "pg-objective"
    assert pg["impl"][0] == {
        "ref": "rlref.vault.slug:slug",
        "file": "rlref/vault/slug.py",
        "line": pg["impl"][0]["line"],
    }


@pytest.mark.parametrize("command", ["check", "index"])
def test_help_works(command: str) -> None:
    assert run(command, "--help").exit_code == 0


def test_a_note_file_instead_of_a_vault_says_so(tmp_path: Path) -> None:
    note = tmp_path / "n.md"
    note.write_text("---\ntitle: N\n---\n", encoding="utf-8")
    result = run("check", str(note))
    assert result.exit_code == 2 and "is a file" in result.output

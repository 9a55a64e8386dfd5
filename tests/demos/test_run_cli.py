"""`rlref run`: listing, lookup by note title/alias, settings, the verdict and --check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rlref.cli import app

runner = CliRunner()

NOTE = """---
title: 贝尔曼方程
type: concept
aliases: [Bellman Equation]
demo: value-iteration
---
# 贝尔曼方程
"""


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    (root / "AI").mkdir(parents=True)
    (root / "AI" / "贝尔曼方程.md").write_text(NOTE, encoding="utf-8")
    return root


def test_list_shows_every_demo_and_the_notes_that_declare_it(vault: Path) -> None:
    result = runner.invoke(app, ["run", "--list", "--vault", str(vault)], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    for name in ("grpo", "ppo", "dpo", "reward-model", "value-iteration", "bandits", "mcts"):
        assert name in result.output
    assert "AI/贝尔曼方程" in result.output


def test_run_by_note_alias_writes_files_and_a_verdict(vault: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    args = ["run", "bellman equation", "--steps", "80", "--out", str(out), "--vault", str(vault)]
    result = runner.invoke(app, [*args, "--set", "gamma=0.9", "--check"])
    assert result.exit_code == 0, result.output
    assert "PASS: value-iteration" in result.output
    provenance = json.loads((out / "run.json").read_text())
    assert provenance["options"] == {"gamma": "0.9"} and provenance["met"]
    assert {p.name for p in out.iterdir()} >= {"metrics.jsonl", "plot.png", "run.json"}


def test_check_exits_1_when_the_target_is_missed(vault: Path, tmp_path: Path) -> None:
    args = ["run", "value-iteration", "--steps", "3", "--out", str(tmp_path), "--check"]
    result = runner.invoke(app, [*args, "--vault", str(vault)])
    assert result.exit_code == 1
    assert "MISS: value-iteration" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-demo"], "no demo or note"),
        (["mcts", "--set", "nonsense=1"], "has no setting nonsense"),
        (["mcts", "--set", "simulations"], "KEY=VALUE"),
        (["mcts", "--device", "tpu"], "--device must be cpu or cuda"),
        (["mcts", "--out", __file__], "is a file; give a folder"),
    ],
)
def test_bad_input_is_a_message_not_a_traceback(vault: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["run", *args, "--vault", str(vault)])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output

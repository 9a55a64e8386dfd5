"""`rlref build --strict` refuses a vault with a broken link, naming it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from rlref.cli import app

REPO = Path(__file__).resolve().parents[2]


def test_strict_build_stops_at_a_broken_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "笔记.md").write_text("---\ntitle: 笔记\n---\n# 笔记\n\n见 [[不存在]]。\n", "utf-8")
    monkeypatch.chdir(REPO)  # mkdocs.yml and site/ are found from the repository
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["build", str(vault), "--out", str(out), "--strict", "--verify-json",
              str(tmp_path / "none.json")],
    )
    assert result.exit_code == 1
    assert "笔记.md:6: error: [[不存在]]" in result.output
    assert "broken link(s) (--strict)" in result.output
    assert not (out / "site").exists()  # MkDocs never ran
    compiled = (out / "docs" / "notes" / "笔记.md").read_text("utf-8")
    assert '<span class="rlref-broken"' in compiled

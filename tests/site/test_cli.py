"""`rlref build` shows a forward link as unresolved; `--strict` refuses it, naming it."""

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
        app,
        [
            "build",
            str(vault),
            "--out",
            str(out),
            "--strict",
            "--verify-json",
            str(tmp_path / "none.json"),
        ],
    )
    assert result.exit_code == 1
    assert "笔记.md:6: error: [[不存在]]" in result.output
    assert "1 link problem(s) stop the build (--strict" in result.output
    assert not (out / "site").exists()  # MkDocs never ran
    compiled = (out / "docs" / "notes" / "笔记.md").read_text("utf-8")
    assert '<span class="rlref-unresolved"' in compiled


def test_a_forward_link_builds_and_shows_as_unresolved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Obsidian's normal state: a link to a note not written yet is a warning, not a failure."""
    vault = tmp_path / "vault"
    vault.mkdir()
    text = "---\ntitle: 笔记\n---\n# 笔记\n\n见 [[以后再写]]。\n\n![[没有的图.png]]\n"
    (vault / "笔记.md").write_text(text, "utf-8")
    monkeypatch.chdir(REPO)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        ["build", str(vault), "--out", str(out), "--verify-json", str(tmp_path / "none.json")],
    )
    assert result.exit_code == 0, result.output
    assert "笔记.md:6: warning: [[以后再写]]" in result.output
    assert "笔记.md:8: warning: ![[没有的图.png]]" in result.output
    page = (out / "site" / "notes" / "笔记.html").read_text("utf-8")
    assert '<span class="rlref-unresolved" title="尚未创建的笔记：以后再写">以后再写</span>' in page
    assert 'class="rlref-missing-embed"' in page
    assert "以后再写.html" not in page  # never a link to a page that does not exist

"""`rlref build --out` never empties a folder it did not make (issue: hostile and careless
input). Each case once deleted the user's files with exit 0."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from rlref.cli import app

REPO = Path(__file__).resolve().parents[2]
NOTE = "---\ntitle: 笔记\n---\n# 笔记\n\n正文。\n"


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def build(vault: Path, out: Path, cwd: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(cwd)
    return CliRunner().invoke(
        app, ["build", str(vault), "--out", str(out), "--verify-json", str(out / "v.json")]
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder laid out like the repository: mkdocs.yml, site/ sources, a vault."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "mkdocs.yml").write_bytes((REPO / "mkdocs.yml").read_bytes())
    (root / "site").mkdir()
    (root / "site" / "index.md").write_text("# 首页\n", "utf-8")
    return root


def test_a_vault_named_docs_is_not_emptied_by_building_into_its_parent(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = project / "docs"
    vault.mkdir()
    (vault / "笔记.md").write_text(NOTE, "utf-8")
    before = snapshot(project)
    result = build(vault, project, project, monkeypatch)
    assert result.exit_code == 1
    assert "would hold the vault" in result.output
    assert snapshot(project) == before


def test_out_dot_at_the_repository_root_keeps_the_site_sources(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = project / "kb"
    vault.mkdir()
    (vault / "笔记.md").write_text(NOTE, "utf-8")
    before = snapshot(project)
    result = build(vault, Path("."), project, monkeypatch)
    assert result.exit_code == 1
    assert "the site's sources" in result.output
    assert snapshot(project) == before


def test_a_folder_with_other_files_is_refused(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = project / "kb"
    vault.mkdir()
    (vault / "笔记.md").write_text(NOTE, "utf-8")
    out = tmp_path / "mine"
    (out / "site").mkdir(parents=True)
    (out / "site" / "thesis.tex").write_text("years of work", "utf-8")
    result = build(vault, out, project, monkeypatch)
    assert result.exit_code == 1
    assert "was not made by rlref build" in result.output
    assert (out / "site" / "thesis.tex").read_text("utf-8") == "years of work"


def test_building_inside_the_vault_is_refused(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = project / "kb"
    vault.mkdir()
    (vault / "笔记.md").write_text(NOTE, "utf-8")
    result = build(vault, vault / "out", project, monkeypatch)
    assert result.exit_code == 1 and "inside the vault" in result.output
    assert not (vault / "out").exists()


def test_serve_rejects_a_port_out_of_range() -> None:
    result = CliRunner().invoke(app, ["serve", "--port", "70000"])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_a_folder_rlref_made_is_rebuilt(project: Path, tmp_path: Path) -> None:
    from rlref.site import SitePaths, compile_site

    vault = project / "kb"
    vault.mkdir()
    (vault / "笔记.md").write_text(NOTE, "utf-8")
    paths = SitePaths(vault, tmp_path / "out", REPO / "site", tmp_path / "none.json")
    compile_site(paths)
    (vault / "笔记.md").write_text(NOTE.replace("正文", "改过的正文"), "utf-8")
    compile_site(paths)  # its own marker: the second build may replace the first
    assert "改过的正文" in (paths.docs / "notes" / "笔记.md").read_text("utf-8")

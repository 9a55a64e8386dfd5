"""A user grows a copy of kb the way the README says, and every stage stays green.

The copy gets a note from `rlref new` in an existing section, one in a new section, and an
imported note with a forward link, a missing picture and a display formula. Then check,
index, verify and the site compile run on it: none may fail, and the forward link is shown as
Obsidian shows it. Nothing here depends on what kb holds.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rlref.cli import app
from rlref.index import build_index
from rlref.vault import load_vault

REPO = Path(__file__).resolve().parents[2]
MOC = "AI/LLM/RL/_MOC"
runner = CliRunner()


def rlref(*args: str):
    return runner.invoke(app, list(args))


def first_section(vault: Path) -> str:
    return build_index(load_vault(vault)).moc_sections[MOC][0].heading


@pytest.fixture(scope="module")
def grown(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("grown")
    vault = root / "kb"
    shutil.copytree(REPO / "kb", vault)
    shutil.copytree(REPO / "checks", root / "checks")  # kb/.rlref.toml: checks = "../checks"
    section = first_section(vault)
    added = rlref("new", "我的新论文", "--section", section, "--arxiv", "2507.18071",
                  "--vault", str(vault))
    assert added.exit_code == 0, added.output
    fresh = rlref("new", "另一篇", "--section", "我的新小节", "--new-section",
                  "--vault", str(vault))
    assert fresh.exit_code == 0, fresh.output
    strict = rlref("check", str(vault), "--strict")  # a new stub is clean even under --strict
    assert strict.exit_code == 0, strict.output
    source = root / "我的笔记.md"
    source.write_text(
        "# 我的笔记\n\n读完 [[还没写的笔记]] 再回来。\n\n![[示意图.png]]\n\n"
        "$$\nJ(\\theta) = \\mathbb{E}_{\\tau \\sim \\pi_\\theta}[R(\\tau)]\n$$\n",
        "utf-8",
    )
    imported = rlref("import", str(source), "--section", section, "--vault", str(vault))
    assert imported.exit_code == 0, imported.output
    assert "还没写的笔记" in imported.output and "示意图.png" in imported.output
    return vault


def test_check_passes_and_names_the_forward_link_as_a_warning(grown: Path) -> None:
    result = rlref("check", str(grown))
    assert result.exit_code == 0, result.output
    assert "warning: unresolved link: no note or file named '还没写的笔记'" in result.output
    assert "warning: missing embed" in result.output


def test_index_lists_the_additions(grown: Path, tmp_path: Path) -> None:
    out = tmp_path / "index.json"
    result = rlref("index", str(grown), "--json", str(out))
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text("utf-8"))
    sections = {s["heading"]: s["notes"] for s in data["moc_sections"][MOC]}
    assert any(key.endswith("/另一篇") for key in sections["我的新小节"])
    listed = [key for notes in sections.values() for key in notes]
    assert any(key.endswith("/我的新论文") for key in listed)
    assert any(key.endswith("/我的笔记") for key in listed)


def test_verify_passes(grown: Path, tmp_path: Path) -> None:
    out = tmp_path / "verify.json"
    result = rlref("verify", "--vault", str(grown), "--json", str(out))
    assert result.exit_code == 0, result.output
    statuses = json.loads(out.read_text("utf-8"))
    assert statuses  # the copied notes' formulas were checked


def test_site_compiles_and_shows_the_forward_link_as_unresolved(
    grown: Path, tmp_path: Path
) -> None:
    from rlref.site import SitePaths, compile_site

    paths = SitePaths(grown, tmp_path / "out", REPO / "site", tmp_path / "none.json")
    compiled = compile_site(paths)
    assert {d.severity for d in compiled.diagnostics} == {"warning"}
    assert {d.kind for d in compiled.diagnostics} == {"unresolved-link", "missing-embed"}
    page = next((tmp_path / "out" / "docs").rglob("我的笔记.md")).read_text("utf-8")
    assert 'class="rlref-unresolved"' in page and 'class="rlref-missing-embed"' in page
    # the placeholder's icon is markup, not text shown as markup
    placeholder = page.split('class="rlref-missing-embed"', 1)[1].split("</span>", 1)[0]
    assert "&lt;" not in placeholder and "<svg" in placeholder

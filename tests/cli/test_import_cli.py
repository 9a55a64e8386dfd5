"""`rlref import`: an existing note enters the vault repaired, listed in the MOC, and never
overwrites or half-writes anything."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from rlref.cli import app
from rlref.index import build_index
from rlref.vault import load_vault

runner = CliRunner()
MOC = "AI/RL/_MOC"


def run_import(vault: Path, source: Path, *args: str):
    return runner.invoke(app, ["import", str(source), *args, "--vault", str(vault), "--moc", MOC])


def snapshot(root: Path) -> dict[str, bytes]:
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return {str(p.relative_to(root)): p.read_bytes() for p in files}


def test_a_bare_note_gets_a_frontmatter_and_a_moc_entry(vault: Path, tmp_path: Path) -> None:
    mojibake = "价值函数的直觉。".encode().decode("latin-1")
    source = tmp_path / "价值 函数.md"
    source.write_bytes(f"# 价值函数\r\n\r\n{mojibake}\r\n见 [[PPO 原理]]。\r\n".encode())
    result = run_import(vault, source, "--section", "Fundamentals", "--summary", "导入的笔记")
    assert result.exit_code == 0, result.output
    target = vault / "AI/RL/价值 函数.md"
    assert result.output.strip().endswith(str(target))
    assert "mojibake" in result.output and "frontmatter created" in result.output
    text = target.read_text(encoding="utf-8")
    assert "\r" not in text and "价值函数的直觉。" in text
    index = build_index(load_vault(vault))
    note = index.notes["AI/RL/价值 函数"]
    assert note.title == "价值 函数" and note.frontmatter.status == "draft"
    assert note.frontmatter.domain == "ai/rl"
    assert [d for d in index.diagnostics if d.path == note.path] == []  # its link resolves
    moc = (vault / f"{MOC}.md").read_text(encoding="utf-8")
    assert "- [[AI/RL/价值 函数|价值 函数]] — 导入的笔记" in moc


def test_an_existing_frontmatter_is_kept_as_written(vault: Path, tmp_path: Path) -> None:
    source = tmp_path / "note.md"
    front = "---\n# my comment\nrating: 5\ntags: [rl, grpo]   # inline comment\n---\n"
    source.write_text(front + "# 标题\n\n[[不在这里的笔记]]\n", encoding="utf-8")
    result = run_import(vault, source, "--section", "PPO", "--path", "AI/RL/导入")
    assert result.exit_code == 0, result.output
    text = (vault / "AI/RL/导入.md").read_text(encoding="utf-8")
    assert text.startswith('---\ntitle: "note"\ntype: "paper"\ndomain: "ai/rl"\n# my comment\n')
    assert "tags: [rl, grpo]   # inline comment" in text and "rating: 5" in text
    # a link to a note this vault lacks is reported, not fatal
    assert "warning" in result.output and "不在这里的笔记" in result.output
    assert "[[AI/RL/导入|note]]" in (vault / f"{MOC}.md").read_text(encoding="utf-8")


def test_refuses_to_overwrite_without_force(vault: Path, tmp_path: Path) -> None:
    source = tmp_path / "PPO 原理.md"
    source.write_text("---\ntitle: PPO 原理\n---\n新内容\n", encoding="utf-8")
    before = snapshot(vault)
    result = run_import(vault, source, "--section", "PPO")
    assert result.exit_code == 1 and "not overwriting" in result.output
    assert snapshot(vault) == before
    forced = run_import(vault, source, "--section", "PPO", "--force")
    assert forced.exit_code == 0, forced.output
    assert "新内容" in (vault / "AI/RL/PPO 原理.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"---\ntitle: T\ntags: [a, b\n---\nbody\n", "坏.md:3: error: YAML syntax"),
        (b"---\ntitle: T\ntype: blog\n---\nbody\n", "坏.md:3: error: frontmatter: 'type'"),
        (b"---\ntitle: T\nbody without a closing line\n", "坏.md:1: error: frontmatter opened"),
        (b"---\ntitle: T\n---\n\xff\xfe bad bytes\n", "坏.md:4: invalid UTF-8"),
    ],
    ids=["yaml", "schema", "unclosed", "utf8"],
)
def test_a_bad_note_names_file_and_line_and_nothing_is_written(
    vault: Path, tmp_path: Path, content: bytes, message: str
) -> None:
    source = tmp_path / "坏.md"
    source.write_bytes(content)
    before = snapshot(vault)
    result = run_import(vault, source, "--section", "PPO")
    assert result.exit_code == 1
    assert message in result.output and "nothing imported" in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    assert snapshot(vault) == before


def test_bad_arguments_are_clear_errors(vault: Path, tmp_path: Path) -> None:
    source = tmp_path / "n.md"
    source.write_text("# n\n", encoding="utf-8")
    unknown = run_import(vault, source, "--section", "没有这节")
    assert unknown.exit_code == 1 and "known sections" in unknown.output and "PPO" in unknown.output
    assert run_import(vault, tmp_path / "missing.md", "--section", "PPO").exit_code == 1
    text_file = tmp_path / "n.txt"
    text_file.write_text("x", encoding="utf-8")
    assert "not a Markdown note" in run_import(vault, text_file, "--section", "PPO").output

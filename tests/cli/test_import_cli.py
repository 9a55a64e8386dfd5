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
    binary = tmp_path / "图.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    refused = run_import(vault, binary, "--section", "PPO")
    assert refused.exit_code == 1 and "invalid UTF-8" in refused.output


PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


def source_vault(tmp_path: Path) -> Path:
    """An Obsidian vault of the user's: attachments in 'files/', one next to the note."""
    root = tmp_path / "their-vault"
    (root / ".obsidian").mkdir(parents=True)
    (root / ".obsidian" / "app.json").write_text('{"attachmentFolderPath": "files"}', "utf-8")
    (root / "files").mkdir()
    (root / "files" / "curve.png").write_bytes(PNG)
    (root / "papers").mkdir()
    (root / "papers" / "fig 1.png").write_bytes(PNG[::-1])
    (root / "papers" / "GSPO.md").write_text(
        "---\ntitle: GSPO 笔记\n---\n# GSPO\n\n"
        "![[curve.png|300]]\n\n"
        "![图一](<fig 1.png>)\n\n"
        "![[lost.png]]\n",
        "utf-8",
    )
    return root


def test_embedded_files_come_along_and_embeds_point_at_the_copies(
    vault: Path, tmp_path: Path
) -> None:
    source = source_vault(tmp_path) / "papers" / "GSPO.md"
    result = run_import(vault, source, "--section", "PPO", "--path", "AI/RL/GSPO")
    assert result.exit_code == 0, result.output
    assert (vault / "assets" / "curve.png").read_bytes() == PNG
    assert (vault / "assets" / "fig 1.png").read_bytes() == PNG[::-1]
    text = (vault / "AI/RL/GSPO.md").read_text("utf-8")
    assert "![[assets/curve.png|300]]" in text
    assert "![图一](../../assets/fig%201.png)" in text
    assert "![[lost.png]]" in text  # not found: left as an unresolved embed, and reported
    assert "AI/RL/GSPO.md:12: warning: missing embed: no note or file named 'lost.png'" in (
        result.output
    )
    index = build_index(load_vault(vault))
    mine = [d for d in index.diagnostics if d.path == "AI/RL/GSPO.md"]
    assert [(d.kind, d.severity) for d in mine] == [("missing-embed", "warning")]


def test_an_attachment_with_a_taken_name_is_copied_under_a_new_one(
    vault: Path, tmp_path: Path
) -> None:
    (vault / "assets").mkdir(exist_ok=True)
    (vault / "assets" / "curve.png").write_bytes(b"another picture")
    source = source_vault(tmp_path) / "papers" / "GSPO.md"
    result = run_import(vault, source, "--section", "PPO", "--path", "AI/RL/GSPO")
    assert result.exit_code == 0, result.output
    assert (vault / "assets" / "curve.png").read_bytes() == b"another picture"
    assert (vault / "assets" / "curve-1.png").read_bytes() == PNG
    assert "![[assets/curve-1.png|300]]" in (vault / "AI/RL/GSPO.md").read_text("utf-8")


def test_an_embed_never_copies_a_file_from_outside_the_source_vault(
    vault: Path, tmp_path: Path
) -> None:
    root = source_vault(tmp_path)
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not yours")
    (root / "files" / "link.png").symlink_to(secret)
    (root / "papers" / "GSPO.md").write_text(
        "# GSPO\n\n![[link.png]]\n\n![](../../secret.png)\n", "utf-8"
    )
    result = run_import(vault, root / "papers" / "GSPO.md", "--section", "PPO",
                        "--path", "AI/RL/GSPO")
    assert result.exit_code == 0, result.output
    assert not list(vault.rglob("*secret*")) and not list(vault.rglob("link*"))
    assert "missing embed: no note or file named 'link.png'" in result.output
    assert "missing image '../../secret.png'" in result.output

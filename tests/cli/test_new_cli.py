"""`rlref new`: creation, MOC insertion, refusal to overwrite, bad section, atomic writes."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from rlref.cli import app
from rlref.index import build_index
from rlref.vault import load_vault

runner = CliRunner()
MOC = "AI/RL/_MOC"


def new(vault: Path, *args: str):
    return runner.invoke(app, ["new", *args, "--vault", str(vault), "--moc", MOC])


def test_creates_stub_note_and_lists_it_in_the_section(vault: Path) -> None:
    result = new(
        vault,
        "Group Sequence PO",
        "--section",
        "PPO",
        "--arxiv",
        "2507.18071",
        "--summary",
        "序列级重要性比率",
    )
    assert result.exit_code == 0, result.output
    note_file = vault / "AI/RL/Group Sequence PO.md"
    assert result.output.strip() == str(note_file)
    index = build_index(load_vault(vault))
    note = index.notes["AI/RL/Group Sequence PO"]
    assert note.frontmatter is not None
    assert (note.frontmatter.status, note.frontmatter.type) == ("stub", "paper")
    assert note.frontmatter.domain == "ai/rl"
    assert {s.arxiv for s in note.sources} == {"2507.18071"}
    assert "一句话总结" in [h.text for h in note.headings]
    ppo_section = index.moc_sections[MOC][1]
    assert ppo_section.heading == "PPO"
    assert ppo_section.notes[-1] == "AI/RL/Group Sequence PO"
    assert "— 序列级重要性比率" in (vault / f"{MOC}.md").read_text(encoding="utf-8")
    assert [d for d in index.diagnostics] == []  # the vault stays clean, even under --strict


def test_section_matches_english_part_case_insensitively(vault: Path) -> None:
    assert new(vault, "Note A", "--section", "fundamentals").exit_code == 0
    sections = build_index(load_vault(vault)).moc_sections[MOC]
    assert sections[0].notes[-1] == "AI/RL/Note A"


def test_refuses_to_overwrite_without_force(vault: Path) -> None:
    target = vault / "AI/RL/PPO 原理.md"
    before = target.read_bytes()
    result = new(vault, "PPO 原理", "--section", "PPO")
    assert result.exit_code == 1
    assert str(target) in result.output and "--force" in result.output
    assert target.read_bytes() == before
    forced = new(vault, "PPO 原理", "--section", "PPO", "--force")
    assert forced.exit_code == 0 and target.read_bytes() != before
    moc_text = (vault / f"{MOC}.md").read_text(encoding="utf-8")
    assert moc_text.count("[[AI/RL/PPO 原理|") == 1  # not listed twice


def test_unknown_section_lists_the_known_ones(vault: Path) -> None:
    moc_before = (vault / f"{MOC}.md").read_bytes()
    result = new(vault, "X", "--section", "Nope")
    assert result.exit_code == 1
    assert "基础理论 (Fundamentals)" in result.output and "PPO" in result.output
    assert not (vault / "AI/RL/X.md").exists()
    assert (vault / f"{MOC}.md").read_bytes() == moc_before


def test_new_section_is_created_when_asked(vault: Path) -> None:
    result = new(
        vault, "Slime", "--section", "训练框架 (Frameworks)", "--new-section", "--type", "framework"
    )
    assert result.exit_code == 0, result.output
    assert (vault / "AI/RL/Frameworks/Slime.md").is_file()
    sections = build_index(load_vault(vault)).moc_sections[MOC]
    assert sections[-1].heading == "训练框架 (Frameworks)"
    assert sections[-1].notes == ("AI/RL/Frameworks/Slime",)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--arxiv", "not-an-id"], "not an arXiv id"),
        (["--type", "blog"], "unknown --type"),
        (["--path", "../escape"], "leaves the vault"),
    ],
)
def test_bad_arguments_are_clear_errors(vault: Path, args: list[str], message: str) -> None:
    result = new(vault, "T", "--section", "PPO", *args)
    assert result.exit_code == 1 and message in result.output
    assert "Traceback" not in result.output


def test_a_failed_write_leaves_the_old_note_whole(vault: Path, monkeypatch) -> None:
    target = vault / "AI/RL/PPO 原理.md"
    before = target.read_bytes()

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("rlref.vault.writes.os.replace", broken_replace)
    result = new(vault, "PPO 原理", "--section", "PPO", "--force")
    assert result.exit_code == 1
    assert "could not write" in result.output and "disk full" in result.output
    assert not isinstance(result.exception, OSError)  # reported, not raised
    assert target.read_bytes() == before
    leftovers = [p.name for p in target.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []


@pytest.mark.parametrize("force", [False, True])
def test_a_failed_moc_write_takes_the_note_back(vault: Path, monkeypatch, force: bool) -> None:
    """Note and MOC are written together or not at all."""
    import os

    moc_file = vault / f"{MOC}.md"
    moc_before = moc_file.read_bytes()
    title = "PPO 原理" if force else "全新 论文"
    target = vault / f"AI/RL/{title}.md"
    before = target.read_bytes() if force else None
    real_replace = os.replace

    def replace_but_not_the_moc(src: str, dst: str) -> None:
        if Path(dst) == moc_file:
            raise OSError("read-only MOC")
        real_replace(src, dst)

    monkeypatch.setattr("rlref.vault.writes.os.replace", replace_but_not_the_moc)
    args = [title, "--section", "PPO", "--path", f"AI/RL/{title}"] + (["--force"] if force else [])
    result = new(vault, *args)
    assert result.exit_code == 1 and "read-only MOC" in result.output
    assert moc_file.read_bytes() == moc_before
    assert (target.read_bytes() if force else target.exists()) == (before if force else False)

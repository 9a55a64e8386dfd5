"""`rlref new` and `rlref import` write only inside the vault, never lose an addition to a
concurrent one, leave the vault consistent after a crash, and keep file modes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rlref.cli import app
from rlref.index import build_index
from rlref.vault import load_vault
from rlref.vault.writes import JOURNAL, TEMP_SUFFIX, commit_files

from .conftest import MOC, snapshot

runner = CliRunner()


def new(vault: Path, *args: str, moc: str = MOC):
    return runner.invoke(app, ["new", *args, "--vault", str(vault), "--moc", moc])


def listed(vault: Path) -> set[str]:
    return {key for s in build_index(load_vault(vault)).moc_sections[MOC] for key in s.notes}


@pytest.mark.parametrize("moc", ["../outside/_MOC", "/tmp/_MOC"])
def test_moc_outside_the_vault_is_refused(vault: Path, tmp_path: Path, moc: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "_MOC.md").write_text("---\ntitle: x\ntype: moc\n---\n# x\n\n## PPO\n", "utf-8")
    before = snapshot(tmp_path)
    result = new(vault, "论文", "--section", "PPO", moc=moc)
    assert result.exit_code == 1, result.output
    assert "--moc" in result.output and "Traceback" not in result.output
    assert snapshot(tmp_path) == before


def test_path_through_a_symlinked_folder_is_refused(vault: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (vault / "AI" / "link").symlink_to(outside)
    result = new(vault, "论文", "--section", "PPO", "--path", "AI/link/论文")
    assert result.exit_code == 1 and "leads outside the vault" in result.output
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize(
    ("title", "section"),
    [("两行\n标题", "PPO"), ("标题", "PPO\n## 注入"), ("NUL\x00字", "PPO"), ("bell\x07", "PPO")],
)
def test_control_characters_in_a_title_or_section_are_refused(
    vault: Path, title: str, section: str
) -> None:
    moc_before = (vault / f"{MOC}.md").read_bytes()
    result = new(vault, title, "--section", section, "--new-section")
    assert result.exit_code == 1 and "control characters" in result.output
    assert (vault / f"{MOC}.md").read_bytes() == moc_before


def test_invalid_utf8_in_the_moc_is_a_clear_error(vault: Path) -> None:
    moc = vault / f"{MOC}.md"
    moc.write_bytes(moc.read_bytes() + b"\n\xff\xfe broken\n")
    result = new(vault, "论文", "--section", "PPO")
    assert result.exit_code == 1 and "not valid UTF-8" in result.output
    assert "Traceback" not in result.output


def test_the_moc_keeps_its_file_mode(vault: Path) -> None:
    moc = vault / f"{MOC}.md"
    os.chmod(moc, 0o644)
    assert new(vault, "论文", "--section", "PPO").exit_code == 0
    assert moc.stat().st_mode & 0o777 == 0o644


def test_ten_concurrent_additions_all_land(vault: Path) -> None:
    code = (
        "import sys; from rlref.cli import main; "
        "sys.argv=['rlref','new',sys.argv[1],'--section','PPO','--vault',sys.argv[2],"
        "'--moc','" + MOC + "']; main()"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, f"并发 {i}", str(vault)],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for i in range(10)
    ]
    outputs = [p.communicate(timeout=120)[0].decode() for p in procs]
    assert [p.returncode for p in procs] == [0] * 10, outputs
    mine = {key for key in listed(vault) if "并发" in key}
    assert len(mine) == 10, sorted(mine)
    assert not list(vault.rglob(f"*{TEMP_SUFFIX}")) and not (vault / JOURNAL).exists()


def test_a_crash_between_the_two_renames_is_finished_at_the_next_run(
    vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process dies after the note is in place, before the MOC is: the journal left
    behind lets the next write finish the job, so the note ends up listed."""
    real_replace = os.replace
    calls = {"n": 0}

    def die_on_the_second_target(src: str, dst: str) -> None:
        if not str(dst).endswith(JOURNAL):
            calls["n"] += 1
            if calls["n"] == 2:
                raise SystemExit("killed")  # not an OSError: no roll-back, as in a real crash
        real_replace(src, dst)

    monkeypatch.setattr("rlref.vault.writes.os.replace", die_on_the_second_target)
    note, moc = vault / "AI/RL/崩溃.md", vault / f"{MOC}.md"
    with pytest.raises(SystemExit):
        entry = "- [[AI/RL/崩溃]]\n".encode()
        commit_files(vault, {note: b"# crash\n", moc: moc.read_bytes() + entry})
    monkeypatch.setattr("rlref.vault.writes.os.replace", real_replace)
    assert (vault / JOURNAL).exists()  # the crash left its journal
    result = new(vault, "之后", "--section", "PPO")
    assert result.exit_code == 0, result.output
    assert "finished an interrupted write" in result.output
    assert "AI/RL/崩溃" in listed(vault) and note.exists()
    assert not list(vault.rglob(f"*{TEMP_SUFFIX}")) and not (vault / JOURNAL).exists()

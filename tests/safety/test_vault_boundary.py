"""Reading stays inside the vault: symlinks that lead out are not followed, special files
are refused without blocking, oversized files are refused, odd file names do not crash."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rlref.cli import app

REPO = Path(__file__).resolve().parents[2]
SECRET = "root:x:0:0:the secret"
runner = CliRunner()


def rlref_process(*args: str, timeout: float = 60, env: dict | None = None):
    """The CLI in a subprocess, so that a hang is a failed test, not a stuck suite."""
    return subprocess.run(
        [sys.executable, "-m", "rlref.cli", *args],
        capture_output=True, text=True, timeout=timeout, cwd=REPO,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, "utf-8")
    return secret


def test_a_note_symlinked_out_of_the_vault_is_not_read(vault: Path, outside: Path) -> None:
    (vault / "leak.md").symlink_to(outside)
    result = rlref_process("check", str(vault))
    assert "leak.md:1: error: symlink to a file outside the vault" in result.stdout
    assert SECRET not in result.stdout + result.stderr
    assert result.returncode == 1 and "Traceback" not in result.stderr


def test_an_attachment_symlinked_out_of_the_vault_is_not_published(
    vault: Path, outside: Path, tmp_path: Path
) -> None:
    from rlref.site import SitePaths, compile_site

    (vault / "assets" / "pic.png").symlink_to(outside)
    note = vault / "AI" / "RL" / "图.md"
    note.write_text("---\ntitle: 图\n---\n# 图\n\n![[pic.png]]\n", "utf-8")
    paths = SitePaths(vault, tmp_path / "out", REPO / "site", tmp_path / "none.json")
    compile_site(paths)
    published = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert all(SECRET.encode() not in p.read_bytes() for p in published)


def test_a_fifo_note_is_refused_without_blocking(vault: Path) -> None:
    os.mkfifo(vault / "p.md")
    result = rlref_process("check", str(vault), timeout=60)
    assert "p.md:1: error: not a regular file" in result.stdout


def test_a_device_symlink_is_refused(vault: Path) -> None:
    (vault / "zero.md").symlink_to("/dev/zero")
    result = rlref_process("check", str(vault), timeout=60)
    assert "zero.md:1: error: symlink to a file outside the vault" in result.stdout


def test_an_oversized_note_is_refused_and_the_limit_is_configurable(vault: Path) -> None:
    (vault / "big.md").write_text("---\ntitle: 大\n---\n# 大\n\n" + "长文。" * 200_000, "utf-8")
    refused = rlref_process("check", str(vault), env={"RLREF_MAX_FILE_MB": "1"})
    assert "big.md:1: error: file is 1.7 MB, over the limit of 1 MB" in refused.stdout
    allowed = rlref_process("check", str(vault), env={"RLREF_MAX_FILE_MB": "3"})
    assert "big.md:1: error" not in allowed.stdout


def test_a_file_name_that_is_not_utf8_does_not_crash_index(vault: Path, tmp_path: Path) -> None:
    os.close(os.open(os.fsencode(str(vault)) + b"/bad\xff.md", os.O_CREAT | os.O_WRONLY))
    result = rlref_process("index", str(vault), "--json", str(tmp_path / "i.json"))
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    data = json.loads((tmp_path / "i.json").read_text("utf-8"))
    assert {"path": "bad\\xff.md", "line": 1, "severity": "error",
            "message": "the file name is not valid UTF-8: rename the file"} in data["diagnostics"]


def test_impl_outside_the_project_is_an_error_and_nothing_is_imported(vault: Path) -> None:
    note = vault / "AI" / "RL" / "恶意.md"
    note.write_text("---\ntitle: 恶意\nimpl: ['os:system', 'this:x']\n---\n# 恶意\n", "utf-8")
    result = runner.invoke(app, ["check", str(vault)])
    assert "恶意.md:3: error: impl 'os:system': only functions of the rlref package" in (
        result.output
    )
    assert "Zen of Python" not in result.output and "Beautiful is better" not in result.output

"""A note full of backticks (a long run, runs of every length) is read, compiled for the
site and imported in bounded time: the code-span scans of the site compiler, the sanitiser
and the glossary check once backtracked (minutes for a few thousand backticks)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from .conftest import MOC

REPO = Path(__file__).resolve().parents[2]
# Each line holds what sends it through a scan: a tag or link (site links), HTML and a link
# address (the sanitiser), an Obsidian comment mark (the site's comment scan).
BODY = (
    "# 反引号\n\n"
    + "#标签 [[PPO 原理]] <b>粗</b> %% " + "`" * 5000 + " [x](javascript:y)\n\n"
    + "".join("`" * k + "a" for k in range(1, 400)) + " <i>斜</i> %% [[PPO 原理]]\n"
)


def run(script: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """A step in a subprocess, so that a hang is a failed test, not a stuck suite."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True, text=True, timeout=timeout, cwd=REPO,
    )


def test_the_site_compiles_such_a_note(vault: Path, tmp_path: Path) -> None:
    (vault / "AI" / "RL" / "反引号.md").write_text("---\ntitle: 反引号\n---\n" + BODY, "utf-8")
    result = run(f"""
        from pathlib import Path
        from rlref.site import SitePaths, compile_site
        out = Path({str(tmp_path / 'out')!r})
        compile_site(SitePaths(Path({str(vault)!r}), out, Path('site'), out / 'none.json'))
        page = next((out / 'docs').rglob('反引号.md')).read_text('utf-8')
        assert 'javascript' not in page.split('[x]', 1)[0]
    """)
    assert result.returncode == 0, result.stderr[-2000:]


def test_import_brings_such_a_note_in(vault: Path, tmp_path: Path) -> None:
    source = tmp_path / "反引号.md"
    source.write_text(BODY, "utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "rlref.cli", "import", str(source), "--section", "PPO",
         "--vault", str(vault), "--moc", MOC],
        capture_output=True, text=True, timeout=60, cwd=REPO,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "removed a link address that could run" in result.stdout


def test_the_glossary_check_reads_such_a_note() -> None:
    result = run(f"""
        from rlref.vault.terms import prose
        body = {BODY!r} * 3
        assert len(prose(body)) == len(body)
    """)
    assert result.returncode == 0, result.stderr[-2000:]

"""A note's own HTML is shown, but nothing in it runs: on the site (unless the vault's owner
opts out) and in what `rlref import` brings in."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from rlref.cli import app

from .conftest import MOC

REPO = Path(__file__).resolve().parents[2]
BODY = (
    "# 网页\n\n"
    "<script>window.__pwned = 1</script>\n\n"
    '<div class="box" onmouseover="alert(1)">'
    "<details><summary>展开</summary>内容</details></div>\n\n"
    '文字 <img src="x.png" onerror="alert(2)"> 与 <a href="javascript:alert(3)">链接</a>，'
    "<kbd>Ctrl</kbd>，代码 `<b onclick=1>` 与公式 $a<b$。\n\n"
    "```html\n<script>shown as code</script>\n```\n"
)
DANGEROUS = ("<script>window", "onmouseover=", "onerror=", "javascript:")


def compiled(vault: Path, out: Path, raw_html: bool) -> str:
    from rlref.site import SitePaths, compile_site

    paths = SitePaths(vault, out, REPO / "site", out / "none.json", raw_html=raw_html)
    compile_site(paths)
    return (out / "docs" / "notes" / "网页.md").read_text("utf-8")


@pytest.fixture
def web_vault(tmp_path: Path) -> Path:
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "网页.md").write_text("---\ntitle: 网页\n---\n" + BODY, "utf-8")
    return vault


def test_the_site_keeps_the_formatting_and_drops_what_runs(web_vault: Path, tmp_path: Path) -> None:
    page = compiled(web_vault, tmp_path / "out", raw_html=False)
    assert not [d for d in DANGEROUS if d in page], page
    for kept in ('<div class="box">', "<details><summary>展开</summary>", '<img src="x.png">',
                 "<kbd>Ctrl</kbd>", "`<b onclick=1>`", "$a<b$", "<script>shown as code</script>"):
        assert kept in page, kept


def test_the_owner_can_opt_out(web_vault: Path, tmp_path: Path) -> None:
    page = compiled(web_vault, tmp_path / "out", raw_html=True)
    assert "<script>window.__pwned = 1</script>" in page and 'onerror="alert(2)"' in page


def test_import_removes_what_runs_and_says_so(vault: Path, tmp_path: Path) -> None:
    source = tmp_path / "网页.md"
    source.write_text(BODY, "utf-8")
    result = CliRunner().invoke(
        app, ["import", str(source), "--section", "PPO", "--vault", str(vault), "--moc", MOC]
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("removed HTML that could run") == 4
    text = next(vault.rglob("网页.md")).read_text("utf-8")
    assert not [d for d in DANGEROUS if d in text], text
    assert "<details><summary>展开</summary>" in text and "`<b onclick=1>`" in text


def test_import_empties_link_addresses_that_could_run_and_says_so(
    vault: Path, tmp_path: Path
) -> None:
    source = tmp_path / "链接.md"
    source.write_text(
        "# 链接\n\n[点我](javascript:alert(5)) ![图](jav&#x61;script:alert(6)) [引用][r] "
        "[好](https://example.org/a_(b)) `[代码](javascript:shown)`\n\n[r]: vbscript:alert(7)\n"
        "[vbscript:alert(8)]: vbscript:alert(8)\n",  # a label spelling its own address
        "utf-8",
    )
    result = CliRunner().invoke(
        app, ["import", str(source), "--section", "PPO", "--vault", str(vault), "--moc", MOC]
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("removed a link address that could run") == 4
    text = next(vault.rglob("链接.md")).read_text("utf-8")
    assert "[点我]() ![图]() [引用][r]" in text and "[r]: <>" in text
    assert "[好](https://example.org/a_(b))" in text and "`[代码](javascript:shown)`" in text
    assert "[vbscript:alert(8)]: <>" in text
    assert "alert(5)" not in text and "alert(6)" not in text and "alert(7)" not in text

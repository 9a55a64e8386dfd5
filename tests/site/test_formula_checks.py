"""Each formula carries its check (rlref.site.formula_checks): the line under a tagged
formula (state, the function from the checks folder linked to its API entry and source
line, the concept card) and, on the API page, the formulas checked against a function."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rlref.index import build_index
from rlref.site.api import discover_modules
from rlref.site.compiler import _api_outputs, note_context
from rlref.site.note import compile_note
from rlref.site.status import VerifyReport, latex_hash, read_verify_report
from rlref.vault import load_vault

NOTE = '---\ntitle: 目标 <b>\nimpl: ["rlref.vault.slug:slug"]\n---\n# 目标\n\n{body}'
BODY = (
    "<!-- formula: f-a -->\n$$\na=1\n$$\n"
    "\n- 列表里\n  <!-- formula: f-b -->\n  $$\nb=2\n  $$\n"
    "\n<!-- formula: f-c -->\n$$\nc=3\n$$\n"
)
CHECKS = """
from rlref.formulas.api import Check, formula_check
from rlref.vault.slug import slug


@formula_check("B/目标", "f-a")
def check_a():
    return Check(impl=slug, symbols={})


@formula_check("B/目标", "f-b")
def check_b():
    return Check(impl=slug, symbols={})
"""


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    (root / "B").mkdir(parents=True)
    (root / "B" / "目标.md").write_text(NOTE.format(body=BODY), encoding="utf-8")
    (tmp_path / "checks").mkdir()
    (tmp_path / "checks" / "target.py").write_text(CHECKS, encoding="utf-8")
    (root / ".rlref.toml").write_text('checks = "../checks"\n', encoding="utf-8")
    return root


def compiled(root: Path, report: VerifyReport | None = None) -> tuple[str, dict]:
    vault = load_vault(root)
    index = build_index(vault)
    modules = discover_modules()
    context, users = note_context(vault, index, report or VerifyReport(False), modules)
    text = compile_note(index.notes["B/目标"], context).text
    api, _ = _api_outputs(modules, users, context.formula_checks)
    return text, api


def under(text: str, formula_id: str) -> str:
    """The first non-blank line after the formula's closing ``$$``."""
    after = text[text.index(f"<!-- formula: {formula_id} -->") :].split("$$", 2)[2]
    return next(line for line in after.splitlines() if line.strip())


SLUG_API = "../../api/rlref.vault.slug.md#rlref.vault.slug.slug"


def test_under_each_formula_its_state_function_source_line_and_card(vault: Path) -> None:
    text, _ = compiled(vault)
    line = under(text, "f-a")
    assert "待检查" in line and f"对照 [`slug`]({SLUG_API})" in line
    assert re.search(r"\[slug\.py:\d+\]\(\.\./\.\./api/source/rlref/vault/slug\.md#L-\d+\)", line)
    assert line.endswith("[概念卡](#concept-card)")
    assert 'id="concept-card"' in text
    # in a list item the line stays in the item
    assert under(text, "f-b").startswith("    ") and "[`slug`]" in under(text, "f-b")
    # no registered check, no result: the state and the card only
    assert "待检查" in under(text, "f-c") and "对照" not in under(text, "f-c")
    assert text.count('{ .rlref-formula-check data-search-exclude="true" }') == 3


def test_the_report_gives_the_state_and_a_passing_run_its_function(
    vault: Path, tmp_path: Path
) -> None:
    report = tmp_path / "verify.json"
    results = [
        {
            "note": "B/目标.md",
            "formula": "f-a",
            "status": "fail",
            "latex_sha256": latex_hash("a=1"),
        },
        {
            "note": "B/目标.md",
            "formula": "f-c",
            "status": "pass",
            "impl": "rlref.vault.slug:slug",
            "latex_sha256": latex_hash("c=3"),
        },
    ]
    report.write_text(json.dumps({"schema_version": 1, "formulas": results}), encoding="utf-8")
    text, _ = compiled(vault, read_verify_report(report))
    assert "未通过" in under(text, "f-a")
    assert "通过" in under(text, "f-c") and f"对照 [`slug`]({SLUG_API})" in under(text, "f-c")


def test_the_api_page_lists_the_formulas_checked_against_each_function(vault: Path) -> None:
    _, api = compiled(vault)
    page = api["api/rlref.vault.slug.md"]
    line = next(line for line in page.splitlines() if "对照公式" in line)
    target = "../notes/B/%E7%9B%AE%E6%A0%87.md"
    assert f"[目标 &lt;b&gt; · `f-a`]({target}#formula-f-a)" in line
    assert f"[目标 &lt;b&gt; · `f-b`]({target}#formula-f-b)" in line
    assert "`f-c`" not in line
    assert "对照公式" not in api["api/rlref.vault.parse.md"]


def test_the_source_page_links_to_the_notes_that_use_the_module(vault: Path) -> None:
    _, api = compiled(vault)
    page = api["api/source/rlref/vault/slug.md"]
    line = next(line for line in page.splitlines() if "笔记引用" in line)
    assert "[目标 &lt;b&gt;](../../../../notes/B/%E7%9B%AE%E6%A0%87.md)" in line
    assert "笔记引用" not in api["api/source/rlref/vault/parse.md"]

"""Compiling notes: links, embeds, tags, concept card, backlinks (rlref.site)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rlref.index import build_index
from rlref.site.api import discover_modules
from rlref.site.compiler import note_context, sync_tree
from rlref.site.note import CompiledNote, compile_note
from rlref.site.status import FormulaStatus, VerifyReport, latex_hash, read_verify_report
from rlref.vault import load_vault

FRONT = "---\ntitle: {title}\n{extra}---\n"


def write(root: Path, path: str, title: str, body: str, extra: str = "") -> None:
    file = root / path
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(FRONT.format(title=title, extra=extra) + body, encoding="utf-8")


def compile_vault(root: Path, report: VerifyReport | None = None) -> dict[str, CompiledNote]:
    vault = load_vault(root)
    index = build_index(vault)
    context, _ = note_context(vault, index, report or VerifyReport(False), discover_modules())
    return {key: compile_note(note, context) for key, note in index.notes.items()}


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    write(
        tmp_path,
        "A/源 笔记.md",
        "源",
        (
            "# 源\n\n见 [[目标 笔记#第二 节|第二节]]、[[目标 笔记]] 和 [[不存在的笔记]]。\n"
            "还有 [[目标 笔记#没有这节]] 与 `[[代码里]]`，标签 #rl/ppo 。\n\n"
            "![[图.png|120]] ![[目标 笔记]]\n\n跳到 [[目标 笔记#^blk|块]]\n"
        ),
        'type: concept\nstatus: stub\ntags: [demo]\nimpl: ["rlref.vault.slug:slug"]\n'
        'sources:\n  - {title: PPO, arxiv: "1707.06347"}\n',
    )
    write(
        tmp_path,
        "B/目标 笔记.md",
        "目标",
        (
            "# 目标\n\n## 第一节\n\n## 第二 节\n\n一句话 ^blk\n\n"
            "<!-- formula: f-a -->\n$$\na=1\n$$\n"
        ),
        "type: algorithm\nstatus: complete\n",
    )
    (tmp_path / "B" / "图.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return tmp_path


def test_wikilinks_become_relative_links_with_toc_anchors(vault: Path) -> None:
    text = compile_vault(vault)["A/源 笔记"].text
    assert "[第二节](../B/%E7%9B%AE%E6%A0%87%20%E7%AC%94%E8%AE%B0.md#第二-节)" in text
    assert "[目标 笔记](../B/%E7%9B%AE%E6%A0%87%20%E7%AC%94%E8%AE%B0.md)" in text
    assert "`[[代码里]]`" in text  # code is not rewritten


def test_unresolved_link_is_a_marked_span_and_a_warning(vault: Path) -> None:
    compiled = compile_vault(vault)["A/源 笔记"]
    assert re.search(
        r'<span class="rlref-unresolved" title="[^"]*">不存在的笔记</span>', compiled.text
    )
    messages = [d.message for d in compiled.rewriter.diagnostics]
    assert any("[[不存在的笔记]]" in m for m in messages)
    assert any("没有这节" in m for m in messages)  # a missing heading is broken too
    assert "{ .rlref-broken" in compiled.text
    for diagnostic in compiled.rewriter.diagnostics:  # Obsidian opens such links: warnings
        assert diagnostic.severity == "warning" and diagnostic.path == "A/源 笔记.md"


def test_embeds_tags_and_block_anchors(vault: Path) -> None:
    compiled = compile_vault(vault)
    source = compiled["A/源 笔记"]
    assert '![图.png](../B/%E5%9B%BE.png){ width="120" }' in source.text
    assert source.rewriter.attachments == {"B/图.png"}
    assert "../../tags.md#rlppo" in source.text  # inline tag → its view on the tags page
    assert "#block-blk)" in source.text
    assert 'id="block-blk"' in compiled["B/目标 笔记"].text


def test_card_shows_type_status_sources_impl_and_stub(vault: Path) -> None:
    text = compile_vault(vault)["A/源 笔记"].text
    card = text[text.index("??? abstract rlref-card") :]  # the details, collapsed
    summary = text[text.index("!!! warning rlref-stub") : text.index("??? abstract rlref-card")]
    assert "存根" in summary and "{ .rlref-summary }" in summary
    assert "[`slug`](../../api/rlref.vault.slug.md#rlref.vault.slug.slug)" in summary
    assert "[arXiv:1707.06347](https://arxiv.org/abs/1707.06347)" in card
    assert "../../api/rlref.vault.slug.md#rlref.vault.slug.slug" in card
    assert re.search(r"\.\./\.\./api/source/rlref/vault/slug\.md#L-\d+", card)
    assert "[#demo](../../tags.md#demo)" in card


def test_card_lists_formula_statuses_from_the_report(vault: Path, tmp_path: Path) -> None:
    report_file = tmp_path / "verify.json"
    report_file.write_text(
        json.dumps(
            {
                "schema_version": 1,
                "generated_at": "2026-01-01T00:00:00+00:00",
                "formulas": [
                    {
                        "note": "B/目标 笔记.md",
                        "formula": "f-a",
                        "status": "fail",
                        "message": "数值不一致",
                        "checked_at": "2026-01-01T00:00:00+00:00",
                        "latex_sha256": latex_hash("a=1"),
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    text = compile_vault(vault, read_verify_report(report_file))["B/目标 笔记"].text
    row = next(line for line in text.splitlines() if "`f-a`" in line)
    assert "未通过" in row and "数值不一致" in row
    assert "(#formula-f-a)" in row
    # the run's time once, above the table, not in every row
    assert text.count("2026-01-01 00:00:00") == 1 and "来自 `rlref verify`，2026-01-01" in text
    unchecked = compile_vault(vault)["B/目标 笔记"].text
    assert "verify 未运行" in unchecked and "待检查" in unchecked


@pytest.mark.parametrize(
    ("impl", "shown"),
    [("rlref.algos.kl:kl_k3", "对照 rlref.algos.kl:kl\\_k3"), (None, "数值恒等式")],
)
def test_a_pass_says_what_the_formula_was_checked_against(
    vault: Path, tmp_path: Path, impl: str | None, shown: str
) -> None:
    report_file = tmp_path / "verify.json"
    report_file.write_text(
        json.dumps(
            {
                "schema_version": 1,
                "generated_at": "2026-01-01T00:00:00+00:00",
                "formulas": [
                    {
                        "note": "B/目标 笔记.md",
                        "formula": "f-a",
                        "status": "pass",
                        "impl": impl,
                        "latex_sha256": latex_hash("a=1"),
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    text = compile_vault(vault, read_verify_report(report_file))["B/目标 笔记"].text
    row = next(line for line in text.splitlines() if "`f-a`" in line)
    assert "通过" in row and shown in row, row


def test_backlinks_section_lists_linking_notes(vault: Path) -> None:
    text = compile_vault(vault)["B/目标 笔记"].text
    tail = text[text.index("## 反向链接") :]
    assert "[源](../A/%E6%BA%90%20%E7%AC%94%E8%AE%B0.md)" in tail


def test_status_report_versions_and_staleness(tmp_path: Path) -> None:
    missing = read_verify_report(tmp_path / "none.json")
    assert not missing.available and missing.status("n", "f").reason == "verify 未运行"
    future = tmp_path / "future.json"
    future.write_text('{"schema_version": 99, "formulas": []}', encoding="utf-8")
    assert "不受支持" in (read_verify_report(future).status("n", "f").reason or "")
    stale = tmp_path / "stale.json"
    stale.write_text(
        json.dumps(
            {
                "schema_version": 1,
                "formulas": [
                    {
                        "note": "n.md",
                        "formula": "f",
                        "status": "pass",
                        "latex_sha256": latex_hash("x"),
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    report = read_verify_report(stale)
    assert report.status("n", "f", "x").status == "pass"
    assert report.status("n", "f", "y").status == "stale"  # the formula changed since
    assert report.status("n", "g", "x").status == "pending"  # newer than the run
    assert missing.status("n", "f").status == "pending"
    # check: none stands where the report has no pass or fail
    assert report.status("n", "g", "y", none_reason="定义").status == "none"
    assert missing.status("n", "f", "y", none_reason="定义").status == "none"
    unchecked = tmp_path / "none.json"
    unchecked.write_text(
        json.dumps(
            {
                "schema_version": 1,
                "formulas": [
                    {"note": "n.md", "formula": "f", "status": "unchecked", "reason": "定理"}
                ],
            }
        ),
        encoding="utf-8",
    )
    assert read_verify_report(unchecked).status("n", "f") == FormulaStatus("none", "定理")


def test_sync_tree_writes_changes_and_removes_stale_files(tmp_path: Path) -> None:
    root = tmp_path / "docs"
    assert sync_tree(root, {"a.md": "A", "d/b.md": "B"}) == (2, 0)
    assert sync_tree(root, {"a.md": "A", "d/b.md": "B"}) == (0, 0)
    assert sync_tree(root, {"a.md": "A2"}) == (1, 1)
    assert not (root / "d").exists() and (root / "a.md").read_text() == "A2"


def test_the_shipped_vault_compiles() -> None:
    root = Path(__file__).resolve().parents[2] / "kb"
    compiled = compile_vault(root)
    assert len(compiled) == len(load_vault(root).notes) > 0
    for key, note in compiled.items():
        assert note.text.startswith("---\ntitle: "), key
        assert "## 反向链接" in note.text, key


def test_card_shows_the_demo_command(tmp_path: Path) -> None:
    write(tmp_path, "GRPO 演示.md", "GRPO 演示", "# GRPO 演示\n\n正文。\n", "demo: grpo\n")
    write(tmp_path, "无演示.md", "无演示", "# 无演示\n\n正文。\n")
    compiled = compile_vault(tmp_path)
    assert "**演示**：`rlref run grpo`" in compiled["GRPO 演示"].text
    assert "**演示**" not in compiled["无演示"].text


def test_concept_notes_are_boosted_in_search(tmp_path: Path) -> None:
    write(tmp_path, "概念.md", "概念", "# 概念\n", "type: concept\n")
    write(tmp_path, "实践.md", "实践", "# 实践\n", "type: practice\n")
    compiled = compile_vault(tmp_path)
    assert compiled["概念"].text.startswith('---\ntitle: "概念"\nsearch:\n  boost: 2\n---\n')
    assert compiled["实践"].text.startswith('---\ntitle: "实践"\n---\n')

"""The glossary check: the glossary page's table is read, losing variants in prose are
flagged at their line, and code, math, comments, link targets, URLs and exceptions are not."""

from __future__ import annotations

from pathlib import Path

from rlref.diagnostics import SEVERITY
from rlref.index import load_checked
from rlref.vault import parse_note
from rlref.vault.terms import Term, find_variants, prose, read_glossary, term_diagnostics

KB_GLOSSARY = Path(__file__).parents[2] / "kb" / "AI" / "LLM" / "RL" / "术语表.md"

GLOSSARY = """\
---
title: 术语表
tags: [glossary]
---
# 术语表

| 采用 | English | 不用 | 例外（不算） | 说明 |
|---|---|---|---|---|
| 信赖域 | trust region | `信任域` | | |
| **重要性比率** | importance ratio | `重要性比值`、`比值` | | |
| 同策略 / 异策略 | on/off-policy | `离策略` | `偏离策略` | |
| 截断 | truncation | | | 只有说明，没有要标出的写法 |
| 存根 | stub | `占位` | `占位符` | |

```
| 采用 | 不用 |
|---|---|
| 代码块里的表 | `不算` |
```
"""


def terms() -> list[Term]:
    return read_glossary(parse_note("g.md", GLOSSARY).body, "术语表")


def hits(body: str, body_line: int = 1) -> list[tuple[int, str]]:
    return [(h.line, h.variant) for h in find_variants(body, terms(), body_line)]


def test_glossary_table_is_read() -> None:
    got = {t.preferred: (t.variants, t.exceptions) for t in terms()}
    assert got == {
        "信赖域": (("信任域",), ()),
        "重要性比率": (("重要性比值", "比值"), ()),
        "同策略 / 异策略": (("离策略",), ("偏离策略",)),
        "存根": (("占位",), ("占位符",)),
    }
    assert all(t.source == "术语表" for t in terms())


def test_variants_in_prose_are_flagged_at_their_line() -> None:
    body = "第一行\nPPO 的信任域。\n\n- 列表里的离策略样本\n> 引用里的信任域\n"
    assert hits(body, body_line=10) == [(11, "信任域"), (13, "离策略"), (14, "信任域")]


def test_longest_variant_wins_and_exceptions_are_not_flagged() -> None:
    assert hits("重要性比值与比值\n") == [(1, "重要性比值"), (1, "比值")]
    assert hits("策略偏离策略分布；模板里的占位符；一个占位笔记\n") == [(1, "占位")]


def test_code_math_comments_links_and_urls_are_not_prose() -> None:
    body = (
        "```python\n信任域 = 1\n```\n"
        "~~~~\n离策略\n~~~~\n"
        "`信任域` 和 ``离策略`` 与 $\\text{信任域}$，以及\n"
        "$$\n\\text{离策略}\n$$\n"
        "<!-- 信任域 -->\n"
        "[[notes/信任域]] ![[信任域.png]] [文字](https://x.org/信任域) https://x.org/离策略\n"
        "<span title=\"信任域\">ok</span>\n"
    )
    assert hits(body) == []
    # The alias of a wikilink is what the reader sees; the target is a file name.
    assert hits("见 [[notes/信任域|信任域]] 与 [[a/离策略\\|表格里的别名]]\n") == [(1, "信任域")]


def test_prose_keeps_offsets() -> None:
    body = "a `x`\n$$\ny\n$$\n[[t|别名]]\n"
    masked = prose(body)
    assert len(masked) == len(body)
    assert masked.count("\n") == body.count("\n")
    assert "别名" in masked and "t|" not in masked


def test_term_diagnostics_over_notes() -> None:
    glossary = parse_note("AI/术语表.md", GLOSSARY)
    note = parse_note("n.md", "---\ntitle: N\naliases: [信任域]\n---\n正文\n信任域\n")
    found = term_diagnostics([glossary, note])
    assert [(d.path, d.line, d.kind, d.severity) for d in found] == [
        ("n.md", 6, "term-variant", "warning")
    ]
    assert "'信赖域'" in found[0].message and "[[AI/术语表]]" in found[0].message
    assert SEVERITY["term-variant"] == "warning"
    # Without a page tagged glossary there is nothing to check against.
    assert term_diagnostics([note]) == []


def test_check_reports_term_variants(tmp_path: Path) -> None:
    (tmp_path / "术语表.md").write_text(GLOSSARY, encoding="utf-8")
    (tmp_path / "n.md").write_text("---\ntitle: N\n---\n见 [[术语表]]：离策略\n", encoding="utf-8")
    found = [d for d in load_checked(tmp_path).diagnostics if d.kind == "term-variant"]
    assert [(d.path, d.line) for d in found] == [("n.md", 4)]


def test_kb_glossary_is_a_glossary_that_never_flags_its_own_choice() -> None:
    note = parse_note("AI/LLM/RL/术语表.md", KB_GLOSSARY.read_text(encoding="utf-8"))
    kb_terms = read_glossary(note.body, note.key)
    assert kb_terms, "the glossary page has no term with a variant"
    assert term_diagnostics([note]) == []
    for term in kb_terms:
        flagged = find_variants(term.preferred, kb_terms)
        assert flagged == [], f"{term.preferred!r} contains a variant: {flagged}"

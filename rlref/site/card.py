"""The concept card at the top of each note and the backlinks section at its bottom."""

from __future__ import annotations

import re

from rlref.site.api import ImplTarget
from rlref.site.icons import icon
from rlref.site.layout import TAGS_PAGE, escape_markdown, note_doc, relative_url, safe_url
from rlref.site.status import FormulaStatus, VerifyReport
from rlref.vault.frontmatter import SourceRef
from rlref.vault.model import Note

TYPE_NAMES = {
    "moc": "目录 (MOC)",
    "concept": "概念",
    "algorithm": "算法",
    "paper": "论文",
    "practice": "实践",
    "survey": "综述",
    "framework": "框架",
}
ICONS = {
    kind: icon(kind) for kind in ("pass", "fail", "unchecked", "stub", "draft", "complete", "embed")
}
STATUS_NAMES = {
    "stub": f"{ICONS['stub']} 占位 (stub)",
    "draft": f"{ICONS['draft']} 草稿",
    "complete": f"{ICONS['complete']} 完成",
}
STATUS_LABELS = {
    "pass": f"{ICONS['pass']} 通过",
    "fail": f"{ICONS['fail']} 未通过",
    "unchecked": f"{ICONS['unchecked']} 未验证",
}
_ARXIV = re.compile(r"(?:arXiv:\s*)?(?<![\d.])(\d{4}\.\d{4,5})(v\d+)?(?!\d)", re.IGNORECASE)


def _indent(lines: list[str]) -> list[str]:
    return [f"    {line}" if line else "" for line in lines]


def _arxiv_link(arxiv: str) -> str:
    return f"[arXiv:{arxiv}](https://arxiv.org/abs/{arxiv})"


def _source(entry: str | SourceRef) -> str:
    if isinstance(entry, SourceRef):
        parts = []
        if entry.title:
            parts.append(f"*{escape_markdown(entry.title)}*")
        if entry.arxiv:
            parts.append(_arxiv_link(entry.arxiv.removeprefix("arXiv:").strip()))
        if entry.url and not (entry.arxiv and "arxiv.org" in entry.url):
            url = safe_url(entry.url)
            parts.append(f"<{url}>" if url else escape_markdown(entry.url))
        return " · ".join(parts) or "—"
    url = safe_url(entry)
    if url:
        return f"<{url}>"  # an autolink; anything that is not plain http(s) stays text
    return _ARXIV.sub(lambda m: _arxiv_link(m.group(1)), escape_markdown(entry))


def _when(status: FormulaStatus) -> str:
    return escape_markdown(status.checked_at.replace("T", " ")[:19]) if status.checked_at else "—"


def formula_rows(note: Note, report: VerifyReport) -> list[str]:
    rows = ["| 公式 | 检查 | 说明 | 运行时间 |", "|---|---|---|---|"]
    for formula in note.formulas:
        status = report.status(note.key, formula.id, formula.latex)
        reason = escape_markdown(status.reason or "").replace("\n", " ") or "—"
        rows.append(
            f"| [`{formula.id}`](#formula-{formula.id}) | {STATUS_LABELS[status.status]} "
            f"| {reason} | {_when(status)} |"
        )
    return rows


def concept_card(
    note: Note,
    doc: str,
    *,
    tag_anchors: dict[str, str],
    impls: list[ImplTarget],
    unresolved_impls: list[str],
    related: list[tuple[str, str]],
    report: VerifyReport,
) -> str:
    """Markdown for the card: type, status, tags, sources, implementations, formulas."""
    front = note.frontmatter
    kind = TYPE_NAMES.get(front.type, front.type) if front and front.type else "笔记"
    status = front.status if front else None
    lines: list[str] = []
    facts = [f"**类型**：{kind}"]
    if status:
        facts.append(f"**状态**：{STATUS_NAMES.get(status, status)}")
    lines.append(" · ".join(facts))
    tags = sorted({t.name for t in note.tags} | set(front.tags if front else []))
    if tags:
        chips = [
            f"[#{escape_markdown(t)}]({relative_url(doc, TAGS_PAGE, tag_anchors[t])})"
            "{ .rlref-tag }"
            for t in tags
            if t in tag_anchors
        ]
        lines += ["", "**标签**：" + " ".join(chips)]
    sources = list(front.sources) if front else []
    if sources:
        lines += ["", "**来源**：", ""] + [f"- {_source(s)}" for s in sources]
    if impls or unresolved_impls:
        lines += ["", "**实现**：", ""]
        for target in impls:
            name = f"`{target.module}.{target.name}`"
            api = (
                f"[{name}]({relative_url(doc, target.api_doc, target.anchor)})"
                if target.api_doc
                else name
            )
            src = (
                f" · [源码 {target.module.rsplit('.', 1)[-1]}.py:{target.line}]"
                f"({relative_url(doc, target.source_doc, target.source_anchor)})"
                if target.source_doc
                else ""
            )
            lines.append(f"- {api}{src}")
        lines += [f"- `{escape_markdown(ref)}`（未找到）" for ref in unresolved_impls]
    if related:
        links = [
            f"[{escape_markdown(title)}]({relative_url(doc, note_doc(key))})"
            for key, title in related
        ]
        lines += ["", "**相关**：" + " · ".join(links)]
    if front and front.demo:
        lines += [
            "",
            f"**演示**：`rlref run {escape_markdown(front.demo)}`（`rlref run --list` 列出全部）",
        ]
    if note.formulas:
        lines += ["", "**公式检查**（来自 `rlref verify`）：", "", *formula_rows(note, report)]
    card = ['!!! abstract rlref-card "概念卡"', "", *_indent(lines), ""]
    if status == "stub":
        card = [
            '!!! warning rlref-stub "这是一篇占位笔记 (stub)"',
            "",
            "    内容还没写完：下面只有提纲或零散要点，引用前请核对原始来源。",
            "",
            *card,
        ]
    return _unsearched(card)


def _unsearched(lines: list[str]) -> str:
    """Wrap generated blocks so that Material's search indexes the note, not the card.

    A ``<section>``, not a ``<div>``: Material's search parser matches elements by tag
    name, so the first ``</div>`` inside an excluded ``<div>`` (an admonition) would end
    the exclusion early.
    """
    opening = '<section class="rlref-generated" markdown data-search-exclude="true">'
    return "\n".join([opening, "", *lines, "", "</section>", ""])


def backlinks_section(doc: str, backlinks: list[tuple[str, str]]) -> str:
    lines = ["## 反向链接", ""]
    if not backlinks:
        lines.append("还没有其他笔记链接到这里。")
    for key, title in backlinks:
        lines.append(f"- [{escape_markdown(title)}]({relative_url(doc, note_doc(key))})")
    return "\n" + _unsearched(lines)

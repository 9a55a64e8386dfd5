"""The concept card at the top of each note and the backlinks section at its bottom.

Text first: under the title, one summary line (type · status · formulas checked ·
implementation · demo); the card's details (tags, sources, implementations, related notes,
the formula checks) are collapsed under it, so that the note's first sentence is on screen.
"""

from __future__ import annotations

import re

from rlref.site.api import ImplTarget
from rlref.site.formula_checks import CARD_ANCHOR
from rlref.site.icons import icon
from rlref.site.layout import TAGS_PAGE, escape_markdown, note_doc, relative_url, safe_url
from rlref.site.status import FormulaStatus, VerifyReport, formula_status
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
    kind: icon(kind)
    for kind in ("pass", "fail", "none", "pending", "stale", "stub", "draft", "complete", "embed")
}
STATUS_NAMES = {
    "stub": f"{ICONS['stub']} 存根 (stub)",
    "draft": f"{ICONS['draft']} 草稿",
    "complete": f"{ICONS['complete']} 完成",
}
# The five states of a formula (rlref.site.status), as words.
CHECK_WORDS = {
    "pass": "通过",
    "fail": "未通过",
    "none": "不适用",  # not numerically checkable by nature (check: none + reason)
    "pending": "待检查",  # not checked yet
    "stale": "已过期",  # changed since the last check
}
STATUS_LABELS = {state: f"{ICONS[state]} {word}" for state, word in CHECK_WORDS.items()}
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


def _when(checked_at: str | None) -> str:
    return escape_markdown(checked_at.replace("T", " ")[:19]) if checked_at else "—"


def formula_rows(note: Note, statuses: list[FormulaStatus]) -> list[str]:
    rows = ["| 公式 | 检查 | 说明 |", "|---|---|---|"]
    for formula, status in zip(note.formulas, statuses, strict=True):
        reason = escape_markdown(status.reason or "").replace("\n", " ") or "—"
        rows.append(
            f"| [`{formula.id}`](#formula-{formula.id}) | {STATUS_LABELS[status.status]} "
            f"| {reason} |"
        )
    return rows


def _checked_line(statuses: list[FormulaStatus], report: VerifyReport) -> str:
    """The table's heading: where the results come from, and when (once, not per row)."""
    times = sorted({s.checked_at for s in statuses if s.checked_at})
    when = _when(times[-1]) if times else None
    if not report.available:
        return "**公式检查**（`rlref verify` 尚未运行：公式待检查）："
    return f"**公式检查**（来自 `rlref verify`，{when or '—'}）："


def _formula_summary(statuses: list[FormulaStatus]) -> str:
    """``✓ 3/5 已检查（1 不适用 · 1 待检查）``: passed out of all, then the others."""
    counts = {state: 0 for state in CHECK_WORDS}
    for status in statuses:
        counts[status.status] += 1
    rest = [
        f"{counts[state]} {CHECK_WORDS[state]}"
        for state in ("fail", "stale", "pending", "none")
        if counts[state]
    ]
    mark = ICONS["fail" if counts["fail"] else "pass" if counts["pass"] else "pending"]
    text = f"{mark} {counts['pass']}/{len(statuses)} 已检查"
    return text + (f"（{' · '.join(rest)}）" if rest else "")


def _impl_link(doc: str, target: ImplTarget, name: str) -> str:
    if target.api_doc:
        return f"[{name}]({relative_url(doc, target.api_doc, target.anchor)})"
    return name


def summary_line(
    note: Note, doc: str, impls: list[ImplTarget], statuses: list[FormulaStatus]
) -> str:
    """type · status · ✓ n/m checked · implementation · demo, on one line."""
    front = note.frontmatter
    parts = [TYPE_NAMES.get(front.type, front.type) if front and front.type else "笔记"]
    if front and front.status:
        parts.append(STATUS_NAMES.get(front.status, escape_markdown(front.status)))
    if statuses:
        parts.append(_formula_summary(statuses))
    if impls:
        first = _impl_link(doc, impls[0], f"`{impls[0].name}`")
        more = f" 等 {len(impls)} 个" if len(impls) > 1 else ""
        parts.append(f"实现 {first}{more}")
    if front and front.demo:
        parts.append(f"演示 `rlref run {escape_markdown(front.demo)}`")
    return " · ".join(parts)


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
    """Markdown for the card: the summary line, then the details, collapsed."""
    front = note.frontmatter
    status = front.status if front else None
    statuses = [formula_status(report, note, formula) for formula in note.formulas]
    lines: list[str] = []
    tags = sorted({t.name for t in note.tags} | set(front.tags if front else []))
    if tags:
        chips = [
            f"[#{escape_markdown(t)}]({relative_url(doc, TAGS_PAGE, tag_anchors[t])})"
            "{ .rlref-tag }"
            for t in tags
            if t in tag_anchors
        ]
        lines += ["**标签**：" + " ".join(chips), ""]
    sources = list(front.sources) if front else []
    if sources:
        lines += ["**来源**：", "", *[f"- {_source(s)}" for s in sources], ""]
    if impls or unresolved_impls:
        lines += ["**实现**：", ""]
        for target in impls:
            api = _impl_link(doc, target, f"`{target.module}.{target.name}`")
            src = (
                f" · [源码 {target.module.rsplit('.', 1)[-1]}.py:{target.line}]"
                f"({relative_url(doc, target.source_doc, target.source_anchor)})"
                if target.source_doc
                else ""
            )
            lines.append(f"- {api}{src}")
        lines += [f"- `{escape_markdown(ref)}`（未找到）" for ref in unresolved_impls]
        lines.append("")
    if related:
        links = [
            f"[{escape_markdown(title)}]({relative_url(doc, note_doc(key))})"
            for key, title in related
        ]
        lines += ["**相关**：" + " · ".join(links), ""]
    if front and front.demo:
        lines += [
            f"**演示**：`rlref run {escape_markdown(front.demo)}`（`rlref run --list` 列出全部）",
            "",
        ]
    if note.formulas:
        lines += [_checked_line(statuses, report), "", *formula_rows(note, statuses)]
    card = [summary_line(note, doc, impls, statuses), "{ .rlref-summary }", ""]
    if status == "stub":
        card[:0] = ['!!! warning rlref-stub "存根：这篇笔记还没写完，引用前请核对原始来源"', ""]
    if lines:
        card += [
            '??? abstract rlref-card "概念卡：标签、来源、实现与公式检查"',
            "",
            *_indent(lines),
            "",
        ]
    return _unsearched(card, CARD_ANCHOR)


def _unsearched(lines: list[str], anchor: str | None = None) -> str:
    """Wrap generated blocks so that Material's search indexes the note, not the card.

    A ``<section>``, not a ``<div>``: Material's search parser matches elements by tag
    name, so the first ``</div>`` inside an excluded ``<div>`` (an admonition) would end
    the exclusion early.
    """
    where = f' id="{anchor}"' if anchor else ""
    opening = f'<section class="rlref-generated"{where} markdown data-search-exclude="true">'
    return "\n".join([opening, "", *lines, "", "</section>", ""])


def backlinks_section(doc: str, backlinks: list[tuple[str, str]]) -> str:
    lines = ["## 反向链接", ""]
    if not backlinks:
        lines.append("还没有其他笔记链接到这里。")
    for key, title in backlinks:
        lines.append(f"- [{escape_markdown(title)}]({relative_url(doc, note_doc(key))})")
    return "\n" + _unsearched(lines)

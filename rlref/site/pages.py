"""Generated pages: the concept index; the tags' anchors (their pages: rlref.site.tagpages;
the home page's generated part: rlref.site.homepage)."""

from __future__ import annotations

from collections import Counter

from rlref.site.api import ImplTarget
from rlref.site.card import ICONS, STATUS_LABELS, TYPE_NAMES
from rlref.site.layout import (
    CONCEPTS_PAGE,
    api_doc,
    escape_markdown,
    note_doc,
    relative_url,
    shown_title,
)
from rlref.site.status import VerifyReport, formula_status
from rlref.vault.model import Note
from rlref.vault.slug import unique_anchors

OVERVIEW_MARKER = "<!-- rlref:overview -->"


def tag_anchors(tags: dict[str, list[str]]) -> dict[str, str]:
    """The anchor of each tag's view on the tags page (the toc's slugs, de-duplicated)."""
    names = sorted(tags)
    return dict(zip(names, unique_anchors(names), strict=True))


def _check_summary(note: Note, report: VerifyReport) -> str:
    if not note.formulas:
        return "—"
    counts = Counter(formula_status(report, note, f).status for f in note.formulas)
    parts = [f"{ICONS['pass']} {counts['pass']}"]
    parts += [f"{ICONS[state]} {counts[state]}" for state in _OTHERS if counts[state]]
    return " · ".join(parts) + f" / {len(note.formulas)}"


_OTHERS = ("fail", "stale", "pending", "none")


def _legend() -> str:
    return " · ".join(STATUS_LABELS[state] for state in ("pass", *_OTHERS))


def concepts_page(
    order: list[str],
    notes: dict[str, Note],
    impls: dict[str, list[ImplTarget]],
    report: VerifyReport,
) -> str:
    """Concept → implementations → formulas checked, in navigation order."""
    lines = [
        "---\ntitle: 概念索引\nsearch:\n  exclude: true\n---\n",
        "# 概念索引\n",
        "每篇笔记的实现（`impl:` 指向的函数，链接到 API 参考）和公式检查结果"
        f"（{_legend()} / 公式总数）。\n",
    ]
    if not report.available:
        lines.append('!!! info "还没有公式检查结果"\n\n    运行 `rlref verify` 后重新构建站点。\n')
    lines += ["| 笔记 | 类型 | 实现 | 公式检查 |", "|---|---|---|---|"]
    for key in order:
        note = notes[key]
        front = note.frontmatter
        if front is not None and front.type == "moc":
            continue
        kind = TYPE_NAMES.get(front.type, front.type) if front and front.type else "—"
        title = (
            f"[{escape_markdown(shown_title(note))}]({relative_url(CONCEPTS_PAGE, note_doc(key))})"
        )
        if front is not None and front.status == "stub":
            title += f" {ICONS['stub']}"
        targets = []
        for target in impls.get(key, []):
            label = f"`{target.name}`"
            if target.api_doc:
                url = relative_url(CONCEPTS_PAGE, api_doc(target.module), target.anchor)
                label = f"[{label}]({url})"
            targets.append(label)
        lines.append(
            f"| {title} | {kind} | {'<br>'.join(targets) or '—'} | {_check_summary(note, report)} |"
        )
    return "\n".join(lines) + "\n"

"""Generated pages: the tag index, the concept index and the home page's overview."""

from __future__ import annotations

from collections import Counter

from rlref.site.api import ImplTarget
from rlref.site.card import CHECK_WORDS, ICONS, STATUS_LABELS, TYPE_NAMES
from rlref.site.layout import (
    API_INDEX,
    CONCEPTS_PAGE,
    TAGS_PAGE,
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
    """The anchor of each tag's heading on the tag page (the toc's slugs, de-duplicated)."""
    names = sorted(tags)
    return dict(zip(names, unique_anchors(names), strict=True))


def tags_page(tags: dict[str, list[str]], notes: dict[str, Note]) -> str:
    lines = [
        # Lists of titles: a search for a word would find these pages before its notes.
        "---\ntitle: 标签\nsearch:\n  exclude: true\n---\n",
        "# 标签\n",
        f"共 {len(tags)} 个标签：frontmatter 的 `tags:` 和正文里的 `#标签` 都算。\n",
    ]
    for name in sorted(tags):
        lines.append(f"## {escape_markdown(name)}\n")
        for key in sorted(tags[name], key=lambda k: shown_title(notes[k])):
            link = relative_url(TAGS_PAGE, note_doc(key))
            lines.append(f"- [{escape_markdown(shown_title(notes[key]))}]({link})")
        lines.append("")
    return "\n".join(lines)


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


def overview(
    mocs: list[str], notes: dict[str, Note], report: VerifyReport, doc: str = "index.md"
) -> str:
    """The home page's live part: entry points (MOCs) and the vault's numbers."""
    formulas = [(key, f) for key, note in notes.items() for f in note.formulas]
    counts = Counter(formula_status(report, notes[key], f).status for key, f in formulas)
    lines = ["**从这里开始**：", ""]
    for key in mocs:
        lines.append(
            f"- [{escape_markdown(shown_title(notes[key]))}]({relative_url(doc, note_doc(key))})"
        )
    if not mocs:
        lines.append("- （知识库里还没有 MOC）")
    checked = (
        " · ".join(
            f"{ICONS[state]} {counts[state]} {CHECK_WORDS[state]}"
            for state in ("pass", *_OTHERS)
            if counts[state] or state in ("pass", "fail")
        )
        if report.available
        else "尚未运行 `rlref verify`"
    )
    lines += [
        "",
        f"知识库现有 **{len(notes)}** 篇笔记、**{len(formulas)}** 个带编号的公式（{checked}）。"
        f"另见 [概念索引]({relative_url(doc, CONCEPTS_PAGE)})、"
        f"[标签]({relative_url(doc, TAGS_PAGE)}) 和 "
        f"[API 参考]({relative_url(doc, API_INDEX)})。",
        "",
    ]
    return "\n".join(lines)

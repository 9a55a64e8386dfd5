"""The home page's generated part: a learning path, the demos, the vault's numbers.

The learning path follows the main MOC (the one that lists the most notes), the author's
order: from each section after the first (PPO, GRPO, DPO, …) its first concept or algorithm
note with formulas; before them, the basics: the notes of the first section that those link
to, in the MOC's order. Stubs and MOCs are left out; a section without such a note is
skipped. The demos are the notes with a ``demo:``, in nav
order, each with its ``rlref run`` command.
"""

from __future__ import annotations

from collections import Counter

from rlref.index import Index
from rlref.site.card import CHECK_WORDS, ICONS
from rlref.site.layout import (
    API_INDEX,
    CONCEPTS_PAGE,
    FRAMEWORKS_PAGE,
    TAGS_PAGE,
    escape_markdown,
    note_doc,
    relative_url,
    shown_title,
)
from rlref.site.status import VerifyReport, formula_status
from rlref.vault.model import Note

HOME = "index.md"
BASICS = 6  # notes of the first section on the path
_OTHERS = ("fail", "stale", "pending", "none")


def _on_path(note: Note) -> bool:
    front = note.frontmatter
    return (
        front is not None
        and front.type in ("concept", "algorithm")
        and front.status != "stub"
        and bool(note.formulas)
    )


def main_moc(index: Index) -> str | None:
    """The MOC whose sections list the most notes."""
    sizes = {
        key: sum(len(section.notes) for section in sections)
        for key, sections in index.moc_sections.items()
    }
    return max(sorted(sizes), key=lambda key: sizes[key], default=None)


def learning_path(index: Index) -> list[tuple[str, list[str]]]:
    """(section heading, note keys) along the main MOC."""
    moc = main_moc(index)
    if moc is None:
        return []
    sections = index.moc_sections[moc]
    if not sections:
        return []

    def candidates(keys: tuple[str, ...]) -> list[str]:
        found = [key for key in keys if key in index.notes and _on_path(index.notes[key])]
        return list(dict.fromkeys(found))

    steps = [
        (section.heading, found[:1])
        for section in sections[1:]
        if (found := candidates(section.notes))
    ]
    on_path = {key for _, keys in steps for key in keys}
    linked = {link.target for link in index.links if link.source in on_path}
    basics = [key for key in candidates(sections[0].notes) if key in linked][:BASICS]
    return ([(sections[0].heading, basics)] if basics else []) + steps


def _link(key: str, notes: dict[str, Note]) -> str:
    return f"[{escape_markdown(shown_title(notes[key]))}]({relative_url(HOME, note_doc(key))})"


def home_overview(index: Index, order: list[str], report: VerifyReport) -> str:
    notes = index.notes
    lines = ["## 学习路径", ""]
    path = learning_path(index)
    for step, (heading, keys) in enumerate(path, start=1):
        chain = " → ".join(_link(key, notes) for key in keys)
        lines.append(f"{step}. **{escape_markdown(heading)}**：{chain}")
    if not path:
        lines.append("（知识库里还没有可作为入门路径的笔记。）")
    demos = [key for key in order if (front := notes[key].frontmatter) and front.demo]
    if demos:
        lines += [
            "",
            "## 可运行的演示",
            "",
            "在 CPU 上几十秒到两分钟：随机初始化的小模型，只用 `rlref.algos` 里的函数训练。",
            "",
        ]
        for key in demos:
            demo = escape_markdown(notes[key].frontmatter.demo or "")  # type: ignore[union-attr]
            lines.append(f"- `rlref run {demo}` — {_link(key, notes)}")
        lines += ["", "`rlref run --list` 列出全部演示和各自的目标。"]
    lines += ["", _numbers(index, order, report), ""]
    return "\n".join(lines)


def _numbers(index: Index, order: list[str], report: VerifyReport) -> str:
    notes = index.notes
    formulas = [(key, f) for key, note in notes.items() for f in note.formulas]
    counts = Counter(formula_status(report, notes[key], f).status for key, f in formulas)
    checked = (
        " · ".join(
            f"{ICONS[state]} {counts[state]} {CHECK_WORDS[state]}"
            for state in ("pass", *_OTHERS)
            if counts[state] or state in ("pass", "fail")
        )
        if report.available
        else "尚未运行 `rlref verify`"
    )
    mocs = [key for key in order if key in index.moc_sections]
    contents = "、".join(_link(key, notes) for key in mocs)
    return (
        f"知识库现有 **{len(notes)}** 篇笔记、**{len(formulas)}** 个带编号的公式（{checked}）。"
        + (f"全部目录：{contents}。" if contents else "")
        + f"另见 [概念索引]({relative_url(HOME, CONCEPTS_PAGE)})、"
        f"[标签]({relative_url(HOME, TAGS_PAGE)})、"
        f"[TRL / verl 对照]({relative_url(HOME, FRAMEWORKS_PAGE)}) 和 "
        f"[API 参考]({relative_url(HOME, API_INDEX)})。"
    )

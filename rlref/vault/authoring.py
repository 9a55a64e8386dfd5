"""Pure text functions for adding a note: the note template and the MOC insertion.

``rlref new`` does the I/O (atomic writes, refusal to overwrite); these functions only
turn text into text, so they are tested without a file system.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import yaml

# Characters Obsidian refuses in file names (and '#', '^', '|', '[', ']' break wikilinks).
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|#^\[\]]')
_SECTION_HEADING = re.compile(r"^##[ \t]+(.+?)[ \t]*#*[ \t]*$")
_ENGLISH_PART = re.compile(r"\(([^()]+)\)\s*$")

BODY_TEMPLATES: dict[str, list[str]] = {
    "paper": ["一句话总结", "问题与动机", "方法", "公式", "实现对照", "开放问题", "相关"],
    "algorithm": ["直觉", "公式", "实现对照", "常见坑", "面试 Q&A", "相关"],
    "concept": ["直觉", "公式", "实现对照", "常见坑", "面试 Q&A", "相关"],
    "practice": ["适用场景", "关键配置", "最小示例", "实现对照", "常见坑", "相关"],
    "survey": ["范围", "方法对比", "开放问题", "相关"],
    "framework": ["定位", "架构", "关键配置", "实现对照", "开放问题", "相关"],
}


@dataclass(frozen=True)
class MocSection:
    title: str  # the heading text, e.g. "其他算法 (Other-Algorithms)"
    line: int  # 0-based index of the heading line
    end: int  # 0-based index of the line after the section's last line


def safe_file_name(title: str) -> str:
    """A file name Obsidian accepts and wikilinks can name, from a note title."""
    name = _UNSAFE_NAME.sub("-", title).strip().strip(".")
    return re.sub(r"\s+", " ", name) or "untitled"


def moc_sections(moc_text: str) -> list[MocSection]:
    """The ``##`` sections of a MOC, outside fenced code."""
    lines = moc_text.split("\n")
    found: list[tuple[str, int]] = []
    fenced = False
    for i, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        match = None if fenced else _SECTION_HEADING.match(line)
        if match:
            found.append((match.group(1), i))
    sections = []
    for n, (title, start) in enumerate(found):
        end = found[n + 1][1] if n + 1 < len(found) else len(lines)
        sections.append(MocSection(title, start, end))
    return sections


def section_names(section: MocSection) -> set[str]:
    """The names a user may give for a section: its heading, or the part in parentheses."""
    names = {section.title.casefold()}
    english = _ENGLISH_PART.search(section.title)
    if english:
        names.add(english.group(1).strip().casefold())
        names.add(section.title[: english.start()].strip().casefold())
    return names


def find_section(sections: list[MocSection], wanted: str) -> MocSection | None:
    key = wanted.strip().casefold()
    for section in sections:
        if key in section_names(section):
            return section
    return None


def render_note(
    title: str,
    note_type: str,
    domain: str,
    arxiv: str | None,
    today: date,
    tags: list[str] | None = None,
) -> str:
    """The text of a new ``status: stub`` note."""
    front: dict[str, object] = {
        "title": title,
        "type": note_type,
        "domain": domain,
        "tags": tags or [],
        "aliases": [],
        "status": "stub",
        "date": today.isoformat(),
        "sources": [{"title": title, "arxiv": arxiv}] if arxiv else [],
    }
    yaml_text = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000)
    body = [f"# {title}", ""]
    body.append("> [!warning] stub")
    body.append(
        "> 这是一篇待补充的笔记：只写能从可读来源确认的内容，公式须绑定实现或说明不检查的理由。"
    )
    if arxiv:
        body.append(f"> 论文：[arXiv:{arxiv}](https://arxiv.org/abs/{arxiv})")
    for heading in BODY_TEMPLATES.get(note_type, BODY_TEMPLATES["concept"]):
        body += ["", f"## {heading}", "", "待补充。"]
    return f"---\n{yaml_text}---\n" + "\n".join(body) + "\n"


def insert_moc_entry(moc_text: str, section: MocSection, entry: str) -> str:
    """Insert a list item at the end of ``section``'s list (before trailing blank lines)."""
    lines = moc_text.split("\n")
    at = section.end
    while at - 1 > section.line and not lines[at - 1].strip():
        at -= 1
    last = lines[at - 1] if at - 1 > section.line else ""
    new = [entry] if last.lstrip().startswith(("- ", "* ")) else ["", entry]
    return "\n".join(lines[:at] + new + lines[at:])


def add_moc_section(moc_text: str, title: str, before: str | None = None) -> str:
    """Append a new ``## title`` section (before the section named ``before``, if present)."""
    sections = moc_text.split("\n")
    target = None
    if before is not None:
        target = find_section(moc_sections(moc_text), before)
    block = [f"## {title}", ""]
    if target is None:
        while sections and not sections[-1].strip():
            sections.pop()
        return "\n".join([*sections, "", *block]) + "\n"
    return "\n".join(sections[: target.line] + block + sections[target.line :])


def section_folder_name(section_title: str) -> str:
    """The folder name for a section without notes yet: its English part, if it has one."""
    english = _ENGLISH_PART.search(section_title)
    return safe_file_name(english.group(1).strip() if english else section_title)


def moc_entry(note_key: str, title: str, summary: str) -> str:
    return f"- [[{note_key}|{title}]] — {summary}"


def domain_for(folder: str) -> str:
    """The ``domain`` of a note in ``folder``: the folder path in lower case."""
    return folder.lower()

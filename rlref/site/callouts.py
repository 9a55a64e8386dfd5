"""Obsidian callouts (``> [!type]± Title``) as Material admonitions (``!!! type "Title"``).

Material styles every Obsidian callout type and most of its aliases; an unknown type is
shown as a note. ``-`` (folded) and ``+`` (unfolded) become collapsible ``???`` blocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CALLOUT = re.compile(r"^\[!([A-Za-z][\w-]*)\]([+-]?)[ \t]*(.*)$")

# Obsidian type → (Material type, default title). Material ships styles for all of these.
TYPES: dict[str, tuple[str, str]] = {
    "note": ("note", "备注"),
    "abstract": ("abstract", "摘要"),
    "summary": ("abstract", "摘要"),
    "tldr": ("abstract", "摘要"),
    "info": ("info", "信息"),
    "todo": ("info", "待办"),
    "tip": ("tip", "提示"),
    "hint": ("tip", "提示"),
    "important": ("tip", "重要"),
    "success": ("success", "成功"),
    "check": ("success", "检查"),
    "done": ("success", "完成"),
    "question": ("question", "问题"),
    "help": ("question", "帮助"),
    "faq": ("question", "常见问题"),
    "warning": ("warning", "警告"),
    "caution": ("warning", "注意"),
    "attention": ("warning", "注意"),
    "failure": ("failure", "失败"),
    "fail": ("failure", "失败"),
    "missing": ("failure", "缺失"),
    "danger": ("danger", "危险"),
    "error": ("danger", "错误"),
    "bug": ("bug", "Bug"),
    "example": ("example", "示例"),
    "quote": ("quote", "引用"),
    "cite": ("quote", "引用"),
}


@dataclass
class Callout:
    kind: str  # the Material admonition type
    fold: str  # "", "-" (collapsed) or "+" (expanded)
    title: str  # Markdown; rewritten by the compiler before use

    def admonition_line(self) -> str:
        opener = {"": "!!!", "-": "???", "+": "???+"}[self.fold]
        title = self.title.replace('"', "&quot;")
        return f'{opener} {self.kind} "{title}"'


def parse_callout(first_line: str) -> Callout | None:
    """The callout opened by a blockquote's first line, or None for a plain blockquote."""
    match = _CALLOUT.match(first_line.strip())
    if match is None:
        return None
    name, fold, title = match.group(1).lower(), match.group(2), match.group(3).strip()
    kind, default_title = TYPES.get(name, ("note", name.capitalize()))
    return Callout(kind, fold, title or default_title)

"""The tags: an index page of every tag (``tags.md``) and a page per tag (``tags/…``).

One page listing every note under every tag grew to 27,800 px for kb's 168 tags; the index
is now a paragraph of chips, most used first, each leading to its tag's own page, which
lists its notes with their type and status. Both are lists of titles, kept out of search.
"""

from __future__ import annotations

import json

from rlref.site.card import ICONS, TYPE_NAMES
from rlref.site.layout import (
    TAGS_PAGE,
    escape_markdown,
    html_text,
    note_doc,
    relative_url,
    shown_title,
    tag_doc,
)
from rlref.vault.model import Note

_UNSEARCHED = "search:\n  exclude: true\n"


def _title_line(title: str) -> str:
    # JSON is YAML ("#…" unquoted would be a comment); the theme prints the title unescaped.
    return f"---\ntitle: {json.dumps(html_text(title), ensure_ascii=False)}\n{_UNSEARCHED}---\n"


def tags_index(tags: dict[str, list[str]], anchors: dict[str, str]) -> str:
    """Every tag as a chip with its number of notes, the most used first."""
    ordered = sorted(tags, key=lambda name: (-len(tags[name]), name))
    once = sum(1 for name in tags if len(tags[name]) == 1)
    chips = [
        f"[#{escape_markdown(name)} <small>{len(tags[name])}</small>]"
        f"({relative_url(TAGS_PAGE, tag_doc(anchors[name]))}){{ .rlref-tag }}"
        for name in ordered
    ]
    lines = [
        "---\ntitle: 标签\n" + _UNSEARCHED + "---\n",
        "# 标签\n",
        f"共 {len(tags)} 个标签（{once} 个只用了一次），按使用次数排序；frontmatter 的 `tags:` "
        "和正文里的 `#标签` 都算。每个标签有自己的页面，列出它的笔记。\n",
        " ".join(chips) if chips else "还没有标签。",
        "",
    ]
    return "\n".join(lines)


def tag_page(name: str, anchor: str, keys: list[str], notes: dict[str, Note]) -> str:
    """The notes of one tag: title, type and status, in title order."""
    doc = tag_doc(anchor)
    lines = [
        _title_line(f"#{name}"),
        f"# \\#{escape_markdown(name)}\n",
        f"{len(keys)} 篇笔记带有这个标签。[← 全部标签]({relative_url(doc, TAGS_PAGE)})\n",
    ]
    for key in sorted(keys, key=lambda k: shown_title(notes[k])):
        note = notes[key]
        front = note.frontmatter
        kind = TYPE_NAMES.get(front.type, front.type) if front and front.type else ""
        stub = f" {ICONS['stub']} 存根" if front is not None and front.status == "stub" else ""
        about = f" — {escape_markdown(kind)}{stub}" if kind or stub else ""
        link = relative_url(doc, note_doc(key))
        lines.append(f"- [{escape_markdown(shown_title(note))}]({link}){about}")
    lines.append("")
    return "\n".join(lines)


def tag_pages(
    tags: dict[str, list[str]], anchors: dict[str, str], notes: dict[str, Note]
) -> dict[str, str]:
    """Docs path → Markdown: the index and one page per tag."""
    pages = {TAGS_PAGE: tags_index(tags, anchors)}
    for name, keys in tags.items():
        pages[tag_doc(anchors[name])] = tag_page(name, anchors[name], keys, notes)
    return pages

"""The tags page: an index of every tag, and a view per tag (``tags.md#<tag>``).

One page listing every note under every tag grew to 27,800 px for kb's 168 tags, and a
MkDocs page per tag cost the build a fifth more time (each page renders the theme). So the
page holds the index — every tag as a chip with its number of notes, the most used first —
and one section per tag that CSS shows only when it is the target (``:target``): a link to
``tags.md#rlppo`` opens the page of that tag, with its notes, their type and status, and
the index below. Lists of titles: kept out of search.
"""

from __future__ import annotations

import html

from rlref.site.card import TYPE_NAMES
from rlref.site.layout import (
    TAGS_PAGE,
    note_doc,
    relative_url,
    shown_title,
)
from rlref.vault.model import Note


def _chips(tags: dict[str, list[str]], anchors: dict[str, str]) -> str:
    """Every tag as a chip, the most used first; plain HTML (168 Markdown links with
    attributes in one paragraph took Python-Markdown 0.8 s)."""
    ordered = sorted(tags, key=lambda name: (-len(tags[name]), name))
    chips = "".join(
        f'<a class="rlref-tag" href="#{html.escape(anchors[name], quote=True)}">'
        f"#{html.escape(name, quote=False)} <small>{len(tags[name])}</small></a> "
        for name in ordered
    )
    return f'<p class="rlref-tag-index">{chips.rstrip()}</p>'


def _tag_section(name: str, anchor: str, keys: list[str], notes: dict[str, Note]) -> list[str]:
    """The view of one tag: its notes (title, type, status), in title order. Plain HTML:
    168 sections of Markdown inside HTML took Python-Markdown a second."""
    items = []
    for key in sorted(keys, key=lambda k: shown_title(notes[k])):
        note = notes[key]
        front = note.frontmatter
        kind = TYPE_NAMES.get(front.type, front.type) if front and front.type else ""
        about = [kind] if kind else []
        if front is not None and front.status == "stub":
            about.append("存根")
        href = html.escape(relative_url(TAGS_PAGE, note_doc(key)), quote=True)
        title = html.escape(shown_title(note), quote=False)
        more = f" — {html.escape(' · '.join(about), quote=False)}" if about else ""
        items.append(f'<li><a href="{href}">{title}</a>{more}</li>')
    return [
        f'<section class="rlref-tag-view" id="{html.escape(anchor, quote=True)}">'
        f'<p class="rlref-tag-view__title">#{html.escape(name, quote=False)}</p>'
        f"<p>{len(keys)} 篇笔记带有这个标签：</p><ul>{''.join(items)}</ul></section>",
        "",
    ]


def tags_page(tags: dict[str, list[str]], anchors: dict[str, str], notes: dict[str, Note]) -> str:
    once = sum(1 for name in tags if len(tags[name]) == 1)
    lines = [
        "---\ntitle: 标签\nsearch:\n  exclude: true\n---\n",
        "# 标签\n",
    ]
    for name in sorted(tags):
        lines += _tag_section(name, anchors[name], tags[name], notes)
    lines += [
        f"共 {len(tags)} 个标签（{once} 个只用了一次），按使用次数排序；frontmatter 的 `tags:` "
        "和正文里的 `#标签` 都算。点一个标签，看带有它的笔记。\n",
        _chips(tags, anchors) if tags else "还没有标签。",
        "",
    ]
    return "\n".join(lines)

"""No stray spaces from hard-wrapped Chinese lines.

A line break inside a paragraph is a space in HTML: ``用\\n笔记`` in the source shows as
"用 笔记", a gap no Chinese sentence has. Obsidian's editor soft-wraps, so notes rarely have
one, but the site's own pages (home, guide) are hard-wrapped Markdown. In a built page, a
line break between two Chinese characters (or full-width punctuation) — also across inline
tags, as in ``见\\n<a>笔记</a>`` — is removed; code, preformatted text, scripts and math
keep theirs.
"""

from __future__ import annotations

import re

CJK = "\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef"
_INLINE = r"</?(?:a|strong|em|b|i|span|mark|sub|sup|del|ins|abbr|small)\b[^>]*>"
# The character before the break is matched, not looked behind: the scan is 3x faster.
_WRAPPED = re.compile(rf"([{CJK}])((?:{_INLINE})*)[ \t]*\n[ \t]*((?:{_INLINE})*)(?=[{CJK}])")
_KEPT = re.compile(r"<(pre|code|script|style|textarea|annotation)\b.*?</\1>", re.S | re.IGNORECASE)


def join_wrapped_lines(html: str) -> str:
    """``html`` without the line breaks between Chinese characters, outside code and math."""
    if not _WRAPPED.search(html):
        return html
    out: list[str] = []
    last = 0
    for kept in _KEPT.finditer(html):
        out.append(_WRAPPED.sub(r"\1\2\3", html[last : kept.start()]))
        out.append(kept.group())
        last = kept.end()
    out.append(_WRAPPED.sub(r"\1\2\3", html[last:]))
    return "".join(out)


def wrapped_lines(html: str) -> list[str]:
    """The line breaks between Chinese characters left in ``html`` (for the tests)."""
    text = _KEPT.sub("\0", html)
    return [text[m.start() : m.end() + 1] for m in _WRAPPED.finditer(text)]

"""Raw HTML in a note, as Obsidian shows it but with nothing that runs: one home for the rule.

Obsidian renders the HTML a note contains; a note written by someone else may contain
``<script>``, ``on*=`` handlers or ``javascript:`` URLs. Every HTML block and inline tag goes
through nh3 (the ammonia sanitiser) with an allow-list of formatting tags and attributes, so
``<details>``, ``<kbd>``, ``<span style>``, ``<img>``, ``<sub>`` … stay and scripts go.
Comments are kept: formula tags are comments.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import nh3

from rlref.vault.code_spans import LINE_MATH, LINK_ADDRESS, protected_spans

TAGS = set(nh3.ALLOWED_TAGS) | {
    "details", "summary", "span", "div", "kbd", "mark", "sup", "sub", "u", "s", "br", "hr",
    "img", "figure", "figcaption", "center", "font", "small", "big", "section", "video",
    "audio", "source",
}
_COMMON = {"class", "id", "title", "style", "align", "lang", "dir"}
ATTRIBUTES: dict[str, set[str]] = {
    "*": _COMMON,
    "a": {"href", "name", "target"},
    "img": {"src", "alt", "width", "height"},
    "video": {"src", "controls", "width", "height", "poster"},
    "audio": {"src", "controls"},
    "source": {"src", "type"},
    "font": {"color", "size", "face"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align"},
    "ol": {"start", "type"},
}
URL_SCHEMES = {"http", "https", "mailto"}
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
# What a browser drops from an address before reading its scheme (tabs, newlines, controls)
_DROPPED_FROM_URLS = re.compile(r"[\x00-\x20\x7f]")
RISKY = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "base",
    "link", "meta", "form", "input", "button", "textarea", "select", "svg", "math",
    "template", "noscript", "xml", "portal",
}
_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
VOID = {"br", "hr", "img", "source", "wbr", "col", "area"}
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)\b[^<>]*?(/?)>", re.DOTALL)


def url_is_safe(url: str) -> bool:
    """Whether an address from a note may be a link or an image source: a relative one, or
    one of ``URL_SCHEMES`` (what nh3 keeps in raw HTML). ``url`` is as the browser will
    decode it from an attribute: entities are read first (``jav&#x61;script:``)."""
    address = _DROPPED_FROM_URLS.sub("", html.unescape(url))
    scheme = _SCHEME.match(address)
    return scheme is None or scheme.group(1).lower() in URL_SCHEMES


def clean_html(fragment: str) -> str:
    """An HTML fragment with everything that could run removed (formatting kept)."""
    return nh3.clean(
        fragment,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        strip_comments=False,
        link_rel=None,
    )


def clean_tag(tag: str) -> str:
    """One inline tag (``<span onclick=…>``, ``</span>``, ``<br/>``) made safe on its own:
    an allowed tag keeps its allowed attributes, any other tag is dropped."""
    match = _TAG.fullmatch(tag.strip())
    if match is None:
        return clean_html(tag)
    closing, name = match.group(1), match.group(2).lower()
    if name not in TAGS:
        # Not a formatting tag. Markdown text such as <fig 1.png> looks like one: leave it,
        # unless it is an element that runs or loads something, or carries a handler or URL.
        risky = name in RISKY or _HANDLER.search(tag) or "javascript:" in tag.lower()
        return "" if risky else tag
    if closing:
        return f"</{name}>"
    if name in VOID:
        return clean_html(tag)
    cleaned = clean_html(tag + f"</{name}>")
    return cleaned.removesuffix(f"</{name}>")


_ATTRIBUTE = re.compile(r"([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=")


def lost(before: str, after: str) -> bool:
    """Whether cleaning removed something (a tag or an attribute), not just re-quoted it."""
    if before.strip() and not after.strip():
        return True
    tags = lambda text: sorted(m.group(2).lower() for m in _TAG.finditer(text))  # noqa: E731
    names = lambda text: {n.lower() for n in _ATTRIBUTE.findall(text)}  # noqa: E731
    kept = names(after)
    return tags(before) != tags(after) or any(n not in kept for n in names(before)) or (
        "javascript:" in before.lower() and "javascript:" not in after.lower()
    )


@dataclass(frozen=True)
class Removal:
    line: int
    before: str
    after: str
    what: str = "HTML"  # or "a link address"


def clean_inline(text: str, line: int = 0) -> tuple[str, list[Removal]]:
    """``text`` with each HTML tag in it cleaned by ``clean_tag``; what changed, by line."""
    removals: list[Removal] = []

    def one(match: re.Match[str]) -> str:
        cleaned = clean_tag(match.group(0))
        if lost(match.group(0), cleaned):
            removals.append(Removal(line, match.group(0), cleaned))
        return cleaned

    return _TAG.sub(one, text), removals


# Code spans (``protected_spans``), math, link destinations (``](<a b.png>)``) and autolinks
# are not HTML.
_MATH_OR_LINK = re.compile(f"{LINE_MATH}|{LINK_ADDRESS}|" + r"<[A-Za-z][\w+.-]*:[^<>\s]*>")
_VERBATIM_BLOCKS = {"fence", "code_block", "math_block", "math_block_label"}


def sanitise_body(body: str, first_line: int = 1) -> tuple[str, list[Removal]]:
    """A note body with its raw HTML cleaned (blocks whole, inline tags one by one; code and
    math untouched), and what was removed, with file line numbers (``first_line`` is the
    body's first line in the file)."""
    from rlref.vault.markdown import parser  # markdown-it: only when a body has HTML

    if "<" not in body and "](" not in body and "]:" not in body:
        return body, []
    lines = body.split("\n")
    skip: set[int] = set()
    removals: list[Removal] = []
    for token in parser().parse(body):
        if token.map is None:
            continue
        start, end = token.map
        if token.type in _VERBATIM_BLOCKS:
            skip.update(range(start, end))
        elif token.type == "html_block":
            block = "\n".join(lines[start:end])
            cleaned = clean_html(block)
            if lost(block, cleaned):
                removals.append(Removal(first_line + start, block.strip(), cleaned.strip()))
            lines[start:end] = [cleaned.rstrip("\n"), *([""] * (end - start - 1))]
            skip.update(range(start, end))
    for number, line in enumerate(lines):
        if number in skip or "<" not in line:
            continue
        pieces, last = [], 0
        for start, end in protected_spans(line, _MATH_OR_LINK):
            text, found = clean_inline(line[last:start], first_line + number)
            pieces += [text, line[start:end]]
            removals += found
            last = end
        text, found = clean_inline(line[last:], first_line + number)
        removals += found
        lines[number] = "".join([*pieces, text])
    for number, line in enumerate(lines):
        if number not in skip and ("](" in line or "]:" in line):
            lines[number] = _safe_destinations(line, first_line + number, removals)
    return "\n".join(lines), removals


# A Markdown link or image destination (one level of parentheses inside), and a reference
# definition's; code spans and math are passed over.
_DESTINATION = re.compile(r"(?<=\]\()\s*(<[^>\n]*>|(?:[^\s()]|\([^\s()]*\))+)")
_DEFINITION = re.compile(r"^(?: {0,3}\[[^\]\n]+\]:[ \t]*)(<[^>\n]*>|\S+)")
_MATH = re.compile(LINE_MATH)


def _safe_destinations(line: str, number: int, removals: list[Removal]) -> str:
    """``line`` with each Markdown link, image or reference address that could run script
    (``url_is_safe``) emptied (``[text]()``: the text stays), each removal recorded."""

    def empty(match: re.Match[str]) -> str:
        address = match.group(1).strip("<>")
        if url_is_safe(address):
            return match.group(0)
        removals.append(Removal(number, address, "", "a link address"))
        # by position: a reference's label may spell the same address
        start, end = match.span(1)
        line = match.string
        return line[match.start() : start] + ("<>" if match.re is _DEFINITION else "") + (
            line[end : match.end()]
        )

    line = _DEFINITION.sub(empty, line)
    pieces, last = [], 0
    for start, end in protected_spans(line, _MATH):
        pieces += [_DESTINATION.sub(empty, line[last:start]), line[start:end]]
        last = end
    return "".join([*pieces, _DESTINATION.sub(empty, line[last:])])

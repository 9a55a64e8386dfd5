"""Web material as notes: an RSS 2.0 / Atom feed (each item a note) or one HTML page.

The format is told from the content, never the file name (a feed saved as ``.txt`` is still
a feed). HTML becomes Markdown with markdownify, after these steps on the parsed page:

* KaTeX-rendered math goes back to its LaTeX, from the ``<annotation
  encoding="application/x-tex">`` KaTeX keeps (display math stays display); MathJax's
  ``<script type="math/tex">`` (``; mode=display``) too;
* admonition blocks (``<div class="admonition note">`` with an ``admonition-title``, and
  ``<aside>``/``<div>`` callouts of the same shape) become Obsidian callouts ``> [!note] …``;
* scripts, styles, SVG, icons and layout markup (nav, header, footer, forms) are dropped;
* remote images stay as links to their address, and are reported;
* what is left goes through the same sanitiser as any note (``rlref.vault.sanitize``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

Kind = Literal["feed", "html", "markdown"]

_FEED = re.compile(rb"<(rss|feed|rdf:RDF)\b", re.IGNORECASE)
_HTML = re.compile(rb"<(!doctype\s+html|html|body|article|main|div|p|h1)\b", re.IGNORECASE)
_DROP = ("script", "style", "svg", "nav", "header", "footer", "form", "button", "noscript",
         "iframe", "object", "embed", "link", "meta", "template")
_ICON = re.compile(r"(^|\s)(fa|fas|far|fab|icon|octicon|material-icons|headerlink)([-\s]|$)")
_MATH_TOKEN = "RLREFMATH{}X"


def detect_kind(data: bytes) -> Kind:
    """What a file holds, judged from its first bytes (the name does not count)."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<?xml") or _FEED.search(head[:1024]):
        if _FEED.search(head):
            return "feed"
    if head.startswith(b"---") or head.startswith(b"#"):
        return "markdown"
    if _HTML.match(head) or head.lower().startswith(b"<!doctype html"):
        return "html"
    return "markdown"


@dataclass
class WebNote:
    """One note made from web material: its frontmatter fields, its Markdown body, and what
    the conversion did that the user should know."""

    title: str
    body: str
    date: str | None = None
    url: str | None = None
    author: str | None = None
    tags: list[str] = field(default_factory=list)
    report: list[str] = field(default_factory=list)

    def text(self) -> str:
        """The note, frontmatter first (``type`` and ``domain`` are added on import)."""
        front: dict[str, Any] = {"title": self.title, "status": "draft"}
        if self.author:
            front["author"] = self.author
        if self.tags:
            front["tags"] = self.tags
        if self.url:
            front["sources"] = [self.url]
        lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in front.items()]
        if self.date:  # unquoted: YAML reads it as a date, as in notes written by hand
            lines.insert(2, f"date: {self.date}")
        return "---\n" + "\n".join(lines) + "\n---\n# " + self.title + "\n\n" + self.body


def html_to_markdown(html: str, base: str | None = None) -> tuple[str, list[str]]:
    """Markdown for an HTML fragment or page, and what the conversion reports; ``base`` (the
    post's or page's own address) turns its relative links and images into whole ones."""
    from bs4 import BeautifulSoup
    from markdownify import markdownify

    from rlref.vault.sanitize import sanitise_body

    report: list[str] = []
    soup = BeautifulSoup(html, "html.parser")
    maths: list[str] = []
    _take_math(soup, maths)
    for tag in soup.find_all(_DROP):
        tag.decompose()
    for tag in soup.find_all(class_=_ICON):
        tag.decompose()
    if base is not None and _WEB_ADDRESS.match(base):
        _resolve_relative(soup, base)
    for image in soup.find_all("img"):
        src = str(image.get("src") or "")
        if "://" in src:
            report.append(f"remote image kept as a link: {src}")
    callouts = _take_callouts(soup, markdownify)
    root = soup.find("article") or soup.find("main") or soup.body or soup
    markdown = markdownify(
        str(root),
        heading_style="ATX",
        bullets="-",
        code_language="",
        code_language_callback=_code_language,
    )
    for n, block in enumerate(callouts):
        markdown = markdown.replace(_MATH_TOKEN.format(f"C{n}"), block)
    for n, latex in enumerate(maths):
        markdown = markdown.replace(_MATH_TOKEN.format(n), latex)
    markdown = re.sub(r"\n{3,}", "\n\n", markdown).strip() + "\n"
    markdown, removals = sanitise_body(markdown)
    report += [f"removed {r.what} that could run: {r.before[:60]!r}" for r in removals]
    return markdown, report


_WEB_ADDRESS = re.compile(r"^https?://[^\s/]+", re.IGNORECASE)


def _resolve_relative(soup: Any, base: str) -> None:
    """``/images/a.png`` and ``../ppo/`` as their site wrote them mean addresses on that
    site: in a note they would point into the vault instead."""
    from urllib.parse import urljoin

    for tag, attribute in (("img", "src"), ("a", "href")):
        for element in soup.find_all(tag):
            value = element.get(attribute)
            if isinstance(value, str) and value and not value.startswith("#"):
                if ":" not in value.split("/", 1)[0]:  # no scheme: relative to the post
                    element[attribute] = urljoin(base, value)


def _take_math(soup: Any, maths: list[str]) -> None:
    """Replace rendered math by placeholders holding its LaTeX (restored after markdownify,
    which would escape its backslashes and underscores)."""

    def replace(tag: Any, latex: str, display: bool) -> None:
        latex = latex.strip()
        maths.append(f"\n\n$$\n{latex}\n$$\n\n" if display else f"${latex}$")
        tag.replace_with(_MATH_TOKEN.format(len(maths) - 1))

    for tag in soup.select(".katex-display"):
        note = tag.find("annotation", attrs={"encoding": "application/x-tex"})
        if note is not None:
            replace(tag, note.get_text(), True)
    for tag in soup.select(".katex"):
        note = tag.find("annotation", attrs={"encoding": "application/x-tex"})
        if note is not None:
            replace(tag, note.get_text(), False)
    for tag in soup.find_all("script", attrs={"type": re.compile(r"^math/tex")}):
        replace(tag, tag.get_text(), "mode=display" in str(tag.get("type")))


def _take_callouts(soup: Any, markdownify: Any) -> list[str]:
    """Admonitions → Obsidian callouts (as placeholders, converted inside out)."""
    blocks: list[str] = []
    for tag in reversed(soup.select(".admonition, .callout")):
        classes = [c for c in tag.get("class", []) if c not in ("admonition", "callout")]
        kind = (classes[0] if classes else "note").lower()
        title_tag = tag.select_one(".admonition-title, .callout-title")
        title = title_tag.get_text(" ", strip=True) if title_tag is not None else ""
        if title_tag is not None:
            title_tag.decompose()
        inner = markdownify(tag.decode_contents(), heading_style="ATX", bullets="-").strip()
        quoted = "\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))
        blocks.append(f"\n\n> [!{kind}] {title}".rstrip() + f"\n{quoted}\n\n")
        tag.replace_with(_MATH_TOKEN.format(f"C{len(blocks) - 1}"))
    return blocks


def _code_language(pre: Any) -> str:
    """A code block's language from its class (``language-python``, ``lang-py``,
    ``highlight-source-rust``), as the fence's info string; "" when it names none."""
    for tag in (pre, pre.find("code")):
        classes = tag.get("class") or [] if tag is not None else []
        for name in classes:
            match = _LANGUAGE_CLASS.match(name)
            if match:
                return match.group(1)
    return ""


_LANGUAGE_CLASS = re.compile(r"^(?:language|lang|highlight-source)-([A-Za-z0-9_+#.-]+)$")


def page_note(data: bytes, fallback_title: str) -> WebNote:
    """One HTML page as a note: its title from its one ``<h1>`` (the article's own title;
    ``<title>`` often adds the site's name), else from ``<title>``."""
    from bs4 import BeautifulSoup

    html = data.decode("utf-8", errors="replace")
    soup = BeautifulSoup(html, "html.parser")
    headings = soup.find_all("h1")
    heading = headings[0] if headings else None
    named = heading.get_text(" ", strip=True) if heading is not None else ""
    titled = soup.title.get_text(strip=True) if soup.title else ""
    title = named if len(headings) == 1 and named else (titled or named)
    if heading is not None:
        heading.decompose()  # the note's own H1 is its title
    canonical = soup.find("link", rel="canonical")
    url = str(canonical.get("href")) if canonical is not None else None
    body, report = html_to_markdown(str(soup), base=url)
    return WebNote(title or fallback_title, body, url=url, report=report)


def _plain_title(entry: Any) -> str:
    """An item's title as text: a title of type ``html`` (``GRPO &lt;笔记&gt;``) is read
    as the reader of the feed sees it (``GRPO <笔记>``)."""
    title = entry.get("title") or ""
    if "html" in str(entry.get("title_detail", {}).get("type", "")):
        from bs4 import BeautifulSoup

        title = BeautifulSoup(title, "html.parser").get_text()
    return " ".join(title.split())


def feed_notes(data: bytes) -> list[WebNote]:
    """Each item of an RSS 2.0 / Atom feed as a note (title, date, URL, author, tags)."""
    import feedparser

    parsed = feedparser.parse(data)
    notes = []
    for n, entry in enumerate(parsed.entries, start=1):
        content = entry.get("content") or []
        html = content[0].get("value", "") if content else entry.get("summary", "")
        body, report = html_to_markdown(html, base=entry.get("link"))
        when = entry.get("published_parsed") or entry.get("updated_parsed")
        date = datetime(*when[:6], tzinfo=UTC).date().isoformat() if when else None
        tags = [t.get("term") for t in entry.get("tags", []) if t.get("term")]
        title = _plain_title(entry) or f"{parsed.feed.get('title', 'feed')} {n}"
        notes.append(WebNote(title, body, date, entry.get("link"), entry.get("author"),
                             tags, report))
    return notes

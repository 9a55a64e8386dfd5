"""Where each compiled file lives under ``build/docs`` and how one page links to another.

Notes keep their vault paths below ``notes/`` so that relative Markdown links written in a
note (``![](../assets/x.png)``) stay valid, and so that a note never collides with the
site's own pages (``index.md``, ``guide/…``) or the generated ones.
"""

from __future__ import annotations

import html
import posixpath
import re
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from rlref.vault.model import Note

NOTES_DIR = "notes"
TAGS_PAGE = "tags.md"
CONCEPTS_PAGE = "concepts.md"
FRAMEWORKS_PAGE = "trl-verl.md"
API_DIR = "api"
API_INDEX = f"{API_DIR}/index.md"
SOURCE_DIR = f"{API_DIR}/source"
ASSETS_DIR = "assets"


def note_doc(key: str) -> str:
    """The docs-relative path of the compiled note whose vault key is ``key``."""
    return f"{NOTES_DIR}/{key}.md"


def attachment_doc(path: str) -> str:
    """The docs-relative path of a copied attachment (vault path ``path``)."""
    return f"{NOTES_DIR}/{path}"


def api_doc(module: str) -> str:
    return f"{API_DIR}/{module}.md"


def source_doc(module_file: str) -> str:
    """The page showing a module's source, e.g. ``rlref/algos/kl.py`` → ``api/source/…``."""
    return f"{SOURCE_DIR}/{module_file.removesuffix('.py')}.md"


def relative_url(from_doc: str, to_doc: str, anchor: str | None = None) -> str:
    """A relative Markdown link target from one docs file to another (or to itself).

    The path is percent-encoded (spaces, parentheses and CJK are safe inside ``(…)``); the
    anchor stays as the toc wrote it, because MkDocs compares anchors without unquoting.
    """
    fragment = f"#{anchor}" if anchor else ""
    if to_doc == from_doc:
        return fragment or _quoted(posixpath.basename(to_doc))
    return _relative(posixpath.dirname(from_doc), to_doc) + fragment


@lru_cache(maxsize=65536)
def _quoted(path: str) -> str:
    return quote(path, safe="/")


@lru_cache(maxsize=65536)
def _relative(start: str, target: str) -> str:
    """``posixpath.relpath`` for docs-relative paths, without its file-system calls."""
    start_parts = start.split("/") if start else []
    target_parts = target.split("/")
    common = 0
    for a, b in zip(start_parts, target_parts[:-1], strict=False):
        if a != b:
            break
        common += 1
    steps = [".."] * (len(start_parts) - common) + target_parts[common:]
    return _quoted("/".join(steps))


def shown_title(note: Note) -> str:
    """The title a reader sees in the nav, the lists and the links the site writes.

    The frontmatter's, unless it is only the file's name (an importer's slug such as
    ``GEPA-Reflective-Prompt-Evolution``) while the note's leading H1 gives a real one
    (``GEPA：反思式提示词进化``): then the H1, as on the page itself.
    """
    title = note.title
    if title.strip() != note.key.rsplit("/", 1)[-1]:
        return title
    heading = next((h.text.strip() for h in note.headings if h.level == 1), "")
    return heading if heading and heading != title.strip() else title


_MARKDOWN_SPECIAL = str.maketrans({c: f"\\{c}" for c in "\\`*_[]|"})


def html_text(text: str) -> str:
    """Text from a note (a title, a heading) where the theme prints it as HTML unescaped:
    the nav, the page header and footer, the page's ``title``."""
    return html.escape(text, quote=False)


def safe_url(url: str) -> str | None:
    """``url`` when it is a plain http(s) address that can be printed as a link, else None."""
    url = url.strip()
    if not re.match(r"^https?://[^\s<>\"'`\\]+$", url, re.IGNORECASE):
        return None
    return url


def escape_markdown(text: str) -> str:
    """Text shown literally inside generated Markdown (link text, table cells, titles).

    ``$`` becomes an entity so that arithmatex never reads prose as math.
    """
    return html.escape(text, quote=False).translate(_MARKDOWN_SPECIAL).replace("$", "&#36;")

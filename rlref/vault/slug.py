"""Heading anchors, computed exactly as the site's toc computes them.

The site configures ``toc.slugify`` as ``pymdownx.slugs.slugify(case="lower")`` so that
Chinese headings keep their characters; Python-Markdown's toc then de-duplicates repeated
ids with ``_1``, ``_2``, …. Link resolution and the compiler use this one module.

:func:`slug` follows that function's rules itself: importing pymdownx pulls in
Python-Markdown, ``urllib.request`` and ``http.client``, a twentieth of ``rlref check``.
``tests/vault/test_slug_rules.py`` holds the two equal.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

SEPARATOR = "-"
_COUNTED = re.compile(r"^(.*)_([0-9]+)$")
_HTML_TAG = re.compile(r"</?[^>]*>")  # the toc's text may still hold inline HTML
_NOT_IN_SLUG = re.compile(r"[^\w\- ]")  # word characters, hyphens and spaces stay


@lru_cache(maxsize=65536)
def slug(text: str) -> str:
    """The toc id of a heading's text, before de-duplication: NFC, tags removed, trimmed,
    lower case, only word characters, hyphens and spaces kept, spaces as the separator."""
    kept = _HTML_TAG.sub("", unicodedata.normalize("NFC", text)).strip().lower()
    return _NOT_IN_SLUG.sub("", kept).replace(" ", SEPARATOR)


def unique_anchors(texts: Iterable[str]) -> list[str]:
    """Anchors for a page's headings in order, de-duplicated like Python-Markdown's toc."""
    used: set[str] = set()
    anchors = []
    for text in texts:
        anchor = slug(text)
        while anchor in used:
            # Python-Markdown bumps a trailing ``_N`` rather than appending another one.
            match = _COUNTED.match(anchor)
            anchor = f"{match[1]}_{int(match[2]) + 1}" if match else f"{anchor}_1"
        used.add(anchor)
        anchors.append(anchor)
    return anchors

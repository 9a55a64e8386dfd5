"""Heading anchors, computed exactly as the site's toc computes them.

The site configures ``toc.slugify`` as ``pymdownx.slugs.slugify(case="lower")`` so that
Chinese headings keep their characters; Python-Markdown's toc then de-duplicates repeated
ids with ``_1``, ``_2``, …. Link resolution and the compiler use this one module.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from pymdownx.slugs import slugify as _make_slugify

SEPARATOR = "-"
_COUNTED = re.compile(r"^(.*)_([0-9]+)$")
_slugify: Callable[[str, str], str] = _make_slugify(case="lower")


@lru_cache(maxsize=65536)
def slug(text: str) -> str:
    """The toc id of a heading's text, before de-duplication."""
    return _slugify(text, SEPARATOR)


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

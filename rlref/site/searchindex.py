"""The built search index, made for reading: no LaTeX in the text the results show.

Material's search shows the start of a section's text as the result's preview; the text of
a formula there is its LaTeX source (``\\(\\pi_{\\theta}\\)``), unreadable in a line of
prose. The formulas are removed from the index (titles and text): a search finds words.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

_MATH = re.compile(r"\\\((.*?)\\\)|\\\[(.*?)\\\]|\$\$(.*?)\$\$", re.S)
_SPACES = re.compile(r"[ \t]{2,}")


def strip_latex(text: str) -> str:
    """``text`` without its inline and display formulas."""
    if "\\" not in text and "$$" not in text:
        return text
    return _SPACES.sub(" ", _MATH.sub(" ", text)).strip()


def strip_math(index_file: Path) -> bool:
    """Rewrite ``index_file`` (Material's search_index.json) without LaTeX; False if absent."""
    if not index_file.is_file():
        return False
    index = json.loads(index_file.read_text("utf-8"))
    for doc in index.get("docs", []):
        for key in ("title", "text"):
            if isinstance(doc.get(key), str):
                doc[key] = strip_latex(doc[key])
    index_file.write_text(
        json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )
    return True


def segmented(phrases: Iterable[str]) -> list[str]:
    """Each phrase cut into words by jieba, separated by U+200B as in the index's text
    (what Material's search plugin does to titles and text for ``lang: zh``)."""
    import jieba

    return ["\u200b".join(w for w in jieba.cut(p) if w.strip()) for p in phrases]

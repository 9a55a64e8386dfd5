"""Material's icons inlined as SVG (the status marks of the concept card).

Copied into the page at compile time from the installed theme, so the marks need neither
an emoji font on the reader's machine nor a Markdown extension (nor any request).
"""

from __future__ import annotations

from functools import cache
from importlib.util import find_spec
from pathlib import Path

_NAMES = {
    "pass": ("check-circle", "rlref-pass"),
    "fail": ("close-circle", "rlref-fail"),
    "none": ("minus-circle-outline", "rlref-unchecked"),  # not checkable: check: none
    "pending": ("help-circle-outline", "rlref-unchecked"),  # not checked yet
    "stale": ("clock-alert-outline", "rlref-stale"),  # changed since the last check
    "stub": ("hammer-wrench", "rlref-stub-icon"),
    "draft": ("pencil-outline", ""),
    "complete": ("check-decagram", "rlref-pass"),
    "embed": ("file-document-outline", ""),
}


@cache
def _svg(name: str) -> str:
    spec = find_spec("material")
    if spec is None or spec.origin is None:
        return ""
    file = Path(spec.origin).parent / "templates" / ".icons" / "material" / f"{name}.svg"
    try:
        return file.read_text(encoding="utf-8").strip()
    except OSError:
        return ""


@cache
def icon(kind: str) -> str:
    """Inline HTML for one of the card's marks ("pass", "fail", "pending", …)."""
    name, css = _NAMES[kind]
    svg = _svg(name)
    if not svg:  # the theme is not installed: a text mark keeps the meaning
        marks = {"pass": "✓", "fail": "✗", "none": "⊘", "pending": "?", "stale": "↻"}
        return marks.get(kind, "")
    return f'<span class="twemoji rlref-icon {css}">{svg}</span>'

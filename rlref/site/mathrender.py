"""Formulas rendered to HTML at build time, with the vendored KaTeX, in one node process.

pymdownx.arithmatex (generic mode) leaves ``<span class="arithmatex">\\(…\\)</span>`` and
``<div class="arithmatex">\\[…\\]</div>`` in the pages, and the table of contents shows a
heading's formula as raw ``\\(k_1\\)`` text. :func:`prerender` replaces both with KaTeX's
HTML, so a page shows its math at first paint; ``site/render-math.js`` renders, with the
browser script's own ``prepare()`` (``\\mathbb{1}``). Each element it rendered is marked
``data-rlref-katex``: the browser script (``katex-render.js``) renders only what is left —
and loads KaTeX's script only then.

One process serves a whole build (and, through the cache, every rebuild of ``rlref serve``):
a page's formulas go as one request, and a formula already rendered is not sent again.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

SCRIPT = "render-math.js"
_ELEMENT = re.compile(r'<(div|span) class="arithmatex">(.*?)</\1>', re.S)
# The theme's nav and table of contents print a heading's text, formula included.
_NAV_TEXT = re.compile(r'(<span class="md-ellipsis">)(.*?)(</span>)', re.S)
_INLINE = re.compile(r"\\\((.+?)\\\)", re.S)


class MathUnavailable(RuntimeError):
    """node or the KaTeX package is missing: the browser renders the formulas instead."""


def _strip(text: str, display: bool) -> str:
    """The TeX inside arithmatex's delimiters (as ``strip()`` of katex-render.js)."""
    text = html.unescape(text).strip()
    opening, closing = ("\\[", "\\]") if display else ("\\(", "\\)")
    if text.startswith(opening) and text.endswith(closing):
        return text[2:-2]
    return text


class KatexRenderer:
    """A node process running ``site/render-math.js``; started on first use."""

    def __init__(self, site_src: Path) -> None:
        self.site_src = site_src
        self.cache: dict[tuple[str, bool], str] = {}
        self._process: subprocess.Popen[str] | None = None
        self.rendered = 0  # formulas sent to node (not counting cache hits)

    def _start(self) -> subprocess.Popen[str]:
        node = shutil.which("node")
        script = self.site_src / SCRIPT
        katex = self.site_src / "node_modules" / "katex"
        if node is None or not script.is_file() or not katex.is_dir():
            raise MathUnavailable(
                "node and site/node_modules/katex are needed to render the formulas at build "
                f"time (`npm ci --prefix {self.site_src}`); the browser renders them instead"
            )
        return subprocess.Popen(
            [node, str(script)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
        )

    def render(self, formulas: list[tuple[str, bool]]) -> list[str]:
        """HTML of each ``(tex, display)``, in order."""
        missing = list(dict.fromkeys(f for f in formulas if f not in self.cache))
        if missing:
            if self._process is None or self._process.poll() is not None:
                self._process = self._start()
            assert self._process.stdin is not None and self._process.stdout is not None
            self._process.stdin.write(json.dumps(missing, ensure_ascii=False) + "\n")
            self._process.stdin.flush()
            answer = self._process.stdout.readline()
            if not answer:
                raise MathUnavailable("the KaTeX renderer (site/render-math.js) stopped")
            self.cache.update(zip(missing, json.loads(answer), strict=True))
            self.rendered += len(missing)
        return [self.cache[f] for f in formulas]

    def ask(self, request: dict) -> object:
        """Send one non-formula request (an object: the graph layout of rlref.site.graph)
        to the same process; its JSON answer."""
        if self._process is None or self._process.poll() is not None:
            self._process = self._start()
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
        self._process.stdin.flush()
        answer = self._process.stdout.readline()
        if not answer:
            raise MathUnavailable("the node process (site/render-math.js) stopped")
        return json.loads(answer)

    def close(self) -> None:
        if self._process is not None:
            if self._process.stdin is not None:
                self._process.stdin.close()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
            self._process = None


def prerender(page: str, renderer: KatexRenderer) -> str:
    """``page`` (a whole HTML page) with every arithmatex element and every formula of the
    nav and table of contents rendered by KaTeX."""
    elements = list(_ELEMENT.finditer(page))
    nav = [m for m in _NAV_TEXT.finditer(page) if "\\(" in m.group(2)]
    if not elements and not nav:
        return page
    formulas = [(_strip(m.group(2), m.group(1) == "div"), m.group(1) == "div") for m in elements]
    inline = [
        (html.unescape(tex.group(1)), False) for m in nav for tex in _INLINE.finditer(m.group(2))
    ]
    rendered = iter(renderer.render(formulas + inline))

    def element(match: re.Match[str]) -> str:
        tag = match.group(1)
        return f'<{tag} class="arithmatex" data-rlref-katex="1">{next(rendered)}</{tag}>'

    page = _ELEMENT.sub(element, page)
    if nav:

        def nav_text(match: re.Match[str]) -> str:
            if "\\(" not in match.group(2):
                return match.group(0)
            text = _INLINE.sub(lambda _: next(rendered), match.group(2))
            return match.group(1) + text + match.group(3)

        page = _NAV_TEXT.sub(nav_text, page)
    return page


_shared: dict[Path, KatexRenderer] = {}
_disabled: list[str] = []


def shared_renderer(site_src: Path) -> KatexRenderer | None:
    """The renderer of ``site_src`` for this process (None once node proved unavailable)."""
    if _disabled:
        return None
    if site_src not in _shared:
        _shared[site_src] = KatexRenderer(site_src)
    return _shared[site_src]


def disable(reason: str) -> None:
    _disabled.append(reason)


def close_shared() -> None:
    """Stop the node processes; their caches stay for the next build in this process."""
    for renderer in _shared.values():
        renderer.close()

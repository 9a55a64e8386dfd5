"""MkDocs hooks of the site (``hooks:`` in ``mkdocs.yml``): what happens to the built pages.

- every formula is rendered to HTML at build time (``rlref.site.mathrender``), in one node
  process for the whole build.

Loaded by path by MkDocs; the state (the renderer and its cache) lives in the imported
``rlref.site.mathrender`` module, so that ``rlref serve``'s rebuilds reuse it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from rlref.site import mathrender

log = logging.getLogger("mkdocs.plugins.rlref")


def _renderer(config) -> mathrender.KatexRenderer | None:
    site_src = Path(config.config_file_path).resolve().parent / "site"
    return mathrender.shared_renderer(site_src)


def on_post_page(output: str, page, config) -> str:
    renderer = _renderer(config)
    if renderer is None:
        return output
    try:
        return mathrender.prerender(output, renderer)
    except mathrender.MathUnavailable as exc:
        mathrender.disable(str(exc))
        log.warning("%s", exc)
        return output


def on_shutdown() -> None:
    mathrender.close_shared()

"""MkDocs hooks of the site (``hooks:`` in ``mkdocs.yml``): what happens to the built pages.

- every formula is rendered to HTML at build time (``rlref.site.mathrender``), in one node
  process for the whole build;
- a note's aliases are searched as its tags (Material's search weighs tags above titles),
  cut into words by jieba as the text is: "重要性采样" finds the note whose alias it is;
- a line break between two Chinese characters (a hard-wrapped source line) is removed: it
  would show as a space (``rlref.site.cjk_spacing``);
- ``404.html`` links relatively, like every other page;
- a note's display formulas wider than the text column at 1440 px are kept, with the
  note's path and the formula's line, for ``rlref build`` to report
  (``rlref.site.formula_width``);
- the search index loses its LaTeX (``rlref.site.searchindex``): the previews of the results
  show text, not ``\\(\\pi_\\theta\\)``.

Loaded by path by MkDocs; the state (the renderer and its cache) lives in the imported
``rlref.site.mathrender`` module, so that ``rlref serve``'s rebuilds reuse it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from rlref.site import cjk_spacing, formula_width, mathrender, searchindex

log = logging.getLogger("mkdocs.plugins.rlref")


def _renderer(config) -> mathrender.KatexRenderer | None:
    site_src = Path(config.config_file_path).resolve().parent / "site"
    return mathrender.shared_renderer(site_src)


def on_page_markdown(markdown: str, page, config, files) -> str:
    aliases = page.meta.get("rlref_aliases")
    if isinstance(aliases, list) and aliases:
        page.meta["tags"] = searchindex.segmented(str(a) for a in aliases)
    return markdown


def on_pre_build(config) -> None:
    formula_width.found.clear()


def on_post_page(output: str, page, config) -> str:
    output = cjk_spacing.join_wrapped_lines(output)
    renderer = _renderer(config)
    if renderer is None:
        return output
    try:
        output = mathrender.prerender(output, renderer)
    except mathrender.MathUnavailable as exc:
        mathrender.disable(str(exc))
        log.warning("%s", exc)
        return output
    where = page.meta.get("rlref_math")
    if isinstance(where, dict) and isinstance(where.get("lines"), list):
        lines = [line for line in where["lines"] if isinstance(line, int)]
        formula_width.found.extend(formula_width.check_page(output, str(where.get("path")), lines))
    return output


def on_post_build(config) -> None:
    searchindex.strip_math(Path(config.site_dir) / "search" / "search_index.json")


def on_shutdown() -> None:
    mathrender.close_shared()


def on_template_context(context, template_name: str, config):
    """``404.html`` with relative links, like every page: MkDocs makes them root-absolute
    (``/assets/…``), which breaks the page opened from disk or served from a subpath."""
    if template_name == "404.html":
        context["base_url"] = "."
    return context

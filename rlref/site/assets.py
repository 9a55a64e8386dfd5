"""The site's own files: pages and assets from ``site/``, KaTeX and Mermaid from npm.

KaTeX and Mermaid are vendored from ``site/node_modules`` (installed from the pinned
``site/package-lock.json`` by ``make site``): the site makes no request to any CDN.
Only what a browser loads is copied: KaTeX's script, stylesheet and woff2 fonts (every
browser that runs the site reads woff2, so the woff/ttf fallbacks are never fetched).
"""

from __future__ import annotations

import os
from pathlib import Path

# Folders and files of ``site/`` that are not pages or assets of the built site.
_SKIPPED = {
    "node_modules",
    "overrides",
    "package.json",
    "package-lock.json",
    "render-math.js",  # the build-time KaTeX renderer (rlref.site.mathrender), not an asset
    "graph-layout.js",  # the build-time graph layout (rlref.site.graph), not an asset
}


class MissingAssets(RuntimeError):
    """The npm packages are not installed."""


def site_files(site_src: Path) -> dict[str, Path]:
    """Docs-relative path → file, for every page and asset under ``site/``."""
    found: dict[str, Path] = {}
    for directory, folders, files in os.walk(site_src):
        folder = Path(directory)
        top = folder == site_src
        # Pruned here, not filtered afterwards: node_modules holds thousands of files.
        folders[:] = sorted(
            f for f in folders if not f.startswith(".") and not (top and f in _SKIPPED)
        )
        for name in sorted(files):
            if name.startswith(".") or (top and name in _SKIPPED):
                continue
            file = folder / name
            found[file.relative_to(site_src).as_posix()] = file
    return found


# The guide's reading order; other pages of site/guide/ follow by file name.
GUIDE_ORDER = (
    "guide/index.md",
    "guide/writing.md",
    "guide/add-note.md",
    "guide/formula-binding.md",
    "guide/add-implementation.md",
)


def guide_pages(files: dict[str, Path]) -> list[str]:
    pages = sorted(p for p in files if p.startswith("guide/") and p.endswith(".md"))
    rank = {page: i for i, page in enumerate(GUIDE_ORDER)}
    return sorted(pages, key=lambda p: (rank.get(p, len(rank)), p))


def vendor_files(node_modules: Path) -> dict[str, Path]:
    katex = node_modules / "katex" / "dist"
    mermaid = node_modules / "mermaid" / "dist" / "mermaid.min.js"
    needed = [katex / "katex.min.js", katex / "katex.min.css", mermaid]
    missing = [str(p) for p in needed if not p.is_file()]
    if missing:
        raise MissingAssets(
            f"{', '.join(missing)} not found: install the pinned KaTeX and Mermaid with "
            f"`npm ci --prefix {node_modules.parent}` (`make site` does it)"
        )
    found = {
        "assets/vendor/katex/katex.min.js": katex / "katex.min.js",
        "assets/vendor/katex/katex.min.css": katex / "katex.min.css",
        "assets/vendor/mermaid/mermaid.min.js": mermaid,
    }
    for font in sorted((katex / "fonts").glob("*.woff2")):
        found[f"assets/vendor/katex/fonts/{font.name}"] = font
    return found

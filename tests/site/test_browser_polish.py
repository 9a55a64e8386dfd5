"""Item 7 of issue 15 in Chromium: the site opened from disk says that search needs
``rlref serve``; ``404.html`` works from disk and served from a subpath."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from .conftest import serve

pytestmark = pytest.mark.browser
Browser = Any

LOADED = """() => [
  ...Array.from(document.querySelectorAll('link[rel=stylesheet]')).map(l => l.href),
  ...Array.from(document.querySelectorAll('script[src]')).map(s => s.src),
  ...Array.from(document.querySelectorAll('.md-nav a, .md-header a')).map(a => a.href),
]"""


@contextlib.contextmanager
def disk_page(browser: Browser) -> Iterator[tuple[Any, list[str]]]:
    """A page of the session's Chromium that may read files (only): the site opened from
    disk. Every other request is recorded and aborted."""
    context = browser.page.context.browser.new_context(viewport={"width": 1280, "height": 900})
    external: list[str] = []

    def guard(route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:")):
            route.continue_()
        else:
            external.append(url)
            route.abort()

    context.route("**/*", guard)
    try:
        yield context.new_page(), external
    finally:
        context.close()


def test_opened_from_disk_the_header_says_search_needs_rlref_serve(
    browser: Browser, built_site: Any
) -> None:
    with disk_page(browser) as (page, external):
        page.goto((built_site.paths.site / "index.html").as_uri())
        page.wait_for_load_state("load")
        notice = page.locator(".rlref-search-offline")
        notice.wait_for(state="visible", timeout=5_000)
        assert "rlref serve" in notice.inner_text()
        page.screenshot(path=str(browser.screenshot("file-search-notice")))
    assert external == []


def test_404_works_from_disk(browser: Browser, built_site: Any) -> None:
    site: Path = built_site.paths.site
    with disk_page(browser) as (page, external):
        page.goto((site / "404.html").as_uri())
        page.wait_for_load_state("load")
        urls = [url for url in page.evaluate(LOADED) if url.startswith("file:")]
        # the theme's stylesheet applied: the header sticks, it is not unstyled
        position = page.evaluate("getComputedStyle(document.querySelector('.md-header')).position")
    assert len(urls) > 5 and position in ("sticky", "fixed")
    files = [Path(unquote(urlsplit(url).path)) for url in urls]
    missing = [str(f) for f in files if not f.is_file() or site not in f.parents]
    assert missing == [] and external == []


def test_404_works_from_a_subpath(browser: Browser, built_site: Any) -> None:
    site: Path = built_site.paths.site
    failed: list[str] = []
    page = browser.page

    def record(response) -> None:
        if response.status >= 400:
            failed.append(response.url)

    with serve(site.parent) as root:
        page.on("response", record)
        try:
            page.goto(f"{root}{site.name}/404.html")
            page.wait_for_load_state("networkidle")
            links = page.evaluate(LOADED)
        finally:
            page.remove_listener("response", record)
    assert failed == []
    assert all(url.startswith(f"{root}{site.name}/") for url in links if url.startswith(root))

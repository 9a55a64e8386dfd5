"""The shipped vault's own site in headless Chromium: every display formula of every note
renders with the vendored KaTeX, and nothing leaves the machine.

The fixture-vault tests (test_browser.py) check each feature on small notes; this one checks
that the real notes — 75 of them, hundreds of formulas — survive compilation and rendering.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest

from rlref.site.layout import note_doc
from rlref.vault import load_vault

from .conftest import REPO, Browser, serve

pytestmark = pytest.mark.browser
KB = REPO / "kb"
RENDERED = """() => Array.from(document.querySelectorAll('div.arithmatex'))
    .every(block => block.querySelector('.katex-display, .katex-error'))"""


@pytest.fixture(scope="module")
def kb_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from rlref.site import SitePaths, compile_site
    from rlref.site.mkdocs_run import run_mkdocs

    out = tmp_path_factory.mktemp("kb-site")
    paths = SitePaths(KB, out, REPO / "site", out / "no-verify.json")
    compiled = compile_site(paths)
    assert compiled.diagnostics == []
    assert compiled.docstring_problems == []  # every docstring note link resolves in kb
    built = run_mkdocs(paths, REPO / "mkdocs.yml", strict=True)
    assert built.ok, (built.error, built.warnings)
    with serve(paths.site) as url:
        yield url


def test_every_kb_formula_renders_offline(kb_site: str, browser: Browser) -> None:
    """Uses the session's Chromium (Playwright's sync API allows one instance per thread)."""
    notes = load_vault(KB).notes
    with_math = {key: note for key, note in notes.items() if any(m.display for m in note.math)}
    assert len(with_math) > 40
    external, errors = len(browser.external), len(browser.errors)
    for key, note in with_math.items():
        url = kb_site + quote(note_doc(key).removesuffix(".md") + ".html")
        browser.page.goto(url, wait_until="load")
        # KaTeX runs on page load; wait until every math block holds its rendering
        browser.page.wait_for_function(RENDERED, timeout=10_000)
        expected = sum(1 for math in note.math if math.display)
        rendered = browser.page.locator(".katex-display").count()
        assert rendered == expected, f"{key}: {rendered} rendered, {expected} in the note"
        assert browser.page.locator(".katex-error").count() == 0, key
    assert browser.external[external:] == []
    assert browser.errors[errors:] == []

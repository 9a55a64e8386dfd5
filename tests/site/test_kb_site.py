"""The shipped vault's own site in headless Chromium: every display formula of every note
renders with the vendored KaTeX, and nothing leaves the machine.

The fixture-vault tests (test_browser.py) check each feature on small notes; this one checks
that the real notes — every one of them — survive compilation and rendering.
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
    assert with_math, "no note of kb has a display formula"
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


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("策略梯度", "AI/LLM/RL/Fundamentals/策略梯度方法"),
        ("KL散度", "AI/LLM/RL/Fundamentals/KL散度"),
        ("贝尔曼方程", "AI/LLM/RL/Fundamentals/贝尔曼方程"),
        ("GRPO", "AI/LLM/RL/GRPO/GRPO 深度理解"),
        ("PPO", "AI/LLM/RL/PPO/PPO 原理"),
        ("DPO", "AI/LLM/RL/DPO/DPO 原理"),
        ("GAE", "AI/LLM/RL/Fundamentals/GAE"),
        ("Bradley-Terry", "AI/LLM/RL/Fundamentals/Bradley-Terry 奖励模型"),
    ],
)
def test_kb_search_finds_the_note_on_its_topic(
    kb_site: str, browser: Browser, query: str, expected: str
) -> None:
    """Material's search with jieba and the mixed-script separator, on the real notes: the
    note about the query's topic is among the first three pages found (concept notes are
    boosted over practice notes, and notes over API pages)."""
    page = browser.page
    page.goto(kb_site + "index.html", wait_until="load")
    page.locator("label.md-search__icon, .md-search__input").first.click()
    search = page.locator("input.md-search__input")
    search.press_sequentially(query, delay=30)
    search.press("End")  # Material reads the query on keyup (an IME's commit key, for a user)
    page.wait_for_selector(".md-search-result__item", timeout=10_000)
    links = page.locator(".md-search-result__item > a").evaluate_all(
        "links => links.map(a => decodeURIComponent(new URL(a.href).pathname))"
    )
    pages = list(dict.fromkeys(links))  # a page's sections follow it in the results
    target = note_doc(expected).removesuffix(".md") + ".html"
    assert any(found.endswith(target) for found in pages[:3]), (query, pages[:8])
    page.keyboard.press("Escape")

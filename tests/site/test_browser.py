"""The built fixture site in headless Chromium, offline: formulas, links, search, API
pages and concept cards. Screenshots go to build/screenshots/ for people to look at."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import pytest

from rlref.site.layout import note_doc
from rlref.vault import load_vault

pytestmark = pytest.mark.browser

Browser = Any  # the ``browser`` fixture of conftest.py: page, external requests, errors
NOTES = load_vault(Path(__file__).parents[1] / "fixtures" / "site_vault").notes
POLICY = "RL/基础/策略 梯度"
KL = "RL/基础/KL散度"
PPO = "RL/算法/PPO 原理"
RLHF = "RL/算法/RLHF 流程"


def page_url(base: str, key: str) -> str:
    return base + quote(note_doc(key).removesuffix(".md") + ".html")


def open_page(browser: Browser, url: str) -> None:
    browser.page.goto(url)
    browser.page.wait_for_load_state("networkidle")


def card_statuses(browser: Browser) -> dict[str, str]:
    """Formula id → the text of its row in the concept card (its details opened)."""
    browser.page.evaluate("document.querySelector('details.rlref-card').open = true")
    rows = browser.page.locator(".rlref-card table tbody tr")
    return {
        rows.nth(i).locator("td").first.inner_text().strip(): rows.nth(i).inner_text()
        for i in range(rows.count())
    }


def test_every_display_formula_renders_and_nothing_leaves_the_machine(
    browser: Browser, site_url: str
) -> None:
    for key, note in NOTES.items():
        open_page(browser, page_url(site_url, key))
        expected = sum(1 for math in note.math if math.display)
        rendered = browser.page.locator(".katex-display").count()
        assert rendered == expected, f"{key}: {rendered} rendered, {expected} in the note"
        assert browser.page.locator(".katex-error").count() == 0, key
        # formula-id comments stay invisible
        assert "formula:" not in browser.page.locator("article").inner_text(), key
    open_page(browser, site_url + "index.html")
    browser.screenshot("home")
    assert browser.external == []
    assert browser.errors == []


def test_note_page_shows_card_callouts_mermaid_and_image(browser: Browser, site_url: str) -> None:
    open_page(browser, page_url(site_url, POLICY))
    page = browser.page
    assert page.locator("details.rlref-card").count() == 1  # the card's details, collapsed
    assert page.locator(".rlref-summary").count() == 1
    assert page.locator(".admonition.tip").count() == 1  # > [!tip] callout
    assert page.locator("details.warning").count() == 1  # > [!warning]- folded callout
    page.wait_for_function(
        "document.querySelector('.mermaid') && document.querySelector('.mermaid').offsetHeight > 40"
    )
    image = page.locator("article img").first
    assert image.evaluate("img => img.complete && img.naturalWidth") == 64
    assert image.get_attribute("width") == "160"
    nested = page.locator("article li li")
    assert nested.count() == 2  # the two-space nested list stays nested
    browser.screenshot("note-policy-gradient", full_page=True)
    assert browser.external == []


def test_wikilink_click_lands_on_the_target_heading(browser: Browser, site_url: str) -> None:
    page = browser.page
    page.set_viewport_size({"width": 1280, "height": 500})  # the heading starts below the fold
    try:
        open_page(browser, page_url(site_url, POLICY))
        anchor = next(h.anchor for h in NOTES[KL].headings if h.text == "定义 与 性质")
        page.locator("article a", has_text="KL 定义").first.click()
        page.wait_for_url("**/KL*")
        page.wait_for_timeout(300)
        parts = urlsplit(page.url)
        assert unquote(parts.path).endswith(note_doc(KL).removesuffix(".md") + ".html")
        assert unquote(parts.fragment) == anchor
        top, scrolled, at_bottom = page.evaluate(
            f"""() => [document.getElementById({anchor!r}).getBoundingClientRect().top,
                       window.scrollY,
                       window.scrollY + window.innerHeight >= document.body.scrollHeight - 2]"""
        )
        assert scrolled > 0
        assert 0 <= top < 150 or (at_bottom and top < 500), f"heading at {top}px"
        browser.screenshot("wikilink-landed")
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})


def test_same_note_and_block_links(browser: Browser, site_url: str) -> None:
    open_page(browser, page_url(site_url, POLICY))
    page = browser.page
    page.locator("article a", has_text="推导").first.click()
    page.wait_for_timeout(300)
    assert unquote(urlsplit(page.url).fragment) == "推导"
    open_page(browser, page_url(site_url, PPO))
    page.locator("article a", has_text="块引用").first.click()
    page.wait_for_url("**/*#block-key-sentence")
    assert page.locator("#block-key-sentence").count() == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [("策略", POLICY), ("KL散度", KL), ("RLHF", RLHF), ("Proximal", PPO)],
)
def test_chinese_and_mixed_search(
    browser: Browser, site_url: str, query: str, expected: str
) -> None:
    open_page(browser, site_url + "index.html")
    page = browser.page
    page.locator("label.md-search__icon, .md-search__input").first.click()
    search = page.locator("input.md-search__input")
    search.press_sequentially(query, delay=30)
    # Chinese characters arrive as text input, not key presses (as from an IME); Material
    # reads the query on keyup, which an IME's commit key gives a real user.
    search.press("End")
    page.wait_for_selector(".md-search-result__item", timeout=10_000)
    links = page.locator(".md-search-result__item > a").evaluate_all(
        "links => links.map(a => decodeURIComponent(new URL(a.href).pathname))"
    )
    target = note_doc(expected).removesuffix(".md") + ".html"
    assert any(link.endswith(target) for link in links), (query, links)
    browser.screenshot(f"search-{quote(query)}")
    page.keyboard.press("Escape")


def test_concept_card_and_backlinks_are_not_in_the_search_index(built_site: Any) -> None:
    index = json.loads((built_site.paths.site / "search" / "search_index.json").read_text("utf-8"))
    notes = [doc for doc in index["docs"] if doc["location"].startswith("notes/")]
    assert notes
    for doc in notes:
        text = (doc["title"] + doc["text"]).replace("\u200b", "")
        for generated in ("概念卡", "公式检查", "反向链接", "还没有其他笔记"):
            assert generated not in text, (doc["location"], generated)


def test_api_page_renders_docstring_formula_and_links_back(browser: Browser, site_url: str) -> None:
    open_page(browser, site_url + "api/rlref.algos.kl.html")
    page = browser.page
    entry = page.locator('[id="rlref.algos.kl.kl_k3"]')
    assert entry.count() == 1
    formulas = entry.evaluate(
        "h => h.closest('.doc-object').querySelectorAll('.katex-display').length"
    )
    assert formulas >= 1
    assert page.locator(".katex-error").count() == 0
    # The docstring's "Note: [[…]]" line is text or a link, never raw wikilink syntax.
    prose = entry.evaluate(
        "h => Array.from(h.closest('.doc-object').querySelectorAll('.doc-contents > p'))"
        ".map(p => p.innerText).join('\\n')"
    )
    assert "Note: KL散度" in prose and "[[" not in prose, prose
    used_by = entry.evaluate(
        "h => Array.from(h.closest('.doc-object').nextElementSibling.querySelectorAll('a'))"
        ".map(a => decodeURIComponent(new URL(a.href).pathname))"
    )
    target = note_doc(POLICY).removesuffix(".md") + ".html"
    assert any(link.endswith(target) for link in used_by), used_by
    entry.scroll_into_view_if_needed()
    browser.screenshot("api-kl")
    assert browser.external == []


def test_concept_card_shows_each_formula_check(browser: Browser, site_url: str) -> None:
    open_page(browser, page_url(site_url, POLICY))
    rows = card_statuses(browser)
    assert set(rows) == {"pg-objective", "pg-gradient", "pg-baseline"}
    assert "通过" in rows["pg-objective"] and "kl_k3" in rows["pg-objective"]
    assert "未通过" in rows["pg-gradient"] and "max abs error 0.5" in rows["pg-gradient"]
    # no result (newer than the run), and the note says check: none: not checkable
    assert "不适用" in rows["pg-baseline"] and "示例公式" in rows["pg-baseline"]
    card = browser.page.locator(".rlref-card").inner_text()
    assert card.count("2026-01-02 03:04:05") == 1  # the run's time once, not per row
    summary = browser.page.locator(".rlref-summary").inner_text()
    assert "1/3 已检查" in summary and "1 未通过" in summary and "1 不适用" in summary, summary
    browser.page.locator(".rlref-card").screenshot(path=str(browser.screenshot("card")))
    # three states apart: not checkable by nature, not checked yet, changed since the check
    open_page(browser, page_url(site_url, KL))
    assert "不适用" in card_statuses(browser)["kl-def"]
    assert "示例公式" in card_statuses(browser)["kl-def"]
    open_page(browser, page_url(site_url, PPO))
    assert "已过期" in card_statuses(browser)["ppo-clip"]  # the hash no longer matches


def test_stub_is_visibly_a_stub(browser: Browser, site_url: str) -> None:
    open_page(browser, page_url(site_url, RLHF))
    stub = browser.page.locator(".admonition.rlref-stub")
    assert stub.count() == 1 and stub.is_visible()
    assert "存根" in stub.inner_text()
    assert "存根" in browser.page.locator(".rlref-summary").inner_text()


@pytest.mark.parametrize("viewport", [(1440, 900), (390, 844)])
def test_the_first_sentence_is_above_the_fold(
    browser: Browser, site_url: str, viewport: tuple[int, int]
) -> None:
    """Text first: under the title only the summary line, so the note's first paragraph
    starts on the first screen, on desktop and on a phone."""
    page = browser.page
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    try:
        for key in (POLICY, PPO):
            open_page(browser, page_url(site_url, key))
            top = page.evaluate(
                """() => {
                  const first = Array.from(document.querySelectorAll('article > p'))
                    .find(p => !p.classList.contains('rlref-summary') && p.innerText.trim());
                  return first.getBoundingClientRect().top;
                }"""
            )
            assert top < viewport[1] - 40, (key, viewport, top)
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})

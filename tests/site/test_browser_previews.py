"""Hover previews of links to notes (site/assets/javascripts/rlref.js), in the built fixture
site: the linked section, or the note's title and opening, from the site itself."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from rlref.site.layout import note_doc

pytestmark = pytest.mark.browser
Browser = Any
POLICY = "RL/基础/策略 梯度"


def test_hovering_a_note_link_previews_its_target(browser: Browser, site_url: str) -> None:
    page = browser.page
    page.goto(site_url + quote(note_doc(POLICY).removesuffix(".md") + ".html"))
    page.wait_for_load_state("networkidle")
    preview = page.locator(".rlref-preview")
    assert preview.count() == 0
    # a link to a section: that section, its formula rendered, not the rest of the note
    page.locator("article a", has_text="KL 定义").first.hover()
    preview.wait_for(state="visible", timeout=5_000)
    text = preview.inner_text()
    assert text.startswith("定义 与 性质") and "例子" not in text, text
    assert preview.locator(".katex").count() >= 1
    assert "概念卡" not in text  # the line under the formula belongs to its own page
    browser.screenshot("preview-section")
    # away from the link: it goes
    page.mouse.move(5, 600)
    preview.wait_for(state="hidden", timeout=5_000)
    # a link to a note: its title and opening, without the concept card
    page.locator("article li a", has_text="PPO").first.hover()
    page.wait_for_function(
        "document.querySelector('.rlref-preview:not([hidden])')"
        " && document.querySelector('.rlref-preview h1')"
        " && document.querySelector('.rlref-preview h1').textContent.includes('PPO')"
    )
    text = preview.inner_text()
    assert "概念卡" not in text and len(text) > 20, text
    # its links lead where they lead on the note's own page
    target = page.url.rsplit("/", 2)[0] + "/"
    hrefs = preview.locator("a").evaluate_all("links => links.map(a => a.href)")
    assert all(href.startswith(target) for href in hrefs), hrefs
    page.mouse.move(5, 600)
    # links of the nav and the header do not preview
    page.locator(".md-nav a", has_text="KL散度").first.hover()
    page.wait_for_timeout(700)
    assert not preview.is_visible()
    assert browser.external == [] and browser.errors == []

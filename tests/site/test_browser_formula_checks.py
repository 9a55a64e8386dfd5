"""Each formula carries its check, in the built fixture site: under every tagged formula
its state, the function (API entry, source line) and a link that opens the concept card;
the API entry lists the formulas checked against it, each link landing on the formula."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from rlref.site.layout import note_doc
from rlref.vault import load_vault

pytestmark = pytest.mark.browser

Browser = Any
POLICY = "RL/基础/策略 梯度"
NOTES = load_vault(Path(__file__).parents[1] / "fixtures" / "site_vault").notes

UNDER_FORMULAS = """() => Array.from(document.querySelectorAll('.rlref-formula')).map(anchor => {
  let next = anchor.nextElementSibling;
  while (next && !next.matches('div.arithmatex')) next = next.nextElementSibling;
  const line = next && next.nextElementSibling;
  return [anchor.id, line && line.matches('p.rlref-formula-check') ? line.innerText : null,
          line ? Array.from(line.querySelectorAll('a')).map(a => a.href) : []];
})"""


def test_under_each_tagged_formula_its_check(browser: Browser, site_url: str) -> None:
    page = browser.page
    page.goto(site_url + quote(note_doc(POLICY).removesuffix(".md") + ".html"))
    page.wait_for_load_state("load")
    lines = {anchor: (text, links) for anchor, text, links in page.evaluate(UNDER_FORMULAS)}
    expected = {f"formula-{formula.id}" for formula in NOTES[POLICY].formulas}
    assert set(lines) == expected and all(text for text, _ in lines.values()), lines
    text, links = lines["formula-pg-objective"]
    assert "通过" in text and "kl_k3" in text and "kl.py:" in text, text
    assert any(link.endswith("api/rlref.algos.kl.html#rlref.algos.kl.kl_k3") for link in links)
    assert any("api/source/rlref/algos/kl.html#L-" in link for link in links)
    assert "未通过" in lines["formula-pg-gradient"][0]
    assert "不适用" in lines["formula-pg-baseline"][0]
    # the link back to the card opens its details
    card = page.locator("details.rlref-card")
    assert card.evaluate("d => !d.open")
    page.locator("p.rlref-formula-check a", has_text="概念卡").first.click()
    page.wait_for_function("document.querySelector('details.rlref-card').open")
    assert page.locator("#concept-card").evaluate("s => s.getBoundingClientRect().top") < 200
    browser.screenshot("formula-check")
    # the source line exists on the source page
    source = next(link for link in links if "api/source/" in link)
    page.goto(source)
    assert page.locator(f"[id='{source.rsplit('#', 1)[1]}']").count() == 1


def test_an_api_entry_lists_the_formulas_checked_against_it(
    browser: Browser, site_url: str
) -> None:
    page = browser.page
    page.goto(site_url + "api/rlref.algos.kl.html")
    page.wait_for_load_state("load")
    checked = page.locator('[id="rlref.algos.kl.kl_k3"]').evaluate(
        """h => {
          let next = h.closest('.doc-object').nextElementSibling;
          while (next && !next.matches('p.rlref-checked-by')) next = next.nextElementSibling;
          return next && [next.innerText, Array.from(next.querySelectorAll('a')).map(a => a.href)];
        }"""
    )
    assert checked is not None
    text, links = checked
    assert "对照公式" in text and "pg-objective" in text, text
    link = next(link for link in links if link.endswith("#formula-pg-objective"))
    page.goto(link)
    page.wait_for_load_state("load")
    top = page.locator("#formula-pg-objective").evaluate("a => a.getBoundingClientRect().top")
    assert 0 <= top < 200, top  # the page opens at the formula, not at its top
    assert browser.external == []

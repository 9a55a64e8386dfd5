"""The graph of notes (issue 15, item 6) in Chromium: the local graph under a kb note shows
its neighbours, the global page every note, clicks open notes, titles are legible and do
not overlap; 3,000 notes draw in a measured time; hostile titles stay text."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from rlref.index import build_index
from rlref.site.graph import (
    LOCAL_LIMIT,
    SiteGraph,
    global_data,
    global_layout,
    local_block,
    site_graph,
)
from rlref.site.layout import note_doc
from rlref.vault import load_vault

from .conftest import REPO, serve

pytestmark = pytest.mark.browser
Browser = Any
KB = REPO / "kb"
PPO = "AI/LLM/RL/PPO/PPO 原理"
MIN_LABEL_PX = 11
# 3,010 nodes (3,000 notes and their tags) drawn, from navigation to the first frame with
# its labels: 0.75-1.04 s measured in three runs under load average 5-8 on 2 cores; the
# budget is about three times that.
BIG_NOTES = 3000
BIG_BUDGET_S = 3.0

DRAWN = (
    "document.querySelector('.rlref-graph') && document.querySelector('.rlref-graph')"
    ".dataset.rlrefDrawn"
)
# Every visible label: its text, full title, target, rectangle and rendered font size.
LABELS = """() => Array.from(document.querySelectorAll('.rlref-graph__label'))
  .filter(a => !a.hidden).map(a => {
    const r = a.getBoundingClientRect();
    return {text: a.textContent, title: a.title, href: a.href, x: r.x, y: r.y, w: r.width,
            h: r.height, font: parseFloat(getComputedStyle(a).fontSize)};
  })"""


def _page(note: str) -> str:
    return quote(note_doc(note).removesuffix(".md") + ".html")


def overlapping_fraction(labels: list[dict]) -> float:
    """The share of labels whose box overlaps another's by more than one pixel square."""
    hit = set()
    for i, a in enumerate(labels):
        for j in range(i + 1, len(labels)):
            b = labels[j]
            w = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
            h = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
            if w > 0 and h > 0 and w * h > 1:
                hit |= {i, j}
    return len(hit) / max(len(labels), 1)


@pytest.fixture(scope="module")
def kb_graph() -> SiteGraph:
    return site_graph(build_index(load_vault(KB)))


def test_the_local_graph_shows_the_notes_neighbours(
    kb_site: str, browser: Browser, kb_graph: SiteGraph
) -> None:
    page = browser.page
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(kb_site + _page(PPO))
    page.wait_for_function(DRAWN)
    node = kb_graph.keys.index(PPO)
    near = kb_graph.adjacency[node]
    assert 5 < len(near) <= LOCAL_LIMIT
    expected = {kb_graph.titles[n] for n in near} | {kb_graph.titles[node]}
    drawn = page.evaluate("document.querySelector('.rlref-graph').rlrefGraph.nodes.map(n => n.t)")
    assert set(drawn) == expected and len(drawn) == len(expected)
    labels = page.evaluate(LABELS)
    assert labels[0]["text"] == "PPO 原理"  # the note itself is labelled first
    assert all(label["title"] in expected for label in labels)
    assert all(label["font"] >= MIN_LABEL_PX and label["h"] >= MIN_LABEL_PX for label in labels)
    assert len(labels) >= 10 and overlapping_fraction(labels) == 0.0
    # a title leads to its note
    target = next(label for label in labels if label["title"] == "GAE")
    page.locator(".rlref-graph__label", has_text="GAE").first.click()
    page.wait_for_url(target["href"])
    assert "GAE" in page.title()
    assert browser.external == [] and browser.errors == []


def test_the_global_graph_shows_every_note_and_clicks_open_them(
    kb_site: str, browser: Browser, kb_graph: SiteGraph
) -> None:
    page = browser.page
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(kb_site + "graph.html")
    page.wait_for_function(DRAWN)
    nodes = page.evaluate("document.querySelector('.rlref-graph').rlrefGraph.nodes")
    notes = [n for n in nodes if n["k"] == "note"]
    titles = [t for k, t in zip(kb_graph.keys, kb_graph.titles, strict=True) if k[0] != "#"]
    assert len(notes) == len(titles) >= 75 and sorted(n["t"] for n in notes) == sorted(titles)
    assert all("x" in n for n in nodes)  # laid out by the build, not by the browser
    labels = page.evaluate(LABELS)
    assert all(label["font"] >= MIN_LABEL_PX for label in labels)
    fraction = overlapping_fraction(labels)
    assert len(labels) >= 40 and fraction == 0.0, (len(labels), fraction)
    # zooming in shows titles that did not fit
    box = page.locator(".rlref-graph").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -600)
    page.wait_for_timeout(300)
    zoomed = page.evaluate(LABELS)
    assert {label["title"] for label in zoomed} - {label["title"] for label in labels}
    assert overlapping_fraction(zoomed) == 0.0
    # a click on a node (the canvas, not its label) opens its page
    index, where = page.evaluate(
        """() => { const g = document.querySelector('.rlref-graph').rlrefGraph;
          const box = g.canvas.getBoundingClientRect();
          for (const i of g.order) {
            const p = g.screen(i);
            if (g.nodes[i].k === 'note' && p.x > 20 && p.y > 20 && p.x < box.width - 20
                && p.y < box.height - 20 && g.nodeAt(p.x, p.y) === i) {
              return [i, {x: box.x + p.x, y: box.y + p.y}];
            }
          } return [-1, null]; }"""
    )
    assert index >= 0
    page.mouse.click(where["x"], where["y"])
    page.wait_for_url("**/notes/**")
    assert nodes[index]["t"] in page.title()
    assert browser.external == [] and browser.errors == []


def _harness(folder: Path, body: str) -> None:
    """A bare page with the site's graph script and stylesheet, for data made here."""
    assets = REPO / "site" / "assets"
    shutil.copy(assets / "javascripts" / "graph.js", folder / "graph.js")
    shutil.copy(assets / "stylesheets" / "rlref.css", folder / "rlref.css")
    (folder / "index.html").write_text(
        '<!doctype html><meta charset="utf-8"><link rel="stylesheet" href="rlref.css">'
        f'<body><article class="md-typeset" style="width:1100px">{body}</article>'
        '<script src="graph.js"></script></body>',
        "utf-8",
    )


def test_3000_notes_draw_in_a_measured_time(tmp_path: Path, browser: Browser) -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    from synthetic_vault import write_vault

    from rlref.site.mathrender import KatexRenderer

    vault = write_vault(tmp_path / "vault", BIG_NOTES)
    graph = site_graph(build_index(load_vault(vault)))
    renderer = KatexRenderer(REPO / "site")
    started = time.process_time(), time.perf_counter()
    try:
        from rlref.site import mathrender

        mathrender._shared[(REPO / "site").resolve()] = renderer
        positions = global_layout(graph, REPO / "site")
    finally:
        mathrender._shared.pop((REPO / "site").resolve(), None)
        renderer.close()
    layout_wall = time.perf_counter() - started[1]
    assert positions is not None and len(positions) == len(graph.keys) > BIG_NOTES
    site = tmp_path / "site"
    (site / "assets" / "graph").mkdir(parents=True)
    (site / "assets" / "graph" / "graph-data.js").write_text(
        global_data(graph, positions, {}), "utf-8"
    )
    _harness(
        site,
        '<div class="rlref-graph rlref-graph--global" data-src="assets/graph/graph-data.js"></div>',
    )
    page = browser.page
    page.set_viewport_size({"width": 1440, "height": 900})
    with serve(site) as url:
        page.goto(url + "index.html")
        page.wait_for_function(DRAWN, timeout=30_000)
        seconds = page.evaluate(
            "performance.getEntriesByType('resource').find(e => e.name.endsWith('graph-data.js'))"
            ".responseEnd / 1000"
        )
        drawn_at = page.evaluate("performance.now() / 1000")
        labels = page.evaluate(LABELS)
    report = (
        f"layout {layout_wall:.1f} s wall; data loaded at {seconds:.2f} s, "
        f"drawn by {drawn_at:.2f} s"
    )
    assert drawn_at < BIG_BUDGET_S, report
    assert len(labels) >= 40 and overlapping_fraction(labels) == 0.0, report
    assert all(label["font"] >= MIN_LABEL_PX for label in labels)
    print(report)


HOSTILE = "</title><script>window.__pwned=1</script><img src=x onerror=window.__pwned=2>"


def test_hostile_titles_stay_text_in_both_graphs(tmp_path: Path, browser: Browser) -> None:
    graph = SiteGraph(["A", "B", "#<b>tag</b>"], [HOSTILE, "邻居", "#<b>tag</b>"])
    graph.adjacency = [{1, 2}, {0}, {0}]
    site = tmp_path / "site"
    (site / "assets" / "graph").mkdir(parents=True)
    data = global_data(graph, None, {})
    assert "<" not in data  # the data script can never close a script element
    (site / "assets" / "graph" / "graph-data.js").write_text(data, "utf-8")
    local = local_block(graph, 1, {})
    assert "<script" not in local and "<img" not in local
    _harness(
        site,
        local + '<div class="rlref-graph rlref-graph--global" '
        'data-src="assets/graph/graph-data.js"></div>',
    )
    page = browser.page
    with serve(site) as url:
        page.goto(url + "index.html")
        page.wait_for_function(
            "document.querySelectorAll('.rlref-graph[data-rlref-drawn]').length === 2"
        )
        titles = page.evaluate(
            "Array.from(document.querySelectorAll('.rlref-graph__label')).map(a => a.title)"
        )
        assert page.evaluate("window.__pwned") is None
        assert page.locator("article script, article img").count() == 0
    assert titles.count(HOSTILE) == 2 and "#<b>tag</b>" in titles

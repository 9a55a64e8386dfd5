"""The graph of notes, links and tags: a local graph under each note, a global graph page.

Notes and tags are nodes; a link between two notes (either way) and a note's tag are edges.
The global graph's layout is computed at build time by d3-force in the build's one node
process (``site/graph-layout.js``), so that the browser only draws it, however many notes;
a local graph (a note, its links and backlinks, its tags: a few dozen nodes) is laid out by
the browser (``site/assets/javascripts/graph.js``). Titles are data, never markup: they go
out as JSON (in an escaped attribute, or with ``<`` escaped in the data script) and the
browser shows them as text.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path

from rlref.index import Index
from rlref.site.layout import TAGS_PAGE, note_doc, relative_url, shown_title

GRAPH_PAGE = "graph.md"
GRAPH_DATA = "assets/graph/graph-data.js"
LOCAL_LIMIT = 60  # neighbours shown under a note (the most linked first)
LAYOUT_TICKS = 300  # steps of the global layout up to LAYOUT_FULL nodes, fewer above
LAYOUT_FULL = 1000
LAYOUT_MIN_TICKS = 80  # 3,010 nodes: 100 steps, about 4 s of CPU here (300: 10.8 s)


@dataclass
class SiteGraph:
    keys: list[str]  # node index → note key, or "#tag" for a tag
    titles: list[str]
    adjacency: list[set[int]] = field(default_factory=list)

    def degree(self, node: int) -> int:
        return len(self.adjacency[node])

    def edges(self) -> list[tuple[int, int]]:
        return [(a, b) for a, near in enumerate(self.adjacency) for b in sorted(near) if a < b]


def site_graph(index: Index) -> SiteGraph:
    keys = list(index.notes)
    titles = [shown_title(index.notes[key]) for key in keys]
    tags = sorted(index.tags)
    keys += [f"#{tag}" for tag in tags]
    titles += [f"#{tag}" for tag in tags]
    position = {key: i for i, key in enumerate(keys)}
    adjacency: list[set[int]] = [set() for _ in keys]

    def join(a: int, b: int) -> None:
        if a != b:
            adjacency[a].add(b)
            adjacency[b].add(a)

    for link in index.links:
        if link.kind == "note" and link.target in position and link.source in position:
            join(position[link.source], position[link.target])
    for tag in tags:
        for key in index.tags[tag]:
            if key in position:
                join(position[key], position[f"#{tag}"])
    return SiteGraph(keys, titles, adjacency)


def _url(from_doc: str, key: str, tag_anchors: dict[str, str]) -> str:
    """The page a node opens, relative to ``from_doc``, as the built site names it."""
    if key.startswith("#"):
        target = relative_url(from_doc, TAGS_PAGE, tag_anchors.get(key[1:]))
    else:
        target = relative_url(from_doc, note_doc(key))
    path, hash_, anchor = target.partition("#")
    if path.endswith(".md"):
        path = path[:-3] + ".html"
    return path + hash_ + anchor


def _node(graph: SiteGraph, node: int, from_doc: str, anchors: dict[str, str]) -> dict:
    key = graph.keys[node]
    return {
        "t": graph.titles[node],
        "u": _url(from_doc, key, anchors),
        "k": "tag" if key.startswith("#") else "note",
        "d": graph.degree(node),
    }


def local_block(graph: SiteGraph, node: int, anchors: dict[str, str]) -> str:
    """The HTML under a note: its graph (the note, its neighbours, the links among them)."""
    doc = note_doc(graph.keys[node])
    near = sorted(graph.adjacency[node], key=lambda n: (-graph.degree(n), graph.titles[n]))
    shown = [node, *near[:LOCAL_LIMIT]]
    where = {n: i for i, n in enumerate(shown)}
    data = {
        "nodes": [_node(graph, n, doc, anchors) for n in shown],
        "edges": [
            [where[a], where[b]]
            for a in shown
            for b in graph.adjacency[a]
            if b in where and where[a] < where[b]
        ],
        "focus": 0,
    }
    if len(near) > LOCAL_LIMIT:
        data["more"] = len(near) - LOCAL_LIMIT
    attribute = html.escape(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    everything = html.escape(relative_url(doc, GRAPH_PAGE), quote=True)
    # A <section>, kept out of the search index (as rlref.site.card's generated blocks).
    return (
        '\n<section class="rlref-graph-box" data-search-exclude="true">\n'
        '<p class="rlref-graph-title">关系图 · '
        f'<a href="{everything}">全部笔记的关系图</a></p>\n'
        f'<div class="rlref-graph rlref-graph--local" data-graph="{attribute}"></div>\n'
        "</section>\n"
    )


def global_layout(graph: SiteGraph, site_src: Path) -> list[list[float]] | None:
    """The global graph's positions from the build's node process; None without node (the
    browser then lays it out itself)."""
    from rlref.site import mathrender

    renderer = mathrender.shared_renderer(site_src.resolve())
    if renderer is None:
        return None
    size = len(graph.keys)
    ticks = max(LAYOUT_MIN_TICKS, LAYOUT_TICKS * min(1, LAYOUT_FULL / max(size, 1)))
    request = {"layout": {"nodes": size, "edges": graph.edges(), "ticks": round(ticks)}}
    try:
        answer = renderer.ask(request)
    except (mathrender.MathUnavailable, OSError, ValueError):
        return None
    if not isinstance(answer, list) or len(answer) != len(graph.keys):
        return None
    return answer


def global_data(
    graph: SiteGraph, positions: list[list[float]] | None, anchors: dict[str, str]
) -> str:
    """``assets/graph/graph-data.js``: the whole graph, its URLs relative to the graph page.

    A script, not JSON, so that the page works opened from disk (no fetch)."""
    nodes = [_node(graph, n, GRAPH_PAGE, anchors) for n in range(len(graph.keys))]
    if positions is not None:
        for node, (x, y) in zip(nodes, positions, strict=True):
            node["x"], node["y"] = x, y
    data = {"nodes": nodes, "edges": graph.edges()}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # "<" escaped: the data can never close a script element, whatever a title says.
    text = text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f"window.rlrefGraphData = {text};\n"


def graph_page(graph: SiteGraph) -> str:
    notes = sum(not key.startswith("#") for key in graph.keys)
    tags = len(graph.keys) - notes
    data = html.escape(GRAPH_DATA, quote=True)
    return (
        "---\ntitle: 关系图\nsearch:\n  exclude: true\nhide:\n  - toc\n---\n\n"
        "# 关系图\n\n"
        f"全部 {notes} 篇笔记和 {tags} 个标签：笔记之间的链接，笔记与它的标签。"
        "滚轮或双指缩放，拖动平移，点击节点打开笔记。\n\n"
        f'<div class="rlref-graph rlref-graph--global" data-src="{data}" markdown="0"></div>\n'
    )

"""Text from a note's frontmatter is text wherever the site shows it: a title or a source
never becomes markup (issue: hostile and careless input)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rlref.cli import app

REPO = Path(__file__).resolve().parents[2]
PAYLOAD = "<script>window.__pwned=1</script>"
HOSTILE = f"</title>{PAYLOAD}<img src=x onerror=alert(1)>"
# Markdown links and images whose address runs script when followed (any case, an entity,
# a tab, a reference definition), and one that must stay a link.
HOSTILE_LINKS = (
    "[点我](javascript:alert(5)) [大写](JaVaScRiPt:alert(6)) [实体](jav&#x61;script:alert(7))\n"
    "[制表](java\tscript:alert(8)) ![图](javascript:alert(9)) [引用][r] [数据](data:text/html,x)\n"
    "[好](https://example.org/ok)\n\n[r]: vbscript:alert(10)\n"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    vault = root / "vault"
    vault.mkdir()
    front = (
        "---\n"
        f"title: '{HOSTILE}'\n"
        "type: moc\n"
        "sources:\n"
        f"  - 'http://example.org/\"><script>window.__pwned=2</script>'\n"
        "  - 'javascript:alert(3)'\n"
        f"  - {{title: '{PAYLOAD}', url: 'javascript:alert(4)'}}\n"
        "---\n"
    )
    (vault / "_MOC.md").write_text(front + "# 目录\n\n## <b>节</b>\n\n- [[邻居]]\n", "utf-8")
    (vault / "邻居.md").write_text(
        "---\ntitle: 邻居\n---\n# 邻居\n\n回到 [[_MOC]]。\n\n" + HOSTILE_LINKS, "utf-8"
    )
    out = root / "out"
    import os

    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        result = CliRunner().invoke(
            app, ["build", str(vault), "--out", str(out), "--verify-json", str(root / "v.json")]
        )
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    return out / "site"


def pages(site: Path) -> dict[str, str]:
    return {
        p.relative_to(site).as_posix(): p.read_text("utf-8")
        for p in site.rglob("*.html")
        if p.relative_to(site).parts[0] not in ("api", "source")
    }


UNSAFE_SCHEMES = {"javascript", "vbscript", "data"}


class LiveMarkup(HTMLParser):
    """What a browser would run: script bodies, on* handlers, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_script = tag == "script"
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value}>")
            address = "".join(c for c in value or "" if c > " " and c != "\x7f").lower()
            if name in ("href", "src") and address.split(":", 1)[0] in UNSAFE_SCHEMES:
                self.found.append(f"<{tag} {name}={value}>")
        if tag == "img" and ("src", "x") in attrs:
            self.found.append("<img src=x>")

    def handle_data(self, data: str) -> None:
        if self._in_script and "__pwned" in data:
            self.found.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False


def test_no_page_carries_the_payload_as_markup(site: Path) -> None:
    found = pages(site)
    assert len(found) >= 2
    for name, text in found.items():
        parser = LiveMarkup()
        parser.feed(text)
        assert parser.found == [], name


class Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []

    def handle_data(self, data: str) -> None:
        self.chunks.append(data.strip())


def test_a_safe_link_stays_a_link(site: Path) -> None:
    neighbour = next(text for name, text in pages(site).items() if "邻居" in name)
    assert 'href="https://example.org/ok"' in neighbour
    assert "点我" in neighbour and "引用" in neighbour  # the unsafe links' text is kept


def test_the_title_is_shown_as_text(site: Path) -> None:
    neighbour = next(text for name, text in pages(site).items() if "邻居" in name)
    parser = Text()
    parser.feed(neighbour)
    assert HOSTILE in parser.chunks  # the nav and the footer show it, as written


class GraphData(HTMLParser):
    """The local graph's data (a JSON attribute) as the browser reads it."""

    def __init__(self) -> None:
        super().__init__()
        self.data: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs).get("data-graph")
        if found is not None:
            self.data.append(found)


def test_the_graphs_carry_the_title_as_data(site: Path) -> None:
    """The local graph (an attribute of the note's page, checked as markup above) and the
    global graph's data script hold the hostile title as a JSON string, which graph.js shows
    as text; the script has no ``<`` at all, so no title can close it."""
    import json

    neighbour = next(text for name, text in pages(site).items() if "邻居" in name)
    parser = GraphData()
    parser.feed(neighbour)
    assert len(parser.data) == 1
    assert HOSTILE in [node["t"] for node in json.loads(parser.data[0])["nodes"]]
    script = (site / "assets" / "graph" / "graph-data.js").read_text("utf-8")
    assert "<" not in script
    data = json.loads(script.removeprefix("window.rlrefGraphData = ").rstrip().rstrip(";"))
    assert HOSTILE in [node["t"] for node in data["nodes"]]

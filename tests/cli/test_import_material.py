"""`rlref import` of the material users have: a feed (formulas rendered by KaTeX), an HTML
page, a plain note with arXiv links, and a whole folder with attachments and cross-links.
All material here is written for the test; formulas are rendered by the vendored KaTeX."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rlref.cli import app
from rlref.index import build_index
from rlref.vault import load_vault

REPO = Path(__file__).resolve().parents[2]
KATEX = REPO / "site" / "node_modules" / "katex"
MOC = "AI/RL/_MOC"
runner = CliRunner()
FORMULAS = [
    (r"\hat{A}_i = \frac{r_i - \mathrm{mean}(r)}{\mathrm{std}(r)}", True),
    (r"\pi_\theta(a \mid s)", False),
    (r"L = -\log \sigma\left(\beta \log \frac{\pi_\theta(y_w)}{\pi_{\mathrm{ref}}(y_w)}\right)",
     True),
    (r"k_3 = \rho - 1 - \log \rho", True),
    (r"\epsilon = 0.2", False),
]
RENDER = """
const katex = require(process.argv[1]);
const items = JSON.parse(process.argv[2]);
process.stdout.write(JSON.stringify(items.map(([tex, display]) =>
  katex.renderToString(tex, {output: "htmlAndMathml", displayMode: display}))));
"""


def katex(formulas: list[tuple[str, bool]]) -> list[str]:
    node = shutil.which("node")
    assert node is not None and KATEX.is_dir(), "node and site/node_modules/katex are needed"
    out = subprocess.run([node, "-e", RENDER, str(KATEX), json.dumps(formulas)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def run_import(vault: Path, *args: str):
    return runner.invoke(app, ["import", *args, "--vault", str(vault), "--moc", MOC])


def feed(tmp_path: Path) -> Path:
    rendered = katex(FORMULAS)
    items = []
    for n, (html, (_, display)) in enumerate(zip(rendered, FORMULAS, strict=True), start=1):
        wrapper = "div" if display else "p"
        body = (f"<p>第 {n} 篇的正文，见 <a href='https://example.org/{n}'>链接</a>。</p>"
                f"<{wrapper}>公式：{html}</{wrapper}><script>alert({n})</script>")
        items.append(
            f"<item><title>文章 {n}</title><link>https://blog.example.org/post/{n}</link>"
            f"<pubDate>Mon, 0{n} Jun 2026 08:00:00 +0000</pubDate><author>作者 {n}</author>"
            f"<category>rl</category><category>第{n}类</category>"
            f"<description><![CDATA[{body}]]></description></item>"
        )
    text = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            "<title>测试博客</title>" + "".join(items) + "</channel></rss>")
    path = tmp_path / "feed.txt"  # a feed saved under another name is still a feed
    path.write_text(text, "utf-8")
    return path


def test_a_feed_of_five_posts_becomes_five_notes_with_their_latex(
    vault: Path, tmp_path: Path
) -> None:
    result = run_import(vault, str(feed(tmp_path)), "--section", "PPO", "--path", "AI/RL/博客")
    assert result.exit_code == 0, result.output
    index = build_index(load_vault(vault))
    notes = [index.notes[f"AI/RL/博客/文章 {n}"] for n in range(1, 6)]
    for n, (note, (latex, display)) in enumerate(zip(notes, FORMULAS, strict=True), start=1):
        front = note.frontmatter
        assert front is not None and front.title == f"文章 {n}"
        assert note.raw_frontmatter["date"].isoformat() == f"2026-06-0{n}"
        assert front.sources == [f"https://blog.example.org/post/{n}"]
        assert front.tags == ["rl", f"第{n}类"]
        assert [(m.latex, m.display) for m in note.math] == [(latex, display)]
        text = (vault / f"{note.key}.md").read_text("utf-8")
        assert "<script>" not in text and "alert(" not in text
    mine = {n.path for n in notes}
    errors = [d for d in index.diagnostics if d.path in mine and d.severity == "error"]
    assert errors == []


ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>某人的博客</title>
<entry><title type="html">GRPO &amp;lt;笔记&amp;gt;</title>
<link href="https://blog.example.org/posts/grpo/"/><id>tag:blog,2024:grpo</id>
<updated>2024-05-01T10:00:00Z</updated>
<content type="html">&lt;p&gt;见图：&lt;img src="/images/curve.png" alt="曲线"&gt; 与
&lt;a href="../ppo/"&gt;PPO 一文&lt;/a&gt;，&lt;a href="#fn1"&gt;注&lt;/a&gt;。&lt;/p&gt;</content>
</entry></feed>"""


def test_a_post_s_relative_addresses_point_at_its_site_and_its_title_is_text(
    vault: Path, tmp_path: Path
) -> None:
    """``/images/a.png`` in a post means the blog's picture, not a file of the vault; a
    title of type html is read as its reader sees it."""
    source = tmp_path / "atom.xml"
    source.write_text(ATOM, "utf-8")
    result = run_import(vault, str(source), "--section", "PPO", "--path", "AI/RL/帖子")
    assert result.exit_code == 0, result.output
    assert "remote image kept as a link: https://blog.example.org/images/curve.png" in (
        result.output
    )
    note = build_index(load_vault(vault)).notes["AI/RL/帖子"]
    assert note.title == "GRPO <笔记>"
    text = (vault / "AI/RL/帖子.md").read_text("utf-8")
    assert "![曲线](https://blog.example.org/images/curve.png)" in text
    assert "[PPO 一文](https://blog.example.org/posts/ppo/)" in text and "[注](#fn1)" in text


PAGE = """<!doctype html><html><head><title>一篇网页 | 某人的博客</title>
<link rel="canonical" href="https://example.org/page"></head><body>
<nav><a href="/">首页</a></nav>
<article><h1>一篇网页</h1>
<p>正文 <i class="fa fa-link"></i> 有 <strong>重点</strong> 与 <code>code_span</code>。</p>
<div class="admonition warning"><p class="admonition-title">注意</p><p>别忘了 KL。</p></div>
<script type="math/tex; mode=display">\\mathbb{E}[X] = \\sum_x x\\, p(x)</script>
<p>行内 <script type="math/tex">x_t</script> 公式与 {katex}</p>
<table><tr><th>算法</th><th>损失</th></tr><tr><td>PPO</td><td>clip</td></tr></table>
<pre><code class="language-python">loss = -(ratio * adv).mean()
</code></pre>
<ul><li>一</li><li>二</li></ul>
<img src="https://cdn.example.org/fig.png" alt="图" onerror="alert(1)">
<svg><circle r="3"/></svg>
</article><footer>页脚</footer></body></html>"""


def test_an_html_page_becomes_a_note(vault: Path, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(PAGE.replace("{katex}", katex([(r"\beta", False)])[0]), "utf-8")
    result = run_import(vault, str(page), "--section", "PPO", "--path", "AI/RL/网页")
    assert result.exit_code == 0, result.output
    assert "remote image kept as a link: https://cdn.example.org/fig.png" in result.output
    text = (vault / "AI/RL/网页.md").read_text("utf-8")
    note = build_index(load_vault(vault)).notes["AI/RL/网页"]
    assert note.title == "一篇网页" and note.frontmatter.sources == ["https://example.org/page"]
    assert [(m.latex, m.display) for m in note.math] == [
        (r"\mathbb{E}[X] = \sum_x x\, p(x)", True), ("x_t", False), (r"\beta", False)]
    assert "> [!warning] 注意\n> 别忘了 KL。" in text
    assert "| 算法 | 损失 |" in text and "**重点**" in text and "`code_span`" in text
    assert "```python\nloss = -(ratio * adv).mean()" in text and "- 一\n- 二" in text
    assert "![图](https://cdn.example.org/fig.png)" in text
    for gone in ("首页", "页脚", "<svg", "circle", "onerror", "fa-link"):
        assert gone not in text, gone


def test_a_plain_note_gets_its_title_and_arxiv_sources(vault: Path, tmp_path: Path) -> None:
    plain = tmp_path / "Untitled 3.md"
    plain.write_text(
        "# DeepSeekMath 读后\n\n论文 https://arxiv.org/abs/2402.03300v2 与"
        " [PPO](https://arxiv.org/pdf/1707.06347.pdf)，还有 arXiv:2305.18290。\n"
        "再提一次 https://arxiv.org/abs/2402.03300。\n", "utf-8")
    result = run_import(vault, str(plain), "--section", "PPO")
    assert result.exit_code == 0, result.output
    note = next(n for n in build_index(load_vault(vault)).notes.values()
                if n.title == "DeepSeekMath 读后")
    assert note.frontmatter.sources == ["arXiv:2402.03300", "arXiv:1707.06347",
                                        "arXiv:2305.18290"]
    assert "title from the first heading" in result.output


def their_vault(tmp_path: Path) -> Path:
    root = tmp_path / "旧库"
    (root / ".obsidian").mkdir(parents=True)
    (root / "img").mkdir()
    (root / "img" / "曲线.png").write_bytes(b"\x89PNG fake")
    (root / "算法").mkdir()
    (root / "算法" / "PPO 原理.md").write_text(  # kb's fixture has a note of this name too
        "---\ntitle: 我的 PPO\n---\n# 我的 PPO\n\n见 [[GAE 笔记#推导|GAE]] 与 [[索引]]。\n\n"
        "![[曲线.png]]\n", "utf-8")
    (root / "GAE 笔记.md").write_text("# GAE\n\n## 推导\n\n回到 [[算法/PPO 原理]]。\n", "utf-8")
    (root / "索引.md").write_text("# 索引\n\n- [[PPO 原理]]\n- [[GAE 笔记]]\n", "utf-8")
    return root


def test_a_folder_comes_in_with_its_links_and_attachments(vault: Path, tmp_path: Path) -> None:
    root = their_vault(tmp_path)
    dry = run_import(vault, str(root), "--section", "PPO", "--path", "导入", "--dry-run")
    assert dry.exit_code == 0 and "3 note(s) planned; nothing written" in dry.output
    assert not (vault / "导入").exists()
    result = run_import(vault, str(root), "--section", "PPO", "--path", "导入")
    assert result.exit_code == 0, result.output
    index = build_index(load_vault(vault))
    base = "导入/旧库"
    assert {f"{base}/算法/PPO 原理", f"{base}/GAE 笔记", f"{base}/索引"} <= set(index.notes)
    mine = {index.notes[k].path for k in index.notes if k.startswith(base)}
    problems = [d.format() for d in index.diagnostics if d.path in mine]
    assert problems == []  # every link and embed resolves at the new paths
    targets = {(lk.source, lk.target) for lk in index.links if lk.source.startswith(base)}
    assert (f"{base}/索引", f"{base}/算法/PPO 原理") in targets  # not kb's PPO 原理
    assert (vault / "assets" / "曲线.png").read_bytes() == b"\x89PNG fake"
    again = run_import(vault, str(root), "--section", "PPO", "--path", "导入")
    assert again.exit_code == 1 and "not overwriting" in again.output


def test_json_plan(vault: Path, tmp_path: Path) -> None:
    result = run_import(vault, str(their_vault(tmp_path)), "--section", "PPO", "--path", "导入",
                        "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)
    assert {p["note"] for p in plan} == {"导入/旧库/算法/PPO 原理.md", "导入/旧库/GAE 笔记.md",
                                         "导入/旧库/索引.md"}
    assert all(p["overwrites"] is False for p in plan)


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    shutil.copytree(REPO / "tests" / "fixtures" / "good_vault", root)
    return root

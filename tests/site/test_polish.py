"""Item 7 of issue 15, without a browser: titles instead of slugs, no stray spaces from
hard-wrapped Chinese lines, ``404.html`` linking relatively."""

from __future__ import annotations

import re
from pathlib import Path

from rlref.index import build_index
from rlref.site.api import discover_modules
from rlref.site.cjk_spacing import join_wrapped_lines, wrapped_lines
from rlref.site.compiler import note_context
from rlref.site.layout import shown_title
from rlref.site.nav import build_nav
from rlref.site.note import compile_note
from rlref.site.status import VerifyReport
from rlref.vault import load_vault


def write(root: Path, path: str, front: str, body: str) -> None:
    file = root / path
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(f"---\n{front}---\n{body}", encoding="utf-8")


def test_a_slug_title_shows_as_the_notes_h1_in_nav_backlinks_and_related(
    tmp_path: Path,
) -> None:
    moc = "# 目录\n\n## 论文\n\n- [[GEPA-Prompt]]\n"
    write(tmp_path, "_MOC.md", "title: 目录\ntype: moc\n", moc)
    write(
        tmp_path,
        "GEPA-Prompt.md",
        "title: GEPA-Prompt\n",
        "# GEPA：反思式<提示词>进化\n\n见 [[target]]。\n",
    )
    write(tmp_path, "target.md", 'title: 目标\nrelated: ["[[GEPA-Prompt]]"]\n', "# 另一个 H1\n")
    vault = load_vault(tmp_path)
    index = build_index(vault)
    notes = index.notes
    assert shown_title(notes["GEPA-Prompt"]) == "GEPA：反思式<提示词>进化"
    # a title that is not the file's name stays, whatever the H1 says
    assert shown_title(notes["target"]) == "目标"
    nav, _, _ = build_nav(index, [], [])
    labels = str(nav)
    assert "GEPA：反思式&lt;提示词&gt;进化" in labels and "'GEPA-Prompt'" not in labels
    context, _ = note_context(vault, index, VerifyReport(False), discover_modules())
    target = compile_note(notes["target"], context).text
    backlinks = target[target.index("## 反向链接") :]
    assert "[GEPA：反思式&lt;提示词&gt;进化](GEPA-Prompt.md)" in backlinks
    assert "**相关**：[GEPA：反思式&lt;提示词&gt;进化](GEPA-Prompt.md)" in target
    page = compile_note(notes["GEPA-Prompt"], context).text
    assert page.startswith('---\ntitle: "GEPA：反思式&lt;提示词&gt;进化"\n')


def test_line_breaks_between_chinese_characters_go_code_and_math_keep_theirs() -> None:
    html = (
        "<p>用\n笔记，见\n<a href='x'>链接</a>、\n  <strong>粗</strong>\n中。Latin\nword 中\nB</p>"
        "<pre>代\n码</pre><code>代\n码</code><annotation>文\n字</annotation>"
    )
    assert len(wrapped_lines(html)) == 4
    joined = join_wrapped_lines(html)
    prose = "<p>用笔记，见<a href='x'>链接</a>、<strong>粗</strong>中。Latin\nword 中\nB</p>"
    assert prose in joined
    assert "<pre>代\n码</pre><code>代\n码</code><annotation>文\n字</annotation>" in joined
    assert wrapped_lines(joined) == []


def test_home_and_guide_pages_have_no_stray_spaces(built_site) -> None:
    site = built_site.paths.site
    pages = [site / "index.html", *sorted((site / "guide").glob("*.html"))]
    assert len(pages) >= 5
    left = {page.name: wrapped_lines(page.read_text("utf-8")) for page in pages}
    assert {name: found for name, found in left.items() if found} == {}


def test_404_links_relatively(built_site) -> None:
    html = (built_site.paths.site / "404.html").read_text("utf-8")
    urls = re.findall(r'(?:href|src)="([^"]*)"', html)
    assert any(url.endswith("index.html") for url in urls)
    assert [url for url in urls if url.startswith("/")] == []

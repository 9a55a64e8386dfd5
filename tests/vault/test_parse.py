"""Parser tests: what is and is not a link, formula tags, headings, tags, sources, lines."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from rlref.vault import load_vault, parse_note

FRONT = "---\ntitle: T\n---\n"  # the body starts on line 4


def parse(body: str):
    return parse_note("n.md", FRONT + body)


def targets(body: str) -> list[str]:
    return [link.target for link in parse(body).links]


def test_link_forms() -> None:
    note = parse(
        "[[a]] [[b|别名]] [[c#标题]] [[d#标题|别名]] [[#本地]] ![[e.png]] [[f#^blk]] [[g#A#B]]\n"
    )
    got = [(lk.target, lk.heading, lk.block, lk.alias, lk.embed) for lk in note.links]
    assert got == [
        ("a", None, None, None, False),
        ("b", None, None, "别名", False),
        ("c", "标题", None, None, False),
        ("d", "标题", None, "别名", False),
        ("", "本地", None, None, False),
        ("e.png", None, None, None, True),
        ("f", None, "blk", None, False),
        ("g", "B", None, None, False),
    ]


def test_links_in_code_and_math_are_not_links() -> None:
    body = (
        "`[[code span]]` and $[[inline math]]$ and [[real]]\n\n"
        "```\n[[fenced]]\n```\n\n"
        "$$\n\\text{[[display math]]}\n$$\n\n"
        "    [[indented code]]\n"
    )
    assert targets(body) == ["real"]


def test_alias_in_table_cell_is_one_link() -> None:
    body = "| a | b |\n|---|---|\n| [[PPO 原理\\|PPO]] | [[x]] |\n"
    note = parse(body)
    assert [(lk.target, lk.alias) for lk in note.links] == [("PPO 原理", "PPO"), ("x", None)]
    assert all(lk.line == 6 for lk in note.links)


def test_line_numbers_across_a_paragraph() -> None:
    note = parse("first line\nsecond [[a]]\nthird ![img](p.png) $x$\n\n# H\n")
    assert note.links[0].line == 5
    assert note.markdown_links[0].line == 6
    assert note.math[0].line == 6
    assert note.headings[0].line == 8


def test_formula_tag_binds_next_display_block() -> None:
    body = "<!-- formula: ppo-clip -->\n$$\nL = \\min(a, b)\n$$\n\n$$\nuntagged\n$$\n"
    note = parse(body)
    assert [(f.id, f.latex, f.line) for f in note.formulas] == [("ppo-clip", "L = \\min(a, b)", 5)]
    assert len(note.math) == 2


def test_formula_tag_separated_by_blank_line_is_a_warning() -> None:
    note = parse("<!-- formula: lost -->\n\n$$\nx\n$$\n")
    assert note.formulas == []
    assert any("lost" in d.message for d in note.diagnostics)


def test_duplicate_formula_id_is_an_error() -> None:
    note = parse("<!-- formula: a -->\n$$\nx\n$$\n\n<!-- formula: a -->\n$$\ny\n$$\n")
    assert [d.line for d in note.diagnostics if d.severity == "error"] == [9]


def test_headings_get_toc_anchors() -> None:
    note = parse("# PPO 原理\n## 实现对照\n## 实现对照\n## Q&A 面试\n")
    assert [h.anchor for h in note.headings] == ["ppo-原理", "实现对照", "实现对照_1", "qa-面试"]


def test_tags_inline_and_frontmatter() -> None:
    note = parse_note("n.md", "---\ntitle: T\ntags: [a, '#b']\n---\nx #中文 #c/d C# `#code` #12\n")
    assert note.frontmatter is not None and note.frontmatter.tags == ["a", "b"]
    assert [t.name for t in note.tags] == ["中文", "c/d"]


def test_sources_from_frontmatter_and_links() -> None:
    text = (
        "---\ntitle: T\nsources:\n  - {title: PPO, arxiv: '1707.06347'}\n"
        "  - 'arXiv:2305.18290 DPO'\n---\nsee [GRPO](https://arxiv.org/abs/2402.03300v2)\n"
    )
    note = parse_note("n.md", text)
    assert [(s.arxiv, s.line) for s in note.sources] == [
        ("1707.06347", 3),
        ("2305.18290", 3),
        ("2402.03300", 7),
    ]


def test_frontmatter_related_links_are_links() -> None:
    note = parse_note("n.md", '---\ntitle: T\nrelated: ["[[a|A]]", "[[b]]"]\n---\nbody\n')
    assert [(lk.target, lk.line) for lk in note.links] == [("a", 3), ("b", 3)]


def test_callout_math_is_math_not_a_formula() -> None:
    note = parse("> [!note] 标题\n> $$\n> x = 1\n> $$\n")
    assert note.formulas == [] and note.math and note.math[0].display


def test_nfd_file_names_are_nfc_in_the_vault(tmp_path: Path) -> None:
    name = unicodedata.normalize("NFD", "Café 概览.md")
    (tmp_path / name).write_text("---\ntitle: Café\n---\nx\n", encoding="utf-8")
    vault = load_vault(tmp_path)
    assert list(vault.notes) == [unicodedata.normalize("NFC", "Café 概览")]


def test_crlf_and_lone_cr_count_lines_like_lf(tmp_path: Path) -> None:
    (tmp_path / "crlf.md").write_bytes(b"---\r\ntitle: A\r\n---\r\n# H\r\n\r\n[[x]]\r\n")
    (tmp_path / "cr.md").write_bytes(b"---\rtitle: B\r---\r# H\r\r[[x]]\r")
    vault = load_vault(tmp_path)
    for key in ("crlf", "cr"):
        note = vault.notes[key]
        assert [(h.text, h.line) for h in note.headings] == [("H", 4)]
        assert [(lk.target, lk.line) for lk in note.links] == [("x", 6)]


def test_tokens_are_kept_only_when_asked(tmp_path: Path) -> None:
    (tmp_path / "n.md").write_text("---\ntitle: N\n---\n# H\n\ntext\n", encoding="utf-8")
    assert load_vault(tmp_path).notes["n"].tokens is None
    tokens = load_vault(tmp_path, keep_tokens=True).notes["n"].tokens
    assert tokens is not None and [t.type for t in tokens][:3] == [
        "heading_open", "inline", "heading_close"
    ]


def test_frontmatter_tags_carry_the_line_of_their_key() -> None:
    note = parse_note("n.md", "---\ntitle: T\ntype: concept\ntags: [rl, ppo]\n---\n正文 #inline\n")
    assert [(t.name, t.line) for t in note.frontmatter_tags] == [("rl", 4), ("ppo", 4)]
    assert [(t.name, t.line) for t in note.tags] == [("inline", 6)]


def test_an_unreadable_file_is_a_diagnostic_and_the_rest_is_read(tmp_path: Path) -> None:
    (tmp_path / "好.md").write_text("---\ntitle: 好\n---\n正文\n", encoding="utf-8")
    (tmp_path / "断.md").symlink_to(tmp_path / "不存在.md")
    vault = load_vault(tmp_path)
    assert list(vault.notes) == ["好"]
    assert [(d.path, d.line, d.severity) for d in vault.diagnostics] == [("断.md", 1, "error")]
    assert "cannot read" in vault.diagnostics[0].message


def test_the_selective_inline_pass_finds_what_the_full_pass_finds(monkeypatch) -> None:
    """The vault parser skips the inline pass where no link or math can start; on the shipped
    vault and the fixtures that must change nothing the vault reads."""
    from rlref.vault import markdown

    def snapshot(root: Path) -> dict[str, str]:
        notes = load_vault(root).notes
        return {key: repr((n.links, n.math, n.tags, n.sources, n.headings, sorted(n.block_ids),
                           n.markdown_links, n.formulas, n.diagnostics))
                for key, n in notes.items()}

    repo = Path(__file__).parents[2]
    roots = [repo / "kb", *(repo / "tests" / "fixtures" / v for v in ("good_vault", "bad_vault"))]
    selective = [snapshot(root) for root in roots]
    full = markdown.MarkdownIt("commonmark").enable("table").enable("strikethrough")
    full.use(markdown.dollarmath_plugin, double_inline=True, allow_space=True, allow_digits=True)
    full.inline.ruler.before("link", "wikilink", markdown._wikilink_rule)
    assert "inline" in full.core.ruler.get_active_rules()
    monkeypatch.setattr("rlref.vault.parse.parser", lambda: full)
    assert [snapshot(root) for root in roots] == selective

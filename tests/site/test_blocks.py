"""Re-indentation of note bodies for Python-Markdown (rlref.site.blocks)."""

from __future__ import annotations

import markdown

from rlref.site.blocks import analyse, rewrite_lines


def rewrite(body: str) -> str:
    return "\n".join(rewrite_lines(analyse(body), lambda content, index, heading: content))


def render(body: str) -> str:
    """The compiled body through Python-Markdown with the site's block extensions."""
    md = markdown.Markdown(
        extensions=[
            "admonition",
            "pymdownx.details",
            "pymdownx.superfences",
            "tables",
            "pymdownx.arithmatex",
            "md_in_html",
        ],
        extension_configs={"pymdownx.arithmatex": {"generic": True}},
    )
    return md.convert(rewrite(body))


def test_list_right_after_a_paragraph_becomes_a_list() -> None:
    html = render("介绍：\n- 一\n- 二\n")
    assert "<ul>" in html and html.count("<li>") == 2


def test_two_space_nested_list_stays_nested() -> None:
    out = rewrite("- a\n  - b\n  - c\n- d\n")
    assert out.splitlines() == ["- a", "    - b", "    - c", "- d"]
    assert render("- a\n  - b\n- d\n").count("<ul>") == 2


def test_ordered_list_with_parenthesis_and_continuation() -> None:
    out = rewrite("1) one\n   more\n2) two\n")
    assert out.splitlines()[:3] == ["1. one", "    more", "2. two"]


def test_callout_becomes_admonition_with_type_title_and_fold() -> None:
    out = rewrite("> [!TIP] 直觉\n> 正文\n\n> [!faq]- 问题\n> 答案\n\n> [!note]\n> x\n")
    assert '!!! tip "直觉"' in out and "    正文" in out
    assert '??? question "问题"' in out
    assert '!!! note "备注"' in out  # a callout without title gets its type's name


def test_unknown_callout_type_is_a_note_and_plain_quote_stays_a_quote() -> None:
    out = rewrite("> [!custom] 标题\n> x\n\n> 普通引用\n")
    assert '!!! note "标题"' in out
    assert "> 普通引用" in out


def test_nested_callout_and_fence_inside_callout() -> None:
    body = "> [!note] 外\n> > [!warning] 内\n> > 文字\n>\n> ```python\n> x = 1\n> ```\n"
    html = render(body)
    assert html.count('<div class="admonition ') == 2
    assert "<code" in html and '<span class="mi">1</span>' in html  # highlighted, not text


def test_display_math_inside_a_paragraph_gets_its_own_block() -> None:
    html = render("前文\n$$\nx^2\n$$\n后文 $$y$$ 完\n")
    assert html.count('<div class="arithmatex">') == 2


def test_math_after_formula_tag_is_a_block_and_tag_gets_an_anchor() -> None:
    body = "<!-- formula: f-1 -->\n$$\na = b\n$$\n"
    out = rewrite(body)
    assert "<!-- formula: f-1 -->" in out
    assert '<div class="rlref-formula" id="formula-f-1"></div>' in out
    assert '<div class="arithmatex">' in render(body)


def test_code_and_math_lines_are_not_given_to_the_inline_rewriter() -> None:
    seen: list[str] = []
    body = "text [[a]]\n```\n[[b]]\n```\n$$\n[[c]]\n$$\n"
    rewrite_lines(analyse(body), lambda content, index, heading: seen.append(content) or content)
    assert "text [[a]]" in seen
    assert not any("[[b]]" in s or "[[c]]" in s for s in seen)


def test_leading_h1_is_found_for_the_card() -> None:
    assert analyse("# 标题\n\n正文\n").first_h1_end == 1
    assert analyse("正文\n\n# 标题\n").first_h1_end is None


def test_kept_vault_tokens_give_the_same_rewrite_as_a_fresh_parse() -> None:
    """The compiler reuses the vault's tokens; they must describe the body it rewrites."""
    from pathlib import Path

    from rlref.vault import load_vault

    kb = Path(__file__).parents[2] / "kb"
    notes = load_vault(kb, keep_tokens=True).notes.values()
    keep = lambda content, index, heading: content  # noqa: E731
    for note in notes:
        reused = rewrite_lines(analyse(note.body, note.tokens), keep)
        assert reused == rewrite_lines(analyse(note.body), keep), note.path


def test_obsidian_comments_are_not_shown() -> None:
    """Obsidian shows ``%% … %%`` only while editing: inline, over lines, around a fence."""
    body = (
        "公开 %%私下的话%% 文字\n"
        "\n"
        "%%\n"
        "整段私下\n"
        "```py\n"
        "secret = 1\n"
        "```\n"
        "%%\n"
        "\n"
        "- 列表 %%备注%%\n"
        "> [!note] 标题\n"
        "> 引用 %%批注\n"
        "> 续%% 可见\n"
    )
    out = rewrite(body)
    for hidden in ("私下", "secret", "备注", "批注", "续", "%%"):
        assert hidden not in out, (hidden, out)
    for shown in ("公开", "文字", "列表", "标题", "引用", "可见"):
        assert shown in out, (shown, out)


def test_percent_signs_in_code_are_not_comments() -> None:
    body = "用 `%%timeit` 计时，``%%`` 与 `a%%b` 都是代码\n\n```py\n%%time\nx = 1\n```\n"
    out = rewrite(body)
    assert "`%%timeit`" in out and "``%%``" in out and "`a%%b`" in out
    assert "都是代码" in out and "%%time\nx = 1" in out

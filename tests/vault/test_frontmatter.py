"""Frontmatter schema: required keys, known values, kept extras, near-miss warnings."""

from __future__ import annotations

import pytest

from rlref.vault.frontmatter import read_frontmatter


def diags(text: str) -> list[tuple[int, str, str]]:
    return [(d.line, d.severity, d.message) for d in read_frontmatter("n.md", text).diagnostics]


def test_valid_frontmatter_keeps_unknown_keys() -> None:
    result = read_frontmatter("n.md", "---\ntitle: T\nrating: 5\nbrief: x\n---\nbody\n")
    assert result.diagnostics == []
    assert result.model is not None and result.model.model_extra == {"rating": 5, "brief": "x"}
    assert result.body == "body\n" and result.body_line == 6


UNTITLED = "no title: titled by its file name, as in Obsidian (add `title:` to name it)"


@pytest.mark.parametrize("front", ["---\ntype: concept\n---\n", "---\ntitle:\n---\n"])
def test_without_a_title_the_file_name_titles_the_note_with_a_warning(front: str) -> None:
    result = read_frontmatter("a/GRPO 笔记.md", front + "# 另一个标题\n")
    assert [(d.line, d.severity, d.message, d.kind) for d in result.diagnostics] == [
        (2, "warning", UNTITLED, "missing-title")
    ]
    assert result.model is not None and result.model.title == "GRPO 笔记"
    assert "title" not in result.data or result.data["title"] is None  # the file is as written


def test_a_note_without_frontmatter_is_titled_by_its_file_name() -> None:
    result = read_frontmatter("笔记/第一篇.md", "# just a body\n")
    assert [(d.line, d.severity, d.kind) for d in result.diagnostics] == [
        (1, "warning", "missing-title")
    ]
    assert result.model is not None and result.model.title == "第一篇"


def test_unclosed_frontmatter() -> None:
    assert diags("---\ntitle: T\n")[0][2].startswith("frontmatter opened")


@pytest.mark.parametrize(
    ("key", "suggestion"),
    [("tittle", "title"), ("alias", "aliases"), ("staus", "status"), ("formula", "formulas")],
)
def test_near_miss_keys_warn_with_suggestion(key: str, suggestion: str) -> None:
    found = diags(f"---\ntitle: T\n{key}: x\n---\n")
    assert (
        3,
        "warning",
        f"frontmatter: unknown key '{key}' — did you mean '{suggestion}'?",
    ) in found


@pytest.mark.parametrize(
    ("line", "needle"),
    [("type: algo", "'type'"), ("status: done", "'status'"), ("impl: [nocolon]", "'impl'")],
)
def test_bad_values_name_key_and_line(line: str, needle: str) -> None:
    found = diags(f"---\ntitle: T\n{line}\n---\n")
    assert len(found) == 1 and found[0][0] == 3 and needle in found[0][2]


def test_yaml_syntax_error_has_its_line() -> None:
    found = diags("---\ntitle: T\ntags: [a, b\ntype: concept\n---\n")
    assert found[0][1] == "error" and found[0][2].startswith("YAML syntax") and found[0][0] == 4


def test_unquoted_arxiv_number_is_rejected() -> None:
    found = diags("---\ntitle: T\nsources:\n  - {arxiv: 1707.06340}\n---\n")
    assert found and "quote the arXiv id" in found[0][2]


def test_scalar_tags_and_aliases_become_lists() -> None:
    model = read_frontmatter("n.md", "---\ntitle: 1\ntags: rl\naliases: PPO\n---\n").model
    assert model is not None
    assert (model.title, model.tags, model.aliases) == ("1", ["rl"], ["PPO"])


def test_a_yaml_mistake_notes_make_often_says_what_to_do() -> None:
    from rlref.vault.parse import parse_note

    colon = parse_note("n.md", "---\ntitle: GRPO: 深度理解\n---\n# t\n").diagnostics
    assert [(d.line, d.severity) for d in colon] == [(2, "error")]
    assert 'must be quoted: title: "GRPO: 深度理解"' in colon[0].message
    placeholder = parse_note("n.md", "---\ntitle: t\ncreated: {{date}}\n---\n# t\n").diagnostics
    assert [d.line for d in placeholder] == [3]
    assert "template placeholder" in placeholder[0].message
    other = parse_note("n.md", "---\ntitle: [a\n---\n# t\n").diagnostics
    assert "quoted" not in other[0].message and "placeholder" not in other[0].message

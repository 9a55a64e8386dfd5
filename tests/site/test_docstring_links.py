"""Docstring wikilinks (``Note: [[…]]``) resolved against the vault and linked by the griffe
extension (rlref.site.docstring_links, rlref.site.griffe_notes)."""

from __future__ import annotations

import re
from pathlib import Path

from rlref.index.build import link_targets
from rlref.site.api import Module, discover_modules
from rlref.site.docstring_links import resolve_docstring_links
from rlref.site.griffe_notes import DocstringNoteLinks, link_docstring
from rlref.vault import load_vault

KB = Path(__file__).resolve().parents[2] / "kb"


def resolve(vault_root: Path, modules: list[Module]):
    vault = load_vault(vault_root)
    return resolve_docstring_links(modules, vault.notes, link_targets(vault))


def test_every_docstring_note_link_resolves_in_the_shipped_vault() -> None:
    modules = discover_modules()
    result = resolve(KB, modules)
    assert result.diagnostics == []
    named = set()
    for module in modules:
        if module.name.startswith("rlref.algos"):  # elsewhere ``[[…]]`` is mostly an example
            source = module.file.read_text("utf-8")
            named |= set(re.findall(r"^\s*Note: \[\[([^\]]+)\]\]", source, re.MULTILINE))
    assert len(named) > 20 and named <= set(result.links)
    kl = result.links["AI/LLM/RL/Fundamentals/KL散度"]
    assert kl == {
        "url": "../notes/AI/LLM/RL/Fundamentals/KL%E6%95%A3%E5%BA%A6.md",
        "title": "KL散度",
    }


def test_a_docstring_link_to_no_note_or_heading_names_file_and_line(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "目标.md").write_text("---\ntitle: 目标\n---\n# 目标\n\n## 有这节\n", "utf-8")
    source = tmp_path / "mod.py"
    source.write_text(
        '"""Module.\n\nSee [[目标#有这节]].\n"""\n\n\n'
        'def f():\n    """F.\n\n    Note: [[没有的笔记]]\n'
        '    Also [[目标#没有这节|别名]], not `[[代码]]`.\n    """\n',
        "utf-8",
    )
    result = resolve(vault, [Module("mod", source)])
    assert [(d.line, d.severity) for d in result.diagnostics] == [(10, "error"), (11, "error")]
    assert "[[没有的笔记]] names no note" in result.diagnostics[0].message
    assert "no heading '没有这节'" in result.diagnostics[1].message
    assert result.links["目标#有这节"] == {
        "url": "../notes/%E7%9B%AE%E6%A0%87.md#有这节",
        "title": "目标",
    }


def test_link_docstring_rewrites_links_but_not_code_or_math() -> None:
    links = {"a/b": {"url": "../notes/a/b.md", "title": "B_笔记"}}
    text = "Note: [[a/b]]\n`[[a/b]]` $[[a/b]]$\n```\n[[a/b]]\n```\n[[x/未知|别名]] [[x/未知]]"
    assert link_docstring(text, links) == (
        "Note: [B\\_笔记](../notes/a/b.md)\n`[[a/b]]` $[[a/b]]$\n```\n[[a/b]]\n```\n别名 未知"
    )


def test_the_extension_reads_the_links_file_and_tolerates_its_absence(tmp_path: Path) -> None:
    links = tmp_path / "links.json"
    links.write_text('{"a": {"url": "u.md", "title": "A"}}', "utf-8")
    assert DocstringNoteLinks(str(links)).links == {"a": {"url": "u.md", "title": "A"}}
    assert DocstringNoteLinks(str(tmp_path / "missing.json")).links == {}

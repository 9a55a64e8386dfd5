"""A user's vault as Obsidian keeps it: its template folders are not notes, its settings are
untrusted input, and the properties Obsidian writes are not taken for misspelt keys."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rlref.cli import app
from rlref.vault import load_vault
from rlref.vault.attachments import DEFAULT_ATTACHMENT_FOLDER, attachment_folder
from rlref.vault.obsidian import template_folders
from rlref.vault.parse import parse_note

FIXTURES = Path(__file__).parents[1] / "fixtures"
TEMPLATE = "---\ntitle: {{title}}\ndate: {{date:YYYY-MM-DD}}\n---\n# {{title}}\n"


def their_vault(root: Path, settings: dict[str, str]) -> Path:
    """A vault with a note, a template folder `模板` and the given ``.obsidian`` files."""
    (root / "笔记").mkdir(parents=True)
    (root / "笔记" / "PPO.md").write_text("---\ntitle: 近端笔记\n---\n# 近端\n\n见 [[GRPO]]。\n")
    (root / "笔记" / "GRPO.md").write_text("---\ntitle: 组相对笔记\n---\n# 组相对\n")
    (root / "模板").mkdir()
    (root / "模板" / "论文.md").write_text(TEMPLATE)
    for name, text in settings.items():
        (root / ".obsidian" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / ".obsidian" / name).write_text(text)
    return root


@pytest.mark.parametrize(
    "settings",
    [
        {"templates.json": json.dumps({"folder": "模板"})},
        {"templates.json": json.dumps({"folder": "/模板/"})},
        {"plugins/templater-obsidian/data.json": json.dumps({"templates_folder": "模板"})},
    ],
)
def test_the_template_folder_is_not_read_as_notes(tmp_path: Path, settings) -> None:
    vault = load_vault(their_vault(tmp_path / "v", settings))
    assert sorted(vault.notes) == ["笔记/GRPO", "笔记/PPO"]
    result = CliRunner().invoke(app, ["check", str(tmp_path / "v"), "--strict"])
    assert result.exit_code == 0, result.output


def test_without_settings_a_template_is_a_note_with_its_problem(tmp_path: Path) -> None:
    vault = load_vault(their_vault(tmp_path / "v", {}))
    assert "模板/论文" in vault.notes
    assert any(d.severity == "error" for d in vault.notes["模板/论文"].diagnostics)


@pytest.mark.parametrize(
    "text",
    [
        json.dumps({"folder": "/"}),  # the root: it would be the whole vault
        json.dumps({"folder": ""}),
        json.dumps({"folder": "../笔记"}),  # outside the vault
        json.dumps({"folder": "模板/../.."}),
        json.dumps({"folder": 5}),
        json.dumps({"folder": ["模板"]}),
        json.dumps({"folder": "模\x00板"}),
        json.dumps(["模板"]),
        "{not json",
        "[" * 100_000,  # nested past the parser's depth
        "\xff\xfe",
    ],
)
def test_an_unusable_setting_is_not_set(tmp_path: Path, text: str) -> None:
    root = their_vault(tmp_path / "v", {"templates.json": text})
    assert template_folders(root) == frozenset()
    assert "笔记/PPO" in load_vault(root).notes


def test_a_settings_file_out_of_the_vault_or_not_regular_is_not_read(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text(json.dumps({"folder": "笔记", "attachmentFolderPath": "笔记"}))
    root = their_vault(tmp_path / "v", {})
    (root / ".obsidian").mkdir()
    (root / ".obsidian" / "templates.json").symlink_to(elsewhere)
    (root / ".obsidian" / "app.json").symlink_to(elsewhere)
    assert template_folders(root) == frozenset()
    assert attachment_folder(root) == DEFAULT_ATTACHMENT_FOLDER
    assert "笔记/PPO" in load_vault(root).notes


def test_an_endless_settings_file_is_not_read(tmp_path: Path) -> None:
    """``app.json`` as a link to /dev/zero (inside no vault) or a FIFO: refused at once."""
    root = their_vault(tmp_path / "v", {})
    (root / ".obsidian").mkdir()
    os.mkfifo(root / ".obsidian" / "templates.json")
    (root / ".obsidian" / "app.json").symlink_to("/dev/zero")
    started = time.monotonic()
    assert template_folders(root) == frozenset()
    assert attachment_folder(root) == DEFAULT_ATTACHMENT_FOLDER
    assert time.monotonic() - started < 5


def test_a_large_settings_file_is_not_read(tmp_path: Path) -> None:
    padding = " " * (2 * 1024 * 1024)
    root = their_vault(tmp_path / "v", {"templates.json": '{"folder": "模板"}' + padding})
    assert template_folders(root) == frozenset()


def test_importing_a_vault_leaves_its_templates_and_says_so(tmp_path: Path) -> None:
    source = their_vault(tmp_path / "theirs", {"templates.json": json.dumps({"folder": "模板"})})
    vault = tmp_path / "vault"
    shutil.copytree(FIXTURES / "good_vault", vault)
    result = CliRunner().invoke(
        app,
        ["import", str(source), "--vault", str(vault), "--moc", "AI/RL/_MOC", "--section", "PPO"],
    )
    assert result.exit_code == 0, result.output
    assert "模板: skipped: the vault's template folder" in result.output
    imported = sorted(p.name for p in vault.rglob("*.md"))
    assert "PPO.md" in imported and "GRPO.md" in imported
    assert "论文.md" not in imported
    checked = CliRunner().invoke(app, ["check", str(vault)])
    assert checked.exit_code == 0, checked.output


@pytest.mark.parametrize(
    ("key", "flagged"), [("created", False), ("updated", False), ("source", True), ("tittle", True)]
)
def test_obsidian_properties_are_not_misspelt_keys(key: str, flagged: bool) -> None:
    note = parse_note("n.md", f"---\ntitle: t\n{key}: 2024-05-01\n---\n# t\n")
    assert any(d.kind == "unknown-key" for d in note.diagnostics) == flagged


@pytest.mark.parametrize(
    ("yaml_value", "names"),
    [
        ("rl, ppo", ["rl", "ppo"]),
        ("rl", ["rl"]),
        ("'近端策略, PPO,'", ["近端策略", "PPO"]),
        ("[rl, ppo]", ["rl", "ppo"]),
        ("['a, b']", ["a, b"]),  # a list item is one name, commas and all
    ],
)
def test_one_string_of_tags_or_aliases_names_several(yaml_value: str, names: list[str]) -> None:
    """As Obsidian and the sites published from it read ``tags: rl, ppo`` (both readers of
    the frontmatter: the plain one and the schema that words problems)."""
    from rlref.vault.frontmatter_schema import FrontmatterModel

    text = f"---\ntitle: t\ntags: {yaml_value}\naliases: {yaml_value}\n---\n# t\n"
    note = parse_note("n.md", text)
    assert note.frontmatter is not None
    assert note.frontmatter.tags == [n.lstrip("#") for n in names]
    assert note.frontmatter.aliases == names
    model = FrontmatterModel.model_validate(note.raw_frontmatter)
    assert model.tags == note.frontmatter.tags and model.aliases == names

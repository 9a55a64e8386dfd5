"""Lossy mojibake (UTF-8 read as Windows-1252, bytes lost): the damage, detection, recovery,
and `rlref import` / `rlref check` on damaged copies of kb's notes (made here, never stored)."""

from __future__ import annotations

import hashlib
import json
import random
import re
import shutil
from difflib import SequenceMatcher
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rlref.cli import app
from rlref.vault.importing import repair_mojibake, repair_name, repair_path
from rlref.vault.load import mojibake_diagnostics, vault_vocabulary
from rlref.vault.mojibake import LOST, Vocabulary, damage, detect, recover_name, recover_text

KB = Path(__file__).parents[2] / "kb"
MOC = KB / "AI/LLM/RL/_MOC.md"
CJK = re.compile("[\u3400-\u9fff]")

LATIN1_LINES = [
    "café, naïve, Zürich, Ångström, ½ cup, © 2024",
    "Kocsis & Szepesvári. Bandit based Monte-Carlo Planning. ECML 2006",
    "résumé — déjà vu — façade — São Paulo — Ça va ?",
    "Â_i = (r_i - mean)/(std + ε)",
    'AT["Â_T = 0"] --> A2["Â_{T-1} = δ_{T-1}"]',
    "Œuvre complète, « citation », 30 °C, 5 µm, ±3 %, x² + y³",
    "The café—bar and the naïve—approach",
    "café – bar, né – x, déjà » vu",
    "Müller, Søren, Ærø, Þór, ðe, ÿ, ß, ñandú, Çelik",
    "“café” ‘naïve’ … • – — ™ € £ ¥ §",
    "Straße 12, Göteborg, Kraków, Île-de-France",
    "à la carte, crème brûlée, piñata, jalapeño, über",
    "Ä Ö Ü ä ö ü — Å å — É é — Ñ ñ",
    "price: 12,50 € / 3¼ lb; ¿qué? ¡sí!",
]


def _split(path: str) -> str:  # the benchmark's split: tuning vs held-out by a hash of the path
    return "tuning" if hashlib.sha256(path.encode()).digest()[0] % 2 == 0 else "held-out"


def test_the_damage_is_the_exact_round_trip() -> None:
    text = "学习 与中不、”！ρ 😀 café\u00a0x"
    original = text.encode("utf-8")
    kept = bytes(b for b in original if b not in LOST)
    with_nbsp = damage(text, random.Random(0), space_rate=0.0)
    assert with_nbsp == "".join(
        bytes([b]).decode("cp1252") if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else chr(b)
        for b in kept
    )
    with_space = damage(text, random.Random(0), space_rate=1.0)
    assert with_space == with_nbsp.replace("\u00a0", " ")
    assert damage("学习", random.Random(0), space_rate=1.0) == "å¦ä¹ "
    assert not set(with_nbsp) & {chr(b) for b in LOST} and "Ž" not in with_nbsp
    # per occurrence: one seed keeps some no-break spaces and turns others into spaces
    mixed = damage("习" * 200, random.Random(1))
    assert 0 < mixed.count("\u00a0") < 200 and 0 < mixed.count(" ") < 200


@pytest.mark.parametrize("line", LATIN1_LINES)
def test_legitimate_latin1_is_left_exactly(line: str) -> None:
    assert detect(line) == []
    assert recover_text(line) == (line, [])
    assert repair_mojibake(line) == (line, [], [])
    assert mojibake_diagnostics("note.md", line) == []


def test_clean_kb_comes_out_byte_identical() -> None:
    for note in sorted(KB.rglob("*.md")):
        text = note.read_text("utf-8")
        assert detect(text) == [], note
        assert recover_text(text)[0] == text, note
        assert repair_mojibake(text)[0] == text, note


def test_check_hints_that_import_recovers_a_lossy_line() -> None:
    damaged = damage("强化学习的数学原理", random.Random(0))
    found = mojibake_diagnostics("note.md", f"fine line\n{damaged}\n")
    assert len(found) == 1 and found[0].line == 2 and found[0].severity == "error"
    assert "lossy" in found[0].message and "rlref import" in found[0].message


def test_a_lossless_line_is_decoded() -> None:
    line = "价值函数的直觉。".encode().decode("latin-1")
    assert recover_text(line) == ("价值函数的直觉。", [])


def test_neighbouring_gaps_are_decided_jointly_and_reported() -> None:
    vocabulary = Vocabulary.build(["马尔科夫"], ["在训练中，策略与价值不同。"] * 3)
    clean = "在训练中，策略与价值不同。马尔科夫"
    fixed, uncertain = recover_text(damage(clean, random.Random(0)), vocabulary)
    assert fixed == clean
    for found in uncertain:
        assert found.line == 1 and found.chosen == clean[found.column - 1]
        assert found.alternatives[0][0] == found.chosen and len(found.alternatives) > 1
        json.dumps(found.to_json(), ensure_ascii=False)


def test_a_damaged_name_is_repaired() -> None:
    name = damage("强化学习 笔记", random.Random(0), space_rate=1.0)
    assert name != "强化学习 笔记"
    assert recover_name(name)[0] == "强化学习 笔记"
    repaired, changes = repair_name(name)
    assert repaired == "强化学习 笔记" and "file name" in changes[0]
    assert repair_name("café")[0] == "café"


def test_held_out_sample_is_recovered(kb_vocabulary: Vocabulary) -> None:
    held_out = sorted(
        p for p in KB.rglob("*.md") if _split(p.relative_to(KB).as_posix()) == "held-out"
    )
    total = right = 0
    for note in held_out[:6]:
        clean = note.read_text("utf-8")[:4000]
        clean = clean[: clean.rfind("\n") + 1]
        fixed, _ = recover_text(damage(clean, random.Random(7)), kb_vocabulary)
        for a, b in zip(clean.split("\n"), fixed.split("\n"), strict=True):
            total += len(CJK.findall(a))
            blocks = SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
            right += sum(len(CJK.findall(a[m.a : m.a + m.size])) for m in blocks)
    assert total > 2000 and right / total >= 0.99, (right, total)


@pytest.fixture(scope="module")
def kb_vocabulary() -> Vocabulary:
    """The vocabulary of kb's tuning half only (the held-out notes are not in it)."""
    tuning = [p for p in KB.rglob("*.md") if _split(p.relative_to(KB).as_posix()) == "tuning"]
    names = [p.stem for p in tuning]
    return Vocabulary.build(names, [p.read_text("utf-8") for p in tuning])


@pytest.fixture(scope="module")
def imported_moc(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[list[str], list[str], dict[tuple[int, int], list[str]]]:
    """A damaged copy of the MOC imported into a copy of kb: the clean lines, the imported
    lines and the characters import flagged ((line, column) → alternatives)."""
    tmp_path = tmp_path_factory.mktemp("moc")
    vault = tmp_path / "kb"
    shutil.copytree(KB, vault, ignore=shutil.ignore_patterns("assets"))
    clean = MOC.read_text("utf-8")
    source = tmp_path / "moc.md"
    source.write_text(damage(clean, random.Random(3)), encoding="utf-8")
    assert sum(1 for _, kind in detect(source.read_text("utf-8")) if kind == "lossy") > 20
    result = CliRunner().invoke(
        app,
        [
            "import",
            str(source),
            "--section",
            "PPO",
            "--path",
            "AI/LLM/RL/Imported/MOC copy",
            "--vault",
            str(vault),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output[result.output.index("[") : result.output.rindex("]") + 1])
    assert any("mojibake" in change for change in plan[0]["changes"])
    flagged = {
        (u["line"], u["column"]): [a["char"] for a in u["alternatives"]]
        for u in plan[0]["uncertain"]
    }
    imported = (vault / "AI/LLM/RL/Imported/MOC copy.md").read_text("utf-8").split("\n")
    return clean.split("\n"), imported, flagged


def test_a_damaged_moc_imports_as_the_clean_moc(
    imported_moc: tuple[list[str], list[str], dict[tuple[int, int], list[str]]],
) -> None:
    """Issue 14's "done when": the imported damaged MOC equals the clean MOC line for line."""
    clean, imported, _ = imported_moc
    wrong = [
        (number, want, got)
        for number, (want, got) in enumerate(zip(clean, imported, strict=False), start=1)
        if want != got
    ]
    assert wrong == [] and len(imported) == len(clean), wrong


def test_each_flagged_character_of_the_moc_is_placed_with_its_alternatives(
    imported_moc: tuple[list[str], list[str], dict[tuple[int, int], list[str]]],
) -> None:
    """The import report places each character chosen among close candidates at its line and
    column of the imported note, the chosen one first among its alternatives."""
    clean, imported, flagged = imported_moc
    assert len(imported) == len(clean)
    for (number, column), alternatives in flagged.items():
        assert len(alternatives) >= 2, (number, column, alternatives)
        assert imported[number - 1][column - 1] == alternatives[0], (number, column, alternatives)


def test_a_damaged_file_name_and_title_import_repaired(tmp_path: Path) -> None:
    vault = tmp_path / "kb"
    shutil.copytree(KB, vault, ignore=shutil.ignore_patterns("assets"))
    rng = random.Random(5)
    name = damage("策略梯度的直觉", rng)
    source = tmp_path / f"{name}.md"
    body = "# 策略梯度的直觉\n\n从马尔科夫决策过程出发，推导策略梯度定理。\n"
    source.write_text(damage(body, rng), encoding="utf-8")
    result = CliRunner().invoke(
        app, ["import", str(source), "--section", "PPO", "--vault", str(vault)]
    )
    assert result.exit_code == 0, result.output
    assert "file name: mojibake" in result.output
    written = [p for p in vault.rglob("策略梯度的直觉.md")]
    assert len(written) == 1, result.output
    text = written[0].read_text("utf-8")
    assert 'title: "策略梯度的直觉"' in text and body in text


def test_vault_vocabulary_reads_names_and_skips_clean_imports(tmp_path: Path) -> None:
    assert vault_vocabulary(KB, ["no mojibake here"]).words == {}
    vocabulary = vault_vocabulary(KB)
    assert "马尔科夫" in vocabulary.words and vocabulary.total > 0


def test_a_damaged_folder_path_is_repaired_part_by_part() -> None:
    rng = random.Random(2)
    damaged = f"{damage('强化学习', rng)}/{damage('策略更新', rng)}"
    found = repair_path(damaged)
    assert found.name == "强化学习/策略更新"
    assert [c.split(":")[0] for c in found.changes] == ["folder name", "file name"]
    for legitimate in ("café/naïve", "Zürich/Ångström notes", "résumé"):
        assert repair_path(legitimate).name == legitimate and not repair_path(legitimate).changes

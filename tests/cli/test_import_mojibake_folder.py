"""`rlref import FOLDER` of a vault whose file and folder names went through the lossy
cp1252 round trip: the names are repaired, links to them resolve at the repaired paths, and
`--json` lists every character chosen among close candidates as structured fields."""

from __future__ import annotations

import json
import random
from pathlib import Path

from typer.testing import CliRunner

from rlref.cli import app
from rlref.index import build_index
from rlref.vault import load_vault
from rlref.vault.mojibake import damage

MOC = "AI/RL/_MOC"
runner = CliRunner()


def run_import(vault: Path, *args: str):
    return runner.invoke(app, ["import", *args, "--vault", str(vault), "--moc", MOC])


def damaged(text: str, seed: int) -> str:
    broken = damage(text, random.Random(seed), space_rate=0.0)
    assert broken != text
    return broken


def damaged_folder(tmp_path: Path) -> Path:
    """Three notes, two of them with damaged names (one in a damaged folder); one note's
    text is damaged too (its links with it), the other links by the clean names."""
    root = tmp_path / "旧库"
    folder = root / damaged("强化学习", 1)
    folder.mkdir(parents=True)
    (folder / f"{damaged('策略更新', 2)}.md").write_text(
        "# 策略更新\n\n回到 [[价值函数的直觉]]。\n", "utf-8"
    )
    (root / f"{damaged('价值函数的直觉', 3)}.md").write_text(
        damaged("# 价值函数的直觉\n\n见 [[强化学习/策略更新]] 与 [[索引]]。\n", 4), "utf-8"
    )
    (root / "索引.md").write_text("# 索引\n\n- [[策略更新]]\n- [[价值函数的直觉|价值]]\n", "utf-8")
    return root


def test_damaged_file_and_folder_names_are_repaired_and_links_follow(
    vault: Path, tmp_path: Path
) -> None:
    result = run_import(vault, str(damaged_folder(tmp_path)), "--section", "PPO", "--path", "导入")
    assert result.exit_code == 0, result.output
    assert "folder name: mojibake" in result.output and "file name: mojibake" in result.output
    index = build_index(load_vault(vault))
    base = "导入/旧库"
    expected = {f"{base}/强化学习/策略更新", f"{base}/价值函数的直觉", f"{base}/索引"}
    assert expected == {key for key in index.notes if key.startswith(base)}
    mine = {index.notes[key].path for key in expected}
    assert [d.format() for d in index.diagnostics if d.path in mine] == []
    targets = {(link.source, link.target) for link in index.links if link.source in expected}
    assert {
        (f"{base}/索引", f"{base}/强化学习/策略更新"),
        (f"{base}/索引", f"{base}/价值函数的直觉"),
        (f"{base}/价值函数的直觉", f"{base}/强化学习/策略更新"),
        (f"{base}/强化学习/策略更新", f"{base}/价值函数的直觉"),
    } <= targets


def test_json_reports_each_uncertain_character_with_its_line_and_alternatives(
    vault: Path, tmp_path: Path
) -> None:
    clean = "".join(
        f"第 {n} 行：在训练中，策略与价值不同，奖励与优势不一定一致。\n" for n in range(1, 9)
    )
    source = tmp_path / f"{damaged('中与不', 5)}.md"
    source.write_text(damaged(clean, 6), "utf-8")
    result = run_import(vault, str(source), "--section", "PPO", "--path", "AI/RL/导入", "--json")
    assert result.exit_code == 0, result.output
    start = result.output.index("[")
    plan = json.loads(result.output[start : result.output.rindex("]") + 1])
    uncertain = plan[0]["uncertain"]
    written = (vault / "AI/RL/导入.md").read_text("utf-8").split("\n")
    in_body = [u for u in uncertain if u["where"] == "body"]
    assert in_body, uncertain
    for found in in_body:
        assert set(found) >= {"line", "source_line", "column", "chosen", "alternatives"}
        line, column = found["line"], found["column"]
        assert written[line - 1][column - 1] == found["chosen"]  # placed in the written note
        assert found["line"] > found["source_line"]  # the frontmatter created moved it
        chars = [alternative["char"] for alternative in found["alternatives"]]
        assert chars[0] == found["chosen"] and len(chars) > 1
        assert all(0 < alternative["p"] <= 1 for alternative in found["alternatives"])
    in_name = [u for u in uncertain if u["where"] == "file name"]
    assert all(u["name"] == plan[0]["title"] and u["line"] is None for u in in_name)

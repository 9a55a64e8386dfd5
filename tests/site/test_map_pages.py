"""A map of the ideas (issue 15, item 6), compiled: a page per tag, the home page's learning
path and demos, the "TRL / verl 对照" page from TRL_MAP and the notes' 实现对照 tables."""

from __future__ import annotations

from pathlib import Path

from rlref.index import build_index
from rlref.site.api import discover_modules
from rlref.site.frameworks import frameworks_page, load_trl_map, split_cells
from rlref.site.homepage import home_overview, learning_path
from rlref.site.pages import tag_anchors
from rlref.site.status import VerifyReport
from rlref.site.tagpages import tags_page
from rlref.vault import load_vault

FORMULA = "<!-- formula: f -->\n$$\nx=1\n$$\n"


def write(root: Path, path: str, front: str, body: str) -> None:
    file = root / path
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(f"---\n{front}---\n{body}", encoding="utf-8")


def concept(title: str, body: str = "", extra: str = "") -> str:
    return f"title: {title}\ntype: concept\n{extra}", f"# {title}\n\n{body}\n{FORMULA}"


def test_each_tag_has_its_view_and_the_index_leads_there(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "title: A <i>\ntags: [rl/ppo, 基础]\nstatus: stub\n", "# A\n")
    write(tmp_path, "b.md", "title: B\ntags: [基础]\ntype: concept\n", "# B\n\n#基础 正文\n")
    index = build_index(load_vault(tmp_path))
    page = tags_page(index.tags, tag_anchors(index.tags), index.notes)
    index_part = page[page.index("共 2 个标签") :]
    assert '<a class="rlref-tag" href="#基础">#基础 <small>2</small></a>' in index_part
    assert index_part.index("#基础") < index_part.index("#rl/ppo")  # most used first
    basics = page[page.index('id="基础"') : page.index("</section>", page.index('id="基础"'))]
    assert '<li><a href="notes/a.md">A &lt;i&gt;</a> — 存根</li>' in basics
    assert '<li><a href="notes/b.md">B</a> — 概念</li>' in basics
    assert 'id="rlppo"' in page and "search:\n  exclude: true" in page


def test_the_home_page_gives_a_learning_path_and_the_demos(tmp_path: Path) -> None:
    moc = (
        "# 目录\n\n## 基础\n\n- [[未引用]]\n- [[策略梯度]]\n- [[存根]]\n\n"
        "## PPO\n\n- [[PPO 实践]]\n- [[PPO]]\n\n## 空\n\n- [[PPO 实践]]\n\n## DPO\n\n- [[DPO]]\n"
    )
    write(tmp_path, "_MOC.md", "title: 目录\ntype: moc\n", moc)
    write(tmp_path, "未引用.md", *concept("未引用"))
    write(tmp_path, "策略梯度.md", *concept("策略梯度"))
    write(tmp_path, "存根.md", *concept("存根", extra="status: stub\n"))
    write(tmp_path, "PPO 实践.md", "title: PPO 实践\ntype: practice\ndemo: ppo\n", "# PPO 实践\n")
    write(tmp_path, "PPO.md", *concept("PPO", "基于 [[策略梯度]] 和 [[存根]]。"))
    write(tmp_path, "DPO.md", *concept("DPO", extra="demo: dpo\n"))
    index = build_index(load_vault(tmp_path))
    assert learning_path(index) == [("基础", ["策略梯度"]), ("PPO", ["PPO"]), ("DPO", ["DPO"])]
    order = ["_MOC", "未引用", "策略梯度", "存根", "PPO 实践", "PPO", "DPO"]
    home = home_overview(index, order, VerifyReport(False))
    assert "1. **基础**：[策略梯度](notes/%E7%AD%96%E7%95%A5%E6%A2%AF%E5%BA%A6.md)" in home
    assert "2. **PPO**：[PPO](notes/PPO.md)" in home and "3. **DPO**：" in home
    assert "- `rlref run ppo` — [PPO 实践](notes/PPO%20%E5%AE%9E%E8%B7%B5.md)" in home
    assert home.index("rlref run ppo") < home.index("rlref run dpo")
    assert "[TRL / verl 对照](trl-verl.md)" in home


TABLE = """# 笔记

## 实现对照

| 公式 id | `rlref` 函数 | TRL 1.16.0 | verl 0.9.1 |
|---|---|---|---|
| `f` | `rlref.vault.slug:slug` | `loss_type="x"` | 无（没有） |
| 裁剪 | `clip` | — | `actor.clip_ratio`，见 [[别的笔记\\|别名]] |
| `g` | `abs` | `$|x|$ \\| y` | `a` |

## 后面

| 不是 | 这张表 |
|---|---|
| a | b |
"""

TRL_MAP = """
from dataclasses import dataclass

@dataclass(frozen=True)
class Row:
    trainer: str
    option: str
    impl: str
    note: str
    remark: str = ""

TRL_MAP = (
    Row("DPO", 'loss_type="sigmoid"', "rlref.vault.slug:slug", "笔记", "a | b"),
    Row("GRPO", 'loss_type="dr_grpo"', "rlref.nothing:here", "不在库里的笔记"),
)
"""


def test_the_trl_verl_page_renders_trl_map_and_the_notes_tables(tmp_path: Path) -> None:
    write(tmp_path / "vault", "笔记.md", "title: 笔记\n", TABLE)
    (tmp_path / "trl_map.py").write_text(TRL_MAP, encoding="utf-8")
    rows = load_trl_map(tmp_path / "trl_map.py")
    assert [row.trainer for row in rows] == ["DPO", "GRPO"]
    assert load_trl_map(tmp_path / "missing.py") == []
    notes = build_index(load_vault(tmp_path / "vault")).notes
    documented = {module.name: module for module in discover_modules()}
    page = frameworks_page(notes, ["笔记"], documented, rows)
    slug = "[`slug`](api/rlref.vault.slug.md#rlref.vault.slug.slug)"
    note = "[笔记](notes/%E7%AC%94%E8%AE%B0.md#实现对照)"
    assert "### DPOTrainer" in page and "### GRPOTrainer" in page
    assert (
        f'| `loss_type="sigmoid"` | {slug} | [笔记](notes/%E7%AC%94%E8%AE%B0.md) | a \\| b |'
        in page
    )
    assert '| `loss_type="dr_grpo"` | `here` | 不在库里的笔记 | — |' in page
    trl = page[page.index("## TRL → rlref") : page.index("## verl → rlref")]
    verl = page[page.index("## verl → rlref") :]
    assert f'| `loss_type="x"` | {slug} | `f` | {note} |' in trl
    assert "clip" not in trl and "无" not in verl  # "—" and "无" cells are left out
    assert f"| `actor.clip_ratio`，见 别名 | `clip` | 裁剪 | {note} |" in verl
    assert "这张表" not in page  # only the table of the 实现对照 section


def test_table_cells_keep_pipes_inside_code_and_math() -> None:
    assert split_cells("| `a|b` | $|x|$ | c \\| d |") == ["`a|b`", "$|x|$", "c \\| d"]

"""Navigation from the MOCs (rlref.site.nav)."""

from __future__ import annotations

from pathlib import Path

from rlref.index import build_index
from rlref.site.nav import build_nav
from rlref.vault import load_vault


def write(root: Path, path: str, text: str) -> None:
    file = root / path
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text, encoding="utf-8")


def moc(title: str, body: str) -> str:
    return f"---\ntitle: {title}\ntype: moc\n---\n# {title}\n\n{body}"


def note(title: str) -> str:
    return f"---\ntitle: {title}\n---\n# {title}\n"


def titles(items: list) -> list[str]:
    return [next(iter(item)) if isinstance(item, dict) else item for item in items]


def group(items: list, title: str) -> list:
    return next(item[title] for item in items if isinstance(item, dict) and title in item)


def test_nav_follows_moc_sections_and_nesting(tmp_path: Path) -> None:
    write(
        tmp_path,
        "AI/_MOC.md",
        moc(
            "总目录",
            (
                "## 下级\n\n- [[AI/RL/_MOC]]\n\n## 捷径\n\n- [[AI/RL/Z 笔记]]\n\n"
                "## 相关\n\n- [[Other/_MOC]]\n"
            ),
        ),
    )
    write(
        tmp_path,
        "AI/RL/_MOC.md",
        moc(
            "RL 目录",
            ("## 第二 部分\n\n- [[Z 笔记]]\n- [[A 笔记]]\n\n## 第一 部分\n\n- [[M 笔记]]\n"),
        ),
    )
    write(tmp_path, "Other/_MOC.md", moc("其他目录", "## 引用\n\n- [[AI/RL/A 笔记]]\n"))
    for name in ("Z 笔记", "A 笔记", "M 笔记"):
        write(tmp_path, f"AI/RL/{name}.md", note(name))
    write(tmp_path, "孤立.md", note("孤立"))
    nav, order, roots = build_nav(build_index(load_vault(tmp_path)), ["guide/index.md"], [])

    assert titles(nav) == ["首页", "指南", "总目录", "其他目录", "其他笔记", "索引", "API 参考"]
    top = group(nav, "总目录")
    # the sub-MOC nests where its parent lists it; a section holding only it is lifted
    assert titles(top) == ["总目录", "RL 目录"]
    rl = group(top, "RL 目录")
    assert titles(rl) == ["RL 目录", "第二 部分", "第一 部分"]  # the MOC's order
    assert titles(group(rl, "第二 部分")) == ["Z 笔记", "A 笔记"]
    # the pointer in "捷径" and in the unrelated MOC do not steal the note from its MOC
    assert titles(group(nav, "其他目录")) == ["其他目录"]
    assert titles(group(nav, "其他笔记")) == ["孤立"]
    assert len(order) == len(set(order)) == 7  # every note exactly once
    assert roots == ["AI/_MOC", "Other/_MOC"]


def test_long_sections_are_split_into_runs_in_moc_order(tmp_path: Path) -> None:
    names = [f"笔记 {i:03d}" for i in range(60)]
    write(tmp_path, "_MOC.md", moc("目录", "## 全部\n\n" + "".join(f"- [[{n}]]\n" for n in names)))
    for name in names:
        write(tmp_path, f"{name}.md", note(name))
    nav, order, _ = build_nav(build_index(load_vault(tmp_path)), [], [])
    runs = group(group(nav, "目录"), "全部")
    assert titles(runs) == ["笔记 000 … 笔记 024", "笔记 025 … 笔记 049", "笔记 050 … 笔记 059"]
    assert order[1:] == [f"{n}" for n in names]  # still every note, in the MOC's order


def test_a_link_in_a_sections_prose_is_not_an_entry(tmp_path: Path) -> None:
    write(
        tmp_path,
        "_MOC.md",
        moc(
            "目录",
            (
                "## 算法\n\n本节之外的对比见 [[综述]]。\n\n- [[甲]]\n\n"
                "## 综述\n\n- [[综述]]\n\n## 只有正文\n\n正文里提到 [[乙]]。\n"
            ),
        ),
    )
    for name in ("甲", "乙", "综述"):
        write(tmp_path, f"{name}.md", note(name))
    index = build_index(load_vault(tmp_path))
    assert [s.notes for s in index.moc_sections["_MOC"]] == [("甲",), ("综述",), ("乙",)]
    nav, _, _ = build_nav(index, [], [])
    top = group(nav, "目录")
    assert titles(group(top, "算法")) == ["甲"]
    assert titles(group(top, "综述")) == ["综述"]

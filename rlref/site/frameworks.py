"""The "TRL / verl 对照" page: framework option → rlref function → note.

Two sources, both rendered as found:

- ``rlref.algos.trl_map.TRL_MAP``: each TRL option an ``rlref.algos`` call reproduces, every
  row checked against TRL's own code by ``make conformance``. The module is data; it is
  loaded from its file, so the build imports neither ``rlref.algos`` (torch) nor TRL.
- the notes' 实现对照 tables: in each row, the cell of a TRL or verl column (named in the
  header), the rlref function and the formula or behaviour of the first column. Cells that
  say there is none (无, —) are left out; links inside cells become their text (a cell
  moves to another page).
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rlref.site.api import PACKAGE_ROOT, Module, impl_target
from rlref.site.layout import (
    FRAMEWORKS_PAGE,
    escape_markdown,
    note_doc,
    relative_url,
    shown_title,
)
from rlref.vault.model import Note

TRL_MAP_FILE = PACKAGE_ROOT / "rlref" / "algos" / "trl_map.py"
SECTION = "实现对照"
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
_CELL_SPLIT = re.compile(r"(`[^`]*`|\$[^$]*\$|\\\||\|)")
_WIKILINK = re.compile(r"\[\[([^\]|#]*)(?:#[^\]|]*)?(?:\|([^\]]*))?\]\]")
_LINK = re.compile(r"(?<!!)\[([^\]]*)\]\([^)]*\)")
_NOTHING = re.compile(r"^(?:无|—|-|–|没有|不适用|n/?a)(?:[（(，,：:\s]|$)", re.IGNORECASE)
FRAMEWORKS = {"trl": "TRL", "verl": "verl"}


def load_trl_map(file: Path = TRL_MAP_FILE) -> list[Any]:
    """The rows of ``TRL_MAP``, loaded from the module's file alone; [] if it cannot be."""
    name = "_rlref_site_trl_map"
    spec = importlib.util.spec_from_file_location(name, file)
    if spec is None or spec.loader is None or not file.is_file():
        return []
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is made
    try:
        spec.loader.exec_module(module)
        return list(getattr(module, "TRL_MAP", ()))
    except Exception:  # a broken table leaves the page without it, not the build
        return []
    finally:
        sys.modules.pop(name, None)


@dataclass(frozen=True)
class TableRow:
    framework: str  # "TRL" | "verl"
    option: str  # the framework's cell, Markdown
    function: str  # the rlref cell, Markdown
    subject: str  # the first cell: formula id or behaviour
    note: str  # note key
    anchor: str | None  # the 实现对照 heading's anchor


def split_cells(line: str) -> list[str]:
    """The cells of a Markdown table row; ``|`` inside code, math or escaped is kept."""
    cells, current = [], ""
    for piece in _CELL_SPLIT.split(line.strip()):
        if piece == "|":
            cells.append(current)
            current = ""
        else:
            current += piece
    cells.append(current)
    if cells and not cells[0].strip():
        cells = cells[1:]
    if cells and not cells[-1].strip():
        cells = cells[:-1]
    return [cell.strip() for cell in cells]


def _plain(cell: str) -> str:
    cell = _WIKILINK.sub(lambda m: m.group(2) or m.group(1).rsplit("/", 1)[-1], cell)
    return _LINK.sub(r"\1", cell)


def _section_table(body: str) -> list[list[str]]:
    """The first table under the note's 实现对照 heading, as rows of cells (header first)."""
    rows: list[list[str]] = []
    level = 0
    for line in body.split("\n"):
        heading = _HEADING.match(line)
        if heading:
            if level and len(heading.group(1)) <= level:
                break
            if not level and heading.group(2).startswith(SECTION):
                level = len(heading.group(1))
            continue
        if not level:
            continue
        if line.lstrip().startswith("|"):
            rows.append(split_cells(line))
        elif rows:
            break
    return [row for i, row in enumerate(rows) if i != 1]  # without the |---| line


def note_rows(key: str, note: Note) -> list[TableRow]:
    table = _section_table(note.body)
    if len(table) < 2:
        return []
    header = [cell.lower() for cell in table[0]]
    function = next((i for i, cell in enumerate(header) if "rlref" in cell), None)
    if function is None:
        return []
    anchor = next((h.anchor for h in note.headings if h.text.startswith(SECTION)), None)
    found: list[TableRow] = []
    for row in table[1:]:
        for column, title in enumerate(header):
            if column in (0, function) or column >= len(row) or function >= len(row):
                continue
            option = row[column]
            if not option or _NOTHING.match(option):
                continue
            for word, framework in FRAMEWORKS.items():
                if word in title:
                    found.append(
                        TableRow(
                            framework,
                            _plain(option),
                            _plain(row[function]),
                            _plain(row[0]),
                            key,
                            anchor,
                        )
                    )
    return found


def _note_link(key: str, notes: dict[str, Note], anchor: str | None = None) -> str:
    if key not in notes:
        return escape_markdown(key.rsplit("/", 1)[-1])
    title = escape_markdown(shown_title(notes[key]))
    return f"[{title}]({relative_url(FRAMEWORKS_PAGE, note_doc(key), anchor)})"


def _function_link(ref: str, documented: dict[str, Module]) -> str:
    target = impl_target(ref, documented)
    name = f"`{ref.split(':', 1)[-1]}`"
    if target is None or target.api_doc is None:
        return name
    return f"[{name}]({relative_url(FRAMEWORKS_PAGE, target.api_doc, target.anchor)})"


_REF = re.compile(r"`(rlref(?:\.\w+)+:\w+)`")


def _linked_functions(cell: str, documented: dict[str, Module]) -> str:
    """Each ``module:function`` of rlref in a cell linked to its API entry."""
    return _REF.sub(lambda m: _function_link(m.group(1), documented), cell)


def _cell(text: str) -> str:
    return text.replace("\n", " ")


def trl_section(
    rows: Iterable[Any], notes: dict[str, Note], documented: dict[str, Module]
) -> list[str]:
    by_trainer: dict[str, list[Any]] = {}
    for row in rows:
        by_trainer.setdefault(str(row.trainer), []).append(row)
    if not by_trainer:
        return []
    lines = [
        "## TRL 选项 → rlref 函数（逐行核对）",
        "",
        "每一行都由 `make conformance` 用 TRL 自己的 trainer 代码核对：同一批随机输入，"
        "float64 下损失和梯度相差不超过 1e-10。",
        "",
    ]
    for trainer, group in by_trainer.items():
        lines += [
            f"### {escape_markdown(trainer)}Trainer",
            "",
            "| TRL 选项 | rlref 函数 | 笔记 | 说明 |",
            "|---|---|---|---|",
        ]
        for row in group:
            option = f"`{row.option}`" if "`" not in row.option else escape_markdown(row.option)
            remark = _cell(escape_markdown(str(row.remark))) or "—"
            lines.append(
                f"| {option} | {_function_link(str(row.impl), documented)} "
                f"| {_note_link(str(row.note), notes)} | {remark} |"
            )
        lines.append("")
    return lines


def notes_section(
    rows: list[TableRow], notes: dict[str, Note], documented: dict[str, Module]
) -> list[str]:
    lines: list[str] = []
    for framework in FRAMEWORKS.values():
        chosen = [row for row in rows if row.framework == framework]
        if not chosen:
            continue
        lines += [
            f"## {framework} → rlref 函数（笔记的实现对照表）",
            "",
            f"| {framework} | rlref 函数 | 公式 / 行为 | 笔记 |",
            "|---|---|---|---|",
        ]
        for row in chosen:
            lines.append(
                f"| {_cell(row.option)} | {_cell(_linked_functions(row.function, documented))} "
                f"| {_cell(row.subject)} "
                f"| {_note_link(row.note, notes, row.anchor)} |"
            )
        lines.append("")
    return lines


def frameworks_page(
    notes: dict[str, Note], order: list[str], documented: dict[str, Module], trl_rows: list[Any]
) -> str:
    """The page: TRL_MAP's rows by trainer, then the notes' tables by framework."""
    rows = [row for key in order if key in notes for row in note_rows(key, notes[key])]
    lines = [
        "---\ntitle: TRL / verl 对照\n---\n",
        "# TRL / verl 对照\n",
        "框架里的一个选项，对应 rlref 的哪个函数、哪篇笔记讲它的公式。"
        f"笔记的表见各自的「{SECTION}」一节。\n",
        *trl_section(trl_rows, notes, documented),
        *notes_section(rows, notes, documented),
    ]
    if not trl_rows and not rows:
        lines.append(
            "还没有对照：笔记里加一节「实现对照」表格（含 rlref 函数一列）即可出现在这里。\n"
        )
    return "\n".join(lines)

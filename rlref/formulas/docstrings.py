"""The display formulas of the reference implementations' docstrings, held to the vault.

The API pages publish each `rlref.algos` docstring, so its ``$$`` formulas are a second copy
of the notes' formulas. Each must equal a formula of the vault that a check verifies: same
relation and same right side in canonical spelling (``rlref.formulas.latex.canonical``:
spacing, ``\\left``/``\\right`` and identifier spellings do not matter; the left side is a
label and may differ). Read statically: nothing is imported.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from rlref.formulas.latex import LatexError, canonical, split_relation, tokenize

_DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.S)


@dataclass(frozen=True)
class DocFormula:
    """One ``$$`` formula of a docstring."""

    file: Path
    line: int  # of its opening ``$$``
    owner: str  # "module:function", "module:Class" or "module" for the module docstring
    latex: str


class FormulaLike(Protocol):
    id: str
    latex: str


class NoteLike(Protocol):
    path: str
    formulas: list  # of FormulaLike


def _documented(tree: ast.Module) -> Iterator[tuple[str | None, ast.Constant]]:
    """(name or None for the module, docstring node) of the module, its top-level functions
    and classes, and the classes' methods."""
    nodes: list[tuple[str | None, ast.AST]] = [(None, tree)]
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            nodes.append((node.name, node))
        if isinstance(node, ast.ClassDef):
            nodes += [
                (f"{node.name}.{method.name}", method)
                for method in node.body
                if isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef)
            ]
    for name, node in nodes:
        body = getattr(node, "body", [])
        first = body[0] if body else None
        if (
            isinstance(first, ast.Expr)
            and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)
        ):
            yield name, first.value


def docstring_formulas(package_dir: Path, package: str) -> list[DocFormula]:
    """Every ``$$`` formula in the docstrings of the modules of ``package_dir`` (the folder
    of the package named ``package``)."""
    found: list[DocFormula] = []
    for file in sorted(Path(package_dir).glob("*.py")):
        module = package if file.stem == "__init__" else f"{package}.{file.stem}"
        tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
        for name, doc in _documented(tree):
            text = doc.value
            for match in _DISPLAY.finditer(text):
                line = doc.lineno + text.count("\n", 0, match.start())
                owner = f"{module}:{name}" if name else module
                found.append(DocFormula(file, line, owner, match.group(1).strip()))
    return found


def formula_key(latex: str) -> tuple[str | None, str]:
    """(relation, canonical right side) of a formula; raises LatexError when it has more
    than one top-level relation or cannot be read."""
    tokens = tokenize(latex)
    _, rhs, relation = split_relation(tokens)
    return relation, canonical(rhs)


def checked_keys(
    notes: Iterable[NoteLike], checked: set[tuple[str, str]]
) -> dict[tuple[str | None, str], str]:
    """The key of every formula of ``notes`` whose (note key, formula id) is in ``checked``,
    to ``"note key::formula id"``."""
    keys: dict[tuple[str | None, str], str] = {}
    for note in notes:
        note_key = note.path.removesuffix(".md")
        for formula in note.formulas:
            if (note_key, formula.id) not in checked:
                continue
            try:
                keys.setdefault(formula_key(formula.latex), f"{note_key}::{formula.id}")
            except LatexError:
                continue
    return keys


def unmatched(
    formulas: Iterable[DocFormula], keys: dict[tuple[str | None, str], str]
) -> list[tuple[DocFormula, str]]:
    """The docstring formulas with no checked vault formula of the same key, and why."""
    missing: list[tuple[DocFormula, str]] = []
    for formula in formulas:
        try:
            key = formula_key(formula.latex)
        except LatexError as error:
            missing.append((formula, f"cannot be read: {error}"))
            continue
        if key not in keys:
            missing.append((formula, "equals no checked formula of the vault"))
    return missing

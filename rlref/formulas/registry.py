"""Where a vault's checks live, what they register, and loading them.

A vault may have ``.rlref.toml`` at its root; ``checks = "../checks"`` names its checks
folder (relative to the vault root). Each ``*.py`` file there holds functions registered with
``@formula_check(note, formula_id)`` or ``@formula_symbols(note, formula_id)``
(:mod:`rlref.formulas.api`).

Two readers, on purpose:

- :func:`scan_checks` reads the files with :mod:`ast` and never imports them: ``rlref check``,
  ``index``, ``build`` and ``import`` see the registrations (literal strings) and their lines,
  and what each declares (its symbols' kinds, its ``impl``: :mod:`rlref.formulas.static`),
  without running anything.
- :func:`load_checks` imports them (by file path, under unique module names): only
  ``rlref verify`` and the formula tests do.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import importlib.util
import sys
import tomllib
import types
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rlref.diagnostics import Diagnostic
from rlref.formulas.api import CHECK_ATTRIBUTE
from rlref.formulas.static import declared

CONFIG = ".rlref.toml"
DECORATORS = {"formula_check": "check", "formula_symbols": "symbols"}


@dataclass(frozen=True)
class Registration:
    """One ``@formula_check`` / ``@formula_symbols`` in a checks file."""

    kind: str  # "check" | "symbols"
    note: str  # vault path without ".md"
    formula: str
    path: Path
    line: int
    function: str
    # what the registered function declares, read statically (None: not readable)
    symbols: Any = field(default=None, compare=False)
    impl: str | None = field(default=None, compare=False)

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class ChecksFolder:
    """The checks folder of a vault, as found (``folder`` None: the vault has none)."""

    folder: Path | None
    registrations: list[Registration] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)

    def find(self, note: str, formula: str) -> list[Registration]:
        return [r for r in self.registrations if r.note == note and r.formula == formula]


def checks_folder(root: Path) -> tuple[Path | None, list[Diagnostic]]:
    """The vault's checks folder from ``.rlref.toml`` (None without the file)."""
    config = Path(root) / CONFIG
    if not config.is_file():
        return None, []
    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        return None, [Diagnostic(CONFIG, 1, "error", f"cannot read {CONFIG}: {error}")]
    setting = data.get("checks")
    if setting is None:
        return None, []
    if not isinstance(setting, str) or not setting.strip():
        return None, [
            Diagnostic(
                CONFIG,
                1,
                "error",
                "checks must be a folder path (a string), relative to the vault root",
            )
        ]
    folder = (Path(root) / setting).resolve()
    if not folder.is_dir():
        return None, [Diagnostic(CONFIG, 1, "error", f"checks folder {setting!r} does not exist")]
    return folder, []


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _function_definitions(tree: ast.Module) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    """Every ``def`` of a module, at any depth of statements; expressions (most of a checks
    file: the ``Check(...)`` calls) are not walked."""
    pending: deque[ast.AST] = deque(tree.body)  # breadth first, in order, as ast.walk
    while pending:
        node = pending.popleft()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt | ast.ExceptHandler | ast.match_case):
                pending.append(child)


def scan_file(path: Path, shown: str) -> tuple[list[Registration], list[Diagnostic]]:
    """The registrations of one checks file, read with ast (nothing is imported)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, UnicodeDecodeError, SyntaxError) as error:
        line = getattr(error, "lineno", None) or 1
        return [], [Diagnostic(shown, line, "error", f"cannot read the checks file: {error}")]
    found: list[Registration] = []
    problems: list[Diagnostic] = []
    for node in _function_definitions(tree):
        for decorator in node.decorator_list:
            if not isinstance(decorator, ast.Call):
                continue
            name = decorator.func
            called = name.attr if isinstance(name, ast.Attribute) else getattr(name, "id", None)
            if called not in DECORATORS:
                continue
            values = [_literal(a) for a in decorator.args]
            if len(values) != 2 or None in values or decorator.keywords:
                problems.append(
                    Diagnostic(
                        shown,
                        decorator.lineno,
                        "error",
                        f"@{called} takes two literal strings: the note and the formula id",
                    )
                )
                continue
            note, formula = values
            assert note is not None and formula is not None
            declaration = declared(tree, node)
            found.append(
                Registration(
                    DECORATORS[called],
                    note.removesuffix(".md"),
                    formula,
                    Path(shown),
                    decorator.lineno,
                    node.name,
                    declaration.symbols,
                    declaration.impl,
                )
            )
    return found, problems


def check_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def scan_checks(root: Path) -> ChecksFolder:
    """The vault's checks folder and its registrations, statically."""
    folder, problems = checks_folder(root)
    found = ChecksFolder(folder, problems=problems)
    if folder is None:
        return found
    resolved_root = Path(root).resolve()
    for path in check_files(folder):
        shown = _shown(path, resolved_root)
        registrations, file_problems = scan_file(path, shown)
        found.registrations.extend(registrations)
        found.problems.extend(file_problems)
    return found


def _shown(path: Path, resolved_root: Path) -> str:
    """A checks file as diagnostics name it: relative to the (resolved) vault root when
    possible."""
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(resolved_root).as_posix()
    except ValueError:
        import os

        return Path(os.path.relpath(resolved, resolved_root)).as_posix()


# ---------------------------------------------------------------------------- loading
@dataclass(frozen=True)
class Loaded:
    """A registered function, imported: call it to get the Check (or Symbols)."""

    kind: str
    note: str
    formula: str
    function: Callable[[], Any]
    where: str


def _package(folder: Path) -> str:
    """A unique package name for the checks folder, so that its files may import each
    other relatively (``from ._helpers import x``)."""
    digest = hashlib.sha256(str(folder).encode()).hexdigest()[:12]
    name = f"rlref_checks_{digest}"
    if name not in sys.modules:
        package = types.ModuleType(name)
        package.__path__ = [str(folder)]
        sys.modules[name] = package
    return name


def load_checks(root: Path) -> dict[tuple[str, str], Loaded]:
    """Import the vault's checks folder: (note, formula id) → the registered function.
    Raises ImportError (or what a checks file raises) for a file that cannot be imported."""
    folder, problems = checks_folder(root)
    if problems:
        raise ImportError(problems[0].message)
    if folder is None:
        return {}
    package = _package(folder)
    registry: dict[tuple[str, str], Loaded] = {}
    for path in check_files(folder):
        relative = path.relative_to(folder).with_suffix("")
        if "__init__" in relative.parts:
            continue
        module = importlib.import_module(".".join([package, *relative.parts]))
        for value in vars(module).values():
            marks = getattr(value, CHECK_ATTRIBUTE, ())
            if not marks or getattr(value, "__module__", None) != module.__name__:
                continue
            line = value.__code__.co_firstlineno
            for kind, note, formula in marks:
                registry[note, formula] = Loaded(kind, note, formula, value, f"{path}:{line}")
    return registry


__all__ = [
    "CONFIG",
    "ChecksFolder",
    "Loaded",
    "Registration",
    "checks_folder",
    "load_checks",
    "scan_checks",
]

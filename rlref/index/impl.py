"""Resolve ``module:function`` references without importing the module.

``rlref check`` must stay fast, and importing ``rlref.algos`` would import torch; so the
module is located on disk (importing only its top-level package) and its source is read
with ``ast`` for a top-level ``def`` or ``class`` of the name, or its re-export (an
imported name listed in ``__all__``, or imported relatively by a package's ``__init__.py``).
A module's other imports (``torch``, ``annotations``) and plain assignments are not
implementations. The test suite also imports every kb reference for real
(``tests/index/test_kb.py::test_every_impl_reference_imports_for_real``).
"""

from __future__ import annotations

import ast
import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True)
class ImplLocation:
    module: str  # as the reference names it (may be a package that re-exports it)
    name: str
    file: str  # the defining file, relative to the package root's parent, POSIX
    line: int  # the line of its ``def``/``class`` in that file
    defining: str = ""  # the module that defines it (re-exports followed)


@lru_cache(maxsize=256)
def _module_file(module: str) -> Path | None:
    top, _, rest = module.partition(".")
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    base = Path(spec.origin).parent if spec.submodule_search_locations else None
    if not rest:
        return Path(spec.origin)
    if base is None:
        return None
    candidate = base.joinpath(*rest.split("."))
    for file in (candidate.with_suffix(".py"), candidate / "__init__.py"):
        if file.is_file():
            return file
    return None


@lru_cache(maxsize=256)
def _tree(file: Path) -> ast.Module | None:
    """The module's syntax tree, parsed once per process (a vault names each module often)."""
    try:
        return ast.parse(file.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None


@lru_cache(maxsize=256)
def _top_level_names(file: Path) -> dict[str, int]:
    """Functions and classes a module defines (a package also re-exports), with their lines."""
    tree = _tree(file)
    if tree is None:
        return {}
    names: dict[str, int] = {}
    exported = _dunder_all(tree)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names[node.name] = node.lineno
        elif isinstance(node, ast.ImportFrom):
            package_reexport = file.name == "__init__.py" and node.level > 0
            for alias in node.names:
                name = alias.asname or alias.name
                if package_reexport or name in exported:
                    names[name] = node.lineno
    return names


def _dunder_all(tree: ast.Module) -> set[str]:
    """The literal strings of a top-level ``__all__ = [...]``."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            if isinstance(node.value, ast.List | ast.Tuple):
                return {
                    e.value
                    for e in node.value.elts
                    if isinstance(e, ast.Constant) and isinstance(e.value, str)
                }
    return set()


PROJECT_PACKAGE = "rlref"


@lru_cache(maxsize=4096)  # a vault names the same functions in many notes and checks
def locate_impl(ref: str) -> ImplLocation | str:
    """The location of ``module:function``, or an error message.

    Only the project's own package is named by notes: anything else (``os:system``) is an
    error, never looked up."""
    module, _, name = ref.partition(":")
    if module != PROJECT_PACKAGE and not module.startswith(PROJECT_PACKAGE + "."):
        return f"impl '{ref}': only functions of the {PROJECT_PACKAGE} package can be named"
    if not all(part.isidentifier() for part in module.split(".")) or not name.isidentifier():
        return f"impl '{ref}': not of the form 'package.module:function'"
    file = _module_file(module)
    if file is None:
        return f"impl '{ref}': module '{module}' not found"
    if name not in _top_level_names(file):
        return f"impl '{ref}': '{module}' defines no function or class '{name}'"
    defining, line = _follow(module, name) or (module, _top_level_names(file)[name])
    defining_file = _module_file(defining) or file
    root = defining_file
    for _ in defining.split("."):
        root = root.parent
    if defining_file.name == "__init__.py":
        root = root.parent
    return ImplLocation(module, name, defining_file.relative_to(root).as_posix(), line, defining)


def _follow(module: str, name: str, depth: int = 0) -> tuple[str, int] | None:
    """The module that defines ``name`` (following ``from x import name``) and its line."""
    file = _module_file(module)
    if file is None or depth > 8:
        return None
    tree = _tree(file)
    if tree is None:
        return None
    package = module if file.name == "__init__.py" else module.rpartition(".")[0]
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if node.name == name:
                return module, node.lineno
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if (alias.asname or alias.name) == name:
                    source = _absolute(package, node.module, node.level)
                    return _follow(source, alias.name, depth + 1) if source else None
    return None


def _absolute(package: str, module: str | None, level: int) -> str | None:
    """The absolute module of ``from <level dots><module> import …`` inside ``package``."""
    if level == 0:
        return module
    parts = package.split(".")
    if level - 1 > len(parts):
        return None
    base = parts[: len(parts) - (level - 1)]
    return ".".join([*base, module] if module else base)

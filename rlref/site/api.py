"""The API reference: one page per module (rendered by mkdocstrings), each function followed
by the notes whose ``impl:`` names it, and a source page per module.

Modules and their public members are found by reading the source with ``ast`` (nothing is
imported: ``rlref.algos`` would import torch), the same way ``rlref.index`` locates
``impl`` references.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rlref.index.impl import locate_impl
from rlref.site.layout import (
    API_INDEX,
    api_doc,
    escape_markdown,
    note_doc,
    relative_url,
    source_doc,
)
from rlref.site.side_by_side import side_by_side_source
from rlref.site.source import highlighted_source

SIDE_BY_SIDE_PACKAGE = "rlref.algos"  # whose source pages put descriptions beside the code
DOCUMENTED_PACKAGES = (
    "rlref.algos",
    "rlref.demos",
    "rlref.vault",
    "rlref.index",
    "rlref.formulas",
    "rlref.site",
    "rlref.cli",
    "rlref.diagnostics",
)
PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the folder that holds ``rlref/``


@dataclass
class Module:
    name: str  # dotted
    file: Path
    members: list[tuple[str, int]] = field(default_factory=list)  # public (name, line)

    @property
    def relative_file(self) -> str:
        try:
            return self.file.relative_to(PACKAGE_ROOT).as_posix()
        except ValueError:  # a module outside the repository (tests)
            return self.file.as_posix()


@dataclass(frozen=True)
class ImplTarget:
    """Where the site documents ``module:function``: its API anchor and its source line."""

    ref: str
    module: str  # the module that defines it (re-exports followed)
    name: str
    api_doc: str | None  # None when the module is not part of the API reference
    source_doc: str | None
    line: int

    @property
    def anchor(self) -> str:
        return f"{self.module}.{self.name}"

    @property
    def source_anchor(self) -> str:
        return f"L-{self.line}"


def module_file(module: str, root: Path = PACKAGE_ROOT) -> Path | None:
    base = root.joinpath(*module.split("."))
    for file in (base.with_suffix(".py"), base / "__init__.py"):
        if file.is_file():
            return file
    return None


def module_tree(file: Path) -> ast.Module | None:
    """The parsed source of ``file`` (cached per version of the file), None if unreadable."""
    try:
        stat = file.stat()
    except OSError:
        return None
    return _parsed(file, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=512)
def _parsed(file: Path, mtime_ns: int, size: int) -> ast.Module | None:
    """Parse once per version of the file (``rlref serve`` rebuilds many times)."""
    try:
        return ast.parse(file.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return None


def _dunder_all(tree: ast.Module) -> list[str] | None:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                return None
            return [str(v) for v in value] if isinstance(value, list | tuple) else None
    return None


def public_members(tree: ast.Module) -> list[tuple[str, int]]:
    """Functions and classes defined (not imported) in the module, in source order."""
    exported = _dunder_all(tree)
    found = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if exported is not None:
                public = node.name in exported
            else:
                public = not node.name.startswith("_")
            if public:
                found.append((node.name, node.lineno))
    return found


def discover_modules(packages: tuple[str, ...] = DOCUMENTED_PACKAGES) -> list[Module]:
    """Every module of the documented packages that exists now (packages first)."""
    modules: list[Module] = []
    for package in packages:
        init = module_file(package)
        if init is None or init.name != "__init__.py":
            if init is not None:
                modules.append(_module(package, init))
            continue
        modules.append(_module(package, init))
        for file in sorted(init.parent.rglob("*.py")):
            parts = file.relative_to(init.parent).with_suffix("").parts
            if any(part.startswith("_") for part in parts if part != "__init__"):
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
                if not parts:
                    continue
            modules.append(_module(".".join((package, *parts)), file))
    return modules


def _module(name: str, file: Path) -> Module:
    tree = module_tree(file)
    return Module(name, file, public_members(tree) if tree is not None else [])


def impl_target(ref: str, documented: dict[str, Module]) -> ImplTarget | None:
    found = locate_impl(ref)  # the one resolver: index, site and checker agree
    if isinstance(found, str):
        return None
    defining, name, line = found.defining, found.name, found.line
    page = documented.get(defining)
    listed = page is not None and any(member == name for member, _ in page.members)
    return ImplTarget(
        ref,
        defining,
        name,
        api_doc(defining) if listed else None,
        source_doc(page.relative_file) if page is not None else None,
        line,
    )


# -- pages --------------------------------------------------------------------------------


def _directive(identifier: str, **options: object) -> str:
    lines = [f"::: {identifier}"]
    if options:
        lines.append("    options:")
        for key, value in options.items():
            rendered = str(value).lower() if isinstance(value, bool) else value
            lines.append(f"      {key}: {rendered}")
    return "\n".join(lines)


def module_page(
    module: Module,
    users: dict[str, list[tuple[str, str]]],
    under: Callable[[str, str], str] | None = None,
) -> str:
    """The API page of one module; ``users`` maps ``module.name`` → [(note key, title)];
    ``under(page, identifier)`` is more Markdown shown under an entry (its formulas)."""
    doc = api_doc(module.name)
    parts = [
        # Half weight in search: a concept's note should rank above the code that uses its name.
        f"---\ntitle: {module.name}\nsearch:\n  boost: 0.5\n---\n",
        f"# `{module.name}`\n",
        _directive(module.name, members=False, show_root_heading=False, show_source=False),
        "",
        f"[查看源码 `{module.relative_file}`]"
        f"({relative_url(doc, source_doc(module.relative_file))})",
        "",
    ]
    for name, _ in module.members:
        identifier = f"{module.name}.{name}"
        parts.append(_directive(identifier, show_root_heading=True, heading_level=2))
        parts.append("")
        notes = users.get(identifier, [])
        if notes:
            links = " · ".join(
                f"[{escape_markdown(title)}]({relative_url(doc, note_doc(key))})"
                for key, title in notes
            )
            parts.append(f'<p class="rlref-used-by" markdown>**笔记引用：** {links}</p>\n')
        if under is not None:
            parts.append(under(doc, identifier))
    return "\n".join(parts)


def source_page(
    module: Module,
    users: dict[str, list[tuple[str, str]]] | None = None,
    docstring_links: dict[str, dict[str, str]] | None = None,
) -> str:
    """The module's source, highlighted, with an anchor per line (``#L-12``), under the
    notes whose ``impl:`` names one of its functions. The reference implementations
    (``rlref.algos``) are shown side by side: each function's description and formulas
    beside its code (``rlref.site.side_by_side``)."""
    doc = source_doc(module.relative_file)
    source = module.file.read_text(encoding="utf-8")
    if module.name.startswith(SIDE_BY_SIDE_PACKAGE):
        depth = doc.count("/") - api_doc(module.name).count("/")
        code = side_by_side_source(source, docstring_links or {}, depth)
    else:
        code = highlighted_source(source)
    back = relative_url(doc, api_doc(module.name))
    notes: dict[str, str] = {}
    for name, _ in module.members:
        for key, title in (users or {}).get(f"{module.name}.{name}", []):
            notes.setdefault(key, title)
    used = ""
    if notes:
        links = " · ".join(
            f"[{escape_markdown(title)}]({relative_url(doc, note_doc(key))})"
            for key, title in notes.items()
        )
        used = f'<p class="rlref-used-by" markdown>**笔记引用：** {links}</p>\n\n'
    # side by side, the code needs the whole width: no table of contents, no nav column
    hide = (
        "hide:\n  - navigation\n  - toc\n" if module.name.startswith(SIDE_BY_SIDE_PACKAGE) else ""
    )
    return (
        f"---\ntitle: {module.relative_file}\n{hide}search:\n  exclude: true\n---\n"
        f"# `{module.relative_file}`\n\n[← API：`{module.name}`]({back})\n\n{used}{code}\n"
    )


def index_page(modules: list[Module], users: dict[str, list[tuple[str, str]]]) -> str:
    lines = [
        "---\ntitle: API 参考\n---\n",
        "# API 参考\n",
        "rlref 的 Python API，由 mkdocstrings 从源码的 docstring 生成；docstring 里的公式"
        "（`$$…$$`）和笔记一样用 KaTeX 渲染。每个函数下方列出在 `impl:` 里引用它的笔记。\n",
    ]
    for package in DOCUMENTED_PACKAGES:
        members = [m for m in modules if m.name == package or m.name.startswith(f"{package}.")]
        if not members:
            continue
        lines.append(f"## `{package}`\n")
        for module in members:
            used = sum(1 for name, _ in module.members if users.get(f"{module.name}.{name}"))
            note = f" — {len(module.members)} 个公开对象"
            if used:
                note += f"，{used} 个被笔记引用"
            link = relative_url(API_INDEX, api_doc(module.name))
            lines.append(f"- [`{module.name}`]({link}){note}")
        lines.append("")
    return "\n".join(lines)

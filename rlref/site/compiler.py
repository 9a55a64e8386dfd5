"""Compile a vault into the plain-Markdown tree MkDocs builds (``build/docs``) and the
MOC-ordered navigation (``build/nav.yml``, inherited by the top-level ``mkdocs.yml``)."""

from __future__ import annotations

import os
import shutil
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from rlref.diagnostics import Diagnostic
from rlref.index import Index, ResolvedLink, build_index, check_vault
from rlref.index.build import link_targets
from rlref.site.api import (
    ImplTarget,
    Module,
    discover_modules,
    impl_target,
    index_page,
    module_page,
    source_page,
)
from rlref.site.assets import guide_pages, site_files, vendor_files
from rlref.site.docstring_links import resolve_docstring_links
from rlref.site.formula_checks import (
    FormulaChecks,
    api_checks_line,
    checked_against,
    formula_checks,
)
from rlref.site.frameworks import frameworks_page, load_trl_map
from rlref.site.graph import (
    GRAPH_DATA,
    GRAPH_PAGE,
    global_data,
    global_layout,
    graph_page,
    local_block,
    site_graph,
)
from rlref.site.homepage import home_overview
from rlref.site.layout import (
    API_INDEX,
    CONCEPTS_PAGE,
    FRAMEWORKS_PAGE,
    TAGS_PAGE,
    api_doc,
    attachment_doc,
    shown_title,
    source_doc,
)
from rlref.site.links import NoteTargets
from rlref.site.nav import build_nav
from rlref.site.note import NoteContext, compile_note
from rlref.site.outdir import MARKER, MARKER_TEXT, check_outputs, claim
from rlref.site.pages import OVERVIEW_MARKER, concepts_page, tag_anchors
from rlref.site.status import VerifyReport, read_verify_report
from rlref.site.tagpages import tags_page
from rlref.vault import Vault, load_vault

Output = str | Path  # generated text, or a file to copy
Progress = Callable[[int, int], None]


@dataclass
class SitePaths:
    vault: Path
    out: Path  # build folder: docs/, nav.yml (and site/, written by MkDocs)
    site_src: Path = Path("site")
    verify_json: Path = Path("build/verify.json")
    raw_html: bool = False  # publish a note's HTML as written (scripts included): opt-in only

    @property
    def docs(self) -> Path:
        return self.out / "docs"

    @property
    def nav(self) -> Path:
        return self.out / "nav.yml"

    @property
    def site(self) -> Path:
        return self.out / "site"

    @property
    def docstring_links(self) -> Path:
        return self.out / "docstring-links.json"


@dataclass
class CompileResult:
    notes: int
    pages: int
    written: int
    removed: int
    diagnostics: list[Diagnostic]  # link problems met while compiling (broken links)
    vault_errors: int  # errors ``rlref check`` reports (not all of them affect the site)
    report: VerifyReport
    timings: dict[str, float] = field(default_factory=dict)
    # rlref's docstrings link into the shipped kb; in another vault they may not resolve,
    # which is worth a warning but is not the vault's fault (so --strict ignores it).
    docstring_problems: list[Diagnostic] = field(default_factory=list)
    docstring_links: int = 0  # distinct docstring links that resolved


Users = dict[str, list[tuple[str, str]]]  # API anchor → [(note key, title)] naming it


def _impls(
    index: Index, modules: list[Module]
) -> tuple[dict[str, list[ImplTarget]], dict[str, list[str]], Users]:
    """Each note's ``impl:`` targets, the references not found, and the notes per function."""
    documented = {m.name: m for m in modules}
    impls: dict[str, list[ImplTarget]] = {}
    unresolved: dict[str, list[str]] = {}
    users: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key, note in index.notes.items():
        if note.frontmatter is None:
            continue
        for ref in note.frontmatter.impl:
            target = impl_target(ref, documented)
            if target is None:
                unresolved.setdefault(key, []).append(ref)
                continue
            impls.setdefault(key, []).append(target)
            if (key, shown_title(note)) not in users[target.anchor]:
                users[target.anchor].append((key, shown_title(note)))
    return impls, unresolved, users


def _api_outputs(
    modules: list[Module],
    users: Users,
    checks: FormulaChecks,
    docstring_links: dict[str, dict[str, str]] | None = None,
) -> tuple[dict[str, Output], list[tuple[str, list[str]]]]:
    outputs: dict[str, Output] = {API_INDEX: index_page(modules, users)}
    groups: dict[str, list[str]] = {}
    by_function = checked_against(checks)

    def formulas_of(doc: str, identifier: str) -> str:
        found = by_function.get(identifier)
        return api_checks_line(doc, found) if found else ""

    for module in modules:
        outputs[api_doc(module.name)] = module_page(module, users, formulas_of)
        outputs[source_doc(module.relative_file)] = source_page(module, users, docstring_links)
        package = ".".join(module.name.split(".")[:2])
        groups.setdefault(package, []).append(api_doc(module.name))
    return outputs, list(groups.items())


def _problems(index: Index) -> dict[tuple[str, int], list[Diagnostic]]:
    found: dict[tuple[str, int], list[Diagnostic]] = defaultdict(list)
    for diagnostic in index.diagnostics:
        found[(diagnostic.path, diagnostic.line)].append(diagnostic)
    return found


def note_context(
    vault: Vault,
    index: Index,
    report: VerifyReport,
    modules: list[Module],
    raw_html: bool = False,
) -> tuple[NoteContext, Users]:
    """What every note page needs to know about the rest of the site."""
    impls, unresolved, users = _impls(index, modules)
    documented = {module.name: module for module in modules}
    links_by_source: dict[str, list[ResolvedLink]] = defaultdict(list)
    for link in index.links:
        links_by_source[link.source].append(link)
    context = NoteContext(
        index,
        NoteTargets(index.notes, tag_anchors(index.tags), _problems(index), raw_html),
        links_by_source,
        impls,
        unresolved,
        report,
        vault.attachments,
        formula_checks(vault.root, index.notes, report, documented),
    )
    return context, users


def compile_site(paths: SitePaths, progress: Progress | None = None) -> CompileResult:
    """Write ``paths.docs`` and ``paths.nav``; files that did not change are not touched.

    Raises OutputRefused, before reading anything, when ``paths.out`` holds folders rlref
    did not make (they would be emptied)."""
    folders = check_outputs(paths.vault, paths.site_src, paths.out)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    vault = load_vault(paths.vault, keep_tokens=True)
    index = check_vault(vault, build_index(vault))
    timings["load"] = time.perf_counter() - started

    started = time.perf_counter()
    report = read_verify_report(paths.verify_json)
    modules = discover_modules()
    context, users = note_context(vault, index, report, modules, paths.raw_html)
    outputs: dict[str, Output] = {}
    diagnostics: list[Diagnostic] = []
    used_attachments: set[str] = set()
    total = len(index.notes)
    graph = site_graph(index)
    anchors = context.targets.tag_anchors
    for done, note in enumerate(index.notes.values(), start=1):
        compiled = compile_note(note, context)
        outputs[compiled.doc] = compiled.text + local_block(graph, done - 1, anchors)
        diagnostics.extend(compiled.rewriter.diagnostics)
        used_attachments |= compiled.rewriter.attachments
        if progress is not None:
            progress(done, total)
    for path in sorted(used_attachments):
        outputs[attachment_doc(path)] = paths.vault / path

    own = site_files(paths.site_src)
    docstring_links = resolve_docstring_links(modules, index.notes, link_targets(vault))
    api_outputs, api_groups = _api_outputs(
        modules, users, context.formula_checks, docstring_links.links
    )
    nav, order, _ = build_nav(index, guide_pages(own), api_groups)
    outputs.update(api_outputs)
    outputs[TAGS_PAGE] = tags_page(index.tags, context.targets.tag_anchors, index.notes)
    outputs[CONCEPTS_PAGE] = concepts_page(order, index.notes, context.impls, report)
    documented = {module.name: module for module in modules}
    outputs[FRAMEWORKS_PAGE] = frameworks_page(index.notes, order, documented, load_trl_map())
    started_graph = time.perf_counter()
    outputs[GRAPH_PAGE] = graph_page(graph)
    outputs[GRAPH_DATA] = global_data(graph, global_layout(graph, paths.site_src), anchors)
    timings["graph"] = time.perf_counter() - started_graph
    outputs.update(own)
    outputs.update(vendor_files(paths.site_src / "node_modules"))
    home = home_overview(index, order, report)
    if "index.md" in own:
        outputs["index.md"] = (
            own["index.md"].read_text(encoding="utf-8").replace(OVERVIEW_MARKER, home)
        )
    else:
        outputs["index.md"] = f"# rlref\n\n{home}"
    timings["compile"] = time.perf_counter() - started

    started = time.perf_counter()
    claim(folders[:1])  # docs/; site/ is claimed when MkDocs runs
    outputs[MARKER] = MARKER_TEXT
    written, removed = sync_tree(paths.docs, outputs)
    # libyaml's emitter when pyyaml has it: the pure-Python one took longer than the nav
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    nav_text = "# Written by `rlref build`: the MOC-ordered nav.\n" + yaml.dump(
        {"nav": nav}, Dumper=dumper, allow_unicode=True, sort_keys=False
    )
    write_if_changed(paths.nav, nav_text)
    docstring_links.write(paths.docstring_links)
    timings["write"] = time.perf_counter() - started
    vault_errors = sum(d.severity == "error" for d in index.diagnostics)
    return CompileResult(
        len(index.notes),
        len(outputs),
        written,
        removed,
        diagnostics,
        vault_errors,
        report,
        timings,
        docstring_links.diagnostics,
        len(docstring_links.links),
    )


def write_if_changed(path: Path, text: str) -> bool:
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def _copy_if_changed(source: Path, target: Path) -> bool:
    stat = source.stat()
    try:
        current = target.stat()
        if current.st_size == stat.st_size and current.st_mtime_ns == stat.st_mtime_ns:
            return False
    except OSError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
    return True


def sync_tree(root: Path, outputs: dict[str, Output]) -> tuple[int, int]:
    """Make ``root`` hold exactly ``outputs``; return (files written, files removed).

    Unchanged files keep their modification time, so ``rlref serve`` and tools watching
    the tree only see what a change really touched.
    """
    root.mkdir(parents=True, exist_ok=True)
    written = 0
    for relative, content in outputs.items():
        target = root / relative
        if isinstance(content, Path):
            written += _copy_if_changed(content, target)
        else:
            written += write_if_changed(target, content)
    removed = 0
    for directory, _, files in os.walk(root, topdown=False):
        folder = Path(directory)
        for name in files:
            if (folder / name).relative_to(root).as_posix() not in outputs:
                (folder / name).unlink()
                removed += 1
        if folder != root and not any(folder.iterdir()):
            folder.rmdir()
    return written, removed

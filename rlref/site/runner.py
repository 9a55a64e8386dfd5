"""The whole pipeline for the CLI: compile with a progress bar, MkDocs build, serve."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from rlref.diagnostics import sort_diagnostics, strictly
from rlref.site.assets import MissingAssets
from rlref.site.compiler import CompileResult, SitePaths, compile_site
from rlref.site.mkdocs_run import MkDocsResult, run_mkdocs
from rlref.site.outdir import OutputRefused

console = Console(stderr=True, soft_wrap=True)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def _report_compile(result: CompileResult, strict: bool) -> int:
    """Print the compile's problems with the severity table's verdict; count the errors."""
    found = sort_diagnostics(strictly(result.diagnostics, strict))
    for diagnostic in found:
        console.print(diagnostic.format(), markup=False, highlight=False)
    if result.docstring_problems and not result.docstring_links:
        # A vault other than the shipped kb: none of the code's note links can resolve.
        console.print(
            f"note: none of the {len(result.docstring_problems)} note links in rlref's "
            "docstrings names a note of this vault; the API pages show them as plain text"
        )
    else:
        for diagnostic in sort_diagnostics(result.docstring_problems):
            console.print(
                f"{diagnostic.path}:{diagnostic.line}: warning: {diagnostic.message}",
                markup=False,
                highlight=False,
            )
    if result.vault_errors:
        console.print(f"note: `rlref check` reports {result.vault_errors} error(s) in the vault")
    if not result.report.available:
        console.print(
            "note: no formula check results "
            f"({result.report.problem or 'run `rlref verify` first'}): formulas show as 待检查"
        )
    return sum(d.severity == "error" for d in found)


def _report_mkdocs(result: MkDocsResult, strict: bool) -> int:
    """Print the build's problems (formulas wider than the column by the severity table);
    count the errors."""
    found = sort_diagnostics(strictly([w.diagnostic() for w in result.wide_formulas], strict))
    for diagnostic in found:
        console.print(diagnostic.format(), markup=False, highlight=False)
    for message in result.warnings:
        console.print(f"mkdocs: {message}", markup=False, highlight=False)
    if result.error:
        console.print(f"mkdocs: error: {result.error}", markup=False, highlight=False)
    return sum(d.severity == "error" for d in found)


def build_site(paths: SitePaths, config: Path, *, strict: bool = False) -> bool:
    """Compile and build; False on a link error (with ``strict``: on any unresolved link or
    missing embed, and on any MkDocs warning)."""
    started = time.perf_counter()
    with _progress() as progress:
        notes = progress.add_task("编译笔记", total=None)
        try:
            compiled = compile_site(
                paths, lambda done, total: progress.update(notes, completed=done, total=total)
            )
        except (MissingAssets, OutputRefused) as exc:
            console.print(f"error: {exc}", markup=False, highlight=False)
            return False
        errors = _report_compile(compiled, strict)
        if errors:
            why = " (--strict: warnings count as errors)" if strict else ""
            console.print(f"error: {errors} link problem(s) stop the build{why}")
            return False
        pages = progress.add_task("MkDocs 构建", total=None)
        built = run_mkdocs(
            paths,
            config,
            strict=strict,
            progress=lambda done, total: progress.update(pages, completed=done, total=total),
        )
    errors = _report_mkdocs(built, strict)
    if errors:
        console.print(
            f"error: {errors} formula(s) wider than the column fail the build "
            "(--strict: warnings count as errors)"
        )
    if built.ok and not errors:
        elapsed = time.perf_counter() - started
        console.print(
            f"built {paths.site} from {compiled.notes} notes ({compiled.pages} files, "
            f"{compiled.written} changed) in {elapsed:.1f} s"
        )
    return built.ok and not errors


def serve_site(paths: SitePaths, config: Path, *, port: int = 8000) -> None:
    """Serve ``paths.site`` on 127.0.0.1 and rebuild when a source changes."""
    from mkdocs.livereload import LiveReloadServer

    logging.getLogger("mkdocs.livereload").setLevel(logging.WARNING)

    def rebuild() -> None:
        try:
            compiled = compile_site(paths)
        except (MissingAssets, OutputRefused) as exc:
            console.print(f"error: {exc}", markup=False, highlight=False)
            return
        _report_compile(compiled, strict=False)
        built = run_mkdocs(paths, config)
        _report_mkdocs(built, strict=False)
        console.print(f"rebuilt ({compiled.written} changed file(s))")

    rebuild()
    server = LiveReloadServer(builder=rebuild, host="127.0.0.1", port=port, root=str(paths.site))
    # Sources only (watching build/ would rebuild on our own writes; node_modules is big).
    sources = [paths.vault, config, Path(__file__).parents[1]]
    if paths.site_src.is_dir():
        sources += [p for p in paths.site_src.iterdir() if p.name != "node_modules"]
    for source in sources:
        if source.exists():
            server.watch(str(source))
    # verify.json, even when `rlref verify` first writes it while serving (not recursive:
    # the compiled tree and the site under it are our own output).
    paths.verify_json.parent.mkdir(parents=True, exist_ok=True)
    server.watch(str(paths.verify_json.parent), recursive=False)
    console.print(f"serving on http://127.0.0.1:{port}/ (Ctrl-C to stop)")
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()

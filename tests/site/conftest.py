"""Fixtures of the site tests: the fixture vault compiled and built once per session, a
loopback HTTP server for it, and headless Chromium that may only talk to that server."""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURE_VAULT = REPO / "tests" / "fixtures" / "site_vault"
SCREENSHOTS = REPO / "build" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class BuiltSite:
    paths: object  # rlref.site.SitePaths
    compiled: object  # rlref.site.CompileResult
    warnings: list[str]
    verify: dict = field(default_factory=dict)


def _write_verify_report(path: Path) -> dict:
    """A report written by the formula checker's own writer, with one result of each kind."""
    from rlref.formulas.report import write_report
    from rlref.formulas.runner import FormulaResult, latex_hash
    from rlref.vault import load_vault

    notes = load_vault(FIXTURE_VAULT).notes
    when = "2026-01-02T03:04:05+00:00"

    def result(key: str, formula_id: str, status: str, **extra: str) -> FormulaResult:
        formula = next(f for f in notes[key].formulas if f.id == formula_id)
        extra.setdefault("latex_sha256", latex_hash(formula.latex))
        return FormulaResult(
            notes[key].path, formula_id, formula.line, status, checked_at=when, **extra
        )

    results = [
        result("RL/基础/策略 梯度", "pg-objective", "pass", impl="rlref.algos.kl:kl_k3"),
        result("RL/基础/策略 梯度", "pg-gradient", "fail", message="max abs error 0.5 at seed 3"),
        result("RL/基础/KL散度", "kl-def", "unchecked", reason="check: none — 示例公式"),
        # A hash that is not the formula's: the note changed after this run.
        result("RL/算法/PPO 原理", "ppo-clip", "pass", latex_sha256="0" * 64),
    ]  # pg-baseline has no result: it is newer than the run
    checked = {r.note for r in results}
    return write_report(
        path, results, vault="site_vault", checked_notes=checked, existing_notes=checked
    )


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The fixture vault built with ``--strict`` semantics: no broken link, no warning."""
    from rlref.site import SitePaths, compile_site
    from rlref.site.mkdocs_run import run_mkdocs

    out = tmp_path_factory.mktemp("site")
    paths = SitePaths(FIXTURE_VAULT, out, REPO / "site", out / "verify.json")
    verify = _write_verify_report(paths.verify_json)
    compiled = compile_site(paths)
    assert compiled.diagnostics == []
    built = run_mkdocs(paths, REPO / "mkdocs.yml", strict=True)
    assert built.ok, (built.error, built.warnings)
    return BuiltSite(paths, compiled, built.warnings, verify)


KB_WIDE: list = []  # the kb build's width lint: rlref.site.formula_width.WideFormula


@pytest.fixture(scope="session")
def kb_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped kb's site, built once per session (about a minute): its folder."""
    from rlref.site import SitePaths, compile_site
    from rlref.site.mkdocs_run import run_mkdocs

    out = tmp_path_factory.mktemp("kb-site")
    paths = SitePaths(REPO / "kb", out, REPO / "site", out / "no-verify.json")
    compiled = compile_site(paths)
    assert compiled.diagnostics == []
    assert compiled.docstring_problems == []  # every docstring note link resolves in kb
    built = run_mkdocs(paths, REPO / "mkdocs.yml", strict=True)
    assert built.ok, (built.error, built.warnings)
    KB_WIDE[:] = built.wide_formulas
    return paths.site


@pytest.fixture(scope="session")
def kb_site(kb_built: Path) -> Iterator[str]:
    with serve(kb_built) as url:
        yield url


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """``directory`` over HTTP on 127.0.0.1 (a free port), for the duration of the block."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site_url(built_site: BuiltSite) -> Iterator[str]:
    with serve(built_site.paths.site) as url:
        yield url


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass
class Browser:
    page: object  # playwright Page
    external: list[str]  # every non-loopback request the pages tried (all aborted)
    errors: list[str]  # uncaught JavaScript errors

    def screenshot(self, name: str, full_page: bool = False) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path


@pytest.fixture(scope="session")
def browser(site_url: str) -> Iterator[Browser]:
    with offline_browser() as opened:
        yield opened


@contextlib.contextmanager
def offline_browser() -> Iterator[Browser]:
    """Headless Chromium that may only reach 127.0.0.1; other requests are recorded, aborted."""
    from playwright.sync_api import sync_playwright

    external: list[str] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        context = chromium.new_context(viewport={"width": 1280, "height": 900})

        def guard(route) -> None:
            url = route.request.url
            if url.startswith("http://127.0.0.1:") or url.startswith(("data:", "blob:")):
                route.continue_()
            else:
                external.append(url)
                route.abort()

        context.route("**/*", guard)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield Browser(page, external, errors)
        context.close()
        chromium.close()


@pytest.fixture(scope="session")
def kb_survey(kb_built: Path, kb_site: str, browser: Browser) -> Callable[[tuple[int, int]], Any]:
    """``kb_survey(viewport)``: every kb note page visited once at that size, measured for
    all the kb browser tests (tests/site/kb_survey.py); each size is surveyed once."""
    from .kb_survey import survey

    chromium = browser.page.context.browser  # type: ignore[attr-defined]
    done: dict[tuple[int, int], Any] = {}

    def at(viewport: tuple[int, int]) -> Any:
        if viewport not in done:
            done[viewport] = survey(chromium, kb_built, kb_site, viewport)
        return done[viewport]

    return at

"""Run MkDocs on the compiled tree, in process: the top-level ``mkdocs.yml`` pointed at
the compiled folders through its ``RLREF_*`` variables."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rlref.site.compiler import SitePaths
from rlref.site.formula_width import WideFormula
from rlref.site.outdir import check_outputs, claim

PageProgress = Callable[[int, int], None]


@dataclass
class MkDocsResult:
    ok: bool
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    # display formulas wider than the column at 1440 px (kind wide-formula: --strict fails it)
    wide_formulas: list[WideFormula] = field(default_factory=list)


def site_environment(paths: SitePaths) -> dict[str, str]:
    """The variables ``mkdocs.yml`` reads to find the compiled tree, the nav and the output."""
    return {
        "RLREF_DOCS_DIR": str(paths.docs.resolve()),
        "RLREF_SITE_DIR": str(paths.site.resolve()),
        "RLREF_SITE_NAV": str(paths.nav.resolve()),
        "RLREF_DOCSTRING_LINKS": str(paths.docstring_links.resolve()),
    }


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname}: {record.getMessage()}")


def _progress_plugin(callback: PageProgress):
    """A display-only plugin that reports each rendered page (output is unchanged)."""
    from mkdocs.plugins import BasePlugin

    class Progress(BasePlugin):
        total = 0
        done = 0

        def on_files(self, files, config):
            self.total = sum(1 for f in files if f.is_documentation_page())
            callback(0, self.total)
            return files

        def on_post_page(self, output, page, config):
            self.done += 1
            callback(self.done, self.total)
            return output

    return Progress()


def _quiet_jieba() -> None:
    try:
        import jieba
    except ImportError:
        return
    jieba.setLogLevel(logging.WARNING)  # it prints its dictionary loading to stderr


def run_mkdocs(
    paths: SitePaths,
    config_file: Path = Path("mkdocs.yml"),
    *,
    strict: bool = False,
    progress: PageProgress | None = None,
) -> MkDocsResult:
    """``mkdocs build`` of the compiled tree; warnings are returned, not printed.

    MkDocs empties ``paths.site`` first: it must be rlref's (OutputRefused otherwise)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    site = check_outputs(paths.vault, paths.site_src, paths.out)[1]
    claim([site])
    _quiet_jieba()
    logger = logging.getLogger("mkdocs")
    collect = _Collect()
    saved_level, saved_propagate = logger.level, logger.propagate
    logger.addHandler(collect)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        with _environment(site_environment(paths)):
            config = load_config(str(config_file), strict=strict)
            if progress is not None:
                config.plugins["rlref-progress"] = _progress_plugin(progress)
            # What `mkdocs build` does around the build, for plugins that rely on it.
            config.plugins.on_startup(command="build", dirty=False)
            try:
                build(config)
            finally:
                config.plugins.on_shutdown()
    except (Abort, ConfigurationError) as exc:
        return MkDocsResult(False, collect.messages, str(exc) or type(exc).__name__)
    finally:
        logger.removeHandler(collect)
        logger.setLevel(saved_level)
        logger.propagate = saved_propagate
    from rlref.site import formula_width

    return MkDocsResult(True, collect.messages, wide_formulas=list(formula_width.found))

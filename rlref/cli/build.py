"""`rlref build` and `rlref serve`: compile the vault and build (or serve) the docs site."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from rlref.cli.common import DEFAULT_VAULT, fail, require_vault

if TYPE_CHECKING:
    from rlref.site import SitePaths

OUT_HELP = "Build folder: compiled Markdown in OUT/docs, nav in OUT/nav.yml, site in OUT/site."
VaultArg = Annotated[Path, typer.Argument(help="Vault folder.")]
OutOption = Annotated[Path, typer.Option("--out", help=OUT_HELP)]
ConfigOption = Annotated[Path, typer.Option("--config", help="MkDocs configuration.")]
RawHtmlOption = Annotated[
    bool,
    typer.Option(
        "--allow-raw-html",
        help="Publish the notes' HTML as written, scripts and event handlers included "
        "(by default they are removed). Only for a vault whose every note you trust.",
    ),
]
VerifyOption = Annotated[
    Path, typer.Option("--verify-json", help="Formula check results (from `rlref verify`).")
]


def _paths(vault: Path, out: Path, verify_json: Path, raw_html: bool = False) -> SitePaths:
    """The build's folders, refused before anything runs when rlref would empty a folder it
    did not make (``--out .`` at the repository root, a parent of the vault, …)."""
    from rlref.site import SitePaths
    from rlref.site.outdir import OutputRefused, check_outputs

    paths = SitePaths(require_vault(vault), out, Path("site"), verify_json, raw_html)
    try:
        check_outputs(paths.vault, paths.site_src, paths.out)
    except OutputRefused as refused:
        raise fail(str(refused), 1) from None
    return paths


def _require_config(config: Path) -> None:
    if not config.is_file():
        raise fail(f"MkDocs configuration '{config}' does not exist (run from the repository)")


def build(
    vault: VaultArg = DEFAULT_VAULT,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Fail on a broken link and on any MkDocs warning."),
    ] = False,
    out: OutOption = Path("build"),
    config: ConfigOption = Path("mkdocs.yml"),
    verify_json: VerifyOption = Path("build/verify.json"),
    allow_raw_html: RawHtmlOption = False,
) -> None:
    """Compile the vault into plain Markdown, then build the site with MkDocs."""
    from rlref.site.runner import build_site

    _require_config(config)
    ok = build_site(_paths(vault, out, verify_json, allow_raw_html), config, strict=strict)
    if not ok:
        raise typer.Exit(1)


def serve(
    vault: VaultArg = DEFAULT_VAULT,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.", min=1, max=65535)] = 8000,
    out: OutOption = Path("build"),
    config: ConfigOption = Path("mkdocs.yml"),
    verify_json: VerifyOption = Path("build/verify.json"),
    allow_raw_html: RawHtmlOption = False,
) -> None:
    """Serve the site on 127.0.0.1, rebuilding it when the vault, site/ or rlref/ change."""
    from rlref.site.runner import serve_site

    _require_config(config)
    serve_site(_paths(vault, out, verify_json, allow_raw_html), config, port=port)


def register(app: typer.Typer) -> None:
    app.command()(build)
    app.command()(serve)

"""The ``rlref`` command line. Each command lives in its own module of this package.

Command modules keep heavy imports (torch, sympy, mkdocs) inside the command function so
that ``rlref check`` starts fast.
"""

from __future__ import annotations

import typer

from rlref.cli import build, check, import_note, index, new, run, verify

app = typer.Typer(
    name="rlref",
    help="rlref: RL-for-LLM knowledge base with formulas checked against code.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """rlref: RL-for-LLM knowledge base with formulas checked against code."""


check.register(app)
index.register(app)
verify.register(app)
build.register(app)
new.register(app)
import_note.register(app)
run.register(app)


@app.command()
def version() -> None:
    """Print rlref's version."""
    from rlref import __version__

    typer.echo(__version__)


def main() -> None:
    """Console-script entry point: user errors exit non-zero with a message, never a traceback."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        raise SystemExit(130) from None
    except OSError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None

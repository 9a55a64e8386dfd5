"""The ``rlref`` command line. Each command lives in its own module of this package.

Command modules keep heavy imports (torch, sympy, mkdocs) inside the command function so
that ``rlref check`` starts fast; :func:`main` imports only the module of the command it
runs (``rlref --help`` and an unknown command get them all), and runs a plain
``rlref check [VAULT] [--strict]`` without typer's parser
(:mod:`rlref.cli.check_run`).
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import typer

# The command modules of this package, in the order of ``rlref --help``; each has
# ``register(app)``, which adds its commands.
MODULES = ("check", "index", "verify", "build", "new", "import_note", "run")
# command name → the module that registers it
COMMANDS = {
    "check": "check",
    "index": "index",
    "verify": "verify",
    "build": "build",
    "serve": "build",
    "new": "new",
    "import": "import_note",
    "run": "run",
}


def make_app(modules: tuple[str, ...] = MODULES) -> typer.Typer:
    """The ``rlref`` app with the commands of ``modules`` (all of :data:`MODULES` by default)."""
    import typer

    made = typer.Typer(
        name="rlref",
        help="rlref: RL-for-LLM knowledge base with formulas checked against code.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )

    @made.callback()
    def _root() -> None:
        """rlref: RL-for-LLM knowledge base with formulas checked against code."""

    for module in modules:
        importlib.import_module(f"rlref.cli.{module}").register(made)

    @made.command()
    def version() -> None:
        """Print rlref's version."""
        from rlref import __version__

        typer.echo(__version__)

    return made


def __getattr__(name: str) -> Any:
    # ``from rlref.cli import app`` (tests, embedding) gets every command, built once.
    if name == "app":
        built = make_app()
        globals()["app"] = built
        return built
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def invoked_modules(argv: list[str]) -> tuple[str, ...]:
    """The modules ``rlref ARGV`` needs: the command's own when ``argv`` names one first;
    otherwise (``--help``, no command, a misspelt one) all of them."""
    return (COMMANDS[argv[0]],) if argv and argv[0] in COMMANDS else MODULES


def main() -> None:
    """Console-script entry point: user errors exit non-zero with a message, never a traceback."""
    # A command is a short process that makes many small objects (tokens, AST nodes) and
    # few reference cycles: collecting the youngest generation every 10,000 allocations
    # instead of 700 takes a tenth off `rlref check` (measured paired) for a few MB.
    gc.set_threshold(10_000, *gc.get_threshold()[1:])
    # A terminal that cannot show a note's Chinese (a latin-1 locale) gets escapes, not a
    # UnicodeEncodeError halfway through the report.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        argv = sys.argv[1:]
        if argv[:1] == ["check"] and "_RLREF_COMPLETE" not in os.environ:
            from rlref.cli.check_run import plain_arguments, run_plain

            plain = plain_arguments(argv)
            if plain is not None:
                raise SystemExit(run_plain(*plain))
        make_app(invoked_modules(argv))()
    except KeyboardInterrupt:
        import typer

        typer.echo("interrupted", err=True)
        raise SystemExit(130) from None
    except OSError as exc:
        import typer

        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None

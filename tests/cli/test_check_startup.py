"""`rlref check` starts light: only its own command module, no typer parser for its plain
spellings, no pydantic for a correct vault, never torch, sympy or numpy — and it says
exactly what the typer-parsed command says."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rlref.cli import COMMANDS, MODULES, app, invoked_modules
from rlref.cli.check_run import plain_arguments

FIXTURES = Path(__file__).parents[1] / "fixtures"
KB = Path(__file__).parents[2] / "kb"


def test_every_command_has_its_module() -> None:
    registered = {command.name or command.callback.__name__ for command in app.registered_commands}
    assert registered == {*COMMANDS, "version"}
    assert set(COMMANDS.values()) == set(MODULES)


@pytest.mark.parametrize(
    ("argv", "modules"),
    [
        (["check", "kb"], ("check",)),
        (["serve"], ("build",)),
        (["import", "x.md"], ("import_note",)),
        ([], MODULES),
        (["--help"], MODULES),
        (["chek"], MODULES),
    ],
)
def test_only_the_invoked_command_module_is_needed(argv: list[str], modules: tuple) -> None:
    assert invoked_modules(argv) == modules


@pytest.mark.parametrize(
    ("argv", "parsed"),
    [
        (["check"], (Path("kb"), False)),
        (["check", "v"], (Path("v"), False)),
        (["check", "--strict", "v"], (Path("v"), True)),
        (["check", "v", "--strict"], (Path("v"), True)),
        (["check", "--help"], None),
        (["check", "v", "w"], None),
        (["check", "--strict", "--strict"], None),
        (["check", "--", "v"], None),
        (["check", "-v"], None),
        (["check", ""], None),
        (["check", "--strict=yes"], None),
        (["index", "v"], None),
    ],
)
def test_plain_arguments(argv: list[str], parsed: tuple | None) -> None:
    assert plain_arguments(argv) == parsed


def _rlref(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rlref.cli", *args], capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    "args",
    [
        ("good_vault", "--strict"),
        ("bad_vault",),
        ("--strict", "bad_vault"),
        ("formula_vault",),
        ("nowhere",),
        ("bad_vault.expected",),
    ],
)
def test_the_plain_path_says_what_typer_says(args: tuple[str, ...]) -> None:
    argv = ["check", *(str(FIXTURES / a) if not a.startswith("-") else a for a in args)]
    assert plain_arguments(argv) is not None
    typer_run = CliRunner().invoke(app, argv)
    plain_run = _rlref(*argv)
    assert plain_run.returncode == typer_run.exit_code
    assert plain_run.stdout + plain_run.stderr == typer_run.output


@pytest.mark.parametrize("typer_parses", [False, True])
def test_a_broken_pipe_ends_quietly(typer_parses: bool) -> None:
    """``rlref check … | head -1`` as typer ends it: exit 1, no traceback, no message."""
    separator = ["--"] if typer_parses else []  # ``--`` leaves the parsing to typer
    script = textwrap.dedent(f"""
        import os, sys
        read, write = os.pipe()
        os.close(read)
        os.dup2(write, 1)
        sys.argv = ["rlref", "check", *{separator!r}, {str(FIXTURES / "bad_vault")!r}]
        from rlref.cli import main
        main()
    """)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stderr) == (1, "")


def test_checking_kb_imports_no_heavy_module() -> None:
    script = textwrap.dedent(f"""
        import sys
        sys.argv = ["rlref", "check", {str(KB)!r}]
        from rlref.cli import main
        try:
            main()
        except SystemExit as done:
            assert done.code == 0, done.code
        heavy = ("torch", "sympy", "numpy", "pydantic", "typer", "rlref.cli.build",
                 "rlref.cli.verify", "rlref.cli.import_note", "rlref.cli.run",
                 "rlref.formulas.numeric")
        print("imported:", *sorted(m for m in heavy if m in sys.modules))
    """)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines()[-1] == "imported:"


@pytest.mark.parametrize("encoding", [None, "ascii"])
def test_escapes_and_other_encodings_print_as_typer_prints(tmp_path: Path, encoding) -> None:
    """typer strips escape sequences from a pipe and re-encodes a stdout that is not UTF-8:
    the plain path leaves such lines to it, byte for byte (``--`` makes typer parse)."""
    for name in ("a.md", "b.md"):  # two notes, one title, which YAML's \e escape colours
        (tmp_path / name).write_text(
            '---\ntitle: "T 策略 \\e[31mred"\n---\n# N\n', encoding="utf-8"
        )
    (tmp_path / "c.md").write_text("---\ntitle: C\n---\n# C\n[[別處]]\n", encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": encoding} if encoding else dict(os.environ)
    runs = [
        subprocess.run(
            [sys.executable, "-m", "rlref.cli", "check", *sep, str(tmp_path)],
            capture_output=True,
            env=env,
            check=False,
        )
        for sep in ([], ["--"])
    ]
    plain, typed = ((r.returncode, r.stdout, r.stderr) for r in runs)
    assert plain == typed
    assert b"red" in plain[1] and b"\x1b" not in plain[1] and b"unresolved link" in plain[1]

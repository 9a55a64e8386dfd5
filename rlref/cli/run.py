"""`rlref run`: run a demo by name, or by the title/alias of a note that declares it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rlref.cli.common import DEFAULT_VAULT, fail


def _demo_by_note(name: str, vault: Path) -> str | None:
    """The ``demo:`` of the note whose title or alias is ``name`` (case-insensitive)."""
    if not vault.is_dir():
        return None
    from rlref.vault import load_vault

    wanted = name.casefold()
    for note in load_vault(vault).notes.values():
        front = note.frontmatter
        if front is None or not front.demo:
            continue
        names = {note.title, note.name, note.key, *note.aliases}
        if wanted in {n.casefold() for n in names}:
            return front.demo
    return None


def _notes_by_demo(vault: Path) -> dict[str, list[str]]:
    if not vault.is_dir():
        return {}
    from rlref.vault import load_vault

    found: dict[str, list[str]] = {}
    for note in load_vault(vault).notes.values():
        if note.frontmatter is not None and note.frontmatter.demo:
            found.setdefault(note.frontmatter.demo, []).append(note.key)
    return found


def _parse_settings(items: list[str]) -> dict[str, str]:
    options = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise fail(f"--set expects KEY=VALUE, got '{item}'", 2)
        options[key.strip()] = value.strip()
    return options


def run(
    name: Annotated[str | None, typer.Argument(help="Demo name, or a note title/alias.")] = None,
    steps: Annotated[int | None, typer.Option("--steps", min=1, help="Training steps.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    out: Annotated[Path | None, typer.Option("--out", help="Output folder.")] = None,
    device: Annotated[str, typer.Option("--device", help="cpu or cuda.")] = "cpu",
    list_demos: Annotated[bool, typer.Option("--list", help="List the demos.")] = False,
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 when the target is missed.")
    ] = False,
    settings: Annotated[
        list[str] | None,
        typer.Option("--set", help="A demo setting KEY=VALUE (repeatable; see --list)."),
    ] = None,
    vault: Annotated[Path, typer.Option("--vault", help="Vault folder.")] = DEFAULT_VAULT,
) -> None:
    """Run a demo: progress bar, metrics.jsonl, plot.png and a one-line verdict.

    Under `torchrun --nproc_per_node=N` the LM demos train data-parallel (DDP); rank 0 writes.
    """
    from rich.console import Console
    from rich.table import Table

    from rlref.demos import all_demos, get_demo

    if list_demos:
        notes = _notes_by_demo(vault)
        table = Table("demo", "trains", "target", "notes")
        for spec in all_demos():
            linked = ", ".join(notes.get(spec.name, [])) or spec.note
            table.add_row(spec.name, spec.summary, spec.target.describe(), linked)
        console = Console()
        console.print(table)
        for spec in all_demos():
            console.print(f"{spec.name} --set keys: {', '.join(spec.options)}", highlight=False)
        return
    if name is None:
        raise fail("name a demo (see `rlref run --list`)", 2)
    spec = get_demo(name)
    if spec is None:
        demo = _demo_by_note(name, vault)
        spec = get_demo(demo) if demo else None
    if spec is None:
        known = ", ".join(s.name for s in all_demos())
        raise fail(f"no demo or note with a demo named '{name}' (demos: {known})", 2)
    if device not in ("cpu", "cuda"):
        raise fail(f"--device must be cpu or cuda, not '{device}'", 2)
    if device == "cuda":
        import torch

        if not torch.cuda.is_available():
            raise fail("--device cuda asked for, but torch sees no CUDA device", 2)
    options = _parse_settings(settings or [])
    unknown = sorted(set(options) - set(spec.options))
    if unknown:
        known = ", ".join(spec.options) or "none"
        raise fail(f"{spec.name} has no setting {', '.join(unknown)} (settings: {known})", 2)
    from rlref.demos.distributed import is_main_process
    from rlref.demos.runner import run_demo

    out = out or Path("build/runs") / spec.name
    if out.exists() and not out.is_dir():
        raise fail(f"--out '{out}' is a file; give a folder for the run's files", 2)
    try:
        result = run_demo(spec, steps or spec.default_steps, seed, out, device, options=options)
    except ValueError as exc:  # a setting the demo rejects (bad value, batch not divisible …)
        raise fail(str(exc), 2) from None
    except OSError as exc:  # the output folder cannot be written
        reason = exc.strerror or str(exc)
        raise fail(f"cannot write the run's files under '{out}': {reason}", 1) from None
    if is_main_process():
        files = f"{out / result.metrics_file}, {out / result.plot_file}, {out / 'run.json'}"
        typer.echo(f"wrote {files}")
        typer.echo(result.verdict())
    if check and not result.met:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(run)

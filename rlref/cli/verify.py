"""`rlref verify [NOTE…]`: check formulas against their code and write ``build/verify.json``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rlref.cli.common import DEFAULT_VAULT, fail, require_vault


def _select(notes: dict, wanted: list[str], vault: Path) -> list:
    """Notes named by vault path (with or without ``.md``) or by file path."""
    if not wanted:
        return list(notes.values())
    chosen = []
    root = vault.resolve()
    for name in wanted:
        key = name.removesuffix(".md")
        candidate = Path(name)
        if key not in notes and candidate.exists() and candidate.resolve().is_relative_to(root):
            key = candidate.resolve().relative_to(root).as_posix().removesuffix(".md")
        if key not in notes:
            raise fail(f"no note '{name}' in {vault}")
        chosen.append(notes[key])
    return chosen


def verify(
    notes: Annotated[
        list[str] | None, typer.Argument(help="Notes to check (vault path or file); default all.")
    ] = None,
    vault: Annotated[Path, typer.Option("--vault", help="Vault folder.")] = DEFAULT_VAULT,
    json_path: Annotated[
        Path, typer.Option("--json", help="Where to write the per-formula statuses.")
    ] = Path("build/verify.json"),
) -> None:
    """Check every tagged formula against its implementation; exit 1 if any fails."""
    import unicodedata

    # torch and sympy load here, so that the first formula's time is its own
    import torch  # noqa: F401
    from rich.console import Console
    from rich.table import Table

    import rlref.formulas.numeric  # noqa: F401
    from rlref.formulas import check_formula, tagged_formulas
    from rlref.formulas.registry import load_checks
    from rlref.formulas.report import write_report
    from rlref.vault import load_vault

    loaded = load_vault(require_vault(vault))
    try:
        checks = load_checks(vault)
    except Exception as error:  # a checks file that does not import: say which, no traceback
        raise fail(f"cannot load the checks of {vault}: {type(error).__name__}: {error}") from None
    wanted = [unicodedata.normalize("NFC", n) for n in notes or []]
    selected = _select(loaded.notes, wanted, vault)
    console = Console()
    table = Table(title=f"formulas of {vault}")
    for column, justify in (("note", "left"), ("formula", "left"), ("status", "left"),
                            ("time", "right")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    results = []
    colours = {"pass": "green", "fail": "bold red", "unchecked": "yellow"}
    with console.status("checking formulas…"):
        for note, formula in tagged_formulas(selected):
            result = check_formula(note, formula, checks)
            results.append(result)
            table.add_row(note.key, formula.id,
                          f"[{colours[result.status]}]{result.status}[/]",
                          f"{result.duration_s * 1000:.0f} ms")
    console.print(table)
    for result in results:
        if result.status == "fail":
            console.print(f"[bold red]FAIL[/] {result.note}:{result.line} "
                          f"{result.formula}: {result.message}", highlight=False)
    report = write_report(json_path, results, vault=str(vault),
                          checked_notes={n.path for n in selected},
                          existing_notes={n.path for n in loaded.notes.values()})
    summary = report["summary"]
    console.print(f"{len(results)} formula(s) checked; {json_path}: {summary['pass']} pass, "
                  f"{summary['fail']} fail, {summary['unchecked']} unchecked", highlight=False)
    if any(r.status == "fail" for r in results):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``rlref verify`` to the app."""
    app.command()(verify)

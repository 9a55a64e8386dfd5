"""The build folders rlref may empty: only those it made itself.

``rlref build`` makes ``OUT/docs`` hold exactly the compiled pages (deleting anything else) and
MkDocs empties ``OUT/site`` before writing it. So each of the two is used only when it does not
exist yet, is empty, or carries rlref's marker file (written when rlref first fills it). A folder
that holds the vault, the site's sources or anything else is refused, never emptied.
"""

from __future__ import annotations

from pathlib import Path

MARKER = ".rlref-build"
MARKER_TEXT = "This folder is written by `rlref build`, which deletes what it did not write.\n"


class OutputRefused(Exception):
    """An output folder rlref must not write into; the message says why."""


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _owned_or_empty(folder: Path) -> bool:
    if folder.is_symlink():
        return False
    if not folder.exists():
        return True
    if not folder.is_dir():
        return False
    entries = {entry.name for entry in folder.iterdir()}
    return not entries or MARKER in entries


def check_outputs(vault: Path, site_src: Path, out: Path) -> list[Path]:
    """The folders rlref will empty (``out/docs``, ``out/site``); raises OutputRefused."""
    vault, site_src, out = vault.resolve(), site_src.resolve(), out.resolve()
    folders = [out / "docs", out / "site"]
    if _within(out, vault):
        raise OutputRefused(f"--out {out} is inside the vault {vault}: build outside it")
    for folder in folders:
        for precious, what in ((vault, "the vault"), (site_src, "the site's sources")):
            if _within(precious, folder) or _within(folder, precious):
                raise OutputRefused(
                    f"{folder} would hold {what} ({precious}): choose another --out"
                )
        if not _owned_or_empty(folder):
            raise OutputRefused(
                f"{folder} exists and was not made by rlref build (no {MARKER} in it): "
                "it would be emptied; choose an empty or new --out"
            )
    return folders


def claim(folders: list[Path]) -> None:
    """Create the folders and mark them as rlref's."""
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        marker = folder / MARKER
        if not marker.exists():
            marker.write_text(MARKER_TEXT, encoding="utf-8")

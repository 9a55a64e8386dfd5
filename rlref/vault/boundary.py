"""The vault boundary: which files rlref may read, and where it may write.

One home for the rules every command follows:

* a file reached through a symlink that leads outside the vault is not read (nor published);
* only regular files are read: a FIFO, device or socket is refused without opening it;
* a file larger than the size limit is refused (default 5 MB, ``RLREF_MAX_FILE_MB``);
* a file name that is not valid UTF-8 is refused (it could not be shown or linked);
* a write target must resolve inside the vault after following symlinks.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

DEFAULT_MAX_FILE_MB = 5.0


class OutsideVault(ValueError):
    """A path that resolves outside the vault."""


def max_file_bytes() -> int:
    """The per-file size limit: ``RLREF_MAX_FILE_MB`` (megabytes) or 5 MB."""
    try:
        megabytes = float(os.environ.get("RLREF_MAX_FILE_MB", DEFAULT_MAX_FILE_MB))
    except ValueError:
        megabytes = DEFAULT_MAX_FILE_MB
    return int(max(megabytes, 0.001) * 1024 * 1024)


def is_inside(path: Path, root: Path) -> bool:
    """Whether ``path``, symlinks followed, is ``root`` or below it (``root`` resolved)."""
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return False
    return resolved == root or root in resolved.parents


def refusal(root: Path, file: Path, limit: int | None = None) -> str | None:
    """Why ``file`` (below the resolved vault ``root``) must not be read, or None."""
    try:
        os.fsencode(str(file)).decode("utf-8")
    except UnicodeDecodeError:
        return "the file name is not valid UTF-8: rename the file"
    if file.is_symlink() and not is_inside(file, root):
        return "symlink to a file outside the vault: not read"
    try:
        info = file.stat()
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file (a FIFO, device or socket): not read"
    limit = max_file_bytes() if limit is None else limit
    if info.st_size > limit:
        return (
            f"file is {info.st_size / 1024 / 1024:.1f} MB, over the limit of "
            f"{limit / 1024 / 1024:g} MB (RLREF_MAX_FILE_MB)"
        )
    return None


def write_target(root: Path, relative: str) -> Path:
    """``root / relative`` for writing; raises OutsideVault when it resolves elsewhere
    (``..``, an absolute path, a symlinked folder that leads out)."""
    root = root.resolve()
    if Path(relative).is_absolute():
        raise OutsideVault(f"'{relative}' is an absolute path: give a path inside the vault")
    target = root / relative
    if not is_inside(target.parent, root) or (target.is_symlink() and not is_inside(target, root)):
        raise OutsideVault(f"'{relative}' leads outside the vault")
    if not (target.resolve() == root or root in target.resolve().parents):
        raise OutsideVault(f"'{relative}' leads outside the vault")
    return target

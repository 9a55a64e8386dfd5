"""Writing into the vault: atomic files, a lock, and several files that land together.

* ``write_atomic_bytes``: a temporary file in the same folder, then a rename — never a
  half-written file; an existing file keeps its permission bits.
* ``vault_lock``: an exclusive lock (``flock`` on ``.rlref.lock`` in the vault root) held by
  ``rlref new``/``import`` from reading the MOC to writing it, so concurrent additions all land.
* ``commit_files``: several files (a note and its MOC entry) land together or not at all. The
  new contents are written to temporary files first; a journal then names the renames still
  to do, and is removed when they are done. A run interrupted at any point is finished (or,
  before the journal, undone) by ``recover`` at the next write; a failure while the files
  are put in place (a read-only file, a full disk) puts back what was there.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

LOCK_FILE = ".rlref.lock"
JOURNAL = ".rlref-journal.json"
TEMP_SUFFIX = ".rlref-tmp"


def _temp_file(path: Path, data: bytes) -> Path:
    """``data`` in a new temporary file beside ``path``, with ``path``'s permission bits."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
    temp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, _mode_for(path))
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def _mode_for(path: Path) -> int:
    """An existing file's permission bits; for a new file, 0o666 less the umask."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file and a rename (never half-written)."""
    temp = _temp_file(path, data)
    try:
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def vault_lock(root: Path) -> Iterator[None]:
    """Hold the vault's write lock (blocking until other writers are done)."""
    with open(root / LOCK_FILE, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def commit_files(root: Path, files: dict[Path, bytes]) -> None:
    """Write every file of ``files`` or none of them (call with the vault lock held).

    A failure while the files are put in place puts back what was there before."""
    temps: dict[Path, Path] = {}
    backups: dict[Path, Path | None] = {}
    try:
        for path, data in files.items():
            temps[path] = _temp_file(path, data)
            backups[path] = _backup(path)
        journal = [
            {"temp": str(t), "target": str(p), "backup": str(backups[p] or "")}
            for p, t in temps.items()
        ]
        write_atomic_bytes(root / JOURNAL, json.dumps(journal).encode("utf-8"))
    except BaseException:
        for path in temps:
            temps[path].unlink(missing_ok=True)
            if backups.get(path):
                backups[path].unlink(missing_ok=True)  # type: ignore[union-attr]
        raise
    try:
        _finish(root)
    except Exception:  # an error: put things back. A kill leaves the journal for recover()
        _roll_back(root)
        raise


def _backup(path: Path) -> Path | None:
    """A hard link to ``path``'s current contents (None for a new file)."""
    if not path.exists():
        return None
    backup = path.with_name(f".{path.name}.backup{TEMP_SUFFIX}")
    backup.unlink(missing_ok=True)
    os.link(path, backup)
    return backup


def _entries(root: Path) -> list[tuple[Path, Path, Path | None]]:
    data = json.loads((root / JOURNAL).read_text("utf-8"))
    return [
        (Path(e["temp"]), Path(e["target"]), Path(e["backup"]) if e["backup"] else None)
        for e in data
    ]


def _finish(root: Path) -> None:
    """Do the renames the journal names (those already done are skipped); drop the journal
    and the backups."""
    entries = _entries(root)
    for temp, target, _ in entries:
        if temp.exists():
            os.replace(temp, target)
    (root / JOURNAL).unlink()
    for _, _, backup in entries:
        if backup is not None:
            backup.unlink(missing_ok=True)


def _roll_back(root: Path) -> None:
    """Put every target of the journal back as it was; drop temps, backups and journal."""
    for temp, target, backup in _entries(root):
        if not temp.exists():  # this one was already put in place
            if backup is not None and backup.exists():
                with contextlib.suppress(OSError):
                    backup.rename(target)
            else:
                target.unlink(missing_ok=True)
        temp.unlink(missing_ok=True)
        if backup is not None:
            backup.unlink(missing_ok=True)
    (root / JOURNAL).unlink(missing_ok=True)


def recover(root: Path) -> list[str]:
    """Finish a commit a crash interrupted, and remove temporary files it left before its
    journal was written; return what was done (call with the vault lock held)."""
    done: list[str] = []
    journal_file = root / JOURNAL
    if journal_file.exists():
        try:
            targets = [target for temp, target, _ in _entries(root) if temp.exists()]
            _finish(root)
            done += [f"finished an interrupted write of {t}" for t in targets]
        except (OSError, ValueError, KeyError, TypeError):
            journal_file.unlink(missing_ok=True)
            done.append("removed an unreadable write journal")
    for directory, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.startswith(".") and name.endswith(TEMP_SUFFIX):
                (Path(directory) / name).unlink(missing_ok=True)
                done.append(f"removed the leftover temporary file {name}")
    return done

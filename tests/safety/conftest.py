"""Shared fixtures of the adversarial suite."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parents[1] / "fixtures"
MOC = "AI/RL/_MOC"


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    """A writable copy of the good fixture vault (its MOC is ``AI/RL/_MOC``)."""
    root = tmp_path / "vault"
    shutil.copytree(FIXTURES / "good_vault", root)
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every regular file below ``root`` (symlinks not followed) and its bytes."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }

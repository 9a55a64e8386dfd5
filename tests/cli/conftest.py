"""Shared fixtures of the CLI tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parents[1] / "fixtures"


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    """A writable copy of the good fixture vault (its MOC is ``AI/RL/_MOC``)."""
    root = tmp_path / "vault"
    shutil.copytree(FIXTURES / "good_vault", root)
    return root

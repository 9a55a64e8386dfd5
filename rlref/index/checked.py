"""The one entry point that loads a vault and checks all of it: links, frontmatter, ``impl``
references, the formulas (every tagged formula has a registered check or ``check: none``
with a reason; every registration in the checks folder names a real note and formula) and
the terms (no spelling the vault's glossary page rejects, ``rlref.vault.terms``).

Static and fast: nothing in the vault or its checks folder is imported or run. The CLI
(``check``, ``index``, ``build``), the site compile and the tests call it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rlref.formulas.diagnostics import vault_diagnostics
from rlref.index.build import Index, build_index
from rlref.vault import Vault, load_vault
from rlref.vault.terms import term_diagnostics


def check_vault(vault: Vault, index: Index) -> Index:
    """Add the whole-vault checks (formulas, glossary terms) to an index built from ``vault``."""
    index.diagnostics.extend(vault_diagnostics(vault.root, index.notes.values()))
    index.diagnostics.extend(term_diagnostics(vault.notes.values()))
    return index


def load_checked(root: Path, **load: Any) -> Index:
    """Load the vault at ``root`` and build its index, with every check added."""
    vault = load_vault(Path(root), **load)
    return check_vault(vault, build_index(vault))

"""Formula checker: every tagged formula of the vault, parsed with sympy and checked by the
Python check registered for it in the vault's checks folder (:mod:`rlref.formulas.api`).

Importing this package is cheap: sympy and torch are imported only when a numeric check
runs (:func:`rlref.formulas.numeric.check_numeric`), so ``rlref check`` can run
:func:`rlref.formulas.diagnostics.vault_diagnostics` on a whole vault.
"""

from rlref.formulas.runner import (
    FormulaResult,
    check_formula,
    check_notes,
    tagged_formulas,
    vault_formulas,
)

__all__ = [
    "FormulaResult",
    "check_formula",
    "check_notes",
    "tagged_formulas",
    "vault_formulas",
]

"""Formula checker: every tagged formula of the vault, parsed with sympy and checked
against the ``rlref.algos`` function it is bound to.

Importing this package is cheap: sympy and torch are imported only when a numeric check
runs (:func:`rlref.formulas.numeric.check_numeric`), so ``rlref check`` can call
:func:`binding_diagnostics` on every note.
"""

from rlref.formulas.binding import Binding, Unchecked, read_binding
from rlref.formulas.diagnostics import binding_diagnostics, binding_problems
from rlref.formulas.runner import (
    FormulaResult,
    check_formula,
    check_notes,
    tagged_formulas,
    vault_formulas,
)

__all__ = [
    "Binding",
    "FormulaResult",
    "Unchecked",
    "binding_diagnostics",
    "binding_problems",
    "check_formula",
    "check_notes",
    "read_binding",
    "tagged_formulas",
    "vault_formulas",
]

"""Spec modules: Python helpers for bindings that YAML alone cannot express.

A binding names one with ``spec: rlref.formulas.specs.<module>``; the module's public
functions (or its ``__all__``) become names its expressions can call — a custom input
generator, an adapter from random tensors to an implementation's argument objects.
Keep them small and at the data level: a helper that recomputes the formula would let a
wrong formula pass.
"""

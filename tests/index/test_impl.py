"""``impl:`` references located from source, without importing (rlref.index.impl)."""

from __future__ import annotations

import pytest

from rlref.index.impl import ImplLocation, locate_impl


@pytest.mark.parametrize(
    "ref",
    [
        "rlref.algos.kl:kl_k3",  # a def
        "rlref.vault.resolve:LinkTargets",  # a class
        "rlref.algos.policy_loss:aggregate_loss",  # imported and listed in __all__
    ],
)
def test_functions_classes_and_declared_reexports_are_found(ref: str) -> None:
    found = locate_impl(ref)
    assert isinstance(found, ImplLocation) and found.line > 0, found


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("rlref.algos.kl:torch", "defines no function or class 'torch'"),
        ("rlref.algos.kl:annotations", "defines no function or class 'annotations'"),
        ("rlref.algos.kl:no_such", "defines no function or class 'no_such'"),
        ("rlref.no_such_module:f", "module 'rlref.no_such_module' not found"),
    ],
)
def test_imports_and_missing_names_are_not_implementations(ref: str, message: str) -> None:
    found = locate_impl(ref)
    assert isinstance(found, str) and message in found

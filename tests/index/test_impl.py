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


def test_one_resolver_agrees_with_import_for_every_kb_reference() -> None:
    """The static resolver (index, site and check use it) lands on the definition that
    importing finds: same module, same file, same line — re-exports followed."""
    import importlib
    import inspect
    from pathlib import Path

    from rlref.index.impl import locate_impl
    from rlref.vault import load_vault

    kb = Path(__file__).resolve().parents[2] / "kb"
    refs = sorted({ref for note in load_vault(kb).notes.values() if note.frontmatter
                   for ref in note.frontmatter.impl})
    assert refs
    for ref in refs:
        module, name = ref.split(":")
        obj = importlib.import_module(module)
        obj = getattr(obj, name)
        found = locate_impl(ref)
        assert not isinstance(found, str), found
        assert found.defining == obj.__module__, ref
        source = Path(inspect.getsourcefile(obj)).as_posix()
        assert source.endswith(found.file), (ref, source, found.file)
        line = Path(source).read_text("utf-8").split("\n")[found.line - 1].lstrip()
        assert line.startswith((f"def {name}(", f"class {name}")), (ref, line)

"""The docstring contract of every public function in `rlref.algos`: its formula in LaTeX, a
source, exactly one `Note: [[…]]` line, Args/Returns and full type hints.

A quantity is stated as a display formula, which must equal a checked note formula
(tests/formulas/test_docstring_formulas.py); a rule that is not a quantity (a sampling or
selection step) is stated in inline math, since there is nothing to check it against.

Notes address these functions as `module:function` in their `impl:` frontmatter; that every
such reference resolves, and every `Note:` line names an existing note, is checked against the
vault (tests/index/test_kb.py)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import pytest

import rlref.algos

# Derived from the package, never listed by hand: a new module is covered as soon as it exists.
MODULES = sorted(
    info.name
    for info in pkgutil.iter_modules(rlref.algos.__path__)
    if not info.name.startswith("_")
)
NOTE = re.compile(r"^\s*Note: \[\[([^\]|]+)\]\]\s*$", re.MULTILINE)
SOURCE = re.compile(r"^\s*Sources?: \S", re.MULTILINE)
INLINE = re.compile(r"(?<!\$)\$[^$\n]+\$(?!\$)")
DISPLAY = re.compile(r"^\s*\$\$\s*$(.+?)^\s*\$\$\s*$", re.MULTILINE | re.DOTALL)


def _public_functions():
    for module_name in MODULES:
        module = importlib.import_module(f"rlref.algos.{module_name}")
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj) and obj.__module__ == module.__name__:
                yield f"{module_name}:{name}", obj


def test_every_module_is_exported() -> None:
    assert MODULES == sorted(rlref.algos.__all__)


def test_every_module_has_public_functions() -> None:
    for module_name in MODULES:
        module = importlib.import_module(f"rlref.algos.{module_name}")
        assert getattr(module, "__all__", None), f"rlref.algos.{module_name} declares no __all__"


@pytest.mark.parametrize(("ref", "fn"), list(_public_functions()), ids=lambda x: str(x))
def test_every_public_function_documents_formula_note_args_and_returns(ref, fn) -> None:
    doc = inspect.getdoc(fn) or ""
    summary = doc.split("\nArgs:")[0]
    assert "$" in summary, f"{ref}: no LaTeX formula before Args:"
    displays = DISPLAY.findall(doc)
    assert all(block.strip() for block in displays), f"{ref}: an empty `$$` … `$$` block"
    assert displays or INLINE.search(summary), (
        f"{ref}: needs a display formula (a `$$` … `$$` block on lines of its own) or, for a "
        "rule that is not a quantity, inline math in its description")
    assert SOURCE.search(doc), f"{ref}: needs a 'Source:' (or 'Sources:') line"
    assert len(NOTE.findall(doc)) == 1, f"{ref}: needs exactly one 'Note: [[…]]' line"
    assert "Args:" in doc and "Returns:" in doc, f"{ref}: Google-style Args/Returns missing"
    hints = inspect.get_annotations(fn)
    assert "return" in hints and len(hints) == len(inspect.signature(fn).parameters) + 1, ref

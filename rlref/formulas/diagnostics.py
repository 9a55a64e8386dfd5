"""Structural checks of a note's ``formulas:`` bindings — cheap, for ``rlref check``.

Everything here is pure Python (pydantic, ast, the LaTeX normaliser): no sympy, no torch,
no numpy. It catches what can be caught without running anything: a formula without a
binding, a binding for a formula that does not exist, schema errors, unreadable
expressions, names that are not defined, undeclared identifiers and unknown macros in the
LaTeX, declared spellings that do not occur.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

from pydantic import ValidationError

from rlref.diagnostics import Diagnostic
from rlref.formulas.binding import (
    Binding,
    FunctionBinding,
    IndexedBinding,
    ReductionBinding,
    Unchecked,
    read_binding,
    validation_messages,
)
from rlref.formulas.expr import ExprError, Expression, Lambda, split_relation
from rlref.formulas.latex import LatexError
from rlref.formulas.legacy import declarations
from rlref.formulas.normalise import normalise
from rlref.formulas.vocabulary import build_vocabulary

# The names rlref.formulas.scope offers to expressions (kept here so that this module does
# not import numpy; tests/formulas/test_scope.py checks that the two lists agree).
RUNTIME_NAMES = frozenset(
    """exp log log1p expm1 sqrt abs sign tanh where clip minimum maximum isfinite zeros_like
    ones_like arange floor ceil sum mean prod max min std var argmax argmin cumsum softmax
    log_softmax logsumexp sigmoid logsigmoid softplus get onehot size float64 int64 stack
    concatenate reshape expand_dims algo inf pi normal uniform lognormal integers bernoulli
    simplex prefix_mask permutation""".split()
)
RESULT_NAMES = frozenset(["out", "formula", "lhs"])
OUT = frozenset(["out"])  # symbols may read the code's output (recursive formulas)


class FormulaLike(Protocol):
    id: str
    latex: str
    line: int


class NoteLike(Protocol):
    """What the checker reads from a :class:`rlref.vault.Note`."""

    path: str
    raw_frontmatter: dict[str, Any]
    key_lines: dict[str, int]

    @property
    def formulas(self) -> list[Any]: ...


def raw_bindings(note: NoteLike) -> Any:
    """The note's ``formulas:`` value as YAML gave it (``{}`` when absent)."""
    raw = note.raw_frontmatter.get("formulas")
    return {} if raw is None else raw


def binding_problems(latex: str, raw: Any) -> list[str]:
    """Everything statically wrong with one binding of the formula ``latex``."""
    try:
        binding = read_binding(raw)
    except ValidationError as error:
        return validation_messages(error)
    if isinstance(binding, Unchecked):
        problems: list[str] = []
        if not binding.symbols:
            return problems
    else:
        problems = _expression_problems(binding)
    try:
        normalise(latex, build_vocabulary(declarations(binding)))
    except (LatexError, ExprError) as error:
        problems.append(str(error))
    return problems


def _expression_problems(binding: Binding) -> list[str]:
    problems: list[str] = []
    known = set(RUNTIME_NAMES)
    if binding.spec is not None:
        names = spec_names(binding.spec)
        if names is None:
            problems.append(f"spec: module {binding.spec} not found")
        known |= names or set()

    reads_out: list[bool] = []

    def check(source: Any, where: str, extra: Iterable[str] = ()) -> None:
        try:
            parsed = Lambda.parse(source) if isinstance(source, str) and "->" in source else (
                Expression.parse(source))
        except ExprError as error:
            problems.append(f"{where}: {error}")
            return
        names = parsed.names()
        reads_out.append("out" in names and "out" in extra)
        unknown = sorted(names - known - set(extra))
        if unknown:
            problems.append(f"{where}: unknown name(s) {', '.join(unknown)}")

    for section in ("dims", "axes", "inputs"):
        for name, source in getattr(binding, section).items():
            check(source, f"{section}.{name}")
            known.add(name)
    for spelling, symbol in binding.symbols.items():
        where = f"symbols.{spelling}"
        if isinstance(symbol, FunctionBinding | IndexedBinding):
            source = symbol.fn if isinstance(symbol, FunctionBinding) else symbol.indexed
            if "->" not in source:
                problems.append(f"{where}: a function is written 'params -> body'")
            else:
                check(source, where, OUT)
        elif isinstance(symbol, ReductionBinding):
            missing = [a for a in symbol.axes if a not in binding.axes]
            if missing:
                problems.append(f"{where}: {', '.join(missing)} is not one of the axes")
            for extra in (symbol.where, symbol.weights):
                if extra is not None:
                    check(extra, where, OUT)
        elif not hasattr(symbol, "builtin"):
            check(symbol, where, OUT)
    arguments = binding.args.items() if isinstance(binding.args, dict) else enumerate(binding.args)
    for name, source in arguments:
        check(source, f"args.{name}")
    try:
        left, _, right = split_relation(binding.relation)
    except ExprError as error:
        problems.append(f"relation: {error}")
    else:
        check(binding.relation, "relation", RESULT_NAMES)
        if not (left.names() | right.names()) & {"formula", "lhs"}:
            problems.append("relation must read 'formula' (or 'lhs')")
    for k, case in enumerate(binding.cover):
        check(case, f"cover[{k}]", RESULT_NAMES)
    if binding.impl is None and any(reads_out):
        problems.append("'out' is read but no impl is given")
    if binding.impl is not None and not any(reads_out):
        problems.append("impl is given but nothing reads its result 'out'")
    return problems


@functools.cache
def spec_names(module: str) -> frozenset[str] | None:
    """Top-level names of a spec module, read from its source without importing it."""
    try:
        found = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if found is None or found.origin is None or not found.origin.endswith(".py"):
        return None
    tree = ast.parse(Path(found.origin).read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith("_"):
            names.add(node.name)
    return frozenset(names)


def listed_impl(note: NoteLike) -> set[str] | None:
    """The note's ``impl:`` entries (one string or a list); None when it is not readable
    (the frontmatter check reports that)."""
    raw = note.raw_frontmatter.get("impl")
    if raw is None:
        return set()
    if isinstance(raw, str):
        return {raw}
    if isinstance(raw, list) and all(isinstance(ref, str) for ref in raw):
        return set(raw)
    return None


def unlisted_impl(raw: Any, listed: set[str] | None) -> str | None:
    """The ``impl`` a numeric binding names when the note's ``impl:`` does not list it: the
    concept card shows ``impl:``, so the code a formula is checked against belongs there."""
    if listed is None or not isinstance(raw, dict) or "check" in raw:
        return None
    impl = raw.get("impl")
    return impl if isinstance(impl, str) and impl not in listed else None


def binding_diagnostics(note: NoteLike) -> list[Diagnostic]:
    """Structural problems of a note's formula bindings, as diagnostics.

    Every tagged formula must have a binding (or ``check: none`` with a reason), every
    binding must name a tagged formula, and every binding must be well formed. A binding
    to code that the note's ``impl:`` does not list is a warning.
    """
    raw = raw_bindings(note)
    formulas_line = note.key_lines.get("formulas", 1)
    if not isinstance(raw, dict):
        message = "formulas: must map formula ids to bindings"
        return [Diagnostic(note.path, formulas_line, "error", message)]
    found: list[Diagnostic] = []
    listed = listed_impl(note)
    tagged = {f.id: f for f in note.formulas}
    for formula_id in raw:
        if formula_id not in tagged:
            found.append(Diagnostic(note.path, formulas_line, "error",
                                    f"formulas.{formula_id}: no formula is tagged "
                                    f"'<!-- formula: {formula_id} -->' in this note"))
    for formula in note.formulas:
        if formula.id not in raw:
            found.append(Diagnostic(note.path, formula.line, "error",
                                    f"formula '{formula.id}' has no binding: bind it under "
                                    "formulas: in the frontmatter, or give check: none with a "
                                    "reason"))
            continue
        for problem in binding_problems(formula.latex, raw[formula.id]):
            found.append(Diagnostic(note.path, formula.line, "error",
                                    f"formula '{formula.id}': {problem}"))
        impl = unlisted_impl(raw[formula.id], listed)
        if impl is not None:
            found.append(Diagnostic(note.path, formula.line, "warning",
                                    f"formula '{formula.id}' is bound to {impl}, which is not "
                                    "listed in impl:"))
    return found


# ---------------------------------------------------------------------------- the whole vault
GUIDE = "see the guide 公式绑定 (site/guide/formula-binding.md)"
ALLOWED_ENTRY_KEYS = frozenset({"check", "reason", "glossary"})


def _entry_lines(text: str, formulas_line: int) -> dict[str, dict[str, int]]:
    """formula id → {key → line} for the entries under ``formulas:`` (1-based lines)."""
    lines = text.split("\n")
    found: dict[str, dict[str, int]] = {}
    current: str | None = None
    for number in range(formulas_line, len(lines)):
        line = lines[number]
        if line.strip() == "---":
            break
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        if indent == 0:
            break
        key = line.strip().split(":", 1)[0].strip().strip("'\"")
        if current is None or indent <= 2:
            current = key
            found.setdefault(current, {"": number + 1})
        else:
            found[current].setdefault(key, number + 1)
    return found


def entry_problems(raw: Any) -> str | None:
    """What is wrong with a ``formulas:`` entry: only ``check: none`` + ``reason`` (and an
    optional ``glossary`` of spellings → words) belong in a note."""
    if not isinstance(raw, dict):
        return "an entry is check: none with a reason"
    extra = sorted(str(k) for k in raw if k not in ALLOWED_ENTRY_KEYS)
    if extra:
        return (f"{', '.join(extra)}: a note holds no binding; the checks of a formula are "
                "Python in the vault's checks folder (@formula_check), " + GUIDE)
    if raw.get("check") != "none":
        return "check: none is the only value (a check is registered in the checks folder)"
    reason = raw.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        return "check: none needs a reason"
    glossary = raw.get("glossary")
    if glossary is not None and not (isinstance(glossary, dict) and all(
            isinstance(v, str) for v in glossary.values())):
        return "glossary maps LaTeX spellings to their meaning in words"
    return None


def vault_diagnostics(root: Path, notes: Iterable[NoteLike]) -> list[Diagnostic]:
    """The formula checks of a whole vault, statically (nothing is imported or run):

    every tagged formula has a registered check or ``check: none`` with a reason; every
    ``formulas:`` entry is only that; every registration in the checks folder names a note
    and a tagged formula of it, once.
    """
    from rlref.formulas.registry import scan_checks

    scanned = scan_checks(root)
    found = list(scanned.problems)
    by_key = {note.path.removesuffix(".md"): note for note in notes}
    registered: dict[tuple[str, str], list[Any]] = {}
    for registration in scanned.registrations:
        registered.setdefault((registration.note, registration.formula), []).append(registration)
    for (note_key, formula_id), registrations in sorted(registered.items()):
        first = registrations[0]
        where = str(first.path)
        note = by_key.get(note_key)
        if note is None:
            found.append(Diagnostic(where, first.line, "error",
                                    f"@{'formula_' + first.kind}: no note '{note_key}' in the "
                                    "vault"))
            continue
        if formula_id not in {f.id for f in note.formulas}:
            found.append(Diagnostic(where, first.line, "error",
                                    f"@{'formula_' + first.kind}: note '{note_key}' tags no "
                                    f"formula '{formula_id}'"))
        for again in registrations[1:]:
            found.append(Diagnostic(str(again.path), again.line, "error",
                                    f"{note_key}::{formula_id} is registered twice (first at "
                                    f"{first.where})"))
    for note in by_key.values():
        found.extend(_note_diagnostics(root, note, registered, scanned.folder))
    return found


def _note_diagnostics(root: Path, note: NoteLike, registered: dict[tuple[str, str], list[Any]],
                      folder: Path | None) -> list[Diagnostic]:
    raw = raw_bindings(note)
    formulas_line = note.key_lines.get("formulas", 1)
    if not isinstance(raw, dict):
        return [Diagnostic(note.path, formulas_line, "error",
                           "formulas: must map formula ids to check: none + reason")]
    found: list[Diagnostic] = []
    key = note.path.removesuffix(".md")
    lines: dict[str, dict[str, int]] = {}
    if raw:
        try:
            text = (Path(root) / note.path).read_text(encoding="utf-8")
            lines = _entry_lines(text, formulas_line)
        except (OSError, UnicodeDecodeError):
            lines = {}
    tagged = {f.id for f in note.formulas}
    for formula_id, entry in raw.items():
        at = lines.get(str(formula_id), {})
        line = at.get("", formulas_line)
        if formula_id not in tagged:
            found.append(Diagnostic(note.path, line, "error",
                                    f"formulas.{formula_id}: no formula is tagged "
                                    f"'<!-- formula: {formula_id} -->' in this note"))
        problem = entry_problems(entry)
        if problem is not None:
            bad = [at[k] for k in (entry if isinstance(entry, dict) else {}) if k in at
                   and k not in ALLOWED_ENTRY_KEYS]
            found.append(Diagnostic(note.path, min(bad, default=line), "error",
                                    f"formulas.{formula_id}: {problem}"))
    for formula in note.formulas:
        checks = [r for r in registered.get((key, formula.id), []) if r.kind == "check"]
        unchecked = isinstance(raw.get(formula.id), dict) and raw[formula.id].get("check") == "none"
        if checks and unchecked:
            found.append(Diagnostic(note.path, formula.line, "error",
                                    f"formula '{formula.id}' says check: none but "
                                    f"{checks[0].where} registers a check: keep one"))
        elif not checks and formula.id not in raw:
            home = "the vault's checks folder" if folder is None else str(folder)
            hint = "" if folder is not None else (
                " (this vault has no checks folder: .rlref.toml with checks = \"…\")")
            found.append(Diagnostic(note.path, formula.line, "error",
                                    f"formula '{formula.id}' has no check: register one in "
                                    f"{home} with @formula_check({key!r}, {formula.id!r}), or "
                                    f"give check: none with a reason{hint}"))
    return found

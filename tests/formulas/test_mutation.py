"""The checker has teeth on the shipped vault: drifted formulas and drifted code fail.

LaTeX mutants (min↔max, one sign flipped, one comparison turned round, a fraction inverted,
w↔l and low↔high swapped, a leading minus dropped) are generated for every numerically bound
formula of ``kb/``; each must fail its check. A mutant that edits only a left side the check
does not read (a label such as ``v_{t+1}(s_t)``) is not generated: see
:func:`rlref.formulas.mutants.checked_mutants`. Code mutants are edits of the real
``rlref.algos`` source, compiled and swapped in.

A mutant is checked on one seed: a wrong formula fails on the first, and one that passed by
luck would show up as a survivor here, never hide one. (Every kb formula passes all its
seeds in tests/test_formulas.py.)
"""

from __future__ import annotations

import importlib
import inspect
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from rlref.formulas import vault_formulas
from rlref.formulas.api import Check
from rlref.formulas.mutants import checked_mutants
from rlref.formulas.numeric import CheckFailure, check_numeric
from rlref.formulas.registry import load_checks

KB = Path(__file__).resolve().parents[2] / "kb"
PPO = "AI/LLM/RL/PPO/PPO 原理"
VERL_PPO = "AI/LLM/RL/PPO/PPO-verl实践"
DAPO = "AI/LLM/RL/DAPO/DAPO 原理"
GSPO = "AI/LLM/RL/Other-Algorithms/GSPO-Unsloth实践"
BT = "AI/LLM/RL/Fundamentals/Bradley-Terry 奖励模型"

# Mutants that are the same function as the original, each with the reason; a test below
# insists that each exists and passes every seed (so this list cannot hide a survivor).
EQUIVALENT = {
    (PPO, "ppo-dual-clip", "'+'→'-' at 179"):
        "for Â < 0, min(rÂ, clip(r, 1−ε, 1+ε)Â) = Â·max(r, 1−ε): the upper bound never binds",
    (PPO, "ppo-dual-clip", "'-'→'+' at 327"):
        "for Â ≥ 0, min(rÂ, clip(r, 1−ε, 1+ε)Â) = Â·min(r, 1+ε): the lower bound never binds",
    (VERL_PPO, "verl-dual-clip-loss", "'-'→'+' at 121"):
        "for Â ≥ 0, max(−Âρ, −Â·clip(ρ, lo, hi)) = −Â·min(ρ, hi) whatever lo is: the lower "
        "bound never binds",
    (GSPO, "gspo-token-ratio", "fraction inverted at 66"):
        "sg[π]/π and π/sg[π] are both 1 in value; they differ only in the gradient",
    (BT, "bt-center-penalty", "w↔l swapped"):
        "the penalty (r^w + r^l)² is symmetric in the chosen and rejected scores",
}


CHECKS = load_checks(KB)


def _bound_formulas() -> dict[tuple[str, str], tuple[Any, Check]]:
    """(note, formula id) → (formula, check) for every numerically checked kb formula."""
    found = {}
    for note, formula in vault_formulas(KB):
        registered = CHECKS.get((note.key, formula.id))
        if registered is None or registered.kind != "check":
            continue  # unchecked, or tests/test_formulas.py fails it
        try:
            check = registered.function()
        except Exception:
            continue  # tests/test_formulas.py fails it
        found[note.key, formula.id] = (formula, check)
    return found


BOUND = _bound_formulas()
MUTATED = [key for key, (formula, binding) in BOUND.items()
           if any(checked_mutants(formula.latex, binding))]


def _passes(latex: str, binding: Check, seeds: list[int] | None = None) -> bool:
    try:
        check_numeric(latex, binding, seeds=seeds)
    except Exception:  # any failure makes `rlref verify` report the formula as failing
        return False
    return True


def test_the_vault_has_mutated_formulas():
    assert MUTATED, f"no numerically bound formula with a mutant found in {KB}"


@pytest.mark.parametrize(("note", "formula_id"), MUTATED, ids=[f"{n}::{f}" for n, f in MUTATED])
def test_latex_mutants_are_caught(note, formula_id):
    formula, binding = BOUND[note, formula_id]
    assert _passes(formula.latex, binding, [0]), "the formula itself fails: see test_formulas"
    survivors = [
        f"{name}: {mutant}" for name, mutant in checked_mutants(formula.latex, binding)
        if (note, formula_id, name) not in EQUIVALENT and _passes(mutant, binding, [0])
    ]
    assert not survivors, "mutants the checker did not catch:\n" + "\n".join(survivors)


@pytest.mark.parametrize("key", EQUIVALENT, ids=lambda key: f"{key[0]}::{key[1]}: {key[2]}")
def test_listed_equivalent_mutant_exists_and_passes(key):
    note, formula_id, name = key
    formula, binding = BOUND[note, formula_id]
    mutants = dict(checked_mutants(formula.latex, binding))
    assert name in mutants, "no such mutant any more: drop it from EQUIVALENT"
    check_numeric(mutants[name], binding)  # every seed of the binding


@dataclass(frozen=True)
class CodeMutant:
    module: str  # the rlref.algos module whose source is edited, in whichever function
    old: str  # holds this snippet (so moving the line into a helper keeps the mutant)
    new: str
    note: str
    formula: str

    def __str__(self) -> str:
        return f"{self.module}: {self.old} → {self.new}"


CODE_MUTANTS = [
    CodeMutant("rlref.algos.policy_loss", "torch.minimum(ratio * advantages",
               "torch.maximum(ratio * advantages", PPO, "ppo-clip"),
    CodeMutant("rlref.algos.policy_loss", "ratio.clamp(1.0 - eps_low, 1.0 + eps_high)",
               "ratio.clamp(1.0 - eps_high, 1.0 + eps_low)", DAPO, "dapo-objective"),
    CodeMutant("rlref.algos.preference", "beta * (policy_chosen_logps - ref_chosen_logps)",
               "beta * (policy_chosen_logps + ref_chosen_logps)", "AI/LLM/RL/DPO/DPO 原理",
               "dpo-loss"),
    CodeMutant("rlref.algos.advantages", "grouped.std(dim=-1, keepdim=True)",
               "grouped.std(dim=-1, keepdim=True, correction=0)", "AI/LLM/RL/GRPO/GRPO 深度理解",
               "grpo-advantage"),
    CodeMutant("rlref.algos.kl", "torch.expm1(log_ratio) - log_ratio",
               "torch.expm1(-log_ratio) + log_ratio", "AI/LLM/RL/Fundamentals/KL散度", "kl-k3"),
    CodeMutant("rlref.algos.lm", "valid.sum().to(logps.dtype)", "valid.numel()",
               "AI/LLM/RL/Fundamentals/PPL 计算 交叉熵损失与 ignore_index", "ppl"),
    CodeMutant("rlref.algos.tabular", "q_values[next_state].max()", "q_values[next_state].mean()",
               "AI/LLM/RL/Fundamentals/贝尔曼方程", "q-learning-update"),
    CodeMutant("rlref.algos.returns", "rewards + gamma * continues * next_values - values",
               "rewards + gamma * next_values - values", "AI/LLM/RL/Fundamentals/GAE",
               "td-residual"),
    CodeMutant("rlref.algos.aggregation", "seq_sums.sum() / token_counts.sum().clamp(min=1.0)",
               "seq_sums.mean()", "AI/LLM/RL/GRPO/GRPO 深度理解", "agg-token-mean"),
]


def apply_code_mutant(mutant: CodeMutant, monkeypatch: pytest.MonkeyPatch) -> None:
    """Compile the edited function in its own module and put it in place of the original
    everywhere rlref.algos refers to it (re-exports included), and in the check modules that
    import it."""
    module = importlib.import_module(mutant.module)
    holders = [
        function for function in vars(module).values()
        if inspect.isfunction(function) and function.__module__ == mutant.module
        and mutant.old in inspect.getsource(function)
    ]
    assert len(holders) == 1 and inspect.getsource(holders[0]).count(mutant.old) == 1, (
        f"code mutant {mutant}: the snippet is not in exactly one place of the module any "
        "more; update the mutant to the current code")
    original = holders[0]
    namespace = dict(vars(module))
    source = inspect.getsource(original).replace(mutant.old, mutant.new)
    exec(compile(source, module.__file__ or "<mutant>", "exec"), namespace)
    for name, holder in list(sys.modules.items()):
        if (name.startswith(("rlref.algos", "rlref_checks_"))
                and getattr(holder, original.__name__, None) is original):
            monkeypatch.setattr(holder, original.__name__, namespace[original.__name__])


@pytest.mark.parametrize("mutant", CODE_MUTANTS, ids=str)
def test_code_mutants_are_caught(monkeypatch, mutant):
    formula, binding = BOUND[mutant.note, mutant.formula]
    check_numeric(formula.latex, binding)  # the real code agrees with the note
    apply_code_mutant(mutant, monkeypatch)
    binding = CHECKS[mutant.note, mutant.formula].function()  # imports the mutated code
    with pytest.raises(CheckFailure):
        check_numeric(formula.latex, binding)

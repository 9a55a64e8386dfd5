"""The checker has teeth: drifted formulas and drifted code must fail their checks.

LaTeX mutants (min↔max, one sign flipped, a fraction inverted, w↔l and low↔high swapped, a
leading minus dropped) are generated for every numerically bound formula of the fixture
vault; code mutants are edits of the real ``rlref.algos`` source, compiled and swapped in.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from rlref.formulas.binding import Binding, read_binding
from rlref.formulas.mutants import latex_mutants
from rlref.formulas.numeric import CheckFailure, check_numeric
from rlref.vault import load_vault

FIXTURE_VAULT = Path(__file__).resolve().parents[1] / "fixtures" / "formula_vault"
PPO = "AI/LLM/RL/PPO/PPO 原理"
DAPO = "AI/LLM/RL/DAPO/DAPO 原理"
GSPO = "AI/LLM/RL/Other-Algorithms/GSPO-Unsloth实践"

# Mutants that are the same function as the original; each with the reason, and the test
# below insists that they do pass (so this list cannot hide a real survivor).
EQUIVALENT = {
    (PPO, "ppo-dual-clip", "'+'→'-' at 151"):
        "for Â < 0, min(rÂ, clip(r, 1−ε, 1+ε)Â) = Â·max(r, 1−ε): the upper bound never binds",
    (PPO, "ppo-dual-clip", "'-'→'+' at 286"):
        "for Â ≥ 0, min(rÂ, clip(r, 1−ε, 1+ε)Â) = Â·min(r, 1+ε): the lower bound never binds",
    (GSPO, "gspo-token-ratio", "fraction inverted at 66"):
        "sg[π]/π and π/sg[π] are both 1 in value; they differ only in the gradient",
}


def _bound_formulas():
    vault = load_vault(FIXTURE_VAULT)
    cases = []
    for note in vault.notes.values():
        for formula in note.formulas:
            binding = read_binding(note.raw_frontmatter["formulas"][formula.id])
            if isinstance(binding, Binding) and any(latex_mutants(formula.latex)):
                cases.append(pytest.param(note.key, formula.id, id=f"{note.key}::{formula.id}"))
    return cases


@pytest.mark.parametrize(("note", "formula_id"), _bound_formulas())
def test_latex_mutants_are_caught(tagged, note, formula_id):
    latex, raw = tagged(note, formula_id)
    binding = read_binding(raw)
    survivors, equivalent_passed = [], []
    for name, mutant in latex_mutants(latex):
        try:
            check_numeric(mutant, binding)
        except Exception:  # any failure makes `rlref verify` report the formula as failing
            caught = True
        else:
            caught = False
        if (note, formula_id, name) in EQUIVALENT:
            equivalent_passed.append(not caught)
        elif not caught:
            survivors.append(f"{name}: {mutant}")
    assert not survivors, "mutants the checker did not catch:\n" + "\n".join(survivors)
    assert all(equivalent_passed), "a mutant listed as equivalent is caught: drop it from the list"


def test_every_equivalent_mutant_exists(tagged):
    for note, formula_id, name in EQUIVALENT:
        latex, _ = tagged(note, formula_id)
        assert name in dict(latex_mutants(latex)), (note, formula_id, name)


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
    everywhere rlref.algos refers to it (re-exports included)."""
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
        if name.startswith("rlref.algos") and getattr(holder, original.__name__, None) is original:
            monkeypatch.setattr(holder, original.__name__, namespace[original.__name__])


@pytest.mark.parametrize("mutant", CODE_MUTANTS, ids=str)
def test_code_mutants_are_caught(tagged, monkeypatch, mutant):
    latex, raw = tagged(mutant.note, mutant.formula)
    binding = read_binding(raw)
    check_numeric(latex, binding)  # the real code agrees with the note
    apply_code_mutant(mutant, monkeypatch)
    with pytest.raises(CheckFailure):
        check_numeric(latex, binding)

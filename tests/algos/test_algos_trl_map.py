"""rlref.algos.trl_map: the TRL ↔ rlref table is well formed (no TRL needed; the comparison
itself is tests/conformance, run by `make conformance`)."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

from rlref.algos.trl_map import TRL_MAP, TRLMapping

KB = Path(__file__).resolve().parents[2] / "kb"
INPUTS = {
    "pair-sum",
    "pair-mean",
    "sppo-pair",
    "chosen-tokens",
    "pair-ld",
    "pair-wpo",
    "cpo-sum",
    "cpo-mean",
    "rloo-rewards",
    "token-ref-entropy",
    "token-ref-adaptive-entropy",
    "token-rollout",
    "grpo-rewards",
    "unpaired",
    "orpo",
    "token-ref",
    "token",
    "sequence",
}


def test_keys_are_unique() -> None:
    keys = [row.key for row in TRL_MAP]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("row", TRL_MAP, ids=[row.key for row in TRL_MAP])
def test_row_names_a_real_function_its_arguments_and_a_note(row: TRLMapping) -> None:
    module, name = row.impl.split(":")
    fn = getattr(importlib.import_module(module), name)
    params = inspect.signature(fn).parameters
    assert set(row.kwargs) <= set(params), set(row.kwargs) - set(params)
    assert row.inputs in INPUTS
    assert (KB / f"{row.note}.md").is_file(), row.note
    assert row.trainer in {"DPO", "KTO", "ORPO", "CPO", "GRPO", "RLOO"}

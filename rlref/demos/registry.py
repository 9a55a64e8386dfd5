"""The demos by name. Each demo module defines ``SPEC``; torch is imported only in ``run``."""

from __future__ import annotations

import importlib

from rlref.demos.base import DemoSpec

# name → module (under rlref.demos) that defines SPEC
DEMO_MODULES: dict[str, str] = {
    "grpo": "grpo",
    "ppo": "ppo",
    "dpo": "dpo",
    "reward-model": "reward_model",
    "value-iteration": "value_iteration",
    "bandits": "bandits",
    "mcts": "mcts",
}


def get_demo(name: str) -> DemoSpec | None:
    module = DEMO_MODULES.get(name)
    if module is None:
        return None
    return importlib.import_module(f"rlref.demos.{module}").SPEC


def all_demos() -> list[DemoSpec]:
    return [spec for name in DEMO_MODULES if (spec := get_demo(name)) is not None]

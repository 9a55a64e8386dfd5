"""Runnable demos (`rlref run`): small, seeded training loops built from ``rlref.algos``."""

from rlref.demos.base import DemoSpec, RunLog, Target
from rlref.demos.registry import all_demos, get_demo

__all__ = ["DemoSpec", "RunLog", "Target", "all_demos", "get_demo"]

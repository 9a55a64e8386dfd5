"""rlref: a reference for reinforcement learning for LLMs whose formulas are checked against code."""

__version__ = "0.1.0"

"""rlref: an RL-for-LLM reference whose formulas are checked against code."""

__version__ = "0.1.0"

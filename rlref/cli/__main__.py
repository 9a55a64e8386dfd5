"""``python -m rlref.cli``."""

from rlref.cli import main

main()

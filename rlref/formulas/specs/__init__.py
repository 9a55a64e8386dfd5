"""Helpers that formula checks import: the data-level adapters a check needs beyond the
scope view (build the MDP object the code takes, a stationary distribution, a gradient by
autograd through an implementation). Keep them small and at the data level: a helper that
recomputes the formula would let a wrong formula pass.
"""

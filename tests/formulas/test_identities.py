"""Symbolic identities between formulas of the shipped vault, proven with sympy on the
parsed LaTeX of ``kb/``.

Each identity reads its formulas from the notes and their bindings, so a drifted formula
breaks the proof, not only a numeric check — and the second test proves that it does: every
LaTeX mutant of every formula an identity reads must make the proof fail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
import sympy as sp

from rlref.formulas.mutants import latex_mutants
from rlref.formulas.parse import ParsedFormula, parse_formula
from rlref.formulas.symbolic import applications, substitute, write_out

DPO = "AI/LLM/RL/DPO/DPO 原理"
GAE = "AI/LLM/RL/Fundamentals/GAE"
GRPO = "AI/LLM/RL/GRPO/GRPO 深度理解"
MARKOV = "AI/LLM/RL/Fundamentals/马尔科夫"
KL = "AI/LLM/RL/Fundamentals/KL散度"
BT = "AI/LLM/RL/Fundamentals/Bradley-Terry 奖励模型"
BELLMAN = "AI/LLM/RL/Fundamentals/贝尔曼方程"

Read = Callable[[str, str], ParsedFormula]  # (note, formula id) → the parsed formula


def dpo_partition_function_cancels(parsed: Read) -> None:
    """Solve the optimal policy for r: that is the note's reward reparameterisation. Put it
    into Bradley-Terry: Z(x) cancels, and the DPO loss with π_θ = π* is −log of that
    preference probability."""
    optimal = parsed(DPO, "optimal-policy")
    pi_star, r, Z = optimal.object(r"\pi^{*}"), optimal.object("r"), optimal.object("Z")
    x, y = optimal.object("x"), optimal.object("y")
    assert optimal.lhs == pi_star(y, x)
    (reward,) = sp.solve(sp.Eq(optimal.lhs, optimal.rhs), r(x, y))

    stated = parsed(DPO, "reward-reparameterization")
    assert stated.lhs == stated.object("r")(stated.object("x"), stated.object("y"))
    restated = _rename(stated.rhs, stated, optimal,
                       ("x", "y", r"\beta"), (r"\pi^{*}", r"\pi_{\mathrm{ref}}", "Z"))
    assert sp.simplify(sp.expand_log(restated - reward, force=True)) == 0

    bt = parsed(DPO, "bt-preference-probability")
    likelihood = bt.rhs.replace(bt.object("r"), sp.Lambda((x, y), reward))
    (sigma_bt,) = applications(likelihood, bt.object(r"\sigma"))
    implied = sp.expand(sp.expand_log(sigma_bt.args[0], force=True))
    assert not implied.has(Z), f"Z(x) does not cancel: {implied}"

    dpo = parsed(DPO, "dpo-loss")
    # both formulas name the same things: map the DPO note's symbols onto the optimum's
    loss = _rename(dpo.rhs.replace(dpo.object(r"\pi_\theta"), pi_star), dpo, optimal,
                   (r"\beta", "x"), (r"\pi_{\mathrm{ref}}",))
    loss = loss.xreplace({dpo.object("y_w"): bt.object("y_w"),
                          dpo.object("y_l"): bt.object("y_l")})
    (sigma_dpo,) = applications(loss, dpo.object(r"\sigma"))
    difference = sp.expand_log(sigma_dpo.args[0] - implied, force=True)
    assert sp.simplify(difference) == 0
    assert loss.xreplace({sigma_dpo: sigma_bt}) == -sp.log(likelihood)


def gae_with_lambda_one_telescopes(parsed: Read) -> None:
    """GAE(γ, λ=1) over a horizon of H steps = discounted return + γ^H V_{t+H} − V_t; when
    the episode ends at the last of those steps (d = 1) nothing is bootstrapped."""
    gae = parsed(GAE, "gae-sum")
    td = parsed(GAE, "td-residual")
    t, lag = gae.object("t"), gae.object("l")
    gamma, lam = gae.object(r"\gamma"), gae.object(r"\lambda")
    r, V, d = td.object("r"), td.object("V"), td.object("d")
    # fresh variables: the note's own t occurs in the sums, a Lambda over it would capture it
    u, v = sp.Dummy("u", integer=True), sp.Dummy("v", integer=True)
    residual = td.rhs.xreplace({td.object("t"): u, td.object(r"\gamma"): gamma})
    for horizon in range(1, 7):
        finite = write_out(gae.rhs, gae.object(r"\sum_{l=0}^{T-t-1}"), lag, range(horizon))
        discounted = sum(gamma**k * r(t + k) for k in range(horizon))
        for ends, bootstrap in ((False, gamma**horizon * V(t + horizon)), (True, 0)):
            done = sp.Lambda(v, sp.KroneckerDelta(v, t + horizon - 1) if ends else 0)
            delta = sp.Lambda(u, residual.replace(d, done))
            advantage = finite.replace(gae.object(r"\delta"), delta).subs(lam, 1)
            assert sp.expand(advantage - (discounted + bootstrap - V(t))) == 0, (horizon, ends)

    one = parsed(GAE, "gae-lambda-one")  # the note's own statement of the same fact
    T = one.object("T")
    for horizon in range(1, 7):
        stated = write_out(one.rhs, one.object(r"\sum_{l=0}^{T-t-1}"), one.object("l"),
                           range(horizon)).subs(T, one.object("t") + horizon)
        stated = stated.replace(one.object("V"), V).replace(one.object("r"), r)
        stated = stated.xreplace({one.object(r"\gamma"): gamma, one.object("t"): t})
        expected = (sum(gamma**k * r(t + k) for k in range(horizon))
                    + gamma**horizon * V(t + horizon) - V(t))
        assert sp.expand(stated - expected) == 0, horizon


def group_normalised_advantages_are_standardised(parsed: Read) -> None:
    """Within a group the advantages sum to zero; with ε = 0 their sample variance (Bessel's
    1/(G−1)) is one; and ε > 0 only shrinks them."""
    advantage = parsed(GRPO, "grpo-advantage")
    r, G, i = advantage.object("r"), advantage.object("G"), advantage.object("i")
    epsilon = advantage.object(r"\epsilon")
    n = sp.Symbol("n", integer=True)
    for size in range(2, 7):
        rewards = sp.symbols(f"r1:{size + 1}", real=True)
        expr = write_out(advantage.rhs, advantage.object(r"\sum_{j=1}^{G}"),
                         advantage.object("j"), range(size))
        expr = write_out(expr, advantage.object(r"\sum_{k=1}^{G}"), advantage.object("k"),
                         range(size))
        expr = expr.replace(r, sp.Lambda(n, _lookup(rewards, (n,)))).subs(G, size)
        group = [sp.piecewise_fold(expr.subs(i, member)) for member in range(size)]
        assert sp.simplify(sum(group)) == 0, size
        unit = sum(a.subs(epsilon, 0) ** 2 for a in group) / (size - 1)
        assert sp.simplify(unit - 1) == 0, size
        # a group that is not all equal: the squared advantages fall as ε grows from 0
        spread = dict(zip(rewards, range(size), strict=True))
        growth = sp.diff(sum(a**2 for a in group), epsilon).subs(spread).subs(epsilon, 0)
        assert growth < 0, size


def potential_shaping_telescopes(parsed: Read) -> None:
    shaped = parsed(MARKOV, "shaped-reward")
    t, gamma = shaped.object("t"), shaped.object(r"\gamma")
    r, s, phi = shaped.object("r"), shaped.object("s"), shaped.object(r"\Phi")
    step = sp.Lambda(t, shaped.rhs)
    for horizon in range(1, 7):
        shaped_return = sum(gamma**k * step(k) for k in range(horizon))
        expected = (sum(gamma**k * r(k) for k in range(horizon))
                    + gamma**horizon * phi(s(horizon)) - phi(s(0)))
        assert sp.expand(shaped_return - expected) == 0, horizon


def k3_is_unbiased_for_kl(parsed: Read) -> None:
    """E_{a~π_θ}[k3] = KL(π_θ ‖ π_ref) for every pair of distributions over three tokens."""
    k3 = parsed(KL, "kl-k3")
    kl = parsed(KL, "kl-categorical")
    p = sp.symbols("p1:4", positive=True)
    q = sp.symbols("q1:4", positive=True)
    on_simplex = {p[2]: 1 - p[0] - p[1], q[2]: 1 - q[0] - q[1]}
    a, s = sp.symbols("a s", integer=True)
    k3_of = sp.Lambda(k3.object("a_t"), substitute(k3.rhs, k3, {
        r"\pi_\theta": sp.Lambda((a, s), _lookup(p, (a,))),
        r"\pi_{\mathrm{ref}}": sp.Lambda((a, s), _lookup(q, (a,))),
    }))
    expectation = sum(p[n] * k3_of(n) for n in range(3))
    divergence = write_out(kl.rhs, kl.object(r"\sum_{i=1}^{V}"), kl.object("i"), range(3))
    divergence = substitute(divergence, kl, {"p": sp.Lambda(a, _lookup(p, (a,))),
                                             "q": sp.Lambda(a, _lookup(q, (a,)))})
    difference = sp.piecewise_fold(expectation - divergence).subs(on_simplex)
    assert sp.simplify(sp.expand_log(difference, force=True)) == 0


def sigmoid_symmetry(parsed: Read) -> None:
    """σ(a − b) = 1 − σ(b − a), on the Bradley-Terry preference probability: P(w ≻ l) and
    P(l ≻ w) add up to one."""
    bt = parsed(BT, "bt-preference-prob")
    rw, rl = bt.object("r_w"), bt.object("r_l")
    probability = bt.expanded()
    swapped = probability.xreplace({rw: rl, rl: rw})
    assert sp.simplify(probability + swapped - 1) == 0
    # σ(r_l − r_w) is symmetric too: the probability that y_w wins must grow with r_w
    assert sp.diff(probability, rw).subs({rw: 0, rl: 0}) > 0


def bellman_fixed_point_is_the_linear_solve(parsed: Read) -> None:
    """Solving V(s) = RHS(s) of the Bellman expectation equation for V gives
    (I − γ P_π)^{-1} r_π, exactly, on a random rational MDP."""
    bellman = parsed(BELLMAN, "bellman-expectation-v")
    rng = sp.Rational
    S, A = 3, 2
    P = [[[rng(1 + (s + 2 * a + 3 * n) % 4, 1) for n in range(S)] for a in range(A)]
         for s in range(S)]
    P = [[[value / sum(row) for value in row] for row in state] for state in P]
    R = [[rng(s - a, 3) for a in range(A)] for s in range(S)]
    policy = [[rng(1 + s + a, 1) for a in range(A)] for s in range(S)]
    policy = [[value / sum(row) for value in row] for row in policy]
    gamma = rng(9, 10)
    V = sp.symbols(f"V0:{S}")
    s, a, s2 = bellman.object("s"), bellman.object("a"), bellman.object("s'")
    x, u, w = sp.symbols("x u w", integer=True)
    rhs = write_out(bellman.rhs, bellman.object(r"\sum_{a=1}^{n_A}"), a, range(A))
    rhs = write_out(rhs, bellman.object(r"\sum_{s'=1}^{n_S}"), s2, range(S))
    rhs = substitute(rhs, bellman, {
        r"\pi": sp.Lambda((u, x), _lookup(policy, (x, u))),
        "r": sp.Lambda((x, u), _lookup(R, (x, u))),
        "P": sp.Lambda((w, x, u), _lookup(P, (x, u, w))),
        r"V^{\pi}": sp.Lambda(x, _lookup(V, (x,))),
        r"\gamma": gamma,
    })
    equations = [sp.Eq(V[n], sp.piecewise_fold(rhs.subs(s, n))) for n in range(S)]
    solution = sp.solve(equations, V)
    P_pi = sp.Matrix(S, S, lambda i, j: sum(policy[i][k] * P[i][k][j] for k in range(A)))
    r_pi = sp.Matrix(S, 1, lambda i, _: sum(policy[i][k] * R[i][k] for k in range(A)))
    linear = (sp.eye(S) - gamma * P_pi).inv() * r_pi
    assert [solution[V[n]] for n in range(S)] == list(linear)


def _rename(expr: sp.Basic, source: ParsedFormula, target: ParsedFormula,
            values: tuple[str, ...], functions: tuple[str, ...]) -> sp.Basic:
    """``expr`` of ``source`` with the named spellings replaced by ``target``'s objects."""
    expr = expr.xreplace({source.object(v): target.object(v) for v in values})
    for spelling in functions:
        expr = expr.replace(source.object(spelling), target.object(spelling))
    return expr


def _lookup(values, args):
    """A Piecewise that reads a nested list at symbolic integer indices."""
    if not args:
        return values
    index, rest = args[0], args[1:]
    return sp.Piecewise(*((_lookup(values[n], rest), sp.Eq(index, n)) for n in range(len(values))))


@dataclass(frozen=True)
class Identity:
    prove: Callable[[Read], None]  # raises (AssertionError, …) when the identity fails
    formulas: tuple[tuple[str, str], ...]  # the (note, formula id) pairs it reads


IDENTITIES = {
    "dpo-partition-function-cancels": Identity(dpo_partition_function_cancels, (
        (DPO, "optimal-policy"), (DPO, "reward-reparameterization"),
        (DPO, "bt-preference-probability"), (DPO, "dpo-loss"))),
    "gae-lambda-one-telescopes": Identity(gae_with_lambda_one_telescopes, (
        (GAE, "gae-sum"), (GAE, "td-residual"), (GAE, "gae-lambda-one"))),
    "group-advantages-are-standardised": Identity(group_normalised_advantages_are_standardised, (
        (GRPO, "grpo-advantage"),)),
    "potential-shaping-telescopes": Identity(potential_shaping_telescopes, (
        (MARKOV, "shaped-reward"),)),
    "k3-is-unbiased-for-kl": Identity(k3_is_unbiased_for_kl, (
        (KL, "kl-k3"), (KL, "kl-categorical"))),
    "sigmoid-symmetry": Identity(sigmoid_symmetry, ((BT, "bt-preference-prob"),)),
    "bellman-fixed-point-is-the-linear-solve": Identity(bellman_fixed_point_is_the_linear_solve, (
        (BELLMAN, "bellman-expectation-v"),)),
}


def _with_mutant(parsed: Read, target: tuple[str, str], mutated: ParsedFormula) -> Read:
    """The vault's formulas, except ``target``, which reads as ``mutated``."""
    return lambda note, formula_id: (
        mutated if (note, formula_id) == target else parsed(note, formula_id))


@pytest.mark.parametrize("name", IDENTITIES)
def test_identity_holds_on_the_vault(parsed, name):
    IDENTITIES[name].prove(parsed)


@pytest.mark.parametrize("name", IDENTITIES)
def test_identity_fails_for_every_mutant_of_its_formulas(tagged, parsed, name):
    identity = IDENTITIES[name]
    survivors, proved_wrong = [], 0
    for note, formula_id in identity.formulas:
        latex, binding = tagged(note, formula_id)
        for mutant_name, mutant in latex_mutants(latex):
            try:
                mutated = parse_formula(mutant, binding)
            except Exception:  # the formula no longer parses: it fails before any proof
                continue
            try:
                identity.prove(_with_mutant(parsed, (note, formula_id), mutated))
            except Exception:  # an assertion, or sympy finding no solution: the proof fails
                proved_wrong += 1
            else:
                survivors.append(f"{note}::{formula_id}: {mutant_name}: {mutant}")
    assert not survivors, "mutants the identity does not notice:\n" + "\n".join(survivors)
    assert proved_wrong, "no mutant of this identity's formulas reaches the proof"

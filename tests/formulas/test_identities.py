"""Symbolic identities between formulas of the notes, proven with sympy on the parsed LaTeX.

Each identity reads its formulas from the (fixture) notes and their bindings, so a drifted
formula breaks the proof, not only a numeric check.
"""

from __future__ import annotations

import sympy as sp

from rlref.formulas.symbolic import applications, substitute, write_out

DPO = "AI/LLM/RL/DPO/DPO 原理"
GAE = "AI/LLM/RL/Fundamentals/GAE"
GRPO = "AI/LLM/RL/GRPO/GRPO 深度理解"
MARKOV = "AI/LLM/RL/Fundamentals/马尔科夫"
KL = "AI/LLM/RL/Fundamentals/KL散度"
BT = "AI/LLM/RL/Fundamentals/Bradley-Terry 奖励模型"
BELLMAN = "AI/LLM/RL/Fundamentals/贝尔曼方程"


def test_dpo_partition_function_cancels(parsed):
    """Solve the optimal policy for r, put it into Bradley-Terry: Z(x) cancels, and what is
    left is the argument of σ in the DPO loss with π_θ = π*."""
    optimal = parsed(DPO, "optimal-policy")
    pi_star, r, Z = optimal.object(r"\pi^{*}"), optimal.object("r"), optimal.object("Z")
    x, y = optimal.object("x"), optimal.object("y")
    assert optimal.lhs == pi_star(y, x)
    (reward,) = sp.solve(sp.Eq(optimal.lhs, optimal.rhs), r(x, y))

    bt = parsed(DPO, "bt-preference-probability")
    (sigma_bt,) = applications(bt.rhs, bt.object(r"\sigma"))
    implied = sigma_bt.args[0].replace(bt.object("r"), sp.Lambda((x, y), reward))
    implied = sp.expand(sp.expand_log(implied, force=True))
    assert not implied.has(Z), f"Z(x) does not cancel: {implied}"

    dpo = parsed(DPO, "dpo-loss")
    (sigma_dpo,) = applications(dpo.rhs, dpo.object(r"\sigma"))
    dpo_argument = sigma_dpo.args[0].replace(dpo.object(r"\pi_\theta"), pi_star)
    # both formulas name the same things: map the DPO note's symbols onto the optimum's
    dpo_argument = dpo_argument.xreplace({
        dpo.object(r"\beta"): optimal.object(r"\beta"),
        dpo.object("x"): x,
    }).replace(dpo.object(r"\pi_{\mathrm{ref}}"), optimal.object(r"\pi_{\mathrm{ref}}"))
    implied = implied.xreplace({bt.object("y_w"): dpo.object("y_w"),
                                bt.object("y_l"): dpo.object("y_l")})
    difference = sp.expand_log(dpo_argument - implied, force=True)
    assert sp.simplify(difference) == 0


def test_gae_with_lambda_one_telescopes(parsed):
    """GAE(γ, λ=1) over a horizon of L+1 steps = discounted return + γ^{L+1} V - V_t."""
    gae = parsed(GAE, "gae-sum")
    td = parsed(GAE, "td-residual")
    t, lag = gae.object("t"), gae.object("l")
    gamma, lam = gae.object(r"\gamma"), gae.object(r"\lambda")
    r, V, d = td.object("r"), td.object("V"), td.object("d")
    delta = sp.Lambda(td.object("t"), td.rhs.replace(d, sp.Lambda(td.object("t"), 0)))
    delta = delta.xreplace({td.object(r"\gamma"): gamma})
    for horizon in range(1, 7):
        finite = write_out(gae.rhs, gae.object(r"\sum_{l=0}^{T-t-1}"), lag, range(horizon))
        finite = finite.replace(gae.object(r"\delta"), delta).subs(lam, 1)
        expected = (sum(gamma**k * r(t + k) for k in range(horizon))
                    + gamma**horizon * V(t + horizon) - V(t))
        assert sp.expand(finite - expected) == 0, horizon

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


def test_group_normalised_advantages_sum_to_zero(parsed):
    advantage = parsed(GRPO, "grpo-advantage")
    r, G, i = advantage.object("r"), advantage.object("G"), advantage.object("i")
    for size in range(2, 7):
        rewards = sp.symbols(f"r1:{size + 1}", real=True)
        expr = write_out(advantage.rhs, advantage.object(r"\sum_{j=1}^{G}"),
                         advantage.object("j"), range(size))
        expr = write_out(expr, advantage.object(r"\sum_{k=1}^{G}"), advantage.object("k"),
                         range(size))
        n = sp.Symbol("n", integer=True)
        expr = expr.replace(r, sp.Lambda(n, _lookup(rewards, (n,)))).subs(G, size)
        total = sum(expr.subs(i, member) for member in range(size))
        assert sp.simplify(sp.piecewise_fold(total)) == 0, size


def test_potential_shaping_telescopes(parsed):
    shaped = parsed(MARKOV, "shaped-reward")
    t, gamma = shaped.object("t"), shaped.object(r"\gamma")
    r, s, phi = shaped.object("r"), shaped.object("s"), shaped.object(r"\Phi")
    step = sp.Lambda(t, shaped.rhs)
    for horizon in range(1, 7):
        shaped_return = sum(gamma**k * step(k) for k in range(horizon))
        expected = (sum(gamma**k * r(k) for k in range(horizon))
                    + gamma**horizon * phi(s(horizon)) - phi(s(0)))
        assert sp.expand(shaped_return - expected) == 0, horizon


def test_k3_is_unbiased_for_kl(parsed):
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


def test_sigmoid_symmetry(parsed):
    """σ(a − b) = 1 − σ(b − a), on the Bradley-Terry preference probability."""
    bt = parsed(BT, "bt-preference-prob")
    rw, rl = bt.object("r_w"), bt.object("r_l")
    probability = bt.expanded()
    swapped = probability.xreplace({rw: rl, rl: rw})
    assert sp.simplify(probability + swapped - 1) == 0


def test_bellman_fixed_point_is_the_linear_solve(parsed):
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


def _lookup(values, args):
    """A Piecewise that reads a nested list at symbolic integer indices."""
    if not args:
        return values
    index, rest = args[0], args[1:]
    return sp.Piecewise(*((_lookup(values[n], rest), sp.Eq(index, n)) for n in range(len(values))))

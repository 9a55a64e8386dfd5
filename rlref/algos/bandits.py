r"""Multi-armed bandits: ε-greedy, UCB1, Thompson sampling and a regret simulator.

A $K$-armed Bernoulli bandit: pulling arm $a$ pays 1 with probability $\mu_a$, else 0. The
(pseudo-)regret after $T$ pulls is what was lost against always pulling the best arm, whose
mean is $\mu^{\star} = \max_a \mu_a$:

$$
\mathrm{Regret}(T) = \sum_{t=1}^{T} \left( \mu^{\star} - \mu_{a_t} \right)
$$

Randomness always comes from an explicit `torch.Generator`, never from the global RNG state.
"""

from __future__ import annotations

import math
from typing import Literal

import torch

__all__ = [
    "epsilon_greedy",
    "epsilon_greedy_probs",
    "simulate_regret",
    "thompson_sample",
    "ucb1_scores",
]


def epsilon_greedy(q_values: torch.Tensor, epsilon: float, generator: torch.Generator) -> int:
    r"""ε-greedy: a uniformly random arm with probability ε, else the greedy one.

    With probability $\epsilon$ the arm $a_t$ is drawn uniformly from the $K$ arms, otherwise it
    is $\arg\max_a \hat\mu_a$. Together the arm is drawn from (`epsilon_greedy_probs`)

    $$
    \pi(a) = (1 - \epsilon)\, \mathbb{1}\left[a = \arg\max_{b} \hat{\mu}_b\right]
        + \frac{\epsilon}{K}
    $$

    Ties in the argmax go to the lowest index.

    Source: Sutton & Barto, *Reinforcement Learning: An Introduction* (2nd ed., 2018), §2.2.

    Note: [[AI/LLM/RL/Fundamentals/RL 概览]]

    Args:
        q_values: Estimated arm values $\hat\mu_a$, shape `(K,)`.
        epsilon: Exploration probability $\epsilon \in [0, 1]$.
        generator: Source of randomness.

    Returns:
        The chosen arm index.
    """
    if torch.rand((), generator=generator).item() < epsilon:
        return int(torch.randint(q_values.numel(), (), generator=generator).item())
    return int(q_values.argmax().item())


def epsilon_greedy_probs(q_values: torch.Tensor, epsilon: float) -> torch.Tensor:
    r"""The action distribution that `epsilon_greedy` samples from.

    $$
    \pi(a) = (1 - \epsilon)\, \mathbb{1}\left[a = \arg\max_{b} \hat{\mu}_b\right]
        + \frac{\epsilon}{K}
    $$

    Ties in the argmax go to the lowest index, as in `epsilon_greedy`.

    Source: Sutton & Barto, *Reinforcement Learning: An Introduction* (2nd ed., 2018), §2.2.

    Note: [[AI/LLM/RL/Fundamentals/RL 概览]]

    Args:
        q_values: Estimated action values $\hat\mu_a$, shape `(..., K)`.
        epsilon: Exploration probability $\epsilon \in [0, 1]$.

    Returns:
        Probabilities $\pi(a)$, shape `(..., K)`, summing to 1 over the last axis.
    """
    num_actions = q_values.shape[-1]
    greedy = torch.nn.functional.one_hot(q_values.argmax(-1), num_actions).to(q_values.dtype)
    # (1 − ε)·1[a = argmax] + ε/K
    return (1.0 - epsilon) * greedy + epsilon / num_actions


def ucb1_scores(
    means: torch.Tensor, counts: torch.Tensor, total: int, c: float = math.sqrt(2.0)
) -> torch.Tensor:
    r"""UCB1 index of every arm: optimism in the face of uncertainty.

    $$
    \mathrm{UCB}_a(t) = \hat{\mu}_a + c \sqrt{\frac{\ln t}{n_a}}
    $$

    where $t$ is the total number of pulls so far and $n_a$ those of arm $a$; UCB1 proper has
    $c = \sqrt{2}$ (the default). An arm never pulled scores $+\infty$, so every arm is tried
    once first. UCB1's expected regret is $O\big(\sum_{a:\Delta_a>0} \ln T / \Delta_a\big)$
    after $T$ pulls, logarithmic in $T$.

    Source: P. Auer, N. Cesa-Bianchi & P. Fischer, *Finite-time Analysis of the Multiarmed
    Bandit Problem*, Machine Learning 47 (2002).

    Note: [[AI/LLM/RL/Fundamentals/RL 概览]]

    Args:
        means: Empirical means $\hat\mu_a$, shape `(K,)`.
        counts: Pull counts $n_a$, shape `(K,)`.
        total: $t = \sum_a n_a$.
        c: Exploration constant.

    Returns:
        Scores, shape `(K,)`; pick the argmax.
    """
    counts = counts.to(means.dtype)
    # bonus = c √(ln n / n_a)
    bonus = c * torch.sqrt(math.log(max(total, 1)) / counts)
    return torch.where(counts > 0, means + bonus, torch.full_like(means, math.inf))


def thompson_sample(
    successes: torch.Tensor,
    failures: torch.Tensor,
    generator: torch.Generator,
    prior_alpha: float = 1.0,
    prior_beta: float = 1.0,
) -> int:
    r"""Thompson sampling for Bernoulli arms with a Beta prior: play the arm whose sample wins.

    Every arm draws $\theta_a \sim \mathrm{Beta}(\alpha_0 + S_a,\ \beta_0 + F_a)$ from its
    posterior, and the arm played is $a_t = \arg\max_a \theta_a$. $S_a$ / $F_a$ are the arm's
    observed successes / failures; $\mathrm{Beta}(1, 1)$ is uniform. Each arm is played with the
    posterior probability that it is the best.

    Sources: W. R. Thompson, *On the Likelihood that One Unknown Probability Exceeds Another in
    View of the Evidence of Two Samples*, Biometrika (1933); *A Tutorial on Thompson Sampling*,
    arXiv:1707.02038.

    Note: [[AI/LLM/RL/Fundamentals/RL 概览]]

    Args:
        successes: $S_a$, shape `(K,)`.
        failures: $F_a$, shape `(K,)`.
        generator: Source of randomness (the global RNG state is left untouched).
        prior_alpha: $\alpha_0$.
        prior_beta: $\beta_0$.

    Returns:
        The chosen arm index.
    """
    seed = int(torch.randint(2**62, (), generator=generator).item())
    # torch.distributions samples from the global RNG: fork it so the call stays pure
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        # θ_a ~ Beta(α0 + S_a, β0 + F_a)
        theta = torch.distributions.Beta(
            prior_alpha + successes.double(), prior_beta + failures.double(), validate_args=False
        ).sample()
    return int(theta.argmax().item())


def simulate_regret(
    strategy: Literal["epsilon_greedy", "ucb1", "thompson"],
    arm_means: torch.Tensor,
    horizon: int,
    seed: int = 0,
    epsilon: float = 0.1,
    c: float = math.sqrt(2.0),
) -> torch.Tensor:
    r"""Play a Bernoulli bandit for `horizon` steps and return the cumulative pseudo-regret.

    $$
    \mathrm{Regret}(T) = \sum_{t=1}^{T} \left( \mu^{\star} - \mu_{a_t} \right)
    $$

    with $\mu^{\star} = \max_a \mu_a$ and $a_t$ the arm pulled at step $t$; entry $n - 1$ of the
    result is $\mathrm{Regret}(n)$, the last one $\mathrm{Regret}(T)$.

    Pseudo-regret uses the true means of the chosen arms, not the sampled payouts, so it has no
    reward noise. UCB1 and Thompson sampling grow like $\ln T$; ε-greedy with a fixed ε grows
    linearly (it keeps exploring at rate ε forever).

    Source: T. Lattimore & C. Szepesvári, *Bandit Algorithms*, Cambridge University Press (2020),
    ch. 4 (regret).

    Note: [[AI/LLM/RL/Fundamentals/RL 概览]]

    Args:
        strategy: `"epsilon_greedy"`, `"ucb1"` or `"thompson"`.
        arm_means: True success probabilities $\mu_a$, shape `(K,)`.
        horizon: Number of pulls $T$.
        seed: Seed of the private generator.
        epsilon: $\epsilon$ for `"epsilon_greedy"`.
        c: Exploration constant for `"ucb1"`.

    Returns:
        Cumulative regret after each pull, shape `(horizon,)`, float64.
    """
    generator = torch.Generator().manual_seed(seed)
    means = arm_means.double().cpu()
    successes = torch.zeros_like(means)
    counts = torch.zeros_like(means)
    gaps = torch.empty(horizon, dtype=torch.float64)
    for t in range(horizon):
        estimates = successes / counts.clamp(min=1.0)  # μ̂_a (0 for unplayed arms)
        if strategy == "epsilon_greedy":
            arm = epsilon_greedy(estimates, epsilon, generator)
        elif strategy == "ucb1":
            arm = int(ucb1_scores(estimates, counts, t, c).argmax().item())
        elif strategy == "thompson":
            arm = thompson_sample(successes, counts - successes, generator)
        else:
            raise ValueError(f"unknown strategy {strategy!r}")
        payout = float(torch.rand((), generator=generator, dtype=torch.float64) < means[arm])
        successes[arm] += payout
        counts[arm] += 1
        gaps[t] = means.max() - means[arm]  # μ* − μ_{a_t}
    return gaps.cumsum(dim=0)

r"""Returns: discounted returns, TD residuals and λ-returns over padded batches of trajectories.

Every quantity here is a *reverse linear recurrence* over time,
$x_t = b_t + a_t\, x_{t+1}$ with $x_T = x_{\text{boot}}$, which `reverse_linear_recurrence` solves
for a whole batch with $\lceil\log_2 T\rceil$ rounds of tensor ops (no Python loop over time
steps or batch elements).

Conventions shared by this module and `rlref.algos.advantages`:

* Tensors are `(B, T)`: batch × time steps (tokens, for an LLM).
* `mask[b, t] = 1` marks a real step, `0` a pad (or an observation token that the policy did not
  generate). Pads are *skipped*, as verl does for multi-turn observation tokens: a real step's
  successor is the next real step, whatever lies between. Outputs are 0 at pads, so inserting pads
  anywhere (left, right or inside) never changes a real step's value. Skipping is implemented by
  moving each row's real steps to its front (a cumulative sum and a scatter), solving the
  recurrence there, and moving the results back.
* `dones[b, t] = 1` means the episode terminated at step `t`: nothing after it is bootstrapped.
  Right-padding an LLM response is already a termination (no real step follows), so LLM code
  rarely needs `dones`.
* `bootstrap_value` (shape `(B,)`, default 0) is $V(s_T)$, the value after the last real step of a
  truncated (not terminated) trajectory.
"""

from __future__ import annotations

import torch

__all__ = [
    "discounted_returns",
    "lambda_returns",
    "next_real_values",
    "reverse_linear_recurrence",
    "td_residual",
]


def reverse_linear_recurrence(
    b: torch.Tensor,
    a: torch.Tensor | float,
    x_last: torch.Tensor | float | None = None,
) -> torch.Tensor:
    r"""Solve $x_t = b_t + a_t\,x_{t+1}$ backwards in time for every row, without a time loop.

    Each step is the affine map $f_t(y) = b_t + a_t\,y$, and $x_t = f_t \circ f_{t+1} \circ
    \cdots \circ f_{T-1}(x_T)$. Composition of affine maps is associative,
    $(a, b) \circ (a', b') = (a\,a',\ b + a\,b')$, so a doubling (Hillis–Steele) scan finds
    every suffix composition in $\lceil \log_2 T \rceil$ rounds, each a few element-wise ops
    over the whole `(B, T)` tensor: after the round with offset $d$, entry $t$ holds
    $f_t \circ \cdots \circ f_{t+2d-1}$. Unrolled, the result is the weighted reverse cumulative
    sum

    $$
    x_t = \sum_{l=t}^{T-1} \left(\prod_{k=t}^{l-1} a_k\right) b_l +
        \left(\prod_{k=t}^{T-1} a_k\right) x_T
    $$

    Only products and sums are formed (no division, no logarithm), so $a_k = 0$ (a termination)
    is exact and a long product of factors below 1 can only underflow towards its true tiny
    value. The result is differentiable in `b`, `a` and `x_last`.

    Sources: W. D. Hillis & G. L. Steele, *Data Parallel Algorithms*, CACM 29(12) (1986);
    G. E. Blelloch, *Prefix Sums and Their Applications*, CMU-CS-90-190 (1990) (scans of
    first-order linear recurrences).

    Note: [[AI/LLM/RL/Fundamentals/GAE]]

    Args:
        b: Inputs, shape `(B, T)` (any leading shape).
        a: Per-step factors, same shape as `b`, or one Python float for every step (then each
            round needs a single tensor product).
        x_last: The value after the last step, shape `(B,)` or a float; default 0.

    Returns:
        `x`, same shape as `b`.
    """
    steps = b.shape[-1]
    constant = not isinstance(a, torch.Tensor)
    gain, offset_sum = a, b  # entry t: the composition of f_t … f_{t+d-1}, as (Π a, offset)
    offset = 1
    while offset < steps:
        head_sum = offset_sum[..., : steps - offset]
        if constant:
            head_gain = a**offset  # every complete block of d steps has gain a^d
        else:
            head_gain = gain[..., : steps - offset]
            gain = torch.cat([head_gain * gain[..., offset:], gain[..., steps - offset :]], -1)
        # (a, b) ∘ (a', b') = (a a', b + a b'), with (a', b') the block starting d steps later
        offset_sum = torch.cat(
            [head_sum + head_gain * offset_sum[..., offset:], offset_sum[..., steps - offset :]], -1
        )
        offset *= 2
    if x_last is None:
        return offset_sum
    if constant:
        gain = a ** torch.arange(steps, 0, -1, dtype=b.dtype, device=b.device)  # a^(T−t)
    # x_t = b_t + a_t b_{t+1} + … + (Π_{k≥t} a_k) x_T
    return offset_sum + gain * _bootstrap(x_last, b).unsqueeze(-1)


def _bootstrap(x_last: torch.Tensor | float | None, like: torch.Tensor) -> torch.Tensor:
    if x_last is None:
        return like.new_zeros(like.shape[:-1])
    return torch.as_tensor(x_last, dtype=like.dtype, device=like.device).expand(like.shape[:-1])


class _Layout:
    """Each row's real steps moved to its front, in order, with the pads after them.

    Running a recurrence on the compacted rows *is* skipping the pads. With no mask the layout
    is the identity and costs nothing.
    """

    def __init__(self, mask: torch.Tensor | None, like: torch.Tensor) -> None:
        self.steps = like.shape[-1]
        self.real = None if mask is None else mask.bool()
        if self.real is None:
            return
        rank = self.real.cumsum(dim=-1)  # k_t: real steps in [0, t]
        count = rank[..., -1:]  # n: real steps in the row
        self.positions = torch.arange(self.steps, device=like.device).expand_as(self.real)
        self.count = count
        self.pad_part = self.positions >= count  # the pads of a compacted row
        # where step t goes: its rank among the real steps, or the spare column T for a pad
        self.slot = (rank - 1).masked_fill_(~self.real, self.steps)

    def compact(self, x: torch.Tensor) -> torch.Tensor:
        """x with the real steps first, in order, and 0 after them."""
        if self.real is None:
            return x
        spread = x.new_zeros((*x.shape[:-1], self.steps + 1)).scatter_(-1, self.slot, x)
        return spread[..., : self.steps]

    def expand(self, x: torch.Tensor) -> torch.Tensor:
        """A compacted result back at the original positions, 0 at pads."""
        if self.real is None:
            return x
        return torch.cat([x, torch.zeros_like(x[..., :1])], dim=-1).gather(-1, self.slot)

    def only_real(self, x: torch.Tensor) -> torch.Tensor:
        """A compacted tensor with its pad part set to 0."""
        return x if self.real is None else x.masked_fill(self.pad_part, 0.0)

    def continues(self, dones: torch.Tensor | None, like: torch.Tensor) -> torch.Tensor | float:
        """1 − d_t in the compacted layout, or the float 1 when there are no dones."""
        return 1.0 if dones is None else 1.0 - self.compact(dones.to(like.dtype))

    def next_values(
        self, values: torch.Tensor, bootstrap: torch.Tensor | float | None
    ) -> torch.Tensor:
        """V(s_{t+1}) in the compacted layout: the next real step's value, or the bootstrap."""
        boot = _bootstrap(bootstrap, values).unsqueeze(-1)
        if self.real is not None:
            # pads hold the bootstrap, so the last real step sees it as its successor
            values = torch.where(self.pad_part, boot, values)
        return torch.cat([values[..., 1:], boot], dim=-1)

    def solve(
        self,
        b: torch.Tensor,
        factor: float,
        continues: torch.Tensor | float,
        x_last: torch.Tensor | float | None,
    ) -> torch.Tensor:
        """x_t = b_t + factor·(1 − d_t)·x_{t+1} over the real steps, x = x_last after the last one.

        `b` must be 0 on the pad part of the compacted rows.
        """
        if isinstance(continues, torch.Tensor):
            a = factor * continues
            if self.real is not None:
                a = a.masked_fill(self.pad_part, 1.0)  # trailing pads pass x_last through
            return reverse_linear_recurrence(b, a, x_last)
        if self.real is None or x_last is None:
            return reverse_linear_recurrence(b, factor, x_last)
        x = reverse_linear_recurrence(b, factor)
        # x_last reaches step j through the n − j real steps from j on: factor^(n − j)
        exponent = (self.count - self.positions).clamp(min=0).to(b.dtype)
        return x + factor**exponent * _bootstrap(x_last, b).unsqueeze(-1)


def next_real_values(
    values: torch.Tensor,
    mask: torch.Tensor | None = None,
    bootstrap_value: torch.Tensor | float | None = None,
) -> torch.Tensor:
    r"""$V(s_{t'})$ of the next real step $t' > t$ (skipping pads), or the bootstrap value.

    At every real step $t$ ($m_t = 1$) the result is $V(s_{t'})$ with
    $t' = \min\{u > t : m_u = 1\}$ the next real step, or $V_{\text{boot}}$ when no real step
    follows $t$; it is 0 at pads. This is the $V_{t+1}$ of the TD residual once pads are
    skipped.

    Source: verl 0.9.1 `compute_gae_advantage_return` (`verl/trainer/ppo/core_algos.py`), whose
    backward loop carries `nextvalues` unchanged across mask-0 (observation) tokens.

    Note: [[AI/LLM/RL/Fundamentals/GAE]]

    Args:
        values: $V(s_t)$, shape `(B, T)`.
        mask: 1 = real step, 0 = pad; default all real.
        bootstrap_value: $V$ after the last real step, shape `(B,)`; default 0.

    Returns:
        Shape `(B, T)`: the successor's value at every real step, 0 at pads.
    """
    layout = _Layout(mask, values)
    return layout.expand(layout.next_values(layout.compact(values), bootstrap_value))


def _td_residual_compact(
    layout: _Layout,
    rewards: torch.Tensor,
    values: torch.Tensor,
    gamma: float,
    continues: torch.Tensor | float,
    bootstrap_value: torch.Tensor | float | None,
) -> torch.Tensor:
    """δ in the compacted layout (inputs already compacted), 0 on the pad part."""
    next_values = layout.next_values(values, bootstrap_value)
    # δ_t = r_t + γ(1 − d_t) V(s_{t+1}) − V(s_t)
    return layout.only_real(rewards + gamma * continues * next_values - values)


def discounted_returns(
    rewards: torch.Tensor,
    gamma: float,
    mask: torch.Tensor | None = None,
    dones: torch.Tensor | None = None,
    bootstrap_value: torch.Tensor | float | None = None,
) -> torch.Tensor:
    r"""Discounted return-to-go $G_t$ of every step.

    Without terminations inside the trajectory ($d_t = 0$ before its last step $T - 1$) it is the
    finite discounted sum

    $$
    G_t = \sum_{k=0}^{T-t-1} \gamma^{k} r_{t+k}
    $$

    (plus $\gamma^{T-t} G_T$ when a bootstrap value $G_T$ is given). The function computes it by
    the backward recursion $G_t = r_t + \gamma\,(1 - d_t)\,G_{t+1}$, which also cuts the sum at
    every termination $d_t = 1$.

    Source: Sutton & Barto, *Reinforcement Learning: An Introduction* (2nd ed., 2018), ch. 3.
    verl's `adv_estimator="reinforce_plus_plus"` whitens exactly these returns.

    Note: [[AI/LLM/RL/Fundamentals/马尔科夫]]

    Args:
        rewards: $r_t$, shape `(B, T)`.
        gamma: Discount $\gamma \in [0, 1]$.
        mask: 1 = real step, 0 = pad (skipped); default all real.
        dones: 1 where the episode terminated at step $t$; default none.
        bootstrap_value: $G$ after the last real step, shape `(B,)`; default 0.

    Returns:
        $G_t$, shape `(B, T)`, 0 at pads.
    """
    layout = _Layout(mask, rewards)
    # G_t = r_t + γ(1 − d_t) G_{t+1}, over the real steps
    returns = layout.solve(
        layout.compact(rewards), gamma, layout.continues(dones, rewards), bootstrap_value
    )
    return layout.expand(returns)


def td_residual(
    rewards: torch.Tensor,
    values: torch.Tensor,
    gamma: float,
    mask: torch.Tensor | None = None,
    dones: torch.Tensor | None = None,
    bootstrap_value: torch.Tensor | float | None = None,
) -> torch.Tensor:
    r"""One-step TD error $\delta_t$.

    $$
    \delta_t = r_t + \gamma (1 - d_t) V_{t+1} - V_t
    $$

    with $V_t = V(s_t)$ and $V_{t+1}$ the value of the next real step (the bootstrap value after
    the last one).

    Source: *High-Dimensional Continuous Control Using Generalized Advantage Estimation*,
    arXiv:1506.02438.

    Note: [[AI/LLM/RL/Fundamentals/GAE]]

    Args:
        rewards: $r_t$, shape `(B, T)`.
        values: $V(s_t)$, shape `(B, T)`.
        gamma: Discount $\gamma$.
        mask: 1 = real step, 0 = pad (skipped); default all real.
        dones: 1 where the episode terminated at step $t$; default none.
        bootstrap_value: $V$ after the last real step, shape `(B,)`; default 0.

    Returns:
        $\delta_t$, shape `(B, T)`, 0 at pads.
    """
    layout = _Layout(mask, rewards)
    continues = layout.continues(dones, rewards)
    rewards_c, values_c = layout.compact(rewards), layout.compact(values)
    return layout.expand(
        _td_residual_compact(layout, rewards_c, values_c, gamma, continues, bootstrap_value)
    )


def lambda_returns(
    rewards: torch.Tensor,
    values: torch.Tensor,
    gamma: float,
    lam: float,
    mask: torch.Tensor | None = None,
    dones: torch.Tensor | None = None,
    bootstrap_value: torch.Tensor | float | None = None,
) -> torch.Tensor:
    r"""λ-return $G^\lambda_t$, the exponentially weighted mix of all n-step returns.

    $$
    G^{\lambda}_t = r_t + \gamma (1 - d_t) \left((1 - \lambda) V_{t+1}
        + \lambda G^{\lambda}_{t+1}\right)
    $$

    with $V_{t+1}$ the value of the next real step and $G^\lambda$ after the last step equal to
    the bootstrap value. It is the PPO value target:
    $G^\lambda_t = \hat A^{\mathrm{GAE}(\gamma,\lambda)}_t + V(s_t)$, which TRL and verl call the
    `returns`. $\lambda = 1$ gives the Monte-Carlo return, $\lambda = 0$ the TD(0) target.

    Source: Sutton & Barto, *Reinforcement Learning: An Introduction* (2nd ed., 2018), ch. 12
    (the λ-return);
    arXiv:1506.02438 (GAE) for its use as the value target.

    Note: [[AI/LLM/RL/Fundamentals/GAE]]

    Args:
        rewards: $r_t$, shape `(B, T)`.
        values: $V(s_t)$, shape `(B, T)`.
        gamma: Discount $\gamma$.
        lam: $\lambda \in [0, 1]$.
        mask: 1 = real step, 0 = pad (skipped); default all real.
        dones: 1 where the episode terminated at step $t$; default none.
        bootstrap_value: $V$ after the last real step, shape `(B,)`; default 0.

    Returns:
        $G^\lambda_t$, shape `(B, T)`, 0 at pads.
    """
    layout = _Layout(mask, rewards)
    continues = layout.continues(dones, rewards)
    next_values = layout.next_values(layout.compact(values), bootstrap_value)
    # b_t = r_t + γ(1 − d_t)(1 − λ) V(s_{t+1}),  a_t = γλ(1 − d_t)
    b = layout.only_real(layout.compact(rewards) + gamma * continues * (1.0 - lam) * next_values)
    return layout.expand(layout.solve(b, gamma * lam, continues, bootstrap_value))

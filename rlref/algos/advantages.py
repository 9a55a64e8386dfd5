r"""Advantage estimators: GAE for critic-based PPO, and the critic-free group baselines of LLM RL.

Per-token estimators take `(B, T)` tensors with the mask/done conventions of
`rlref.algos.returns`. Outcome-reward estimators take one scalar reward per
completion, shape `(N,)`, where the `N = P × G` completions are laid out prompt by prompt: the
`G = group_size` completions of the same prompt are contiguous (TRL's `num_generations` layout).
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import torch

from rlref.algos.lm import masked_sum
from rlref.algos.returns import _Layout, _td_residual_compact, discounted_returns

__all__ = [
    "GAEOutput",
    "gae",
    "gae_loop_reference",
    "group_advantages",
    "masked_whiten",
    "opo_advantages",
    "process_supervision_advantages",
    "reinforce_pp_advantages",
    "rloo_advantages",
]


class GAEOutput(NamedTuple):
    """Advantages and the value targets (λ-returns) that PPO trains the critic on."""

    advantages: torch.Tensor
    returns: torch.Tensor


def gae(
    rewards: torch.Tensor,
    values: torch.Tensor,
    gamma: float,
    lam: float,
    mask: torch.Tensor | None = None,
    dones: torch.Tensor | None = None,
    bootstrap_value: torch.Tensor | float | None = None,
) -> GAEOutput:
    r"""Generalized Advantage Estimation, GAE(γ, λ), vectorised over batch and time.

    $$
    \hat{A}_t = \delta_t + \gamma \lambda (1 - d_t) \hat{A}_{t+1}
    $$

    backwards from $\hat A_T = 0$, with the TD residual (`rlref.algos.returns.td_residual`)

    $$
    \delta_t = r_t + \gamma (1 - d_t) V_{t+1} - V_t
    $$

    where $V_t = V(s_t)$ and $V_{t+1}$ is the value of the next real step. Without terminations
    inside the trajectory the recursion unrolls to

    $$
    \hat{A}_t = \sum_{l=0}^{T-t-1} (\gamma \lambda)^{l} \delta_{t+l}
    $$

    The returns (value targets) are $\hat R_t = \hat A_t + V(s_t)$, the λ-return.
    $\lambda = 1$ gives $\hat A_t = G_t - V(s_t)$ (Monte-Carlo return minus baseline),
    $\lambda = 0$ gives $\hat A_t = \delta_t$.

    Solved with `rlref.algos.returns.reverse_linear_recurrence` (a $\log_2 T$-round scan)
    instead of the per-step Python loop of CleanRL and verl (whose `compute_gae_advantage_return`
    was adapted from TRL's former `PPOTrainer`; TRL 1.16 has no GAE); the loop survives as
    `gae_loop_reference` for tests and benchmarks. No whitening is applied: verl
    (`algorithm.adv_estimator="gae"`) whitens the advantages afterwards over the masked batch —
    apply `masked_whiten` to reproduce that.

    Source: *High-Dimensional Continuous Control Using Generalized Advantage Estimation*,
    arXiv:1506.02438.

    Note: [[AI/LLM/RL/Fundamentals/GAE]]

    Args:
        rewards: $r_t$, shape `(B, T)` (for an LLM: usually the KL penalty per token plus the
            outcome reward on the last real token).
        values: $V(s_t)$, shape `(B, T)`.
        gamma: Discount $\gamma$.
        lam: $\lambda \in [0, 1]$.
        mask: 1 = real step, 0 = pad (skipped, see the module conventions); default all real.
        dones: 1 where the episode terminated at step $t$; default none.
        bootstrap_value: $V$ after the last real step, shape `(B,)`; default 0.

    Returns:
        `GAEOutput(advantages, returns)`, each `(B, T)`, 0 at pads.
    """
    layout = _Layout(mask, rewards)  # pads skipped: real steps moved to the front of each row
    continues = layout.continues(dones, rewards)
    values_c = layout.compact(values)
    delta = _td_residual_compact(
        layout, layout.compact(rewards), values_c, gamma, continues, bootstrap_value
    )
    # Â_t = δ_t + γλ(1 − d_t) Â_{t+1}
    advantages = layout.solve(delta, gamma * lam, continues, None)
    # R̂_t = Â_t + V(s_t)
    return GAEOutput(layout.expand(advantages), layout.expand(advantages + values_c))


def gae_loop_reference(
    rewards: torch.Tensor,
    values: torch.Tensor,
    gamma: float,
    lam: float,
    mask: torch.Tensor | None = None,
    dones: torch.Tensor | None = None,
    bootstrap_value: torch.Tensor | float | None = None,
) -> GAEOutput:
    r"""GAE(γ, λ) by the per-time-step Python loop — the slow reference for tests and benchmarks.

    The same recurrence and conventions as `gae`, written the way CleanRL and verl write it: one
    iteration per time step, vectorised over the batch only. Pads keep the carried value and
    advantage (verl's handling of observation tokens).

    $$
    \hat A_t = \delta_t + \gamma\lambda\,(1 - d_t)\, \hat A_{t+1}
    $$

    Source: arXiv:1506.02438.

    Note: [[AI/LLM/RL/Fundamentals/GAE]]

    Args:
        rewards: $r_t$, shape `(B, T)`.
        values: $V(s_t)$, shape `(B, T)`.
        gamma: Discount $\gamma$.
        lam: $\lambda$.
        mask: 1 = real step, 0 = pad; default all real.
        dones: 1 where the episode terminated at step $t$; default none.
        bootstrap_value: $V$ after the last real step, shape `(B,)`; default 0.

    Returns:
        `GAEOutput(advantages, returns)`, each `(B, T)`, 0 at pads.
    """
    real = torch.ones_like(rewards, dtype=torch.bool) if mask is None else mask.bool()
    continues = torch.ones_like(rewards) if dones is None else 1.0 - dones.to(rewards.dtype)
    zero = rewards.new_zeros(())
    start = 0.0 if bootstrap_value is None else bootstrap_value
    next_value = torch.as_tensor(start, dtype=rewards.dtype, device=rewards.device)
    next_value = next_value.expand(rewards.shape[:-1])
    next_advantage = rewards.new_zeros(rewards.shape[:-1])
    reversed_advantages = []
    for t in reversed(range(rewards.shape[-1])):
        # δ_t = r_t + γ(1 − d_t) V(s_{t+1}) − V(s_t)
        delta = rewards[..., t] + gamma * continues[..., t] * next_value - values[..., t]
        # Â_t = δ_t + γλ(1 − d_t) Â_{t+1}
        advantage = delta + gamma * lam * continues[..., t] * next_advantage
        next_value = torch.where(real[..., t], values[..., t], next_value)
        next_advantage = torch.where(real[..., t], advantage, next_advantage)
        reversed_advantages.append(torch.where(real[..., t], advantage, zero))
    if reversed_advantages:
        advantages = torch.stack(reversed_advantages[::-1], dim=-1)
    else:
        advantages = torch.zeros_like(rewards)
    return GAEOutput(advantages, torch.where(real, advantages + values, zero))


def masked_whiten(x: torch.Tensor, mask: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    r"""Shift and scale the real entries to mean 0 and variance 1 (pads become 0).

    In the notation of REINFORCE++, which whitens its returns $G_{i,t}$ with this function
    (`reinforce_pp_advantages`; for any other `x` read $x_{i,t}$ for $G_{i,t}$ and the output
    for $\hat A_{i,t}$), over the real entries $m_{i,t} = 1$ of the whole batch:

    $$
    \mu = \frac{\sum_{i=1}^{B} \sum_{t=0}^{T-1} m_{i,t} G_{i,t}}{\sum_{i=1}^{B}
        \sum_{t=0}^{T-1} m_{i,t}}
    $$

    $$
    \sigma^{2} = \frac{\sum_{i=1}^{B} \sum_{t=0}^{T-1} m_{i,t} \left( G_{i,t} - \mu \right)^{2}}
        {\sum_{i=1}^{B} \sum_{t=0}^{T-1} m_{i,t} - 1}
    $$

    $$
    \hat{A}_{i,t} = \frac{G_{i,t} - \mu}{\sqrt{\sigma^{2} + \epsilon}}
    $$

    The variance uses Bessel's correction ($N - 1$), as verl's `masked_whiten` does;
    $\epsilon$ (default $10^{-8}$, verl's value) only guards a zero variance.

    Source: verl 0.9.1 `masked_whiten` (`verl/utils/torch_functional.py`), which
    `compute_gae_advantage_return` applies to the GAE advantages.

    Note: [[AI/LLM/RL/Fundamentals/策略梯度方法]]

    Args:
        x: Values, shape `(B, T)` (any shape).
        mask: Same shape; 1 = real, 0 = pad. Needs at least two real entries.
        eps: $\epsilon$ inside the square root.

    Returns:
        Whitened values, same shape, 0 at pads.
    """
    real = mask.bool().expand_as(x)
    count = real.sum().to(x.dtype)
    mean = masked_sum(x, real) / count
    # σ² with Bessel's correction over the real entries
    variance = masked_sum((x - mean) ** 2, real) / (count - 1)
    whitened = (x - mean) / torch.sqrt(variance + eps)
    return torch.where(real, whitened, x.new_zeros(()))


def _groups(rewards: torch.Tensor, group_size: int) -> torch.Tensor:
    if rewards.dim() != 1 or group_size < 1 or rewards.numel() % group_size:
        raise ValueError(
            f"rewards must be (N,) with N a multiple of group_size; got {tuple(rewards.shape)} "
            f"and group_size={group_size}"
        )
    return rewards.view(-1, group_size)


def group_advantages(
    rewards: torch.Tensor,
    group_size: int,
    scale: Literal["group", "batch", "none"] = "group",
    eps: float = 1e-4,
) -> torch.Tensor:
    r"""GRPO's group-relative advantage: each reward minus its group's mean, optionally scaled.

    With $G$ completions $o_1, \dots, o_G$ of one prompt and rewards $r_1, \dots, r_G$,
    `scale="group"` (GRPO) divides by the group's standard deviation:

    $$
    \hat{A}_{i} = \frac{r_i - \frac{1}{G}\sum_{j=1}^{G} r_j}
        {\sqrt{\frac{1}{G-1}\sum_{j=1}^{G}\left(r_j - \frac{1}{G}\sum_{k=1}^{G} r_k\right)^2}
        + \epsilon}
    $$

    `scale="batch"` divides by the standard deviation of all $BG$ rewards of the batch
    ($B$ prompts, reward $r_{g,i}$ of completion $i$ of prompt $g$):

    $$
    \hat{A}_{g,i} = \frac{r_{g,i} - \frac{1}{G}\sum_{j=1}^{G} r_{g,j}}
        {\sqrt{\frac{1}{BG-1}\sum_{h=1}^{B}\sum_{j=1}^{G}\left(r_{h,j}
        - \frac{1}{BG}\sum_{u=1}^{B}\sum_{k=1}^{G} r_{u,k}\right)^2} + \epsilon}
    $$

    and `scale="none"` (Dr. GRPO) only centres:

    $$
    \hat{A}_{i} = r_i - \frac{1}{G}\sum_{j=1}^{G} r_j
    $$

    Standard deviations use Bessel's correction ($G - 1$), like `torch.std` and TRL.
    Every token of completion $i$ gets $\hat A_i$. Within a group the advantages have mean 0.

    | `scale` | TRL 1.16 `GRPOConfig(scale_rewards=…)` | verl 0.9 (`adv_estimator="grpo"`) |
    |---|---|---|
    | `"group"` | `"group"` (default) | `algorithm.norm_adv_by_std_in_grpo=True` (default) |
    | `"batch"` | `"batch"` | — |
    | `"none"` | `"none"` | `algorithm.norm_adv_by_std_in_grpo=False` |

    $\epsilon$: TRL adds `1e-4` (the default here), verl adds `epsilon=1e-6`.

    Sources: *DeepSeekMath: Pushing the Limits of Mathematical Reasoning in Open Language
    Models*, arXiv:2402.03300 (GRPO); *Understanding R1-Zero-Like Training: A Critical
    Perspective*, arXiv:2503.20783 (Dr. GRPO: no std scaling).

    Note: [[AI/LLM/RL/GRPO/GRPO 深度理解]]

    Args:
        rewards: One scalar reward per completion, shape `(N,)`, groups contiguous.
        group_size: $G$, completions per prompt (TRL `num_generations`, verl `rollout.n`).
        scale: `"group"`, `"batch"` or `"none"` (see the table).
        eps: $\epsilon$ added to the standard deviation (ignored for `"none"`).

    Returns:
        $\hat A$, shape `(N,)`.
    """
    grouped = _groups(rewards, group_size)
    # r_i − mean(r_group)
    centered = grouped - grouped.mean(dim=-1, keepdim=True)
    if scale == "none":
        return centered.reshape(-1)
    if scale == "group":
        if group_size < 2:
            raise ValueError("scale='group' needs group_size ≥ 2 (std of one sample is undefined)")
        std = grouped.std(dim=-1, keepdim=True)
    elif scale == "batch":
        std = rewards.std()
    else:
        raise ValueError(f"scale must be 'group', 'batch' or 'none', got {scale!r}")
    # Â_i = (r_i − mean) / (std + ε)
    return (centered / (std + eps)).reshape(-1)


def process_supervision_advantages(
    step_rewards: torch.Tensor,
    step_ends: torch.Tensor,
    group_size: int,
    eps: float = 1e-4,
) -> torch.Tensor:
    r"""GRPO with process supervision: normalised step rewards, summed over the steps ahead.

    A process reward model scores every reasoning step of every completion. The rewards of all
    steps of a group's $G$ completions are normalised together (mean and standard deviation of
    that set $\mathbf{R}$), and a token's advantage is the sum of the normalised rewards of the
    steps that end at or after it. With the normalised step rewards
    $\tilde r_{i,j} = (r_{i,j} - \operatorname{mean}(\mathbf{R})) /
    (\operatorname{std}(\mathbf{R}) + \varepsilon)$,

    $$
    \hat{A}_{i,t} = \sum_{j=1}^{K_i}\mathbb{1}[e_{i,j} \ge t]\tilde{r}_{i,j}
    $$

    with $K_i$ the number of steps of completion $i$ and $e_{i,j}$ the position of the last
    token of its step $j$. A step's reward sits on its last token, so $\hat A$ is a reverse
    cumulative sum along the sequence; tokens after the last step get 0. The paper writes no
    $\varepsilon$ and does not say which standard deviation; this uses Bessel's correction and
    $\varepsilon = 10^{-4}$ like `group_advantages` (pass `eps=0` for the paper's form). A group
    with a single step, or with all step rewards equal, gets $\tilde r = 0$ when
    $\varepsilon > 0$. Neither TRL 1.16 nor verl 0.9.1 implements this estimator.

    Source: *DeepSeekMath: Pushing the Limits of Mathematical Reasoning in Open Language Models*,
    arXiv:2402.03300 (§4.1.3, process supervision RL with GRPO).

    Note: [[AI/LLM/RL/GRPO/DeepSeek-Math]]

    Args:
        step_rewards: $r_{i,j}$ on the last token of each step, shape `(N, T)`; other
            positions are ignored (they may hold anything, even `nan`).
        step_ends: Shape `(N, T)`, 1 at the last token $e_{i,j}$ of every step.
        group_size: $G$, completions per prompt; the `N = P × G` rows are grouped contiguously.
        eps: $\varepsilon$ added to the standard deviation.

    Returns:
        $\hat A_{i,t}$, shape `(N, T)`.
    """
    ends = step_ends.bool()
    if step_rewards.dim() != 2 or ends.shape != step_rewards.shape:
        raise ValueError("step_rewards and step_ends must both be (N, T)")
    rows, steps = step_rewards.shape
    if group_size < 1 or rows % group_size:
        raise ValueError(f"N = {rows} is not a multiple of group_size = {group_size}")
    # R: every step reward of a group, one row per group
    grouped = step_rewards.reshape(-1, group_size * steps)
    grouped_ends = ends.reshape(-1, group_size * steps)
    count = grouped_ends.sum(dim=-1, keepdim=True).to(step_rewards.dtype)
    # mean(R)
    mean = masked_sum(grouped, grouped_ends, dim=-1).unsqueeze(-1) / count.clamp(min=1.0)
    # std(R), with Bessel's correction over the steps of the group
    variance = masked_sum((grouped - mean) ** 2, grouped_ends, dim=-1).unsqueeze(-1)
    std = torch.sqrt(variance / (count - 1.0).clamp(min=1.0))
    # r̃_{i,j} = (r_{i,j} − mean(R)) / (std(R) + ε), on the step ends only
    zero = step_rewards.new_zeros(())
    normalised = torch.where(grouped_ends, (grouped - mean) / (std + eps), zero)
    # Â_{i,t} = Σ_j 1[e_{i,j} ≥ t] r̃_{i,j}: a reverse cumulative sum over positions
    return normalised.reshape(rows, steps).flip(-1).cumsum(dim=-1).flip(-1)


def rloo_advantages(rewards: torch.Tensor, group_size: int) -> torch.Tensor:
    r"""REINFORCE Leave-One-Out: each reward minus the mean of the *other* completions' rewards.

    With $k$ = `group_size` completions of a prompt and their rewards $R_1, \dots, R_k$:

    $$
    A_i = R_i - \frac{1}{k - 1} \left(\sum_{j=1}^{k} R_j - R_i\right)
    $$

    which is the group-centred reward scaled by $k/(k-1)$:

    $$
    A_i = \frac{k}{k - 1} \left(R_i - \frac{1}{k} \sum_{j=1}^{k} R_j\right)
    $$

    The baseline of sample $i$ does not depend on $r_i$, so it adds no bias to the policy
    gradient. TRL: `RLOOTrainer` with `RLOOConfig(num_generations=G)` (its loss is
    `rlref.algos.policy_loss.ppo_clip_loss` on the summed completion log-probs, one token per
    sequence; see there); verl: `algorithm.adv_estimator="rloo"`.

    Source: *Back to Basics: Revisiting REINFORCE Style Optimization for Learning from Human
    Feedback in LLMs*, arXiv:2402.14740.

    Note: [[AI/LLM/RL/RLOO/RLOO 原理]]

    Args:
        rewards: One reward per completion, shape `(N,)`, groups contiguous.
        group_size: $k \geq 2$.

    Returns:
        $\hat A$, shape `(N,)`.
    """
    if group_size < 2:
        raise ValueError("RLOO needs group_size ≥ 2")
    grouped = _groups(rewards, group_size)
    # b_i = (Σ_j r_j − r_i) / (G − 1)
    baseline = (grouped.sum(dim=-1, keepdim=True) - grouped) / (group_size - 1)
    return (grouped - baseline).reshape(-1)


def opo_advantages(rewards: torch.Tensor, lengths: torch.Tensor, group_size: int) -> torch.Tensor:
    r"""OPO: reward minus the length-weighted group mean, the optimal baseline of that paper.

    $$
    \hat{A}_i = r_i - \frac{\sum_{j=1}^{G} l_j r_j}{\sum_{j=1}^{G} l_j}
    $$

    where $l_j$ is the token length of completion $j$: the baseline is
    $b^* = \sum_j l_j r_j / \sum_j l_j$. The paper derives $b^*$ from the
    variance-minimising baseline $\mathbb{E}[\lVert\nabla\log\pi\rVert^2 r] /
    \mathbb{E}[\lVert\nabla\log\pi\rVert^2]$ under the assumption
    $\lVert\nabla_\theta \log \pi_\theta(y)\rVert^2 \propto l_y$. verl:
    `algorithm.adv_estimator="opo"`.

    Source: *On-Policy RL with Optimal Reward Baseline*, arXiv:2505.23585.

    Note: [[AI/LLM/RL/Fundamentals/策略梯度方法]]

    Args:
        rewards: One reward per completion, shape `(N,)`, groups contiguous.
        lengths: Completion lengths in tokens, shape `(N,)`.
        group_size: $G$.

    Returns:
        $\hat A$, shape `(N,)`.
    """
    grouped = _groups(rewards, group_size)
    weights = _groups(lengths.to(rewards.dtype), group_size)
    # b* = Σ_j l_j r_j / Σ_j l_j
    baseline = (weights * grouped).sum(dim=-1, keepdim=True) / weights.sum(dim=-1, keepdim=True)
    return (grouped - baseline).reshape(-1)


def reinforce_pp_advantages(
    token_rewards: torch.Tensor,
    mask: torch.Tensor,
    gamma: float = 1.0,
    group_size: int | None = None,
    eps: float = 1e-8,
) -> torch.Tensor:
    r"""REINFORCE++: returns normalised over the whole batch (no critic, no per-prompt std).

    Without groups (`group_size=None`), the return-to-go of each token,

    $$
    G_t = \sum_{k=t}^{T-1} \gamma^{k-t} r_k
    $$

    whitened over every real token of the batch (`masked_whiten`, which spells out $\mu$ and
    the Bessel-corrected $\sigma^2$ of the $G_{i,t}$ with $m_{i,t} = 1$):

    $$
    \hat{A}_{i,t} = \frac{G_{i,t} - \mu}{\sqrt{\sigma^{2} + \epsilon}}
    $$

    The per-token rewards $r_k$ already carry the KL penalty, e.g.
    $r_k = -\beta\,k_1 + \mathbb{1}[k = \text{last}]\, r(x, y)$ (verl adds
    $-\beta(\log\pi_{\text{old}} - \log\pi_{\text{ref}})$ per token when
    `algorithm.use_kl_in_reward=True`).

    With groups (the "REINFORCE++-baseline" variant), each completion's summed reward first
    loses its group mean, $\tilde r_i = r_i - \operatorname{mean}_{\text{group}}(r)$, is given to
    all its tokens, and is then whitened over the batch in the same way.

    verl: `algorithm.adv_estimator="reinforce_plus_plus"` (no groups) and
    `"reinforce_plus_plus_baseline"` (groups); both whiten with Bessel's correction and
    $\epsilon = 10^{-8}$, as `masked_whiten` does.

    Source: *REINFORCE++: An Efficient RLHF Algorithm with Robustness to Both Prompt and Reward
    Models*, arXiv:2501.03262.

    Note: [[AI/LLM/RL/Fundamentals/策略梯度方法]]

    Args:
        token_rewards: $r_t$, shape `(B, T)`.
        mask: Completion mask, shape `(B, T)`; 1 = real token.
        gamma: Discount (verl default 1.0).
        group_size: $G$ for the baseline variant; `None` for plain REINFORCE++.
        eps: $\epsilon$ of the whitening.

    Returns:
        $\hat A$, shape `(B, T)`, 0 at pads.
    """
    if group_size is None:
        per_token = discounted_returns(token_rewards, gamma, mask)
    else:
        scores = masked_sum(token_rewards, mask, dim=-1)
        # r̃_i = r_i − mean_group(r), broadcast to every token of completion i
        centered = group_advantages(scores, group_size, scale="none")
        per_token = centered.unsqueeze(-1).expand_as(token_rewards)
    return masked_whiten(per_token, mask, eps)


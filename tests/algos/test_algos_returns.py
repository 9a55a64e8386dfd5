"""rlref.algos.returns and the GAE part of rlref.algos.advantages."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from rlref.algos.advantages import gae, gae_loop_reference
from rlref.algos.returns import (
    discounted_returns,
    lambda_returns,
    next_real_values,
    reverse_linear_recurrence,
    td_residual,
)

F64 = torch.float64


def _rand(*shape: int, seed: int, dtype: torch.dtype = F64) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)


def _loop(b: torch.Tensor, a: torch.Tensor, x_last: torch.Tensor) -> torch.Tensor:
    out, x = torch.empty_like(b), x_last
    for t in reversed(range(b.shape[-1])):
        x = b[..., t] + a[..., t] * x
        out[..., t] = x
    return out


@pytest.mark.parametrize("steps", [0, 1, 2, 3, 5, 8, 13, 64, 100])
def test_reverse_linear_recurrence_matches_loop(steps: int) -> None:
    b, a = _rand(4, steps, seed=0), torch.rand(4, steps, generator=torch.Generator().manual_seed(1))
    a = torch.where(a < 0.15, 0.0, a).to(F64)  # terminations: a = 0
    x_last = _rand(4, seed=2)
    torch.testing.assert_close(reverse_linear_recurrence(b, a, x_last), _loop(b, a, x_last))
    torch.testing.assert_close(
        reverse_linear_recurrence(b, a), _loop(b, a, torch.zeros(4, dtype=F64))
    )


@pytest.mark.parametrize("steps", [1, 2, 7, 64, 100])
@pytest.mark.parametrize("factor", [0.0, 0.5, 0.99, 1.0])
def test_reverse_linear_recurrence_with_a_constant_factor(steps: int, factor: float) -> None:
    b, x_last = _rand(3, steps, seed=5), _rand(3, seed=6)
    expected = _loop(b, torch.full_like(b, factor), x_last)
    torch.testing.assert_close(reverse_linear_recurrence(b, factor, x_last), expected)


def test_reverse_linear_recurrence_is_differentiable() -> None:
    b = _rand(2, 6, seed=3).requires_grad_()
    a = (torch.rand(2, 6, dtype=F64) * 0.9).requires_grad_()
    x_last = _rand(2, seed=4).requires_grad_()
    assert torch.autograd.gradcheck(reverse_linear_recurrence, (b, a, x_last))


def test_discounted_returns_hand_computed() -> None:
    rewards = torch.tensor([[1.0, 0.0, 2.0]], dtype=F64)
    # G_2 = 2, G_1 = 0 + 0.5·2 = 1, G_0 = 1 + 0.5·1 = 1.5
    expected = torch.tensor([[1.5, 1.0, 2.0]], dtype=F64)
    torch.testing.assert_close(discounted_returns(rewards, 0.5), expected)
    # with a bootstrap value 4 after the last step: G_2 = 2 + 0.5·4 = 4
    boot = discounted_returns(rewards, 0.5, bootstrap_value=torch.tensor([4.0], dtype=F64))
    torch.testing.assert_close(boot, torch.tensor([[2.0, 2.0, 4.0]], dtype=F64))


def test_discounted_returns_stop_at_done() -> None:
    rewards = torch.tensor([[1.0, 1.0, 10.0]], dtype=F64)
    dones = torch.tensor([[0, 1, 0]])
    # the episode ends at t=1: the 10 of the next episode is not part of G_0 or G_1
    expected = torch.tensor([[1.9, 1.0, 10.0]], dtype=F64)
    torch.testing.assert_close(discounted_returns(rewards, 0.9, dones=dones), expected)


def test_td_residual_hand_computed() -> None:
    rewards = torch.tensor([[1.0, 2.0]], dtype=F64)
    values = torch.tensor([[0.5, 3.0]], dtype=F64)
    # δ_0 = 1 + 0.9·3 − 0.5 = 3.2, δ_1 = 2 + 0.9·0 − 3 = −1
    torch.testing.assert_close(
        td_residual(rewards, values, 0.9), torch.tensor([[3.2, -1.0]], dtype=F64)
    )


def test_gae_hand_computed() -> None:
    rewards = torch.tensor([[0.0, 1.0]], dtype=F64)
    values = torch.tensor([[0.5, 0.2]], dtype=F64)
    gamma, lam = 0.9, 0.8
    delta1 = 1.0 - 0.2  # last step: no bootstrap
    delta0 = 0.0 + gamma * 0.2 - 0.5
    advantage0 = delta0 + gamma * lam * delta1
    out = gae(rewards, values, gamma, lam)
    torch.testing.assert_close(out.advantages, torch.tensor([[advantage0, delta1]], dtype=F64))
    torch.testing.assert_close(out.returns, out.advantages + values)


def _trajectories(seed: int, batch: int = 6, steps: int = 37):
    gen = torch.Generator().manual_seed(seed)
    rewards = torch.randn(batch, steps, generator=gen, dtype=F64)
    values = torch.randn(batch, steps, generator=gen, dtype=F64)
    mask = torch.rand(batch, steps, generator=gen) > 0.25
    dones = torch.rand(batch, steps, generator=gen) < 0.05
    boot = torch.randn(batch, generator=gen, dtype=F64)
    return rewards, values, mask, dones, boot


@pytest.mark.parametrize("seed", range(5))
def test_gae_matches_per_step_loop(seed: int) -> None:
    rewards, values, mask, dones, boot = _trajectories(seed)
    fast = gae(rewards, values, 0.99, 0.95, mask, dones, boot)
    slow = gae_loop_reference(rewards, values, 0.99, 0.95, mask, dones, boot)
    torch.testing.assert_close(fast.advantages, slow.advantages)
    torch.testing.assert_close(fast.returns, slow.returns)


def test_gae_lambda_one_is_return_minus_value() -> None:
    rewards, values, mask, dones, _ = _trajectories(7)
    advantages = gae(rewards, values, 0.97, 1.0, mask, dones).advantages
    expected = torch.where(mask, discounted_returns(rewards, 0.97, mask, dones) - values, 0.0)
    torch.testing.assert_close(advantages, expected)


def test_gae_lambda_zero_is_td_residual() -> None:
    rewards, values, mask, dones, boot = _trajectories(8)
    advantages = gae(rewards, values, 0.9, 0.0, mask, dones, boot).advantages
    torch.testing.assert_close(advantages, td_residual(rewards, values, 0.9, mask, dones, boot))


def test_lambda_returns_are_gae_plus_values() -> None:
    rewards, values, mask, dones, boot = _trajectories(9)
    out = gae(rewards, values, 0.95, 0.7, mask, dones, boot)
    torch.testing.assert_close(
        lambda_returns(rewards, values, 0.95, 0.7, mask, dones, boot), out.returns
    )


def test_next_real_values_skip_pads() -> None:
    values = torch.tensor([[1.0, 9.0, 2.0, 9.0]], dtype=F64)
    mask = torch.tensor([[1, 0, 1, 0]])
    got = next_real_values(values, mask, torch.tensor([5.0], dtype=F64))
    torch.testing.assert_close(got, torch.tensor([[2.0, 0.0, 5.0, 0.0]], dtype=F64))


@settings(max_examples=40, deadline=None)
@given(
    data=st.lists(st.tuples(st.floats(-5, 5), st.floats(-5, 5)), min_size=1, max_size=12),
    pad_positions=st.lists(st.integers(0, 12), max_size=8),
    gamma=st.floats(0.0, 1.0),
    lam=st.floats(0.0, 1.0),
)
def test_padding_never_changes_gae(data, pad_positions, gamma, lam) -> None:
    rewards = torch.tensor([[r for r, _ in data]], dtype=F64)
    values = torch.tensor([[v for _, v in data]], dtype=F64)
    base = gae(rewards, values, gamma, lam)
    padded_r, padded_v, mask = list(rewards[0]), list(values[0]), [True] * len(data)
    for position in sorted(pad_positions, reverse=True):
        at = min(position, len(padded_r))
        # pads hold garbage, even nan: they must not leak into real steps
        padded_r.insert(at, torch.tensor(float("nan"), dtype=F64))
        padded_v.insert(at, torch.tensor(1e6, dtype=F64))
        mask.insert(at, False)
    real = torch.tensor([mask])
    out = gae(torch.stack(padded_r)[None], torch.stack(padded_v)[None], gamma, lam, real)
    torch.testing.assert_close(out.advantages[real], base.advantages[0])
    assert torch.all(out.advantages[~real] == 0)


def test_gae_float32_matches_float64() -> None:
    rewards, values, mask, dones, boot = _trajectories(11, batch=8, steps=1024)
    ref = gae(rewards, values, 0.99, 0.95, mask, dones, boot).advantages
    low = gae(rewards.float(), values.float(), 0.99, 0.95, mask, dones, boot.float()).advantages
    torch.testing.assert_close(low.double(), ref, rtol=1e-4, atol=1e-4)


def test_long_horizon_small_discount_does_not_underflow_to_nan() -> None:
    rewards = torch.ones(2, 2048, dtype=torch.float32)
    values = torch.zeros(2, 2048, dtype=torch.float32)
    advantages = gae(rewards, values, 0.5, 0.5).advantages
    assert torch.isfinite(advantages).all()
    # far from the end A_t = Σ (γλ)^l δ_l with δ = 1 − 0 + γ·0 = 1 → 1 / (1 − 0.25)
    assert advantages[0, 0].item() == pytest.approx(4 / 3, rel=1e-6)


@pytest.mark.parametrize("with_dones", [False, True])
@pytest.mark.parametrize("name", ["discounted", "td", "lambda", "gae", "gae_returns"])
def test_masked_rows_equal_their_real_steps_alone(name: str, with_dones: bool) -> None:
    rewards, values, mask, dones, boot = _trajectories(12, batch=5, steps=23)
    dones = dones if with_dones else None
    fns = {
        "discounted": lambda r, v, m, d, b: discounted_returns(r, 0.9, m, d, b),
        "td": lambda r, v, m, d, b: td_residual(r, v, 0.9, m, d, b),
        "lambda": lambda r, v, m, d, b: lambda_returns(r, v, 0.9, 0.7, m, d, b),
        "gae": lambda r, v, m, d, b: gae(r, v, 0.9, 0.7, m, d, b).advantages,
        "gae_returns": lambda r, v, m, d, b: gae(r, v, 0.9, 0.7, m, d, b).returns,
    }
    fn = fns[name]
    masked = fn(rewards, values, mask, dones, boot)
    for row in range(5):
        real = mask[row]
        alone = fn(
            rewards[row, real][None],
            values[row, real][None],
            None,
            None if dones is None else dones[row, real][None],
            boot[row : row + 1],
        )
        torch.testing.assert_close(masked[row, real], alone[0])
        assert torch.all(masked[row, ~real] == 0)


def test_rows_without_real_steps_are_zero() -> None:
    rewards, values, _, _, boot = _trajectories(13, batch=2, steps=4)
    mask = torch.tensor([[0, 0, 0, 0], [1, 1, 0, 1]], dtype=torch.bool)
    out = gae(rewards, values, 0.9, 0.9, mask, None, boot)
    assert torch.all(out.advantages[0] == 0) and torch.all(out.returns[0] == 0)
    assert torch.all(discounted_returns(rewards, 0.9, mask, None, boot)[0] == 0)


def test_unbatched_trajectory_matches_a_batch_of_one() -> None:
    rewards, values, mask, dones, boot = _trajectories(14, batch=1, steps=9)
    batched = gae(rewards, values, 0.9, 0.8, mask, dones, boot)
    single = gae(rewards[0], values[0], 0.9, 0.8, mask[0], dones[0], boot[0].item())
    torch.testing.assert_close(single.advantages, batched.advantages[0])
    torch.testing.assert_close(single.returns, batched.returns[0])

"""SAPO, rollout-correction weights and the off-policy sequence mask (rlref.algos.stability)."""

from __future__ import annotations

import math

import pytest
import torch

from rlref.algos.policy_loss import ppo_clip_loss
from rlref.algos.stability import (
    aqn_sigma_schedule,
    off_policy_sequence_mask,
    rollout_correction_weights,
    sapo_loss,
)

F64 = torch.float64
MASK = torch.tensor([[1, 1, 1, 1], [1, 1, 0, 0], [1, 1, 1, 0]])


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def test_sapo_matches_the_gate_written_out_by_hand() -> None:
    logp = torch.tensor([[0.0, math.log(1.5)], [math.log(0.5), 0.0]], dtype=F64)
    old = torch.zeros(2, 2, dtype=F64)
    adv = torch.tensor([2.0, -1.0], dtype=F64)
    mask = torch.ones(2, 2)
    got = sapo_loss(logp, old, adv, mask, tau_pos=1.0, tau_neg=2.0, loss_agg="token-mean")
    # row 0 uses τ_pos = 1 (Â > 0), row 1 uses τ_neg = 2
    terms = [
        -4.0 * _sigmoid(0.0) * 2.0,
        -4.0 * _sigmoid(0.5) * 2.0,
        -(4.0 / 2.0) * _sigmoid(2.0 * -0.5) * -1.0,
        -(4.0 / 2.0) * _sigmoid(0.0) * -1.0,
    ]
    assert got.item() == pytest.approx(sum(terms) / 4, rel=1e-12)


def test_sapo_negative_advantage_uses_the_negative_temperature() -> None:
    logp = torch.tensor([[0.3]], dtype=F64, requires_grad=True)
    old = torch.zeros(1, 1, dtype=F64)
    mask = torch.ones(1, 1)
    adv = torch.tensor([-1e-3], dtype=F64)
    sapo_loss(logp, old, adv, mask, tau_pos=1.0, tau_neg=3.0).backward()
    r = math.exp(0.3)
    s = _sigmoid(3.0 * (r - 1.0))
    expected = 1e-3 * 4.0 * s * (1.0 - s) * r  # d/dlogp of −(4/τ)σ(τ(r−1))Â with τ = τ_neg
    assert logp.grad.item() == pytest.approx(expected, rel=1e-10)


def test_sapo_gradient_equals_the_unclipped_surrogate_on_policy() -> None:
    gen = torch.Generator().manual_seed(0)
    base = torch.randn(3, 4, generator=gen, dtype=F64)
    adv = torch.tensor([1.0, -0.5, 2.0], dtype=F64)
    a = base.clone().requires_grad_()
    sapo_loss(a, base, adv, MASK, tau_pos=1.3, tau_neg=0.7).backward()
    b = base.clone().requires_grad_()
    ppo_clip_loss(b, base, adv, MASK, loss_agg="seq-mean-token-mean").loss.backward()
    # at r = 1 the gate's slope is exactly 1, for any temperature
    torch.testing.assert_close(a.grad, b.grad)


def test_sapo_gradient_fades_far_from_the_sampling_policy() -> None:
    adv = torch.tensor([1.0], dtype=F64)
    mask = torch.ones(1, 1)
    grads = []
    for shift in (0.0, 0.5, 2.0):
        logp = torch.tensor([[shift]], dtype=F64, requires_grad=True)
        sapo_loss(logp, torch.zeros(1, 1, dtype=F64), adv, mask, tau_pos=4.0).backward()
        grads.append(abs(logp.grad.item()))
    assert grads[0] > 0 and grads[2] < 1e-4 * grads[0]


def test_sapo_ignores_pads_and_rejects_bad_temperatures() -> None:
    logp = torch.tensor([[-1.0, -2.0, 5.0]], dtype=F64)
    old = torch.tensor([[-1.2, -1.9, -9.0]], dtype=F64)
    adv = torch.tensor([1.0], dtype=F64)
    short = sapo_loss(logp[:, :2], old[:, :2], adv, torch.ones(1, 2))
    padded = sapo_loss(logp, old, adv, torch.tensor([[1, 1, 0]]))
    torch.testing.assert_close(short, padded)
    with pytest.raises(ValueError):
        sapo_loss(logp, old, adv, torch.ones(1, 3), tau_pos=0.0)


def _engine_logps(seed: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    old = -torch.rand(3, 4, generator=gen, dtype=F64) * 3
    rollout = old + 0.8 * torch.randn(3, 4, generator=gen, dtype=F64)
    return old, rollout


def test_token_truncate_is_min_of_ratio_and_cap() -> None:
    old, rollout = _engine_logps()
    got = rollout_correction_weights(old, rollout, MASK, "token", "truncate", clip_max=1.5)
    ratio = torch.exp(old - rollout)
    expected = torch.where(MASK.bool(), torch.clamp(ratio, max=1.5), torch.ones_like(ratio))
    torch.testing.assert_close(got, expected)
    assert (got == 1.5).any() and (got < 1.5).any()  # both branches are exercised


def test_sequence_levels_product_and_geometric_mean() -> None:
    old, rollout = _engine_logps(2)
    raw_seq = rollout_correction_weights(old, rollout, MASK, "sequence", clip_max=None)
    raw_geo = rollout_correction_weights(old, rollout, MASK, "geometric", clip_max=None)
    for i, n in enumerate(MASK.sum(-1).tolist()):
        log_ratios = (old[i, :n] - rollout[i, :n]).tolist()
        assert raw_seq[i].item() == pytest.approx(math.exp(sum(log_ratios)), rel=1e-12)
        assert raw_geo[i].item() == pytest.approx(math.exp(sum(log_ratios) / n), rel=1e-12)


def test_mask_mode_zeroes_out_of_bounds_weights_only() -> None:
    old = torch.log(torch.tensor([[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]], dtype=F64))
    rollout = torch.log(torch.tensor([[0.5, 0.5], [0.1, 0.5], [0.5, 0.9]], dtype=F64))
    mask = torch.ones(3, 2)
    got = rollout_correction_weights(
        old, rollout, mask, "sequence", "mask", clip_max=2.0, clip_min=0.6
    )
    # sequence ratios: 1 (kept), 5 (above C_max → 0), 5/9 (below C_min → 0)
    torch.testing.assert_close(got, torch.tensor([1.0, 0.0, 0.0], dtype=F64))
    truncated = rollout_correction_weights(
        old, rollout, mask, "sequence", "truncate", clip_max=2.0, clip_min=0.6
    )
    torch.testing.assert_close(truncated, torch.tensor([1.0, 2.0, 0.6], dtype=F64))


def test_pads_do_not_change_sequence_weights_and_bad_options_raise() -> None:
    old, rollout = _engine_logps(3)
    noisy_old = torch.where(MASK.bool(), old, torch.full_like(old, 40.0))
    for level in ("sequence", "geometric"):
        torch.testing.assert_close(
            rollout_correction_weights(old, rollout, MASK, level, clip_max=None),
            rollout_correction_weights(noisy_old, rollout, MASK, level, clip_max=None),
        )
    with pytest.raises(ValueError):
        rollout_correction_weights(old, rollout, MASK, "tokens")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        rollout_correction_weights(old, rollout, MASK, "token", "clip")  # type: ignore[arg-type]


def test_off_policy_mask_drops_only_negative_and_drifted_sequences() -> None:
    logp = torch.zeros(4, 3, dtype=F64, requires_grad=True)
    # per-sequence mean drift ℓ_roll − ℓ over the real tokens: 1.0, 1.0, 0.1, 0.5
    sampling = torch.tensor(
        [[1.0, 1.0, 1.0], [1.0, 1.0, 99.0], [0.1, 0.1, 0.1], [0.5, 0.5, 0.5]], dtype=F64
    )
    mask = torch.tensor([[1, 1, 1], [1, 1, 0], [1, 1, 1], [1, 1, 1]])
    adv = torch.tensor([0.7, -0.2, -1.0, -3.0], dtype=F64)
    got = off_policy_sequence_mask(adv, logp, sampling, mask, threshold=0.5)
    # positive advantage kept despite drift; negative + drift dropped (pad ignored);
    # negative + small drift kept; drift exactly δ kept
    torch.testing.assert_close(got, torch.tensor([1.0, 0.0, 1.0, 1.0], dtype=F64))
    assert not got.requires_grad
    with pytest.raises(ValueError):
        off_policy_sequence_mask(adv.unsqueeze(-1), logp, sampling, mask, 0.5)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_functions_create_no_tensor_off_their_inputs_device(dtype: torch.dtype) -> None:
    meta = torch.device("meta")
    mat = torch.empty(2, 3, device=meta, dtype=dtype)
    vec = torch.empty(2, device=meta, dtype=dtype)
    mask = torch.ones(2, 3, device=meta, dtype=torch.bool)
    assert sapo_loss(mat, mat, vec, mask).device == meta
    for level in ("token", "sequence", "geometric"):
        for mode in ("truncate", "mask"):
            out = rollout_correction_weights(mat, mat, mask, level, mode, 2.0, 0.5)
            assert out.device == meta and out.dtype == dtype
    assert off_policy_sequence_mask(vec, mat, mat, mask, 0.1).device == meta


def _aqn_reference(step: int, total: int, start: float, end: float, stages: int) -> float:
    """The released loop, line by line: a geometric trend, then a look-up by interval."""
    trend = [start * (end / start) ** (k / (stages - 2)) for k in range(stages - 1)]
    step = min(step, total)
    interval = int(step // (total / (len(trend) + 1)))
    if interval == 0:
        return 0.0
    return trend[min(interval - 1, len(trend) - 1)]


def test_aqn_schedule_matches_the_released_lookup() -> None:
    steps = torch.arange(0, 130)
    got = aqn_sigma_schedule(steps, 100, 1e-2, 1e-4, 10)
    expected = [_aqn_reference(s, 100, 1e-2, 1e-4, 10) for s in range(130)]
    torch.testing.assert_close(got, torch.tensor(expected, dtype=got.dtype), rtol=1e-6, atol=0)
    # no noise in the first tenth, σ_start right after it, σ_end from the last interval on
    assert got[:10].eq(0).all() and got[10].item() == pytest.approx(1e-2)
    assert got[90:].sub(1e-4).abs().max().item() < 1e-9


def test_aqn_schedule_is_non_increasing_after_the_first_interval_and_validates() -> None:
    got = aqn_sigma_schedule(torch.arange(10, 80, dtype=F64), 70, 0.5, 0.01, 7)
    assert (got[1:] <= got[:-1] + 1e-15).all() and got.dtype == F64
    with pytest.raises(ValueError):
        aqn_sigma_schedule(torch.arange(3), 10, 0.1, 0.01, 2)

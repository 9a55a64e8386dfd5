"""DAPO, GSPO and CISPO pieces (rlref.algos.grpo_variants, re-exported by policy_loss)."""

from __future__ import annotations

import math

import pytest
import torch

from rlref.algos import grpo_variants
from rlref.algos.policy_loss import (
    cispo_loss,
    dapo_overlong_penalty,
    dynamic_sampling_filter,
    gspo_loss,
    gspo_sequence_ratio,
    gspo_token_ratio,
    ppo_clip_loss,
)

F64 = torch.float64


def test_policy_loss_reexports_the_variants() -> None:
    assert gspo_loss is grpo_variants.gspo_loss and cispo_loss is grpo_variants.cispo_loss


def test_overlong_penalty_piecewise() -> None:
    lengths = torch.tensor([50, 80, 90, 100, 101, 500])
    got = dapo_overlong_penalty(lengths, max_length=100, cache_length=20)
    # 80 is the soft-zone start: 0; 90 is halfway: −0.5; 100 is the end: −1; beyond: −1
    expected = torch.tensor([0.0, 0.0, -0.5, -1.0, -1.0, -1.0])
    torch.testing.assert_close(got, expected)
    scaled = dapo_overlong_penalty(lengths.double(), 100, 20, penalty_factor=2.0)
    torch.testing.assert_close(scaled, 2.0 * expected.double())
    with pytest.raises(ValueError):
        dapo_overlong_penalty(lengths, 100, 0)


def test_dynamic_sampling_filter_drops_uniform_groups() -> None:
    # all correct (dropped), mixed (kept), one differs (kept), all wrong (dropped)
    rewards = torch.tensor([1.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0])
    keep = dynamic_sampling_filter(rewards, group_size=3)
    expected = torch.tensor([False] * 3 + [True] * 6 + [False] * 3)
    torch.testing.assert_close(keep, expected)


def _sequences(seed: int = 0):
    gen = torch.Generator().manual_seed(seed)
    old = -torch.rand(3, 5, generator=gen, dtype=F64) * 2
    logp = (old + 0.05 * torch.randn(3, 5, generator=gen, dtype=F64)).requires_grad_()
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 1, 1, 1, 0]])
    advantages = torch.tensor([1.0, -0.5, 2.0], dtype=F64)
    return logp, old, mask, advantages


def test_gspo_sequence_ratio_is_length_normalised_geometric_mean() -> None:
    logp, old, mask, _ = _sequences()
    got = gspo_sequence_ratio(logp, old, mask)
    for i in range(3):
        n = int(mask[i].sum())
        seq_ratio = torch.exp((logp[i, :n] - old[i, :n]).sum())  # π_θ(o_i) / π_old(o_i)
        assert got[i].item() == pytest.approx(seq_ratio.item() ** (1 / n))


def test_gspo_token_ratio_value_and_gradient() -> None:
    logp, old, mask, _ = _sequences(1)
    token = gspo_token_ratio(logp, old, mask)
    seq = gspo_sequence_ratio(logp, old, mask)
    torch.testing.assert_close(token, seq.detach()[:, None].expand_as(token))
    # ∂ s_{i,t} / ∂ log π_{i,t} = s_i, and nothing flows to other tokens
    (grad,) = torch.autograd.grad(token[0, 2], logp)
    expected = torch.zeros_like(logp)
    expected[0, 2] = seq[0].item()
    torch.testing.assert_close(grad, expected)


def test_gspo_token_and_sequence_versions_agree_for_sequence_advantages() -> None:
    logp, old, mask, advantages = _sequences(2)
    kwargs = {"clip_eps_low": 0.2, "clip_eps_high": 0.2}
    seq = gspo_loss(logp, old, advantages, mask, **kwargs)
    tok = gspo_loss(logp, old, advantages, mask, token_level=True, **kwargs)
    torch.testing.assert_close(seq.loss, tok.loss)
    (g_seq,) = torch.autograd.grad(seq.loss, logp)
    (g_tok,) = torch.autograd.grad(tok.loss, logp)
    torch.testing.assert_close(g_seq, g_tok)


def test_gspo_loss_is_mean_over_sequences_and_clipped_sequence_has_no_gradient() -> None:
    logp, old, mask, advantages = _sequences(3)
    with torch.no_grad():
        logp[0, :] = old[0, :] + 0.5  # s_0 = e^0.5 ≫ 1 + ε with A_0 > 0: clipped
    out = gspo_loss(logp, old, advantages, mask)
    s = gspo_sequence_ratio(logp, old, mask).detach()
    clipped = s.clamp(1 - 3e-4, 1 + 4e-4)
    expected = -torch.minimum(s * advantages, clipped * advantages).mean()
    torch.testing.assert_close(out.loss, expected)
    (grad,) = torch.autograd.grad(out.loss, logp)
    assert torch.all(grad[0] == 0)
    assert out.clip_fraction.item() >= 5 / 12  # every real token of sequence 0


def test_cispo_weight_carries_no_gradient() -> None:
    ratios = torch.tensor([[1.5, 0.5, 1.1]], dtype=F64)
    old = torch.log(torch.tensor([[0.2, 0.4, 0.3]], dtype=F64))
    logp = (old + torch.log(ratios)).requires_grad_()
    advantages = torch.tensor([[1.0, -1.0, 2.0]], dtype=F64)
    out = cispo_loss(logp, old, advantages, torch.ones(1, 3), clip_eps_high=0.2, clip_eps_low=0.2)
    weights = torch.tensor([1.2, 0.8, 1.1], dtype=F64)  # clip(r, 0.8, 1.2)
    expected = -(weights * advantages[0] * logp[0].detach()).mean()
    torch.testing.assert_close(out.loss, expected)
    (grad,) = torch.autograd.grad(out.loss, logp)
    # gradient is −sg(r̂) A / N: no term from differentiating r̂; clipped tokens keep a gradient
    torch.testing.assert_close(grad[0], -weights * advantages[0] / 3)
    assert out.clip_fraction.item() == pytest.approx(2 / 3)


def test_cispo_keeps_gradient_where_ppo_drops_it() -> None:
    old = torch.zeros(1, 1, dtype=F64)
    logp = torch.full((1, 1), math.log(2.0), dtype=F64, requires_grad=True)
    advantages = torch.ones(1, 1, dtype=F64)
    (g_ppo,) = torch.autograd.grad(
        ppo_clip_loss(logp, old, advantages, torch.ones(1, 1)).loss, logp
    )
    (g_cispo,) = torch.autograd.grad(
        cispo_loss(logp, old, advantages, torch.ones(1, 1), clip_eps_high=0.2).loss, logp
    )
    assert g_ppo.item() == 0.0 and g_cispo.item() == pytest.approx(-1.2)


def test_cispo_without_lower_bound() -> None:
    old = torch.zeros(1, 1, dtype=F64)
    logp = torch.full((1, 1), math.log(0.1), dtype=F64, requires_grad=True)
    out = cispo_loss(logp, old, torch.ones(1, 1, dtype=F64), torch.ones(1, 1), clip_eps_high=0.2)
    assert out.loss.item() == pytest.approx(-0.1 * math.log(0.1))
    assert out.clip_fraction.item() == 0.0

"""rlref.algos.kl: the k1/k2/k3 estimators and the exact categorical KL."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from rlref.algos.kl import adaptive_kl_coef, kl_categorical, kl_k1, kl_k2, kl_k3

F64 = torch.float64


def test_estimators_hand_computed() -> None:
    logp = torch.tensor([math.log(0.5)], dtype=F64)
    ref_logp = torch.tensor([math.log(0.25)], dtype=F64)
    # log ρ = log(0.25 / 0.5) = −log 2
    assert kl_k1(logp, ref_logp).item() == pytest.approx(math.log(2))
    assert kl_k2(logp, ref_logp).item() == pytest.approx(0.5 * math.log(2) ** 2)
    assert kl_k3(logp, ref_logp).item() == pytest.approx((0.5 - 1) + math.log(2))


@settings(max_examples=200, deadline=None)
@given(st.floats(-30, 0), st.floats(-30, 0))
def test_k3_and_k2_are_non_negative(logp, ref_logp) -> None:
    a, b = torch.tensor(logp, dtype=F64), torch.tensor(ref_logp, dtype=F64)
    assert kl_k3(a, b).item() >= 0.0
    assert kl_k2(a, b).item() >= 0.0


def _distributions(seed: int, vocab: int = 10) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(vocab, generator=gen, dtype=F64), torch.randn(
        vocab, generator=gen, dtype=F64
    )


@pytest.mark.parametrize("seed", range(4))
def test_expectation_of_k1_and_k3_under_policy_is_exact_kl(seed: int) -> None:
    p_logits, q_logits = _distributions(seed)
    log_p, log_q = torch.log_softmax(p_logits, -1), torch.log_softmax(q_logits, -1)
    p = log_p.exp()
    exact = kl_categorical(p_logits, q_logits)
    # E_{x~p}[k] = Σ_x p(x) k(x), evaluated exactly over the vocabulary
    torch.testing.assert_close((p * kl_k3(log_p, log_q)).sum(), exact)
    torch.testing.assert_close((p * kl_k1(log_p, log_q)).sum(), exact)


def test_monte_carlo_k3_estimates_kl() -> None:
    p_logits, q_logits = _distributions(5)
    log_p, log_q = torch.log_softmax(p_logits, -1), torch.log_softmax(q_logits, -1)
    gen = torch.Generator().manual_seed(6)
    samples = torch.multinomial(log_p.exp(), 200_000, replacement=True, generator=gen)
    estimate = kl_k3(log_p[samples], log_q[samples]).mean()
    assert estimate.item() == pytest.approx(kl_categorical(p_logits, q_logits).item(), rel=0.02)


def test_kl_categorical_matches_torch_kl_div() -> None:
    p_logits, q_logits = torch.randn(3, 7, dtype=F64), torch.randn(3, 7, dtype=F64)
    log_p, log_q = torch.log_softmax(p_logits, -1), torch.log_softmax(q_logits, -1)
    expected = torch.nn.functional.kl_div(log_q, log_p, reduction="none", log_target=True).sum(-1)
    torch.testing.assert_close(kl_categorical(p_logits, q_logits), expected)


def test_kl_categorical_zero_probability_and_identity() -> None:
    p_logits = torch.tensor([0.0, -math.inf, 0.0], dtype=F64)  # p = [½, 0, ½]
    q_logits = torch.tensor([0.0, 0.0, 0.0], dtype=F64)  # q uniform
    # KL = 2 · ½ · log(½ / ⅓) = log 1.5; the p = 0 entry contributes 0, not nan
    assert kl_categorical(p_logits, q_logits).item() == pytest.approx(math.log(1.5))
    assert kl_categorical(q_logits, q_logits).item() == 0.0


def test_float32_and_float64_agree() -> None:
    logp, ref = torch.randn(100, dtype=F64) - 2, torch.randn(100, dtype=F64) - 2
    for fn in (kl_k1, kl_k2, kl_k3):
        low = fn(logp.float(), ref.float()).double()
        torch.testing.assert_close(low, fn(logp, ref), rtol=1e-5, atol=1e-5)


def test_adaptive_kl_coef_hand_computed() -> None:
    # KL 50 % above target: the error is clipped to +0.2; n/H = 256/10000
    assert adaptive_kl_coef(0.1, 0.15, 0.1, 256, 10_000) == pytest.approx(
        0.1 * (1 + 0.2 * 0.0256)
    )
    # KL 10 % below target: inside the clip, −0.1
    assert adaptive_kl_coef(0.1, 0.09, 0.1, 256, 10_000) == pytest.approx(
        0.1 * (1 - 0.1 * 0.0256)
    )
    # far below target: clipped to −0.2
    assert adaptive_kl_coef(0.1, 0.0, 0.1, 1000, 1000) == pytest.approx(0.1 * 0.8)
    kl = torch.tensor([0.0, 0.09, 0.15], dtype=F64)
    torch.testing.assert_close(
        adaptive_kl_coef(torch.tensor(0.1, dtype=F64), kl, 0.1, 1000, 1000),
        torch.tensor([0.08, 0.09, 0.12], dtype=F64),
    )
    with pytest.raises(ValueError):
        adaptive_kl_coef(0.1, 0.1, 0.1, 1, 0)


def test_adaptive_kl_coef_steers_the_kl_to_its_target() -> None:
    # a policy whose KL falls as β rises: KL = 0.02 / β, so the target 0.1 needs β = 0.2
    beta = 0.02
    for _ in range(400):
        kl = 0.02 / beta
        beta = adaptive_kl_coef(beta, kl, 0.1, 512, 2048)
    assert beta == pytest.approx(0.2, rel=1e-3)
    # at the target, β does not move
    assert adaptive_kl_coef(0.3, 0.1, 0.1, 512, 2048) == pytest.approx(0.3)


def test_kl_shaped_rewards_by_hand() -> None:
    from rlref.algos.kl import kl_shaped_rewards

    logp = torch.tensor([[-1.0, -2.0, -3.0], [-1.0, -1.0, float("nan")]], dtype=torch.float64)
    ref = torch.tensor([[-1.5, -2.0, -2.0], [-1.0, -2.0, float("inf")]], dtype=torch.float64)
    mask = torch.tensor([[1, 1, 1], [1, 1, 0]])
    out = kl_shaped_rewards(torch.tensor([1.0, 2.0]), logp, ref, mask, beta=0.1)
    # −β·k1 on every real token, the score added on each response's last real token, 0 at pads
    expected = torch.tensor([[-0.05, 0.0, 0.1 + 1.0], [0.0, -0.1 + 2.0, 0.0]], dtype=torch.float64)
    torch.testing.assert_close(out, expected)


def test_kl_shaped_rewards_estimators_and_empty_responses() -> None:
    from rlref.algos.kl import kl_k3, kl_shaped_rewards

    gen = torch.Generator().manual_seed(0)
    logp, ref = -torch.rand(3, 5, generator=gen) * 3, -torch.rand(3, 5, generator=gen) * 3
    mask = torch.tensor([[1, 1, 1, 0, 0], [0, 0, 0, 0, 0], [1, 1, 1, 1, 1]])
    scores = torch.tensor([0.5, 7.0, -1.0])
    out = kl_shaped_rewards(scores, logp, ref, mask, beta=0.2, estimator="k3")
    assert torch.equal(out[1], torch.zeros(5))  # no token: no reward, the score is dropped
    kl_part = torch.where(mask.bool(), -0.2 * kl_k3(logp, ref), torch.zeros(()))
    torch.testing.assert_close(out.sum(-1), kl_part.sum(-1) + torch.tensor([0.5, 0.0, -1.0]))
    with pytest.raises(ValueError, match="estimator"):
        kl_shaped_rewards(scores, logp, ref, mask, beta=0.2, estimator="k4")

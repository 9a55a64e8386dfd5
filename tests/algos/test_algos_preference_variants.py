"""rlref.algos.preference_variants: EXO, NCA, BCO, APO-zero/down, AOT, DiscoPOP."""

from __future__ import annotations

import math

import pytest
import torch

from rlref.algos.preference import dpo_loss
from rlref.algos.preference_variants import (
    aot_loss,
    apo_down_loss,
    apo_zero_loss,
    bco_pair_loss,
    discopop_loss,
    exo_pair_loss,
    nca_pair_loss,
)

F64 = torch.float64
LOSSES = [
    exo_pair_loss,
    nca_pair_loss,
    bco_pair_loss,
    apo_zero_loss,
    apo_down_loss,
    aot_loss,
    discopop_loss,
]


def _sig(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _pairs(seed: int = 0, n: int = 6) -> tuple[torch.Tensor, ...]:
    gen = torch.Generator().manual_seed(seed)
    return tuple(-torch.rand(n, generator=gen, dtype=F64) * 20 for _ in range(4))


# One pair with Δ_w = 1 and Δ_l = −1 at β = 0.5: βΔ_w = 0.5, βΔ_l = −0.5, β(Δ_w − Δ_l) = 1
ONE = tuple(torch.tensor([x], dtype=F64) for x in (-5.0, -9.0, -6.0, -8.0))


def test_exo_hand_computed_and_minimum_at_smoothed_label() -> None:
    eps = 0.1
    out = exo_pair_loss(*ONE, beta=0.5, label_smoothing=eps)
    q = _sig(1.0)
    expected = q * math.log(q / (1 - eps)) + (1 - q) * math.log((1 - q) / eps)
    assert out.loss.item() == pytest.approx(expected)
    # the KL is 0 exactly where σ(β(Δ_w − Δ_l)) = 1 − ε
    logit = math.log((1 - eps) / eps)
    at_min = exo_pair_loss(
        *(torch.tensor([x], dtype=F64) for x in (logit, 0.0, 0.0, 0.0)),
        beta=1.0,
        label_smoothing=eps,
    )
    assert at_min.loss.item() == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("eps", [0.0, 1.0])
def test_exo_refuses_a_degenerate_label(eps: float) -> None:
    with pytest.raises(ValueError, match="label_smoothing"):
        exo_pair_loss(*ONE, label_smoothing=eps)


def test_nca_bco_apo_hand_computed() -> None:
    w, l_ = 0.5, -0.5  # βΔ_w, βΔ_l
    ls = math.log
    nca = -ls(_sig(w)) - 0.5 * ls(_sig(-w)) - 0.5 * ls(_sig(-l_))
    bco = -ls(_sig(w)) - ls(_sig(-l_))
    zero = 1 - _sig(w) + _sig(l_)
    down = _sig(w) + 1 - _sig(w - l_)
    for fn, expected in [
        (nca_pair_loss, nca),
        (bco_pair_loss, bco),
        (apo_zero_loss, zero),
        (apo_down_loss, down),
    ]:
        out = fn(*ONE, beta=0.5)
        assert out.loss.item() == pytest.approx(expected), fn.__name__
        assert out.chosen_rewards.item() == pytest.approx(w)
        assert out.rejected_rewards.item() == pytest.approx(l_)


def test_single_side_losses_see_a_common_shift_dpo_does_not() -> None:
    pc, pr, rc, rr = _pairs()
    shifted = (pc + 1.0, pr + 1.0, rc, rr)  # both log-ratios up by 1: margin unchanged
    assert dpo_loss(*shifted).loss.item() == pytest.approx(dpo_loss(pc, pr, rc, rr).loss.item())
    for fn in (nca_pair_loss, bco_pair_loss, apo_zero_loss, apo_down_loss):
        assert fn(*shifted).loss.item() != pytest.approx(fn(pc, pr, rc, rr).loss.item()), fn


def test_apo_gradient_directions() -> None:
    pc, pr, rc, rr = (x.clone().requires_grad_() for x in _pairs())
    apo_zero_loss(pc, pr, rc, rr).loss.backward()
    assert torch.all(pc.grad < 0) and torch.all(pr.grad > 0)  # chosen up, rejected down
    pc2, pr2 = (x.detach().clone().requires_grad_() for x in (pc, pr))
    apo_down_loss(pc2, pr2, rc, rr, beta=0.1).loss.backward()
    assert torch.all(pr2.grad > 0)  # rejected always goes down


def test_aot_paired_sorts_margins_and_one_pair_is_cdpo() -> None:
    pc, pr, rc, rr = _pairs(n=5)
    beta, eps = 0.3, 0.1
    a = torch.sort(pc - pr).values
    b = torch.sort(rc - rr).values
    expected = (
        -(1 - eps) * torch.nn.functional.logsigmoid(beta * (a - b))
        - eps * torch.nn.functional.logsigmoid(-beta * (a - b))
    ).mean()
    out = aot_loss(pc, pr, rc, rr, beta, eps)
    torch.testing.assert_close(out.loss, expected)
    # sorting changes the value compared with pairing by index
    assert out.loss.item() != pytest.approx(dpo_loss(pc, pr, rc, rr, beta, eps).loss.item())
    # a single pair has nothing to sort: paired AOT is cDPO
    one = aot_loss(*(x[:1] for x in (pc, pr, rc, rr)), beta, eps)
    cdpo = dpo_loss(*(x[:1] for x in (pc, pr, rc, rr)), beta, eps)
    torch.testing.assert_close(one.loss, cdpo.loss)


def test_aot_unpaired_ignores_which_rejected_goes_with_which_chosen() -> None:
    pc, pr, rc, rr = _pairs(n=6)
    perm = torch.tensor([3, 0, 5, 1, 4, 2])
    base = aot_loss(pc, pr, rc, rr, paired=False)
    shuffled = aot_loss(pc, pr[perm], rc, rr[perm], paired=False)
    torch.testing.assert_close(base.loss, shuffled.loss)
    assert base.loss.item() != pytest.approx(aot_loss(pc, pr, rc, rr, paired=True).loss.item())


def test_discopop_blends_logistic_and_exponential() -> None:
    out = discopop_loss(*ONE, beta=0.5, tau=0.05)
    mix = _sig(1.0 / 0.05)
    expected = (1 - mix) * -math.log(_sig(1.0)) + mix * math.exp(-1.0)
    assert out.loss.item() == pytest.approx(expected)
    # a badly ranked pair with a small τ is DPO's logistic loss
    bad = tuple(torch.tensor([x], dtype=F64) for x in (-9.0, -5.0, -8.0, -6.0))
    assert discopop_loss(*bad, beta=0.5, tau=0.01).loss.item() == pytest.approx(
        dpo_loss(*bad, beta=0.5).loss.item()
    )


@pytest.mark.parametrize("fn", LOSSES)
def test_float32_gradient_and_detached_rewards(fn) -> None:
    pc, pr, rc, rr = (x.float() for x in _pairs(1))
    pc.requires_grad_()
    out = fn(pc, pr, rc, rr)
    assert out.loss.dtype == torch.float32 and out.loss.dim() == 0
    out.loss.backward()
    assert pc.grad is not None and torch.isfinite(pc.grad).all() and pc.grad.abs().sum() > 0
    assert not out.chosen_rewards.requires_grad

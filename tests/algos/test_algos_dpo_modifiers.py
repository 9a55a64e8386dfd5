"""rlref.algos.dpo_modifiers: f-divergence scores and f-DPO, LD-DPO, WPO weights, the SFT term."""

from __future__ import annotations

import math

import pytest
import torch

from rlref.algos.dpo_modifiers import (
    f_divergence_score,
    f_dpo_loss,
    ld_sequence_logps,
    sft_loss,
    token_log_sum_sq_probs,
    wpo_loss,
    wpo_weights,
)
from rlref.algos.lm import token_logprobs
from rlref.algos.preference import dpo_loss

F64 = torch.float64
U = torch.tensor([-2.0, -0.3, 0.0, 0.7, 3.0], dtype=F64)


def test_scores_hand_computed() -> None:
    t = U.exp()
    torch.testing.assert_close(f_divergence_score(U, "reverse_kl"), U)
    torch.testing.assert_close(f_divergence_score(U, "forward_kl"), 1 - 1 / t)
    torch.testing.assert_close(f_divergence_score(U, "js_divergence"), torch.log(2 * t / (1 + t)))
    alpha = 0.5
    torch.testing.assert_close(
        f_divergence_score(U, "alpha_divergence", alpha), (t ** (alpha - 1) - 1) / (alpha - 1)
    )


def test_alpha_divergence_limits() -> None:
    # α → 1 is the reverse KL (TRL's cut-off), α = 0 the forward KL
    torch.testing.assert_close(f_divergence_score(U, "alpha_divergence", 1.0), U)
    torch.testing.assert_close(
        f_divergence_score(U, "alpha_divergence", 1.0 - 1e-4), U, rtol=1e-3, atol=1e-3
    )
    torch.testing.assert_close(
        f_divergence_score(U, "alpha_divergence", 0.0), f_divergence_score(U, "forward_kl")
    )
    with pytest.raises(ValueError, match="f-divergence"):
        f_divergence_score(U, "total_variation")  # type: ignore[arg-type]


def _pairs(seed: int = 0, n: int = 5) -> tuple[torch.Tensor, ...]:
    gen = torch.Generator().manual_seed(seed)
    return tuple(-torch.rand(n, generator=gen, dtype=F64) * 10 for _ in range(4))


def test_f_dpo_reverse_kl_is_dpo_and_others_differ() -> None:
    pairs = _pairs()
    torch.testing.assert_close(f_dpo_loss(*pairs, beta=0.2).loss, dpo_loss(*pairs, 0.2).loss)
    for divergence in ("forward_kl", "js_divergence", "alpha_divergence"):
        out = f_dpo_loss(*pairs, beta=0.2, divergence=divergence)
        assert out.loss.item() != pytest.approx(dpo_loss(*pairs, 0.2).loss.item()), divergence
        # logged rewards stay βΔ whatever the divergence
        torch.testing.assert_close(out.chosen_rewards, 0.2 * (pairs[0] - pairs[2]))


def test_ld_weights_the_tail_of_the_longer_completion() -> None:
    chosen = torch.tensor([[-1.0, -2.0, -3.0, -4.0]], dtype=F64)
    rejected = torch.tensor([[-5.0, -6.0, 99.0, 99.0]], dtype=F64)  # pads hold garbage
    cm = torch.tensor([[1, 1, 1, 1]])
    rm = torch.tensor([[1, 1, 0, 0]])
    c, r = ld_sequence_logps(chosen, rejected, cm, rm, alpha=0.5)
    assert c.item() == pytest.approx(-1 - 2 + 0.5 * (-3 - 4))
    assert r.item() == pytest.approx(-11.0)
    full_c, _ = ld_sequence_logps(chosen, rejected, cm, rm, alpha=1.0)
    assert full_c.item() == pytest.approx(-10.0)  # α = 1: the ordinary sum
    prefix_c, _ = ld_sequence_logps(chosen, rejected, cm, rm, alpha=0.0)
    assert prefix_c.item() == pytest.approx(-3.0)  # α = 0: the shared prefix only


def test_ld_counts_positions_within_the_completion() -> None:
    # a left-aligned prompt (mask 0) before the completion does not shift the positions
    chosen = torch.tensor([[-7.0, -1.0, -2.0, -3.0]], dtype=F64)
    cm = torch.tensor([[0, 1, 1, 1]])
    rm = torch.tensor([[0, 1, 0, 0]])
    c, _ = ld_sequence_logps(chosen, chosen, cm, rm, alpha=0.25)
    assert c.item() == pytest.approx(-1 + 0.25 * (-2 - 3))


def test_sft_is_one_token_mean_over_the_batch() -> None:
    logps = torch.tensor([[-1.0, -2.0, 0.0], [-3.0, 0.0, 0.0]], dtype=F64)
    mask = torch.tensor([[1, 1, 0], [1, 0, 0]])
    assert sft_loss(logps, mask).item() == pytest.approx(2.0)  # (1 + 2 + 3) / 3, not (1.5 + 3)/2
    assert sft_loss(logps, torch.zeros_like(mask)).item() == 0.0


def test_log_sum_sq_probs_matches_softmax_and_bounds() -> None:
    logits = torch.randn(3, 4, 11, generator=torch.Generator().manual_seed(0), dtype=F64)
    probs = logits.softmax(-1)
    torch.testing.assert_close(token_log_sum_sq_probs(logits), (probs**2).sum(-1).log())
    out = token_log_sum_sq_probs(logits)
    assert torch.all(out <= 0) and torch.all(out >= -math.log(11) - 1e-12)


def test_wpo_weights_and_loss() -> None:
    gen = torch.Generator().manual_seed(1)
    logits = torch.randn(2, 5, 7, generator=gen, dtype=F64, requires_grad=True)
    tokens = torch.randint(0, 7, (2, 5), generator=gen)
    mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]])
    token_logps = token_logprobs(logits, tokens)
    weights = wpo_weights(token_logps, token_log_sum_sq_probs(logits), mask)
    assert not weights.requires_grad
    probs = logits.detach().softmax(-1)
    calibrated = token_logps.detach() - (probs**2).sum(-1).log()
    expected = torch.stack([calibrated[0, :3].mean(), calibrated[1].mean()]).exp()
    torch.testing.assert_close(weights, expected)

    pairs = _pairs(n=2)
    ones = torch.ones(2, dtype=F64)
    torch.testing.assert_close(
        wpo_loss(*pairs, ones, ones, beta=0.2).loss, dpo_loss(*pairs, 0.2).loss
    )
    chosen_w, rejected_w = torch.tensor([0.5, 0.2], dtype=F64), torch.tensor([0.4, 1.0], dtype=F64)
    per_pair = -torch.nn.functional.logsigmoid(
        0.2 * ((pairs[0] - pairs[2]) - (pairs[1] - pairs[3]))
    )
    torch.testing.assert_close(
        wpo_loss(*pairs, chosen_w, rejected_w, beta=0.2).loss,
        (chosen_w * rejected_w * per_pair).mean(),
    )


def test_wpo_weights_carry_no_gradient_into_the_loss() -> None:
    pc, pr, rc, rr = _pairs(n=3)
    pc.requires_grad_()
    w = pc.exp()  # a weight that depends on the policy
    wpo_loss(pc, pr, rc, rr, w, torch.ones(3, dtype=F64)).loss.backward()
    grad_stopped = pc.grad.clone()
    pc.grad = None
    per_pair = -torch.nn.functional.logsigmoid(0.1 * ((pc - rc) - (pr - rr)))
    (w.detach() * per_pair).mean().backward()
    torch.testing.assert_close(grad_stopped, pc.grad)

"""Device and dtype neutrality: no function may create tensors on a hard-coded device or dtype.

A GPU is not available here, so the functions run on PyTorch's `meta` device: any tensor a
function creates on the CPU (instead of on its inputs' device) makes the call fail.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch

from rlref.algos import advantages, kl, lm, objectives, policy_loss, preference, returns, search

META = torch.device("meta")
B, T, V = 2, 5, 7


def _cases() -> dict[str, Callable[[torch.dtype], object]]:
    def logits(dtype: torch.dtype) -> torch.Tensor:
        return torch.empty(B, T, V, device=META, dtype=dtype)

    def mat(dtype: torch.dtype) -> torch.Tensor:
        return torch.empty(B, T, device=META, dtype=dtype)

    def vec(dtype: torch.dtype, n: int = B) -> torch.Tensor:
        return torch.empty(n, device=META, dtype=dtype)

    labels = torch.zeros(B, T, device=META, dtype=torch.long)
    mask = torch.ones(B, T, device=META, dtype=torch.bool)
    return {
        "token_logprobs": lambda d: lm.token_logprobs(logits(d), labels),
        "entropy_from_logits": lambda d: lm.entropy_from_logits(logits(d)),
        "sequence_logprobs": lambda d: lm.sequence_logprobs(logits(d), labels, mask),
        "perplexity": lambda d: lm.perplexity(logits(d), labels, shift=True),
        "gae": lambda d: advantages.gae(mat(d), mat(d), 0.9, 0.9, mask, mask, vec(d)),
        "gae_loop_reference": lambda d: advantages.gae_loop_reference(
            mat(d), mat(d), 0.9, 0.9, mask, mask, vec(d)
        ),
        "lambda_returns": lambda d: returns.lambda_returns(mat(d), mat(d), 0.9, 0.5, mask),
        "discounted_returns": lambda d: returns.discounted_returns(mat(d), 0.9, mask, mask),
        "group_advantages": lambda d: advantages.group_advantages(vec(d, 4), 2),
        "rloo_advantages": lambda d: advantages.rloo_advantages(vec(d, 4), 2),
        "opo_advantages": lambda d: advantages.opo_advantages(vec(d, 4), vec(d, 4), 2),
        "reinforce_pp_advantages": lambda d: advantages.reinforce_pp_advantages(
            mat(d), mask, 1.0, 2
        ),
        "kl_categorical": lambda d: kl.kl_categorical(logits(d), logits(d)),
        "kl_k3": lambda d: kl.kl_k3(mat(d), mat(d)),
        "ppo_clip_loss": lambda d: policy_loss.ppo_clip_loss(
            mat(d), mat(d), vec(d), mask, clip_ratio_c=3.0
        ),
        "grpo_loss": lambda d: policy_loss.grpo_loss(mat(d), mat(d), mat(d), vec(d), mask, 0.1),
        "gspo_loss": lambda d: policy_loss.gspo_loss(
            mat(d), mat(d), vec(d), mask, token_level=True
        ),
        "cispo_loss": lambda d: policy_loss.cispo_loss(mat(d), mat(d), mat(d), mask, 0.2, 0.2),
        "value_loss_clipped": lambda d: policy_loss.value_loss_clipped(
            mat(d), mat(d), mat(d), mask, 0.2
        ),
        "entropy_bonus": lambda d: policy_loss.entropy_bonus(mat(d), mask, 0.01),
        "dapo_overlong_penalty": lambda d: policy_loss.dapo_overlong_penalty(vec(d, 4), 10, 2),
        "dynamic_sampling_filter": lambda d: policy_loss.dynamic_sampling_filter(vec(d, 4), 2),
        "dpo_loss": lambda d: preference.dpo_loss(vec(d), vec(d), vec(d), vec(d), 0.1, 0.1, True),
        "ipo_loss": lambda d: preference.ipo_loss(vec(d), vec(d), vec(d), vec(d)),
        "simpo_loss": lambda d: preference.simpo_loss(vec(d), vec(d), vec(d), vec(d), 2.0, 0.5),
        "orpo_loss": lambda d: preference.orpo_loss(vec(d), vec(d)),
        "bradley_terry_loss": lambda d: preference.bradley_terry_loss(vec(d), vec(d), 0.5),
        "process_supervision_advantages": lambda d: advantages.process_supervision_advantages(
            mat(d), mask, 2
        ),
        "adaptive_kl_coef": lambda d: kl.adaptive_kl_coef(vec(d), vec(d), 0.1, 4, 100.0),
        "root_visit_policy": lambda d: search.root_visit_policy(vec(d, 4), 0.5),
        "bradley_terry_centered_loss": lambda d: objectives.bradley_terry_centered_loss(
            vec(d), vec(d), 0.01
        ),
        "ppo_total_loss": lambda d: objectives.ppo_total_loss(
            mat(d), mat(d), vec(d), mat(d), mat(d), mat(d), mat(d), mask,
            clip_range_value=0.5, vf_coef=0.5, ent_coef=0.01,
        ),
        "alphazero_loss": lambda d: objectives.alphazero_loss(
            vec(d), vec(d), mat(d), mat(d), [vec(d), mat(d)], 1e-4
        ),
    }


@pytest.mark.parametrize("name", sorted(_cases()))
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_runs_on_the_inputs_device_and_keeps_their_dtype(name: str, dtype: torch.dtype) -> None:
    out = _cases()[name](dtype)
    tensors = [out] if isinstance(out, torch.Tensor) else [t for t in out if torch.is_tensor(t)]
    for tensor in tensors:
        assert tensor.device == META
        if tensor.is_floating_point():
            assert tensor.dtype == dtype, name

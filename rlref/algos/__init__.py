r"""Reference implementations: the maths of RL for LLMs as readable, exact, fast PyTorch.

Every public function is a pure function of tensors (no trainer, no global state), works for
float32 and float64 on any device, and treats masks the same way (1 = real token, 0 = pad; pads
never change a result). Each docstring gives the formula, its source, the matching TRL 1.16 /
verl 0.9 option where one exists, and the vault note it belongs to.

| module | job |
|---|---|
| `lm` | token log-probs (chunked), entropy, masked reductions, sequence log-probs, perplexity |
| `returns` | discounted returns, TD residuals, λ-returns (a vectorised reverse scan) |
| `advantages` | GAE, GRPO group advantages (outcome, process supervision), RLOO, OPO, REINFORCE++ |
| `kl` | k1 / k2 / k3 estimators, exact categorical KL, the adaptive KL coefficient |
| `policy_loss` | REINFORCE, PPO, value/entropy terms, GRPO (+ re-exports of the next two) |
| `aggregation` | `aggregate_loss`: the `loss_agg` reduction of a token-loss matrix |
| `grpo_options` | GRPO's high-entropy token mask, GDPO's multi-reward advantages |
| `grpo_variants` | DAPO overlong penalty and dynamic sampling, GSPO, CISPO |
| `preference` | Bradley-Terry, DPO, IPO, hinge, SimPO, ORPO, KTO |
| `preference_variants` | DPO loss types EXO, NCA, BCO, APO-zero/down, AOT, DiscoPOP |
| `dpo_modifiers` | f-divergence DPO, LD-DPO lengths, WPO weights, the SFT term |
| `cpo` | CPO's reference-free losses (sigmoid, hinge, IPO, SimPO), AlphaPO rewards |
| `tabular` | finite MDPs, Bellman equations, value iteration, Q-learning, shaping |
| `bandits` | ε-greedy, UCB1, Thompson sampling, regret |
| `search` | UCT, PUCT, MCTS, the root visit-count policy |
| `objectives` | total losses: BT + centring penalty, PPO clip + value + entropy, AlphaZero |
| `self_play` | SPIN and SPPO objectives (the verl recipes) |
| `rloo_rewards` | RLOO's shaped sequence reward: clipped score minus β·KL |
| `recipes` | GPG advantages (verl `policy_loss.loss_mode=gpg`) |
| `stability` | SAPO gate, rollout-correction weights, off-policy masks, QeRL noise |
| `frontier` | VESPO, MASPO and VCPO pieces established from readable code |
| `vespo_correction` | VESPO's sequence weight and loss with the rollout (vLLM) token ratios |
| `prompt_evolution` | GEPA's Pareto-front selection of prompt candidates |
| `trl_map` | the table TRL 1.16 option → rlref call (data; checked by `make conformance`) |
"""

from rlref.algos import (
    advantages,
    aggregation,
    bandits,
    cpo,
    dpo_modifiers,
    frontier,
    grpo_options,
    grpo_variants,
    kl,
    lm,
    objectives,
    policy_loss,
    preference,
    preference_variants,
    prompt_evolution,
    recipes,
    returns,
    rloo_rewards,
    search,
    self_play,
    stability,
    tabular,
    trl_map,
    vespo_correction,
)

__all__ = [
    "advantages",
    "aggregation",
    "bandits",
    "cpo",
    "dpo_modifiers",
    "frontier",
    "grpo_options",
    "grpo_variants",
    "kl",
    "lm",
    "objectives",
    "policy_loss",
    "preference",
    "preference_variants",
    "prompt_evolution",
    "recipes",
    "returns",
    "rloo_rewards",
    "search",
    "self_play",
    "stability",
    "tabular",
    "trl_map",
    "vespo_correction",
]

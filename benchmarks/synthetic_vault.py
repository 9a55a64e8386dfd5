"""Generate a synthetic vault: ≈3 KB notes of mixed Chinese/English, 5 wikilinks and
3 tagged formulas each, plus a MOC linking every note. Shared by the benchmarks."""

from __future__ import annotations

import random
from pathlib import Path

SECTIONS = ["Fundamentals", "PPO", "GRPO", "DPO", "DAPO", "KTO", "RLOO", "Other"]
WORDS_ZH = [
    "策略",
    "价值函数",
    "优势估计",
    "重要性采样",
    "裁剪",
    "奖励模型",
    "偏好",
    "基线",
    "方差",
    "收敛",
]
WORDS_EN = ["policy", "advantage", "KL penalty", "clip ratio", "reward", "baseline", "rollout"]
FORMULAS = [
    r"r_t(\theta) = \frac{\pi_\theta(a_t \mid s_t)}{\pi_{\theta_{old}}(a_t \mid s_t)}",
    r"\delta_t = r_t + \gamma V(s_{t+1}) - V(s_t)",
    r"L = -\log \sigma\left(\beta \log \frac{\pi_\theta(y_w \mid x)}{\pi_{ref}(y_w \mid x)}\right)",
]


def note_key(i: int) -> str:
    return f"Vault/{SECTIONS[i % len(SECTIONS)]}/笔记 {i:05d}"


def note_text(i: int, n: int, rng: random.Random) -> str:
    parts = [
        f"---\ntitle: 笔记 {i:05d}\ntype: concept\ntags: [rl, s{i % 8}]\n"
        f"aliases: [Note {i:05d}]\nstatus: draft\n---\n# 笔记 {i:05d}\n"
    ]
    for section in range(3):
        parts.append(f"\n## 小节 {section}\n\n")
        sentence = []
        for _ in range(70):
            sentence.append(rng.choice(WORDS_ZH) if rng.random() < 0.6 else rng.choice(WORDS_EN))
        parts.append("，".join(sentence) + "。\n")
        for _ in range(2 if section < 2 else 1):
            j = rng.randrange(n)
            parts.append(f"参见 [[{note_key(j)}#小节 {rng.randrange(3)}|笔记 {j}]]。\n")
        parts.append(f"\n<!-- formula: f{section} -->\n$$\n{FORMULAS[section]}\n$$\n")
    return "".join(parts)


def write_vault(root: Path, n: int, seed: int = 0) -> Path:
    rng = random.Random(seed)
    for i in range(n):
        path = root / f"{note_key(i)}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(note_text(i, n, rng), encoding="utf-8")
    moc = ["---\ntitle: MOC\ntype: moc\n---\n# MOC\n"]
    for s, section in enumerate(SECTIONS):
        moc.append(f"\n## {section}\n")
        moc.extend(f"- [[{note_key(i)}]]\n" for i in range(s, n, len(SECTIONS)))
    (root / "_MOC.md").write_text("".join(moc), encoding="utf-8")
    return root

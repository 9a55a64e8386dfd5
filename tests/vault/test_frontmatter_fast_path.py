"""The plain-shape frontmatter reader (no pydantic) agrees with the pydantic schema: whatever
it accepts, pydantic accepts with the same values; whatever else, pydantic decides."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from rlref.vault.frontmatter import (
    KNOWN_KEYS,
    NOTE_TYPES,
    SOURCE_KEYS,
    STATUSES,
    plain_frontmatter,
    read_frontmatter,
)
from rlref.vault.frontmatter_schema import FrontmatterModel, SourceModel, validate

KB = Path(__file__).parents[2] / "kb"

# Texts that matter to the schema: known values, impl references, '#' tags, lone surrogates
# (pydantic refuses them in extra keys), and anything else.
texts = st.one_of(
    st.sampled_from(
        [
            "moc",
            "concept",
            "paper",
            "stub",
            "draft",
            "complete",
            "algo",
            "",
            "#rl",
            "##x",
            "rlref.algos.ppo:ppo_loss",
            "a.b:c",
            "nocolon",
            "1707.06347",
            "arXiv:1707.06347",
            "_private",
            "model_config",
            "__class__",
            "x\ud800",
        ]
    ),
    st.text(max_size=6),
)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), texts, st.binary(max_size=3)
)
keys = st.one_of(st.sampled_from([*KNOWN_KEYS, *SOURCE_KEYS]), texts)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.one_of(keys, st.integers()), inner, max_size=3),
    ),
    max_leaves=8,
)
# Mostly right values with now and then a wrong one: a wrong value the plain reader let
# through would otherwise hide behind another that sends the whole frontmatter to pydantic.
text_lists = st.one_of(texts, st.lists(texts, max_size=3))
right = {
    "title": texts,
    "type": st.sampled_from(sorted(NOTE_TYPES)),
    "domain": texts,
    "tags": text_lists,
    "aliases": text_lists,
    "status": st.sampled_from(sorted(STATUSES)),
    "sources": st.lists(
        st.one_of(texts, st.dictionaries(keys, st.one_of(texts, values), max_size=3)), max_size=2
    ),
    "related": text_lists,
    "impl": st.lists(st.sampled_from(["rlref.algos.ppo:ppo_loss", "a.b:c", "x"]), max_size=2),
    "formulas": st.dictionaries(texts, values, max_size=2),
    "demo": texts,
}
assert set(right) == set(KNOWN_KEYS)
frontmatters = st.builds(
    lambda known, extra: {**extra, **known},
    st.fixed_dictionaries(
        {"title": st.one_of(texts, texts, texts, values)},
        optional={
            key: st.one_of(right[key], right[key], right[key], st.none(), values)
            for key in KNOWN_KEYS[1:]
        },
    ),
    st.dictionaries(keys, values, max_size=2),
)


def pydantic_result(data: dict[str, Any]) -> Any:
    return validate(data)[0]


@settings(max_examples=500, deadline=None)
@given(frontmatters)
def test_the_plain_reader_accepts_only_what_pydantic_accepts_alike(data: dict[str, Any]) -> None:
    plain = plain_frontmatter(data)
    if plain is not None:
        assert pydantic_result(data) == plain


@settings(max_examples=500, deadline=None)
@given(st.sampled_from([*KNOWN_KEYS, "rating", "x\ud800"]), st.one_of(scalars, values))
def test_any_value_of_any_key_alone(key: str, value: Any) -> None:
    data = {"title": "T", key: value}
    plain = plain_frontmatter(data)
    if plain is not None:
        assert pydantic_result(data) == plain


@settings(max_examples=300, deadline=None)
@given(
    st.fixed_dictionaries(
        {"title": texts},
        optional={
            "type": st.sampled_from(["moc", "concept", "paper"]),
            "tags": st.one_of(texts, st.lists(texts, max_size=3)),
            "impl": st.lists(st.sampled_from(["rlref.algos.ppo:ppo_loss", "a.b:c"]), max_size=2),
            "sources": st.lists(
                st.one_of(
                    texts,
                    st.fixed_dictionaries(
                        {}, optional={"title": texts, "arxiv": texts, "url": texts}
                    ),
                ),
                max_size=2,
            ),
            "formulas": st.dictionaries(
                texts, st.dictionaries(texts, texts, max_size=2), max_size=2
            ),
            "rating": st.integers(),
        },
    )
)
def test_correct_frontmatter_never_needs_pydantic(data: dict[str, Any]) -> None:
    """The plain reader is not a reader that always defers: correct frontmatter is its."""
    if any("\ud800" <= ch <= "\udfff" for ch in "".join(data)):
        return
    plain = plain_frontmatter(data)
    assert plain is not None
    assert plain == pydantic_result(data)


def test_every_kb_note_takes_the_plain_path() -> None:
    import yaml

    from rlref.vault.frontmatter import split_frontmatter

    for path in sorted(KB.rglob("*.md")):
        head, _, _ = split_frontmatter(path.read_text(encoding="utf-8"))
        data = yaml.safe_load(head or "") or {}
        assert plain_frontmatter({str(k): v for k, v in data.items()}) is not None, path


def test_the_known_keys_are_the_schema_fields() -> None:
    assert KNOWN_KEYS == tuple(FrontmatterModel.model_fields)
    assert SOURCE_KEYS == tuple(SourceModel.model_fields)


def test_problems_keep_pydantic_wording() -> None:
    text = "---\ntitle: T\ntags: [1]\nsources:\n  - 5\n  - {arxiv: 1.5}\n---\n"
    found = [(d.line, d.message) for d in read_frontmatter("n.md", text).diagnostics]
    assert found == [
        (3, "frontmatter: 'tags.0': Input should be a valid string"),
        (4, "frontmatter: 'sources': quote the arXiv id (YAML reads it as a number)"),
    ]


def test_extras_are_kept_on_both_paths() -> None:
    plain = read_frontmatter("n.md", "---\ntitle: T\nrating: 5\n---\n").model
    slow = read_frontmatter("n.md", "---\ntitle: T\nrating: 5\nraw: !!binary aGk=\n---\n").model
    assert plain is not None and plain.model_extra == {"rating": 5}
    assert slow is not None and slow.model_extra == {"rating": 5, "raw": b"hi"}

"""The frontmatter schema as pydantic models: the authority on what a frontmatter may hold
and the wording of every problem with it.

:mod:`rlref.vault.frontmatter` validates the plain shape every correct note has without
importing this module (pydantic costs a fifth of ``rlref check``'s start); a frontmatter it
does not accept at once (a problem, a value pydantic converts) is validated here.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from rlref.vault import frontmatter as plain

NoteType = Literal["moc", "concept", "algorithm", "paper", "practice", "survey", "framework"]
Status = Literal["stub", "draft", "complete"]


class SourceModel(BaseModel):
    """A structured source entry: ``{title, arxiv, url}`` (all optional)."""

    model_config = ConfigDict(extra="allow")
    title: str | None = None
    arxiv: str | None = None
    url: str | None = None

    @field_validator("arxiv", mode="before")
    @classmethod
    def _arxiv_as_text(cls, value: Any) -> Any:
        # YAML reads an unquoted 1707.06347 as a float, which drops trailing zeros.
        if isinstance(value, float):
            raise ValueError(plain.ARXIV_AS_NUMBER)
        return value


class FrontmatterModel(BaseModel):
    """The known keys of a note's frontmatter; unknown keys are kept as extras."""

    model_config = ConfigDict(extra="allow")

    title: str
    type: NoteType | None = None
    domain: str | None = None
    tags: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    status: Status | None = None
    sources: list[str | SourceModel] = Field(default_factory=list)
    related: list[str] = Field(default_factory=list)
    impl: list[str] = Field(default_factory=list)
    formulas: dict[str, Any] = Field(default_factory=dict)
    demo: str | None = None

    _listify = field_validator("related", "impl", mode="before")(
        classmethod(lambda cls, v: plain.as_list(v))
    )
    _names = field_validator("tags", "aliases", mode="before")(
        classmethod(lambda cls, v: plain.as_names(v))
    )

    @field_validator("sources", mode="before")
    @classmethod
    def _structured_sources(cls, value: Any) -> Any:
        # Validate mappings as SourceModel here so an error names the field, not the union.
        items = plain.as_list(value)
        if not isinstance(items, list):
            return items
        out = []
        for item in items:
            if isinstance(item, dict):
                try:
                    item = SourceModel.model_validate(item)
                except ValidationError as exc:
                    first = exc.errors()[0]
                    raise ValueError(first["msg"].removeprefix("Value error, ")) from None
            out.append(item)
        return out

    @field_validator("title", mode="before")
    @classmethod
    def _title_as_text(cls, value: Any) -> Any:
        if isinstance(value, int | float):
            return str(value)
        return value

    @field_validator("tags")
    @classmethod
    def _strip_hash(cls, tags: list[str]) -> list[str]:
        return [t.lstrip("#") for t in tags]

    @field_validator("impl")
    @classmethod
    def _impl_shape(cls, refs: list[str]) -> list[str]:
        for ref in refs:
            if not plain.IMPL_PATTERN.match(ref):
                raise ValueError(f"impl entry {ref!r} is not of the form 'module:function'")
        return refs

    @field_validator("formulas", mode="before")
    @classmethod
    def _formulas_mapping(cls, value: Any) -> Any:
        return {} if value is None else value


def validate(data: dict[str, Any]) -> tuple[plain.Frontmatter | None, list[dict[str, Any]]]:
    """The frontmatter of ``data`` as :class:`rlref.vault.frontmatter.Frontmatter`, or None
    and pydantic's errors (each with ``loc``, ``type`` and ``msg``)."""
    try:
        model = FrontmatterModel.model_validate(data)
    except ValidationError as exc:
        return None, list(exc.errors())
    fields = {name: getattr(model, name) for name in plain.KNOWN_KEYS}
    fields["sources"] = [_source(s) if isinstance(s, SourceModel) else s for s in model.sources]
    return plain.Frontmatter(**fields, model_extra=dict(model.model_extra or {})), []


def _source(model: SourceModel) -> plain.SourceRef:
    return plain.SourceRef(model.title, model.arxiv, model.url, dict(model.model_extra or {}))

"""Frontmatter: split it from the body, read it with pyyaml, validate it with pydantic.

Unknown keys are kept (real vaults carry ``rating``, ``brief``, ``date``, …); a key that
looks like a misspelt known key is a warning with the suggestion.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from rlref.diagnostics import Diagnostic, diagnose

NoteType = Literal["moc", "concept", "algorithm", "paper", "practice", "survey", "framework"]
Status = Literal["stub", "draft", "complete"]
IMPL_PATTERN = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")


class SourceRef(BaseModel):
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
            raise ValueError("quote the arXiv id (YAML reads it as a number)")
        return value


def _as_list(value: Any) -> Any:
    """Obsidian accepts ``tags: rl`` as well as ``tags: [rl]``."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return value


class Frontmatter(BaseModel):
    """The known keys of a note's frontmatter; unknown keys are kept as extras."""

    model_config = ConfigDict(extra="allow")

    title: str
    type: NoteType | None = None
    domain: str | None = None
    tags: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    status: Status | None = None
    sources: list[str | SourceRef] = Field(default_factory=list)
    related: list[str] = Field(default_factory=list)
    impl: list[str] = Field(default_factory=list)
    formulas: dict[str, Any] = Field(default_factory=dict)
    demo: str | None = None

    _listify = field_validator("tags", "aliases", "related", "impl", mode="before")(
        classmethod(lambda cls, v: _as_list(v))
    )

    @field_validator("sources", mode="before")
    @classmethod
    def _structured_sources(cls, value: Any) -> Any:
        # Validate mappings as SourceRef here so an error names the field, not the union.
        items = _as_list(value)
        if not isinstance(items, list):
            return items
        out = []
        for item in items:
            if isinstance(item, dict):
                try:
                    item = SourceRef.model_validate(item)
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
            if not IMPL_PATTERN.match(ref):
                raise ValueError(f"impl entry {ref!r} is not of the form 'module:function'")
        return refs

    @field_validator("formulas", mode="before")
    @classmethod
    def _formulas_mapping(cls, value: Any) -> Any:
        return {} if value is None else value


KNOWN_KEYS = tuple(Frontmatter.model_fields)


@dataclass
class FrontmatterResult:
    data: dict[str, Any]  # the raw mapping (empty when absent or unreadable)
    model: Frontmatter | None
    body: str
    body_line: int  # 1-based line where the body starts
    key_lines: dict[str, int]
    diagnostics: list[Diagnostic]


_FENCE = re.compile(r"^---[ \t]*$")
_CLOSE = re.compile(r"^(---|\.\.\.)[ \t]*$")


def split_frontmatter(text: str) -> tuple[str | None, str, int]:
    """Return (yaml text or None, body, body's first line). ``None`` when no frontmatter.

    Raises ValueError when an opening ``---`` has no closing line.
    """
    lines = text.split("\n")
    if not lines or not _FENCE.match(lines[0].lstrip("\ufeff")):
        return None, text, 1
    for i in range(1, len(lines)):
        if _CLOSE.match(lines[i]):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :]), i + 2
    raise ValueError("frontmatter opened with '---' on line 1 is never closed")


# libyaml's loader when pyyaml was built with it: parsing YAML dominates reading a vault.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """The safe loader, with values YAML accepts but Python cannot hold (2024-02-30, an
    integer of 5,000 digits) reported as YAML errors at their line instead of raising."""


def _checked(kind: str, construct: Any) -> Any:
    def checked(loader: Any, node: yaml.Node) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, OverflowError) as exc:
            shown = str(node.value)
            shown = shown if len(shown) <= 40 else shown[:37] + "…"
            raise yaml.constructor.ConstructorError(
                None, None, f"{shown!r} is not a valid {kind} ({str(exc).split(':')[0]})",
                node.start_mark,
            ) from None

    return checked


_Loader.add_constructor(
    "tag:yaml.org,2002:timestamp",
    _checked("date", yaml.constructor.SafeConstructor.construct_yaml_timestamp),
)
_Loader.add_constructor(
    "tag:yaml.org,2002:int",
    _checked("integer", yaml.constructor.SafeConstructor.construct_yaml_int),
)


def _load_yaml(yaml_text: str) -> tuple[Any, dict[str, int]]:
    """The YAML value and the line (1-based, in the file) of each top-level key.

    Composes the node tree once and constructs the value from it, so the key lines cost
    no second parse.
    """
    loader = _Loader(yaml_text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    key_lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, _ in node.value:
            key_lines.setdefault(str(key.value), key.start_mark.line + 2)
    return data, key_lines


def _pydantic_message(error: dict[str, Any]) -> str:
    loc = ".".join(str(part) for part in error["loc"])
    msg = error["msg"].removeprefix("Value error, ")
    if error["type"] == "missing":
        return f"frontmatter: required key '{loc}' is missing"
    if error["type"] == "literal_error":
        return f"frontmatter: '{loc}': {msg}"
    return f"frontmatter: '{loc}': {msg}"


def read_frontmatter(path: str, text: str) -> FrontmatterResult:
    """Parse and validate the frontmatter of ``text`` (the note at vault path ``path``)."""
    diagnostics: list[Diagnostic] = []
    try:
        yaml_text, body, body_line = split_frontmatter(text)
    except ValueError as exc:
        diagnostics.append(Diagnostic(path, 1, "error", str(exc)))
        return FrontmatterResult({}, None, text, 1, {}, diagnostics)
    if yaml_text is None:
        diagnostics.append(Diagnostic(path, 1, "error", "no frontmatter: 'title' is required"))
        return FrontmatterResult({}, None, body, body_line, {}, diagnostics)
    try:
        data, key_lines = _load_yaml(yaml_text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        # A parser at end of input points past the last line: clamp into the frontmatter.
        line = min(mark.line, yaml_text.count("\n")) + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context, opened = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and opened is not None and opened.line + 2 != line:
            # "while parsing a flow sequence" started lines earlier: name where, too
            problem += f" ({context} that starts at line {opened.line + 2})"
        diagnostics.append(Diagnostic(path, line, "error", f"YAML syntax: {problem}"))
        return FrontmatterResult({}, None, body, body_line, {}, diagnostics)
    except RecursionError:
        diagnostics.append(Diagnostic(path, 2, "error", "YAML nested too deeply to read"))
        return FrontmatterResult({}, None, body, body_line, {}, diagnostics)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        diagnostics.append(Diagnostic(path, 2, "error", "frontmatter is not a YAML mapping"))
        return FrontmatterResult({}, None, body, body_line, {}, diagnostics)
    data = {str(k): v for k, v in data.items()}
    for key in data:
        if key in KNOWN_KEYS:
            continue
        close = difflib.get_close_matches(key, KNOWN_KEYS, n=1, cutoff=0.75)
        if close:
            diagnostics.append(
                diagnose(
                    "unknown-key",
                    path,
                    key_lines.get(key, 2),
                    f"frontmatter: unknown key '{key}' — did you mean '{close[0]}'?",
                )
            )
    model: Frontmatter | None = None
    try:
        model = Frontmatter.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            top = str(error["loc"][0]) if error["loc"] else ""
            line = key_lines.get(top, 2)
            diagnostics.append(Diagnostic(path, line, "error", _pydantic_message(error)))
    return FrontmatterResult(data, model, body, body_line, key_lines, diagnostics)

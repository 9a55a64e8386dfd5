"""Frontmatter: split it from the body, read it with pyyaml, validate it.

Unknown keys are kept (real vaults carry ``rating``, ``brief``, ``date``, …); a key that
looks like a misspelt known key is a warning with the suggestion.

The schema and the wording of its problems are pydantic's
(:mod:`rlref.vault.frontmatter_schema`). Importing pydantic and building the models costs
about a fifth of ``rlref check``, so :func:`plain_frontmatter` first takes the plain shape
that every correct note has (strings, lists of strings, known values) in a few lines of
Python; anything else — a problem, or a value pydantic would convert — goes to pydantic.
Both give the same result: ``tests/vault/test_frontmatter_fast_path.py`` holds them equal.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from rlref.diagnostics import Diagnostic, diagnose

NOTE_TYPES = frozenset({"moc", "concept", "algorithm", "paper", "practice", "survey", "framework"})
STATUSES = frozenset({"stub", "draft", "complete"})
IMPL_PATTERN = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")
ARXIV_AS_NUMBER = "quote the arXiv id (YAML reads it as a number)"
# the known keys, in the schema's order (held equal to the pydantic model's fields by a test)
KNOWN_KEYS = (
    "title",
    "type",
    "domain",
    "tags",
    "aliases",
    "status",
    "sources",
    "related",
    "impl",
    "formulas",
    "demo",
)
# Properties Obsidian and its common plugins write, kept as the user's own: never taken for a
# misspelt known key (``created`` is as close to ``related`` as ``source`` is to ``sources``).
OBSIDIAN_PROPERTIES = frozenset(
    ("created", "updated", "modified", "date created", "date modified", "author", "authors",
     "cssclasses", "cssclass", "publish", "permalink", "banner", "cover")
)
SOURCE_KEYS = ("title", "arxiv", "url")


@dataclass
class SourceRef:
    """A structured source entry: ``{title, arxiv, url}`` (all optional; other keys kept)."""

    title: str | None = None
    arxiv: str | None = None
    url: str | None = None
    model_extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Frontmatter:
    """The known keys of a note's frontmatter, validated; unknown keys are in ``model_extra``."""

    title: str
    type: str | None = None  # one of NOTE_TYPES
    domain: str | None = None
    tags: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    status: str | None = None  # one of STATUSES
    sources: list[str | SourceRef] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    impl: list[str] = field(default_factory=list)
    formulas: dict[str, Any] = field(default_factory=dict)
    demo: str | None = None
    model_extra: dict[str, Any] = field(default_factory=dict)


def _yaml_hint(problem: str, yaml_text: str, index: int) -> str:
    """What to do about the two YAML mistakes notes make most: a value holding ``: `` (a
    title such as ``GRPO: 深度理解``) and a template placeholder (``{{date}}``)."""
    lines = yaml_text.split("\n")
    line = lines[index] if 0 <= index < len(lines) else ""
    key, colon, value = line.partition(":")
    value = value.strip()
    if "mapping values are not allowed" in problem and colon and ": " in value:
        quoted = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'; a value holding ": " must be quoted: {key.strip()}: "{quoted}"'
    if "unhashable key" in problem and "{{" in line:
        return "; {{…}} is a template placeholder, not YAML: fill it in or quote it"
    return ""


def as_list(value: Any) -> Any:
    """Obsidian accepts ``tags: rl`` as well as ``tags: [rl]``."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return value


def as_names(value: Any) -> Any:
    """``as_list`` for tags and aliases, where one string may name several, separated by
    commas (``tags: rl, ppo``), as Obsidian and the sites published from it read them."""
    if isinstance(value, str):
        return [name.strip() for name in value.split(",") if name.strip()]
    return as_list(value)


class _NotPlain(Exception):
    """A value outside the plain shape: pydantic decides (and words the problem)."""


# pydantic refuses a key it cannot encode as UTF-8 (a lone surrogate from a YAML escape)
_SURROGATE = re.compile("[\ud800-\udfff]")


def _text(value: Any) -> str:
    if type(value) is not str:
        raise _NotPlain
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _texts(value: Any) -> list[str]:
    items = as_list(value)
    if type(items) is not list or any(type(item) is not str for item in items):
        raise _NotPlain
    return list(items)


def _one_of(value: Any, allowed: frozenset[str]) -> str | None:
    if value is not None and (type(value) is not str or value not in allowed):
        raise _NotPlain
    return value


def _extra(data: dict[str, Any], known: tuple[str, ...]) -> dict[str, Any]:
    extra = {key: value for key, value in data.items() if key not in known}
    if any(type(key) is not str or _SURROGATE.search(key) for key in extra):
        raise _NotPlain
    return extra


def _source(item: Any) -> str | SourceRef:
    if type(item) is str:
        return item
    if type(item) is not dict:
        raise _NotPlain
    return SourceRef(
        *(_optional_text(item.get(key)) for key in SOURCE_KEYS),
        model_extra=_extra(item, SOURCE_KEYS),
    )


def plain_frontmatter(data: dict[str, Any]) -> Frontmatter | None:
    """``data`` (str keys) as a Frontmatter when it has the plain shape; None: ask pydantic."""
    try:
        if "title" not in data:
            raise _NotPlain
        title = data["title"]
        title = str(title) if isinstance(title, int | float) else _text(title)
        impl = _texts(data.get("impl"))
        if not all(IMPL_PATTERN.match(ref) for ref in impl):
            raise _NotPlain
        sources = as_list(data.get("sources"))
        formulas = data.get("formulas")
        formulas = {} if formulas is None else formulas
        if (
            type(sources) is not list
            or type(formulas) is not dict
            or any(type(key) is not str for key in formulas)
        ):
            raise _NotPlain
        return Frontmatter(
            title=title,
            type=_one_of(data.get("type"), NOTE_TYPES),
            domain=_optional_text(data.get("domain")),
            tags=[tag.lstrip("#") for tag in _texts(as_names(data.get("tags")))],
            aliases=_texts(as_names(data.get("aliases"))),
            status=_one_of(data.get("status"), STATUSES),
            sources=[_source(item) for item in sources],
            related=_texts(data.get("related")),
            impl=impl,
            formulas=dict(formulas),
            demo=_optional_text(data.get("demo")),
            model_extra=_extra(data, KNOWN_KEYS),
        )
    except _NotPlain:
        return None


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
                None,
                None,
                f"{shown!r} is not a valid {kind} ({str(exc).split(':')[0]})",
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


_UNTITLED = "no title: titled by its file name, as in Obsidian (add `title:` to name it)"


def file_title(path: str) -> str:
    """Obsidian's title of a note without one: its file name without ``.md``."""
    name = path.rsplit("/", 1)[-1]
    return name[:-3] if name.lower().endswith(".md") else name


def read_frontmatter(path: str, text: str) -> FrontmatterResult:
    """Parse and validate the frontmatter of ``text`` (the note at vault path ``path``)."""
    diagnostics: list[Diagnostic] = []
    try:
        yaml_text, body, body_line = split_frontmatter(text)
    except ValueError as exc:
        diagnostics.append(Diagnostic(path, 1, "error", str(exc)))
        return FrontmatterResult({}, None, text, 1, {}, diagnostics)
    if yaml_text is None:
        diagnostics.append(diagnose("missing-title", path, 1, _UNTITLED))
        model = Frontmatter(title=file_title(path))
        return FrontmatterResult({}, model, body, body_line, {}, diagnostics)
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
        problem += _yaml_hint(problem, yaml_text, line - 2)
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
        if key in KNOWN_KEYS or key in OBSIDIAN_PROPERTIES:
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
    titled = data
    if data.get("title") is None:  # missing, or `title:` with no value
        diagnostics.append(diagnose("missing-title", path, 2, _UNTITLED))
        titled = {**data, "title": file_title(path)}
    model = plain_frontmatter(titled)
    if model is None:
        from rlref.vault.frontmatter_schema import validate

        model, errors = validate(titled)
        for error in errors:
            top = str(error["loc"][0]) if error["loc"] else ""
            line = key_lines.get(top, 2)
            diagnostics.append(Diagnostic(path, line, "error", _pydantic_message(error)))
    return FrontmatterResult(data, model, body, body_line, key_lines, diagnostics)

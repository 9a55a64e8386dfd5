"""The concept index: notes, resolved links, backlinks, tags, MOC sections, impl, formulas."""

from rlref.index.build import SCHEMA_VERSION, Index, MocSection, ResolvedLink, build_index
from rlref.index.export import index_to_json

__all__ = ["SCHEMA_VERSION", "Index", "MocSection", "ResolvedLink", "build_index", "index_to_json"]

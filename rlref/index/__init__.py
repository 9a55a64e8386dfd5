"""The concept index: notes, resolved links, backlinks, tags, MOC sections, impl, formulas."""

from rlref.index.build import SCHEMA_VERSION, Index, MocSection, ResolvedLink, build_index
from rlref.index.checked import check_vault, load_checked
from rlref.index.export import index_to_json

__all__ = ["SCHEMA_VERSION", "Index", "MocSection", "ResolvedLink", "build_index", "check_vault",
           "index_to_json", "load_checked"]

"""The vault model: read an Obsidian vault into typed notes and resolve its wikilinks."""

from rlref.vault.load import Vault, load_vault
from rlref.vault.model import Formula, Heading, Note, Tag, WikiLink
from rlref.vault.parse import parse_note
from rlref.vault.resolve import LinkTargets, Resolved, Unresolved, find_heading, resolve_link

__all__ = [
    "Formula",
    "Heading",
    "LinkTargets",
    "Note",
    "Resolved",
    "Tag",
    "Unresolved",
    "Vault",
    "WikiLink",
    "find_heading",
    "load_vault",
    "parse_note",
    "resolve_link",
]

"""What a vault's Obsidian settings (``.obsidian/``) say that rlref follows: the attachment
folder, and the template folders, whose notes are templates (``title: {{title}}``), not notes.

The settings are untrusted input like the notes: a file is read only when it is a regular
file inside the vault and under 1 MB, anything unreadable or of the wrong shape counts as not
set, and a configured folder is a vault path (no ``..``, never the vault root itself).
"""

from __future__ import annotations

import json
import posixpath
import unicodedata
from pathlib import Path
from typing import Any

from rlref.vault.boundary import is_inside, refusal

CONFIG_FOLDER = ".obsidian"
MAX_CONFIG_BYTES = 1024 * 1024
# Where each plugin keeps its template folder: (settings file in .obsidian/, key).
TEMPLATE_SETTINGS = (
    ("templates.json", "folder"),  # the core Templates plugin
    ("plugins/templater-obsidian/data.json", "templates_folder"),  # Templater
)


def settings(vault_root: Path, name: str) -> dict[str, Any]:
    """The JSON object in ``.obsidian/<name>``, or ``{}`` when it is missing or unusable."""
    root = vault_root.resolve()
    file = vault_root / CONFIG_FOLDER / name
    if not file.exists() or not is_inside(file, root) or refusal(root, file, MAX_CONFIG_BYTES):
        return {}
    try:
        found = json.loads(file.read_text("utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    return found if isinstance(found, dict) else {}


def vault_folder(setting: object) -> str | None:
    """A configured folder as a vault path ("" for the root), or None when it names none."""
    if not isinstance(setting, str) or "\x00" in setting:
        return None
    folder = posixpath.normpath("/" + setting.replace("\\", "/")).strip("/")
    return unicodedata.normalize("NFC", folder)  # as vault paths are


def template_folders(vault_root: Path) -> frozenset[str]:
    """The vault paths of the folders the vault's template plugins read templates from."""
    folders = set()
    for name, key in TEMPLATE_SETTINGS:
        setting = settings(vault_root, name).get(key)
        if isinstance(setting, str) and ".." in setting.replace("\\", "/").split("/"):
            continue  # a folder outside the vault holds none of its notes
        folder = vault_folder(setting)
        if folder:  # a template folder at the root would be the whole vault: not followed
            folders.add(folder)
    return frozenset(folders)

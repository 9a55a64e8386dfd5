"""The site navigation: the MOCs' sections in the MOCs' order, not the file tree.

Every MOC becomes a nav group: its own page, then one sub-group per section heading with
the notes the section links, in the order the MOC lists them. MOCs nest the way their
folders do (``AI/LLM/RL/_MOC`` sits inside the group of ``AI/LLM/_MOC``, where that MOC
lists it); MOCs that only mention each other ("相关 MOC") do not nest.

A note appears once. When several MOCs list it, the one closest to it in the folder tree
owns it (a note under ``AI/LLM/RL/`` listed by the RL MOC and, as a pointer, by the LLM
MOC belongs to the RL MOC). Notes no MOC lists go to "其他笔记".
"""

from __future__ import annotations

import posixpath
from typing import Any

from rlref.index import Index
from rlref.site.layout import html_text, note_doc, shown_title

NavItem = str | dict[str, Any]
# Material (even with navigation.prune) renders every sibling of the page in its nav: a
# section of n notes costs n² in total. Longer sections are split into consecutive runs
# (in the MOC's order) so that the build stays linear in the number of notes.
LONG_SECTION = 40
RUN = 25


def _folder(key: str) -> str:
    return posixpath.dirname(key)


def _contains(folder: str, key: str) -> bool:
    """Whether ``key`` lies in ``folder`` (the vault root contains everything)."""
    return folder == "" or key.startswith(f"{folder}/")


class MocTree:
    """Which MOC is the parent of which, and which MOC owns each note."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.mocs = sorted(
            key
            for key in index.moc_sections
            if (front := index.notes[key].frontmatter) is not None and front.type == "moc"
        )
        self.parent = {moc: self._parent(moc) for moc in self.mocs}
        self.owner: dict[str, str] = {}
        for moc in self.mocs:
            for section in index.moc_sections[moc]:
                for key in section.notes:
                    if key not in self.parent:
                        self.owner[key] = self._closer(self.owner.get(key), moc, key)

    def _parent(self, moc: str) -> str | None:
        folder = _folder(moc)
        best: str | None = None
        for other in self.mocs:
            other_folder = _folder(other)
            if other != moc and other_folder != folder and _contains(other_folder, moc):
                if best is None or len(other_folder) > len(_folder(best)):
                    best = other
        return best

    @staticmethod
    def _closer(current: str | None, candidate: str, key: str) -> str:
        def depth(moc: str) -> int:
            folder = _folder(moc)
            return len(folder) + 1 if _contains(folder, key) else -1

        if current is None or depth(candidate) > depth(current):
            return candidate
        return current

    def size(self, moc: str) -> int:
        """Notes in this MOC's group, nested MOCs included (orders the top level)."""
        own = sum(1 for owner in self.owner.values() if owner == moc)
        return own + sum(self.size(child) for child, p in self.parent.items() if p == moc)

    def roots(self) -> list[str]:
        roots = [moc for moc in self.mocs if self.parent[moc] is None]
        return sorted(roots, key=lambda moc: (-self.size(moc), moc))


class NavBuilder:
    def __init__(self, index: Index) -> None:
        self.index = index
        self.tree = MocTree(index)
        self.placed: list[str] = []  # note keys in nav order
        self._seen: set[str] = set()

    def _entry(self, key: str) -> NavItem:
        self._seen.add(key)
        self.placed.append(key)
        return {html_text(shown_title(self.index.notes[key])): note_doc(key)}

    def moc_group(self, moc: str) -> NavItem:
        items: list[NavItem] = [self._entry(moc)]
        for section in self.index.moc_sections.get(moc, []):
            children: list[NavItem] = []
            for key in section.notes:
                if key in self._seen:
                    continue
                if self.tree.parent.get(key) == moc:
                    children.append(self.moc_group(key))
                elif key not in self.tree.parent and self.tree.owner.get(key) == moc:
                    children.append(self._entry(key))
            if len(children) == 1 and _is_group(children[0]) and len(section.notes) == 1:
                items.append(children[0])  # a section that only points to a sub-MOC
            elif children:
                items.append({html_text(section.heading): _runs(children)})
        for child in self.tree.mocs:  # sub-MOCs this MOC does not list still nest here
            if self.tree.parent[child] == moc and child not in self._seen:
                items.append(self.moc_group(child))
        return {html_text(shown_title(self.index.notes[moc])): items}

    def notes_nav(self) -> list[NavItem]:
        groups = [self.moc_group(moc) for moc in self.tree.roots() if moc not in self._seen]
        rest = sorted(
            (key for key in self.index.notes if key not in self._seen),
            key=lambda k: (k.count("/"), k),
        )
        if rest:
            groups.append({"其他笔记": [self._entry(key) for key in rest]})
        return groups


def _runs(items: list[NavItem]) -> list[NavItem]:
    if len(items) <= LONG_SECTION:
        return items
    runs: list[NavItem] = []
    for start in range(0, len(items), RUN):
        run = items[start : start + RUN]
        runs.append({f"{_label(run[0])} … {_label(run[-1])}": run})
    return runs


def _label(item: NavItem) -> str:
    return next(iter(item)) if isinstance(item, dict) else item


def _is_group(item: NavItem) -> bool:
    return isinstance(item, dict) and isinstance(next(iter(item.values())), list)


def build_nav(
    index: Index,
    guide_pages: list[str],
    api_groups: list[tuple[str, list[str]]],
) -> tuple[list[NavItem], list[str], list[str]]:
    """The nav, the note keys in nav order and the top-level MOCs (the home page's links)."""
    builder = NavBuilder(index)
    nav: list[NavItem] = [{"首页": "index.md"}]
    if guide_pages:
        nav.append({"指南": list(guide_pages)})
    nav.extend(builder.notes_nav())
    nav.append(
        {
            "索引": [
                {"概念索引": "concepts.md"},
                {"标签": "tags.md"},
                {"TRL / verl 对照": "trl-verl.md"},
                {"关系图": "graph.md"},
            ]
        }
    )
    api: list[NavItem] = ["api/index.md"]
    for package, pages in api_groups:
        api.append({package: list(pages)})
    nav.append({"API 参考": api})
    return nav, builder.placed, builder.tree.roots()

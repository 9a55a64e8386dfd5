"""The docs site: compile the vault into plain Markdown for MkDocs (``rlref build``).

Obsidian syntax is handled here, before MkDocs runs, not in MkDocs plugins: the compiled
tree under ``build/docs`` is ordinary Markdown that any Material-compatible builder reads.
"""

from rlref.site.compiler import CompileResult, SitePaths, compile_site

__all__ = ["CompileResult", "SitePaths", "compile_site"]

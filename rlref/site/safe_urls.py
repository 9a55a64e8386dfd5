"""A Python-Markdown extension for the site: a link or image whose address would run
script (``[x](javascript:…)``, a reference definition, an entity-spelt scheme) becomes a span
that keeps its text (an image: its alt text) and loses its address.

Raw HTML in a note is cleaned by nh3 before MkDocs sees it (``rlref.vault.sanitize``); the
links and images written in Markdown syntax are made by Python-Markdown itself, so they are
checked in its element tree, after every inline pattern has run, by the same rule
(``url_is_safe``).
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor
from markdown.util import AMP_SUBSTITUTE

from rlref.vault.sanitize import url_is_safe

URL_ATTRIBUTES = ("href", "src")
REMOVED_TITLE = "已移除这个地址：它会运行脚本"


class SafeUrls(Treeprocessor):
    def run(self, root: Element) -> None:
        for element in root.iter():
            for name in URL_ATTRIBUTES:
                address = element.get(name)
                if address is None or url_is_safe(address.replace(AMP_SUBSTITUTE, "&")):
                    continue
                # A span in its place: the text stays, nothing can follow the address (and
                # MkDocs' own link rewriting expects every <a> and <img> to have one).
                if element.tag == "img" and not element.text:
                    element.text = element.get("alt", "")
                element.tag = "span"
                element.attrib.clear()
                element.set("class", "rlref-unsafe-url")
                element.set("title", REMOVED_TITLE)


class SafeUrlsExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # Priority 0: after the inline patterns (20) have made every link and image.
        md.treeprocessors.register(SafeUrls(md), "rlref_safe_urls", 0)


def makeExtension(**kwargs: object) -> SafeUrlsExtension:
    return SafeUrlsExtension(**kwargs)

"""Class ``url-text`` on web links whose text is their own address.

The print stylesheet (``handbook.css``) prints where a link goes after its
text; for these that would print the address twice.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

from handbook.ext.theme_assets import serves_theme


def bare_address(uri: str) -> str:
    return re.sub(r"^[a-z]+://(?:www\.)?", "", uri.strip()).rstrip("/")


def mark_address_links(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if not serves_theme(app):
        return
    for reference in doctree.findall(nodes.reference):
        uri = reference.get("refuri", "")
        if "://" in uri and bare_address(reference.astext()) == bare_address(uri):
            reference["classes"].append("url-text")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("doctree-resolved", mark_address_links)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

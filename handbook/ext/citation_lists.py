"""Citation lists whose entries are list items, for screen readers.

docutils gives each entry of a citation list the DPUB-ARIA role
``doc-biblioentry``, deprecated since DPUB-ARIA 1.1, so the ``role="list"``
around them has no list items (axe's rule ``aria-required-children``, the
one inaccessible piece of markup axe found in the pages). Here they are
``listitem``, in the web pages and the EPUB alike (the entries are the same
markup).
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.writers.html5 import HTML5Translator


def visit_citation(self: HTML5Translator, node: nodes.citation) -> None:
    """As docutils does, with ``listitem`` for the deprecated ``doc-biblioentry``."""
    if not isinstance(node.previous_sibling(), nodes.citation):
        self.body.append('<div role="list" class="citation-list">\n')
    self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))


def depart_citation(self: HTML5Translator, node: nodes.citation) -> None:
    self.body.append("</div>\n")
    if not isinstance(node.next_node(descend=False, siblings=True), nodes.citation):
        self.body.append("</div>\n")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_node(nodes.citation, override=True, html=(visit_citation, depart_citation))
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

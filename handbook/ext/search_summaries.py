"""Summaries for every result on the search page (``_static/search-summaries.js``).

Sphinx's search page shows a few lines of the page under each result, taken
from the element the result points to. For a result from the book's index
that element is an empty ``<span id="index-N">``: the summary comes back
null and the page logs an error per result. The script wraps Sphinx's
``Search.makeSearchSummary`` (a private function of ``searchtools.js``) to
fall back to the lines around the words searched for.

Added to the search page only, deferred: it runs after ``searchtools.js``
(a plain script further down the page) and before the search starts, on
``DOMContentLoaded``. No upstream issue filed; remove when Sphinx's
``searchtools.js`` falls back to the whole page when a result's element has
no text, and ``setup()`` refuses another Sphinx version than the one checked.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

from handbook.ext.upstream import require

SCRIPT = "search-summaries.js"  # in html_static_path


def add_to_search_page(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if pagename == "search" and not app.builder.name.startswith("epub"):
        app.add_js_file(SCRIPT, loading_method="defer")


def setup(app: Sphinx) -> dict[str, Any]:
    require(
        "sphinx", "==9.0.*", patch=f"handbook.ext.search_summaries (_static/{SCRIPT}: Search.makeSearchSummary)",
        remove_when="searchtools.js summarises a result whose element has no text (no upstream issue filed)",
    )  # fmt: skip
    app.connect("html-page-context", add_to_search_page)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

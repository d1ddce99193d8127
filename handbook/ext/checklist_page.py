"""The treatment safety checklist page's own stylesheet, on that page only.

``_static/print-checklist.css`` makes the checklist's tick boxes the list
markers and prints the page as one sheet from a browser. Its rules need
selectors (``:has``) that the EPUB's CSS profile does not know, and no other
page needs them, so it is added to the checklist page of the website alone
(conf.py keeps the file out of the EPUB).
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

CHECKLIST_PAGE = "checklist"
STYLESHEET = "print-checklist.css"


def add_checklist_stylesheet(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    # Sphinx adds a stylesheet to this page alone when asked during html-page-context.
    if pagename == CHECKLIST_PAGE and not app.builder.name.startswith("epub"):
        app.add_css_file(STYLESHEET)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", add_checklist_stylesheet)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

"""Put "last reviewed" and "not medical advice" under every chapter's title.

Every chapter (each page in the numbered chapter list of ``book/index.md``)
must say in its front matter when its medical content was last reviewed; any
other page that gives the date (the opening, the close, the checklist) shows
it too::

    ---
    last_reviewed: 2026-11-26
    ---

This extension checks that the date is there and valid (a missing or
malformed date is a build warning with the file and line, so a strict build
fails) and shows it, with a one-line "not medical advice" notice, right below
the chapter title in HTML, EPUB and PDF alike. The site-wide notice in every
HTML page's footer is set in conf.py.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

from handbook.meta import load_chapters, load_edition

logger = logging.getLogger(__name__)



def review_date(value: Any) -> dt.date | None:
    """The front matter value as a date, or None if it is not one."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def human_date(date: dt.date) -> str:
    return f"{date.day} {date.strftime('%B %Y')}"


@cache
def chapter_docnames() -> frozenset[str]:
    return frozenset(chapter.docname for chapter in load_chapters())


def on_doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    docname = app.env.docname
    metadata = app.env.metadata.get(docname, {})
    if docname not in chapter_docnames() and "last_reviewed" not in metadata:
        return
    raw = metadata.get("last_reviewed")
    date = review_date(raw) if raw is not None else None
    if date is None:
        problem = "is not a date (YYYY-MM-DD)" if raw is not None else "is missing"
        logger.warning(
            "front matter field 'last_reviewed' %s: every chapter states when "
            "it was last reviewed",
            problem,
            location=(docname, 1),
            type="handbook",
            subtype="review",
        )
        return

    section = next(doctree.findall(nodes.section), None)
    if section is None:
        return
    notice = nodes.container(classes=["handbook-review"])
    para = nodes.paragraph()
    para += nodes.strong(text="Last reviewed: ")
    para += nodes.Text(human_date(date) + ". ")
    para += nodes.emphasis(text=load_edition().full_notice)
    notice += para
    title_index = section.first_child_matching_class(nodes.title)
    section.insert((title_index or 0) + 1, notice)


def setup(app: Sphinx) -> dict[str, Any]:
    # After Sphinx's own metadata collector (priority 500) has read the front matter.
    app.connect("doctree-read", on_doctree_read, priority=600)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

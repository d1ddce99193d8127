"""EPUB of one chapter, for ``handbook/export.py CHAPTER --format epub``.

Active only when ``HANDBOOK_EXPORT_CHAPTER`` names a chapter document. The
whole book is still read (so numbering, glossary terms and citations resolve
as in the book), but the chapter becomes the EPUB's only document: links to
any other page go to the hosted HTML book (``html_baseurl``), by the rule
every one-chapter edition shares (``chapter_links.py``).
"""

from __future__ import annotations

import os
from collections.abc import Set
from typing import Any

from sphinx.application import Sphinx
from sphinx.builders.epub3 import Epub3Builder
from sphinx.config import Config

from handbook.ext.chapter_links import OneChapterEditionLinks
from handbook.meta import find_chapter, load_chapters, load_edition

ENV_VAR = "HANDBOOK_EXPORT_CHAPTER"


class ChapterEpubBuilder(OneChapterEditionLinks, Epub3Builder):
    """Sphinx's EPUB 3 builder, writing only the exported chapter."""

    name = "epub"

    def edition_documents(self) -> set[str]:
        return {self.config.root_doc}

    def write_documents(self, docnames: Set[str]) -> None:
        super().write_documents({d for d in docnames if d == self.config.root_doc})


def configure_export(app: Sphinx, config: Config) -> None:
    chapter = find_chapter(os.environ.get(ENV_VAR, ""), load_chapters())
    if chapter is None:
        return
    edition = load_edition()
    config.root_doc = chapter.docname
    config.epub_title = f"{edition.title}, Chapter {chapter.number}: {chapter.title}"
    config.epub_basename = chapter.docname
    config.epub_uid = f"{config.epub_uid}Chapter{chapter.number}"
    config.epub_identifier = config.epub_uid
    config.epub_use_index = False
    # The website's old addresses (sphinx-reredirects) mean nothing in one
    # chapter's EPUB; written here, they would land under "https:/..." folders
    # (this builder's addresses for other pages) and into the package.
    config.redirects = {}
    # The book's landing page is not in the chapter's table of contents.
    config.suppress_warnings = [*config.suppress_warnings, "toc.not_included"]


def setup(app: Sphinx) -> dict[str, Any]:
    if os.environ.get(ENV_VAR):
        app.add_builder(ChapterEpubBuilder, override=True)
    app.connect("config-inited", configure_export)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

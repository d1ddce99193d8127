"""EPUB of one chapter, for ``handbook/export.py CHAPTER --format epub``.

Active only when the config value ``handbook_export_chapter`` names a
chapter document (``export.py`` passes it with ``-D``). The
whole book is still read (so numbering, glossary terms and citations resolve
as in the book), but the chapter becomes the EPUB's only document: links to
any other page go to the hosted HTML book (``html_baseurl``), by the rule
every one-chapter edition shares (``chapter_links.py``).
"""

from __future__ import annotations

from collections.abc import Set
from typing import Any

from sphinx.application import Sphinx
from sphinx.builders.epub3 import Epub3Builder
from sphinx.config import Config
from sphinx.errors import ConfigError

from handbook.ext.chapter_links import OneChapterEditionLinks
from handbook.meta import find_chapter, load_chapters, load_edition
from handbook.settings import EXPORT_CHAPTER_CONFIG


class ChapterEpubBuilder(OneChapterEditionLinks, Epub3Builder):
    """Sphinx's EPUB 3 builder, writing only the exported chapter."""

    name = "epub"

    def edition_documents(self) -> set[str]:
        return {self.config.root_doc}

    def write_documents(self, docnames: Set[str]) -> None:
        super().write_documents({d for d in docnames if d == self.config.root_doc})


def configure_export(app: Sphinx, config: Config) -> None:
    if not config.handbook_export_chapter:
        return
    chapter = find_chapter(config.handbook_export_chapter, load_chapters())
    if chapter is None:
        raise ConfigError(f"handbook_export_chapter={config.handbook_export_chapter!r} is not a chapter of the book")
    app.add_builder(ChapterEpubBuilder, override=True)
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
    # The chapter's docname, or "" for the whole book. Rebuild "env": the
    # chapter becomes the root document, which changes what is read.
    app.add_config_value(EXPORT_CHAPTER_CONFIG, "", "env", types=frozenset({str}))
    app.connect("config-inited", configure_export)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

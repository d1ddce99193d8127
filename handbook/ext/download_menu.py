"""Offer the real PDF, chapter PDFs and EPUB wherever the site offers downloads.

sphinx-book-theme's download menu offers the page's source file and the
browser's "print to PDF". This extension replaces those with the book PDF,
the PDF of the chapter being read (on chapter pages) and the EPUB, and keeps
"print this page" last. It also adds a ``download-list`` directive that lists
every download (used on the landing page).

The files themselves are copied into ``<site>/downloads/`` by
``handbook/build.py`` once the PDFs and EPUB are built, so hosting the HTML
folder hosts the downloads too. In the EPUB and PDF, where the site is not
next to the file, the links point at the hosted book (``html_baseurl``).

The menu is rewritten in sphinx-book-theme's undocumented ``header_buttons``
context entry. Remove when the theme lets a project choose its download
buttons (executablebooks/sphinx-book-theme#763, #797); until then
``setup()`` refuses another sphinx-book-theme version than the one checked.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from handbook.ext.upstream import require
from handbook.meta import Chapter, checklist_pdf_name, load_chapters, load_edition

DOWNLOADS_DIR = "downloads"


@lru_cache(maxsize=1)
def download_paths() -> tuple[str, str, dict[str, Chapter]]:
    """Site-relative paths of the book PDF and EPUB, and chapters by docname.

    Asked for on every page written; read once per build (each build is a
    process of its own; the preview starts a new one when the chapter list
    or the edition changes).
    """
    edition = load_edition()
    book_pdf = f"{DOWNLOADS_DIR}/{edition.book_stem}.pdf"
    epub = f"{DOWNLOADS_DIR}/{edition.book_stem}.epub"
    return book_pdf, epub, {c.docname: c for c in load_chapters()}


def checklist_pdf_path(paper: str) -> str:
    return f"{DOWNLOADS_DIR}/{checklist_pdf_name(paper)}"


def chapter_pdf_path(chapter: Chapter) -> str:
    return f"{DOWNLOADS_DIR}/chapters/{chapter.pdf_name}"


class download_list(nodes.General, nodes.Element):
    """Placeholder for the list of downloads, filled in per builder."""


class DownloadList(SphinxDirective):
    def run(self) -> list[nodes.Node]:
        return [download_list()]


def _prefix_for(app: Sphinx, docname: str) -> str:
    """How to reach the site's root from this page, per output format."""
    if app.builder.format == "html" and not app.builder.name.startswith("epub"):
        return "../" * docname.count("/")
    return app.config.html_baseurl


def fill_download_lists(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    book_pdf, epub, chapters = download_paths()
    prefix = _prefix_for(app, docname)
    for node in list(doctree.findall(download_list)):
        items = [
            ("The whole book (PDF)", book_pdf),
            ("The whole book (EPUB, for e-readers)", epub),
        ]
        items += [
            (f"Chapter {c.number}: {c.title} (PDF)", chapter_pdf_path(c))
            for c in chapters.values()
        ]
        items += [
            ("Treatment safety checklist, one page (PDF, A4)", checklist_pdf_path("a4")),
            ("Treatment safety checklist, one page (PDF, US Letter)", checklist_pdf_path("letter")),
        ]
        bullets = nodes.bullet_list(classes=["handbook-downloads"])
        for text, path in items:
            para = nodes.paragraph()
            para += nodes.reference(text, text, refuri=prefix + path)
            bullets += nodes.list_item("", para)
        node.replace_self(bullets)


def add_download_buttons(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Rewrite sphinx-book-theme's download group for this page."""
    group = next(
        (b for b in context.get("header_buttons", []) if b.get("label") == "download-buttons"),
        None,
    )
    if group is None:
        return
    pathto = context["pathto"]
    book_pdf, epub, chapters = download_paths()
    buttons = [
        {
            "type": "link",
            "url": pathto(book_pdf, 1),
            "text": "Book (PDF)",
            "tooltip": "Download the whole handbook as a PDF",
            "icon": "fas fa-file-pdf",
            "label": "download-book-pdf-button",
        }
    ]
    chapter = chapters.get(pagename)
    if chapter is not None:
        buttons.append(
            {
                "type": "link",
                "url": pathto(chapter_pdf_path(chapter), 1),
                "text": f"Chapter {chapter.number} (PDF)",
                "tooltip": f"Download chapter {chapter.number} as a PDF",
                "icon": "fas fa-file-pdf",
                "label": "download-chapter-pdf-button",
            }
        )
    buttons += [
        {
            "type": "link",
            "url": pathto(checklist_pdf_path("a4"), 1),
            "text": "Safety checklist (PDF)",
            "tooltip": "Download the one-page treatment safety checklist",
            "icon": "fas fa-file-pdf",
            "label": "download-checklist-pdf-button",
        },
        {
            "type": "link",
            "url": pathto(epub, 1),
            "text": "Book (EPUB)",
            "tooltip": "Download the whole handbook for e-readers",
            "icon": "fas fa-book",
            "label": "download-epub-button",
        },
        {
            "type": "javascript",
            "javascript": "window.print()",
            "text": "Print this page",
            "tooltip": "Print this page",
            "icon": "fas fa-print",
            "label": "print-page-button",
        },
    ]
    group["buttons"] = buttons
    group["tooltip"] = "Download the book"


def setup(app: Sphinx) -> dict[str, Any]:
    require(
        "sphinx-book-theme", "==1.4.*", patch="handbook.ext.download_menu (the header_buttons context entry)",
        remove_when="sphinx-book-theme lets a project choose its download buttons "
        "(executablebooks/sphinx-book-theme#763, #797)",
    )  # fmt: skip
    app.add_node(download_list)
    app.add_directive("download-list", DownloadList)
    app.connect("doctree-resolved", fill_download_lists)
    # After sphinx-book-theme builds its header buttons (priority 501).
    app.connect("html-page-context", add_download_buttons, priority=502)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

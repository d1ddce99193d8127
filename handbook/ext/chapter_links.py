"""Links out of a one-chapter edition go to the hosted book, for every edition.

A chapter PDF (xelatex, ``chapter_pdfs.py``), a chapter EPUB
(``chapter_export.py``) and a chapter of the print edition
(``handbook/print_html.py``) hold one chapter of the book, but the whole
book is read, so a reference to another chapter, a glossary term or the
drug reference resolves as in the book. In such an edition a link to a
document that is not in it goes to that document's page in the hosted HTML
book (``html_baseurl``), at ``hosted_address``.

For the Sphinx builders the rule lives in ``OneChapterEditionLinks``, a mixin
that answers Sphinx's own question "where does this document live?"
(``get_target_uri``/``get_relative_uri``): every reference, toctree entry
and template link then gets the hosted address, as it is resolved. (A
transform after resolution would come too late for LaTeX: its builder
raises ``NoUri`` for a document outside the ``.tex`` and the reference is
left as plain text.) The print edition is put together from the built HTML
pages, not by a Sphinx builder, and calls ``hosted_address`` for the same
addresses.
"""

from __future__ import annotations

from typing import Any


def hosted_address(baseurl: str, docname: str, anchor: str = "", suffix: str = ".html") -> str:
    """Where a document (and an anchor in it) is in the hosted HTML book."""
    return f"{baseurl}{docname}{suffix}" + (f"#{anchor}" if anchor else "")


class OneChapterEditionLinks:
    """Mixin for a builder: documents outside the edition have hosted addresses.

    Put it before the builder class (``class B(OneChapterEditionLinks,
    LaTeXBuilder)``) and define ``edition_documents``.
    """

    config: Any

    def edition_documents(self) -> set[str] | None:
        """The documents of the one-chapter edition being written; None for the whole book."""
        raise NotImplementedError

    def outside_edition(self, docname: str) -> bool:
        documents = self.edition_documents()
        return documents is not None and docname not in documents

    def hosted(self, docname: str) -> str:
        return hosted_address(self.config.html_baseurl, docname, suffix=self.config.html_file_suffix or ".html")

    def get_target_uri(self, docname: str, typ: str | None = None) -> str:
        if self.outside_edition(docname):
            return self.hosted(docname)
        return super().get_target_uri(docname, typ)  # type: ignore[misc]

    def get_relative_uri(self, from_: str, to: str, typ: str | None = None) -> str:
        if self.outside_edition(to):
            return self.hosted(to)
        return super().get_relative_uri(from_, to, typ)  # type: ignore[misc]

"""The one rule for links out of a one-chapter edition (handbook.ext.chapter_links)."""

from __future__ import annotations

from types import SimpleNamespace

from handbook.ext.chapter_links import OneChapterEditionLinks, hosted_address

BASE = "https://example.org/handbook/"


class SiteBuilder:
    """Stands in for a Sphinx builder: every document is a page next to this one."""

    def get_target_uri(self, docname: str, typ: str | None = None) -> str:
        return f"{docname}.xhtml"

    def get_relative_uri(self, from_: str, to: str, typ: str | None = None) -> str:
        return f"{to}.xhtml"


class OneChapter(OneChapterEditionLinks, SiteBuilder):
    def __init__(self, documents: set[str] | None) -> None:
        self.config = SimpleNamespace(html_baseurl=BASE, html_file_suffix=None)
        self.documents = documents

    def edition_documents(self) -> set[str] | None:
        return self.documents


def test_hosted_address_with_and_without_an_anchor() -> None:
    assert hosted_address(BASE, "risks") == BASE + "risks.html"
    assert hosted_address(BASE, "risks", "sec-x") == BASE + "risks.html#sec-x"


def test_a_document_outside_the_edition_is_in_the_hosted_book() -> None:
    builder = OneChapter({"biologics"})
    assert builder.get_relative_uri("biologics", "risks") == BASE + "risks.html"
    assert builder.get_target_uri("glossary") == BASE + "glossary.html"


def test_a_document_in_the_edition_keeps_the_builders_address() -> None:
    builder = OneChapter({"biologics"})
    assert builder.get_relative_uri("biologics", "biologics") == "biologics.xhtml"


def test_the_whole_book_keeps_every_address() -> None:
    builder = OneChapter(None)
    assert builder.get_relative_uri("biologics", "risks") == "risks.xhtml"

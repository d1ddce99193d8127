"""Citations a reader can follow, in the HTML, the EPUB and the PDFs.

Each chapter numbers its sources [1], [2], … in the order it first cites
them, and its reference list at the end runs 1…n in that order: the same
numbers in the web page, the EPUB and the chapter's PDF (and the chapter's
part of the book PDF). Each entry prints its address once, and the
references page lists every source A to Z with where it is cited.
"""

from __future__ import annotations

import functools
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from pybtex.database import parse_file

from handbook.ext.bibliography_style import web_address
from conftest import ROOT, BookBuild, copy_sources, run_build
from handbook.meta import load_chapters
from readers import pdf_pages, pdf_text

BIB = ROOT / "book" / "references.bib"
SOURCES_PAGE = "references"
# Every page with a reference list of its own (the chapters, the opening and
# closing pages, the checklist), and those of them with markers in the text
# (the checklist sheet cites with {cite:empty}: no markers).
PAGE_SOURCES = {path.stem: path.read_text(encoding="utf-8") for path in sorted((ROOT / "book").glob("*.md"))}
LIST_PAGES = [name for name, text in PAGE_SOURCES.items() if ":filter: docname in docnames" in text]
CITING_PAGES = [name for name in LIST_PAGES if re.search(r"\{cite:(?!empty\})[a-z]+\}", PAGE_SOURCES[name])]
# "(Smolen et al., 2023)", "(Janssen Biotech / U.S. FDA, n.d.)": how the text cited before.
AUTHOR_YEAR = re.compile(r"\bet al\.?\s*,?\s*\(?(?:19|20)\d\d|,\s*n\.d\.")
# "[3]", "[1, 2]", or a textual citation "Serra and Santamaria [6]".
URI = re.compile(r"[A-Za-z0-9:/?#\[\]@!$&'()*+,;=%~._-]+")
MARKER_TEXT = re.compile(r"(?:[^\[\]]+ )?\[\d+(?:, \d+)*\]")


def soup(markup: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup(markup, "html.parser")


@dataclass
class Entry:
    id: str
    label: int
    text: str
    links: list[tuple[str, str]]  # (href, text)


@dataclass
class Page:
    """A page's citation markers (in reading order) and its reference list."""

    markers: list[tuple[int, str, str]]  # (number, href, title)
    entries: list[Entry]

    @property
    def first_use(self) -> list[int]:
        seen: list[int] = []
        for number, _, _ in self.markers:
            if number not in seen:
                seen.append(number)
        return seen


def number(text: str) -> int:
    """A marker's number; 0 for anything else ("Smolen et al., 2023"), which no list has."""
    return int(text) if text.isdigit() else 0


def read_page(markup: str) -> Page:
    main = soup(markup).select_one("article.bd-article") or soup(markup).body
    markers = [
        (number(a.get_text()), a.get("href", ""), a.get("title", ""))
        for a in main.select("span.bibtex-citation a.reference")
    ]
    entries = []
    for citation in main.select("div.citation"):
        label = citation.select_one("span.label").get_text().strip("[]")
        text_parts = [p for p in citation.find_all("p") if "cited-in" not in p.get("class", [])]
        text = " ".join(" ".join(p.get_text(" ") for p in text_parts).split())
        links = [(a["href"], a.get_text()) for p in text_parts for a in p.find_all("a", href=True)]
        entries.append(Entry(citation["id"], int(label), text, links))
    return Page(markers, entries)


def html_page(book: BookBuild, docname: str) -> Page:
    return read_page((book.html / f"{docname}.html").read_text(encoding="utf-8"))


def epub_page(book: BookBuild, docname: str) -> Page:
    with zipfile.ZipFile(book.epub) as epub:
        name = next(n for n in epub.namelist() if n.rsplit("/", 1)[-1] == f"{docname}.xhtml")
        return read_page(epub.read(name).decode("utf-8"))


def bib_entries() -> dict:
    return parse_file(str(BIB)).entries


# -- the numbers ------------------------------------------------------------------


@pytest.mark.parametrize("docname", CITING_PAGES)
def test_markers_run_1_to_n_in_first_use_order_and_match_the_chapters_list(book: BookBuild, docname: str) -> None:
    page = html_page(book, docname)
    n = len(page.entries)
    assert n >= 1, f"{docname}: no reference list"
    assert page.first_use == list(range(1, n + 1)), f"{docname}: markers first used in the order {page.first_use}"
    assert [e.label for e in page.entries] == list(range(1, n + 1)), f"{docname}: the list is numbered {[e.label for e in page.entries]}"
    by_id = {e.id: e for e in page.entries}
    for cited, href, title in page.markers:
        target = by_id.get(href.removeprefix("#"))
        assert target is not None, f"{docname}: [{cited}] links to {href}, not to an entry of the page's own list"
        assert target.label == cited, f"{docname}: [{cited}] links to entry [{target.label}]"
        # The hover tooltip is the entry itself.
        assert title and " ".join(title.split())[:40] == target.text[:40], f"{docname}: [{cited}] tooltip {title!r}"


def test_the_checklist_lists_its_sources_1_to_n(book: BookBuild) -> None:
    page = html_page(book, "checklist")
    assert not page.markers, "the checklist sheet cites without markers ({cite:empty})"
    assert [e.label for e in page.entries] == list(range(1, len(page.entries) + 1))


@pytest.mark.parametrize("docname", LIST_PAGES)
def test_the_epub_numbers_citations_as_the_web_page_does(book: BookBuild, docname: str) -> None:
    html, epub = html_page(book, docname), epub_page(book, docname)
    assert [m[0] for m in epub.markers] == [m[0] for m in html.markers]
    assert [(e.label, e.text) for e in epub.entries] == [(e.label, e.text) for e in html.entries]


def pdf_reference_labels(text: str) -> list[int]:
    """The numbers of a reference list as pdftotext prints it: "[n]" at a line start.

    pdftotext joins a line that ends in a hyphen to the next, so an address
    ending in "-" runs into the next entry's number ("…-zessly[34] …"). A
    marker in the text follows a space ("in the womb [34].").
    """
    return [int(n) for n in re.findall(r"(?:^|(?<=\S))\[(\d+)\](?= |$)", text, re.M)]


def pdf_markers(text: str) -> set[int]:
    """The numbers cited in the text: "[3]", "[1, 2]" (which a line may break)."""
    text = " ".join(text.split())
    return {int(n) for group in re.findall(r"\[(\d+(?:, \d+)*)\]", text) for n in group.split(", ")}


@pytest.mark.parametrize("chapter", load_chapters(), ids=lambda c: c.docname)
def test_the_chapter_pdf_numbers_citations_as_the_web_page_does(book: BookBuild, chapter) -> None:
    html = html_page(book, chapter.docname)
    n = len(html.entries)
    text = "\n".join(pdf_pages(book.chapter_pdf(chapter)))
    heading = re.search(rf"^{chapter.number}\.\d+ References$", text, re.M)
    assert heading, f"{chapter.pdf_name}: no References section"
    body, listed = text[: heading.start()], text[heading.end() :]
    assert pdf_reference_labels(listed) == list(range(1, n + 1)), chapter.pdf_name
    assert pdf_markers(body) == set(range(1, n + 1)), f"{chapter.pdf_name}: markers in the text"
    # The same source under the same number: each entry's address, in order.
    # pdftotext drops a hyphen that ends a line, and long addresses break at
    # their hyphens in print: compare the addresses without hyphens.
    squashed = re.sub(r"[\s-]+", "", listed)
    position = 0
    for entry in html.entries:
        for href, _ in entry.links:
            found = squashed.find(href.replace("-", ""), position)
            assert found >= 0, f"{chapter.pdf_name}: [{entry.label}] {href} missing or out of order"
            position = found


def test_each_chapter_keeps_its_own_numbers_in_the_book_pdf(book: BookBuild) -> None:
    text = "\n".join(pdf_pages(book.book_pdf))
    for chapter in book.chapters:
        n = len(html_page(book, chapter.docname).entries)
        headings = list(re.finditer(rf"^{chapter.number}\.\d+ References$", text, re.M))
        assert headings, f"Chapter {chapter.number}: no References section in the book PDF"
        # What follows the list is the next chapter, whose text may put a
        # marker at a line start: only the list itself is checked.
        labels = pdf_reference_labels(text[headings[-1].end() :])
        assert labels[:n] == list(range(1, n + 1)), f"Chapter {chapter.number}: {labels[: n + 1]}"
        assert labels[n : n + 1] != [n + 1], f"Chapter {chapter.number}'s list runs on to [{n + 1}]"


# -- the text ------------------------------------------------------------------


@pytest.mark.parametrize("docname", [*LIST_PAGES, "drug-reference"])
def test_the_text_cites_by_number_not_author_and_year(book: BookBuild, docname: str) -> None:
    main = soup((book.html / f"{docname}.html").read_text(encoding="utf-8")).select_one("article.bd-article")
    for citation_list in main.select("div.citation-list"):
        citation_list.decompose()
    text = " ".join(main.get_text(" ").split())
    found = [text[max(0, m.start() - 40) : m.end() + 10] for m in AUTHOR_YEAR.finditer(text)]
    assert not found, f"{docname}: author-year citations: {found}"
    for citation in main.select("span.bibtex-citation"):
        text = citation.get_text()
        assert not text or MARKER_TEXT.fullmatch(text), f"{docname}: {text!r}"  # empty: {cite:empty}


def test_no_pdf_cites_by_author_and_year(book: BookBuild) -> None:
    for pdf in [book.book_pdf, *(book.chapter_pdf(c) for c in book.chapters)]:
        found = [m.group(0) for m in AUTHOR_YEAR.finditer(pdf_text(pdf))]
        assert not found, f"{pdf.name}: {found[:5]}"


# -- the entries ------------------------------------------------------------------


def all_entries(book: BookBuild) -> list[tuple[str, Entry]]:
    return [(docname, entry) for docname in [*LIST_PAGES, SOURCES_PAGE] for entry in html_page(book, docname).entries]


def test_each_entry_prints_its_doi_or_url_once_as_a_link(book: BookBuild) -> None:
    bib = bib_entries()
    checked = 0
    for docname, entry in all_entries(book):
        hrefs = [href for href, _ in entry.links]
        assert len(hrefs) <= 1, f"{docname} [{entry.label}]: {hrefs}"
        for href, text in entry.links:
            assert text == href, f"{docname} [{entry.label}]: link text {text!r} for {href}"
            assert entry.text.count(href) == 1, f"{docname} [{entry.label}]: {href} printed {entry.text.count(href)} times"
        assert "doi:" not in entry.text.lower()
        if "https://doi.org/" in entry.text:
            doi = entry.text.split("https://doi.org/", 1)[1].split()[0]
            assert any(e.fields.get("doi") == doi for e in bib.values()), f"{docname}: unknown DOI {doi}"
            checked += 1
    assert checked >= len([e for e in bib.values() if "doi" in e.fields]), "too few DOIs checked"


def test_every_doi_in_the_bibliography_is_a_link_on_the_references_page(book: BookBuild) -> None:
    links = {href for entry in html_page(book, SOURCES_PAGE).entries for href, _ in entry.links}
    for key, entry in bib_entries().items():
        if "doi" in entry.fields:
            assert f"https://doi.org/{entry.fields['doi']}" in links, key
        elif "url" in entry.fields:
            assert web_address(entry.fields["url"]) in links, key
    # As RFC 3986 allows, or epubcheck refuses the EPUB ("…:"ANIFROLUMAB"").
    assert not [href for href in links if not URI.fullmatch(href)]


def test_no_doi_or_address_in_a_reference_list_gets_a_latex_footnote(book: BookBuild) -> None:
    # latex_show_urls = "footnote" adds one to a link whose text is not its
    # address; its mark, glued to a DOI, corrupted a copied DOI.
    for tex in [book.latex_dir / f"{book.edition.book_stem}.tex", *(book.latex_dir / c.tex_name for c in book.chapters)]:
        source = tex.read_text(encoding="utf-8")
        for bibliography in re.findall(r"\\begin\{sphinxthebibliography\}.*?\\end\{sphinxthebibliography\}", source, re.S):
            assert "\\begin{footnote}" not in bibliography and "\\footnote" not in bibliography, tex.name
            assert "\\sphinxhref" not in bibliography, f"{tex.name}: a link whose text is not its address"


@functools.cache
def plain_title(title: str) -> str:
    """A title's letters and digits only, for finding it in printed text."""
    from pybtex.richtext import Text

    return letters(Text.from_latex(title).render_as("text"))


def letters(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def source_of(entry: Entry, bib: dict) -> str:
    """The key of the bibliography entry a printed entry shows.

    By title, then by journal and year: two entries share a title (one
    guideline in two journals).
    """
    text = letters(entry.text)
    found = [
        (sum(plain_title(e.fields[f]) in text for f in ("journal", "year") if f in e.fields), key)
        for key, e in bib.items()
        if plain_title(e.fields["title"]) in text
    ]
    assert found, f"[{entry.label}] {entry.text[:80]}: no bibliography entry has this title"
    best = max(score for score, _ in found)
    keys = [key for score, key in found if score == best]
    # A title inside another ("X" and "X (archived version)"): the longer one.
    return max(keys, key=lambda k: len(plain_title(bib[k].fields["title"])))


def test_partially_verified_entries_keep_their_caveat_in_every_list(book: BookBuild) -> None:
    bib = bib_entries()
    caveat = "Partially verified: some details were confirmed only in secondary copies"
    partial = 0
    for docname, entry in all_entries(book):
        note = bib[source_of(entry, bib)].fields.get("note", "")
        is_partial = note.strip().upper().startswith("PARTIALLY VERIFIED")
        assert (caveat in entry.text) == is_partial, f"{docname} [{entry.label}]: {entry.text[-120:]}"
        partial += is_partial
    assert partial >= 10, "too few partially verified entries seen"


# -- the references page ------------------------------------------------------------


def test_the_references_page_lists_every_source_once_a_to_z(book: BookBuild) -> None:
    page = html_page(book, SOURCES_PAGE)
    bib = bib_entries()
    assert [e.label for e in page.entries] == list(range(1, len(bib) + 1))
    keys = [source_of(entry, bib) for entry in page.entries]
    assert sorted(keys) == sorted(bib), "not every source once"

    def surname_or_title(key: str) -> str:
        people = bib[key].persons.get("author") or bib[key].persons.get("editor")
        name = " ".join(people[0].last_names) if people else bib[key].fields["title"]
        return plain_title(name)

    names = [surname_or_title(k) for k in keys]
    out_of_order = [(a, b) for a, b in zip(names, names[1:]) if a > b]
    assert not out_of_order, f"not A to Z: {out_of_order}"


def test_the_references_page_says_where_each_source_is_cited(book: BookBuild) -> None:
    from bs4 import BeautifulSoup

    page = BeautifulSoup((book.html / f"{SOURCES_PAGE}.html").read_text(encoding="utf-8"), "html.parser")
    pages = {docname: html_page(book, docname) for docname in LIST_PAGES}
    titles = {c.docname: f"Chapter {c.number}" for c in book.chapters}
    checked = set()
    for citation in page.select("div.citation"):
        text = " ".join(citation.find("p").get_text(" ").split())
        cited_in = citation.select_one("p.cited-in")
        assert cited_in is not None, f"{text[:60]}: where is it cited?"
        if cited_in.get_text() == "Not cited in the text.":
            continue
        for link in cited_in.find_all("a"):
            docname, _, anchor = link["href"].removesuffix(".html").partition(".html#")
            if not anchor:
                continue  # a page without its own list (the drug reference)
            entry = next(e for e in pages[docname].entries if e.id == anchor)
            label = re.search(r"as \[(\d+)\]$", link.get_text())
            assert label and int(label.group(1)) == entry.label, link.get_text()
            assert entry.text == text, f"{link.get_text()} links to another source"
            if docname in titles:
                assert link.get_text().startswith(titles[docname] + " as ["), link.get_text()
            checked.add((docname, entry.label))
    listed = {(docname, e.label) for docname, p in pages.items() for e in p.entries}
    assert checked == listed, f"entries of chapter lists not named on the references page: {sorted(listed - checked)[:5]}"


def test_the_book_pdf_lists_every_source_a_to_z_once(book: BookBuild) -> None:
    text = "\n".join(pdf_pages(book.book_pdf))
    listed = text[text.rindex("Every source this handbook relies on") :]
    assert pdf_reference_labels(listed) == list(range(1, len(bib_entries()) + 1))
    assert listed.count("Cited in") + listed.count("Not cited in the text") == len(bib_entries())


def test_a_new_citation_updates_the_references_page(book: BookBuild, tmp_path: Path) -> None:
    # The references page says where each source is cited; an edit to one
    # chapter must rewrite it too (chapter_citations.py tells Sphinx).
    copy = copy_sources(tmp_path / "copy", book)
    research = copy / "book" / "research.md"
    text = research.read_text(encoding="utf-8")
    assert "niaid_autoimmune_2020" not in text
    sentence = "\nOne more sentence for this test {cite:p}`niaid_autoimmune_2020`.\n\n## "
    research.write_text(text.replace("\n## ", sentence, 1), encoding="utf-8")
    result = run_build(copy / "_build", "html", root=copy)
    assert result.returncode == 0, result.stdout + result.stderr
    html = copy / "_build" / "html"
    chapter = read_page((html / "research.html").read_text(encoding="utf-8"))
    assert chapter.first_use == list(range(1, len(chapter.entries) + 1))
    number = next(n for n, _, title in chapter.markers if "archived version, December 2020" in title)
    page = soup((html / f"{SOURCES_PAGE}.html").read_text(encoding="utf-8"))
    entry = next(c for c in page.select("div.citation") if "archived version, December 2020" in c.get_text())
    research_chapter = next(c for c in load_chapters() if c.docname == "research")
    assert f"Chapter {research_chapter.number} as [{number}]" in entry.select_one("p.cited-in").get_text()

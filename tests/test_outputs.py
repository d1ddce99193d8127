"""What a reader gets from `make all`: the HTML book, the PDFs and the EPUB."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import ROOT, BookBuild, copy_sources, run_build, session_env
from readers import html_text, pdf_link_uris, pdf_outline_titles, pdf_pages, pdf_text

A4 = (595.28, 841.89)
LETTER = (612.0, 792.0)
LABEL = re.compile(r"\b(?:ch|sec|fig|tbl)-[a-z0-9]+(?:-[a-z0-9]+)*\b")


def page_size(path) -> tuple[float, float]:
    box = PdfReader(path).pages[0].mediabox
    return round(float(box.width), 2), round(float(box.height), 2)


def without_urls(text: str) -> str:
    return re.sub(r"\S*(?:https?://|\.html)\S*", " ", text)


# -- HTML ----------------------------------------------------------------------


def test_every_chapter_has_an_html_page_with_its_number(book: BookBuild) -> None:
    for chapter in book.chapters:
        page = book.html / f"{chapter.docname}.html"
        assert page.exists(), f"no HTML page for {chapter.docname}"
        assert f"{chapter.number}. {chapter.title}" in html_text(page)


def test_site_offers_the_real_pdfs_and_epub_in_every_download_menu(book: BookBuild) -> None:
    stem = book.edition.book_stem
    risks = (book.html / "risks.html").read_text(encoding="utf-8")
    assert f'href="downloads/{stem}.pdf"' in risks
    assert 'href="downloads/chapters/05-risks.pdf"' in risks
    assert f'href="downloads/{stem}.epub"' in risks
    assert "window.print()" in risks  # printing the page stays available, last
    # Pages that are not chapters offer no chapter PDF.
    glossary = (book.html / "glossary.html").read_text(encoding="utf-8")
    assert "download-chapter-pdf-button" not in glossary
    for download in [f"{stem}.pdf", f"{stem}.epub", *(f"chapters/{c.pdf_name}" for c in book.chapters)]:
        assert (book.html / "downloads" / download).stat().st_size > 10_000, download


# -- the book PDF ---------------------------------------------------------------


def test_book_pdf_has_title_page_with_edition_and_date(book: BookBuild) -> None:
    first = re.sub(r"\s+", " ", pdf_pages(book.book_pdf)[0])
    assert book.edition.title in first
    assert f"Edition {book.edition.edition}" in first
    assert book.edition.human_date in first


def test_book_pdf_contains_every_chapter_title_and_greek_letters(book: BookBuild) -> None:
    text = pdf_text(book.book_pdf)
    for chapter in book.chapters:
        assert chapter.title in text, chapter.title
    assert "TNF-α" in text
    for back_matter in ("Contents", "Glossary", "References", "Index", "Drug reference"):
        assert back_matter in text


def test_book_pdf_has_a_bookmark_for_every_chapter_and_its_sections(book: BookBuild) -> None:
    outline = pdf_outline_titles(book.book_pdf)
    top = [title for depth, title in outline if depth == 0]
    for chapter in book.chapters:
        assert any(chapter.title in title for title in top), f"no bookmark for {chapter.title}"
    assert sum(1 for depth, _ in outline if depth == 1) >= 3 * len(book.chapters)


def test_book_pdf_metadata(book: BookBuild) -> None:
    reader = PdfReader(book.book_pdf)
    meta = reader.metadata
    assert meta.title == book.edition.title
    assert meta.author == book.edition.author
    assert meta.subject == book.edition.subject
    assert "JAK inhibitors" in (meta.get("/Keywords") or "")
    assert str(reader.trailer["/Root"].get("/Lang")) == book.edition.language


def test_every_font_is_embedded(book: BookBuild) -> None:
    for pdf in [book.book_pdf, *(book.chapter_pdf(c) for c in book.chapters)]:
        listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        rows = listing.splitlines()[2:]
        assert rows, f"{pdf.name}: no fonts listed"
        not_embedded = [row for row in rows if row.split()[-5] != "yes"]
        assert not not_embedded, f"{pdf.name}: fonts not embedded: {not_embedded}"


def test_no_blank_pages_in_the_book(book: BookBuild) -> None:
    blank = [n for n, text in enumerate(pdf_pages(book.book_pdf), start=1) if not text.strip()]
    assert not blank, f"blank pages: {blank}"


def test_book_pdf_is_a4_by_default(book: BookBuild) -> None:
    assert page_size(book.book_pdf) == A4
    assert all(page_size(book.chapter_pdf(c)) == A4 for c in book.chapters)


def test_paper_letter_switch_gives_us_letter(book: BookBuild, tmp_path: Path) -> None:
    copy = copy_sources(tmp_path / "letter", book)  # the session's build is only read
    result = run_build(copy / "_build", "pdf", "--paper", "letter", root=copy)
    assert result.returncode == 0, result.stdout + result.stderr
    letter = copy / "_build" / "pdf-letter" / book.book_pdf.name
    assert page_size(letter) == LETTER


# -- chapter PDFs --------------------------------------------------------------


def test_one_pdf_per_chapter(book: BookBuild) -> None:
    produced = sorted(p.name for p in (book.build_dir / "pdf" / "chapters").glob("*.pdf"))
    assert produced == sorted(c.pdf_name for c in book.chapters)


def test_risks_chapter_pdf_starts_at_its_book_number(book: BookBuild) -> None:
    risks = book.chapter("risks")
    first_page = re.sub(r"\s+", " ", pdf_pages(book.chapter_pdf(risks))[0])
    assert f"Chapter {risks.number} {risks.title}" in first_page
    # The title block names the handbook and its edition.
    assert book.edition.title in first_page and f"Edition {book.edition.edition}" in first_page
    # Its sections keep the book's numbers (5.1, 5.2, ...).
    titles = [t for _, t in pdf_outline_titles(book.chapter_pdf(risks))]
    assert any(t.startswith(f"{risks.number}.2 ") for t in titles), titles


def test_chapter_pdfs_keep_book_numbers_for_figures_and_tables(book: BookBuild) -> None:
    for chapter in book.chapters:
        source = (ROOT / "book" / f"{chapter.docname}.md").read_text(encoding="utf-8")
        text = pdf_text(book.chapter_pdf(chapter))
        if ":name: tbl-" in source:
            assert f"Table {chapter.number}.1" in text, chapter.docname
        if "```{figure}" in source:
            assert f"Figure {chapter.number}.1" in text, chapter.docname


def test_references_to_other_chapters_print_number_and_title_and_link_online(book: BookBuild) -> None:
    by_label = {f"ch-{c.slug}": c for c in book.chapters}
    checked = 0
    for chapter in book.chapters:
        source = (ROOT / "book" / f"{chapter.docname}.md").read_text(encoding="utf-8")
        text = pdf_text(book.chapter_pdf(chapter))
        uris = pdf_link_uris(book.chapter_pdf(chapter))
        for label in set(re.findall(r"<(ch-[a-z-]+)>", source)) & set(by_label):
            other = by_label[label]
            if other is chapter:
                continue
            assert f"Chapter {other.number}, {other.title}" in text, (chapter.docname, label)
            assert any(uri.startswith(book.edition.baseurl + other.docname + ".html") for uri in uris)
            checked += 1
    assert checked >= len(book.chapters), "too few cross-chapter references to check"


def test_no_raw_labels_or_question_marks_in_any_pdf(book: BookBuild) -> None:
    for pdf in [book.book_pdf, *(book.chapter_pdf(c) for c in book.chapters)]:
        text = pdf_text(pdf)
        assert "??" not in text, pdf.name
        raw = LABEL.findall(without_urls(text))
        assert not raw, f"{pdf.name} prints raw labels: {sorted(set(raw))}"


def test_each_chapter_pdf_ends_with_its_own_references(book: BookBuild) -> None:
    for chapter in book.chapters:
        text = pdf_text(book.chapter_pdf(chapter))
        references_at = text.rfind("References")
        assert references_at > len(text) // 2, chapter.docname
        entries = [int(n) for n in re.findall(r"\[(\d+)\]", text[references_at:])]
        # Numbered from 1 in the chapter's own order (tests/test_citations.py).
        assert len(entries) >= 4 and entries == list(range(1, len(entries) + 1)), f"{chapter.docname}: {entries}"


def test_chapter_pdf_has_no_contents_or_title_page(book: BookBuild) -> None:
    risks = book.chapter_pdf(book.chapter("risks"))
    pages = pdf_pages(risks)
    assert "Contents" not in pages[0]
    assert "Key points" in pages[0]


# -- EPUB ---------------------------------------------------------------------


def test_epub_passes_epubcheck_without_errors_or_warnings(book: BookBuild) -> None:
    result = subprocess.run(
        ["java", "-jar", "/usr/share/java/epubcheck.jar", str(book.epub)], capture_output=True, text=True
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert re.search(r"0 fatals / 0 errors / 0 warnings", report), report


# -- exporting one chapter -----------------------------------------------------


@pytest.mark.parametrize("fmt", ["pdf", "epub", "html"])
def test_export_one_chapter_by_number(book: BookBuild, fmt: str, tmp_path) -> None:
    with book.writing():
        result = subprocess.run(
            [sys.executable, "-m", "handbook.export", "5", "--format", fmt,
             "--out", str(tmp_path), "--build-dir", str(book.build_dir)],
            capture_output=True, text=True, env=session_env(),
        )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    produced = {"pdf": "05-risks.pdf", "epub": "05-risks.epub", "html": "05-risks-html/index.html"}[fmt]
    assert (tmp_path / produced).exists()
    if fmt == "pdf":
        assert "Chapter 5 Risks and monitoring" in pdf_text(tmp_path / produced)
        # The tagged print edition's chapter, the one the site offers.
        assert (tmp_path / produced).read_bytes() == book.print_chapter_pdf(book.chapter("risks")).read_bytes()

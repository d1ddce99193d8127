"""The WeasyPrint print edition (issue 12): accessible, and a piece of the book.

Read like a reader's checklist: every file is tagged and passes the
``pdfua`` checker; its headings are the book's, in the HTML page's order;
no navigation is printed; a chapter edition starts at "Chapter 5", on the
page where chapter 5 starts in the book, and ends with the words it uses;
no placeholder address is printed; US Letter works.

The session's build (``build.py all``) makes the A4 edition; this module
lays out its longest chapter on US Letter from the session's pages.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest
from bs4 import BeautifulSoup
from conftest import BookBuild, session_date_epoch
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NumberObject

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER_HOST = "autoimmune-handbook.example.org"
# Text that only screen furniture (theme navigation, header links) would print.
FURNITURE = ("¶", "Skip to main content", "Back to top", "Ctrl+K", "Link to this heading", "Print this page", "On this page")
HEADINGS = ("/H1", "/H2", "/H3", "/H4", "/H5", "/H6")


@pytest.fixture(scope="session")
def letter(book: BookBuild, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The longest chapter's print edition on US Letter, laid out from the session's pages (only read).

    A chapter, not the whole book (``make letter`` builds every file): the
    book's pages are laid out by the same rules, and US Letter changes only
    the page and its text block. The whole book on Letter took 20 s here.
    """
    from handbook.print_edition import Job, render_chapter

    chapter = max(book.chapters, key=lambda c: (book.html / f"{c.docname}.html").stat().st_size)
    out = tmp_path_factory.mktemp("print-letter") / chapter.pdf_name
    html = book.build_dir / ".work" / "html"
    render_chapter(Job(html, chapter, "letter", 1, out, int(session_date_epoch()), None, edition=book.edition))
    return out


def book_pdf(book: BookBuild, paper: str = "a4") -> Path:
    folder = "print" if paper == "a4" else f"print-{paper}"
    return book.build_dir / folder / f"{book.edition.book_stem}.pdf"


def chapter_pdf(book: BookBuild, slug: str, paper: str = "a4") -> Path:
    folder = "print" if paper == "a4" else f"print-{paper}"
    return book.build_dir / folder / "chapters" / book.chapter(slug).pdf_name


def every_pdf(book: BookBuild) -> list[Path]:
    return [book_pdf(book), *(chapter_pdf(book, c.slug) for c in book.chapters)]


def pdftotext(path: Path, first: int | None = None, last: int | None = None) -> str:
    """The text of pages ``first`` to ``last`` (from 1; all by default), each ending in a form feed."""
    pages = page_texts(path, path.stat().st_mtime_ns)
    return "".join(f"{text}\f" for text in pages[(first or 1) - 1 : last])


@functools.cache
def page_texts(path: Path, mtime_ns: int) -> tuple[str, ...]:
    """Each page's text (``pdftotext -layout``), read once per file (and version) in the session."""
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return tuple(text.split("\f")[:-1])


# -- reading the structure tree ---------------------------------------------------------


def marked_texts(reader: pypdf.PdfReader) -> dict[tuple[int, int], str]:
    """(page index, MCID) -> the text drawn inside that marked content."""
    texts: dict[tuple[int, int], str] = {}
    for index, page in enumerate(reader.pages):
        stack: list[int | None] = []

        def before(operator: bytes, operands: list, cm: object, tm: object) -> None:
            if operator == b"BDC":
                properties = operands[1].get_object() if len(operands) > 1 else None
                stack.append(properties.get("/MCID") if isinstance(properties, DictionaryObject) else None)
            elif operator == b"BMC":
                stack.append(None)
            elif operator == b"EMC" and stack:
                stack.pop()

        def text(value: str, cm: object, tm: object, font: object, size: object) -> None:
            current = next((m for m in reversed(stack) if m is not None), None)
            if current is not None and value:
                key = (index, int(current))
                texts[key] = texts.get(key, "") + value

        page.extract_text(visitor_operand_before=before, visitor_text=text)
    return texts


def structure_headings(path: Path) -> list[tuple[int, str]]:
    """(level, text) of every heading in the structure tree, in structure order."""
    return list(read_structure_headings(path, path.stat().st_mtime_ns))


@functools.cache
def read_structure_headings(path: Path, mtime_ns: int) -> tuple[tuple[int, str], ...]:
    """structure_headings, read once per file (and version) in the session."""
    reader = pypdf.PdfReader(path)
    page_of = {p.indirect_reference.idnum: i for i, p in enumerate(reader.pages)}
    texts = marked_texts(reader)

    def page(element: DictionaryObject, current: int | None) -> int | None:
        reference = element.raw_get("/Pg") if "/Pg" in element else None
        return page_of.get(reference.idnum, current) if isinstance(reference, IndirectObject) else current

    def kids(element: DictionaryObject) -> list:
        value = element.get("/K")
        if value is None:
            return []
        value = value.get_object()
        return list(value) if isinstance(value, ArrayObject) else [value]

    def text_of(node: object, current: int | None) -> str:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, NumberObject):
            return texts.get((current, int(node)), "") if current is not None else ""
        if isinstance(node, DictionaryObject):
            here = page(node, current)
            return "".join(text_of(kid, here) for kid in kids(node))
        return ""

    found: list[tuple[int, str]] = []

    def walk(node: object, current: int | None) -> None:
        node = node.get_object()
        if not isinstance(node, DictionaryObject):
            return
        here = page(node, current)
        if node.get("/S") in HEADINGS:
            found.append((int(str(node["/S"])[2]), " ".join(text_of(node, here).split())))
            return
        for kid in kids(node):
            walk(kid, here)

    walk(reader.trailer["/Root"]["/StructTreeRoot"], None)
    return tuple(found)


def html_headings(page: Path) -> list[tuple[int, str]]:
    """(level, text) of the headings of a built HTML page, as print numbers them."""
    article = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one("article.bd-article")
    assert article is not None
    found = []
    for heading in article.find_all(["h1", "h2", "h3", "h4", "h5", "h6"]):
        for link in heading.select("a.headerlink"):
            link.decompose()
        text = " ".join(heading.get_text(" ").split())
        text = re.sub(r"^(\d+(?:\.\d+)*)\. ", r"\1 ", text)  # "5.1. Why" is printed "5.1 Why"
        found.append((int(heading.name[1]), text))
    return found


# -- accessible, every file --------------------------------------------------------------


def test_every_print_pdf_is_tagged_with_language_and_title_shown(book: BookBuild) -> None:
    for path in every_pdf(book):
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        assert re.search(r"^Tagged:\s+yes$", info, re.M), f"{path.name}: not tagged"
        reader = pypdf.PdfReader(path)
        root = reader.trailer["/Root"]
        assert str(root.get("/Lang", "")) == book.edition.language, f"{path.name}: /Lang is not set"
        assert root["/ViewerPreferences"]["/DisplayDocTitle"] in (True, "true"), f"{path.name}: title not shown"
        assert reader.metadata.title and book.edition.title in reader.metadata.title, f"{path.name}: no title"
        xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
        assert re.search(r'pdfuaid:part(="1"|>1<)', xmp), f"{path.name}: no PDF/UA identification in XMP"


def test_pdfua_checker_finds_no_error_and_no_warning(book: BookBuild, letter: Path) -> None:
    pytest.importorskip("pdfua", reason="the pdfua checker is pinned in requirements/test.txt")
    paths = [*every_pdf(book), letter]
    # One run for every file: it prints one JSON report after another.
    result = subprocess.run([sys.executable, "-m", "pdfua", "check", "--format", "json", *map(str, paths)], capture_output=True, text=True)
    reports, said, at = {}, result.stdout, 0
    while said[at:].strip():
        report, at = json.JSONDecoder().raw_decode(said, at + len(said[at:]) - len(said[at:].lstrip()))
        reports[report["file"]] = report
    assert sorted(reports) == sorted(map(str, paths)), result.stderr
    for path in paths:
        report = reports[str(path)]
        findings = [f"{f.get('rule_id')}: {f.get('message', '')[:120]}" for f in report["findings"]]
        assert report["summary"]["errors"] == 0 and report["summary"]["warnings"] == 0, f"{path.name}: {findings[:5]}"


def test_headings_are_never_empty(book: BookBuild) -> None:
    # pdfua's own empty-heading rule (UA-14-001) cannot run on these files
    # (see the README), so the check is made here.
    for path in every_pdf(book):
        empty = [level for level, text in structure_headings(path) if not text]
        assert not empty, f"{path.name}: {len(empty)} empty heading(s)"


def test_chapter_headings_are_the_html_pages_in_order_and_level(book: BookBuild) -> None:
    for chapter in book.chapters:
        printed_headings = structure_headings(chapter_pdf(book, chapter.slug))
        expected = html_headings(book.html / f"{chapter.docname}.html")
        expected[0] = (1, f"Chapter {chapter.number} {expected[0][1].split(' ', 1)[1]}")
        added = {(2, "Words used in this chapter"), (2, "Other chapters mentioned")}
        assert [h for h in printed_headings if h not in added] == expected, chapter.pdf_name
        assert printed_headings[0][0] == 1 and all(level > 1 for level, _ in printed_headings[1:]), chapter.pdf_name


def test_book_headings_follow_the_book(book: BookBuild) -> None:
    headings = structure_headings(book_pdf(book))
    chapter_titles = [text for level, text in headings if level == 1 and text.startswith("Chapter ")]
    assert chapter_titles == [f"Chapter {c.number} {c.title}" for c in book.chapters]
    risks = html_headings(book.html / "risks.html")[1:]
    start = headings.index((1, f"Chapter {book.chapter('risks').number} {book.chapter('risks').title}"))
    assert headings[start + 1 : start + 1 + len(risks)] == risks


def test_no_screen_furniture_is_printed(book: BookBuild) -> None:
    for path in (book_pdf(book), chapter_pdf(book, "risks")):
        text = pdftotext(path)
        present = [word for word in FURNITURE if word in text]
        assert not present, f"{path.name} prints screen furniture: {present}"


# -- the book ---------------------------------------------------------------------------


def test_book_opens_with_cover_imprint_and_contents(book: BookBuild) -> None:
    text = pdftotext(book_pdf(book), 1, 3)
    edition = book.edition
    for expected in (edition.title, edition.subtitle, f"Edition {edition.edition}", "General information, not medical advice",
                     "Next review due", "CC BY 4.0", "How to cite", "Reporting an error", "Contents"):  # fmt: skip
        assert expected in " ".join(text.split()), f"the book's opening pages lack {expected!r}"


def test_contents_page_numbers_lead_to_the_chapters(book: BookBuild) -> None:
    path = book_pdf(book)
    contents = pdftotext(path, 1, 6)
    for chapter in book.chapters:
        match = re.search(rf"^\s*{chapter.number}\s+{re.escape(chapter.title)}[ .]*?(\d+)\s*$", contents, re.M)
        assert match, f"the contents do not list chapter {chapter.number}"
        page = int(match.group(1))
        top = " ".join(pdftotext(path, page, page).split())
        assert top.startswith(f"Chapter {chapter.number} {chapter.title}"), f"page {page} is not where chapter {chapter.number} starts"


def test_contents_page_numbers_lead_to_the_sections(book: BookBuild) -> None:
    # A section's box can start at a page's foot while its heading opens the
    # next page: the number must be the heading's page.
    path = book_pdf(book)
    entries = re.findall(r"^\s*(\d+\.\d+)\s+(\S.*?)\s*(?:\.\s*){3,}(\d+)\s*$", pdftotext(path, 1, 6), re.M)
    assert len(entries) > 50, f"the contents list only {len(entries)} sections"
    wrong = []
    for number, title, page in entries:
        text = " ".join(pdftotext(path, int(page), int(page)).split())
        if f"{number} {title}" not in text:
            wrong.append(f"{number} {title} (page {page})")
    assert not wrong, f"sections not on the page the contents give: {wrong}"


def test_index_has_page_numbers(book: BookBuild) -> None:
    reader = pypdf.PdfReader(book_pdf(book))
    text = " ".join(reader.pages[-1].extract_text().split())
    assert re.search(r"[A-Za-z] \d+(, \d+)*", text), "the index's last page shows no page numbers"


def test_outline_has_chapters_and_sections(book: BookBuild) -> None:
    outline = pypdf.PdfReader(book_pdf(book)).outline
    titles = [item.title for item in outline if not isinstance(item, list)]
    assert "Contents" in titles and "Index" in titles
    assert any(title.startswith(f"{book.chapters[0].number} ") for title in titles)
    assert any(isinstance(item, list) and item for item in outline), "no section bookmarks under the chapters"


# -- chapter editions ---------------------------------------------------------------------


def test_chapter_edition_starts_at_its_chapter_and_the_books_page(book: BookBuild) -> None:
    risks = book.chapter("risks")
    path = chapter_pdf(book, "risks")
    first_page = pdftotext(path, 1, 1)
    assert " ".join(first_page.split()).startswith(f"Chapter {risks.number} {risks.title}")
    book = book_pdf(book)
    start = next(
        n for n in range(1, len(pypdf.PdfReader(book).pages) + 1)
        if " ".join(pdftotext(book, n, n).split()).startswith(f"Chapter {risks.number} {risks.title}")
    )  # fmt: skip
    second_page = pdftotext(path, 2, 2).split()
    assert second_page[-1] == str(start + 1), "the chapter edition does not carry the book's page numbers"


def test_chapter_edition_lists_words_used_and_other_chapters(book: BookBuild) -> None:
    text = " ".join(pdftotext(chapter_pdf(book, "risks")).split())
    assert "Words used in this chapter" in text
    assert "Other chapters mentioned" in text
    assert "Boxed warning" in text.split("Words used in this chapter", 1)[1]
    references = text.rfind("References")
    assert references > text.find("Words used in this chapter"), "the chapter does not end with its references"


def test_no_placeholder_address_is_printed_or_linked(book: BookBuild, letter: Path) -> None:
    for path in [*every_pdf(book), letter]:
        assert PLACEHOLDER_HOST not in pdftotext(path), f"{path.name} prints the placeholder address"
        for page in pypdf.PdfReader(path).pages:
            for annotation in page.get("/Annots") or []:
                action = annotation.get_object().get("/A")
                uri = str(action.get_object().get("/URI", "")) if action else ""
                assert PLACEHOLDER_HOST not in uri, f"{path.name} links to the placeholder address"


def test_letter_size_works(book: BookBuild, letter: Path) -> None:
    box = pypdf.PdfReader(letter).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792), f"{letter.name} is not US Letter"
    a4 = pypdf.PdfReader(book_pdf(book)).pages[0].mediabox
    assert (round(float(a4.width)), round(float(a4.height))) == (595, 842)


def test_figures_carry_their_alt_text(book: BookBuild) -> None:
    reader = pypdf.PdfReader(book_pdf(book))
    alts = []

    def walk(node: object) -> None:
        node = node.get_object()
        if isinstance(node, DictionaryObject):
            if node.get("/S") == "/Figure":
                alts.append(str(node.get("/Alt", "")))
            kids = node.get("/K")
            for kid in (kids.get_object() if isinstance(kids.get_object(), ArrayObject) else [kids]) if kids is not None else []:
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    html_alts = []
    for page in ("definition", "strategies", "biologics", "small-molecules", "risks", "lifestyle", "research"):
        soup = BeautifulSoup((book.html / f"{page}.html").read_text(encoding="utf-8"), "html.parser")
        html_alts += [img["alt"] for img in soup.select("article.bd-article img")]
    assert html_alts, "the chapters have no figures to check"
    assert all(alt.strip() for alt in alts), "a figure in the book PDF has no alt text"
    for alt in html_alts:
        assert alt in alts, f"the alt text of a figure is lost in print: {alt[:60]}..."


def test_a_chapter_edition_is_reproducible(book: BookBuild, tmp_path: Path) -> None:
    from handbook.print_edition import Job, render_chapter

    chapter = book.chapters[-1]
    published = chapter_pdf(book, chapter.slug)
    first_page = int(pdftotext(published, 1, 1).split()[-1])
    again = tmp_path / chapter.pdf_name
    render_chapter(Job(book.build_dir / ".work" / "html", chapter, "a4", first_page, again, int(session_date_epoch()), None))
    assert again.read_bytes() == published.read_bytes(), f"{chapter.pdf_name}: two renders differ"


def test_an_edit_to_one_chapter_prints_only_that_chapter_edition_again(book: BookBuild, tmp_path: Path) -> None:
    from handbook import print_edition

    # The session build's HTML and its print edition, with the record of each chapter edition's input.
    html, out = tmp_path / "html", tmp_path / "print"
    shutil.copytree(book.build_dir / ".work" / "html", html)
    shutil.copytree(book.build_dir / ".work" / "print-a4", out)
    written = {path.name: path.stat().st_mtime_ns for path in (out / "chapters").glob("*.pdf")}
    assert len(written) == len(book.chapters)
    # The last chapter: a longer chapter there moves no other chapter's pages.
    edited = book.chapters[-1]
    page = html / f"{edited.docname}.html"
    page.write_text(page.read_text(encoding="utf-8").replace("</article>", "<p>One sentence more.</p></article>", 1), encoding="utf-8")
    print_edition.build(html, out, "a4", epoch=int(session_date_epoch()), only="chapters", log=lambda _: None)
    again = {path.name for path in (out / "chapters").glob("*.pdf") if path.stat().st_mtime_ns != written[path.name]}
    assert again == {edited.pdf_name}, f"printed again: {sorted(again)}"
    assert "One sentence more." in pdftotext(out / "chapters" / edited.pdf_name)


def test_links_are_described_by_their_words(book: BookBuild) -> None:
    reader = pypdf.PdfReader(chapter_pdf(book, "risks"))
    descriptions = [
        str(annotation.get_object().get("/Contents", ""))
        for page in reader.pages
        for annotation in page.get("/Annots") or []
        if annotation.get_object().get("/Subtype") == "/Link"
    ]
    assert descriptions, "the chapter has no links"
    undescribed = [d for d in descriptions if not d or d.startswith("#")]
    assert not undescribed, f"{len(undescribed)} links are described by their target, not their words: {undescribed[:3]}"
    assert any(d.startswith("Chapter ") for d in descriptions)


def test_each_link_is_one_annotation(book: BookBuild) -> None:
    for path in every_pdf(book):
        for page_number, page in enumerate(pypdf.PdfReader(path).pages, start=1):
            rects = [tuple(round(float(x)) for x in a.get_object()["/Rect"]) for a in page.get("/Annots") or []]
            assert len(rects) == len(set(rects)), f"{path.name} page {page_number}: a link is tagged twice"


def test_no_text_runs_into_the_margins(book: BookBuild, letter: Path, tmp_path: Path) -> None:
    from handbook.print_edition import FIGURE_WIDTH_MM, PAPERS

    mm = 72 / 25.4
    for paper, path in (("a4", book_pdf(book)), ("letter", letter)):
        # The text block, and the figures 5 mm past it on each side.
        side = (PAPERS[paper][1] - FIGURE_WIDTH_MM) / 2 * mm
        bbox = tmp_path / f"{paper}.html"
        subprocess.run(["pdftotext", "-bbox", str(path), str(bbox)], check=True)
        outside = []
        for number, page in enumerate(bbox.read_text(encoding="utf-8").split("<page ")[1:], start=1):
            width = float(re.search(r'width="([\d.]+)"', page).group(1))
            for x_min, x_max, word in re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<', page):
                if float(x_min) < side - 1 or float(x_max) > width - side + 1:
                    outside.append(f"page {number}: {word}")
        assert not outside, f"{path.name} ({paper}): text outside the text block: {outside[:5]}"

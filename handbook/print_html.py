"""Print HTML for the designed PDF edition, assembled from the built HTML book.

WeasyPrint turns this HTML into the book PDF and the chapter PDFs
(``handbook/print_edition.py``). It is assembled from the pages Sphinx has
already written (``<build>/.work/html/``), not from Sphinx's ``singlehtml``
output, because each page then arrives whole and with its own ids, and the
links between pages can be rewritten to single fragments (``singlehtml``
writes ``#document-risks#sec-x``, which WeasyPrint cannot follow).

What it does to the pages, and why:

* **Order.** The book's pages come in the order of the tables of contents
  in ``book/index.md``, as Sphinx rendered them on the landing page; the
  numbered chapters there must be exactly ``handbook_meta.load_chapters()``,
  in that order, or printing stops. File names play no part.
* **One document, unique ids.** Every id is prefixed with its page
  (``risks--sec-risks-why``) and every internal link is rewritten to the id
  it points at, so no two pages' ``id1`` collide and every link lands. A link
  to a page outside the print edition keeps its text and loses the link.
* **No screen furniture.** Navigation, buttons, ``¶`` header links,
  download menus, back-links in reference lists and scripts are removed from
  the HTML, not hidden, so they never reach the PDF's structure tree.
* **Accessibility.** Table header cells get ``scope``; images keep their
  ``alt``; headings keep their levels (H1 for a chapter, H2 for its
  sections).
* **Book matter.** Cover, imprint (its wording taken from the About page),
  contents and index are generated here. The contents' page numbers are
  left to the print stylesheet (``target-counter``); the index is laid out
  after the book, its page numbers known (``index_html``).
* **Chapter editions.** Glossary links become links to a "Words used in
  this chapter" box at the chapter's end, and links to other chapters become
  one "Other chapters mentioned" list, with the hosted address only when the
  base URL is a real one (``hosted_address``, the address every one-chapter
  edition gives a page outside it: ``handbook/ext/chapter_links.py``).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import yaml
from bs4 import BeautifulSoup, NavigableString, Tag

from handbook.ext.chapter_links import hosted_address
from handbook.meta import BOOK_DIR, Chapter, Edition

# Screen furniture inside an article: removed, not hidden (see module docstring).
SCREEN_ONLY = (
    "a.headerlink, button, script, style, nav, form, input, .handbook-downloads, .prev-next-area, "
    ".bd-sidebar-secondary, .genindex-jumpbox, span.backrefs, .sd-hide-link-text, .toctree-wrapper"
)
GLOSSARY = "glossary"
INDEX_ID = "doc-genindex"
_SECTION_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)*)\.?\s*$")
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)


class PrintError(Exception):
    """The print HTML cannot be assembled; the message names the page."""


@dataclass(frozen=True)
class BookPage:
    """One page of the HTML book, in its place in the print edition."""

    docname: str
    part: str  # the caption of its table of contents ("" for the opening)
    chapter: Chapter | None = None
    title: str = ""  # as the contents show it, without its number

    @property
    def anchor(self) -> str:
        """The id of the page as a whole in the assembled document."""
        return f"doc-{self.docname}"


@dataclass
class Page:
    """A built page's article, cleaned for print, with its ids made unique."""

    info: BookPage
    article: Tag
    title: str  # the page's heading text, without numbers
    # Ids that were moved off an element print removes: old id -> new id.
    aliases: dict[str, str] = field(default_factory=dict)

    @property
    def docname(self) -> str:
        return self.info.docname


@dataclass
class Book:
    """Everything the print editions are made of."""

    html_dir: Path
    edition: Edition
    chapters: list[Chapter]
    pages: list[Page] = field(default_factory=list)  # the pages read (all, for the book)
    order: list[BookPage] = field(default_factory=list)  # every page of the book, in order
    prepared: bool = False  # ids prefixed and links rewritten (book_html)

    def page(self, docname: str) -> Page | None:
        return next((p for p in self.pages if p.docname == docname), None)


# -- reading the built site ----------------------------------------------------------------


def read_soup(path: Path) -> BeautifulSoup:
    if not path.is_file():
        raise PrintError(f"{path}: the built HTML page is missing; build the HTML first")
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def book_order(html_dir: Path, chapters: list[Chapter], root_doc: str = "index") -> list[BookPage]:
    """The book's pages in the order of the tables of contents in ``book/index.md``.

    They are read from the landing page Sphinx built from ``index.md``; the
    numbered chapters must be ``load_chapters()`` exactly, in order.
    """
    soup = read_soup(html_dir / f"{root_doc}.html")
    by_docname = {c.docname: c for c in chapters}
    pages: list[BookPage] = []
    for wrapper in soup.select("article div.toctree-wrapper"):
        caption = wrapper.select_one("p.caption")
        part = caption.get_text(" ", strip=True) if caption else ""
        for link in wrapper.select("li.toctree-l1 > a[href]"):
            page, _ = urldefrag(link["href"])
            docname = unquote(page).removesuffix(".html")
            title = re.sub(r"^\d+(\.\d+)*\.?\s+", "", link.get_text(" ", strip=True))
            pages.append(BookPage(docname, part, by_docname.get(docname), title))
    numbered = [p.docname for p in pages if p.chapter is not None]
    if numbered != [c.docname for c in chapters]:
        raise PrintError(
            f"{html_dir / (root_doc + '.html')}: the chapters in the built contents ({', '.join(numbered)}) "
            f"are not the chapter list of book/index.md ({', '.join(c.docname for c in chapters)}); "
            "rebuild the HTML"
        )
    return pages


def last_reviewed_dates(pages: Iterable[BookPage], book_dir: Path = BOOK_DIR) -> dict[str, dt.date]:
    """The ``last_reviewed`` front matter date of each page that has one."""
    dates = {}
    for page in pages:
        source = book_dir / f"{page.docname}.md"
        if not source.is_file():
            continue
        match = _FRONT_MATTER.match(source.read_text(encoding="utf-8"))
        if match:
            value = (yaml.safe_load(match.group(1)) or {}).get("last_reviewed")
            if isinstance(value, dt.date):
                dates[page.docname] = value
    return dates


# -- cleaning one page ---------------------------------------------------------------------


def unwrap_link(link: Tag) -> None:
    """Keep a link's text, drop the link."""
    link.unwrap()


def clean_article(soup: BeautifulSoup, info: BookPage, source: Path) -> Page:
    """The page's article, with screen furniture removed and print's markup added."""
    article = soup.select_one("article.bd-article")
    if article is None:
        raise PrintError(f"{source}: no article in the built page")
    for element in article.select(SCREEN_ONLY):
        element.decompose()
    # Back-links from a reference to where it is cited are for screens.
    for link in article.select('a[role="doc-backlink"]'):
        unwrap_link(link)
    # The theme's scroll wrapper around tables has no meaning on paper.
    for wrapper in article.select("div.pst-scrollable-table-container"):
        wrapper.unwrap()
    # An image that links to itself: the picture stays, the link goes.
    for link in article.select("a.image-reference"):
        unwrap_link(link)
    aliases = flatten_inline_anchors(article) | anchor_sections_at_headings(article)
    for table in article.select("table"):
        header = table.select_one("tr")
        if header is not None and len(header.find_all(["th", "td"], recursive=False)) >= 5:
            # Five columns of long drug names do not fit 150 mm at the body
            # table size without hyphens: set them a size smaller.
            table["class"] = [*table.get("class", []), "wide-table"]
    for cell in article.select("thead th"):
        cell["scope"] = "col"
    for cell in article.select("tbody th"):
        cell["scope"] = "row"
    for number in article.select("span.section-number"):
        match = _SECTION_NUMBER.match(number.get_text())
        if match:
            number.string = match.group(1) + " "
    heading = article.find("h1")
    title = ""
    if heading is not None:
        title = "".join(
            str(t) for t in heading.find_all(string=True) if not (isinstance(t.parent, Tag) and "section-number" in t.parent.get("class", []))
        ).strip()
    return Page(info, article, title, aliases)


# Blocks whose content is a line of text: an anchor inside one is inline.
_TEXT_BLOCKS = {"p", "li", "dt", "dd", "td", "th", "caption", "figcaption", "h1", "h2", "h3", "h4"}


def anchor_sections_at_headings(article: Tag) -> dict[str, str]:
    """Put each section's ids on its heading; return the ids that moved.

    WeasyPrint places an id where its box starts. A section's box can start
    at the foot of a page while its heading, kept with the text after it,
    opens the next page: the contents, and every "see section" link, then
    gave the page before. The heading is where a reader finds the section, so
    the section's id moves to it, and the empty spans Sphinx puts before the
    heading for the section's other names become aliases of it.
    """
    aliases: dict[str, str] = {}
    for section in article.find_all("section", id=True):
        heading = section.find(_HEADING, recursive=False)
        if heading is None or heading.get("id"):
            continue
        heading["id"] = section["id"]
        del section["id"]
        for sibling in list(heading.find_previous_siblings("span")):
            if sibling.get("id") and not sibling.contents:
                aliases[sibling["id"]] = heading["id"]
                sibling.decompose()
    return aliases


_HEADING = re.compile(r"^h[1-6]$")


def flatten_inline_anchors(article: Tag) -> dict[str, str]:
    """Remove the empty and wrapping spans inside lines of text; return the moved ids.

    WeasyPrint 70 sometimes breaks a nearly full line too early when the next
    line holds an empty inline element (Sphinx's index targets,
    ``<span class="target" id="index-3"></span>``) or a span wrapping a link
    (a citation, ``<span class="bibtex-citation"><a>...</a></span>``): a line
    then holds one word ("It"). The spans carry only ids, so the id moves to
    its paragraph (or, for a citation, to its first link) and links follow.
    """
    aliases: dict[str, str] = {}
    counter = iter(range(1, 1_000_000))

    def block_id(block: Tag) -> str:
        if not block.get("id"):
            block["id"] = f"print-anchor-{next(counter)}"
        return block["id"]

    for span in article.select("span.bibtex-citation"):
        first = span.find("a")
        if span.get("id") and first is not None and not first.get("id"):
            first["id"] = span["id"]
        elif span.get("id"):
            block = span.find_parent(_TEXT_BLOCKS)
            if block is not None:
                aliases[span["id"]] = block_id(block)
        span.unwrap()
    for span in article.find_all("span", id=True):
        if span.contents or span.parent is None or span.parent.name not in _TEXT_BLOCKS:
            continue
        aliases[span["id"]] = block_id(span.parent)
        span.decompose()
    return aliases


def style_chapter_heading(page: Page, soup: BeautifulSoup) -> None:
    """Give a chapter's H1 the line "Chapter 5" above its title."""
    heading = page.article.find("h1")
    chapter = page.info.chapter
    if heading is None or chapter is None:
        return
    heading.clear()
    label = soup.new_tag("span", attrs={"class": "chapter-label"})
    label.string = f"Chapter {chapter.number}"
    title = soup.new_tag("span", attrs={"class": "chapter-title"})
    title.string = page.title
    heading.append(label)
    heading.append(NavigableString(" "))
    heading.append(title)
    heading["data-bookmark"] = f"{chapter.number} {page.title}"


def drug_cards(page: Page, soup: BeautifulSoup) -> None:
    """Group each drug's name and facts into one card that never splits.

    ``drug-reference`` writes, per drug, a paragraph ``p#drug-<name>`` and
    its facts after it; the classes are rubrics. Print makes the rubric an
    H2 and the drug's name an H3, so each class and drug is in the outline.
    """
    for rubric in page.article.select("p.rubric"):
        rubric.name = "h2"
        rubric["class"] = ["drug-class"]
    for name in page.article.select('p[id^="drug-"]'):
        card = soup.new_tag("div", attrs={"class": "drug-card"})
        name.insert_before(card)
        following = []
        for sibling in name.find_next_siblings():
            if sibling.name in ("h1", "h2", "h3", "section") or (sibling.name == "p" and str(sibling.get("id", "")).startswith("drug-")):
                break
            following.append(sibling)
        name.name = "h3"
        name["class"] = ["drug-name"]
        card.append(name.extract())
        for sibling in following:
            card.append(sibling.extract())


def prefix_ids(page: Page) -> None:
    prefix = page.docname + "--"
    for element in page.article.find_all(id=True):
        element["id"] = prefix + element["id"]


def rewrite_links(page: Page, resolve: "LinkResolver") -> None:
    for link in page.article.find_all("a", href=True):
        resolve(page.docname, link)
    for link in page.article.find_all("a"):
        # A title repeats the reference text; on paper it is never seen.
        if link.has_attr("title"):
            del link["title"]


class LinkResolver:
    """Rewrite a link of the built site into a link of the print edition."""

    def __init__(self, in_print: set[str], aliases: dict[str, dict[str, str]] | None = None) -> None:
        self.in_print = in_print
        self.aliases = aliases or {}

    def target(self, docname: str, href: str) -> str | None:
        """The id a site link points at in print, or None if it leaves the edition."""
        page, fragment = urldefrag(href)
        target_doc = unquote(page).removesuffix(".html") if page else docname
        if target_doc == "genindex":
            return INDEX_ID
        if target_doc not in self.in_print:
            return None
        if not fragment:
            return f"doc-{target_doc}"
        fragment = self.aliases.get(target_doc, {}).get(fragment, fragment)
        return f"{target_doc}--{fragment}"

    def __call__(self, docname: str, link: Tag) -> None:
        href = link["href"]
        if urlsplit(href).scheme:
            return  # external: kept as it is
        target = self.target(docname, href)
        if target is None:
            unwrap_link(link)
        else:
            link["href"] = "#" + target


# -- the whole book ------------------------------------------------------------------------


def load_book(html_dir: Path, edition: Edition, chapters: list[Chapter], only: set[str] | None = None) -> Book:
    """Read, clean and number the pages of the print edition (``only`` these, if given).

    A chapter edition reads its own page only: parsing every page costs a
    chapter's worker about as much as laying the chapter out.
    """
    order = book_order(html_dir, chapters)
    book = Book(html_dir, edition, chapters, order=order)
    for info in order:
        if only is not None and info.docname not in only:
            continue
        source = html_dir / f"{info.docname}.html"
        soup = read_soup(source)
        page = clean_article(soup, info, source)
        style_chapter_heading(page, soup)
        if info.docname == "drug-reference":
            drug_cards(page, soup)
        book.pages.append(page)
    return book


def glossary_entries(book: Book) -> dict[str, tuple[str, str]]:
    """Glossary term id (``term-Biologic``) -> (term, definition as HTML, links removed)."""
    soup = read_soup(book.html_dir / f"{GLOSSARY}.html")
    entries = {}
    for term in soup.select("dl.glossary > dt[id]"):
        for element in term.select(SCREEN_ONLY):
            element.decompose()
        definition = term.find_next_sibling("dd")
        if definition is None:
            continue
        for link in definition.find_all("a"):
            link.unwrap()
        entries[term["id"]] = (term.get_text(" ", strip=True), definition.decode_contents().strip())
    return entries


def escape(text: str) -> str:
    return html.escape(text, quote=True)


def human_date(date: dt.date) -> str:
    return f"{date.day} {date.strftime('%B %Y')}"


def next_review(edition_date: dt.date) -> dt.date:
    """One year after the edition's date (29 February becomes 28 February)."""
    try:
        return edition_date.replace(year=edition_date.year + 1)
    except ValueError:
        return edition_date.replace(year=edition_date.year + 1, day=28)


def wrap_document(body: str, *, title: str, edition: Edition, description: str) -> str:
    keywords = ", ".join(edition.keywords)
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(edition.language)}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        f'<meta name="author" content="{escape(edition.author)}">'
        f'<meta name="description" content="{escape(description)}">'
        f'<meta name="keywords" content="{escape(keywords)}">'
        f"</head><body>\n{body}\n</body></html>\n"
    )


def page_section(page: Page, extra_class: str = "") -> str:
    """A page of the book as one section of the print document."""
    kind = "chapter" if page.info.chapter is not None else "book-page"
    running = f"Chapter {page.info.chapter.number} · {page.title}" if page.info.chapter else page.title
    classes = " ".join(c for c in ("print-page", kind, f"page-{page.docname}", extra_class) if c)
    heading = page.article.find("h1")
    if heading is not None:
        # On the heading, not the section: WeasyPrint's ``first-except`` (no
        # running head on a chapter's first page) needs an element that
        # starts on one page.
        heading["data-running-head"] = running
    inner = page.article.decode_contents()
    return f'<section class="{classes}" id="{page.info.anchor}">{inner}</section>'



def section_headings(page: Page) -> list[tuple[str, str]]:
    """(id, text) of a page's H2 sections, for the contents."""
    found = []
    for heading in page.article.find_all("h2"):
        target = heading.get("id")
        if target:
            found.append((target, heading.get_text(" ", strip=True)))
    return found


def contents(book: Book) -> str:
    """The contents: every page, with the sections of each chapter."""
    items = []
    part = None
    for page in book.pages:
        if page.info.part != part and page.info.part:
            items.append(f'<li class="toc-part"><span>{escape(page.info.part)}</span></li>')
        part = page.info.part
        chapter = page.info.chapter
        label = f'<span class="toc-number">{chapter.number}</span> ' if chapter else ""
        sub = ""
        if chapter is not None:
            entries = "".join(
                f'<li class="toc-section"><a class="toc-link" href="#{escape(target)}">{escape(text)}</a></li>'
                for target, text in section_headings(page)
            )
            sub = f'<ul class="toc-sections">{entries}</ul>' if entries else ""
        items.append(
            f'<li class="toc-page{" toc-chapter" if chapter else ""}">'
            f'<a class="toc-link" href="#{page.info.anchor}">{label}{escape(page.title)}</a>{sub}</li>'
        )
    items.append(f'<li class="toc-page"><a class="toc-link" href="#{INDEX_ID}">Index</a></li>')
    return (
        '<section class="print-page contents" id="doc-contents">'
        f'<h1 data-running-head="Contents">Contents</h1><ul class="toc">{"".join(items)}</ul></section>'
    )


def about_section(book: Book, section_id: str) -> str:
    """The paragraphs of a section of the About page (its wording, one source)."""
    about = book.page("about")
    if about is None:
        raise PrintError("book/about.md: the About page is not in the book's contents")
    section = about.article.find(id=f"about--{section_id}")
    if section is not None and _HEADING.match(section.name):
        section = section.parent  # the section's id is on its heading (anchor_sections_at_headings)
    if section is None:
        raise PrintError(f"book/about.md: no section '{section_id}' (the imprint quotes it)")
    parts = [child for child in section.children if isinstance(child, Tag) and child.name in ("p", "blockquote", "ul")]
    return "".join(str(p) for p in parts)


def cover_and_imprint(book: Book) -> str:
    edition = book.edition
    date = dt.date.fromisoformat(edition.date)
    reviewed = last_reviewed_dates(p.info for p in book.pages)
    review_line = ""
    if reviewed:
        first, last = min(reviewed.values()), max(reviewed.values())
        span = human_date(last) if first == last else f"between {human_date(first)} and {human_date(last)}"
        review_line = f"<p><strong>Last reviewed:</strong> the medical content of every chapter was last reviewed {span}.</p>"
    due = next_review(date)
    about = book.page("about")
    about_link = f'<a class="page-ref" href="#{about.info.anchor}">the About page</a>' if about else "the About page"
    cover = (
        '<section class="cover" id="doc-cover">'
        f'<p class="cover-title">{escape(edition.title)}</p>'
        f'<p class="cover-subtitle">{escape(edition.subtitle)}</p>'
        f'<p class="cover-edition">Edition {escape(edition.edition)} · {escape(edition.human_date)}</p>'
        f'<p class="cover-notice">{escape(edition.notice)}</p>'
        f'<p class="cover-author">{escape(edition.author)}</p>'
        "</section>"
    )
    imprint = (
        '<section class="imprint" id="doc-imprint">'
        "<h1>About this edition</h1>"
        f"<p><strong>{escape(edition.title)}:</strong> {escape(edition.subtitle)}.</p>"
        f"<p><strong>Edition {escape(edition.edition)},</strong> published {escape(edition.human_date)}.</p>"
        f"{review_line}"
        f"<p><strong>Next review due:</strong> {human_date(due)}, one year after this edition’s date.</p>"
        f'<div class="imprint-notice"><p><strong>{escape(edition.notice)}.</strong></p>'
        f'{about_section(book, "not-medical-advice")}</div>'
        f'<h2>Licence</h2>{about_section(book, "licences")}'
        f'<h2>How to cite</h2>{about_section(book, "how-to-cite")}'
        f'<h2>Reporting an error</h2>{about_section(book, "reporting-an-error")}'
        f"<p>More about the handbook, and how its facts were checked: see {about_link}.</p>"
        "</section>"
    )
    return cover + imprint


def index_section(blocks: str = "") -> str:
    """The index's section: its heading and, once the pages are known, its entries."""
    return (
        f'<section class="print-page book-index" id="{INDEX_ID}">'
        f'<h1 data-running-head="Index">Index</h1>{blocks}</section>'
    )


def book_index(book: Book, resolve: LinkResolver, page_of: dict[str, int]) -> str:
    """The index, from Sphinx's genindex page, with the page numbers of the print edition.

    Entries that differ only in capitals ("Inflammation", "inflammation")
    or by a plural "s" ("Biologic", "biologics") are one entry; the page of a
    glossary definition is set in bold. ``page_of`` (id -> page, from laying
    out the book) orders an entry's pages and lists each page once.
    """
    soup = read_soup(book.html_dir / "genindex.html")
    letters: dict[str, dict[str, dict[str, object]]] = {}
    for heading in soup.select("article h2"):
        letter = heading.get_text(strip=True)
        entries = letters.setdefault(letter, {})
        table = heading.find_next_sibling("table")
        if table is None:
            continue
        for item in table.select("td > ul > li"):
            _collect_entry(item, entries, resolve)
    blocks = []
    for letter, entries in letters.items():
        if not entries:
            continue
        lines = [_index_line(entry, page_of) for entry in entries.values()]
        blocks.append(f'<h2 class="index-letter">{escape(letter)}</h2><ul class="index-entries">{"".join(lines)}</ul>')
    return index_section("".join(blocks))


def _collect_entry(item: Tag, entries: dict[str, dict[str, object]], resolve: LinkResolver) -> None:
    links = item.find_all("a", href=True, recursive=False)
    if links:
        term = links[0].get_text(" ", strip=True)
    else:
        term = (item.find(string=True, recursive=False) or "").strip()
    if not term:
        return
    key = term.casefold()
    if key.endswith("s") and key[:-1] in entries:
        key = key[:-1]  # "biologics" joins "Biologic": one entry, not two
    entry = entries.setdefault(key, {"term": term, "refs": [], "subs": []})
    for link in links:
        target = resolve.target("genindex", link["href"])
        if target is not None:
            main = link.find("strong") is not None
            entry["refs"].append((target, main))  # type: ignore[union-attr]
    for sub in item.select(":scope > ul > li"):
        text_links = sub.find_all("a", href=True, recursive=False)
        sub_term = text_links[0].get_text(" ", strip=True) if text_links else sub.get_text(" ", strip=True)
        refs = [(t, False) for t in (resolve.target("genindex", a["href"]) for a in text_links) if t]
        entry["subs"].append((sub_term, refs))  # type: ignore[union-attr]


def _refs_html(refs: list[tuple[str, bool]], page_of: dict[str, int]) -> str:
    """An entry's page numbers, in page order, each page once (bold if any is the main one)."""
    missing = sorted({target for target, _ in refs if target not in page_of})
    if missing:
        raise PrintError(f"the index points at {', '.join(missing)}, which the laid-out book does not have")
    pages: dict[int, tuple[str, bool]] = {}
    for target, main in sorted(refs, key=lambda ref: page_of[ref[0]]):
        first = pages.get(page_of[target])
        pages[page_of[target]] = (first[0], first[1] or main) if first else (target, main)
    return ", ".join(
        f'<a class="index-ref{" index-main" if main else ""}" href="#{escape(target)}">{page}</a>'
        for page, (target, main) in pages.items()
    )


def _index_line(entry: dict[str, object], page_of: dict[str, int]) -> str:
    refs = _refs_html(entry["refs"], page_of)  # type: ignore[arg-type]
    subs = ""
    if entry["subs"]:
        rows = []
        for sub_term, sub_refs in entry["subs"]:  # type: ignore[union-attr]
            sub_links = _refs_html(sub_refs, page_of)
            rows.append(f"<li>{escape(sub_term)}{(' ' + sub_links) if sub_links else ''}</li>")
        subs = f'<ul class="index-sub">{"".join(rows)}</ul>'
    return f'<li><span class="index-term">{escape(str(entry["term"]))}</span>{(" " + refs) if refs else ""}{subs}</li>'


def check_links(document: str, where: str, elsewhere: Iterable[str] = ()) -> None:
    """Every internal link of the assembled document lands on an id in it (or ``elsewhere``)."""
    ids = set(re.findall(r'\sid="([^"]+)"', document)) | set(elsewhere)
    missing = sorted({href for href in re.findall(r'\shref="#([^"]*)"', document) if href not in ids})
    if missing:
        raise PrintError(f"{where}: internal links with no target in the print edition: {', '.join(missing[:10])}")


def move_figures(root: Tag, moves: dict[str, int]) -> None:
    """Move figures among their siblings: ``{id: n}`` puts the figure after the
    n elements that follow it, ``{id: -n}`` before the n-th element before it.

    Print's stand-in for a page float (``print_edition.stranded_figures``
    says which figures and how far); the figure stays in its own section.
    Each figure is moved at most once, however often this is called.
    """
    for figure_id, offset in moves.items():
        figure = root.find("figure", id=figure_id)
        if figure is None or figure.get("data-moved") or not offset:
            continue
        siblings = figure.find_next_siblings() if offset > 0 else figure.find_previous_siblings()
        if len(siblings) < abs(offset):
            raise PrintError(f"figure {figure_id} has no {abs(offset)} elements to move past; this is a bug in print_edition.py")
        anchor = siblings[abs(offset) - 1]
        figure.extract()
        if offset > 0:
            anchor.insert_after(figure)
        else:
            anchor.insert_before(figure)
        figure["data-moved"] = "1"


def book_resolver(book: Book) -> LinkResolver:
    return LinkResolver({p.docname for p in book.pages} | {"genindex"}, {p.docname: p.aliases for p in book.pages})


def book_html(book: Book, moves: dict[str, int] | None = None) -> str:
    """The whole book as one print document, with the index's heading only.

    The index's page numbers are known once the book is laid out: it is then
    laid out on its own (``index_html``) and takes the place of the heading's
    page. ``moves``: figures to move (``move_figures``), applied once.
    """
    resolve = book_resolver(book)
    if not book.prepared:
        for page in book.pages:
            prefix_ids(page)
            rewrite_links(page, resolve)
        book.prepared = True
    for page in book.pages:
        move_figures(page.article, moves or {})
    body = [cover_and_imprint(book), contents(book)]
    body += [page_section(page) for page in book.pages]
    body.append(index_section())
    document = wrap_document(
        "\n".join(body), title=f"{book.edition.title}: {book.edition.subtitle}", edition=book.edition,
        description=book.edition.subject,
    )  # fmt: skip
    check_links(document, "the book's print edition")
    return document


def index_html(book: Book, page_of: dict[str, int]) -> str:
    """The book's index as a document of its own, its links pointing into the book.

    ``page_of``: the page of every id in the laid-out ``book_html``.
    """
    document = wrap_document(
        book_index(book, book_resolver(book), page_of), title=f"{book.edition.title}: Index", edition=book.edition,
        description=book.edition.subject,
    )  # fmt: skip
    check_links(document, "the book's index", elsewhere=page_of)
    return document


# -- one chapter ---------------------------------------------------------------------------


def chapter_html(book: Book, chapter: Chapter, moves: dict[str, int] | None = None) -> str:
    """One chapter as a print document that belongs to the book.

    Call on a freshly loaded ``Book`` (its pages are changed in place).
    ``moves``: the book's figure moves (a chapter edition starts on a new page
    as in the book, so its pages break where the book's do).
    """
    page = book.page(chapter.docname)
    if page is None:
        raise PrintError(f"book/{chapter.docname}.md: the chapter is not in the built book")
    soup = BeautifulSoup("", "html.parser")
    titles = {info.docname: info for info in book.order}
    glossary = glossary_entries(book)
    words: dict[str, tuple[str, str]] = {}
    mentioned: dict[str, BookPage] = {}
    real_base = not book.edition.has_placeholder_baseurl
    for link in page.article.find_all("a", href=True):
        href = link["href"]
        if urlsplit(href).scheme:
            continue  # already an address elsewhere
        target_page, fragment = urldefrag(href)
        target_doc = unquote(target_page).removesuffix(".html")
        if not target_page or target_doc == chapter.docname:
            fragment = page.aliases.get(fragment, fragment)
            link["href"] = f"#{chapter.docname}--{fragment}" if fragment else f"#{page.info.anchor}"
        elif target_doc == GLOSSARY and fragment in glossary:
            words.setdefault(fragment, glossary[fragment])
            link["href"] = f"#words--{fragment}"
        elif target_doc in titles:
            mentioned.setdefault(target_doc, titles[target_doc])
            link["href"] = hosted_address(book.edition.baseurl, target_doc, fragment) if real_base else f"#mentioned--{target_doc}"
        else:
            unwrap_link(link)
    for link in page.article.find_all("a", title=True):
        del link["title"]
    prefix_ids(page)
    move_figures(page.article, moves or {})
    extras = _words_box(words) + _mentioned_box(book, mentioned, real_base)
    _insert_before_references(page, soup, extras)
    body = page_section(page)
    title = f"{book.edition.title}: Chapter {chapter.number}, {page.title}"
    document = wrap_document(body, title=title, edition=book.edition, description=book.edition.subject)
    check_links(document, f"the print edition of book/{chapter.docname}.md")
    return document


def _words_box(words: dict[str, tuple[str, str]]) -> str:
    if not words:
        return ""
    rows = "".join(
        f'<dt id="words--{escape(term_id)}">{escape(term)}</dt><dd>{definition}</dd>'
        for term_id, (term, definition) in sorted(words.items(), key=lambda item: item[1][0].casefold())
    )
    return (
        '<section class="words-used" id="words-used"><h2>Words used in this chapter</h2>'
        f'<dl class="words">{rows}</dl></section>'
    )


def _mentioned_box(book: Book, mentioned: dict[str, BookPage], real_base: bool) -> str:
    edition = book.edition
    order = [info.docname for info in book.order]
    items = []
    for docname in sorted(mentioned, key=order.index):
        info = mentioned[docname]
        name = f"Chapter {info.chapter.number}, {info.chapter.title}" if info.chapter else info.title
        address = ""
        if real_base:
            url = hosted_address(edition.baseurl, docname)
            address = f': <a class="url" href="{escape(url)}">{escape(url)}</a>'
        items.append(f'<li id="mentioned--{escape(docname)}">{escape(name)}{address}</li>')
    mentioned_html = (
        f'<h2>Other chapters mentioned</h2><ul class="mentioned">{"".join(items)}</ul>' if items else ""
    )
    where = f" The whole book is at {escape(edition.baseurl)}." if real_base else ""
    return (
        '<section class="chapter-edition" id="chapter-edition">'
        f"{mentioned_html}"
        f'<p class="edition-note">This chapter is part of the {escape(edition.title)}, edition {escape(edition.edition)} '
        f"({escape(edition.human_date)}), and keeps the book’s chapter, section, table and page numbers.{where} "
        f"{escape(edition.notice)}. Text licensed CC BY 4.0.</p></section>"
    )


def _insert_before_references(page: Page, soup: BeautifulSoup, extras: str) -> None:
    """Put the chapter's closing boxes just before its reference list (which ends it)."""
    fragment = BeautifulSoup(extras, "html.parser")
    references = None
    for heading in page.article.find_all("h2"):
        if heading.get_text(" ", strip=True).split(" ", 1)[-1].strip().lower() == "references":
            references = heading.find_parent("section")
    if references is not None:
        for element in list(fragment.children):
            references.insert_before(element)
    else:
        top = page.article.find("section") or page.article
        for element in list(fragment.children):
            top.append(element)

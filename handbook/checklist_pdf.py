"""The one-page treatment safety checklist as a PDF, from its HTML page.

The checklist is a page of the book (``book/checklist.md``). A nurse hands
it out on paper, so it is printed from the built HTML page with its own
print stylesheet (``_print/checklist.css``) by WeasyPrint, as a
tagged PDF (PDF/UA-1), on A4 and on US Letter. Only the article is kept:
navigation, buttons and ``¶`` links are removed from the HTML, not hidden,
so they are not in the file at all.

A checklist that no longer fits on one page fails the build: it is meant to
be one sheet.
"""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

from handbook.meta import load_edition
from handbook.print_edition import pdf_date

ROOT = Path(__file__).resolve().parent.parent
STYLESHEET = ROOT / "_print" / "checklist.css"
PAGE = "checklist.html"
PAPER_SIZES = {"a4": "A4", "letter": "letter"}
# Screen furniture inside the article that has no place on paper.
SCREEN_ONLY = "a.headerlink, button, .handbook-downloads, script, .bd-sidebar-secondary, .prev-next-area, nav"


class ChecklistError(Exception):
    """The checklist could not be printed as one page."""


def printable_html(page: Path, title: str, language: str, baseurl: str | None = None) -> str:
    """The article of the built page, in a bare document for print.

    A link to another page of the book points at the hosted book
    (``baseurl``); with no real host (``None``) it keeps its words and loses
    the link: a local file path would send the reader nowhere, and would
    make the PDF differ with the folder it was built in.
    """
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    article = soup.select_one("article.bd-article") or soup.select_one("main")
    if article is None:
        raise ChecklistError(f"{page}: no article found in the built page")
    for element in article.select(SCREEN_ONLY):
        element.decompose()
    for link in article.select("a[href]"):
        href = link["href"]
        if href.startswith(("#", "http://", "https://", "mailto:")):
            continue
        if baseurl:
            link["href"] = baseurl + href
        else:
            link.unwrap()
    return (
        f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8">'
        f"<title>{title}</title></head><body>{article}</body></html>"
    )


def render(html_dir: Path, target: Path, paper: str, *, title: str, language: str, author: str, epoch: int,
           baseurl: str | None) -> int:
    """Write the checklist PDF; return its number of pages (always 1, or raise).

    ``epoch`` (SOURCE_DATE_EPOCH) dates the file, and its identifier is a hash
    of its content, so one commit always gives the same bytes.
    """
    from weasyprint import CSS, HTML  # imported here: a second or so, only when printing

    page = html_dir / PAGE
    html = HTML(string=printable_html(page, title, language, baseurl), base_url=str(html_dir))
    edition = load_edition()
    footer = f"{edition.notice}. {edition.title}.".replace("\\", "\\\\").replace('"', '\\"')
    page_rule = f'@page {{ size: {PAPER_SIZES[paper]}; @bottom-center {{ content: "{footer}"; }} }}\n'
    css = CSS(string=page_rule + STYLESHEET.read_text(encoding="utf-8"))
    document = html.render(stylesheets=[css])
    if len(document.pages) != 1:
        raise ChecklistError(
            f"book/checklist.md: the checklist takes {len(document.pages)} pages on {PAPER_SIZES[paper]} paper; "
            "it must fit on one: shorten it"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.tmp")
    document.metadata.authors = [author]
    document.metadata.created = document.metadata.modified = pdf_date(epoch)
    document.metadata.generator = None
    document.write_pdf(staging, pdf_variant="pdf/ua-1", pdf_identifier=True, uncompressed_pdf=False)
    staging.replace(target)
    return len(document.pages)

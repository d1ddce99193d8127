"""The one-page treatment safety checklist as a PDF, from its HTML page.

The checklist is a page of the book (``book/checklist.md``). A nurse hands
it out on paper, so it is printed from the built HTML page with its own
print stylesheet (``_static/checklist-sheet.css``) by WeasyPrint, as a
tagged PDF (PDF/UA-1), on A4 and on US Letter. Only the article is kept:
navigation, buttons and ``¶`` links are removed from the HTML, not hidden,
so they are not in the file at all.

A checklist that no longer fits on one page fails the build: it is meant to
be one sheet.
"""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
STYLESHEET = ROOT / "_static" / "checklist-sheet.css"
PAGE = "checklist.html"
PAPER_SIZES = {"a4": "A4", "letter": "letter"}
# Screen furniture inside the article that has no place on paper.
SCREEN_ONLY = "a.headerlink, button, .handbook-downloads, script, .bd-sidebar-secondary, .prev-next-area, nav"


class ChecklistError(Exception):
    """The checklist could not be printed as one page."""


def printable_html(page: Path, title: str, language: str) -> str:
    """The article of the built page, in a bare document for print."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    article = soup.select_one("article.bd-article") or soup.select_one("main")
    if article is None:
        raise ChecklistError(f"{page}: no article found in the built page")
    for element in article.select(SCREEN_ONLY):
        element.decompose()
    return (
        f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8">'
        f"<title>{title}</title></head><body>{article}</body></html>"
    )


def render(html_dir: Path, target: Path, paper: str, *, title: str, language: str, author: str) -> int:
    """Write the checklist PDF; return its number of pages (always 1, or raise)."""
    from weasyprint import CSS, HTML  # imported here: a second or so, only when printing

    page = html_dir / PAGE
    html = HTML(string=printable_html(page, title, language), base_url=str(html_dir))
    css = CSS(string=f"@page {{ size: {PAPER_SIZES[paper]}; }}\n" + STYLESHEET.read_text(encoding="utf-8"))
    document = html.render(stylesheets=[css])
    if len(document.pages) != 1:
        raise ChecklistError(
            f"book/checklist.md: the checklist takes {len(document.pages)} pages on {PAPER_SIZES[paper]} paper; "
            "it must fit on one: shorten it"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.tmp")
    document.metadata.authors = [author]
    document.write_pdf(staging, pdf_variant="pdf/ua-1", uncompressed_pdf=False)
    staging.replace(target)
    return len(document.pages)

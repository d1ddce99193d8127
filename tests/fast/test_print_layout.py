"""Stranded figures in the print edition, on small documents laid out by WeasyPrint.

WeasyPrint has no page floats: a figure that does not fit below the text
goes to the next page and leaves a gap. ``print_edition.stranded_figures``
finds such figures in a laid-out chapter, ``print_html.move_figures`` moves
them within their section, and the book and the chapter's edition are laid
out with them moved. These tests need no book build: each lays out a page or
three.
"""

from __future__ import annotations

import re

import pytest
from handbook.meta import load_edition

from handbook import print_edition
from handbook.print_html import move_figures, wrap_document

# A figure 160 mm wide (the print stylesheet's width) and 133 mm high.
PICTURE = (
    "data:image/svg+xml;utf8,<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 600 500' width='600' height='500'>"
    "<rect width='600' height='500' fill='%23dde'/></svg>"
)
SENTENCE = "Live vaccines are avoided during treatment, and the team checks blood counts on a schedule. "


def paragraph(sentences: int, marker: str = "") -> str:
    return f"<p>{marker}{SENTENCE * sentences}</p>"


def figure(figure_id: str = "fig") -> str:
    return f'<figure id="{figure_id}"><img src="{PICTURE}" alt="A test picture"><figcaption><p>Figure 1</p></figcaption></figure>'


def document(*blocks: str) -> str:
    body = f'<section class="print-page chapter" id="doc-test"><section id="s"><h2>A section</h2>{"".join(blocks)}</section></section>'
    return wrap_document(body, title="Layout test", edition=load_edition(), description="A layout test")


def lay_out(html: str):  # noqa: ANN201
    return print_edition.render(html, print_edition.ROOT, "a4", load_edition())


def page_of(laid_out, element_id: str) -> int:  # noqa: ANN001
    return print_edition.anchor_pages(laid_out)[element_id]


@pytest.fixture(scope="module", autouse=True)
def fonts() -> None:
    try:
        print_edition.font_faces()
    except print_edition.PrintError as error:
        pytest.fail(str(error), pytrace=False)


def test_a_figure_that_fits_is_left_where_it_is() -> None:
    assert print_edition.stranded_figures(lay_out(document(paragraph(4), figure(), paragraph(4)))) == {}


def test_a_stranded_figure_lets_the_text_after_it_fill_the_gap() -> None:
    # About 150 mm of text, then the figure: it goes overleaf, 100 mm empty.
    blocks = [paragraph(20), figure(), *(paragraph(3, f"Later paragraph {n}. ") for n in range(1, 9))]
    first = lay_out(document(*blocks))
    assert page_of(first, "fig") == 2, "the test document no longer strands its figure"
    moves = print_edition.stranded_figures(first)
    assert set(moves) == {"fig"} and moves["fig"] > 0, moves
    laid_out = lay_out(moved(blocks, moves))
    assert print_edition.stranded_figures(laid_out) == {}, "the figure still leaves a gap"
    text = re.sub(r"\s+", " ", " ".join(_page_text(laid_out, 1)))
    assert "Later paragraph 1." in text, "the text after the figure did not move up to page 1"
    assert page_of(laid_out, "fig") == 2


def test_a_figure_that_ends_its_section_moves_up_to_where_it_fits() -> None:
    blocks = [paragraph(8), paragraph(12), figure()]
    first = lay_out(document(*blocks))
    assert page_of(first, "fig") == 2, "the test document no longer strands its figure"
    moves = print_edition.stranded_figures(first)
    assert moves == {"fig": -1}, moves
    laid_out = lay_out(moved(blocks, moves))
    assert page_of(laid_out, "fig") == 1
    assert print_edition.stranded_figures(laid_out) == {}


def test_a_figure_never_moves_above_its_sections_heading() -> None:
    # Nothing in the section above or below the figure can make room for it.
    blocks = [paragraph(28), figure()]
    assert print_edition.stranded_figures(lay_out(document(*blocks))) == {}


def moved(blocks: list[str], moves: dict[str, int]) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(document(*blocks), "html.parser")
    move_figures(soup, moves)
    return str(soup)


def _page_text(laid_out, number: int) -> list[str]:  # noqa: ANN001
    """The text WeasyPrint set on page ``number`` (1-based)."""
    from weasyprint.formatting_structure import boxes

    root = laid_out.pages[number - 1]._page_box.children[0]
    return [box.text for box in root.descendants() if isinstance(box, boxes.TextBox)]

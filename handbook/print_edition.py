#!/usr/bin/env python3
"""The designed, accessible PDF edition: the book and every chapter, by WeasyPrint.

    print_edition.py HTML_DIR OUT_DIR [--paper a4|letter] [--jobs 2] [--only book|chapters]

Issue 12's route: Sphinx's HTML pages, assembled for print by
``handbook/print_html.py``, styled by our own print stylesheet
(``_print/book.css``) and rendered by WeasyPrint as tagged PDF/UA-1,
on A4 or US Letter. It writes ``OUT_DIR/<book stem>.pdf`` and
``OUT_DIR/chapters/NN-slug.pdf``.

Each chapter is first laid out on its own, in worker processes, to find the
figures a page break strands (``stranded_figures``; WeasyPrint has no page
floats), and those move within their section, in the book and in the
chapter's edition alike. The book is then laid out once: the page each
chapter starts on in the book is the first page number of its chapter
edition, so "see page 57" means the same page in both. The chapter editions
are laid out two at a time in worker processes (one per core) while the
book's index is set and its PDF written; a chapter edition whose input
(HTML, CSS, first page, date, this code) is unchanged since its PDF was
written is left as it is (``OUT_DIR/chapter-inputs.json``).

Two runs give identical bytes: the PDF's dates come from
``SOURCE_DATE_EPOCH`` (the build sets it from the last commit) and its file
identifier is a hash of its content.

Exit status: 0 written, 1 a page could not be printed (the message names
it), 2 bad usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import multiprocessing
import os
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from handbook import print_html
from handbook.meta import Chapter, Edition, load_chapters, load_edition
from handbook.settings import SettingsError, from_environment
from handbook.print_html import PrintError

STYLESHEET = ROOT / "_print" / "book.css"
PAPERS = {"a4": ("A4", 210.0, 297.0), "letter": ("letter", 215.9, 279.4)}
# The text block's width, the same on both papers: at 12 pt Open Sans this
# gives 65-75 characters a line (measured with pdftotext on the book).
MEASURE_MM = 150.0
MARGIN_TOP_MM, MARGIN_BOTTOM_MM = 24.0, 22.0
# Figures print wider than the text, 5 mm into each margin, so that the widest
# (760 units, 16-unit text) prints no text under 9 pt; and never taller than
# this (tests/test_print_edition.py checks every figure's smallest text).
FIGURE_WIDTH_MM, FIGURE_MAX_HEIGHT_MM = 160.0, 200.0
# Open Sans from Debian's fonts-open-sans (the Makefile installs it),
# embedded from its files so that no other font can stand in unnoticed.
FONT_DIR = Path("/usr/share/fonts/truetype/open-sans")
FONT_FILES = (
    ("OpenSans-Regular.ttf", 400, "normal"),
    ("OpenSans-Italic.ttf", 400, "italic"),
    ("OpenSans-Semibold.ttf", 600, "normal"),
    ("OpenSans-SemiboldItalic.ttf", 600, "italic"),
    ("OpenSans-Bold.ttf", 700, "normal"),
    ("OpenSans-BoldItalic.ttf", 700, "italic"),
    ("OpenSans-ExtraBold.ttf", 800, "normal"),
)
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_identifier": True, "uncompressed_pdf": False}
PRINT_CODE = (Path(__file__).resolve(), ROOT / "handbook" / "print_html.py", ROOT / "handbook" / "meta.py")
# In OUT_DIR: the input hash of each chapter edition written (input_hash), and
# the figures each chapter moves (chapter_figure_moves), with its input hash.
CHAPTER_INPUTS = "chapter-inputs.json"
FIGURE_MOVES = "figure-moves.json"


@dataclass(frozen=True)
class Job:
    """One chapter edition to render in a worker process."""

    html_dir: Path
    chapter: Chapter
    paper: str
    first_page: int
    target: Path
    epoch: int
    previous_input: str | None  # the input hash of the PDF at target, from the last good run
    moves: tuple[tuple[str, int], ...] = ()  # the book's figure moves (stranded_figures)
    edition: Edition | None = None  # None: edition.yaml's, with its base URL


def input_hash(document_html: str, css: str, epoch: int) -> str:
    """What a PDF is made from: its HTML, its CSS, its date and the code that prints it.

    A chapter edition whose hash is unchanged since its PDF was written is
    not laid out again: an edit to one chapter prints that chapter's PDF
    (and the book's), not all seven.
    """
    import weasyprint

    digest = hashlib.sha256(f"{weasyprint.__version__}\n{PDF_OPTIONS}\n{epoch}\n".encode())
    for code in PRINT_CODE:
        digest.update(code.read_bytes())
    digest.update(css.encode())
    digest.update(document_html.encode())
    return digest.hexdigest()


def font_faces() -> str:
    missing = [name for name, _, _ in FONT_FILES if not (FONT_DIR / name).is_file()]
    if missing:
        raise PrintError(
            f"{FONT_DIR}: missing {', '.join(missing)}; install the Debian package fonts-open-sans (make system-deps)"
        )
    return "".join(
        f'@font-face {{ font-family: "Open Sans"; src: url("{(FONT_DIR / name).as_uri()}"); '
        f"font-weight: {weight}; font-style: {style}; }}\n"
        for name, weight, style in FONT_FILES
    )


def page_css(paper: str, edition: Edition, first_page: int | None = None) -> str:
    """What the stylesheet leaves to the build: paper, margins, fonts, title, first page number."""
    size, width, _ = PAPERS[paper]
    side = (width - MEASURE_MM) / 2
    css = font_faces()
    css += f"@page {{ size: {size}; margin: {MARGIN_TOP_MM}mm {side:.2f}mm {MARGIN_BOTTOM_MM}mm {side:.2f}mm; }}\n"
    title = edition.title.replace("\\", "\\\\").replace('"', '\\"')
    # Set with each page's H1, so that (with ``first-except``) a chapter's
    # opening page has no running head at all.
    notice = f"Edition {edition.edition} · {edition.notice}".replace('"', '\\"')
    css += (f'h1[data-running-head] {{ string-set: chapter attr(data-running-head), book-title "{title}", '
            f'footer-notice "{notice}"; }}\n')
    overhang = (FIGURE_WIDTH_MM - MEASURE_MM) / 2
    css += (f"figure img {{ width: {FIGURE_WIDTH_MM:g}mm; margin: 0 -{overhang:g}mm; "
            f"max-height: {FIGURE_MAX_HEIGHT_MM:g}mm; }}\n")
    if first_page is not None:
        # The chapter edition carries the book's page numbers.
        css += f"@page :first {{ counter-reset: page {first_page}; }}\n"
    return css + STYLESHEET.read_text(encoding="utf-8")


def pdf_date(epoch: int) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def render(document_html: str, html_dir: Path, paper: str, edition: Edition, first_page: int | None = None,
           css_text: str | None = None):  # noqa: ANN201
    """Lay the document out (WeasyPrint's Document)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    css_text = page_css(paper, edition, first_page) if css_text is None else css_text
    css = CSS(string=css_text, base_url=str(ROOT), font_config=fonts)
    html = HTML(string=document_html, base_url=str(html_dir) + "/")
    return html.render(stylesheets=[css], font_config=fonts)


# A page left emptier than this, before a figure that opens the next page,
# counts as a gap worth moving the figure for (stranded_figures).
STRANDED_GAP = 0.3
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


def stranded_figures(document) -> dict[str, int]:  # noqa: ANN001
    """Figures that a page break stranded, and where to move each: ``{id: n}``.

    A figure that does not fit below the text goes to the next page and
    leaves a gap (WeasyPrint has no page floats). Where the gap is more than
    ``STRANDED_GAP`` of the page, the figure moves within its section: after
    the blocks that follow it (paragraphs, lists, whole subsections), as many
    as fill the gap (``n`` > 0), or, if it ends its section, before the last
    blocks above it, so that it fits on the page (``n`` < 0), never above
    the section's heading. A figure that fits nowhere stays.

    Reads the laid-out boxes (``Page._page_box``; WeasyPrint 70, pinned):
    the public ``Page`` says where ids are, not where a page's text ends.
    tests/test_print_layout.py notices if an upgrade changes them.
    """
    from weasyprint.formatting_structure import boxes

    def content_bottom(root) -> float:  # noqa: ANN001
        drawn = (b for b in root.descendants() if isinstance(b, (boxes.LineBox, boxes.ReplacedBox)))
        return max((b.position_y + b.margin_height() for b in drawn), default=0.0)

    def parent_of(box, child):  # noqa: ANN001, ANN202
        for inner in getattr(box, "children", ()):
            if inner is child:
                return box
            found = parent_of(inner, child)
            if found is not None:
                return found
        return None

    def box_of(box, element):  # noqa: ANN001, ANN202
        if isinstance(box, boxes.BlockBox) and box.element is element:
            return box
        for inner in getattr(box, "children", ()):
            found = box_of(inner, element)
            if found is not None:
                return found
        return None

    def whole_blocks_after(figure, parent, page_number: int) -> list:  # noqa: ANN001
        """The figure's next siblings, as laid out, leaving out a last one that may go on overleaf."""
        on_its_page = parent.children[parent.children.index(figure) + 1 :]
        if on_its_page:
            return on_its_page[:-1]
        if page_number + 1 >= len(document.pages):
            return []
        overleaf = box_of(document.pages[page_number + 1]._page_box.children[0], parent.element)
        return list(overleaf.children[:-1]) if overleaf is not None else []

    moves: dict[str, int] = {}
    for number in range(1, len(document.pages)):
        page_box, previous = document.pages[number]._page_box, document.pages[number - 1]._page_box
        root, previous_root = page_box.children[0], previous.children[0]
        figure = next((b for b in root.descendants() if isinstance(b, boxes.BlockBox) and b.element_tag == "figure"
                       and b.margin_height() > 0 and b.position_y <= page_box.content_box_y() + 1), None)  # fmt: skip
        parent = parent_of(root, figure) if figure is not None else None
        if parent is None or not figure.element.get("id"):
            continue
        page_end = previous.content_box_y() + previous.height
        gap = page_end - content_bottom(previous_root)
        if gap < STRANDED_GAP * previous.height:
            continue
        # Offsets count the section's elements (what move_figures counts);
        # a box WeasyPrint made up (around loose inline content) is none.
        elements = list(parent.element)

        def offset(block) -> int | None:  # noqa: ANN001
            if block.element is parent.element or block.element not in elements:
                return None
            return elements.index(block.element) - elements.index(figure.element)

        # Pull up what follows the figure in its section (paragraphs, lists,
        # whole subsections), as much as fills the gap.
        last, height = None, 0.0
        for block in whole_blocks_after(figure, parent, number):
            if height + block.margin_height() > gap - 2:
                break
            height += block.margin_height()
            last = block
        forward = offset(last) if last is not None else None
        if forward:
            moves[figure.element.get("id")] = forward
            continue
        # Or, when it ends its section, put it higher up, where it fits.
        above = box_of(previous_root, parent.element)
        for block in reversed([b for b in getattr(above, "children", ()) if b.margin_height() > 0]):
            if block.element_tag in _HEADINGS:
                break
            if block.position_y + figure.margin_height() <= page_end:
                backward = offset(block)
                if backward:
                    moves[figure.element.get("id")] = backward
                break
    return moves


def scope_header_cells(document, pdf) -> None:  # noqa: ANN001
    """WeasyPrint finisher: give every table header cell its /Scope.

    WeasyPrint 70 ties data cells to their headers with /Headers and /IDs
    (enough for PDF/UA-1 clause 7.5) but writes no /Scope, even for
    ``<th scope="col">``. The ``pdfua`` checker then warns (UA-15-003) that
    no header cell is associated. A header cell in the table's head is a
    column header, one in its body a row header: say so in the file.
    """
    import pydyf

    by_number = {obj.number: obj for obj in pdf.objects if isinstance(obj, pydyf.Dictionary) and obj.number is not None}

    def parent(element):  # noqa: ANN001, ANN202
        reference = element.get("P")
        if reference is None:
            return None
        return by_number.get(int(bytes(reference).split()[0]))

    for element in by_number.values():
        if element.get("S") != "/TH":
            continue
        row = parent(element)
        group = parent(row) if row is not None else None
        scope = "/Row" if group is not None and group.get("S") == "/TBody" else "/Column"
        attributes = element.get("A")
        if isinstance(attributes, pydyf.Dictionary):
            attributes["Scope"] = scope
        else:
            element["A"] = pydyf.Dictionary({"O": "/Table", "Scope": scope})


def describe_links(document, pdf) -> None:  # noqa: ANN001
    """WeasyPrint finisher: describe each link by its text, not its target.

    PDF/UA asks for a description (/Contents) on every link annotation.
    WeasyPrint 70 writes the target there ("#risks--sec-risks-why" or the
    URL); a screen reader reads it out. The link's own words ("Chapter 2",
    "boxed warning", a page number in the index) say more.
    """
    import pydyf

    # ``Page.links`` is public; the annotation WeasyPrint hangs on the link's
    # box is not (WeasyPrint 70): test_links_are_described notices a change.
    for page in document.pages:
        for _, _, _, box in page.links:
            annotation = getattr(box, "link_annotation", None)
            if annotation is None:
                continue
            text = " ".join("".join(getattr(b, "text", "") for b in box.descendants()).split())
            # The contents' dot leaders are drawn, not read: "Risks . . . 49".
            text = re.sub(r"(?:\s*\.){3,}\s*(\d+)$", r", page \1", text)
            if text.isdigit():
                text = f"page {text}"
            if text:
                annotation["Contents"] = pydyf.String(text)


def one_annotation_per_link(document) -> None:  # noqa: ANN001
    """Keep one link annotation per link, not one per element inside it.

    WeasyPrint 70 (weasyprint/anchors.py, ``gather_anchors``) gives every
    box inside a link a link of its own (``box.link or parent_link``): an
    ``<em>`` in a citation, or the page number that ``::after`` adds in the
    index, make a second, overlapping annotation, and a screen reader hears
    the link twice. ``Page.links`` is public and read only when the PDF is
    written: keep the entries of the link's own boxes (the ``<a>``, on every
    line it spans), which cover their children. test_each_link_is_one_annotation
    notices if a WeasyPrint upgrade changes this.
    """
    for page in document.pages:
        page.links[:] = [link for link in page.links if getattr(link[3], "link", None) is not None]


def finish_pdf(document, pdf) -> None:  # noqa: ANN001
    """What the PDF needs after WeasyPrint and before it is written."""
    scope_header_cells(document, pdf)
    describe_links(document, pdf)


def write(document, target: Path, edition: Edition, epoch: int) -> None:  # noqa: ANN001
    """Write the PDF/UA-1 file through a temporary name (never half a file)."""
    document.metadata.authors = [edition.author]
    document.metadata.description = edition.subject
    document.metadata.keywords = list(edition.keywords)
    document.metadata.created = document.metadata.modified = pdf_date(epoch)
    document.metadata.generator = None
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.tmp")
    one_annotation_per_link(document)
    document.write_pdf(staging, finisher=finish_pdf, **PDF_OPTIONS)
    staging.replace(target)


def anchor_pages(document) -> dict[str, int]:  # noqa: ANN001
    """The page (1-based) of every id in a laid-out document."""
    pages: dict[str, int] = {}
    for number, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            pages.setdefault(anchor, number)
    return pages


def chapter_starts(document, chapters: list[Chapter]) -> dict[str, int]:  # noqa: ANN001
    """The book page (1-based, as printed) on which each chapter starts."""
    anchors = {f"doc-{c.docname}": c.docname for c in chapters}
    starts = {}
    for number, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            if anchor in anchors and anchors[anchor] not in starts:
                starts[anchors[anchor]] = number
    missing = [c.docname for c in chapters if c.docname not in starts]
    if missing:
        raise PrintError(f"book/{missing[0]}.md: the chapter has no page in the printed book")
    return starts


def with_index(document, book: print_html.Book, html_dir: Path, paper: str, edition: Edition):  # noqa: ANN001, ANN201
    """The laid-out book with its index in place of the index's heading page.

    The index can name each page once only when the pages are known. Laying
    the whole book out a second time for that took as long as the first
    layout; the index, laid out on its own from the first layout's page
    numbers and numbered on from there, is the same pages in a tenth of the
    time. WeasyPrint resolves links across the combined pages, and tags each
    page from its own boxes.
    """
    page_of = anchor_pages(document)
    heading_page = page_of.get(print_html.INDEX_ID)
    if heading_page != len(document.pages):
        raise PrintError(f"the index's heading is on page {heading_page} of {len(document.pages)}, not the last; "
                         "this is a bug in print_html.py")  # fmt: skip
    index = render(print_html.index_html(book, page_of), html_dir, paper, edition, first_page=heading_page)
    return document.copy([*document.pages[:-1], *index.pages])


@dataclass(frozen=True)
class FigureCheck:
    """Which figures of one chapter a page break strands (worker job)."""

    html_dir: Path
    chapter: Chapter
    paper: str
    previous: dict | None  # {"input": hash, "moves": {...}} from the last good run
    edition: Edition | None = None  # None: edition.yaml's, with its base URL


def chapter_input(html_dir: Path, chapter: Chapter, paper: str, *, first_page: int | None = None,
                  moves: dict[str, int] | None = None, epoch: int = 0,
                  edition: Edition | None = None) -> tuple[Edition, str, str, str]:  # fmt: skip
    """What a worker lays out for one chapter: (edition, HTML, CSS, their input_hash)."""
    edition = edition or load_edition()
    book = print_html.load_book(html_dir, edition, load_chapters(), only={chapter.docname})
    document_html = print_html.chapter_html(book, chapter, moves)
    css = page_css(paper, edition, first_page)
    return edition, document_html, css, input_hash(document_html, css, epoch)


def chapter_figure_moves(check: FigureCheck) -> tuple[str, dict]:
    """Worker: lay the chapter out as it starts in the book, and say which figures to move.

    A chapter starts on a page of its own, in the book as in its edition, so
    its pages break alike up to the boxes the edition adds at its end: the
    moves found here serve both. The answer depends only on the chapter's
    HTML, the CSS and this code, so it is kept (``FIGURE_MOVES``) and the
    chapter is not laid out for it again until one of them changes.
    """
    edition, document_html, css, key = chapter_input(check.html_dir, check.chapter, check.paper, edition=check.edition)
    if check.previous and check.previous.get("input") == key:
        return check.chapter.pdf_name, check.previous
    moves = stranded_figures(render(document_html, check.html_dir, check.paper, edition, css_text=css))
    return check.chapter.pdf_name, {"input": key, "moves": moves}


@dataclass(frozen=True)
class ChapterDone:
    """What a worker reports about one chapter edition."""

    name: str
    input_hash: str
    pages: int | None  # None: unchanged, not laid out again
    seconds: float
    cpu_seconds: float


def render_chapter(job: Job) -> ChapterDone:
    """Worker: lay out and write one chapter edition, unless its input is unchanged."""
    started, cpu = time.monotonic(), time.process_time()
    edition, document_html, css, digest = chapter_input(
        job.html_dir, job.chapter, job.paper, first_page=job.first_page, moves=dict(job.moves), epoch=job.epoch,
        edition=job.edition,
    )
    pages = None
    if digest != job.previous_input or not job.target.is_file():
        document = render(document_html, job.html_dir, job.paper, edition, css_text=css)
        write(document, job.target, edition, job.epoch)
        pages = len(document.pages)
    return ChapterDone(job.target.name, digest, pages, time.monotonic() - started, time.process_time() - cpu)


def read_json(path: Path) -> dict:
    """A record of the last good run, or {} before the first."""
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def source_date_epoch() -> int:
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value:
        return int(value)
    edition = load_edition()
    return int(dt.datetime.fromisoformat(edition.date).replace(tzinfo=dt.timezone.utc).timestamp())


def build(
    html_dir: Path, out_dir: Path, paper: str, *, edition: Edition | None = None, epoch: int | None = None, jobs: int = 2,
    only: str | None = None, log=print  # noqa: ANN001
) -> dict[str, float]:
    """Render the book and its chapter editions; return the time each step took.

    ``edition``: the build's (with its base URL); by default edition.yaml's.
    ``epoch`` (SOURCE_DATE_EPOCH) dates the files; by default the
    environment's, else the edition's date.
    """
    edition = edition or load_edition()
    chapters = load_chapters()
    epoch = source_date_epoch() if epoch is None else epoch
    timings: dict[str, float] = {}
    moves_file, inputs_file = out_dir / FIGURE_MOVES, out_dir / CHAPTER_INPUTS
    known_moves, inputs = read_json(moves_file), read_json(inputs_file)
    # "spawn": the build calls this from a thread, and forking a process
    # that runs threads can deadlock the child.
    with ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=multiprocessing.get_context("spawn")) as pool:
        # First, in the workers, which figures each chapter moves; meanwhile
        # the book is read and assembled here.
        started = time.monotonic()
        checks = [pool.submit(chapter_figure_moves, FigureCheck(html_dir, c, paper, known_moves.get(c.pdf_name), edition)) for c in chapters]
        book = print_html.load_book(html_dir, edition, chapters)
        timings["assemble"] = time.monotonic() - started
        found = dict(check.result() for check in checks)
        moves = {figure: offset for entry in found.values() for figure, offset in entry["moves"].items()}
        timings["figures"] = time.monotonic() - started
        started, cpu = time.monotonic(), time.process_time()
        document = render(print_html.book_html(book, moves), html_dir, paper, edition)
        timings["book layout"] = time.monotonic() - started
        starts = chapter_starts(document, chapters)
        moved = f" ({len(moves)} figure(s) moved into a gap)" if moves else ""
        log(f"print {paper}: book laid out{moved}, {len(document.pages)} pages, in {timings['book layout']:.1f}s "
            f"({time.process_time() - cpu:.1f}s CPU)")
        for figure in stranded_figures(document):
            log(f"print {paper}: figure {figure} leaves a gap before it, outside any chapter: left where it is")
        todo = [] if only == "book" else [
            Job(html_dir, c, paper, starts[c.docname], out_dir / "chapters" / c.pdf_name, epoch, inputs.get(c.pdf_name),
                tuple(sorted(found[c.pdf_name]["moves"].items())), edition)
            for c in chapters
        ]  # fmt: skip
        futures = [pool.submit(render_chapter, job) for job in todo]
        if only != "chapters":
            started, cpu = time.monotonic(), time.process_time()
            document = with_index(document, book, html_dir, paper, edition)
            timings["book index"] = time.monotonic() - started
            log(f"print {paper}: index laid out, {len(document.pages)} pages in all, in {timings['book index']:.1f}s "
                f"({time.process_time() - cpu:.1f}s CPU)")
            started, cpu = time.monotonic(), time.process_time()
            write(document, out_dir / f"{edition.book_stem}.pdf", edition, epoch)
            timings["book write"] = time.monotonic() - started
            log(f"print {paper}: book written in {timings['book write']:.1f}s ({time.process_time() - cpu:.1f}s CPU)")
        for future in futures:
            done = future.result()
            inputs[done.name] = done.input_hash
            timings[f"chapter {done.name}"] = done.seconds
            what = "unchanged" if done.pages is None else f"{done.pages} pages"
            log(f"print {paper}: {done.name}, {what}, {done.seconds:.1f}s ({done.cpu_seconds:.1f}s CPU)")
    out_dir.mkdir(parents=True, exist_ok=True)
    moves_file.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    if todo:
        inputs_file.write_text(json.dumps(inputs, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html_dir", type=Path, help="Sphinx's built HTML (the build's .work/html)")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--paper", help="a4 or letter (default: PAPER, else a4)")
    parser.add_argument("--jobs", type=int, default=2, help="chapter editions laid out at once")
    parser.add_argument("--only", choices=("book", "chapters"))
    args = parser.parse_args(argv)
    try:
        settings = from_environment(paper=args.paper)
        edition = load_edition(baseurl=settings.baseurl)
    except SettingsError as error:
        print(f"print_edition: {error}", file=sys.stderr)
        return 2
    started = time.monotonic()
    try:
        timings = build(args.html_dir, args.out_dir, settings.paper, edition=edition, jobs=args.jobs, only=args.only)
    except PrintError as error:
        print(f"print_edition: {error}", file=sys.stderr)
        return 1
    summary = ", ".join(f"{step} {seconds:.1f}s" for step, seconds in timings.items())
    print(f"print_edition: {settings.paper} written in {time.monotonic() - started:.1f}s ({summary})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

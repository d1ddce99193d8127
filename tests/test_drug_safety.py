"""The worst drug-safety errors, pinned on the real built book.

A clinical safety review (issue 11) found drugs that read as if they needed
no checks, class rules (TB and hepatitis B screening before every biologic
and JAK inhibitor; blood tests on every JAK inhibitor) missing for some
drugs, and live vaccines called usable "with caution". These tests keep
those errors out of the HTML a reader gets (the session build); the
checker, the data and the figures are checked without a build in
tests/fast/test_drug_data.py.
"""

from __future__ import annotations

import re

from conftest import BookBuild
from drug_rules import BIOLOGIC_OR_JAK, FIGURES, LIVE_WITH_CAUTION, NO_CHECKS, drugs
from readers import html_text


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#8217;", "’")


# -- the built book ---------------------------------------------------------------------


def reference_entries(book: BookBuild) -> dict[str, str]:
    """Each drug's entry in the drug reference, as text."""
    html = (book.html / "drug-reference.html").read_text(encoding="utf-8")
    parts = re.split(r'<p id="drug-[a-z0-9-]+">', html)[1:]
    entries = {}
    for part in parts:
        text = text_of(part.split('<p id="', 1)[0].split('<p class="rubric"', 1)[0])
        name = re.match(r"\s*(\S+)", text).group(1)
        entries[name] = text
    return entries


def field(entry: str, label: str) -> str:
    labels = "Class|Target|Route|Uses \\(examples\\)|US boxed warning|Before starting|During treatment|Live vaccines|First US approval|Sources|Caveat"
    match = re.search(rf"{label}\s*:\s*(.*?)(?=\s(?:{labels})\s*:|$)", entry)
    assert match, (label, entry[:80])
    return match.group(1).strip()


def test_every_biologic_and_jak_inhibitor_names_tb_and_hepatitis_b_screening(book: BookBuild) -> None:
    entries = reference_entries(book)
    for name, drug in drugs().items():
        assert name in entries, f"{name} is not in the drug reference"
        if drug.group in BIOLOGIC_OR_JAK:
            before = field(entries[name], "Before starting")
            assert re.search(r"tuberculosis|\bTB\b", before) and "hepatitis B" in before, (name, before)


def test_jak_inhibitors_and_tocilizumab_name_blood_counts_liver_tests_and_lipids(book: BookBuild) -> None:
    entries = reference_entries(book)
    for name in ("Tofacitinib", "Baricitinib", "Upadacitinib", "Tocilizumab"):
        during = field(entries[name], "During treatment")
        for words in (r"blood counts?", r"liver (tests|enzymes)", r"lipids|cholesterol"):
            assert re.search(words, during, re.I), (name, words, during)
    risks = text_of((book.html / f"{book.chapter('risks').docname}.html").read_text(encoding="utf-8"))
    assert "Tofacitinib" in risks


def test_no_drug_reads_as_needing_no_checks(book: BookBuild) -> None:
    entries = reference_entries(book)
    for name, entry in entries.items():
        for label in ("Before starting", "During treatment", "Live vaccines"):
            text = field(entry, label)
            assert len(text) > 20 and not NO_CHECKS.search(text), (name, label, text)
    for page in book.html.glob("*.html"):
        assert not NO_CHECKS.search(html_text(page)), page.name
    # The chapter tables that show monitoring: every row has text in every cell.
    for page in (book.html / f"{chapter.docname}.html" for chapter in book.chapters):
        html = page.read_text(encoding="utf-8")
        for table in re.findall(r'<table class="[^"]*drug-table.*?</table>', html, flags=re.S):
            for row in re.findall(r"<tr.*?</tr>", table, flags=re.S)[1:]:
                cells = [text_of(c).strip() for c in re.findall(r"<td.*?</td>", row, flags=re.S)]
                assert all(cells), (page.name, cells)


def test_live_vaccines_are_never_allowed_with_caution(book: BookBuild) -> None:
    for page in sorted(book.html.glob("*.html")):
        found = LIVE_WITH_CAUTION.search(html_text(page))
        assert not found, f"{page.name}: “{found.group(0)}”: live vaccines are avoided during treatment"


def test_anifrolumab_is_an_approved_biologic_not_a_research_target(book: BookBuild) -> None:
    entry = reference_entries(book)["Anifrolumab"]
    assert "IFNAR1" in entry and "IgG1κ" in entry
    assert field(entry, "First US approval") == "2021"
    assert "check the current label" in field(entry, "US boxed warning")
    reference = (book.html / "drug-reference.html").read_text(encoding="utf-8")
    biologics = reference.split(">Biologics<", 1)[1].split(">JAK inhibitors", 1)[0]
    assert 'id="drug-anifrolumab"' in biologics
    research_words = re.compile(
        r"being tested|under (investigation|study)|experimental|not (yet )?approved|research target|"
        r"in development|candidate|new cytokine targets",
        re.I,
    )
    for page in sorted(book.html.glob("*.html")):
        for sentence in re.split(r"(?<=[.!?])\s+", html_text(page)):
            if "anifrolumab" in sentence.lower():
                assert not research_words.search(sentence), f"{page.name}: {sentence}"


def test_approval_years_and_the_facts_most_often_got_wrong(book: BookBuild) -> None:
    entries = reference_entries(book)
    assert field(entries["Methotrexate"], "First US approval") == "1953"
    assert field(entries["Rituximab"], "First US approval") == "1997"
    assert field(entries["Etanercept"], "First US approval") == "1998"
    for name in ("Etanercept", "Abatacept"):
        assert "Fusion protein" in field(entries[name], "Class"), name
        assert "monoclonal antibody" not in field(entries[name], "Class").replace("not a monoclonal antibody", "")
    assert "IL-6 receptor" in field(entries["Tocilizumab"], "Target")
    assert "once a week" in field(entries["Methotrexate"], "Route")
    assert field(entries["Belimumab"], "US boxed warning") == "None"
    timeline = (book.html / "_images" / "approval-timeline.svg").read_text(encoding="utf-8")
    assert "Methotrexate (1953)" in timeline and "Rituximab (1997)" in timeline


def test_the_monitoring_figure_in_the_book_is_the_one_drawn_from_the_data(book: BookBuild) -> None:
    built = (book.html / "_images" / "monitoring-overview.svg").read_text(encoding="utf-8")
    assert built == (FIGURES / "monitoring-overview.svg").read_text(encoding="utf-8")
    assert "with caution" not in built and "Avoid" in built


def test_no_drug_table_runs_off_the_printed_page(book: BookBuild) -> None:
    """A table LaTeX cannot break over pages loses the rows past the page end
    (the log says "Overfull \\vbox"); drug tables are long tables for that reason."""
    for log in sorted(book.latex_dir.glob("*.log")):
        overfull = re.findall(r"Overfull \\vbox \((\d+(?:\.\d+)?)pt too high\)", log.read_text(encoding="utf-8", errors="replace"))
        assert not [pt for pt in overfull if float(pt) > 2], f"{log.name}: a page overflows by {overfull} pt"

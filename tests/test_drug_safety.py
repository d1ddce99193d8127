"""The worst drug-safety errors, pinned on the data and on the real built book.

A clinical safety review (issue 11) found drugs that read as if they needed
no checks, class rules (TB and hepatitis B screening before every biologic
and JAK inhibitor; blood tests on every JAK inhibitor) missing for some
drugs, and live vaccines called usable "with caution". These tests keep
those errors out: the checker on a small bad data file (no build), the data
and the figures (no build), and the HTML a reader gets (the session build).
"""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from handbook import draw_approval_timeline
from handbook import draw_monitoring_figure
from conftest import ROOT, BookBuild
from handbook.drug_facts import ASK_TEAM, DRUG_GROUPS, PROSE_FIELDS, load_drugs

GROUP_COLOURS = {key: group.colour for key, group in DRUG_GROUPS.items()}
from readers import html_text

FIGURES = ROOT / "book" / "figures"
BIOLOGIC_OR_JAK = ("biologic", "jak-inhibitor")
# Figures are printed at the text width, about 16 cm (453.5 pt).
PRINT_WIDTH_PT = 16 / 2.54 * 72
NO_CHECKS = re.compile(r"no (specific )?checks|no monitoring|nothing (needs|to) (be )?check", re.I)
LIVE_WITH_CAUTION = re.compile(
    r"live(?:[- ]attenuated)? vaccines?\W+(?:\w+\W+){0,12}?caution|caution\W+(?:\w+\W+){0,8}?live(?:[- ]attenuated)? vaccine",
    re.I,
)


def drugs():
    found, problems = load_drugs()
    assert not problems, [p.message for p in problems]
    return {d.name: d for d in found}


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#8217;", "’")


# -- the checker, on a small bad file ---------------------------------------------------

GOOD_RULES = """\
biologic:
  before_starting:
    text: TB and hepatitis B tests {cite:p}`label_remicade`.
    checks: [tb-screen, hbv-screen]
"""

BAD_DRUGS = """\
- name: Goodumab
  brand: Good
  group: biologic
  class: Monoclonal antibody
  target: Something
  route: Intravenous infusion
  boxed_warning: None
  before_starting: null
  during_treatment: Blood counts {cite:p}`label_remicade`.
  live_vaccines: null
  checks: null
  first_approval: 2000
  sources: [label_remicade]
- name: Badinib
  brand: Bad
  group: jak-inhibitors
  class: Small molecule
  target: JAK
  route: Oral
  before_starting: Nothing cited here.
  during_treatment: null
  live_vaccines: null
  checks:
    before: [tb-screen, xray-of-the-soul]
  first_approval: null
  sources: [label_remicade, made_up_2099]
- name: Emptyzumab
  brand: Empty
  group: conventional
  class: Conventional
  target: Nothing
  route: Oral
  boxed_warning: ""
  before_starting: null
  during_treatment: null
  live_vaccines: null
  checks: null
  first_approval: 1990
  sources: [label_remicade]
"""


def test_the_checker_names_drug_field_and_line_for_each_problem(tmp_path: Path) -> None:
    drugs_file, rules_file = tmp_path / "drugs.yaml", tmp_path / "class_rules.yaml"
    drugs_file.write_text(BAD_DRUGS, encoding="utf-8")
    rules_file.write_text(GOOD_RULES, encoding="utf-8")
    _, problems = load_drugs(drugs_file, rules_file)
    found = {(p.line, p.message) for p in problems}
    lines = BAD_DRUGS.splitlines()

    def line_of(start: str, after: int = 0) -> int:
        return next(i for i, text in enumerate(lines, 1) if i > after and text.startswith(start))

    badinib = line_of("- name: Badinib")
    emptyzumab = line_of("- name: Emptyzumab")
    expected = [
        (badinib, "drug 'Badinib': missing field 'boxed_warning'"),
        (line_of("  group:", badinib), "drug 'Badinib': field 'group' is 'jak-inhibitors'"),
        (line_of("    before:", badinib), "drug 'Badinib': field 'checks' names unknown check xray-of-the-soul"),
        (line_of("  sources:", badinib), "drug 'Badinib': field 'sources' names 'made_up_2099'"),
        (line_of("  before_starting:", badinib), "drug 'Badinib': field 'before_starting' cites no source"),
        (line_of("  first_approval:", badinib), "drug 'Badinib': field 'first_approval' is empty; say why"),
        (line_of("  boxed_warning:", emptyzumab), "drug 'Emptyzumab': field 'boxed_warning' is empty"),
        (line_of("  checks:", emptyzumab), "drug 'Emptyzumab': no checks at all"),
    ]
    for line, start in expected:
        assert any(l == line and m.startswith(start) for l, m in found), (line, start, sorted(found))
    assert not any("Goodumab" in m for _, m in found), sorted(found)
    assert all(p.path == drugs_file for p in problems)


def test_the_checker_reports_a_bad_class_rule_with_its_line(tmp_path: Path) -> None:
    rules = "biologics:\n  before_starting:\n    text: x {cite:p}`label_remicade`.\n" \
            "jak-inhibitor:\n  during_treatment:\n    text: Blood tests {cite:p}`nobody_2099`.\n    checks: [bloods]\n"
    drugs_file, rules_file = tmp_path / "drugs.yaml", tmp_path / "class_rules.yaml"
    drugs_file.write_text(BAD_DRUGS.split("- name: Badinib")[0], encoding="utf-8")
    rules_file.write_text(rules, encoding="utf-8")
    _, problems = load_drugs(drugs_file, rules_file)
    found = {(p.path.name, p.line, p.message.split(";")[0]) for p in problems}
    assert ("class_rules.yaml", 1, "class rules for 'biologics': expected 'all' or one of conventional, glucocorticoid, biologic, jak-inhibitor") in found
    assert ("class_rules.yaml", 6, "class rule 'jak-inhibitor', field 'during_treatment': cites 'nobody_2099', which is not in references.bib") in found
    assert ("class_rules.yaml", 7, "class rule 'jak-inhibitor', field 'during_treatment': unknown check bloods") in found


# -- the data and the figures -----------------------------------------------------------


def test_class_rules_reach_every_drug_they_should() -> None:
    for drug in drugs().values():
        checks = drug.checks()
        assert "no-live-vaccines" in checks["during"], drug.name
        if drug.group in BIOLOGIC_OR_JAK:
            assert {"tb-screen", "hbv-screen"} <= checks["before"].keys(), drug.name
            assert checks["before"]["tb-screen"] == checks["before"]["hbv-screen"] == "yes", drug.name
            before = drug.text("before_starting")
            assert "tuberculosis (TB)" in before and "hepatitis B" in before, drug.name
        if drug.group == "jak-inhibitor" or drug.name == "Tocilizumab":
            assert {"blood-count", "liver", "lipids"} <= checks["during"].keys(), drug.name
        for field in PROSE_FIELDS:
            text = drug.text(field)
            assert text.strip() and not NO_CHECKS.search(text), (drug.name, field, text)
            assert "caution" not in text.lower(), (drug.name, field)
        assert drug.text("live_vaccines").startswith("Avoid live vaccines during treatment"), drug.name


def test_a_drug_without_its_own_detail_gets_the_class_rule_and_asks_the_team() -> None:
    d = drugs()
    anifrolumab = d["Anifrolumab"]
    assert anifrolumab.fields["during_treatment"] is None
    assert anifrolumab.text("during_treatment") == ASK_TEAM
    assert anifrolumab.text("before_starting").startswith("Tests for tuberculosis (TB) and hepatitis B")
    assert anifrolumab.text("before_starting").endswith(ASK_TEAM)


def test_the_committed_figures_are_drawn_from_the_current_data() -> None:
    assert draw_approval_timeline.main(["--check"]) == 0
    assert draw_monitoring_figure.main(["--check"]) == 0


@pytest.mark.parametrize("svg", sorted(FIGURES.glob("*.svg")), ids=lambda p: p.name)
def test_no_figure_text_is_under_nine_points_in_print(svg: Path) -> None:
    root = ET.parse(svg).getroot()
    width = float(root.get("viewBox").split()[2])
    ns = "{http://www.w3.org/2000/svg}"
    sizes = [float(t.get("font-size", "16")) for t in root.iter(f"{ns}text")]
    assert sizes, svg.name
    smallest = min(sizes) * PRINT_WIDTH_PT / width
    assert smallest >= 9, f"{svg.name}: text prints at {smallest:.1f} pt at 16 cm wide"
    assert root.find(f"{ns}title") is not None and root.find(f"{ns}desc") is not None, svg.name


def _luminance(colour: str) -> float:
    def channel(c: int) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _lab_under(colour: str, matrix: tuple) -> tuple[float, float, float]:
    """CIELAB of a colour as seen with a colour vision deficiency (Machado 2009, full severity)."""

    def linear(c: int) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    rgb = [linear(int(colour[i : i + 2], 16)) for i in (1, 3, 5)]
    r, g, b = (min(max(sum(m * v for m, v in zip(row, rgb)), 0), 1) for row in matrix)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


VISION = {
    "typical": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}


def test_one_colour_key_that_everyone_can_read() -> None:
    for group, colour in GROUP_COLOURS.items():
        assert _contrast(colour.ink, "#ffffff") >= 4.5, group
        assert _contrast(colour.ink, colour.tint) >= 4.5, group
    for vision, matrix in VISION.items():
        for (a, ca), (b, cb) in itertools.combinations(GROUP_COLOURS.items(), 2):
            distance = sum((p - q) ** 2 for p, q in zip(_lab_under(ca.ink, matrix), _lab_under(cb.ink, matrix))) ** 0.5
            assert distance >= 20, f"{a} and {b} look alike with {vision} ({distance:.0f})"
    inks = {c.ink for c in GROUP_COLOURS.values()}
    for name in ("approval-timeline.svg", "monitoring-overview.svg", "immune-response-targets.svg"):
        svg = (FIGURES / name).read_text(encoding="utf-8").lower()
        used = {c for c in re.findall(r'(?:fill|stroke)="(#[0-9a-f]{6})"', svg)}
        groups_drawn = {g for g, c in GROUP_COLOURS.items() if c.ink in used}
        assert groups_drawn, name
        # Any strongly coloured ink in a figure is one of the key's inks.
        def saturated(c: str) -> bool:
            r, g, b = (int(c[i : i + 2], 16) for i in (1, 3, 5))
            return max(r, g, b) - min(r, g, b) > 60 and _luminance(c) < 0.3

        strays = {c for c in used if saturated(c)} - inks - {"#c0392b", "#a33333", "#7a1f1f"}  # antigen, blood vessel
        assert not strays, f"{name}: colours outside the key {sorted(strays)}"
    targets = (FIGURES / "immune-response-targets.svg").read_text(encoding="utf-8").lower()
    for group, colour in GROUP_COLOURS.items():
        assert colour.ink in targets and colour.tint in targets, group


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

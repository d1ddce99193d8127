"""The drug data, its checker and the figures drawn from it: the safety review's rules, no build.

A clinical safety review (issue 11) found drugs that read as if they needed
no checks, class rules missing for some drugs, and live vaccines called
usable "with caution". These tests hold the checker to its messages on a
small bad data file, the real data to the class rules, and the figures to
the data and to print sizes and colours everyone can read.
tests/test_drug_safety.py checks the HTML a reader gets from the same data.
"""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from drug_rules import BIOLOGIC_OR_JAK, FIGURES, NO_CHECKS, drugs

from handbook import draw_approval_timeline, draw_monitoring_figure
from handbook.drug_facts import ASK_TEAM, DRUG_GROUPS, PROSE_FIELDS, load_drugs

GROUP_COLOURS = {key: group.colour for key, group in DRUG_GROUPS.items()}

# The xelatex edition prints figures at its text width, about 16 cm (453.5 pt).
XELATEX_TEXT_WIDTH_PT = 16 / 2.54 * 72


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
def test_no_figure_text_is_under_nine_points_in_either_pdf(svg: Path) -> None:
    """At the xelatex edition's text width (16 cm), and at the print edition's figure width and height cap."""
    from handbook.print_edition import FIGURE_MAX_HEIGHT_MM, FIGURE_WIDTH_MM

    root = ET.parse(svg).getroot()
    _, _, width, height = map(float, root.get("viewBox").split())
    ns = "{http://www.w3.org/2000/svg}"
    sizes = [float(t.get("font-size", "16")) for t in root.iter(f"{ns}text")]
    assert sizes, svg.name
    print_edition_scale = min(FIGURE_WIDTH_MM / width, FIGURE_MAX_HEIGHT_MM / height) * 72 / 25.4  # points per unit
    for edition, scale in (("xelatex", XELATEX_TEXT_WIDTH_PT / width), ("print edition", print_edition_scale)):
        assert min(sizes) * scale >= 9, f"{svg.name}: text prints at {min(sizes) * scale:.1f} pt in the {edition} PDF"
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


# -- the facts most often got wrong ---------------------------------------------------


def test_the_data_file_holds_the_sixteen_core_drugs() -> None:
    expected = {
        "Methotrexate", "Azathioprine", "Prednisone", "Infliximab", "Adalimumab", "Etanercept", "Rituximab",
        "Tocilizumab", "Abatacept", "Ustekinumab", "Natalizumab", "Belimumab", "Teplizumab", "Tofacitinib",
        "Baricitinib", "Upadacitinib",
    }  # fmt: skip
    assert expected <= set(drugs())


def test_drug_classes_targets_and_warnings_match_the_fact_sheet() -> None:
    """The facts most often got wrong, as ../shared/references/drug-facts.md states them."""
    d = {name: drug.fields for name, drug in drugs().items()}
    assert "Fusion protein" in d["Etanercept"]["class"] and "not a monoclonal antibody" in d["Etanercept"]["class"]
    assert "lymphotoxin" in d["Etanercept"]["target"]
    assert "Fusion protein" in d["Abatacept"]["class"] and "CD80" in d["Abatacept"]["target"]
    assert d["Infliximab"]["class"].startswith("Chimeric") and "Intravenous" in d["Infliximab"]["route"]
    assert d["Rituximab"]["class"].startswith("Chimeric") and "CD20" in d["Rituximab"]["target"]
    assert "human" in d["Adalimumab"]["class"].lower() and "Subcutaneous" in d["Adalimumab"]["route"]
    assert "Humanised" in d["Tocilizumab"]["class"] and "IL-6 receptor" in d["Tocilizumab"]["target"]
    assert "p40" in d["Ustekinumab"]["target"] and "IL-23" in d["Ustekinumab"]["target"]
    assert "α4-integrin" in d["Natalizumab"]["target"] and "PML" in d["Natalizumab"]["boxed_warning"]
    assert "TOUCH" in d["Natalizumab"]["boxed_warning"]
    assert "BLyS" in d["Belimumab"]["target"] and "not bind B cells" in d["Belimumab"]["target"]
    assert "CD3" in d["Teplizumab"]["target"]
    assert "once a week" in d["Methotrexate"]["route"]
    assert "Dihydrofolate reductase" in d["Methotrexate"]["target"]
    assert "TPMT" in d["Azathioprine"]["before_starting"] and "Malignancy" in d["Azathioprine"]["boxed_warning"]
    for name in ("Belimumab", "Abatacept", "Ustekinumab", "Prednisone", "Teplizumab"):
        assert d[name]["boxed_warning"] == "None", name
    for name in ("Tofacitinib", "Baricitinib", "Upadacitinib"):
        warning = d[name]["boxed_warning"].lower()
        for element in ("serious infections", "mortality", "malignancy", "cardiovascular", "thrombosis"):
            assert element in warning, (name, element)
        assert d[name]["group"] == "jak-inhibitor" and "Oral" in d[name]["route"]
    for name in ("Infliximab", "Adalimumab", "Etanercept"):
        assert "tuberculosis" in d[name]["boxed_warning"].lower()
    assert "hepatitis B" in d["Rituximab"]["boxed_warning"]

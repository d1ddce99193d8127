#!/usr/bin/env python3
"""Draw the monitoring overview (a matrix of drugs and checks) from the data.

Reads ``book/_data/drugs.yaml`` and ``book/_data/class_rules.yaml`` and
writes ``book/figures/monitoring-overview.svg``: one row per drug, grouped
by drug group; one column per check, first those before the first dose,
then those during treatment, then live vaccines. A drug's checks are its
own (``checks`` in the data file) together with the class rules of its
group, so a class rule (for example TB and hepatitis B tests before every
biologic and JAK inhibitor) shows in every row it applies to. Colours come
from ``DRUG_GROUPS`` in ``handbook/drug_facts.py``, shared by every figure.

The output is deterministic, so the build runs this every time and a test
can check the committed figure is current.

Exit status: 0 on success (written or already current), 1 if the data files
have problems (printed with the file and line) or the figure is out of date
under ``--check``.
"""

from __future__ import annotations

import sys
from html import escape

from handbook import data_figure
from handbook.drug_facts import (
    CHECKS,
    CONSIDER,
    PROSE_FIELDS,
    DRUG_GROUPS,
    PHASES,
    Drug,
    in_running_text,
)
from handbook.meta import BOOK_DIR

OUTPUT = BOOK_DIR / "figures" / "monitoring-overview.svg"
LIVE = "no-live-vaccines"
PHASE_HEADINGS = {"before": "Before the first dose", "during": "During treatment"}

# Printed 160 mm (453 pt) wide in the print edition: at 600 units, 13-unit
# text prints at 9.8 pt (the floor is 9 pt; tests/test_print_edition.py).
WIDTH = 600
FONT = 13
MARGIN = 8
NAME_WIDTH = 100
COLUMN = 21.5
GAP = 12
LIVE_WIDTH = 60
LABEL_SPACE = 146  # room for the column labels, written upwards
HEADING_ROW = 21
DRUG_ROW = 20
TEXT = "#1a1a1a"
GRID = "#c8c8c8"
STRIPE = "#f4f4f4"


def text_width(text: str, size: float = FONT) -> float:
    """An estimate of the width of DejaVu Sans text (a little generous)."""
    return 0.56 * size * len(text)


def wrap(text: str, width: float, size: float = FONT) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(lines[-1] + " " + word, size) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def columns(drugs: list[Drug]) -> list[tuple[str, str]]:
    """(phase, check) pairs that at least one drug needs, in CHECKS order."""
    used = {(phase, name) for drug in drugs for phase, checks in drug.checks().items() for name in checks}
    return [(phase, name) for phase in PHASES for name in CHECKS if (phase, name) in used and name != LIVE]


def lower_first(label: str) -> str:
    """A label inside a sentence: "Blood count" -> "blood count", "TB test" stays."""
    return label if label[:2].isupper() else label[0].lower() + label[1:]


def and_list(items: list[str]) -> str:
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else items[0]


def class_rules_note(drugs: list[Drug]) -> str:
    """The class rules in one or two sentences, from the rules themselves."""
    groups_of: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for drug in drugs:
        for rule in drug.rules:
            names = tuple(c.removesuffix(CONSIDER) for c in rule.checks)
            if not names:
                continue
            key = (PROSE_FIELDS[rule.field], names)
            scope = "all" if rule.scope == "all" else rule.scope
            if scope not in groups_of.setdefault(key, []):
                groups_of[key].append(scope)
    plural = {g: in_running_text(group.plural) for g, group in DRUG_GROUPS.items()}
    single = {"conventional": "conventional immunosuppressant", "glucocorticoid": "glucocorticoid",
              "biologic": "biologic", "jak-inhibitor": "JAK inhibitor"}  # fmt: skip
    sentences = []
    for (phase, names), scopes in sorted(groups_of.items(), key=lambda item: item[0][1] == (LIVE,)):
        if names == (LIVE,):
            who = "every medicine here" if "all" in scopes else " and ".join(plural[s] for s in scopes)
            sentences.append(f"Live vaccines are avoided with {who}.")
            continue
        labels = [lower_first(CHECKS[n][PHASES.index(phase)]) for n in names]
        what = and_list(labels)
        when = "before the first dose" if phase == "before" else "during treatment"
        who = "every medicine here" if "all" in scopes else "every " + " and every ".join(single[s] for s in scopes)
        sentences.append(f"{what[0].upper()}{what[1:]} {when}: a rule for {who}.")
    return " ".join(sentences)


def summary(drugs: list[Drug]) -> str:
    """The figure in words, for its <desc>."""
    parts = []
    for drug in drugs:
        checks = drug.checks()
        said = []
        for phase in PHASES:
            names = [
                lower_first(CHECKS[name][PHASES.index(phase)]) + (" (to consider)" if level == "consider" else "")
                for name, level in checks[phase].items()
                if name != LIVE
            ]
            if names:
                said.append(f"{PHASE_HEADINGS[phase].lower()}: {', '.join(names)}")
        if LIVE in checks["during"]:
            said.append("avoid live vaccines")
        parts.append(f"{drug.name} ({in_running_text(DRUG_GROUPS[drug.group].label)}): {'; '.join(said)}.")
    return " ".join(parts)


def render(drugs: list[Drug]) -> str:
    cols = columns(drugs)
    has_live = any(LIVE in d.checks()["during"] for d in drugs)
    # x of each column's centre
    x = MARGIN + NAME_WIDTH
    centres: dict[tuple[str, str], float] = {}
    spans: dict[str, tuple[float, float]] = {}
    for phase in PHASES:
        phase_cols = [c for c in cols if c[0] == phase]
        if not phase_cols:
            continue
        x += GAP
        start = x
        for col in phase_cols:
            centres[col] = x + COLUMN / 2
            x += COLUMN
        spans[phase] = (start, x)
    if has_live:
        x += GAP
        spans["live"] = (x, x + LIVE_WIDTH)
        x += LIVE_WIDTH
    table_right = x

    top = 24  # phase headings
    label_bottom = top + 8 + LABEL_SPACE
    groups = [g for g in DRUG_GROUPS if any(d.group == g for d in drugs)]
    rows_height = HEADING_ROW * len(groups) + DRUG_ROW * len(drugs)
    rows_top = label_bottom + 4
    rows_bottom = rows_top + rows_height

    legend_top = rows_bottom + 26
    notes = [class_rules_note(drugs) + " Your own schedule comes from your care team."]
    note_lines = [line for note in notes for line in wrap(note, WIDTH - 2 * MARGIN)]
    height = legend_top + 30 + 18 * len(note_lines) + 8 + 4 * len(notes)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" width="{WIDTH}" '
        f'height="{height:.0f}" role="img" aria-labelledby="mon-title mon-desc" '
        'font-family="DejaVu Sans, Arial, sans-serif">',
        '<title id="mon-title">Monitoring overview: the checks for each medicine before the first dose and '
        "during treatment</title>",
        '<desc id="mon-desc">A chart with one row per medicine, grouped as '
        f"{escape(and_list([in_running_text(DRUG_GROUPS[g].plural) for g in groups]))}, and one column "
        f"per check, before the first dose and during treatment. {escape(class_rules_note(drugs))} "
        f"{escape(summary(drugs))}</desc>",
        f'<rect width="{WIDTH}" height="{height:.0f}" fill="#ffffff"/>',
    ]

    # Phase headings and the column labels, written upwards.
    for phase, (start, end) in spans.items():
        if phase == "live":
            continue
        out.append(
            f'<text x="{(start + end) / 2:.1f}" y="{top - 6}" font-size="13" font-weight="bold" '
            f'text-anchor="middle" fill="{TEXT}">{escape(PHASE_HEADINGS[phase])}</text>'
        )
        out.append(f'<line x1="{start + 2:.1f}" y1="{top}" x2="{end - 2:.1f}" y2="{top}" stroke="{TEXT}" stroke-width="1.2"/>')
    for (phase, name), cx in centres.items():
        label = CHECKS[name][PHASES.index(phase)]
        out.append(
            f'<text transform="translate({cx + 4.5:.1f},{label_bottom:.1f}) rotate(-90)" font-size="{FONT}" '
            f'fill="{TEXT}">{escape(label)}</text>'
        )
    if has_live:
        start, end = spans["live"]
        for index, line in enumerate(("Live", "vaccines")):
            out.append(
                f'<text x="{(start + end) / 2:.1f}" y="{label_bottom - 20 + 16 * index:.1f}" font-size="{FONT}" '
                f'font-weight="bold" text-anchor="middle" fill="{TEXT}">{line}</text>'
            )

    # Rows: backgrounds and grid lines first, then what is written on them.
    # Grid lines run through the drug rows only, never through a group heading.
    grid_x = [start - GAP / 2 for start, _ in spans.values()]
    grid_x += [
        start + edge * COLUMN
        for phase, (start, end) in spans.items()
        if phase != "live"
        for edge in range(1, round((end - start) / COLUMN))
    ]
    y = rows_top
    for group in groups:
        out.append(f'<rect x="{MARGIN}" y="{y:.1f}" width="{table_right - MARGIN:.1f}" height="{HEADING_ROW}" fill="{DRUG_GROUPS[group].colour.tint}"/>')
        out.append(f'<rect x="{MARGIN}" y="{y:.1f}" width="5" height="{HEADING_ROW}" fill="{DRUG_GROUPS[group].colour.ink}"/>')
        y += HEADING_ROW
        members = [d for d in drugs if d.group == group]
        for index in range(len(members)):
            if index % 2:
                out.append(f'<rect x="{MARGIN}" y="{y + index * DRUG_ROW:.1f}" width="{table_right - MARGIN:.1f}" height="{DRUG_ROW}" fill="{STRIPE}"/>')
        for gx in sorted(grid_x):
            strong = gx in grid_x[: len(spans)]
            out.append(
                f'<line x1="{gx:.1f}" y1="{y:.1f}" x2="{gx:.1f}" y2="{y + len(members) * DRUG_ROW:.1f}" '
                f'stroke="{"#808080" if strong else GRID}" stroke-width="{1 if strong else 0.6}"/>'
            )
        y += len(members) * DRUG_ROW
    y = rows_top
    for group in groups:
        colour = DRUG_GROUPS[group].colour
        out.append(
            f'<text x="{MARGIN + 11}" y="{y + 15:.1f}" font-size="13" font-weight="bold" fill="{colour.ink}">'
            f"{escape(DRUG_GROUPS[group].plural)}</text>"
        )
        y += HEADING_ROW
        for drug in (d for d in drugs if d.group == group):
            mid = y + DRUG_ROW / 2
            out.append(f'<text x="{MARGIN + 11}" y="{mid + 4.5:.1f}" font-size="{FONT}" fill="{TEXT}">{escape(drug.name)}</text>')
            checks = drug.checks()
            for (phase, name), cx in centres.items():
                level = checks[phase].get(name)
                if level == "yes":
                    out.append(f'<circle cx="{cx:.1f}" cy="{mid:.1f}" r="6" fill="{colour.ink}"/>')
                elif level == "consider":
                    out.append(
                        f'<circle cx="{cx:.1f}" cy="{mid:.1f}" r="5" fill="#ffffff" stroke="{colour.ink}" stroke-width="2"/>'
                    )
            if has_live and LIVE in checks["during"]:
                start, end = spans["live"]
                out.append(
                    f'<rect x="{start + 2:.1f}" y="{y + 2:.1f}" width="{end - start - 4:.1f}" height="{DRUG_ROW - 4}" '
                    f'rx="8" fill="{colour.ink}"/>'
                )
                out.append(
                    f'<text x="{(start + end) / 2:.1f}" y="{mid + 4.5:.1f}" font-size="{FONT}" font-weight="bold" '
                    f'text-anchor="middle" fill="#ffffff">Avoid</text>'
                )
            y += DRUG_ROW

    # Rules above and below the rows, and the phase separators beside the labels.
    out.append(f'<line x1="{MARGIN}" y1="{rows_top:.1f}" x2="{table_right:.1f}" y2="{rows_top:.1f}" stroke="{TEXT}" stroke-width="1.2"/>')
    out.append(f'<line x1="{MARGIN}" y1="{rows_bottom:.1f}" x2="{table_right:.1f}" y2="{rows_bottom:.1f}" stroke="{TEXT}" stroke-width="1.2"/>')
    for start, _ in spans.values():
        out.append(
            f'<line x1="{start - GAP / 2:.1f}" y1="{top + 4}" x2="{start - GAP / 2:.1f}" y2="{rows_top:.1f}" '
            'stroke="#808080" stroke-width="1"/>'
        )

    # Legend and notes.
    ly = legend_top
    legend_ink = DRUG_GROUPS["biologic"].colour.ink
    out.append(f'<circle cx="{MARGIN + 7}" cy="{ly - 4.5}" r="6" fill="{legend_ink}"/>')
    out.append(f'<text x="{MARGIN + 19}" y="{ly}" font-size="{FONT}" fill="{TEXT}">check</text>')
    second = MARGIN + 19 + text_width("check") + 22
    out.append(f'<circle cx="{second + 7:.1f}" cy="{ly - 4.5}" r="5" fill="#ffffff" stroke="{legend_ink}" stroke-width="2"/>')
    out.append(
        f'<text x="{second + 19:.1f}" y="{ly}" font-size="{FONT}" fill="{TEXT}">to consider, or for some people only</text>'
    )
    ny = ly + 26
    for note in notes:
        for line in wrap(note, WIDTH - 2 * MARGIN):
            out.append(f'<text x="{MARGIN}" y="{ny:.1f}" font-size="{FONT}" fill="{TEXT}">{escape(line)}</text>')
            ny += 18
        ny += 4
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    return data_figure.command(
        argv, __doc__.splitlines()[0], OUTPUT, __spec__.name,
        lambda drugs: render([d for group in DRUG_GROUPS for d in drugs if d.group == group]),
    )  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Draw the timeline of first US approvals from the drug data file.

Reads ``book/_data/drugs.yaml`` and writes ``book/figures/approval-timeline.svg``.
Drugs whose first approval year is not verified (``first_approval: null``)
are left out, never guessed, and so is a group with no dated drug from the
legend. The colours and marker shapes of the drug
groups come from ``DRUG_GROUPS`` in
``handbook/drug_facts.py``, shared by every figure. The output is
deterministic, so the build can run this every time and a test can check
the committed figure is current.

Exit status: 0 on success (written or already current), 1 if the data files
have problems (they are printed with the file and line).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from html import escape

from handbook import data_figure
from handbook.drug_facts import DRUG_GROUPS, Drug, in_running_text
from handbook.meta import BOOK_DIR

OUTPUT = BOOK_DIR / "figures" / "approval-timeline.svg"
# Printed 160 mm (453 pt) wide in the print edition: at 620 units,
# 13.5-unit text prints at 9.9 pt (the floor is 9 pt; tests/test_print_edition.py).
WIDTH, LEFT, RIGHT = 620, 24, 596
START, END = 1950, 2030
FONT = 13.5
TEXT = "#1a1a1a"


def text_width(text: str, size: float = FONT) -> float:
    """A generous estimate of the width of DejaVu Sans text."""
    return 0.62 * size * len(text)


def x_of(year: int) -> float:
    return LEFT + (year - START) * (RIGHT - LEFT) / (END - START)


def marker(shape: str, x: float, y: float, colour: str, size: float = 6.0) -> str:
    """A filled marker; the shape tells the groups apart without colour."""
    if shape == "square":
        s = size * 0.9
        return f'<rect x="{x - s:.1f}" y="{y - s:.1f}" width="{2 * s:.1f}" height="{2 * s:.1f}" fill="{colour}"/>'
    if shape == "diamond":
        s = size * 1.25
        return f'<polygon points="{x:.1f},{y - s:.1f} {x + s:.1f},{y:.1f} {x:.1f},{y + s:.1f} {x - s:.1f},{y:.1f}" fill="{colour}"/>'
    if shape == "triangle":
        s = size * 1.2
        return (
            f'<polygon points="{x:.1f},{y - s:.1f} {x + s:.1f},{y + s * 0.8:.1f} {x - s:.1f},{y + s * 0.8:.1f}" '
            f'fill="{colour}"/>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size:.1f}" fill="{colour}"/>'


def render(drugs: list[tuple[str, str, int]]) -> str:
    """SVG text for (name, group, year) triples, sorted by year."""
    axis_y = 40
    row_height = 23
    rows_end = axis_y + 28 + row_height * len(drugs)
    legend_y = rows_end + 22
    shown = [group for group in DRUG_GROUPS if any(g == group for _, g, _ in drugs)]
    groups = ", ".join(in_running_text(DRUG_GROUPS[group].label) for group in shown)
    legend_lines = (len(shown) + 1) // 2
    height = legend_y + legend_lines * 24 + 6
    names = ", ".join(f"{name} {year}" for name, _, year in drugs)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" '
        'aria-labelledby="timeline-title timeline-desc" font-family="DejaVu Sans, Arial, sans-serif">',
        '<title id="timeline-title">First US approvals of the medicines in this handbook</title>',
        f'<desc id="timeline-desc">A timeline from {START} to {END} with one marker for each medicine whose first '
        f"US approval year is in the handbook's sources: {escape(names)}. Colour and marker shape show the "
        f"group: {escape(groups)}.</desc>",
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        f'<line x1="{LEFT}" y1="{axis_y}" x2="{RIGHT}" y2="{axis_y}" stroke="#333" stroke-width="1.5"/>',
    ]
    for year in range(START, END + 1, 10):
        x = x_of(year)
        out.append(f'<line x1="{x:.1f}" y1="{axis_y - 5}" x2="{x:.1f}" y2="{axis_y + 5}" stroke="#333"/>')
        anchor = "start" if year == START else "end" if year == END else "middle"
        out.append(
            f'<text x="{x:.1f}" y="{axis_y - 11}" font-size="{FONT}" text-anchor="{anchor}" fill="{TEXT}">{year}</text>'
        )
    # Drop lines first, so that no line crosses a label drawn later.
    for row, (name, group, year) in enumerate(drugs):
        y = axis_y + 28 + row * row_height
        out.append(
            f'<line x1="{x_of(year):.1f}" y1="{axis_y}" x2="{x_of(year):.1f}" y2="{y}" '
            f'stroke="{DRUG_GROUPS[group].colour.ink}" stroke-width="1" stroke-dasharray="2,2"/>'
        )
    for row, (name, group, year) in enumerate(drugs):
        y = axis_y + 28 + row * row_height
        x = x_of(year)
        colour = DRUG_GROUPS[group].colour.ink
        out.append(marker(DRUG_GROUPS[group].marker, x, y, colour))
        anchor, dx = ("end", -11) if x > (LEFT + RIGHT) / 2 else ("start", 11)
        label = f"{name} ({year})"
        # A white band behind the label hides any drop line passing behind it.
        width = text_width(label)
        left = x + dx - width if anchor == "end" else x + dx
        out.append(f'<rect x="{left - 2:.1f}" y="{y - 8:.1f}" width="{width + 4:.1f}" height="16" fill="#ffffff"/>')
        out.append(
            f'<text x="{x + dx:.1f}" y="{y + 4.5:.1f}" font-size="{FONT}" text-anchor="{anchor}" fill="{TEXT}">'
            f"{escape(label)}</text>"
        )
    out.append(f'<line x1="{LEFT}" y1="{rows_end + 2}" x2="{RIGHT}" y2="{rows_end + 2}" stroke="#cccccc"/>')
    for index, group in enumerate(shown):
        column, line = index % 2, index // 2
        lx = LEFT + 6 + column * (WIDTH / 2 - 20)
        ly = legend_y + line * 24
        out.append(marker(DRUG_GROUPS[group].marker, lx, ly - 4.5, DRUG_GROUPS[group].colour.ink))
        out.append(
            f'<text x="{lx + 13:.1f}" y="{ly:.1f}" font-size="{FONT}" fill="{TEXT}">{escape(DRUG_GROUPS[group].label)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def dated(drugs: Sequence[Drug]) -> list[tuple[str, str, int]]:
    """(name, group, year of first approval) of each drug that has one, oldest first."""
    return sorted(
        (
            (str(d.fields["name"]), str(d.fields["group"]), int(d.fields["first_approval"]))
            for d in drugs
            if d.fields.get("first_approval") is not None
        ),
        key=lambda item: (item[2], item[0]),
    )


def main(argv: list[str] | None = None) -> int:
    return data_figure.command(argv, __doc__.splitlines()[0], OUTPUT, __spec__.name, lambda drugs: render(dated(drugs)))


if __name__ == "__main__":
    sys.exit(main())

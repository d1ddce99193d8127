#!/usr/bin/env python3
"""Draw the timeline of first US approvals from the drug data file.

Reads ``book/_data/drugs.yaml`` and writes ``book/figures/approval-timeline.svg``.
Drugs whose first approval year is not verified (``first_approval: null``)
are left out, never guessed. The output is deterministic, so the build can
run this every time and a test can check the committed figure is current.

Exit status: 0 on success (written or already current), 1 if the data file
has problems (they are printed with the file and line).
"""

from __future__ import annotations

import argparse
import sys
from html import escape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "_ext"))

from drug_facts import GROUPS, display_path, load_drugs  # noqa: E402
from handbook_meta import BOOK_DIR, DRUGS_FILE  # noqa: E402

OUTPUT = BOOK_DIR / "figures" / "approval-timeline.svg"
GROUP_COLOURS = {
    "conventional": "#6b4c9a",
    "glucocorticoid": "#8c6d1f",
    "biologic": "#1f6f8b",
    "jak-inhibitor": "#b5432a",
}
WIDTH, LEFT, RIGHT = 760, 40, 720
START, END = 1960, 2030


def x_of(year: int) -> float:
    return LEFT + (year - START) * (RIGHT - LEFT) / (END - START)


def render(drugs: list[tuple[str, str, int]]) -> str:
    """SVG text for (name, group, year) triples, sorted by year."""
    axis_y = 60
    row_height = 22
    height = axis_y + 30 + row_height * len(drugs) + 50
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" '
        'aria-labelledby="timeline-title" font-family="DejaVu Sans, Arial, sans-serif">',
        '<title id="timeline-title">First US approvals of the medicines in this handbook</title>',
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        f'<line x1="{LEFT}" y1="{axis_y}" x2="{RIGHT}" y2="{axis_y}" stroke="#333" stroke-width="1.5"/>',
    ]
    for year in range(START, END + 1, 10):
        x = x_of(year)
        out.append(f'<line x1="{x:.1f}" y1="{axis_y - 5}" x2="{x:.1f}" y2="{axis_y + 5}" stroke="#333"/>')
        out.append(f'<text x="{x:.1f}" y="{axis_y - 12}" font-size="13" text-anchor="middle" fill="#222">{year}</text>')
    for row, (name, group, year) in enumerate(drugs):
        y = axis_y + 30 + row * row_height
        x = x_of(year)
        colour = GROUP_COLOURS[group]
        out.append(f'<line x1="{x:.1f}" y1="{axis_y}" x2="{x:.1f}" y2="{y}" stroke="{colour}" stroke-width="1" stroke-dasharray="2,2"/>')
        out.append(f'<circle cx="{x:.1f}" cy="{y}" r="5" fill="{colour}"/>')
        anchor, dx = ("end", -9) if x > (LEFT + RIGHT) / 2 else ("start", 9)
        out.append(
            f'<text x="{x + dx:.1f}" y="{y + 4}" font-size="13" text-anchor="{anchor}" fill="#222">'
            f"{escape(name)} ({year})</text>"
        )
    legend_y = height - 22
    legend_x = LEFT
    for group, colour in GROUP_COLOURS.items():
        out.append(f'<circle cx="{legend_x + 5}" cy="{legend_y - 4}" r="5" fill="{colour}"/>')
        label = escape(GROUPS[group])
        out.append(f'<text x="{legend_x + 14}" y="{legend_y}" font-size="12" fill="#222">{label}</text>')
        legend_x += 14 + 7 * len(GROUPS[group]) + 18
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT, help="where to write the SVG")
    parser.add_argument("--check", action="store_true", help="exit 1 if the figure is out of date")
    args = parser.parse_args(argv)

    drugs, problems = load_drugs(DRUGS_FILE)
    if problems:
        for line, message in problems:
            print(f"{display_path(DRUGS_FILE)}:{line}: error: {message}", file=sys.stderr)
        return 1
    dated = sorted(
        (
            (str(d.fields["name"]), str(d.fields["group"]), int(d.fields["first_approval"]))
            for d in drugs
            if d.fields.get("first_approval") is not None
        ),
        key=lambda item: (item[2], item[0]),
    )
    svg = render(dated)
    current = args.output.read_text(encoding="utf-8") if args.output.exists() else None
    if args.check:
        if current != svg:
            print(f"{display_path(args.output)} is out of date: run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    if current != svg:  # leave the file (and its mtime) alone when nothing changed
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(svg, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

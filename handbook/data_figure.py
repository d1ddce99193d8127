"""The command both data figures share: read the drug data, draw, write only on change.

``python -m handbook.draw_approval_timeline`` and
``python -m handbook.draw_monitoring_figure`` differ only in what they draw
from the drugs; reading ``book/_data/drugs.yaml`` (its problems printed, exit
1), ``--check`` (exit 1 when the committed SVG is out of date) and leaving an
unchanged file and its mtime alone are here, once.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from handbook.drug_facts import Drug, display_path, format_problem, load_drugs
from handbook.meta import DRUGS_FILE


def command(argv: list[str] | None, description: str, output: Path, module: str,
            draw: Callable[[Sequence[Drug]], str]) -> int:  # fmt: skip
    """Run one figure's command line; the exit status (0 drawn or up to date, 1 not)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--output", type=Path, default=output, help="where to write the SVG")
    parser.add_argument("--check", action="store_true", help="exit 1 if the figure is out of date")
    args = parser.parse_args(argv)

    drugs, problems = load_drugs(DRUGS_FILE)
    if problems:
        for problem in problems:
            print(format_problem(problem), file=sys.stderr)
        return 1
    svg = draw(drugs)
    current = args.output.read_text(encoding="utf-8") if args.output.exists() else None
    if args.check:
        if current != svg:
            print(f"{display_path(args.output)} is out of date: run python -m {module}", file=sys.stderr)
            return 1
        return 0
    if current != svg:  # leave the file (and its mtime) alone when nothing changed
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(svg, encoding="utf-8")
    return 0

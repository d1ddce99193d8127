"""The benchmark's own parts (handbook.bench): hyperfine's timing wrapper and the generated books.

No timing is asserted: only that each run is timed and reported, and that a
failing command is named.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import types
from collections import Counter
from pathlib import Path

import pytest
from handbook.bench import LABEL_DEF, Bench, Command, MeasurementError, check_targets, generate_book, hyperfine, table
from handbook.meta import BOOK_DIR, ROOT, load_chapters

needs_hyperfine = pytest.mark.skipif(
    shutil.which("hyperfine") is None, reason="hyperfine is not installed (make bench installs it)"
)


@needs_hyperfine
def test_hyperfine_times_every_run_after_its_prepare_command(tmp_path: Path) -> None:
    commands = [Command("first", "true", "echo prepared >> first.txt"), Command("second", "python3 -c pass")]
    figures = hyperfine(commands, tmp_path, 2, tmp_path, dict(os.environ))
    assert [len(figure.samples) for figure in figures] == [2, 2]
    assert (tmp_path / "first.txt").read_text().splitlines() == ["prepared", "prepared"]
    assert all(figure.cpu_seconds is not None and figure.tree_rss_mb is not None for figure in figures)


@needs_hyperfine
def test_a_failing_command_is_named(tmp_path: Path) -> None:
    # hyperfine's own words, which differ by version: "exit code: 3" (1.15,
    # Debian 12), "non-zero exit code 3" (Debian 13's).
    with pytest.raises(MeasurementError, match=r"^broken: .*exit code:? 3\b"):
        hyperfine([Command("broken", "exit 3")], tmp_path, 1, tmp_path, dict(os.environ))


def test_a_generated_book_has_the_chapters_asked_for_and_no_label_twice(tmp_path: Path) -> None:
    real = load_chapters()
    count = 2 * len(real) + 1  # two rounds of copies and one more
    words = generate_book(BOOK_DIR, tmp_path / "book", count)
    chapters = load_chapters(tmp_path / "book")
    assert len(chapters) == count and words > 0
    assert [c.docname for c in chapters[: len(real)]] == [f"{c.docname}-g{i:03d}" for i, c in enumerate(real, 1)]
    texts = [(tmp_path / "book" / f"{c.docname}.md").read_text(encoding="utf-8") for c in chapters]
    labels = Counter(m["label"] or m["name"] for text in texts for m in LABEL_DEF.finditer(text))
    assert labels and max(labels.values()) == 1, [label for label, n in labels.items() if n > 1]
    # A reference to a chapter's label goes to a copy that defines it (other pages keep theirs).
    real_labels = {
        m["label"] or m["name"]
        for c in real
        for m in LABEL_DEF.finditer((BOOK_DIR / f"{c.docname}.md").read_text(encoding="utf-8"))
    }
    references = {ref for text in texts for ref in re.findall(r"\{(?:ref|numref)\}`(?:[^`<]*<)?([^`>]+)>?`", text)}
    to_chapters = {ref for ref in references if re.sub(r"-g\d{3}$", "", ref) in real_labels}
    assert to_chapters and to_chapters <= set(labels), sorted(to_chapters - set(labels))[:5]


@pytest.mark.parametrize("preview", ["measured", "missing"])
def test_the_preview_scenario_is_a_target_or_said_to_be_not_measured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, preview: str
) -> None:
    """handbook.serve.measure_preview_latency(tree, runs) gives the seconds; without it the table says why."""
    trees = []
    serve = types.ModuleType("handbook.serve")
    serve.measure_preview_latency = lambda tree, runs: trees.append(tree) or [0.5, 0.9, 1.4][:runs]
    monkeypatch.setitem(sys.modules, "handbook.serve", serve if preview == "measured" else None)  # None: ImportError
    bench = Bench(tmp_path, dict(os.environ), 3, load_chapters()[0])
    bench.preview()
    row = next(target for target in check_targets(bench) if target[0].startswith("Preview"))
    text = table(
        bench, {"cores": 2, "memory_gib": 1, "system": "", "python": "", "sphinx": "", "tex": "", "hyperfine": ""}, [row]
    )
    if preview == "measured":
        assert row[1:] == ("0.90 s", "< 1 s", True)
        assert (trees[0] / "book" / "index.md").is_file() and trees[0] != ROOT
        assert "| Preview: chapter 1 saved, until the browser shows it | 0.90 s | 0.50 s–1.40 s |" in text
    else:
        assert row[1:] == ("–", "< 1 s", None)
        assert "| Preview: chapter 1 saved, until the browser shows it | not measured: " in text

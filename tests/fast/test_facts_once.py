"""Facts stated once: the notice's wording lives in book/_data/edition.yaml only."""

from __future__ import annotations

from pathlib import Path

from handbook.meta import load_edition

ROOT = Path(__file__).resolve().parents[2]
# Where code, templates and stylesheets live (the book's own prose, book/*.md, may
# say what it likes; it is content, not a restatement of the notice).
CODE = ["conf.py", "handbook", "_templates", "_static", "_print", "scripts"]
SUFFIXES = {".py", ".html", ".css", ".js", ".tex", ".cls", ".txt", ".yaml", ".cfg", ".toml"}


def code_files() -> list[Path]:
    files = []
    for name in CODE:
        path = ROOT / name
        files += [path] if path.is_file() else [p for p in path.rglob("*") if p.suffix in SUFFIXES]
    return files


def test_the_notice_is_worded_only_in_the_edition_file() -> None:
    edition = load_edition()
    words = [edition.notice.casefold(), edition.notice_advice.casefold()]
    copies = [
        str(path.relative_to(ROOT))
        for path in code_files()
        if any(w in " ".join(path.read_text(encoding="utf-8", errors="replace").split()).casefold() for w in words)
    ]
    assert len(code_files()) > 20, "the scan found hardly any files: it checks nothing"
    assert copies == [], f"the notice is worded here too; read it from load_edition(): {copies}"

"""The printed book is clean, and rebuilds do no waste.

That two builds of the same sources are byte-identical, and that Sphinx
rewriting pages from its cache gives the clean build, is checked in
tests/test_structure_changes.py, on the clean builds it makes anyway.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import BookBuild, copy_sources, run_build

# An overfull box is text pushed past its column or the margin. Up to 2 pt is
# less than the padding between table columns (\tabcolsep is 6 pt) and a
# fifth of a letter's width, so a reader never sees it; anything wider shows.
OVERFULL_BOUND_PT = 2.0
OVERFULL = re.compile(r"^Overfull \\hbox \((\d+(?:\.\d+)?)pt too wide\)(.*)$", re.MULTILINE)
UNDEFINED = re.compile(
    r"LaTeX Warning: (?:Reference|Citation|Hyper reference) `[^']+' on page \d+ undefined.*"
    r"|There were undefined references"
)


def jobs(book: BookBuild) -> list[Path]:
    stems = [book.edition.book_stem, *(c.tex_name.removesuffix(".tex") for c in book.chapters)]
    return [book.latex_dir / f"{stem}.log" for stem in stems]


# -- the LaTeX logs ---------------------------------------------------------------


def test_latex_logs_have_no_undefined_references_or_missing_characters(book: BookBuild) -> None:
    for log in jobs(book):
        text = log.read_text(encoding="utf-8", errors="replace")
        assert "Missing character" not in text, f"{log.name}: a character has no glyph"
        assert not UNDEFINED.findall(text), f"{log.name}: {UNDEFINED.findall(text)[:5]}"


def test_latex_logs_have_no_visible_overfull_boxes(book: BookBuild) -> None:
    for log in jobs(book):
        text = log.read_text(encoding="utf-8", errors="replace")
        wide = [(float(pt), where) for pt, where in OVERFULL.findall(text) if float(pt) > OVERFULL_BOUND_PT]
        assert not wide, f"{log.name}: overfull boxes wider than {OVERFULL_BOUND_PT} pt: {wide[:5]}"


# -- builds that do not waste time -------------------------------------------------


def test_rebuild_with_no_change_does_nothing(book: BookBuild) -> None:
    pdfs = [book.book_pdf, *(book.chapter_pdf(c) for c in book.chapters)]
    before = {p: p.stat().st_mtime_ns for p in pdfs}
    with book.writing():  # it must write nothing; should it, no other test copies the build meanwhile
        result = run_build(book.build_dir, "all")
    assert result.returncode == 0
    assert "up to date" in result.stdout
    assert "sphinx" not in result.stdout and "compiled" not in result.stdout
    assert {p: p.stat().st_mtime_ns for p in pdfs} == before


def test_editing_one_chapter_recompiles_only_that_chapter_and_the_book(book: BookBuild, tmp_path: Path) -> None:
    copy = copy_sources(tmp_path / "copy", book)
    risks = copy / "book" / "risks.md"
    risks.write_text(risks.read_text(encoding="utf-8") + "\nOne more sentence for this test.\n", encoding="utf-8")
    # The site and the xelatex PDFs: what this test reads (the print edition's own test is in test_print_edition).
    result = run_build(copy / "_build", "html", "pdf", "chapters", root=copy)
    assert result.returncode == 0, result.stdout + result.stderr
    compiled = re.search(r"compiled \d+ PDF\(s\) in [\d.]+s: (.*)", result.stdout)
    assert compiled, result.stdout
    assert sorted(compiled.group(1).split(", ")) == sorted([book.edition.book_stem, "05-risks"])
    assert "One more sentence for this test." in (copy / "_build" / "html" / "risks.html").read_text()
    # The search index keeps every page's index entries (Sphinx 9.0 drops them).
    assert search_index_entries(copy / "_build" / "html") == search_index_entries(book.html)


def test_editing_the_bibliography_updates_every_reference_list(book: BookBuild, tmp_path: Path) -> None:
    # Formatted entries are kept between builds (handbook/ext/bibliography_style.py);
    # an edited entry must not be served from that cache.
    copy = copy_sources(tmp_path / "copy", book)
    bib = copy / "book" / "references.bib"
    old, new = "archived version, December 2020", "archived copy, December 2020"
    assert old in bib.read_text(encoding="utf-8")
    bib.write_text(bib.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    result = run_build(copy / "_build", "html", root=copy)
    assert result.returncode == 0, result.stdout + result.stderr
    references = (copy / "_build" / "html" / "references.html").read_text(encoding="utf-8")
    assert new in references and old not in references


def test_changing_an_extension_rewrites_the_pages_it_shapes(book: BookBuild, tmp_path: Path) -> None:
    # Sphinx re-reads a page when the page or conf.py changed, not when an
    # extension did; the code's hash is a config value (handbook_code, rebuild
    # "env"), so Sphinx reads every page again.
    copy = copy_sources(tmp_path / "copy", book)
    style = copy / "handbook" / "ext" / "bibliography_style.py"
    old, new = "Partially verified: some details", "Partially verified (edited): some details"
    style.write_text(style.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    second = run_build(copy / "_build", "html", root=copy)
    assert second.returncode == 0, second.stdout + second.stderr
    for page in ("references.html", "risks.html"):
        text = (copy / "_build" / "html" / page).read_text(encoding="utf-8")
        assert new in text and old not in text, page


def search_index_entries(html: Path) -> dict[str, list]:
    text = (html / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1 : text.rindex(")")])["indexentries"]


def test_publishing_leaves_no_half_published_folders(book: BookBuild) -> None:
    leftovers = [p.name for p in book.build_dir.iterdir() if p.name.endswith((".new", ".old", ".tmp"))]
    assert not leftovers, leftovers
    for part in ("html", "pdf", "epub"):
        assert (book.build_dir / part).is_dir()

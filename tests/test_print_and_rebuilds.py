"""The printed book is clean, builds are reproducible, and rebuilds do no waste."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from conftest import BookBuild, copy_sources, run_build

# An overfull box is text pushed past its column or the margin. Up to 2 pt is
# less than the padding between table columns (\tabcolsep is 6 pt) and a
# fifth of a letter's width, so a reader never sees it; anything wider shows.
OVERFULL_BOUND_PT = 2.0
OVERFULL = re.compile(r"^Overfull \\hbox \((\d+(?:\.\d+)?)pt too wide\)(.*)$", re.M)
UNDEFINED = re.compile(
    r"LaTeX Warning: (?:Reference|Citation|Hyper reference) `[^']+' on page \d+ undefined.*"
    r"|There were undefined references"
)


def jobs(book: BookBuild) -> list[Path]:
    stems = [book.edition.book_stem, *(c.tex_name.removesuffix(".tex") for c in book.chapters)]
    return [book.latex_dir / f"{stem}.log" for stem in stems]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def site_checksums(html: Path) -> dict[str, str]:
    return {str(p.relative_to(html)): sha256(p) for p in sorted(html.rglob("*")) if p.is_file()}


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


# -- the same input gives the same output ----------------------------------------


@pytest.fixture(scope="module")
def second_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Another clean build of the same checkout, in a folder of its own."""
    build_dir = tmp_path_factory.mktemp("second-build")
    result = run_build(build_dir, "all")
    assert result.returncode == 0, result.stdout + result.stderr
    return build_dir


def differing_pages(first: Path, second: Path) -> list[str]:
    first_site, second_site = site_checksums(first), site_checksums(second)
    assert first_site.keys() == second_site.keys()
    return [name for name in first_site if first_site[name] != second_site[name]]


def test_two_clean_builds_are_byte_identical(book: BookBuild, second_build: Path) -> None:
    pdfs = [book.edition.book_stem + ".pdf", *(f"chapters/{c.pdf_name}" for c in book.chapters)]
    for pdf in pdfs:
        assert sha256(book.build_dir / "pdf" / pdf) == sha256(second_build / "pdf" / pdf), f"{pdf} differs"
    differing = differing_pages(book.html, second_build / "html")
    assert not differing, f"HTML differs between builds: {differing[:10]}"


def test_sphinx_rewriting_from_its_cache_gives_the_clean_build(book: BookBuild, second_build: Path) -> None:
    # --force runs Sphinx again on the unchanged book in the same folder, as
    # after an edit: it writes pages from its cache and reloads the previous
    # search index instead of starting afresh.
    result = run_build(second_build, "html", "--force")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "sphinx html" in result.stdout, result.stdout
    differing = differing_pages(book.html, second_build / "html")
    assert not differing, f"HTML differs from the clean build: {differing[:10]}"


# -- builds that do not waste time -------------------------------------------------


def test_rebuild_with_no_change_does_nothing(book: BookBuild) -> None:
    pdfs = [book.book_pdf, *(book.chapter_pdf(c) for c in book.chapters)]
    before = {p: p.stat().st_mtime_ns for p in pdfs}
    result = run_build(book.build_dir, "all")
    assert result.returncode == 0
    assert "up to date" in result.stdout
    assert "sphinx" not in result.stdout and "compiled" not in result.stdout
    assert {p: p.stat().st_mtime_ns for p in pdfs} == before


def test_editing_one_chapter_recompiles_only_that_chapter_and_the_book(book: BookBuild, tmp_path: Path) -> None:
    copy = copy_sources(tmp_path / "copy", book)
    risks = copy / "book" / "risks.md"
    risks.write_text(risks.read_text(encoding="utf-8") + "\nOne more sentence for this test.\n", encoding="utf-8")
    result = run_build(copy / "_build", "all", root=copy)
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


def test_changing_an_extension_rewrites_the_pages_it_shapes(tmp_path: Path) -> None:
    # Sphinx re-reads a page when the page or conf.py changed, not when an
    # extension did; the code's hash is a config value (handbook_code, rebuild
    # "env"), so Sphinx reads every page again.
    copy = copy_sources(tmp_path / "copy")
    first = run_build(copy / "_build", "html", root=copy)
    assert first.returncode == 0, first.stdout + first.stderr
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

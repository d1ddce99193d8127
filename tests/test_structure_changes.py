"""Adding, renaming, reordering or removing a chapter: one build equals a clean build.

A copy of the session's good build is changed the way an editor would (the
README's way: ``python -m handbook.new_chapter``, one line in the chapter
list, a renamed file with its redirect) and built once, incrementally; the
site and the EPUB are compared, file by file, with a clean build of the same
sources made at the same time, and the site's downloads must keep no
chapter file under an old number. Then every change is undone, which
removes the added chapter and renames the renamed one back, and one more
incremental build must give the session's own clean build again, downloads
and all.

The PDF editions are left out: both are made from what is compared here
(the print edition from the site's pages, the xelatex one from the same
Sphinx sources), their chapter files are pruned by the code
tests/fast/test_publish.py checks, and the print edition's own record of
what each chapter was made from is tested in test_print_edition.py. Laying
out the book again on both sides would double the time of this test, the
longest of the suite.

Before any change, Sphinx rewriting the unchanged book from its cache
(as after an edit) must give the clean build too.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from conftest import BookBuild, copy_sources, published, run_build

from handbook.meta import load_chapters


#: What is compared with a clean build: the site's pages (its downloads are the PDFs, not compared), the EPUB.
SITE = ("html", "epub")
DOWNLOADS = "html/downloads"


def add_reorder_and_rename(book_dir: Path) -> None:
    """A new chapter after "risks", "lifestyle" moved before "risks", "research" renamed "research-ahead"."""
    subprocess.run(
        [sys.executable, "-m", "handbook.new_chapter", "care-team", "Your care team", "--after", "risks"],
        check=True, capture_output=True, cwd=book_dir.parent,
    )  # fmt: skip
    index = book_dir / "index.md"
    text = index.read_text(encoding="utf-8")
    assert "risks\ncare-team\nlifestyle\n" in text and "\nresearch\n" in text
    text = text.replace("risks\ncare-team\nlifestyle\n", "lifestyle\nrisks\ncare-team\n").replace("\nresearch\n", "\nresearch-ahead\n")
    index.write_text(text, encoding="utf-8")
    (book_dir / "research.md").rename(book_dir / "research-ahead.md")
    redirects = book_dir / "_data" / "redirects.yaml"
    text = redirects.read_text(encoding="utf-8").replace("07-research: research.html\n", "")
    redirects.write_text(text + "research: research-ahead.html\n07-research: research-ahead.html\n", encoding="utf-8")


def clean_build_of(book_dir: Path, folder: Path) -> Path:
    """A clean build, in a folder of its own, of the sources with ``book_dir`` as their book/."""
    copy_sources(folder)
    shutil.rmtree(folder / "book")
    shutil.copytree(book_dir, folder / "book")
    result = run_build(folder / "_build", *SITE, root=folder)
    assert result.returncode == 0, result.stdout + result.stderr
    return folder / "_build"


def differences(ours: Path, theirs: Path, leave_out: tuple[str, ...] = (DOWNLOADS,)) -> list[str]:
    """The files of the site and the EPUB that are in one build and not the other, or differ."""
    mine, other = published(ours, SITE, leave_out), published(theirs, SITE, leave_out)
    return sorted(set(mine) ^ set(other)) + [name for name in sorted(mine.keys() & other.keys()) if mine[name] != other[name]]


def chapter_files(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.glob("*.pdf"))


def test_an_incremental_build_after_chapter_changes_equals_a_clean_build(book: BookBuild, tmp_path: Path) -> None:
    copy = copy_sources(tmp_path / "edited", book)
    original = tmp_path / "original-book"
    shutil.copytree(copy / "book", original)

    # Sphinx writes every page again from its cache and reloads the previous
    # search index, instead of starting afresh.
    rewritten = run_build(copy / "_build", "html", "--force", root=copy)
    assert rewritten.returncode == 0 and "sphinx html" in rewritten.stdout, rewritten.stdout + rewritten.stderr
    assert differences(copy / "_build", book.build_dir, leave_out=()) == [], "rewriting from the cache changed the site"

    add_reorder_and_rename(copy / "book")
    # The clean build of the changed sources runs beside the incremental one.
    with ThreadPoolExecutor(max_workers=1) as beside:
        clean = beside.submit(clean_build_of, copy / "book", tmp_path / "clean")
        incremental = run_build(copy / "_build", *SITE, root=copy)
        clean_build = clean.result()
    assert incremental.returncode == 0, incremental.stdout + incremental.stderr
    # The chapter list alone set the numbers: lifestyle is now Chapter 5.
    chapters = load_chapters(copy / "book")
    numbers = {c.slug: c.number for c in chapters}
    assert (numbers["lifestyle"], numbers["risks"], numbers["care-team"]) == (5, 6, 7)
    moved = (copy / "_build" / "html" / "research.html").read_text(encoding="utf-8")
    assert "url=research-ahead.html" in moved, "the renamed chapter's old address does not redirect"
    assert differences(copy / "_build", clean_build) == [], "a chapter added, chapters reordered and one renamed"
    # The downloads are the last PDF build's files (the session's, here): those
    # of chapters that kept their number, and no file under an old number.
    kept = {c.pdf_name for c in chapters} & set(chapter_files(book.build_dir / "print" / "chapters"))
    assert "07-research.pdf" not in kept and "01-definition.pdf" in kept
    assert chapter_files(copy / "_build" / DOWNLOADS / "chapters") == sorted(kept)

    # Undone: care-team removed, research-ahead renamed back, the order restored.
    shutil.rmtree(copy / "book")
    shutil.copytree(original, copy / "book")
    undone = run_build(copy / "_build", *SITE, root=copy)
    assert undone.returncode == 0, undone.stdout + undone.stderr
    assert not (copy / "_build" / "html" / "care-team.html").exists()
    site = differences(copy / "_build", book.build_dir, leave_out=())
    assert site == [], "a chapter removed, one renamed back, the order restored"

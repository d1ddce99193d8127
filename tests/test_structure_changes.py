"""Adding, renaming, reordering or removing a chapter: one build equals a clean build.

A copy of the session's good build is changed the way an editor would (the
README's way: ``python -m handbook.new_chapter``, one line in the chapter
list, a renamed file with its redirect) and built once, incrementally, with
``build.py all``; every published file is compared with a clean build of the
same sources. Then every change is undone, which removes the added chapter
and renames the renamed one back, and one more incremental build must give
the session's own clean build again.

Before any change, Sphinx rewriting the unchanged book from its cache
(as after an edit) must give the clean build too.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import BookBuild, copy_sources, run_build

from handbook.meta import load_chapters


def published(build_dir: Path) -> dict[str, str]:
    sums = {}
    for part in ("html", "pdf", "epub"):
        for path in sorted((build_dir / part).rglob("*")):
            if path.is_file():
                sums[str(path.relative_to(build_dir))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return sums


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
    result = run_build(folder / "_build", "all", root=folder)
    assert result.returncode == 0, result.stdout + result.stderr
    return folder / "_build"


def differences(ours: Path, theirs: Path) -> list[str]:
    """The published files that are in one build and not the other, or differ."""
    mine, other = published(ours), published(theirs)
    return sorted(set(mine) ^ set(other)) + [name for name in sorted(mine.keys() & other.keys()) if mine[name] != other[name]]


def test_an_incremental_build_after_chapter_changes_equals_a_clean_build(book: BookBuild, tmp_path: Path) -> None:
    copy = copy_sources(tmp_path / "edited", book)
    original = tmp_path / "original-book"
    shutil.copytree(copy / "book", original)

    # Sphinx writes every page again from its cache and reloads the previous
    # search index, instead of starting afresh.
    rewritten = run_build(copy / "_build", "html", "--force", root=copy)
    assert rewritten.returncode == 0 and "sphinx html" in rewritten.stdout, rewritten.stdout + rewritten.stderr
    assert differences(copy / "_build", book.build_dir) == [], "rewriting from the cache changed the site"

    add_reorder_and_rename(copy / "book")
    incremental = run_build(copy / "_build", "all", root=copy)
    assert incremental.returncode == 0, incremental.stdout + incremental.stderr
    # The chapter list alone set the numbers: lifestyle is now Chapter 5.
    chapters = {c.slug: c.number for c in load_chapters(copy / "book")}
    assert (chapters["lifestyle"], chapters["risks"], chapters["care-team"]) == (5, 6, 7)
    assert (copy / "_build" / "pdf" / "chapters" / "05-lifestyle.pdf").is_file()
    moved = (copy / "_build" / "html" / "research.html").read_text(encoding="utf-8")
    assert "url=research-ahead.html" in moved, "the renamed chapter's old address does not redirect"
    clean = clean_build_of(copy / "book", tmp_path / "clean")
    assert differences(copy / "_build", clean) == [], "a chapter added, chapters reordered and one renamed"

    # Undone: care-team removed, research-ahead renamed back, the order restored.
    shutil.rmtree(copy / "book")
    shutil.copytree(original, copy / "book")
    undone = run_build(copy / "_build", "all", root=copy)
    assert undone.returncode == 0, undone.stdout + undone.stderr
    assert not (copy / "_build" / "html" / "care-team.html").exists()
    assert differences(copy / "_build", book.build_dir) == [], "a chapter removed, one renamed back, the order restored"

"""Adding, renaming, reordering or removing a chapter: one build equals a clean build.

Each scenario starts from a copy of the session's good build, changes the
book the way an editor would (the README's way: ``python -m handbook.new_chapter``,
one line in the chapter list, a renamed file with its redirect), runs one
incremental ``build.py all`` and compares every published file with a clean
build of the same sources.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from collections.abc import Callable
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


def add_chapter(book_dir: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "handbook.new_chapter", "care-team", "Your care team", "--after", "risks"],
        check=True, capture_output=True, cwd=book_dir.parent,
    )  # fmt: skip


def reorder_rename_and_remove(book_dir: Path) -> None:
    index = book_dir / "index.md"
    text = index.read_text(encoding="utf-8")
    # Move "lifestyle" before "risks", rename "research" to "research-ahead", remove "care-team".
    text = text.replace("risks\ncare-team\nlifestyle\n", "lifestyle\nrisks\n").replace("\nresearch\n", "\nresearch-ahead\n")
    index.write_text(text, encoding="utf-8")
    (book_dir / "care-team.md").unlink()
    (book_dir / "research.md").rename(book_dir / "research-ahead.md")
    redirects = book_dir / "_data" / "redirects.yaml"
    redirects.write_text(redirects.read_text(encoding="utf-8") + "research: research-ahead.html\n07-research: research-ahead.html\n")
    redirects.write_text(redirects.read_text(encoding="utf-8").replace("07-research: research.html\n", ""))


SCENARIOS: list[tuple[str, Callable[[Path], None]]] = [
    ("a chapter added", add_chapter),
    ("chapters reordered, one renamed and one removed", reorder_rename_and_remove),
]


def test_an_incremental_build_after_chapter_changes_equals_a_clean_build(book: BookBuild, tmp_path: Path) -> None:
    copy = copy_sources(tmp_path / "edited", book)
    for description, change in SCENARIOS:
        change(copy / "book")
        incremental = run_build(copy / "_build", "all", root=copy)
        assert incremental.returncode == 0, f"{description}:\n{incremental.stdout}\n{incremental.stderr}"

        clean = tmp_path / f"clean-{len(description)}"
        shutil.rmtree(clean, ignore_errors=True)
        copy_sources(clean)
        shutil.rmtree(clean / "book")
        shutil.copytree(copy / "book", clean / "book")
        fresh = run_build(clean / "_build", "all", root=clean)
        assert fresh.returncode == 0, f"{description}:\n{fresh.stdout}\n{fresh.stderr}"

        ours, theirs = published(copy / "_build"), published(clean / "_build")
        assert sorted(ours) == sorted(theirs), f"{description}: files differ: {sorted(set(ours) ^ set(theirs))}"
        differing = [name for name in ours if ours[name] != theirs[name]]
        assert not differing, f"{description}: contents differ: {differing}"

    # The chapter list alone set the numbers: lifestyle is now Chapter 5.
    chapters = {c.slug: c.number for c in load_chapters(copy / "book")}
    assert chapters["lifestyle"] == 5 and chapters["risks"] == 6 and "care-team" not in chapters
    assert (copy / "_build" / "pdf" / "chapters" / "05-lifestyle.pdf").is_file()
    assert not (copy / "_build" / "html" / "care-team.html").exists()
    moved = (copy / "_build" / "html" / "research.html").read_text(encoding="utf-8")
    assert 'url=research-ahead.html' in moved, "the renamed chapter's old address does not redirect"

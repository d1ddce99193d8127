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

import pytest

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


def test_a_numbered_chapter_file_is_refused_naming_both_places(book: BookBuild, tmp_path: Path) -> None:
    copy = copy_sources(tmp_path / "numbered")
    (copy / "book" / "risks.md").rename(copy / "book" / "05-risks.md")
    (copy / "book" / "index.md").write_text((copy / "book" / "index.md").read_text().replace("\nrisks\n", "\n05-risks\n"))
    result = run_build(copy / "_build", "html", root=copy)
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert "book/05-risks.md: page files are named without a number" in output
    assert "book/index.md" in output


def test_a_chapter_list_entry_without_a_file_is_refused(book: BookBuild, tmp_path: Path) -> None:
    copy = copy_sources(tmp_path / "missing")
    index = copy / "book" / "index.md"
    lines = index.read_text().splitlines(keepends=True)
    line = lines.index("risks\n") + 1
    index.write_text("".join(lines).replace("\nrisks\n", "\nrisk\n"))
    result = run_build(copy / "_build", "html", root=copy)
    assert result.returncode == 1
    assert f"book/index.md:{line}: the chapter list names 'risk', but there is no book/risk.md" in result.stdout + result.stderr


@pytest.mark.parametrize("after", ["risks", None])
def test_new_chapter_touches_two_files(tmp_path: Path, after: str | None) -> None:
    copy = copy_sources(tmp_path / "new")
    before = {p: p.read_bytes() for p in (copy / "book").rglob("*") if p.is_file()}
    args = ["--after", after] if after else []
    subprocess.run([sys.executable, "-m", "handbook.new_chapter", "care-team", "Your care team", *args], check=True, cwd=copy)
    after_files = {p: p.read_bytes() for p in (copy / "book").rglob("*") if p.is_file()}
    changed = {p.name for p in after_files if before.get(p) != after_files[p]}
    assert changed == {"care-team.md", "index.md"}
    slugs = [c.slug for c in load_chapters(copy / "book")]
    assert slugs.index("care-team") == (slugs.index("risks") + 1 if after else len(slugs) - 1)

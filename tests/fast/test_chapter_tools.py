"""The editor's chapter tools without a build: starting a chapter, and asking to export one that is not there."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ROOT

from handbook import export, new_chapter
from handbook.meta import load_chapters


@pytest.fixture
def book_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of book/ that handbook.new_chapter writes to instead of the real one."""
    shutil.copytree(ROOT / "book", tmp_path / "book")
    monkeypatch.setattr(new_chapter, "ROOT", tmp_path)
    monkeypatch.setattr(new_chapter, "BOOK_DIR", tmp_path / "book")
    monkeypatch.setattr(new_chapter, "INDEX_FILE", tmp_path / "book" / "index.md")
    return tmp_path / "book"


@pytest.mark.parametrize("after", ["risks", None])
def test_new_chapter_touches_two_files(book_copy: Path, after: str | None) -> None:
    before = {p: p.read_bytes() for p in book_copy.rglob("*") if p.is_file()}
    assert new_chapter.main(["care-team", "Your care team", *(["--after", after] if after else [])]) == 0
    after_files = {p: p.read_bytes() for p in book_copy.rglob("*") if p.is_file()}
    changed = {p.name for p in after_files if before.get(p) != after_files[p]}
    assert changed == {"care-team.md", "index.md"}
    slugs = [c.slug for c in load_chapters(book_copy)]
    assert slugs.index("care-team") == (slugs.index("risks") + 1 if after else len(slugs) - 1)


def test_new_chapter_refuses_a_name_that_is_taken_or_not_a_slug(book_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert new_chapter.main(["risks", "Risks again"]) == 1
    assert "book/risks.md exists already" in capsys.readouterr().err
    assert new_chapter.main(["Care Team", "Your care team"]) == 2
    assert "'Care Team' is not a slug" in capsys.readouterr().err


def test_export_of_a_chapter_that_does_not_exist_is_refused_listing_the_chapters(capsys: pytest.CaptureFixture[str]) -> None:
    assert export.main(["chapter-99"]) == 2
    refused = capsys.readouterr().err
    assert "unknown chapter 'chapter-99'" in refused
    for chapter in load_chapters():
        assert chapter.slug in refused


def test_export_of_a_mistyped_chapter_suggests_the_real_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert export.main(["risk"]) == 2
    assert "unknown chapter 'risk'; did you mean 'risks'?" in capsys.readouterr().err

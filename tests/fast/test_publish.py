"""Publishing a build's files: a renumbered or removed chapter leaves no file behind.

``handbook.build.publish`` copies what the builders made into the published
folders and deletes the chapter files no chapter has any more, for both PDF
editions and the site's downloads. test_structure_changes.py renumbers
chapters in a real build; this checks every folder, with stand-in files.
"""

from __future__ import annotations

from pathlib import Path

from handbook.build import Build, Layout, publish
from handbook.meta import load_chapters, load_edition

STALE = "07-a-chapter-since-renamed.pdf"


def test_publishing_removes_the_files_of_chapters_no_longer_in_the_book(tmp_path: Path) -> None:
    layout = Layout(tmp_path, "a4")
    stem, chapters = load_edition().book_stem, load_chapters()
    for work in (layout.latex_work, layout.print_work / "chapters"):
        work.mkdir(parents=True)
        for chapter in chapters:
            (work / chapter.pdf_name).write_bytes(f"%PDF {chapter.slug}".encode())
    (layout.print_work / f"{stem}.pdf").write_bytes(b"%PDF the book")
    chapter_folders = (layout.pdf / "chapters", layout.print / "chapters", layout.html / "downloads" / "chapters")
    for folder in chapter_folders:
        folder.mkdir(parents=True)
        (folder / STALE).write_bytes(b"%PDF a chapter no longer in the book")

    publish(Build(layout, {"chapters", "print"}))

    expected = sorted(chapter.pdf_name for chapter in chapters)
    for folder in chapter_folders:
        assert sorted(path.name for path in folder.iterdir()) == expected, folder.relative_to(tmp_path)
    first = chapters[0]
    assert (layout.html / "downloads" / "chapters" / first.pdf_name).read_bytes() == f"%PDF {first.slug}".encode()

"""The preview's own parts that need no book build (handbook/serve.py).

The preview itself, on a copy of the book, is tested in tests/test_preview.py.
"""

from __future__ import annotations

import os
from pathlib import Path

from handbook.build import SPHINX_FLAGS
from handbook.serve import BOOK_DIR, ROOT, Preview, Publisher
from handbook.warm_sphinx import PreviewLayout, sphinx_arguments


def write(path: Path, text: str, mtime: int | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    if mtime is not None:
        os.utime(path, ns=(mtime, mtime))


def test_the_publisher_copies_what_changed_and_removes_what_is_gone(tmp_path: Path) -> None:
    work, served = tmp_path / "work", tmp_path / "served"
    write(work / "a.html", "a1")
    write(work / "_static" / "style.css", "css")
    write(served / "left-over-from-last-session.html", "old")
    publisher = Publisher(work, served)
    assert sorted(publisher.publish()) == ["_static/style.css", "a.html"]
    assert not (served / "left-over-from-last-session.html").exists()

    write(work / "a.html", "a2", mtime=10**18)  # rewritten by Sphinx
    write(work / "b.html", "b1")
    (work / "_static" / "style.css").unlink()
    assert sorted(publisher.publish()) == ["a.html", "b.html"]
    assert (served / "a.html").read_text() == "a2" and (served / "b.html").read_text() == "b1"
    assert not (served / "_static" / "style.css").exists()
    # Copies, not links: Sphinx writing in place must not reach the served page.
    assert (served / "a.html").stat().st_ino != (work / "a.html").stat().st_ino


def test_what_a_warm_sphinx_takes_in_place_and_what_starts_a_fresh_one() -> None:
    warm = [BOOK_DIR / "risks.md", BOOK_DIR / "figures" / "new.svg", BOOK_DIR / "_data" / "drugs.yaml"]
    fresh = [BOOK_DIR / "references.bib", BOOK_DIR / "_data" / "edition.yaml", ROOT / "conf.py",
             ROOT / "handbook" / "ext" / "drug_data.py", ROOT / "_templates" / "layout.html", ROOT / "_static" / "handbook.css"]  # fmt: skip
    assert [p for p in warm if not Preview.warm(p)] == []
    assert [p for p in fresh if Preview.warm(p)] == []


def test_the_preview_runs_sphinx_as_the_build_does(tmp_path: Path) -> None:
    arguments = sphinx_arguments(PreviewLayout(tmp_path), "a4")
    assert arguments[:2] == ["-b", "html"]
    assert all(flag in arguments for flag in SPHINX_FLAGS)
    assert {"-n", "-W", "--keep-going"} <= set(arguments)


def test_pages_shown_early_go_back_to_the_last_good_ones_when_the_build_fails(tmp_path: Path) -> None:
    work, served = tmp_path / "work", tmp_path / "served"
    write(work / "risks.html", "good")
    publisher = Publisher(work, served)
    publisher.publish()
    write(work / "risks.html", "edited", mtime=10**18)
    write(work / "new.html", "new page")
    before = publisher.publish_early(["risks.html", "new.html"])
    assert (served / "risks.html").read_text() == "edited" and (served / "new.html").exists()
    publisher.take_back(before)  # a later page had a problem
    assert (served / "risks.html").read_text() == "good" and not (served / "new.html").exists()
    # The next good build publishes them again.
    assert sorted(publisher.publish()) == ["new.html", "risks.html"]

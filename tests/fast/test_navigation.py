"""A change to the book's structure rewrites every page's navigation (handbook.ext.navigation)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sphinx.testing.util import SphinxTestApp


@pytest.fixture
def srcdir(rootdir: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "navigation"
    shutil.copytree(rootdir / "test-navigation", folder)
    return folder


def test_an_added_chapter_reaches_every_pages_sidebar(make_app: Callable[..., SphinxTestApp], srcdir: Path) -> None:
    make_app("html", srcdir=srcdir).build()
    one = srcdir / "_build" / "html" / "one.html"
    assert "three.html" not in one.read_text(encoding="utf-8")
    (srcdir / "three.md").write_text("# Chapter three\n\nText of the third chapter.\n", encoding="utf-8")
    index = srcdir / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("two\n", "two\nthree\n"), encoding="utf-8")
    again = make_app("html", srcdir=srcdir)
    again.build()
    # Sphinx alone rewrites index and three, not one: its sidebar would miss chapter three.
    assert "three.html" in one.read_text(encoding="utf-8")
    assert "3. Chapter three" in one.read_text(encoding="utf-8")


def test_a_removed_chapter_leaves_no_page_behind(make_app: Callable[..., SphinxTestApp], srcdir: Path) -> None:
    make_app("html", srcdir=srcdir).build()
    two = srcdir / "_build" / "html" / "two.html"
    assert two.is_file()
    (srcdir / "two.md").unlink()
    index = srcdir / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("two\n", ""), encoding="utf-8")
    make_app("html", srcdir=srcdir).build()
    assert not two.exists()
    assert (srcdir / "_build" / "html" / "one.html").is_file()


def test_an_edit_that_keeps_the_structure_rewrites_only_that_page(make_app: Callable[..., SphinxTestApp], srcdir: Path) -> None:
    make_app("html", srcdir=srcdir).build()
    two = srcdir / "_build" / "html" / "two.html"
    written = two.stat().st_mtime_ns
    one = srcdir / "one.md"
    one.write_text(one.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    again = make_app("html", srcdir=srcdir)
    again.build()
    assert "0 added, 1 changed, 0 removed" in re.sub(r"\x1b\[[0-9;]*m", "", again.status.getvalue())
    assert two.stat().st_mtime_ns == written

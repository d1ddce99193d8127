"""The live preview (``make serve``, handbook/serve.py) on a copy of the sources.

One preview runs for the whole module, on a throw-away copy of the book:
its first build reads every page; each test then saves a change the way an
editor would and waits for what the preview serves, or says, to follow.
The tests run in file order: each leaves the book building.
"""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import copy_sources
from handbook.build import download_files
from handbook.meta import load_chapters, load_edition
from handbook.serve import RELOAD_SCRIPT, RunningPreview

CHAPTER = "risks"
#: A book PDF put where build.py publishes it, before the preview starts.
FAKE_PDF = b"%PDF-1.7 a stand-in for the built book\n%%EOF\n"


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tree = copy_sources(tmp_path_factory.mktemp("preview") / "sources")
    book_pdf = download_files(tree / "_build")[f"{load_edition().book_stem}.pdf"]
    book_pdf.parent.mkdir(parents=True)
    book_pdf.write_bytes(FAKE_PDF)
    return tree


@pytest.fixture(scope="module")
def preview(tree: Path) -> Iterator[RunningPreview]:
    running = RunningPreview(tree, "--no-downloads")
    yield running
    running.stop()


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def page(preview: RunningPreview, name: str) -> str:
    status, body = fetch(preview.address + name)
    assert status == 200, f"{name}: HTTP {status}"
    return body.decode()


def served_after_save(preview: RunningPreview, edit: Callable[[], object], timeout: float = 180) -> str:
    """Make an edit; what the preview says until it has rebuilt, or said it still shows the last good build."""
    mark = len(preview.output)
    edit()
    preview.wait_for(("[serve] rebuilt in", "[serve] Still showing"), timeout=timeout, after=mark)
    return "\n".join(preview.output[mark:])


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as file:
        file.write(text)


def test_the_preview_serves_a_chapter_with_the_reload_script(preview: RunningPreview) -> None:
    html = page(preview, f"{CHAPTER}.html")
    assert "<h1>" in html and RELOAD_SCRIPT in html
    assert "rebuilt in" in "\n".join(preview.output)


def test_a_saved_edit_appears(preview: RunningPreview, tree: Path) -> None:
    said = served_after_save(preview, lambda: append(tree / "book" / f"{CHAPTER}.md", "\nA sentence saved in the editor.\n"))
    assert "[serve] rebuilt in" in said, said
    assert "A sentence saved in the editor." in page(preview, f"{CHAPTER}.html")


def test_an_open_page_puts_a_saved_edit_in_place_without_reloading(preview: RunningPreview, tree: Path, browser) -> None:
    """The page open in a browser shows the edit in its article, keeps its scroll position and is not loaded again."""
    sentence = "A sentence the open page shows."
    shown = browser.new_page()
    try:
        shown.goto(f"{preview.address}{CHAPTER}.html")
        shown.wait_for_function("window.handbookPreview && window.handbookPreview.readyState === 1")
        shown.evaluate("() => { window.scrollTo(0, 600); window.loadedOnce = true; }")
        said = served_after_save(preview, lambda: append(tree / "book" / f"{CHAPTER}.md", f"\n{sentence}\n"))
        assert "[serve] rebuilt in" in said, said
        shown.wait_for_function(f"document.querySelector('article.bd-article').innerText.includes({sentence!r})", timeout=30_000)
        assert shown.evaluate("window.loadedOnce === true"), "the page was loaded again"
        assert shown.evaluate("window.scrollY") == 600, "the page lost its scroll position"
    finally:
        shown.close()


def test_a_broken_edit_is_said_once_with_file_and_line_and_the_last_good_page_stays(preview: RunningPreview, tree: Path) -> None:
    source = tree / "book" / f"{CHAPTER}.md"
    good = source.read_text(encoding="utf-8")
    broken = good + "\nSee {ref}`sec-no-such-section` and a sentence that must not be served.\n"
    line = broken.count("\n")
    said = served_after_save(preview, lambda: source.write_text(broken, encoding="utf-8"))
    problems = [l for l in said.split("\n") if "sec-no-such-section" in l]
    assert problems == [f"book/{CHAPTER}.md:{line}: no section, figure or table is labelled 'sec-no-such-section'"], said
    assert "[serve] Still showing the last good build: 1 problem to fix" in said
    html = page(preview, f"{CHAPTER}.html")
    assert "A sentence saved in the editor." in html and "must not be served" not in html

    said = served_after_save(preview, lambda: source.write_text(good + "\nFixed again.\n", encoding="utf-8"))
    assert "[serve] rebuilt in" in said, said
    assert "Fixed again." in page(preview, f"{CHAPTER}.html")


def test_a_download_link_does_not_404(preview: RunningPreview) -> None:
    html = page(preview, f"{CHAPTER}.html")
    links = set(re.findall(r'href="(downloads/[^"]+)"', html))
    stem = load_edition().book_stem
    assert f"downloads/{stem}.pdf" in links and f"downloads/{stem}.epub" in links
    for link in links:
        status, body = fetch(preview.address + link)
        assert status in (200, 503), f"{link}: HTTP {status}"
        if link == f"downloads/{stem}.pdf":
            # The last one build.py published, served as it is.
            assert (status, body) == (200, FAKE_PDF)
        if status == 503:
            assert b"not built yet" in body
    assert fetch(preview.address + "downloads/no-such-file.pdf")[0] == 404


def test_editing_the_drug_data_redraws_the_figures(preview: RunningPreview, tree: Path) -> None:
    data = tree / "book" / "_data" / "drugs.yaml"
    text = data.read_text(encoding="utf-8")
    assert "  first_approval: 1953\n" in text
    said = served_after_save(preview, lambda: data.write_text(text.replace("  first_approval: 1953\n", "  first_approval: 1957\n", 1), encoding="utf-8"))
    assert "[serve] rebuilt in" in said, said
    figure = (tree / "book" / "figures" / "approval-timeline.svg").read_text(encoding="utf-8")
    assert "methotrexate 1957" in figure.lower()
    assert "methotrexate 1957" in page(preview, "_images/approval-timeline.svg").lower()


def test_an_extension_edit_reaches_every_page(preview: RunningPreview, tree: Path) -> None:
    """Sphinx does not watch extension code; the preview reads every page again after an edit to it."""
    extension = tree / "handbook" / "ext" / "page_notices.py"
    code = extension.read_text(encoding="utf-8")
    assert code.count('"Last reviewed: "') == 1
    said = served_after_save(preview, lambda: extension.write_text(code.replace('"Last reviewed: "', '"Reviewed on: "'), encoding="utf-8"))
    assert "[serve] rebuilt in" in said, said
    for chapter in ("definition.html", f"{CHAPTER}.html"):  # an unedited chapter too
        html = page(preview, chapter)
        assert "Reviewed on:" in html and "Last reviewed:" not in html, chapter


def test_an_added_chapter_appears_in_every_pages_navigation(preview: RunningPreview, tree: Path) -> None:
    other = "glossary.html"
    assert "Your care team" not in page(preview, other)
    command = [sys.executable, "-m", "handbook.new_chapter", "care-team", "Your care team", "--after", CHAPTER]
    said = served_after_save(preview, lambda: subprocess.run(command, cwd=tree, check=True, capture_output=True))
    if "[serve] rebuilt in" not in said:  # the page and the chapter list came as two saves
        mark = len(preview.output)
        said += "\n" + preview.wait_for("[serve] rebuilt in", after=mark, timeout=180)
    assert re.search(r'<a class="reference internal" href="care-team.html">[^<]*Your care team', page(preview, other)), said
    assert len(load_chapters(tree / "book")) == len(load_chapters()) + 1

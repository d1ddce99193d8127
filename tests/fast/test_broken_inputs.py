"""Every mistake in tests/broken_inputs/, made in a small book: the editor reads one clear message.

The small book (tests/roots/test-bad-input/) goes through the checks in the
order ``python -m handbook.build`` runs them: the preflight on the sources,
the chapter list, the drug data file, then Sphinx (the HTML builder), whose
warnings are put in the editor's words by handbook.editor_messages. The
message must name the file and line, once, with no path of this machine.

tests/test_bad_input.py makes a few of these mistakes in a copy of the real
book and proves, end to end, that the build exits 1 and keeps the last good
outputs; the LaTeX builder's repeats are folded into one message there and
in tests/fast/test_editor_messages.py.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from broken_cases import BrokenInput, all_cases
from conftest import ROOT

from handbook import editor_messages, preflight
from handbook.drug_facts import format_problem, load_drugs
from handbook.meta import ChapterOrderError, load_chapters

# The two drug data files, as the real book has them: the mistakes in them
# are made in copies.
DATA_FILES = ("drugs.yaml", "class_rules.yaml")
NEEDS_FONTS = {"emoji", "cjk-character"}


@pytest.fixture
def project(tmp_path: Path, rootdir: Path) -> Path:
    """A project folder as the repository lays it out: conf.py beside book/.

    The small book's own conf.py (in book/, which Sphinx reads); the real
    conf.py beside it, which the preflight reads (without running it) for
    the fonts the PDFs are printed in; and copies of the real drug data.
    """
    shutil.copytree(rootdir / "test-bad-input", tmp_path / "book")
    shutil.copy2(ROOT / "conf.py", tmp_path / "conf.py")
    (tmp_path / "book" / "_data").mkdir()
    for name in DATA_FILES:
        shutil.copy2(ROOT / "book" / "_data" / name, tmp_path / "book" / "_data" / name)
    return tmp_path


@pytest.fixture
def editor_reads(make_app: Callable, monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], str]:
    """What the build prints for the sources of a project, in the order handbook.build checks them."""

    def read(project: Path) -> str:
        monkeypatch.chdir(project)  # the build runs in the project; paths are said from there
        problems = preflight.problems(project)
        if not problems:
            try:
                load_chapters(project / "book")
            except ChapterOrderError as error:
                problems = [str(error)]
        if not problems:
            data = project / "book" / "_data"
            problems = [format_problem(p) for p in load_drugs(data / DATA_FILES[0], data / DATA_FILES[1])[1]]
        if not problems:
            app = make_app("html", srcdir=project / "book", builddir=project / "_build")
            app.build()
            book = editor_messages.Book(project)
            problems = editor_messages.sphinx_problems(app.warning.getvalue(), "html", book)
        return "\n".join(problems)

    return read


def test_the_small_book_builds_without_a_problem(project: Path, editor_reads: Callable[[Path], str]) -> None:
    """Else a case's message could come from the small book, not from its mistake."""
    assert editor_reads(project) == ""


@pytest.mark.parametrize("case", all_cases(), ids=lambda case: case.name)
def test_a_mistake_is_said_once_with_its_file_and_line(
    case: BrokenInput, project: Path, editor_reads: Callable[[Path], str]
) -> None:
    if case.name in NEEDS_FONTS and preflight.PdfFonts.of(ROOT / "conf.py") is None:
        pytest.skip("the PDF fonts (fonts-freefont-otf) are not installed")
    line = case.apply(project)
    case.check(editor_reads(project), line, project)
    if "not_copied" in case.case:
        assert not list((project / "_build").rglob(case.case["not_copied"])), "a file from outside the book was copied"


def test_a_numbered_chapter_file_is_refused_naming_both_places(project: Path) -> None:
    (project / "book" / "risks.md").rename(project / "book" / "05-risks.md")
    index = project / "book" / "index.md"
    index.write_text(index.read_text().replace("\nrisks\n", "\n05-risks\n"))
    with pytest.raises(ChapterOrderError) as refused:
        load_chapters(project / "book")
    assert str(refused.value).startswith("book/05-risks.md: page files are named without a number")
    assert "the chapter list in book/index.md" in str(refused.value)


def test_a_chapter_list_entry_without_a_file_is_refused(project: Path) -> None:
    index = project / "book" / "index.md"
    lines = index.read_text().splitlines(keepends=True)
    line = lines.index("risks\n") + 1
    index.write_text("".join(lines).replace("\nrisks\n", "\nrisk\n"))
    with pytest.raises(ChapterOrderError, match=f"^book/index.md:{line}: the chapter list names 'risk', but there is no book/risk.md$"):
        load_chapters(project / "book")

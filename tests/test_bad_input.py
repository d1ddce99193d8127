"""Bad input, end to end: the build exits 1 with the editor's message and keeps the last good outputs.

Every case in tests/broken_inputs/ is made in a small book by the fast tier
(tests/fast/test_broken_inputs.py), which checks the message. Here one case of
each path through the build breaks a copy of the real book: a mistake
Sphinx meets (in the HTML and in the PDF, two builders, so the editor must
still read it once), one the preflight stops before any builder runs (a
figure from outside the book, whose file must not be copied into the
outputs), and one in the drug data file. The copy starts from the session's
good build, so each case also proves that a failed build leaves the
published outputs exactly as they were.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from broken_cases import BrokenInput
from conftest import BookBuild, copy_sources, published, run_build


@pytest.fixture(scope="module")
def good_copy(book: BookBuild, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the sources with the session's good build next to it; each case restores what it broke."""
    return copy_sources(tmp_path_factory.mktemp("good-copy") / "book-copy", book)


@pytest.fixture
def broken(good_copy: Path, request: pytest.FixtureRequest) -> Iterator[tuple[BrokenInput, int]]:
    """The good copy with the case's mistake made, and its line; the file is put back afterwards."""
    case = BrokenInput.named(request.param)
    original = (good_copy / case.file).read_bytes()
    try:
        yield case, case.apply(good_copy)
    finally:
        (good_copy / case.file).write_bytes(original)


@pytest.mark.parametrize("broken", ["missing-label", "figure-outside-book", "drug-unknown-source"], indirect=True)
def test_a_failed_build_says_why_exits_1_and_keeps_the_last_good_outputs(good_copy: Path, broken: tuple[BrokenInput, int]) -> None:
    case, line = broken
    before = published(good_copy / "_build")
    result = run_build(good_copy / "_build", "html", "pdf", root=good_copy)
    output = result.stdout + result.stderr
    assert result.returncode == 1, f"{case.case['description']}: exit {result.returncode}\n{output}"
    case.check(output, line, good_copy)
    assert "last good outputs" in output
    assert published(good_copy / "_build") == before, "a failed build changed the published outputs"
    if "not_copied" in case.case:
        copied = list((good_copy / "_build").rglob(case.case["not_copied"]))
        assert not copied, f"{case.case['description']}: a file from outside the book was copied: {copied}"
    if case.name == "missing-label":
        # Sphinx would not re-read the unchanged file; the failure must not vanish.
        again = run_build(good_copy / "_build", "html", root=good_copy)
        assert again.returncode == 1 and "sec-no-such-section" in again.stdout + again.stderr
        assert published(good_copy / "_build") == before

"""Shared fixtures: the book is built once per test session, then read.

``book`` runs the real build (``python -m handbook.build all``) into a temporary
folder and gives the tests the outputs a reader gets. Set
``HANDBOOK_TEST_BUILD_DIR`` to build into (and reuse) a folder of your own
while working on tests; the build is incremental, so a second run is quick.

``site_url`` serves the built HTML on 127.0.0.1 with a plain static server,
and ``browser`` is headless Debian Chromium driven by Playwright (the
browser tests skip, with one line saying why, where Chromium is missing);
both come from handbook.browser, which the benchmark uses too.

``checkers`` is the folder of the npm packages the accessibility tests run
(Ace by DAISY, axe-core), installed from package-lock.json by ``make test``;
those tests skip, saying so, where it is missing. Chromium gets the same
flags from here whether Playwright or Ace's puppeteer starts it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from filelock import FileLock

ROOT = Path(__file__).resolve().parent.parent

from handbook.browser import CHROMIUM, CHROMIUM_ARGS, chromium, static_server
from handbook.meta import Chapter, Edition, load_chapters, load_edition, load_redirects
from handbook.settings import from_environment

__all__ = ["CHROMIUM", "CHROMIUM_ARGS"]  # the accessibility tests pass them to Ace's puppeteer
NODE_MODULES = ROOT / "node_modules"

# The fast tier (tests/fast/, `make test-fast`) builds no book: it tests pure
# functions, and the extensions on small Sphinx projects in tests/roots/
# through Sphinx's own fixtures (`@pytest.mark.sphinx("html",
# testroot="NAME")` builds tests/roots/test-NAME/).
pytest_plugins = ("sphinx.testing.fixtures",)


@pytest.fixture(scope="session")
def rootdir() -> Path:
    """Where sphinx.testing finds the test roots."""
    return ROOT / "tests" / "roots"


@dataclass(frozen=True)
class BookBuild:
    """The outputs of one build of the handbook."""

    build_dir: Path
    edition: Edition
    chapters: list[Chapter]
    output: str  # what the build printed

    @property
    def html(self) -> Path:
        return self.build_dir / "html"

    @property
    def book_pdf(self) -> Path:
        return self.build_dir / "pdf" / f"{self.edition.book_stem}.pdf"

    def chapter_pdf(self, chapter: Chapter) -> Path:
        return self.build_dir / "pdf" / "chapters" / chapter.pdf_name

    @property
    def print_pdf(self) -> Path:
        """The tagged print edition's book (WeasyPrint), the one the site offers."""
        return self.build_dir / "print" / f"{self.edition.book_stem}.pdf"

    def print_chapter_pdf(self, chapter: Chapter) -> Path:
        return self.build_dir / "print" / "chapters" / chapter.pdf_name

    @property
    def epub(self) -> Path:
        return self.build_dir / "epub" / f"{self.edition.book_stem}.epub"

    @property
    def latex_dir(self) -> Path:
        return self.build_dir / ".work" / "latex-a4"

    @property
    def pages(self) -> list[Path]:
        """Every page a reader reads: the HTML files, less assets and the redirects of moved pages."""
        return site_pages(self.html)

    def chapter(self, slug: str) -> Chapter:
        return next(c for c in self.chapters if c.slug == slug)

    def writing(self) -> FileLock:
        """Held while a test writes into this build (an export) or copies it: the workers share it."""
        return FileLock(self.build_dir.with_name(f"{self.build_dir.name}.writing.lock"))


def site_pages(html: Path) -> list[Path]:
    """The HTML pages under ``html``, less assets and the small pages at moved pages' old addresses."""
    moved = {f"{old}.html" for old in load_redirects()}
    return sorted(
        path for path in html.rglob("*.html")
        if "_static" not in path.relative_to(html).parts and path.relative_to(html).as_posix() not in moved
    )  # fmt: skip


SOURCE_PARTS = ("book", "handbook", "_static", "_templates", "_print", "conf.py", "requirements", "pyproject.toml")


@functools.cache
def session_date_epoch() -> str:
    """SOURCE_DATE_EPOCH for every build of the session: this checkout's, read once.

    A copy of the sources has no git history, so it needs it given; and a
    commit made while the tests run must not give later builds other dates
    than earlier ones (the build would see new dates, and the PDFs differ).
    """
    from handbook.build import source_date_epoch

    return source_date_epoch()


def session_env() -> dict[str, str]:
    """The environment a tool that builds runs in: this one, with the session's SOURCE_DATE_EPOCH."""
    return dict(os.environ, SOURCE_DATE_EPOCH=os.environ.get("SOURCE_DATE_EPOCH") or session_date_epoch())


def run_build(
    build_dir: Path, *args: str, root: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real build (``python -m handbook.build``) of the sources under ``root``.

    It runs in ``root``, so a copy of the sources builds with its own copy of
    the package: ``python -m`` puts the working folder first on the path.
    Every build of the session gets the same SOURCE_DATE_EPOCH.
    """
    env = session_env() if env is None else dict(env)
    env.setdefault("SOURCE_DATE_EPOCH", session_date_epoch())
    command = [sys.executable, "-m", "handbook.build", *args, "--build-dir", str(build_dir)]
    return subprocess.run(command, cwd=root, capture_output=True, text=True, env=env)


#: The folders of a build a reader gets (the rest, .work/, is the build's own).
PUBLISHED = ("html", "pdf", "epub", "print")


def published(build_dir: Path, parts: tuple[str, ...] = PUBLISHED, leave_out: tuple[str, ...] = ()) -> dict[str, str]:
    """The checksum of every file in the folders ``parts`` of a build (less those under ``leave_out``), by path."""
    sums = {}
    for part in parts:
        for path in sorted((build_dir / part).rglob("*")):
            name = path.relative_to(build_dir).as_posix()
            if path.is_file() and not name.startswith(tuple(f"{folder}/" for folder in leave_out)):
                sums[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return sums


def copy_sources(destination: Path, build: BookBuild | None = None) -> Path:
    """A throwaway copy of the book's sources, with a copy of a good build."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in SOURCE_PARTS:
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, destination / name)
    if build is not None:
        with build.writing():
            shutil.copytree(build.build_dir, destination / "_build", ignore=shutil.ignore_patterns("*letter"))
    return destination


@pytest.fixture(scope="session")
def book(tmp_path_factory: pytest.TempPathFactory) -> BookBuild:
    """The session's build of the book, made once for every worker and then only read.

    ``make test`` runs the tests in several processes (pytest-xdist): the
    first that needs the book builds it under a lock, in the folder the
    workers share; the others wait, then read the build and what it printed.
    Tests that build more (US Letter, an edit) build a copy.
    """
    chosen = os.environ.get("HANDBOOK_TEST_BUILD_DIR")
    shared = tmp_path_factory.getbasetemp().parent if os.environ.get("PYTEST_XDIST_WORKER") else None
    if chosen:
        build_dir = Path(chosen).resolve()
    elif shared is not None:
        build_dir = shared / "handbook-build"
    else:
        build_dir = tmp_path_factory.mktemp("handbook-build")
    if shared is None:
        result = run_build(build_dir, "all")
        status, said = result.returncode, result.stdout + result.stderr
    else:
        with FileLock(shared / "handbook-build.lock"):
            outcome = shared / "handbook-build.outcome.json"
            if outcome.is_file():
                status, said = json.loads(outcome.read_text(encoding="utf-8"))
            else:
                result = run_build(build_dir, "all")
                status, said = result.returncode, result.stdout + result.stderr
                outcome.write_text(json.dumps([status, said]), encoding="utf-8")
    if status != 0:
        pytest.fail(f"the handbook does not build:\n{said}", pytrace=False)
    # The edition as the build saw it: with HANDBOOK_BASEURL, when the tests run with one.
    edition = load_edition(baseurl=from_environment().baseurl)
    return BookBuild(build_dir, edition, load_chapters(), said)


@pytest.fixture(scope="session")
def site_url(book: BookBuild) -> Iterator[str]:
    """The built site on a plain static server (no rewrite rules)."""
    with static_server(book.html) as url:
        yield url


@pytest.fixture(scope="session")
def checkers() -> Path:
    """node_modules with the pinned Ace by DAISY and axe-core (package-lock.json)."""
    if shutil.which("node") is None or not (NODE_MODULES / ".package-lock.json").is_file():
        pytest.skip("the npm checkers are not installed (make test runs npm ci); accessibility checks skipped")
    return NODE_MODULES


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        pytest.skip("Chromium is not installed (Debian package chromium); browser tests skipped")
    with chromium() as launched:
        yield launched


# The order in which ``make test`` hands the test files to its workers
# (``--dist loadfile --no-loadscope-reorder``): the longest first, so that
# they overlap. The first worker builds the book for the first file; the
# other meanwhile runs what needs no book (the preview's tests, which build
# their own copy, and the fast tier), then waits for it. Without workers the
# order changes nothing else: no test depends on another having run.
FIRST = ("test_structure_changes.py", "test_preview.py")
THEN = (
    "test_browser.py",
    "test_print_edition.py",
    "test_accessibility.py",
    "test_bad_input.py",
    "test_print_and_rebuilds.py",
    "test_outputs.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> tuple[int, int]:
        name = item.path.name
        if name in FIRST:
            return (0, FIRST.index(name))
        if "fast" in item.path.relative_to(ROOT / "tests").parts[:-1]:
            return (1, 0)
        return (2, THEN.index(name)) if name in THEN else (3, 0)

    items.sort(key=rank)  # stable: within a file, and among equals, the collection's order

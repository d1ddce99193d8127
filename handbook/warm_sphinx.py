"""The preview's warm Sphinx: one application kept in memory between rebuilds, in a worker process.

``handbook/serve.py`` starts a worker (``Worker``), which imports Sphinx,
the theme and the extensions once (``preload``), makes the Sphinx
application as sphinx-build would with the preview's arguments
(``sphinx_arguments``: build.py's, for its html builder) and then rebuilds
in place on request (``WarmSphinx.build``): build.py's checks first, then
Sphinx, then the problems as editor messages. A worker is spawned (a fresh
interpreter), so one started after a code edit runs the new code.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import io
import multiprocessing
import os
import signal
import shutil
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BOOK_DIR = ROOT / "book"


@dataclass(frozen=True)
class PreviewLayout:
    """Where the preview works and what it serves, under the build folder."""

    build_dir: Path

    @property
    def work(self) -> Path:
        return self.build_dir / ".preview"

    @property
    def html_work(self) -> Path:
        return self.work / "html"

    @property
    def doctrees(self) -> Path:
        return self.work / "doctrees"

    @property
    def served(self) -> Path:
        return self.build_dir / "preview"


def sphinx_arguments(layout: PreviewLayout, paper: str) -> list[str]:
    """sphinx-build's arguments for the preview: build.py's for its html builder.

    The settings (paper, and the base URL from HANDBOOK_BASEURL) are
    resolved as build.py resolves them, and passed the same way (``-D``).
    """
    from handbook.build import sphinx_arguments as build_arguments
    from handbook.settings import from_environment

    return build_arguments("html", from_environment(paper=paper), layout.html_work, layout.doctrees)


# -- the warm Sphinx (runs in the worker process) -----------------------------------


def preload() -> None:
    """Import what every Sphinx start imports: Sphinx, the theme, conf.py's extensions.

    conf.py runs first, as in Sphinx: it prepares for some imports.
    """
    import runpy

    importlib.import_module("sphinx.application")
    importlib.import_module("sphinx.builders.html")
    importlib.import_module("sphinx_book_theme")
    for name in runpy.run_path(str(ROOT / "conf.py"))["extensions"]:
        importlib.import_module(name)


@dataclass
class WarmSphinx:
    """A Sphinx application kept between rebuilds, with the checks build.py runs before it."""

    layout: PreviewLayout
    paper: str
    warnings: io.StringIO = field(default_factory=io.StringIO)
    #: Pages that had a problem in the last rebuild: read again in the next,
    #: so that a problem stays reported until it is fixed (build.py drops
    #: Sphinx's whole cache after a failure for the same reason).
    recheck: set[str] = field(default_factory=set)
    #: Told the pages Sphinx read again, once they are written and nothing
    #: was warned about.
    on_pages_written: Any = None
    app: Any = None
    #: This rebuild so far: the pages read.
    read: set[str] = field(default_factory=set)

    def start(self, structure_changed: bool = False) -> str:
        """Make the application; say why it reads or writes more than usual.

        After a change to the book's structure the application starts from a
        fresh environment into an empty folder: every page read and written
        with the new navigation, and no removed page's file left behind.
        """
        import sphinx
        from sphinx.application import Sphinx
        from sphinx.cmd.build import get_parser
        from sphinx.util.console import nocolor
        from sphinx.util.docutils import docutils_namespace, patch_docutils

        from handbook import build
        from handbook.meta import navigation_fingerprint

        os.environ.update(build.build_env())
        args = get_parser().parse_args(sphinx_arguments(self.layout, self.paper))
        if args.color == "no":
            nocolor()
        self.layout.doctrees.mkdir(parents=True, exist_ok=True)
        # What build.py's Sphinx runs do, this application does by the same
        # means: a code change is a new handbook_code config value (every page
        # read again), a new structure empties the output folder and reads
        # every page (handbook.ext.navigation). A worker starts afresh for both.
        self.structure = navigation_fingerprint(BOOK_DIR)
        if structure_changed:
            shutil.rmtree(self.layout.html_work, ignore_errors=True)
        confoverrides: dict[str, Any] = dict(value.partition("=")[::2] for value in args.define)
        confoverrides.update({f"html_context.{k}": v for k, _, v in (value.partition("=") for value in args.htmldefine)})
        if args.nitpicky:
            confoverrides["nitpicky"] = True
        # Entered for the worker's life, as sphinx-build does for its one run.
        self._docutils = contextlib.ExitStack()
        self._docutils.enter_context(patch_docutils(Path(args.confdir)))
        self._docutils.enter_context(docutils_namespace())
        self.app = Sphinx(
            srcdir=args.sourcedir, confdir=args.confdir, outdir=args.outputdir, doctreedir=args.doctreedir,
            buildername=args.builder, confoverrides=confoverrides, status=None, warning=self.warnings,
            freshenv=args.freshenv or structure_changed, warningiserror=args.warningiserror, tags=args.tags,
            verbosity=args.verbosity, parallel=args.jobs,
        )  # fmt: skip
        if not hasattr(self.app, "_warncount"):
            raise RuntimeError(f"Sphinx {sphinx.__version__} keeps its warning count elsewhere: "
                               "handbook/serve.py resets it before each rebuild and needs updating")  # fmt: skip
        self.app.connect("env-get-outdated", lambda app, env, added, changed, removed: sorted(self.recheck & env.all_docs.keys()))
        self.app.connect("doctree-read", lambda app, doctree: self.read.add(app.env.docname))
        # Builder.write_documents is the method Sphinx documents for builders to override.
        self.app.builder.write_documents = self._write_read_pages_first
        return "every page read and written again" if structure_changed else ""

    def _write_read_pages_first(self, docnames: set[str]) -> None:
        """Sphinx's write_documents, the pages read again first; then on_pages_written is told.

        Sphinx writes pages in the order of their names, so an edit to
        risks.md waited for index.html (whose contents list it) to be
        written. The order changes no page. The edited page can then be
        shown before Sphinx writes the other pages, the indexes, the search
        index and the sitemap; only while nothing was warned about
        (warnings about a page come before it is written).
        """
        write = type(self.app.builder).write_documents
        first = docnames & self.read
        if first:
            write(self.app.builder, first)
            if self.app._warncount == 0 and self.on_pages_written:
                self.on_pages_written([Path(self.app.builder.get_outfilename(name)).relative_to(self.app.outdir).as_posix()
                                       for name in sorted(first)])  # fmt: skip
        if docnames - first:
            write(self.app.builder, docnames - first)

    def structure_changed(self) -> bool:
        from handbook.meta import navigation_fingerprint

        return navigation_fingerprint(BOOK_DIR) != self.structure

    def checks(self) -> list[str]:
        """build.py's checks before any builder: the sources, the chapter list, the drug data."""
        from handbook import draw_approval_timeline, draw_monitoring_figure, preflight
        from handbook.meta import ChapterOrderError, load_chapters

        problems = preflight.problems(ROOT)
        if problems:
            return problems
        try:
            load_chapters()
        except ChapterOrderError as error:
            return [str(error)]
        said = io.StringIO()
        with contextlib.redirect_stdout(said), contextlib.redirect_stderr(said):
            drawn = draw_approval_timeline.main([]) == 0 and draw_monitoring_figure.main([]) == 0
        return [] if drawn else (said.getvalue().strip().split("\n") or ["the drug data file has problems"])

    def build(self) -> list[str]:
        """Rebuild what changed; the problems, one line each (none: the build is good)."""
        from handbook import editor_messages

        problems = self.checks()
        if problems:
            return editor_messages.each_once(problems)
        self.warnings.seek(0)
        self.warnings.truncate()
        self.read = set()
        # Sphinx counts warnings per application and -W fails the run on
        # that count: each rebuild starts from none, as each sphinx-build does.
        # A private attribute (start() checks it is there): Sphinx has no
        # public way to build twice with one application; remove when it has.
        self.app._warncount = 0
        self.app.statuscode = 0
        self.app.build()
        if self.app.statuscode == 0:
            self.recheck = set()
            return []
        output = self.warnings.getvalue()
        book = editor_messages.Book(ROOT)
        self.recheck = set()
        for first, *_ in editor_messages.entries(editor_messages.without_colour(output)):
            warning = editor_messages.parse_warning(first)
            if warning and warning.path:
                docname = self.app.env.path2doc(warning.path)
                if docname:
                    self.recheck.add(docname)
        problems = editor_messages.sphinx_problems(output, "html", book)
        return problems or [f"Sphinx failed (status {self.app.statuscode}) and said nothing"]


def worker_main(connection: Connection, layout: PreviewLayout, paper: str) -> None:
    """The worker process: import everything, then wait to start, then rebuild on request.

    Messages in: ("start",), ("build",), ("stop",). Out: ("ready",) once
    imported, ("started", reasons), then per rebuild ("written", pages) when
    the pages it read again are written, and ("built", seconds, cpu,
    problems) at the end; or ("restart", why) when only a fresh worker can
    take the change.
    """
    from handbook.run_sphinx import GC_THRESHOLDS

    # Ctrl+C reaches every process of the terminal's group: the server
    # stops the workers itself (and they end when its pipe closes).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.set_threshold(*GC_THRESHOLDS)
    preload()
    connection.send(("ready",))
    sphinx = WarmSphinx(layout, paper, on_pages_written=lambda pages: connection.send(("written", pages)))
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):  # the server is gone
            return
        if message[0] == "stop":
            return
        if message[0] == "start":
            try:
                connection.send(("started", sphinx.start(structure_changed=len(message) > 1 and message[1] == "structure")))
            except Exception as error:  # conf.py or an extension failed to load
                connection.send(("crashed", f"Sphinx could not start: {type(error).__name__}: {error}"))
                return
            continue
        started, cpu = time.monotonic(), time.process_time()
        if sphinx.structure_changed():
            connection.send(("restart", "the book's pages or tables of contents changed"))
            continue
        try:
            problems = sphinx.build()
        except Exception as error:  # Sphinx stopped: its environment is no longer whole
            (layout.doctrees / "environment.pickle").unlink(missing_ok=True)
            said = f"Sphinx stopped with an internal error while making the HTML book: {type(error).__name__}: {error}"
            connection.send(("crashed", said))
            return
        connection.send(("built", time.monotonic() - started, time.process_time() - cpu, problems))
        # Between rebuilds, not during them: a full collection walks every
        # object of the environment; frozen, the next rebuild's collections skip them.
        gc.unfreeze()
        gc.collect()
        gc.freeze()


class Worker:
    """The server's handle on one worker process (spawned: a fresh interpreter)."""

    def __init__(self, layout: PreviewLayout, paper: str) -> None:
        context = multiprocessing.get_context("spawn")
        self.connection, child = context.Pipe()
        # Not a daemon: sphinx-sitemap starts a process of its own. The worker
        # ends when the server does (its end of the pipe closes).
        self.process = context.Process(target=worker_main, args=(child, layout, paper))
        self.process.start()

    def ask(self, *message: str) -> tuple[Any, ...]:
        self.connection.send(message)
        return self.answer()

    def answer(self) -> tuple[Any, ...]:
        """The worker's next message (not its "ready")."""
        while True:
            try:
                answer = self.connection.recv()
            except EOFError:
                return ("crashed", f"the preview's Sphinx process ended (exit {self.process.exitcode})")
            if answer[0] != "ready":
                return answer

    def start(self, structure_changed: bool = False) -> tuple[bool, str]:
        """Make the Sphinx application: (whether it started, the reasons it reads more, or why not)."""
        answer = self.ask("start", "structure") if structure_changed else self.ask("start")
        return answer[0] == "started", str(answer[1])

    def stop(self) -> None:
        with contextlib.suppress(OSError, BrokenPipeError):
            self.connection.send(("stop",))
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()

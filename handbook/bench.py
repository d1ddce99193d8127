#!/usr/bin/env python3
"""Measure how fast the handbook builds and how much a reader's browser loads.

    bench.py [--runs N] [--quick] [--json PATH] [--work-dir DIR] [--keep]
             [--quiet-wait SECONDS] [--html-sizes 10,50,100] [--pdf-sizes 10,50]
             [--skip build|baseline|scaling|page ...]

Every build runs on a throw-away copy of the repository's working tree (the
real ``book/`` is never touched), with the same interpreter and the same
environment as ``handbook/build.py`` gives its own Sphinx and xelatex runs.
Each time is the median of ``--runs`` runs (default 3; ``--quick``: 1 run and
small generated books, for a smoke test).

What is measured:

* **Our build** (``handbook/build.py``): a cold ``all`` into a fresh build
  folder (``make clean all``), and cold builds of each PDF route with the
  other outputs (xelatex: ``html epub pdf chapters checklist``; print
  edition: ``html epub checklist print``); a rebuild with nothing changed,
  chapter 5 edited (a sentence appended) then ``html``, ``pdf chapters``
  and ``print``, and
  ``handbook/export.py 5`` (after an edit, and with nothing changed). Peak
  memory comes from the cold builds: the largest single process
  (``ru_maxrss`` from ``wait4``) and the sum over the whole process tree
  (sampled from ``/proc`` every 0.1 s; shared pages count once per process).
* **The plain way** a Sphinx or Jupyter Book 1 user builds the same sources,
  one step after another: ``sphinx-build -M latex`` and the generated
  LaTeX Makefile for the book PDF (what ``-M latexpdf`` runs; its ``all-pdf``
  would also try to compile our ``handbook-preamble.tex`` and fail), then per
  chapter a separate Sphinx project (the chapter as ``root_doc`` and the only
  ``latex_documents`` entry, in a build folder of its own), then
  ``-M html`` and ``-M epub``. Not strict (a per-chapter project warns about
  the pages outside its toctree). The one-chapter edit, the plain way:
  ``-M html``, the book PDF and that chapter's PDF, each incremental.
* **Scaling**: books generated from copies of the real chapters (labels and
  table names get a per-copy suffix and references follow them, citations
  stay), built cold with ``build.py html`` and ``build.py pdf``.
* **Page weight**: requests and bytes (uncompressed, and each body gzipped at
  level 6) that headless Chromium loads for the landing page and the chapter 5
  page, each in a fresh browser context, from a plain static server on
  127.0.0.1; beside the same pages of an unmodified sphinx-book-theme project
  (myst-parser, the same MyST syntax extensions, not strict).

Other people's work on the same machine slows a build down. Our runs and the
plain way's alternate, so both meet the same conditions; before each run the
script waits (``--quiet-wait``, at most 10 s; after a wait in vain only one
second) for a second in which the machine is all but idle; and it records how
much CPU time other processes took during every run: the table's "Busy
elsewhere" column. CPU time, added up over all processes, is printed beside
the wall-clock times because it depends much less on that.

The table is Markdown (paste it into the README); the JSON holds every sample.
Targets that fail are printed as FAIL and do not change the exit status.

Exit status: 0 measured, 1 a measurement could not be taken, 2 bad usage.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import platform
import re
import runpy
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent

from handbook import build as handbook_build
from handbook.meta import Chapter, find_chapter, load_chapters, load_edition

SECTIONS = ("build", "baseline", "scaling", "page")
EDITED_CHAPTER = "5"
HTML_SIZES, PDF_SIZES = (10, 50, 100), (10, 50)
QUICK_HTML_SIZES, QUICK_PDF_SIZES = (7, 14), (7,)
# Not part of the sources: never copied into the throw-away tree.
NOT_SOURCES = (".venv", ".git", "_build", "dist", "__pycache__", ".pytest_cache", "*.pyc")
CHROMIUM = "/usr/bin/chromium"
# The flags tests/conftest.py launches Chromium with.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]  # fmt: skip
# A second with less CPU time than this, all cores together, counts as quiet.
QUIET_CPU = 0.3
GZIP_LEVEL = 6  # what a typical web server uses
KB = 1000
TARGETS = {
    "no_change": 3.0,  # seconds
    "edit_html": 2.0,
    "edit_pdfs": 12.0,
    "cold": 40.0,
    "cold_print_route": 20.0,  # issue 12: everything but xelatex, cold
    "edit_print": 4.0,  # issue 12: one chapter edited, its print edition and the book's
    "cold_speedup": 2.0,  # baseline / ours, at least
    "html_flatness": 0.25,  # s/chapter may change this much from the smallest to the largest book
    "chapter_page_bytes": 500 * KB,
}
# Labels and table names a chapter defines: `(sec-risks-why)=` and `:name: tbl-monitoring`.
LABEL_DEF = re.compile(r"^\((?P<label>[^()\s]+)\)=\s*$|^:name:\s*(?P<name>\S+)\s*$", re.MULTILINE)


class MeasurementError(Exception):
    """A measurement could not be taken; the message says which and why."""


def say(message: str) -> None:
    print(f"[bench] {message}", flush=True)


# -- running and timing a command ---------------------------------------------------


@dataclass
class Sample:
    """One timed run of a command."""

    seconds: float
    cpu_seconds: float  # user + system, the process and every descendant it waited for
    max_rss_mb: float  # the largest single process
    tree_rss_mb: float | None  # peak sum over the process tree (when sampled)
    other_cpu_seconds: float = 0.0  # CPU time the rest of the machine used meanwhile


def machine_busy_seconds() -> float:
    """CPU time the whole machine (every core) has been busy since boot."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = ticks[3] + ticks[4]  # idle, iowait
    return (sum(ticks) - idle) / os.sysconf("SC_CLK_TCK")


def wait_for_quiet(limit: float) -> bool:
    """Wait up to ``limit`` seconds for a second in which the machine is all but idle.

    Other people's builds on the same machine slow ours down; starting in a
    quiet moment makes the figures less noisy. Returns whether it came.
    """
    started = time.monotonic()
    while True:
        before = machine_busy_seconds()
        time.sleep(1.0)
        if machine_busy_seconds() - before < QUIET_CPU:
            return True
        if time.monotonic() - started >= limit:
            return False


def tree_rss_bytes(root: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
        pid = int(entry.name)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(fields[21])  # resident pages
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total * os.sysconf("SC_PAGE_SIZE")


class TreeMemory(threading.Thread):
    """Samples a process tree's summed resident memory until stopped."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak = pid, interval, 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak = max(self.peak, tree_rss_bytes(self.pid))
            self._stop_event.wait(self.interval)

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return self.peak


@dataclass
class Runner:
    """Runs commands with the build's environment and keeps their output."""

    logs: Path
    env: dict[str, str]
    quiet_wait: float = 0.0  # seconds to wait, at most, for a quiet machine before each run
    machine_was_quiet: bool = True  # if the last wait was in vain, the next one only takes a look
    count: int = 0
    measured_seconds: float = 0.0
    other_cpu_seconds: float = 0.0
    waited_seconds: float = 0.0

    def run(self, name: str, command: list[str], cwd: Path, *, env: dict[str, str] | None = None,
            memory: bool = False, check: bool = True) -> Sample:  # fmt: skip
        self.count += 1
        log = self.logs / f"{self.count:03d}-{name}.log"
        if self.quiet_wait:
            waiting = time.monotonic()
            self.machine_was_quiet = wait_for_quiet(self.quiet_wait if self.machine_was_quiet else 1.0)
            self.waited_seconds += time.monotonic() - waiting
        with log.open("w") as out:
            out.write(f"$ {' '.join(command)}\n  (in {cwd})\n\n")
            out.flush()
            busy_before = machine_busy_seconds()
            started = time.perf_counter()
            process = subprocess.Popen(command, cwd=cwd, env=env or self.env, stdout=out, stderr=subprocess.STDOUT)
            sampler = TreeMemory(process.pid) if memory else None
            if sampler:
                sampler.start()
            # wait4, not wait: its rusage covers this command's whole tree only.
            _, status, usage = os.wait4(process.pid, 0)
            seconds = time.perf_counter() - started
            busy = machine_busy_seconds() - busy_before
            peak = sampler.stop() if sampler else None
        process.returncode = os.waitstatus_to_exitcode(status)
        if check and process.returncode != 0:
            tail = "\n    ".join(log.read_text(errors="replace").splitlines()[-20:])
            raise MeasurementError(f"{name}: exit {process.returncode} ({log})\n    {tail}")
        cpu = usage.ru_utime + usage.ru_stime
        others = max(0.0, busy - cpu)
        self.measured_seconds += seconds
        self.other_cpu_seconds += others
        return Sample(
            seconds=seconds,
            cpu_seconds=cpu,
            max_rss_mb=usage.ru_maxrss / 1024,
            tree_rss_mb=peak / 2**20 if peak is not None else None,
            other_cpu_seconds=others,
        )


# -- figures --------------------------------------------------------------------------


@dataclass
class Figure:
    """One measured quantity: every run's value and their median."""

    label: str
    unit: str
    samples: list[float] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None

    @property
    def quietest_run(self) -> int | None:
        """The run during which other processes used the least CPU time."""
        others = self.extra.get("other_processes_cpu_seconds")
        if not others or len(others) != len(self.samples):
            return None
        return min(range(len(others)), key=others.__getitem__)

    def as_json(self) -> dict[str, Any]:
        data = {"label": self.label, "unit": self.unit, "median": self.median, "samples": self.samples}
        if self.samples:
            data |= {"min": min(self.samples), "max": max(self.samples)}
        return data | self.extra


@dataclass
class Results:
    figures: dict[str, Figure] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    load: dict[str, list[float]] = field(default_factory=dict)  # 1-minute load average when a section starts
    pages: dict[str, Any] = field(default_factory=dict)
    scaling: dict[str, Any] = field(default_factory=dict)

    def figure(self, key: str, label: str, unit: str = "s") -> Figure:
        return self.figures.setdefault(key, Figure(label, unit))

    def add(self, key: str, label: str, sample: Sample, *, memory: bool = False) -> None:
        figure = self.figure(key, label)
        figure.samples.append(sample.seconds)
        figure.extra.setdefault("other_processes_cpu_seconds", []).append(round(sample.other_cpu_seconds, 2))
        self.figure(f"{key}_cpu", f"{label}: CPU time").samples.append(sample.cpu_seconds)
        if memory:
            self.figure(f"{key}_max_rss", f"{label}: peak memory, largest process", "MB").samples.append(sample.max_rss_mb)
            if sample.tree_rss_mb is not None:
                self.figure(f"{key}_tree_rss", f"{label}: peak memory, all processes", "MB").samples.append(sample.tree_rss_mb)

    def median(self, key: str) -> float | None:
        figure = self.figures.get(key)
        return figure.median if figure else None

    def quietest(self, key: str) -> float | None:
        """The value in the quietest run (the CPU figures follow their timing's runs)."""
        figure, timing = self.figures.get(key), self.figures.get(key.removesuffix("_cpu"))
        run = timing.quietest_run if timing else None
        return None if figure is None or run is None or run >= len(figure.samples) else figure.samples[run]


def note_load(results: Results, section: str) -> None:
    load = os.getloadavg()[0]
    if load > 1.0 and section not in results.load:
        say(f"note: load average {load:.1f} before {section}: something else is using the CPUs")
    results.load.setdefault(section, []).append(round(load, 2))


# -- the throw-away copy of the sources ------------------------------------------------


def copy_sources(target: Path) -> Path:
    shutil.copytree(ROOT, target, ignore=shutil.ignore_patterns(*NOT_SOURCES), symlinks=True)
    return target


def edited_chapter(book_dir: Path) -> Chapter:
    chapter = find_chapter(EDITED_CHAPTER, load_chapters(book_dir))
    if chapter is None:
        raise MeasurementError(f"no chapter {EDITED_CHAPTER} in {book_dir}")
    return chapter


def append_sentence(book_dir: Path, chapter: Chapter, tag: str) -> None:
    with (book_dir / f"{chapter.docname}.md").open("a", encoding="utf-8") as source:
        source.write(f"\nBenchmark edit {tag}: one sentence added to measure a one-chapter rebuild.\n")


# -- our build ---------------------------------------------------------------------------


def build_command(tree: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "handbook.build", *args]  # run in tree: its own package


PLAIN_CONF = '''

# -- bench.py: how a plain Sphinx user builds one PDF per run ----------------------
# BENCH_PLAIN_CHAPTER unset: the book is the only LaTeX document. Set to a
# chapter's document name: that chapter is the project's root document and
# its only LaTeX document.
_bench_chapter = os.environ.get("BENCH_PLAIN_CHAPTER")
if _bench_chapter:
    root_doc = _bench_chapter
    latex_documents = [(_bench_chapter, _bench_chapter + ".tex", project, author, "manual")]
else:
    latex_documents = latex_documents[:1]
'''


def combined(steps: list[Sample]) -> Sample:
    """Steps run one after another, as one sample."""
    return Sample(
        seconds=sum(s.seconds for s in steps),
        cpu_seconds=sum(s.cpu_seconds for s in steps),
        max_rss_mb=max(s.max_rss_mb for s in steps),
        tree_rss_mb=max(s.tree_rss_mb or 0 for s in steps),
        other_cpu_seconds=sum(s.other_cpu_seconds for s in steps),
    )


@dataclass
class Bench:
    """The measurements. Ours and the plain way's runs alternate, so that
    both meet the same conditions on a shared machine."""

    runner: Runner
    results: Results
    work: Path
    runs: int
    built: Path | None = None  # our first good cold build, for the rebuilds and the page weight
    plain_built: bool = False

    # -- the throw-away trees

    @functools.cached_property
    def ours(self) -> Path:
        return copy_sources(self.work / "ours")

    @functools.cached_property
    def plain(self) -> Path:
        tree = copy_sources(self.work / "plain")
        with (tree / "conf.py").open("a", encoding="utf-8") as conf:
            conf.write(PLAIN_CONF)
        return tree

    def run(self, name: str, tree: Path, *args: str, memory: bool = False) -> Sample:
        return self.runner.run(name, build_command(tree, *args), tree, memory=memory)

    # -- our build

    def ours_cold(self, run: int) -> None:
        note_load(self.results, "cold full build")
        target = self.work / "ours-builds" / f"cold-{run}"
        sample = self.run("cold-all", self.ours, "all", "--build-dir", str(target), memory=True)
        self.results.add("cold", "Cold full build (build.py all: HTML, EPUB, checklist, print edition, xelatex PDFs)", sample, memory=True)
        say(f"cold full build {run + 1}/{self.runs}: {sample.seconds:.1f}s, CPU {sample.cpu_seconds:.1f}s")
        if self.built is None:
            self.built = target
        else:
            shutil.rmtree(target)  # keep one built folder, not `runs` of them
        # The two PDF routes, each with the rest of the outputs: the xelatex
        # one is what the plain way builds too; the print one is `all` once
        # xelatex has left (issue 12).
        for key, targets, label in (
            ("cold_xelatex_route", ("html", "epub", "pdf", "chapters", "checklist"),
             "Cold build, xelatex route (HTML, EPUB, checklist, xelatex book and chapter PDFs)"),
            ("cold_print_route", ("html", "epub", "checklist", "print"),
             "Cold build, print route (HTML, EPUB, checklist, print edition book and chapters)"),
        ):  # fmt: skip
            folder = self.work / "ours-builds" / f"{key}-{run}"
            route = self.run(key.replace("_", "-"), self.ours, *targets, "--build-dir", str(folder))
            self.results.add(key, label, route)
            say(f"{label} {run + 1}/{self.runs}: {route.seconds:.1f}s, CPU {route.cpu_seconds:.1f}s")
            shutil.rmtree(folder)

    def built_folder(self) -> Path:
        if self.built is None:
            raise MeasurementError("no cold build to rebuild (it failed)")
        return self.built

    def no_change(self) -> None:
        built = self.built_folder()
        for _ in range(self.runs):
            note_load(self.results, "no-change rebuild")
            self.results.add("no_change", "No-change rebuild (build.py all)", self.run("no-change", self.ours, "all", "--build-dir", str(built)))
        say(f"no-change rebuild: {self.results.median('no_change'):.2f}s")

    def ours_edit(self, run: int) -> None:
        built, chapter = self.built_folder(), edited_chapter(self.ours / "book")
        note_load(self.results, "one-chapter edit")
        append_sentence(self.ours / "book", chapter, f"ours-{run}")
        html = self.run("edit-html", self.ours, "html", "--build-dir", str(built))
        pdfs = self.run("edit-pdfs", self.ours, "pdf", "chapters", "--build-dir", str(built))
        printed = self.run("edit-print", self.ours, "print", "--build-dir", str(built))
        self.results.add("edit_html", f"Chapter {chapter.number} edited: HTML (build.py html)", html)
        self.results.add("edit_pdfs", f"Chapter {chapter.number} edited: its PDF + book PDF (build.py pdf chapters)", pdfs)
        self.results.add("edit_print", f"Chapter {chapter.number} edited: its print edition + the book's (build.py print)", printed)
        self.results.add("edit_total", f"Chapter {chapter.number} edited: HTML + PDFs", combined([html, pdfs]))
        say(f"chapter edit {run + 1}/{self.runs}: HTML {html.seconds:.1f}s, xelatex PDFs {pdfs.seconds:.1f}s, "
            f"print edition {printed.seconds:.1f}s")

    def export(self) -> None:
        built, chapter = self.built_folder(), edited_chapter(self.ours / "book")
        command = [sys.executable, "-m", "handbook.export", str(chapter.number), "--format", "pdf",
                   "--build-dir", str(built), "--out", str(self.work / "export")]  # fmt: skip
        for run in range(self.runs):
            note_load(self.results, "export")
            append_sentence(self.ours / "book", chapter, f"export-{run}")
            sample = self.runner.run("export-edited", command, self.ours)
            self.results.add("export_edited", f"Export chapter {chapter.number} PDF, chapter edited", sample)
        for _ in range(self.runs):
            sample = self.runner.run("export-unchanged", command, self.ours)
            self.results.add("export_unchanged", f"Export chapter {chapter.number} PDF, nothing changed", sample)
        say(f"export: {self.results.median('export_edited'):.1f}s after an edit, "
            f"{self.results.median('export_unchanged'):.1f}s unchanged")  # fmt: skip

    # -- the plain way

    def plain_latexpdf(self, out: Path, tex_stem: str, name: str, chapter: str | None = None) -> Sample:
        """``sphinx-build -M latexpdf``, for one document: Sphinx, then its Makefile."""
        env = dict(self.runner.env)
        if chapter:
            env["BENCH_PLAIN_CHAPTER"] = chapter
        sphinx = self.runner.run(f"{name}-sphinx", [sys.executable, "-m", "sphinx", "-M", "latex", "book", str(out), "-c", ".", "-q"],
                                 self.plain, env=env, memory=True)  # fmt: skip
        # The same make call as -M latexpdf -q makes, limited to this document.
        make = self.runner.run(f"{name}-latexmk", ["make", "-C", str(out / "latex"), f"{tex_stem}.pdf", "LATEXOPTS=-halt-on-error",
                                                   "LATEXMKOPTS=-silent"], self.plain, env=env, memory=True)  # fmt: skip
        if not (out / "latex" / f"{tex_stem}.pdf").exists():
            raise MeasurementError(f"{name}: no {tex_stem}.pdf in {out / 'latex'}")
        return combined([sphinx, make])

    def plain_sphinx(self, out: Path, builder: str, name: str) -> Sample:
        command = [sys.executable, "-m", "sphinx", "-M", builder, "book", str(out), "-c", ".", "-q"]
        return self.runner.run(name, command, self.plain, memory=True)

    def plain_cold(self, run: int) -> None:
        note_load(self.results, "baseline full build")
        out, stem = self.work / "plain-builds", load_edition().book_stem
        shutil.rmtree(out, ignore_errors=True)
        self.plain_built = False
        parts = [("book PDF", self.plain_latexpdf(out / "book", stem, "plain-book"))]
        for chapter in load_chapters(self.plain / "book"):
            sample = self.plain_latexpdf(out / chapter.docname, chapter.docname, f"plain-{chapter.docname}", chapter.docname)
            parts.append((f"chapter {chapter.number} PDF", sample))
        parts.append(("HTML", self.plain_sphinx(out / "book", "html", "plain-html")))
        parts.append(("EPUB", self.plain_sphinx(out / "book", "epub", "plain-epub")))
        total = combined([sample for _, sample in parts])
        self.results.add("plain_cold", "Plain Sphinx: full build, one step after another", total, memory=True)
        breakdown = self.results.figures["plain_cold"].extra.setdefault("parts", {})
        for name, sample in parts:
            breakdown.setdefault(name, []).append(round(sample.seconds, 2))
        self.plain_built = True
        say(f"plain full build {run + 1}/{self.runs}: {total.seconds:.1f}s, CPU {total.cpu_seconds:.1f}s")

    def plain_edit(self, run: int) -> None:
        if not self.plain_built:
            raise MeasurementError("no plain build to rebuild (it failed)")
        out, stem = self.work / "plain-builds", load_edition().book_stem
        chapter = edited_chapter(self.plain / "book")
        note_load(self.results, "baseline one-chapter edit")
        append_sentence(self.plain / "book", chapter, f"plain-{run}")
        html = self.plain_sphinx(out / "book", "html", "plain-edit-html")
        pdfs = combined([self.plain_latexpdf(out / "book", stem, "plain-edit-book"),
                         self.plain_latexpdf(out / chapter.docname, chapter.docname, "plain-edit-chapter", chapter.docname)])  # fmt: skip
        self.results.add("plain_edit_html", "Plain Sphinx: chapter edited, -M html", html)
        self.results.add("plain_edit_pdfs", "Plain Sphinx: chapter edited, book PDF + chapter PDF", pdfs)
        self.results.add("plain_edit_total", "Plain Sphinx: chapter edited, HTML + PDFs", combined([html, pdfs]))
        say(f"plain chapter edit {run + 1}/{self.runs}: HTML {html.seconds:.1f}s, PDFs {pdfs.seconds:.1f}s")

    # -- page weight and scaling

    def pages(self) -> None:
        site = self.built
        if site is None:  # the build section was skipped or failed
            site = self.work / "site"
            self.run("site-for-pages", self.ours, "html", "--build-dir", str(site))
        measure_pages(self.runner, self.results, self.work, site / "html", self.runs)

    def scaling(self, html_sizes: tuple[int, ...], pdf_sizes: tuple[int, ...]) -> None:
        """Generated books; every run builds each size once, smallest first."""
        jobs = [("html", size) for size in html_sizes] + [("pdf", size) for size in pdf_sizes]
        trees = {}
        for size in sorted(set(html_sizes) | set(pdf_sizes)):
            trees[size] = copy_sources(self.work / f"scale-{size}")
            real = (trees[size] / "book").rename(trees[size] / "book.real")
            words = generate_book(real, trees[size] / "book", size)
            shutil.rmtree(real)
            for kind, size_ in jobs:
                if size_ == size:
                    self.results.scaling.setdefault(kind, {})[str(size)] = {"chapters": size, "words": words, "samples": []}
        for run in range(self.runs):
            for kind, size in jobs:
                note_load(self.results, f"scaling {kind} {size}")
                target = self.work / f"scale-{size}-{kind}-build"
                shutil.rmtree(target, ignore_errors=True)
                sample = self.run(f"scale-{kind}-{size}", trees[size], kind, "--build-dir", str(target), memory=True)
                shutil.rmtree(target)
                entry = self.results.scaling[kind][str(size)]
                entry["samples"].append(sample.seconds)
                entry.setdefault("cpu_seconds", []).append(round(sample.cpu_seconds, 2))
                entry.setdefault("other_processes_cpu_seconds", []).append(round(sample.other_cpu_seconds, 2))
                entry.setdefault("max_rss_mb", []).append(round(sample.max_rss_mb, 1))
                say(f"scaling run {run + 1}/{self.runs}: {kind} of {size} chapters in {sample.seconds:.1f}s")
        for by_size in self.results.scaling.values():
            for entry in by_size.values():
                entry["median"] = statistics.median(entry["samples"])
                entry["seconds_per_chapter"] = entry["median"] / entry["chapters"]
                entry["cpu_seconds_per_chapter"] = statistics.median(entry["cpu_seconds"]) / entry["chapters"]
            sizes = sorted(by_size, key=int)
            for smaller, larger in zip(sizes, sizes[1:]):
                a, b = by_size[smaller], by_size[larger]
                b["marginal_seconds_per_chapter"] = (b["median"] - a["median"]) / (b["chapters"] - a["chapters"])


# -- scaling ---------------------------------------------------------------------------------


def generate_book(source: Path, target: Path, count: int) -> int:
    """A book of ``count`` chapters made of copies of the real ones.

    Copy ``i`` of real chapter ``NN-slug`` is ``NN-slug-gIII``, so it is a
    chapter to the build (a chapter .tex, "last reviewed", the download menu)
    and every real chapter's numbering stays in range. Every label and table
    name a chapter defines gets the copy's suffix; a reference to another
    chapter goes to the copy in the same round of copies (or the first one).
    Returns the number of words in the generated chapters.
    """
    chapters = load_chapters(source)
    real = {c.docname for c in chapters}
    shutil.copytree(source, target, ignore=lambda folder, names: [n for n in names if Path(folder) == source and n.removesuffix(".md") in real])  # fmt: skip
    texts = [(source / f"{c.docname}.md").read_text(encoding="utf-8") for c in chapters]
    owner = {m["label"] or m["name"]: index for index, text in enumerate(texts) for m in LABEL_DEF.finditer(text)}
    token = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, sorted(owner, key=len, reverse=True))) + r")(?![\w-])")

    def relabel(text: str, round_: int) -> str:
        def target_label(match: re.Match[str]) -> str:
            index = owner[match[1]]
            copy = round_ * len(chapters) + index + 1
            return f"{match[1]}-g{copy if copy <= count else index + 1:03d}"

        return token.sub(target_label, text)

    docnames, words = [], 0
    for i in range(1, count + 1):
        index, round_ = (i - 1) % len(chapters), (i - 1) // len(chapters)
        docname = f"{chapters[index].docname}-g{i:03d}"
        text = relabel(texts[index], round_)
        (target / f"{docname}.md").write_text(text, encoding="utf-8")
        docnames.append(docname)
        words += len(text.split())
    for page in target.glob("*.md"):
        if page.stem not in docnames:
            text = relabel(page.read_text(encoding="utf-8"), 0)
            if page.stem == "index":
                text = replace_toctree_entries(text, real, docnames)
            page.write_text(text, encoding="utf-8")
    return words


def replace_toctree_entries(text: str, old: set[str], new: list[str]) -> str:
    lines, placed = [], False
    for line in text.splitlines():
        if line.strip() in old:
            if not placed:
                lines += new
                placed = True
            continue
        lines.append(line)
    return "\n".join(lines) + "\n"


# -- page weight -------------------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextmanager
def static_server(folder: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def load_page(browser: Any, url: str) -> dict[str, Any]:
    """What a first visit to ``url`` downloads, with an empty cache."""
    context = browser.new_context()
    page = context.new_page()
    requested, finished, failed = [], [], []
    page.on("request", lambda request: requested.append(request))
    page.on("requestfinished", lambda request: finished.append(request))
    page.on("requestfailed", lambda request: failed.append(request))
    response = page.goto(url, wait_until="networkidle")
    if response is None or not response.ok:
        raise MeasurementError(f"{url}: HTTP {response.status if response else 'no response'}")
    origin = urlsplit(url).netloc
    by_type: dict[str, dict[str, int]] = {}
    files = []
    for request in finished:
        answer = request.response()
        body = answer.body() if answer else b""
        zipped = len(gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0))
        kind = by_type.setdefault(request.resource_type, {"requests": 0, "bytes": 0, "gzip_bytes": 0})
        kind["requests"] += 1
        kind["bytes"] += len(body)
        kind["gzip_bytes"] += zipped
        files.append({"url": urlsplit(request.url).path, "type": request.resource_type, "bytes": len(body), "gzip_bytes": zipped})
    context.close()
    files.sort(key=lambda f: -f["bytes"])
    return {
        "requests": len(requested),
        "failed": [r.url for r in failed],
        "other_origin_requests": sum(1 for r in requested if urlsplit(r.url).netloc not in (origin, "")),
        "bytes": sum(f["bytes"] for f in files),
        "gzip_bytes": sum(f["gzip_bytes"] for f in files),
        "by_type": by_type,
        "largest": files[:5],
    }


def theme_baseline_site(runner: Runner, work: Path, chapter: Chapter) -> Path:
    """The same landing page and chapter with stock sphinx-book-theme."""
    project = work / "theme-baseline"
    (project / "src").mkdir(parents=True)
    shutil.copytree(ROOT / "book" / "figures", project / "src" / "figures")
    shutil.copy(ROOT / "book" / f"{chapter.docname}.md", project / "src")
    # The landing page's toctrees list only this chapter.
    pages = {page.stem for page in (ROOT / "book").glob("*.md")}
    landing = replace_toctree_entries((ROOT / "book" / "index.md").read_text(encoding="utf-8"), pages, [chapter.docname])
    (project / "src" / "index.md").write_text(landing, encoding="utf-8")
    ours = runpy.run_path(str(ROOT / "conf.py"))
    conf = {
        "project": ours["project"],
        "extensions": ["myst_parser"],
        "html_theme": "sphinx_book_theme",
        # Parsing the same Markdown needs the same MyST syntax extensions.
        "myst_enable_extensions": ours["myst_enable_extensions"],
        "myst_substitutions": ours["myst_substitutions"],
    }
    (project / "src" / "conf.py").write_text("".join(f"{k} = {v!r}\n" for k, v in conf.items()), encoding="utf-8")
    runner.run("theme-baseline", [sys.executable, "-m", "sphinx", "-b", "html", "-q", str(project / "src"), str(project / "html")], project)
    return project / "html"


def measure_pages(runner: Runner, results: Results, work: Path, site: Path, runs: int) -> None:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    chapter = edited_chapter(ROOT / "book")
    sites = {"ours": site, "baseline": theme_baseline_site(runner, work, chapter)}
    pages = {"landing": "index.html", "chapter": f"{chapter.docname}.html"}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            results.pages["chromium"] = browser.version
            for who, folder in sites.items():
                with static_server(folder) as base:
                    for name, path in pages.items():
                        loads = [load_page(browser, base + path) for _ in range(runs)]
                        middle = sorted(loads, key=lambda load: load["bytes"])[len(loads) // 2]
                        middle["page"] = path
                        middle["samples_bytes"] = [load["bytes"] for load in loads]
                        results.pages.setdefault(who, {})[name] = middle
                        say(f"page {who} {path}: {middle['requests']} requests, {middle['bytes'] / KB:.0f} kB "
                            f"({middle['gzip_bytes'] / KB:.0f} kB gzipped)")  # fmt: skip
            browser.close()
    except PlaywrightError as error:
        raise MeasurementError(f"page weight: Chromium/Playwright failed: {error}") from error


# -- the machine, the targets, the table ------------------------------------------------------------


def machine() -> dict[str, Any]:
    meminfo = Path("/proc/meminfo").read_text()
    total_kb = int(re.search(r"^MemTotal:\s+(\d+)", meminfo, re.M)[1])
    cpu = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
    import sphinx

    try:
        tex = subprocess.run(["xelatex", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        tex = "xelatex not found"
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(total_kb / 2**20, 1),
        "cpu": cpu[1].strip() if cpu else platform.processor(),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sphinx": sphinx.__version__,
        "tex": tex,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


@dataclass
class Target:
    name: str
    value: str
    limit: str
    passed: bool | None  # on the medians; None: not measured
    quietest: str = ""  # the same check on the run least disturbed by other processes, for reading the noise


VERDICT = {True: "PASS", False: "FAIL", None: "NOT MEASURED"}


def check_targets(results: Results, html_sizes: tuple[int, ...]) -> list[Target]:
    def timed(name: str, key: str, limit: float) -> Target:
        value, quiet = results.median(key), results.quietest(key)
        return Target(name, "not measured" if value is None else f"{value:.2f} s", f"< {limit:g} s",
                      None if value is None else value < limit,
                      "" if quiet is None else f"{quiet:.2f} s, {VERDICT[quiet < limit]}")  # fmt: skip

    def faster(plain: float | None, ours: float | None) -> float | None:
        return plain / ours if plain and ours else None

    # Like for like: the plain way builds HTML, EPUB and xelatex PDFs.
    speedup = faster(results.median("plain_cold"), results.median("cold_xelatex_route"))
    quiet_speedup = faster(results.quietest("plain_cold"), results.quietest("cold_xelatex_route"))
    html = results.scaling.get("html", {})
    smallest, largest = (str(min(html_sizes)), str(max(html_sizes))) if html_sizes else ("", "")
    change = None
    if smallest in html and largest in html and smallest != largest:
        change = html[largest]["seconds_per_chapter"] / html[smallest]["seconds_per_chapter"] - 1
    chapter_page = results.pages.get("ours", {}).get("chapter", {}).get("bytes")
    return [
        timed("no-change rebuild", "no_change", TARGETS["no_change"]),
        timed("one-chapter edit, HTML", "edit_html", TARGETS["edit_html"]),
        timed("one-chapter edit, its PDF + book PDF", "edit_pdfs", TARGETS["edit_pdfs"]),
        timed("one-chapter edit, its print edition + the book's", "edit_print", TARGETS["edit_print"]),
        timed("cold full build", "cold", TARGETS["cold"]),
        timed("cold build, print route (all without xelatex)", "cold_print_route", TARGETS["cold_print_route"]),
        Target("cold build, xelatex route, vs plain Sphinx", "not measured" if speedup is None else f"{speedup:.2f}x faster",
               f">= {TARGETS['cold_speedup']:g}x faster", None if speedup is None else speedup >= TARGETS["cold_speedup"],
               "" if quiet_speedup is None else f"{quiet_speedup:.2f}x, {VERDICT[quiet_speedup >= TARGETS['cold_speedup']]}"),
        Target(f"HTML s/chapter, {smallest} -> {largest} chapters", "not measured" if change is None else f"{change:+.0%}",
               f"within ±{TARGETS['html_flatness']:.0%}", None if change is None else abs(change) <= TARGETS["html_flatness"]),
        Target("chapter page, uncompressed", "not measured" if chapter_page is None else f"{chapter_page / KB:.0f} kB",
               f"< {TARGETS['chapter_page_bytes'] / KB:.0f} kB", None if chapter_page is None else chapter_page < TARGETS["chapter_page_bytes"]),
    ]  # fmt: skip


def seconds(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f} s"


def spread(figure: Figure | None, digits: int = 1) -> str:
    if not figure or len(figure.samples) < 2:
        return ""
    return f"{min(figure.samples):.{digits}f}–{max(figure.samples):.{digits}f}"


def busy_elsewhere(figure: Figure | None, cores: int) -> str:
    """The share of the machine other processes used while this figure was measured."""
    others = figure.extra.get("other_processes_cpu_seconds") if figure else None
    if not others or not figure.samples:
        return ""
    return f"{sum(others) / (sum(figure.samples) * cores):.0%}"


def table(results: Results, info: dict[str, Any], runs: int) -> str:
    f, m = results.figures.get, results.median
    cores = info["cores"] or 1
    ratio = lambda ours, theirs: "" if not ours or not theirs else f"{ours / theirs:.2f}"  # noqa: E731
    timed = [  # (label, our figure, their figure, digits)
        ("Cold full build (all): HTML, EPUB, checklist, print edition, xelatex PDFs", "cold", None, 1),
        ("… CPU time, all processes added up", "cold_cpu", None, 1),
        ("Cold build, xelatex route: HTML, EPUB, checklist, xelatex book + 7 chapter PDFs", "cold_xelatex_route", "plain_cold", 1),
        ("… CPU time, all processes added up", "cold_xelatex_route_cpu", "plain_cold_cpu", 1),
        ("Cold build, print route: HTML, EPUB, checklist, print edition book + 7 chapters", "cold_print_route", None, 1),
        ("… CPU time, all processes added up", "cold_print_route_cpu", None, 1),
        ("No-change rebuild", "no_change", None, 2),
        ("Chapter 5 edited: HTML", "edit_html", "plain_edit_html", 1),
        ("Chapter 5 edited: its PDF + book PDF (xelatex)", "edit_pdfs", "plain_edit_pdfs", 1),
        ("Chapter 5 edited: its print edition + the book's", "edit_print", None, 1),
        ("Chapter 5 edited: HTML + PDFs", "edit_total", "plain_edit_total", 1),
        ("Export chapter 5 PDF (export.py), chapter edited", "export_edited", None, 1),
        ("Export chapter 5 PDF (export.py), nothing changed", "export_unchanged", None, 1),
    ]
    rows = []
    for label, ours, theirs, digits in timed:
        q = results.quietest
        quiet = seconds(q(ours), digits) + (f" / {seconds(q(theirs), digits)}" if theirs and q(theirs) is not None else "")
        rows.append((label, seconds(m(ours), digits), spread(f(ours), digits), seconds(m(theirs), digits) if theirs else "",
                     ratio(m(ours), m(theirs)) if theirs else "", quiet, busy_elsewhere(f(ours.removesuffix("_cpu")), cores)))  # fmt: skip
    for key, label in (("max_rss", "largest process"), ("tree_rss", "all processes at once")):
        ours, theirs = m(f"cold_{key}"), m(f"plain_cold_{key}")
        rows.append((f"Peak memory of the full build, {label}", "–" if ours is None else f"{ours:.0f} MB", spread(f(f"cold_{key}"), 0),
                     "–" if theirs is None else f"{theirs:.0f} MB", ratio(ours, theirs), "", ""))  # fmt: skip
    for kind, label in (("html", "HTML"), ("pdf", "book PDF")):
        for size, entry in sorted(results.scaling.get(kind, {}).items(), key=lambda item: int(item[0])):
            marginal = entry.get("marginal_seconds_per_chapter")
            extra = f"; {marginal:.2f} s per added chapter" if marginal is not None else ""
            figure = Figure("", "s", entry["samples"], {"other_processes_cpu_seconds": entry.get("other_processes_cpu_seconds")})
            rows.append((f"Scaling, {label}, {size} chapters ({entry['words'] // 1000}k words)",
                         f"{entry['median']:.1f} s = {entry['seconds_per_chapter']:.2f} s/chapter "
                         f"(CPU {entry['cpu_seconds_per_chapter']:.2f} s/chapter){extra}",
                         spread(figure), "", "", "" if figure.quietest_run is None else f"{figure.samples[figure.quietest_run]:.1f} s",
                         busy_elsewhere(figure, cores)))  # fmt: skip
    for name, label in (("landing", "Landing page"), ("chapter", "Chapter 5 page")):
        ours, theirs = results.pages.get("ours", {}).get(name), results.pages.get("baseline", {}).get(name)
        cell = lambda p: "–" if not p else f"{p['requests']} requests, {p['bytes'] / KB:.0f} kB ({p['gzip_bytes'] / KB:.0f} kB gzipped)"  # noqa: E731
        rows.append((f"{label}: what the browser loads", cell(ours), "", cell(theirs),
                     ratio(ours and ours["bytes"], theirs and theirs["bytes"]), "", ""))  # fmt: skip
    other_share = info["other_processes_cpu_seconds"] / max(1.0, info["measured_seconds"] * cores)
    lines = [
        f"Machine: {cores} cores ({info['cpu']}), {info['memory_gib']} GiB RAM, {info['system']}; Python {info['python']}, "
        f"Sphinx {info['sphinx']}, {info['tex']}; Chromium {results.pages.get('chromium', '–')}.",
        f"Median of {runs} run(s). While the builds ran, other processes used {other_share:.0%} of the machine "
        f"(column \"Busy elsewhere\"; {info['waited_for_quiet_seconds']:.0f} s spent waiting for quiet moments); "
        "CPU time is the steadier figure when that is high.",
        "",
        "| Measurement | Handbook (median) | Runs (min–max) | Plain Sphinx / stock theme | Ours ÷ theirs "
        "| Quietest run: ours / theirs | Busy elsewhere |",
        "|---|---|---|---|---|---|---|",
        *(f"| {' | '.join(row)} |" for row in rows),
    ]
    return "\n".join(lines)


def targets_table(targets: list[Target]) -> str:
    lines = ["| Target | Measured (median) | Limit | Result | Quietest run |", "|---|---|---|---|---|"]
    lines += [f"| {t.name} | {t.value} | {t.limit} | {VERDICT[t.passed]} | {t.quietest} |" for t in targets]
    return "\n".join(lines)


# -- command line ----------------------------------------------------------------------------------------


def sizes(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None
    chapters = len(load_chapters())
    if any(v < chapters for v in values):
        raise argparse.ArgumentTypeError(f"each size must be at least {chapters} (one copy of every chapter)")
    return values


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, help="runs per figure, the median is reported (default 3; 1 with --quick)")
    parser.add_argument("--quick", action="store_true", help=f"smoke test: 1 run, books of {QUICK_HTML_SIZES} chapters")
    parser.add_argument("--json", type=Path, default=ROOT / "_build" / "bench.json", help="where to write the results")
    parser.add_argument("--work-dir", type=Path, help="where to copy the sources and build (default: a new folder in /tmp)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (build logs, outputs)")
    parser.add_argument("--quiet-wait", type=float, default=10.0, metavar="SECONDS",
                        help="before each run, wait up to this long for the machine to be idle (default 10; 0: never wait)")
    parser.add_argument("--skip", action="append", default=[], choices=SECTIONS, help="leave a part out (repeatable)")
    parser.add_argument("--html-sizes", type=sizes, help=f"chapters in the generated HTML books (default {','.join(map(str, HTML_SIZES))})")
    parser.add_argument("--pdf-sizes", type=sizes, help=f"chapters in the generated PDF books (default {','.join(map(str, PDF_SIZES))})")
    args = parser.parse_args(argv)
    runs = args.runs if args.runs is not None else (1 if args.quick else 3)
    if runs < 1:
        parser.error("--runs must be at least 1")
    if args.quiet_wait < 0:
        parser.error("--quiet-wait must not be negative")
    html_sizes = args.html_sizes or (QUICK_HTML_SIZES if args.quick else HTML_SIZES)
    pdf_sizes = args.pdf_sizes or (QUICK_PDF_SIZES if args.quick else PDF_SIZES)

    info = machine()
    if args.work_dir:
        args.work_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="handbook-bench-", dir=args.work_dir))
    (work / "logs").mkdir()
    runner = Runner(work / "logs", handbook_build.build_env(), quiet_wait=args.quiet_wait)
    results = Results(skipped=list(args.skip))
    say(f"{info['cores']} cores, {info['memory_gib']} GiB; {runs} run(s) per figure; working in {work}")

    bench = Bench(runner, results, work, runs)
    wanted = {section: section not in args.skip for section in SECTIONS}

    def attempt(section: str, step: Callable[..., None], *step_args: Any) -> None:
        if not wanted[section]:
            return
        try:
            step(*step_args)
        except MeasurementError as error:
            results.errors.append(str(error))
            print(f"[bench] could not measure ({section}): {error}", file=sys.stderr, flush=True)
        except Exception as error:  # a bug here must not lose the figures already taken
            results.errors.append(f"{section}: {error!r}")
            traceback.print_exc()

    started = time.monotonic()
    for run in range(runs):
        attempt("build", bench.ours_cold, run)
        attempt("baseline", bench.plain_cold, run)
    attempt("page", bench.pages)  # on the cold build's site, before any edit
    attempt("build", bench.no_change)
    for run in range(runs):
        attempt("build", bench.ours_edit, run)
        attempt("baseline", bench.plain_edit, run)
    attempt("build", bench.export)
    attempt("scaling", bench.scaling, html_sizes, pdf_sizes)
    elapsed = time.monotonic() - started

    info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    info["measured_seconds"] = round(runner.measured_seconds, 1)
    info["other_processes_cpu_seconds"] = round(runner.other_cpu_seconds, 1)
    info["waited_for_quiet_seconds"] = round(runner.waited_seconds, 1)
    targets = check_targets(results, html_sizes)
    report = table(results, info, runs)
    print()
    print(report)
    print()
    print(targets_table(targets))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({
        "machine": info,
        "runs": runs,
        "quick": args.quick,
        "bench_seconds": round(elapsed, 1),
        "figures": {key: figure.as_json() for key, figure in results.figures.items()},
        "scaling": results.scaling,
        "pages": results.pages,
        "targets": [asdict(t) for t in targets],
        "load_average_by_section": results.load,
        "skipped": results.skipped,
        "errors": results.errors,
        "work_dir": str(work) if args.keep else None,
    }, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")  # fmt: skip
    print(f"\n[bench] {elapsed / 60:.1f} min; results in {args.json}")
    if args.keep:
        print(f"[bench] work folder kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    if results.errors:
        print(f"[bench] {len(results.errors)} measurement(s) could not be taken (see above)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

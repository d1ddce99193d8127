"""Measure how fast the handbook builds and how much a reader's browser loads.

    python -m handbook.bench [--runs N] [--quick] [--chapter N|SLUG] [--json PATH]
        [--keep DIR] [--skip build|baseline|page|preview|scaling ...]

Each scenario is a command that hyperfine runs ``--runs`` times (default 3;
``--quick``: 1, and small generated books) on a throw-away copy of the
sources, after an untimed ``--prepare`` command (empty the build folder;
append a sentence to the edited chapter, the longest unless ``--chapter``).
psutil gives the peak memory and the share of the machine other processes
used meanwhile. BENCHMARKS.md describes the scenarios; TARGETS the targets.
The table is Markdown, the JSON holds every sample. A failed target is
printed as FAIL and does not change the exit status.

Exit status: 0 measured, 1 a measurement could not be taken, 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import runpy
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from statistics import median
from typing import Any

import psutil

from handbook import build as handbook_build
from handbook.browser import chromium, page_weight, static_server
from handbook.meta import ROOT, Chapter, find_chapter, load_chapters, load_edition

SECTIONS = ("build", "baseline", "page", "preview", "scaling")
HTML_SIZES, PDF_SIZES = (10, 50, 100), (10, 50)
QUICK_HTML_SIZES, QUICK_PDF_SIZES = (7, 14), (7,)
NOT_SOURCES = (".venv*", ".git", "_build", "dist", "node_modules", "__pycache__", ".pytest_cache", "*.pyc")
KB = 1000
TARGETS = {
    "no_change": 3.0,  # seconds
    "edit_html": 2.0,
    "edit_pdfs": 12.0,
    "edit_print": 4.0,  # issue 12: one chapter edited, its print edition and the book's
    "cold": 40.0,
    "cold_print_route": 20.0,  # issue 12: everything but xelatex, cold
    "preview_edit": 1.0,  # issue 13: saved -> shown in the browser, as fast as mystmd's preview
    "cold_speedup": 2.0,  # plain Sphinx / ours, at least
    "html_flatness": 0.25,  # s/chapter may change this much from the smallest to the largest book
    "chapter_page_gzip_bytes": 200 * KB,  # as tests/test_browser.py: the theme's stylesheet is served whole
}
# Labels and table names a chapter defines: `(sec-risks-why)=` and `:name: tbl-monitoring`.
LABEL_DEF = re.compile(r"^\((?P<label>[^()\s]+)\)=\s*$|^:name:\s*(?P<name>\S+)\s*$", re.MULTILINE)
# How a plain Sphinx user builds one PDF per run (appended to the plain tree's conf.py).
PLAIN_CONF = """
import os  # conf.py reads no environment; BENCH_PLAIN_CHAPTER: a chapter as its own project
_bench_chapter = os.environ.get("BENCH_PLAIN_CHAPTER")
if _bench_chapter:
    root_doc = _bench_chapter
    latex_documents = [(_bench_chapter, _bench_chapter + ".tex", project, author, "manual")]
else:
    latex_documents = latex_documents[:1]
"""


class MeasurementError(Exception):
    """A measurement could not be taken; the message says which and why."""


def say(message: str) -> None:
    print(f"[bench] {message}", flush=True)


@dataclass
class Figure:
    """One scenario's runs."""

    samples: list[float]
    cpu_seconds: float | None = None  # user + system, every process of the command; mean of the runs
    busy_elsewhere: float | None = None  # share of the machine other processes used meanwhile
    max_rss_mb: float | None = None  # the largest single process, in any run
    tree_rss_mb: float | None = None  # peak sum over the process tree (sampled every 0.1 s), in any run

    @property
    def median(self) -> float:
        return median(self.samples)


@dataclass
class Command:
    key: str  # the figure's name: ROWS labels it
    command: str  # a shell command line
    prepare: str = "true"  # run before each timed run, not timed


def busy_seconds() -> float:
    """CPU time the whole machine (every core) has been busy since boot."""
    t = psutil.cpu_times()
    return t.user + t.nice + t.system + t.irq + t.softirq + t.steal


def hyperfine(commands: list[Command], cwd: Path, runs: int, logs: Path, env: dict[str, str], warmup: int = 0) -> list[Figure]:
    """Time the commands with hyperfine; the logs of the last run of each are kept in ``logs``."""
    stem = logs / commands[0].key
    argv = ["hyperfine", "--runs", str(runs), "--warmup", str(warmup), "--style", "none",
            "--export-json", f"{stem}.json", "--output", f"{stem}.log"]  # fmt: skip
    for command in commands:
        argv += ["--command-name", command.key, "--prepare", command.prepare]
    before, started, peak = busy_seconds(), time.perf_counter(), 0
    with open(f"{stem}.hyperfine.txt", "w") as out:
        process = subprocess.Popen(argv + [c.command for c in commands], cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    root = psutil.Process(process.pid)
    while os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT | os.WNOHANG) is None:  # ended, not reaped
        with suppress(psutil.Error):  # a process that ended meanwhile counts no more
            peak = max(peak, sum(p.memory_info().rss for p in (root, *root.children(recursive=True))))
        time.sleep(0.1)
    _, status, usage = os.wait4(process.pid, 0)  # wait4: the CPU time and memory of hyperfine's whole tree
    process.returncode = os.waitstatus_to_exitcode(status)
    wall, elsewhere = time.perf_counter() - started, busy_seconds() - before - usage.ru_utime - usage.ru_stime
    if process.returncode != 0:
        error = Path(f"{stem}.hyperfine.txt").read_text(errors="replace").strip().splitlines()[-1:]
        raise MeasurementError(f"{commands[0].key}: {' '.join(error)} (the failing run's output: {stem}.log)")
    results = json.loads(Path(f"{stem}.json").read_text())["results"]
    return [
        Figure(result["times"], result["user"] + result["system"], max(0.0, elsewhere) / (wall * (os.cpu_count() or 1)),
               usage.ru_maxrss / 1024, peak / 2**20)
        for command, result in zip(commands, results, strict=True)
    ]  # fmt: skip


def copy_sources(target: Path) -> Path:
    shutil.copytree(ROOT, target, ignore=shutil.ignore_patterns(*NOT_SOURCES), symlinks=True)
    return target


def build(*args: str | Path) -> str:
    return shlex.join([sys.executable, "-m", "handbook.build", *map(str, args)])  # in a copy: its own package


def sphinx(builder: str, out: Path) -> str:
    return shlex.join([sys.executable, "-m", "sphinx", "-M", builder, "book", str(out), "-c", ".", "-q"])


def plain_pdf(out: Path, stem: str, chapter: str | None = None) -> str:
    """``sphinx-build -M latexpdf`` for one document: Sphinx, then the make call -M latexpdf -q makes."""
    latex = out / "latex"
    return (f"{'BENCH_PLAIN_CHAPTER=' + chapter + ' ' if chapter else ''}{sphinx('latex', out)}\n"
            f"make -C {latex} {stem}.pdf LATEXOPTS=-halt-on-error LATEXMKOPTS=-silent\ntest -f {latex / stem}.pdf\n")  # fmt: skip


@dataclass
class Bench:
    work: Path
    env: dict[str, str]
    runs: int
    chapter: Chapter
    figures: dict[str, Figure] = field(default_factory=dict)
    scaling: dict[str, dict[str, Any]] = field(default_factory=dict)
    pages: dict[str, Any] = field(default_factory=dict)
    not_measured: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.chapters = load_chapters()
        self.ours, self.plain = copy_sources(self.work / "ours"), copy_sources(self.work / "plain")
        with (self.plain / "conf.py").open("a", encoding="utf-8") as conf:
            conf.write(PLAIN_CONF)
        self.built = self.work / "ours-builds" / "cold"  # the cold full build, rebuilt by the later scenarios
        self.plain_out = self.work / "plain-builds"
        line = "\\nBenchmark edit: one sentence added to measure a one-chapter rebuild.\\n"
        self.edit = f"printf '{line}' >> book/{self.chapter.docname}.md"

    def time(self, commands: list[Command], cwd: Path, warmup: int = 0) -> None:
        for command, figure in zip(commands, hyperfine(commands, cwd, self.runs, self.work / "logs", self.env, warmup), strict=True):
            self.figures[command.key] = figure
            say(f"{command.key}: median {figure.median:.2f} s, CPU {figure.cpu_seconds:.1f} s")

    def cold(self) -> None:
        self.time([Command("cold", build("all", "--build-dir", self.built), f"rm -rf {self.built}")], self.ours)
        routes = {"cold_xelatex_route": ("html", "epub", "pdf", "chapters", "checklist"),
                  "cold_print_route": ("html", "epub", "checklist", "print")}  # fmt: skip
        folders = {key: self.work / "ours-builds" / key for key in routes}
        self.time([Command(key, build(*targets, "--build-dir", folders[key]), f"rm -rf {folders[key]}") for key, targets in routes.items()], self.ours)
        for folder in folders.values():
            shutil.rmtree(folder)

    def plain_cold(self) -> None:
        steps = plain_pdf(self.plain_out / "book", load_edition().book_stem)
        steps += "".join(plain_pdf(self.plain_out / c.docname, c.docname, c.docname) for c in self.chapters)
        steps += f"{sphinx('html', self.plain_out / 'book')}\n{sphinx('epub', self.plain_out / 'book')}\n"
        self.time([Command("plain_cold", "set -e\n" + steps, f"rm -rf {self.plain_out}")], self.plain)

    def rebuilds(self) -> None:
        if not (self.built / "html").is_dir():
            raise MeasurementError("no cold build to rebuild (it failed or was skipped)")
        html_first = f"{self.edit} && {build('html', '--build-dir', self.built)}"
        self.time([Command("no_change", build("all", "--build-dir", self.built))], self.ours, warmup=1)
        self.time([Command("edit_html", build("html", "--build-dir", self.built), self.edit),
                   Command("edit_pdfs", build("pdf", "chapters", "--build-dir", self.built), html_first),
                   Command("edit_print", build("print", "--build-dir", self.built), html_first)], self.ours)  # fmt: skip
        export = shlex.join([sys.executable, "-m", "handbook.export", str(self.chapter.number), "--format", "pdf", "--build-dir",
                             str(self.built), "--out", str(self.work / "export")])  # fmt: skip
        self.time([Command("export_edited", export, self.edit), Command("export_unchanged", export)], self.ours, warmup=1)

    def plain_edit(self) -> None:
        book = self.plain_out / "book"
        if not (book / "html").is_dir():
            raise MeasurementError("no plain build to rebuild (it failed or was skipped)")
        docname = self.chapter.docname
        pdfs = "set -e\n" + plain_pdf(book, load_edition().book_stem) + plain_pdf(self.plain_out / docname, docname, docname)
        self.time([Command("plain_edit_html", sphinx("html", book), self.edit),
                   Command("plain_edit_pdfs", pdfs, f"{self.edit} && {sphinx('html', book)}")], self.plain)  # fmt: skip

    def preview(self) -> None:
        try:
            from handbook.serve import measure_preview_latency
        except ImportError as error:
            self.not_measured["preview_edit"] = f"not measured: {error}"
            return say(f"preview: not measured ({error})")
        self.figures["preview_edit"] = figure = Figure(measure_preview_latency(copy_sources(self.work / "preview"), self.runs))
        say(f"preview_edit: median {figure.median:.2f} s")

    def page_weight(self) -> None:
        if not (self.built / "html").is_dir():
            raise MeasurementError("page weight: no cold build to load (it failed or was skipped)")
        sites = {"ours": self.built / "html", "baseline": theme_baseline_site(self.work, self.chapter)}
        pages = {"landing": "index.html", "chapter": f"{self.chapter.docname}.html"}
        with chromium() as browser:
            self.pages["chromium"] = browser.version
            for who, folder in sites.items():
                with static_server(folder) as base:
                    for name, path in pages.items():
                        self.pages.setdefault(who, {})[name] = load = page_weight(browser, base + path)
                        say(f"page {who} {path}: {load['requests']} requests, {load['bytes'] / KB:.0f} kB "
                            f"({load['gzip_bytes'] / KB:.0f} kB gzipped)")  # fmt: skip

    def scale(self, html_sizes: tuple[int, ...], pdf_sizes: tuple[int, ...]) -> None:
        for size in sorted(set(html_sizes) | set(pdf_sizes)):
            tree = copy_sources(self.work / f"scale-{size}")
            real = (tree / "book").rename(tree / "book.real")
            words = generate_book(real, tree / "book", size)
            shutil.rmtree(real)
            kinds = [kind for kind, sizes in (("html", html_sizes), ("pdf", pdf_sizes)) if size in sizes]
            out = {kind: self.work / f"scale-{size}-{kind}-build" for kind in kinds}
            commands = [Command(f"scale_{kind}_{size}", build(kind, "--build-dir", out[kind]), f"rm -rf {out[kind]}") for kind in kinds]
            for kind, figure in zip(kinds, hyperfine(commands, tree, self.runs, self.work / "logs", self.env), strict=True):
                entry = asdict(figure) | {"chapters": size, "words": words, "median": figure.median}
                entry["seconds_per_chapter"] = figure.median / size
                entry["cpu_seconds_per_chapter"] = (figure.cpu_seconds or 0) / size
                self.scaling.setdefault(kind, {})[str(size)] = entry
                say(f"scaling: {kind} of {size} chapters in {figure.median:.1f} s")
            shutil.rmtree(tree)
        for by_size in self.scaling.values():
            sizes = sorted(by_size, key=int)
            for smaller, larger in zip(sizes, sizes[1:], strict=False):
                a, b = by_size[smaller], by_size[larger]
                b["marginal_seconds_per_chapter"] = (b["median"] - a["median"]) / (b["chapters"] - a["chapters"])


def generate_book(source: Path, target: Path, count: int) -> int:
    """A book of ``count`` chapters made of copies of the real ones.

    Copy ``i`` of real chapter ``slug`` is ``slug-gIII``, so it is a chapter
    to the build (a chapter .tex, "last reviewed", the download menu). Every
    label and table name a chapter defines gets the copy's suffix; a
    reference to another chapter goes to the copy in the same round of copies
    (or the first one). Returns the number of words in the generated chapters.
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
        docnames.append(f"{chapters[index].docname}-g{i:03d}")
        text = relabel(texts[index], round_)
        (target / f"{docnames[-1]}.md").write_text(text, encoding="utf-8")
        words += len(text.split())
    for page in target.glob("*.md"):
        if page.stem not in docnames:
            text = relabel(page.read_text(encoding="utf-8"), 0)
            page.write_text(replace_toctree_entries(text, real, docnames) if page.stem == "index" else text, encoding="utf-8")
    return words


def replace_toctree_entries(text: str, old: set[str], new: list[str]) -> str:
    lines, placed = [], False
    for line in text.splitlines():
        if line.strip() in old:
            lines += [] if placed else new
            placed = True
        else:
            lines.append(line)
    return "\n".join(lines) + "\n"


def theme_baseline_site(work: Path, chapter: Chapter) -> Path:
    """The same landing page and chapter with the stock sphinx-book-theme."""
    project = work / "theme-baseline"
    (project / "src").mkdir(parents=True)
    shutil.copytree(ROOT / "book" / "figures", project / "src" / "figures")
    shutil.copy(ROOT / "book" / f"{chapter.docname}.md", project / "src")
    pages = {page.stem for page in (ROOT / "book").glob("*.md")}  # the landing page's toctrees list only this chapter
    landing = replace_toctree_entries((ROOT / "book" / "index.md").read_text(encoding="utf-8"), pages, [chapter.docname])
    (project / "src" / "index.md").write_text(landing, encoding="utf-8")
    ours = runpy.run_path(str(ROOT / "conf.py"))
    conf = {"project": ours["project"], "extensions": ["myst_parser"], "html_theme": "sphinx_book_theme",
            # Parsing the same Markdown needs the same MyST syntax extensions.
            "myst_enable_extensions": ours["myst_enable_extensions"], "myst_substitutions": ours["myst_substitutions"]}  # fmt: skip
    (project / "src" / "conf.py").write_text("".join(f"{k} = {v!r}\n" for k, v in conf.items()), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", project / "src", project / "html"], check=True, capture_output=True)
    return project / "html"


# The table's timed rows: (figure, label, the plain way's figure). A figure named in TARGETS is a target too.
ROWS = (
    ("cold", "Cold full build (all): HTML, EPUB, checklist, print edition, xelatex PDFs", None),
    ("cold_xelatex_route", "Cold build, xelatex route: HTML, EPUB, checklist, xelatex book + {count} chapter PDFs", "plain_cold"),
    ("cold_print_route", "Cold build, print route: HTML, EPUB, checklist, print edition book + {count} chapters", None),
    ("no_change", "No-change rebuild", None),
    ("edit_html", "Chapter {n} edited: HTML", "plain_edit_html"),
    ("edit_pdfs", "Chapter {n} edited: its PDF + book PDF (xelatex)", "plain_edit_pdfs"),
    ("edit_print", "Chapter {n} edited: its print edition + the book's", None),
    ("export_edited", "Export chapter {n} PDF, chapter edited", None),
    ("export_unchanged", "Export chapter {n} PDF, nothing changed", None),
    ("preview_edit", "Preview: chapter {n} saved, until the browser shows it", None),
)  # fmt: skip
VERDICT = {True: "PASS", False: "FAIL", None: "NOT MEASURED"}


def seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def ratio(ours: float | None, theirs: float | None) -> str:
    return f"{ours / theirs:.2f}" if ours and theirs else ""


def check_targets(bench: Bench) -> list[tuple[str, str, str, bool | None]]:
    """(target, measured, limit, passed: None if not measured), each on the medians."""
    f, limit = bench.figures.get, TARGETS
    targets = [(label.format(n=bench.chapter.number, count=len(bench.chapters)), seconds(f(key) and f(key).median), f"< {limit[key]:g} s",
                f(key) and f(key).median < limit[key]) for key, label, _ in ROWS if key in limit]  # fmt: skip
    speedup = f("plain_cold").median / f("cold_xelatex_route").median if f("plain_cold") and f("cold_xelatex_route") else None
    html = bench.scaling.get("html", {})
    sizes = sorted(html, key=int) or ["?"]
    change = html[sizes[-1]]["seconds_per_chapter"] / html[sizes[0]]["seconds_per_chapter"] - 1 if len(sizes) > 1 else None
    page = bench.pages.get("ours", {}).get("chapter", {}).get("gzip_bytes")
    return targets + [
        ("Cold build, xelatex route, vs plain Sphinx", "–" if speedup is None else f"{speedup:.2f}x faster",
         f">= {limit['cold_speedup']:g}x faster", None if speedup is None else speedup >= limit["cold_speedup"]),
        (f"HTML s/chapter, {sizes[0]} -> {sizes[-1]} chapters", "–" if change is None else f"{change:+.0%}",
         f"within ±{limit['html_flatness']:.0%}", None if change is None else abs(change) <= limit["html_flatness"]),
        ("Chapter page, gzipped", "–" if page is None else f"{page / KB:.0f} kB",
         f"< {limit['chapter_page_gzip_bytes'] / KB:.0f} kB", None if page is None else page < limit["chapter_page_gzip_bytes"]),
    ]  # fmt: skip


def table(bench: Bench, info: dict[str, Any], targets: list[tuple[str, str, str, bool | None]]) -> str:
    f, n = bench.figures.get, bench.chapter.number
    rows = []
    for ours, label, theirs in ROWS:
        a, b, label = f(ours), f(theirs or ""), label.format(n=n, count=len(bench.chapters))
        if a is None:
            rows.append((label, bench.not_measured.get(ours, "not measured"), "", seconds(b.median) if b else "", "", ""))
            continue
        cpu = lambda figure: f" (CPU {seconds(figure.cpu_seconds)})" if figure and ours.startswith("cold") else ""  # noqa: E731, B023 (used at once)
        rows.append((label, seconds(a.median) + cpu(a), f"{seconds(min(a.samples))}–{seconds(max(a.samples))}", seconds(b and b.median) + cpu(b) if theirs else "",
                     ratio(a.median, b and b.median), "" if a.busy_elsewhere is None else f"{a.busy_elsewhere:.0%}"))  # fmt: skip
    for key, label in (("max_rss_mb", "largest process"), ("tree_rss_mb", "all processes at once")):
        ours, theirs = (getattr(f(name), key, None) for name in ("cold", "plain_cold"))
        rows.append((f"Peak memory of the full build, {label}", "–" if ours is None else f"{ours:.0f} MB", "",
                     "–" if theirs is None else f"{theirs:.0f} MB", ratio(ours, theirs), ""))  # fmt: skip
    for kind, label in (("html", "HTML"), ("pdf", "book PDF")):
        for size, e in sorted(bench.scaling.get(kind, {}).items(), key=lambda item: int(item[0])):
            marginal = e.get("marginal_seconds_per_chapter")
            rows.append((f"Scaling, {label}, {size} chapters ({e['words'] // 1000}k words)",
                         f"{e['median']:.1f} s = {e['seconds_per_chapter']:.2f} s/chapter (CPU {e['cpu_seconds_per_chapter']:.2f} s/chapter)"
                         + ("" if marginal is None else f"; {marginal:.2f} s per added chapter"),
                         f"{min(e['samples']):.1f}–{max(e['samples']):.1f}", "", "", f"{e['busy_elsewhere']:.0%}"))  # fmt: skip
    for name, label in (("landing", "Landing page"), ("chapter", f"Chapter {n} page")):
        ours, theirs = bench.pages.get("ours", {}).get(name), bench.pages.get("baseline", {}).get(name)
        cell = lambda p: "–" if not p else f"{p['requests']} requests, {p['bytes'] / KB:.0f} kB ({p['gzip_bytes'] / KB:.0f} kB gzipped)"  # noqa: E731
        rows.append((f"{label}: what the browser loads", cell(ours), "", cell(theirs), ratio(ours and ours["bytes"], theirs and theirs["bytes"]), ""))
    return "\n".join([
        f"Machine: {info['cores']} cores, {info['memory_gib']} GiB RAM, {info['system']}; Python {info['python']}, Sphinx {info['sphinx']}, "
        f"{info['tex']}; Chromium {bench.pages.get('chromium', '–')}; {info['hyperfine']}.",
        f"Median of {bench.runs} run(s), timed by hyperfine. \"Busy elsewhere\": the share of the machine other processes used meanwhile.",
        "",
        "| Measurement | Handbook (median) | Runs (min–max) | Plain Sphinx / stock theme | Ours ÷ theirs | Busy elsewhere |",
        "|---|---|---|---|---|---|",
        *(f"| {' | '.join(row)} |" for row in rows),
        "",
        "| Target | Measured (median) | Limit | Result |",
        "|---|---|---|---|",
        *(f"| {name} | {value} | {limit} | {VERDICT[passed]} |" for name, value, limit, passed in targets),
    ])  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, help="runs per scenario, the median is reported (default 3; 1 with --quick)")
    parser.add_argument("--quick", action="store_true", help=f"smoke test: 1 run, books of {QUICK_HTML_SIZES} chapters")
    parser.add_argument("--chapter", help="the chapter to edit and load, by number or slug (default: the longest)")
    parser.add_argument("--json", type=Path, default=ROOT / "_build" / "bench.json", help="where to write the results")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="work in a new folder in DIR and keep it (logs, outputs)")
    parser.add_argument("--skip", action="append", default=[], choices=SECTIONS, help="leave a part out (repeatable)")
    args = parser.parse_args(argv)
    runs = args.runs if args.runs is not None else (1 if args.quick else 3)
    if runs < 1:
        parser.error("--runs must be at least 1")
    if shutil.which("hyperfine") is None:
        parser.error("hyperfine is not installed (Debian package hyperfine; `make bench` installs it)")
    chapters = load_chapters()
    longest = max(chapters, key=lambda c: (ROOT / "book" / f"{c.docname}.md").stat().st_size)
    chapter = find_chapter(args.chapter, chapters) if args.chapter else longest
    if chapter is None:
        parser.error(f"--chapter {args.chapter}: no such chapter (number or slug)")

    import sphinx as sphinx_package

    def first_line(*command: str) -> str:
        return (subprocess.run(command, capture_output=True, text=True).stdout.splitlines() or ["?"])[0]

    info = {"cores": os.cpu_count(), "memory_gib": round(psutil.virtual_memory().total / 2**30, 1), "python": platform.python_version(),
            "system": f"{platform.system()} {platform.release()}", "sphinx": sphinx_package.__version__,
            "tex": first_line("xelatex", "--version"), "hyperfine": first_line("hyperfine", "--version"), "load_average_at_start": os.getloadavg()}  # fmt: skip
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="handbook-bench-", dir=args.keep))
    (work / "logs").mkdir()
    say(f"{info['cores']} cores, {info['memory_gib']} GiB; {runs} run(s) per scenario; chapter {chapter.number} edited; in {work}")
    bench = Bench(work, handbook_build.build_env(), runs, chapter)
    errors: list[str] = []

    def attempt(section: str, step: Callable[..., None], *step_args: Any) -> None:
        if section in args.skip:
            return
        try:
            step(*step_args)
        except Exception as error:  # neither a failed measurement nor a bug here may lose the figures already taken
            errors.append(f"{section}: {error}")
            print(f"[bench] could not measure ({section}): {error}", file=sys.stderr, flush=True)
            if not isinstance(error, (MeasurementError, subprocess.CalledProcessError)):
                traceback.print_exc()

    started = time.monotonic()
    attempt("build", bench.cold)
    attempt("baseline", bench.plain_cold)
    attempt("page", bench.page_weight)  # on the cold build's site, before any edit
    attempt("build", bench.rebuilds)
    attempt("baseline", bench.plain_edit)
    attempt("preview", bench.preview)
    attempt("scaling", bench.scale, *((QUICK_HTML_SIZES, QUICK_PDF_SIZES) if args.quick else (HTML_SIZES, PDF_SIZES)))
    elapsed = time.monotonic() - started

    info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    targets = check_targets(bench)
    print(f"\n{table(bench, info, targets)}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({
        "machine": info, "runs": runs, "quick": args.quick, "chapter": asdict(chapter), "bench_seconds": round(elapsed, 1),
        "figures": {key: asdict(figure) | {"median": figure.median} for key, figure in bench.figures.items()}, "scaling": bench.scaling,
        "pages": bench.pages, "targets": [dict(zip(("name", "value", "limit", "passed"), target, strict=True)) for target in targets], "not_measured": bench.not_measured,
        "skipped": args.skip, "errors": errors,
    }, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")  # fmt: skip
    say(f"{elapsed / 60:.1f} min; results in {args.json}" + (f"; work folder kept: {work}" if args.keep else ""))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    if errors:
        print(f"[bench] {len(errors)} measurement(s) could not be taken (see above)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

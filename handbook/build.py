#!/usr/bin/env python3
"""Build the handbook: HTML book, book PDF, chapter PDFs and EPUB.

    build.py [html|pdf|chapters|epub|checklist|print|all ...] [--paper a4|letter] [--build-dir DIR]

``print`` is the WeasyPrint edition of issue 12 (tagged PDF/UA-1, book and
chapters, ``<build>/print/``, ``print-letter/`` for US Letter), built beside
the xelatex PDFs and not yet part of ``all``.

How it spends time only on what changed:

* Sphinx works in ``<build>/.work/`` (its caches and the LaTeX folder). The
  HTML+EPUB run and the LaTeX run go side by side, one per core.
* latexmk compiles a ``.tex`` file again only when a file it read changed
  (its own records, ``*.fdb_latexmk``), two at a time. Editing chapter 5
  recompiles chapter 5's PDF and the book.
* When no source changed since the last good build of a target and its
  outputs are in place, that target does nothing at all.
* Sphinx re-reads only the pages that changed. The settings reach it as
  config values (``-D``, see ``handbook/settings.py``), and so does a hash
  of the handbook's code (``handbook/ext/settings.py``): Sphinx itself
  re-reads every page after the code changes, and rewrites every page after
  the base URL changes. A change to the book's structure (pages, titles,
  tables of contents) empties the builder's output folder and re-reads
  every page (``handbook/ext/navigation.py``).
* Sphinx runs through ``handbook/run_sphinx.py``, which sets Python's garbage
  collector for a short-lived process (a quarter of a one-chapter rebuild
  went to the collector walking Sphinx's environment).

How it keeps the last good outputs: results are published to
``<build>/html``, ``<build>/pdf`` (``pdf-letter`` for US Letter) and
``<build>/epub`` only when every requested part succeeded. After a failure
nothing published changes, Sphinx's cache is dropped (so the next build
reports the same problems again) and the exit status is 1.

A PDF also fails the build when xelatex reports a missing character, an
undefined reference or an undefined citation.

What an editor sees (``handbook/editor_messages.py``, ``handbook/preflight.py``):
before any builder runs, the sources are checked for what Sphinx or xelatex
would report badly or not at all (not UTF-8, unclosed front matter, a path
leaving book/, a character the PDF fonts lack). Every problem is then said
once, however many builders met it, as ``book/FILE.md:LINE: plain words``.

Settings: ``--paper`` or ``PAPER`` (a4, letter) and ``HANDBOOK_BASEURL``
(where the site is hosted), read once by ``handbook.settings``.

Exit status: 0 built (or already up to date), 1 build failed, 2 bad usage
(a bad setting is named with the values it may take).
"""

from __future__ import annotations

import argparse
import filecmp
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from handbook import checklist_pdf
from handbook import draw_approval_timeline
from handbook import draw_monitoring_figure
from handbook import editor_messages
from handbook import preflight
from handbook import print_edition
from handbook import settings as handbook_settings
from handbook.meta import BOOK_DIR, ChapterOrderError, checklist_pdf_name, load_chapters, load_edition
from handbook.settings import PAPERS, Settings, SettingsError

TARGETS = ("html", "epub", "pdf", "chapters", "checklist", "print")
# -- print edition (issue 12) --------------------------------------------------
# "print": the designed, tagged PDF/UA-1 edition (book and chapters) that
# WeasyPrint renders from the HTML (handbook/print_edition.py), published to
# _build/print/ (print-letter/ for US Letter). It is the PDF the site offers
# for download. The xelatex PDFs ("pdf", "chapters", in _build/pdf/) keep
# building beside it until the new edition reaches parity (README: "The two
# PDF editions").
ALL_TARGETS = ("html", "epub", "pdf", "chapters", "checklist", "print")
# The checklist and the print edition are printed from the HTML pages, so
# building them builds the site.
NEEDS = {"checklist": "html", "print": "html"}
# Everything that can change an output (with the settings, see fingerprint).
SOURCE_DIRS = ("book", "handbook", "_static", "_templates", "_print")
SOURCE_FILES = ("conf.py", "requirements/build.txt", "pyproject.toml")
# --no-color: the output is read by editor_messages, not by a terminal (CI
# machines that set FORCE_COLOR would otherwise get escape codes).
SPHINX_FLAGS = ["-n", "-W", "--keep-going", "-q", "-T", "--no-color"]


class BuildError(Exception):
    """A part of the build failed; ``problems`` says what and where, one line each."""

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else problems
        super().__init__("\n".join(self.problems))


def log(message: str) -> None:
    print(f"[build] {message}", flush=True)


def source_date_epoch() -> str:
    """SOURCE_DATE_EPOCH: the environment's, else the last commit's time."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return os.environ["SOURCE_DATE_EPOCH"]
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "log", "-1", "--format=%ct"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        if out:
            return out
    except (OSError, subprocess.CalledProcessError):
        pass
    return str(int(time.mktime(time.strptime(load_edition().date, "%Y-%m-%d"))))


def build_env() -> dict[str, str]:
    env = dict(os.environ)
    env["SOURCE_DATE_EPOCH"] = source_date_epoch()
    env["FORCE_SOURCE_DATE"] = "1"  # TeX: dates in the PDF from SOURCE_DATE_EPOCH
    # TeX wraps its log at 79 columns, which split "Missing character" lines
    # in two so that the log check missed them; a wide limit keeps each
    # message on one line (editor_messages also un-wraps, to be sure).
    env["max_print_line"] = "100000"
    env.setdefault("TZ", "UTC")
    return env


def fingerprint(target: str, settings: Settings) -> str:
    """A hash of every input that can change a target's outputs: sources, settings, dates."""
    paper = settings.paper if target in ("pdf", "chapters", "print") else ""
    extra = f"{target}:{paper}\nbaseurl={settings.baseurl}\nSOURCE_DATE_EPOCH={os.environ.get('SOURCE_DATE_EPOCH', '')}"
    return files_hash(SOURCE_FILES, SOURCE_DIRS, extra)


def sphinx_arguments(builder: str, settings: Settings, outdir: Path, doctrees: Path, *,
                     export_chapter: str | None = None, source_date_epoch: str | None = None) -> list[str]:  # fmt: skip
    """sphinx-build's arguments for one builder of the book, as every build runs it.

    Strict (warnings are errors, every one reported), quiet, and with the
    settings as config values (``-D``, ``handbook/ext/settings.py``).
    """
    overrides = handbook_settings.sphinx_overrides(settings, export_chapter, source_date_epoch)
    defines = [f"-D{name}={value}" for name, value in overrides.items()]
    return ["-b", builder, "-c", str(ROOT), "-d", str(doctrees), *SPHINX_FLAGS, *defines, str(BOOK_DIR), str(outdir)]


def files_hash(files: tuple[str, ...], folders: tuple[str, ...], extra: str = "") -> str:
    digest = hashlib.sha256(extra.encode())
    paths = [ROOT / f for f in files]
    for folder in folders:
        paths += sorted(p for p in (ROOT / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for path in paths:
        if path.is_file():
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass
class Layout:
    """Where a build works and where it publishes."""

    build_dir: Path
    paper: str

    @property
    def work(self) -> Path:
        return self.build_dir / ".work"

    @property
    def html_work(self) -> Path:
        return self.work / "html"

    @property
    def epub_work(self) -> Path:
        return self.work / "epub"

    @property
    def html_doctrees(self) -> Path:
        return self.work / "doctrees-html"

    @property
    def latex_work(self) -> Path:
        return self.work / f"latex-{self.paper}"

    @property
    def latex_doctrees(self) -> Path:
        return self.work / f"doctrees-latex-{self.paper}"

    @property
    def stamps(self) -> Path:
        return self.work / "stamps.json"

    @property
    def html(self) -> Path:
        return self.build_dir / "html"

    @property
    def pdf(self) -> Path:
        return self.build_dir / ("pdf" if self.paper == "a4" else f"pdf-{self.paper}")

    @property
    def epub(self) -> Path:
        return self.build_dir / "epub"

    @property
    def print_work(self) -> Path:
        return self.work / f"print-{self.paper}"

    @property
    def print(self) -> Path:
        return self.build_dir / ("print" if self.paper == "a4" else f"print-{self.paper}")


@dataclass
class Build:
    layout: Layout
    targets: set[str]
    settings: Settings = field(default_factory=Settings)
    env: dict[str, str] = field(init=False)  # the environment every tool runs in

    def __post_init__(self) -> None:
        self.env = build_env()
        self.edition = load_edition(baseurl=self.settings.baseurl)
        self.chapters = load_chapters()

    # -- Sphinx ---------------------------------------------------------------

    def sphinx(self, builder: str, outdir: Path, doctrees: Path, *, export_chapter: str | None = None) -> None:
        epoch = self.env["SOURCE_DATE_EPOCH"] if builder == "latex" else None
        arguments = sphinx_arguments(builder, self.settings, outdir, doctrees, export_chapter=export_chapter,
                                     source_date_epoch=epoch)  # fmt: skip
        command = [sys.executable, "-m", "handbook.run_sphinx", *arguments]
        started = time.monotonic()
        result = subprocess.run(command, cwd=ROOT, env=self.env, capture_output=True, text=True)
        if result.returncode != 0:
            # Sphinx would not re-read unchanged files next time and so would
            # not repeat these warnings: forget its cache.
            (doctrees / "environment.pickle").unlink(missing_ok=True)
            output = result.stdout + "\n" + result.stderr
            problems = editor_messages.sphinx_problems(output, builder, editor_messages.Book(ROOT))
            raise BuildError(problems or [f"sphinx-build -b {builder} failed (exit {result.returncode}) and said nothing"])
        for stream, out in ((result.stdout, sys.stdout), (result.stderr, sys.stderr)):
            if stream.strip():
                print(stream.strip(), file=out, flush=True)
        log(f"sphinx {builder}: {time.monotonic() - started:.1f}s")

    def html_and_epub(self) -> None:
        if "html" in self.targets:
            self.sphinx("html", self.layout.html_work, self.layout.html_doctrees)
        if "epub" in self.targets:
            self.sphinx("epub", self.layout.epub_work, self.layout.html_doctrees)
            normalise_zip(self.layout.epub_work / f"{self.edition.book_stem}.epub", self.env["SOURCE_DATE_EPOCH"])

    # -- LaTeX ----------------------------------------------------------------

    def tex_jobs(self) -> list[str]:
        jobs = []
        if "pdf" in self.targets:
            jobs.append(self.edition.book_stem)
        if "chapters" in self.targets:
            jobs += [c.tex_name.removesuffix(".tex") for c in self.chapters]
        return jobs

    def latex(self) -> None:
        jobs = self.tex_jobs()
        if not jobs:
            return
        self.sphinx("latex", self.layout.latex_work, self.layout.latex_doctrees)
        compile_all(self.layout.latex_work, jobs, self.env)

    # -- the whole run --------------------------------------------------------

    def checklist(self) -> None:
        """The one-page checklist, A4 and US Letter, from the HTML just built."""
        for paper in PAPERS:
            try:
                checklist_pdf.render(
                    self.layout.html_work, self.layout.work / "checklist" / checklist_pdf_name(paper), paper,
                    title=f"Treatment safety checklist: {self.edition.title}", language=self.edition.language,
                    author=self.edition.author, epoch=int(self.env["SOURCE_DATE_EPOCH"]),
                    baseurl=None if self.edition.has_placeholder_baseurl else self.edition.baseurl,
                )  # fmt: skip
            except checklist_pdf.ChecklistError as error:
                raise BuildError(str(error)) from error

    def print_edition(self) -> None:
        """The WeasyPrint edition (book and chapters) from the HTML just built."""
        try:
            print_edition.build(self.layout.html_work, self.layout.print_work, self.layout.paper,
                                edition=self.edition, epoch=int(self.env["SOURCE_DATE_EPOCH"]), log=log)  # fmt: skip
        except print_edition.PrintError as error:
            raise BuildError(str(error)) from error

    def html_then_print(self) -> None:
        self.html_and_epub()
        if "print" in self.targets:
            self.print_edition()

    def run(self) -> None:
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = [pool.submit(self.html_then_print), pool.submit(self.latex)]
            errors = [f.exception() for f in futures if f.exception() is not None]
        if errors:
            # Both builders meet most mistakes: say each once.
            problems = [p for e in errors for p in (e.problems if isinstance(e, BuildError) else [str(e)])]
            raise BuildError(editor_messages.each_once(problems))
        if "checklist" in self.targets:
            self.checklist()


def zip_timestamp(epoch: int) -> tuple[int, int, int, int, int, int]:
    """SOURCE_DATE_EPOCH as a zip entry's date (zip cannot hold dates before 1980)."""
    return max(tuple(time.gmtime(epoch)[:6]), (1980, 1, 1, 0, 0, 0))  # type: ignore[return-value]


def normalise_zip(path: Path, epoch: str) -> None:
    """Give every entry of a zip (an EPUB) the same time and permissions.

    Sphinx's EPUB builder stores each file's modification time, so two
    builds of one commit would differ. Order and compression are kept: the
    EPUB's ``mimetype`` stays first and uncompressed.
    """
    stamp = zip_timestamp(int(epoch))
    staging = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(staging, "w") as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = info.compress_type
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    staging.replace(path)


# -- compiling ------------------------------------------------------------------


def check_log(log_file: Path, job: str) -> list[str]:
    """Problems xelatex reported that must fail the build."""
    text = log_file.read_text(encoding="utf-8", errors="replace")
    return editor_messages.latex_log_problems(text, job, editor_messages.Book(ROOT))


def compile_one(latex_dir: Path, job: str, env: dict[str, str]) -> list[str]:
    # latexmk decides whether the job must compile: its records (job.fdb_latexmk)
    # hold a checksum of every file xelatex read at the last run. The PDF's
    # date, SOURCE_DATE_EPOCH, is written into each .tex (handbook/ext/settings.py),
    # so a new date is a changed input too.
    command = ["latexmk", "-pdfxe", "-interaction=nonstopmode", "-halt-on-error", "-file-line-error", f"{job}.tex"]
    result = subprocess.run(command, cwd=latex_dir, env=env, capture_output=True, text=True)
    log_file = latex_dir / f"{job}.log"
    if result.returncode != 0:
        errors = [line for line in result.stdout.splitlines() if line.startswith("./") or line.startswith("!")]
        # One problem, its lines indented under it, so it stays together when sorted.
        return ["\n  ".join([f"xelatex failed on {job}.tex:", *(errors[:10] or result.stdout.splitlines()[-15:])])]
    return check_log(log_file, job)


def pdf_written(latex_dir: Path, job: str) -> int | None:
    pdf = latex_dir / f"{job}.pdf"
    return pdf.stat().st_mtime_ns if pdf.exists() else None


def compile_all(latex_dir: Path, jobs: list[str], env: dict[str, str]) -> None:
    """Let latexmk compile the jobs whose inputs changed, in parallel; raise on problems."""
    before = {job: pdf_written(latex_dir, job) for job in jobs}
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = dict(zip(jobs, pool.map(lambda job: compile_one(latex_dir, job, env), jobs)))
    problems = [line for job in jobs for line in results[job]]
    if problems:
        raise BuildError(editor_messages.each_once(problems))
    compiled = [job for job in jobs if pdf_written(latex_dir, job) != before[job]]
    if not compiled:
        log("latex: every PDF is up to date")
        return
    log(f"latex: compiled {len(compiled)} PDF(s) in {time.monotonic() - started:.1f}s: {', '.join(compiled)}")


# -- publishing -----------------------------------------------------------------


def hard_link(src: str, dst: str) -> str:
    """Link ``dst`` to ``src``; copy where the file system has no hard links."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
    return dst


def replace_dir(source: Path, target: Path, keep: tuple[str, ...] = ()) -> None:
    """Publish a copy of ``source`` at ``target`` in one rename.

    A file unchanged since the last publish becomes a hard link to the
    published one instead of a copy: published files are never written in
    place (they are replaced by rename), so the old and new trees can share
    them. Folders named in ``keep`` are carried over from the old tree.
    """
    staging = target.with_name(f".{target.name}.new")
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)

    def link_or_copy(src: str, dst: str) -> str:
        published = target / Path(src).relative_to(source)
        if published.is_file() and filecmp.cmp(src, published, shallow=False):
            return hard_link(str(published), dst)
        return shutil.copy2(src, dst)

    # .buildinfo.bak: Sphinx's note of an older configuration, not part of the site.
    shutil.copytree(source, staging, ignore=shutil.ignore_patterns(".buildinfo.bak"), copy_function=link_or_copy)
    for folder in keep:
        if (target / folder).is_dir() and not (staging / folder).exists():
            shutil.copytree(target / folder, staging / folder, copy_function=hard_link)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def copy_if_changed(source: Path, target: Path) -> None:
    if target.exists() and target.read_bytes() == source.read_bytes():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    shutil.copyfile(source, tmp)
    tmp.replace(target)


def publish(build: Build) -> None:
    layout, stem = build.layout, build.edition.book_stem
    if "pdf" in build.targets:
        copy_if_changed(layout.latex_work / f"{stem}.pdf", layout.pdf / f"{stem}.pdf")
    if "chapters" in build.targets:
        for chapter in build.chapters:
            copy_if_changed(layout.latex_work / chapter.pdf_name, layout.pdf / "chapters" / chapter.pdf_name)
        remove_all_but(layout.pdf / "chapters", {chapter.pdf_name for chapter in build.chapters})
    if "checklist" in build.targets:
        a4 = Layout(layout.build_dir, "a4")
        for paper in PAPERS:
            copy_if_changed(layout.work / "checklist" / checklist_pdf_name(paper), a4.pdf / checklist_pdf_name(paper))
    if "epub" in build.targets:
        copy_if_changed(layout.epub_work / f"{stem}.epub", layout.epub / f"{stem}.epub")
    if "print" in build.targets:
        copy_if_changed(layout.print_work / f"{stem}.pdf", layout.print / f"{stem}.pdf")
        for chapter in build.chapters:
            copy_if_changed(layout.print_work / "chapters" / chapter.pdf_name, layout.print / "chapters" / chapter.pdf_name)
        remove_all_but(layout.print / "chapters", {chapter.pdf_name for chapter in build.chapters})
    if "html" in build.targets:
        replace_dir(layout.html_work, layout.html, keep=("downloads",))
    if layout.html.exists():
        copy_downloads_into_site(build)


def download_files(build_dir: Path) -> dict[str, Path]:
    """The site's downloads/ folder: path in it -> the built file it holds (which may not exist yet).

    The A4 PDFs and the EPUB. The book and chapter PDFs are the tagged print
    edition's; where it has not been built (``build.py html pdf``), the
    xelatex edition's. The preview (handbook/serve.py) serves the same files.
    """
    a4 = Layout(build_dir, "a4")
    stem = load_edition().book_stem
    edition = a4.print if (a4.print / f"{stem}.pdf").is_file() else a4.pdf
    wanted = {f"{stem}.pdf": edition / f"{stem}.pdf", f"{stem}.epub": a4.epub / f"{stem}.epub"}
    wanted |= {checklist_pdf_name(paper): a4.pdf / checklist_pdf_name(paper) for paper in PAPERS}
    wanted |= {f"chapters/{c.pdf_name}": edition / "chapters" / c.pdf_name for c in load_chapters()}
    return wanted


def copy_downloads_into_site(build: Build) -> None:
    """Copy the built downloads into the site's downloads/ folder (download_files)."""
    downloads = build.layout.html / "downloads"
    wanted = download_files(build.layout.build_dir)
    for name, source in wanted.items():
        if source.exists():
            copy_if_changed(source, downloads / name)
    remove_all_but(downloads / "chapters", {Path(name).name for name in wanted if name.startswith("chapters/")})


def remove_all_but(folder: Path, names: set[str]) -> None:
    """Delete the files in ``folder`` not named in ``names`` (a removed or renumbered chapter's PDF)."""
    if folder.is_dir():
        for path in folder.iterdir():
            if path.is_file() and path.name not in names:
                path.unlink()


# -- command line ---------------------------------------------------------------


def load_stamps(layout: Layout) -> dict[str, str]:
    return json.loads(layout.stamps.read_text()) if layout.stamps.exists() else {}


def outputs_present(build: Build, target: str) -> bool:
    layout, stem = build.layout, build.edition.book_stem
    expected = {
        "html": [layout.html / "index.html"],
        "epub": [layout.epub / f"{stem}.epub"],
        "pdf": [layout.pdf / f"{stem}.pdf"],
        "chapters": [layout.pdf / "chapters" / c.pdf_name for c in build.chapters],
        "checklist": [Layout(layout.build_dir, "a4").pdf / checklist_pdf_name(paper) for paper in PAPERS],
        "print": [layout.print / f"{stem}.pdf", *(layout.print / "chapters" / c.pdf_name for c in build.chapters)],
    }[target]
    return all(p.exists() for p in expected)


def failed(reason: str) -> int:
    print(f"\n{reason}", file=sys.stderr)
    print("[build] FAILED: the last good outputs in _build/ are unchanged.", file=sys.stderr)
    return 1


def failed_on(problems: list[str]) -> int:
    """Fail with the editor's list: each problem once, then how many."""
    return failed("\n".join(problems) + f"\n\n[build] {editor_messages.how_many(problems)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", default=["all"], choices=[*TARGETS, "all"], metavar="TARGET",
                        help="html, pdf, chapters (the xelatex edition), epub, checklist, print (the tagged "
                             "edition) or all (default)")  # fmt: skip
    parser.add_argument("--paper", help="a4 or letter (default: PAPER, else a4)")
    parser.add_argument("--build-dir", type=Path, default=ROOT / "_build")
    parser.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    args = parser.parse_args(argv)
    try:
        settings = handbook_settings.from_environment(paper=args.paper)
    except SettingsError as error:
        print(f"build: {error}", file=sys.stderr)
        return 2
    targets = set(ALL_TARGETS) | set(args.targets) - {"all"} if "all" in args.targets else set(args.targets)
    return build_targets(targets, settings, args.build_dir, force=args.force)


def build_targets(targets: set[str], settings: Settings, build_dir: Path, *, force: bool = False) -> int:
    """Build ``targets`` (and what they need) with ``settings``; the exit status of ``main``."""
    targets = targets | {NEEDS[t] for t in targets if t in NEEDS}
    layout = Layout(build_dir.resolve(), settings.paper)
    layout.work.mkdir(parents=True, exist_ok=True)
    try:
        load_edition(baseurl=settings.baseurl)
    except SettingsError as error:
        return failed(str(error))
    problems = preflight.problems(ROOT)
    if problems:
        return failed_on(problems)
    try:
        load_chapters()
    except ChapterOrderError as error:
        return failed_on([str(error)])
    if draw_approval_timeline.main([]) != 0 or draw_monitoring_figure.main([]) != 0:
        return failed("the drug data file has problems (above)")

    started = time.monotonic()
    stamps = load_stamps(layout)
    prints = {t: fingerprint(t, settings) for t in targets}
    probe = Build(layout, targets, settings)
    stale = {t for t in targets if force or stamps.get(f"{t}-{settings.paper}") != prints[t] or not outputs_present(probe, t)}
    if not stale:
        log(f"up to date: {', '.join(sorted(targets))} ({time.monotonic() - started:.2f}s)")
        return 0

    stale |= {NEEDS[t] for t in stale if t in NEEDS}
    build = Build(layout, stale, settings)
    try:
        build.run()
    except BuildError as error:
        return failed_on(error.problems)
    publish(build)
    stamps.update({f"{t}-{settings.paper}": prints[t] for t in stale})
    layout.stamps.write_text(json.dumps(stamps, indent=1, sort_keys=True))
    log(f"built {', '.join(sorted(stale))} in {time.monotonic() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

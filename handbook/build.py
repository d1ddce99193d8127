#!/usr/bin/env python3
"""Build the handbook: HTML book, book PDF, chapter PDFs and EPUB.

    build.py [html|pdf|chapters|epub|checklist|print|all ...] [--paper a4|letter] [--build-dir DIR]

``print`` is the WeasyPrint edition of issue 12 (tagged PDF/UA-1, book and
chapters, ``<build>/print/``, ``print-letter/`` for US Letter), built beside
the xelatex PDFs and not yet part of ``all``.

How it spends time only on what changed:

* Sphinx works in ``<build>/.work/`` (its caches and the LaTeX folder). The
  HTML+EPUB run and the LaTeX run go side by side, one per core.
* Every ``.tex`` file remembers the hash of its inputs at its last good
  compile; only those whose inputs changed are compiled again, two at a
  time. Editing chapter 5 recompiles chapter 5's PDF and the book.
* When no source changed since the last good build of a target and its
  outputs are in place, that target does nothing at all.
* Sphinx re-reads only the pages that changed. It does not notice a change
  to an extension in ``handbook/ext/`` or to the pinned packages; after one, that
  builder starts from a fresh environment once.
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

Exit status: 0 built (or already up to date), 1 build failed, 2 bad usage.
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
from functools import cached_property
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from handbook import checklist_pdf
from handbook import draw_approval_timeline
from handbook import draw_monitoring_figure
from handbook import editor_messages
from handbook import preflight
from handbook import print_edition
from handbook.meta import BOOK_DIR, ChapterOrderError, checklist_pdf_name, load_chapters, load_edition, navigation_fingerprint

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
PAPERS = ("a4", "letter")
# Everything that can change an output.
SOURCE_DIRS = ("book", "handbook", "_static", "_templates", "_print")
SOURCE_FILES = ("conf.py", "requirements/build.txt", "pyproject.toml")
ENV_INPUTS = ("HANDBOOK_BASEURL", "SOURCE_DATE_EPOCH")
# --no-color: the output is read by editor_messages, not by a terminal (CI
# machines that set FORCE_COLOR would otherwise get escape codes).
SPHINX_FLAGS = ["-n", "-W", "--keep-going", "-q", "-T", "--no-color"]
# Code Sphinx does not watch: it re-reads a page when the page, conf.py or a
# template changed, not when an extension or a package did. When this code
# changed since a builder's last good run, that run starts from a fresh
# environment (-E), so no page keeps what the old code made of it.
EXTENSION_CODE = ("requirements/build.txt", "handbook/meta.py", "handbook/drug_facts.py"), ("handbook/ext",)
CODE_STAMP = "handbook-code-{builder}.sha256"  # in Sphinx's doctree folder
# The book's structure (pages, titles, tables of contents; see
# handbook_meta.navigation_fingerprint) at a builder's last good run. When it
# changed, that builder's output folder is emptied and every page read and
# written again: no page keeps an old sidebar, and no removed page survives.
STRUCTURE_STAMP = "handbook-structure-{builder}.sha256"  # in Sphinx's doctree folder
STAMP_FILE = "compiled.json"  # in the LaTeX folder: input hash of each good PDF


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


def build_env(paper: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PAPER"] = paper
    env["SOURCE_DATE_EPOCH"] = source_date_epoch()
    env["FORCE_SOURCE_DATE"] = "1"  # TeX: dates in the PDF from SOURCE_DATE_EPOCH
    # TeX wraps its log at 79 columns, which split "Missing character" lines
    # in two so that the log check missed them; a wide limit keeps each
    # message on one line (editor_messages also un-wraps, to be sure).
    env["max_print_line"] = "100000"
    env.setdefault("TZ", "UTC")
    return env


def fingerprint(extra: str) -> str:
    """A hash of every input that can change an output."""
    environment = "".join(f"\n{name}={os.environ.get(name, '')}" for name in ENV_INPUTS)
    return files_hash(SOURCE_FILES, SOURCE_DIRS, extra + environment)


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
    env: dict[str, str] = field(init=False)  # the environment every tool runs in

    def __post_init__(self) -> None:
        self.env = build_env(self.layout.paper)
        self.edition = load_edition()
        self.chapters = load_chapters()

    @cached_property
    def extension_code(self) -> str:
        """Hash of EXTENSION_CODE, read once per build for all Sphinx runs."""
        return files_hash(*EXTENSION_CODE)

    # -- Sphinx ---------------------------------------------------------------

    @cached_property
    def structure(self) -> str:
        return navigation_fingerprint()

    def sphinx(self, builder: str, outdir: Path, doctrees: Path) -> None:
        code_stamp = doctrees / CODE_STAMP.format(builder=builder)
        structure_stamp = doctrees / STRUCTURE_STAMP.format(builder=builder)
        previous_code = code_stamp.read_text() if code_stamp.is_file() else None
        previous_structure = structure_stamp.read_text() if structure_stamp.is_file() else None
        reasons = []
        if previous_code not in (None, self.extension_code):
            reasons.append("extension code changed")
        if previous_structure != self.structure:
            if previous_structure is not None:
                reasons.append("the book's pages or chapter list changed")
            shutil.rmtree(outdir, ignore_errors=True)
        fresh = ["-E"] if reasons or previous_code is None or previous_structure is None else []
        command = [sys.executable, "-m", "handbook.run_sphinx", "-b", builder, "-c", str(ROOT), "-d", str(doctrees),
                   *SPHINX_FLAGS, *fresh, str(BOOK_DIR), str(outdir)]  # fmt: skip
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
        code_stamp.write_text(self.extension_code)
        structure_stamp.write_text(self.structure)
        changed = f" ({' and '.join(reasons)}: every page read again)" if reasons else ""
        log(f"sphinx {builder}: {time.monotonic() - started:.1f}s{changed}")

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
                                epoch=int(self.env["SOURCE_DATE_EPOCH"]), log=log)  # fmt: skip
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


def latex_inputs_hash(latex_dir: Path, job: str, jobs: set[str], epoch: str) -> str:
    """Hash of a job's .tex and of every shared input in the LaTeX folder.

    Files named after a job (``05-risks.tex``, ``05-risks.aux``, ...) are
    that job's own source or outputs; everything else (styles, the preamble,
    converted figures) is shared input. The PDF's dates come from
    SOURCE_DATE_EPOCH (the last commit), so that is an input too.
    """
    digest = hashlib.sha256(epoch.encode())
    digest.update((latex_dir / f"{job}.tex").read_bytes())
    for path in sorted(latex_dir.iterdir()):
        if path.is_file() and path.stem not in jobs and path.name != STAMP_FILE:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def check_log(log_file: Path, job: str) -> list[str]:
    """Problems xelatex reported that must fail the build."""
    text = log_file.read_text(encoding="utf-8", errors="replace")
    return editor_messages.latex_log_problems(text, job, editor_messages.Book(ROOT))


def compile_one(latex_dir: Path, job: str, env: dict[str, str]) -> list[str]:
    # -g: build.py has decided this job must compile (its input hash changed);
    # latexmk alone would skip a .tex it thinks is current and keep old dates.
    command = ["latexmk", "-g", "-pdfxe", "-interaction=nonstopmode", "-halt-on-error", "-file-line-error", f"{job}.tex"]
    result = subprocess.run(command, cwd=latex_dir, env=env, capture_output=True, text=True)
    log_file = latex_dir / f"{job}.log"
    if result.returncode != 0:
        errors = [line for line in result.stdout.splitlines() if line.startswith("./") or line.startswith("!")]
        # One problem, its lines indented under it, so it stays together when sorted.
        return ["\n  ".join([f"xelatex failed on {job}.tex:", *(errors[:10] or result.stdout.splitlines()[-15:])])]
    return check_log(log_file, job)


def compile_all(latex_dir: Path, jobs: list[str], env: dict[str, str]) -> None:
    """Compile the jobs whose inputs changed, in parallel; raise on problems."""
    stamp_file = latex_dir / STAMP_FILE
    stamps = json.loads(stamp_file.read_text()) if stamp_file.exists() else {}
    all_jobs = {p.stem for p in latex_dir.glob("*.tex") if p.read_text(errors="ignore").startswith("%% Generated by Sphinx")}
    hashes = {job: latex_inputs_hash(latex_dir, job, all_jobs, env["SOURCE_DATE_EPOCH"]) for job in jobs}
    todo = [job for job in jobs if stamps.get(job) != hashes[job] or not (latex_dir / f"{job}.pdf").exists()]
    if not todo:
        log("latex: every PDF is up to date")
        return
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = dict(zip(todo, pool.map(lambda job: compile_one(latex_dir, job, env), todo)))
    problems = [line for job in todo for line in results[job]]
    for job in todo:
        if not results[job]:
            stamps[job] = hashes[job]
        else:
            stamps.pop(job, None)
    stamp_file.write_text(json.dumps(stamps, indent=1, sort_keys=True))
    if problems:
        raise BuildError(editor_messages.each_once(problems))
    log(f"latex: compiled {len(todo)} PDF(s) in {time.monotonic() - started:.1f}s: {', '.join(todo)}")


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
    parser.add_argument("--paper", default=os.environ.get("PAPER") or "a4", choices=PAPERS)
    parser.add_argument("--build-dir", type=Path, default=ROOT / "_build")
    parser.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    args = parser.parse_args(argv)

    targets = set(ALL_TARGETS) | set(args.targets) - {"all"} if "all" in args.targets else set(args.targets)
    targets |= {NEEDS[t] for t in targets if t in NEEDS}
    layout = Layout(args.build_dir.resolve(), args.paper)
    layout.work.mkdir(parents=True, exist_ok=True)
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
    prints = {t: fingerprint(f"{t}:{args.paper if t in ('pdf', 'chapters', 'print') else ''}") for t in targets}
    probe = Build(layout, targets)
    stale = {t for t in targets if args.force or stamps.get(f"{t}-{args.paper}") != prints[t] or not outputs_present(probe, t)}
    if not stale:
        log(f"up to date: {', '.join(sorted(targets))} ({time.monotonic() - started:.2f}s)")
        return 0

    stale |= {NEEDS[t] for t in stale if t in NEEDS}
    build = Build(layout, stale)
    try:
        build.run()
    except BuildError as error:
        return failed_on(error.problems)
    publish(build)
    stamps.update({f"{t}-{args.paper}": prints[t] for t in stale})
    layout.stamps.write_text(json.dumps(stamps, indent=1, sort_keys=True))
    log(f"built {', '.join(sorted(stale))} in {time.monotonic() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

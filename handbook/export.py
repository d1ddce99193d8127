#!/usr/bin/env python3
"""Export one chapter of the handbook, for handing out on its own.

    export.py CHAPTER [--format pdf|epub|html] [--paper a4|letter] [--out DIR]

CHAPTER is the chapter's number (``5``) or slug (``risks``). The chapter
keeps the book's numbering and look; references to other chapters link to
the hosted HTML book. ``checklist`` exports the one-page treatment safety
checklist (PDF, on the paper ``--paper`` names).

* ``pdf``: the chapter's edition of the tagged print edition (PDF/UA,
  the book's page numbers; nothing is rebuilt when nothing changed).
* ``html``: the chapter's page with the site's styles and images, in a
  folder of its own; links to other pages point at the hosted book.
* ``epub``: an EPUB of the chapter alone (Sphinx's EPUB builder, with the
  chapter as its only document and links out to the hosted book).

Exit status: 0 exported, 1 the build failed, 2 unknown chapter or bad usage.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path


from handbook import build as handbook_build
from handbook import editor_messages
from handbook.meta import Chapter, checklist_pdf_name, find_chapter, load_chapters
from handbook.settings import Settings, SettingsError, from_environment

FORMATS = ("pdf", "epub", "html")
# Links inside a page that lead to another page of the site.
SITE_LINK = re.compile(r'(href=")(?!https?:|mailto:|#|_static/|_images/|data:)([^"]+)(")')


def export_pdf(chapter: Chapter, layout: handbook_build.Layout, settings: Settings, out: Path) -> Path:
    # The build's own "print" target, the tagged edition the site offers:
    # nothing runs when nothing changed, and only the chapter editions whose
    # input changed are laid out again (with the book, for its page numbers).
    if handbook_build.build_targets({"print"}, settings, layout.build_dir) != 0:
        raise handbook_build.BuildError("the chapter PDFs could not be built")
    target = out / chapter.pdf_name
    handbook_build.copy_if_changed(layout.print / "chapters" / chapter.pdf_name, target)
    return target


def export_html(chapter: Chapter, layout: handbook_build.Layout, settings: Settings, out: Path) -> Path:
    build = handbook_build.Build(layout, {"html"}, settings)
    build.html_and_epub()
    baseurl = build.edition.baseurl
    folder = out / f"{chapter.stem}-html"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for assets in ("_static", "_images"):
        if (layout.html_work / assets).exists():
            shutil.copytree(layout.html_work / assets, folder / assets)
    page = (layout.html_work / f"{chapter.docname}.html").read_text(encoding="utf-8")
    page = SITE_LINK.sub(lambda m: m.group(1) + baseurl + m.group(2) + m.group(3), page)
    (folder / "index.html").write_text(page, encoding="utf-8")
    return folder


def export_epub(chapter: Chapter, layout: handbook_build.Layout, settings: Settings, out: Path) -> Path:
    build = handbook_build.Build(layout, set(), settings)
    outdir = layout.work / f"epub-{chapter.docname}"
    build.sphinx("epub", outdir, layout.work / f"doctrees-epub-{chapter.docname}", export_chapter=chapter.docname)
    produced = next(outdir.glob("*.epub"))
    handbook_build.normalise_zip(produced, build.env["SOURCE_DATE_EPOCH"])
    target = out / f"{chapter.stem}.epub"
    handbook_build.copy_if_changed(produced, target)
    return target


EXPORTERS = {"pdf": export_pdf, "html": export_html, "epub": export_epub}
CHECKLIST = "checklist"


def export_checklist(layout: handbook_build.Layout, settings: Settings, out: Path) -> Path:
    """The one-page treatment safety checklist, on the layout's paper."""
    # Both papers' checklists are built with the site, whatever the paper.
    if handbook_build.build_targets({"checklist"}, Settings(baseurl=settings.baseurl), layout.build_dir) != 0:
        raise handbook_build.BuildError("the checklist could not be built")
    name = checklist_pdf_name(layout.paper)
    target = out / name
    handbook_build.copy_if_changed(handbook_build.Layout(layout.build_dir, "a4").pdf / name, target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapter", metavar="CHAPTER", help="chapter number or slug (e.g. 5 or risks), or checklist")
    parser.add_argument("--format", default="pdf", choices=FORMATS)
    parser.add_argument("--paper", help="a4 or letter (default: PAPER, else a4)")
    parser.add_argument("--out", type=Path, default=handbook_build.ROOT / "_build" / "export")
    parser.add_argument("--build-dir", type=Path, default=handbook_build.ROOT / "_build")
    args = parser.parse_args(argv)
    try:
        settings = from_environment(paper=args.paper)
    except SettingsError as error:
        print(f"export.py: {error}", file=sys.stderr)
        return 2

    chapters = load_chapters()
    chapter = find_chapter(args.chapter, chapters)
    if chapter is None and args.chapter == CHECKLIST:
        if args.format != "pdf":
            print("export.py: the checklist is exported as a PDF only (--format pdf)", file=sys.stderr)
            return 2
        layout = handbook_build.Layout(args.build_dir.resolve(), settings.paper)
        args.out.mkdir(parents=True, exist_ok=True)
        try:
            target = export_checklist(layout, settings, args.out.resolve())
        except handbook_build.BuildError as error:
            print(f"\n{error}", file=sys.stderr)
            return 1
        print(f"Treatment safety checklist exported: {target}")
        return 0
    if chapter is None:
        names = "\n".join(f"  {c.number}  {c.slug:<16} {c.title}" for c in chapters)
        names += f"\n     {CHECKLIST:<16} Treatment safety checklist (one page)"
        hint = editor_messages.did_you_mean(args.chapter, [*(c.slug for c in chapters), CHECKLIST])
        print(f"export.py: unknown chapter '{args.chapter}'{hint}\nValid chapters (number or slug):\n{names}", file=sys.stderr)
        return 2

    layout = handbook_build.Layout(args.build_dir.resolve(), settings.paper)
    layout.work.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    if handbook_build.draw_approval_timeline.main([]) != 0:
        return 1
    try:
        target = EXPORTERS[args.format](chapter, layout, settings, args.out.resolve())
    except handbook_build.BuildError as error:
        print(f"\n{error}", file=sys.stderr)
        return 1
    print(f"Chapter {chapter.number} ({chapter.title}) exported: {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Pack the built handbook into one offline bundle, with its checksum.

    make_dist.py [--build-dir _build] [--dist-dir dist]

Writes ``dist/autoimmune-therapy-handbook-<edition>.zip`` and
``dist/autoimmune-therapy-handbook-<edition>.zip.sha256`` (``sha256sum``
format: check it with ``cd dist && sha256sum -c *.sha256``). ``make dist``
runs it after ``make all``.

The zip holds one folder named like the zip. In it, the HTML book opens from
``index.html`` with a double click (every link in the site is relative, and
the search page loads its index with a script tag, which works from
``file://``), and ``downloads/`` holds the book PDF, every chapter PDF and
the EPUB, where the site's download links expect them. Files that only mean
something on a web server (the 404 page, the sitemap, robots.txt) stay out.

One change to the site: its search page shows a snippet under each result by
fetching the result's page, and browsers refuse ``fetch()`` from
``file://``. In the bundle the snippets are off (``SHOW_SEARCH_SUMMARY``),
so offline search lists its results without a console error for each one.

The zip is reproducible: entries in sorted order, every timestamp set to
SOURCE_DATE_EPOCH (else the last commit's time, as in the build), fixed
permissions. Two runs over the same build give the same bytes.

Exit status: 0 written, 1 the build outputs are missing (run ``make all``),
2 bad usage.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import textwrap
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from handbook.build import Layout, source_date_epoch, zip_timestamp
from handbook.ext.download_menu import DOWNLOADS_DIR
from handbook.meta import Edition, load_chapters, load_edition
from handbook.settings import SettingsError, from_environment

# Only meaningful on a web server; from file:// they are noise or broken.
HOSTING_ONLY = frozenset({"404.html", "robots.txt", "sitemap.xml"})
SEARCH_OPTIONS = "_static/documentation_options.js"
FILE_MODE = 0o100644
DIR_MODE = 0o040755


def log(message: str) -> None:
    print(f"[dist] {message}", flush=True)


def expected_files(html: Path, edition: Edition) -> list[Path]:
    """What a reader of the bundle must find: the site and every download."""
    stem = edition.book_stem
    downloads = html / DOWNLOADS_DIR
    return [
        html / "index.html",
        html / "search.html",
        html / "searchindex.js",
        downloads / f"{stem}.pdf",
        downloads / f"{stem}.epub",
        *(downloads / "chapters" / chapter.pdf_name for chapter in load_chapters()),
    ]


def site_files(html: Path) -> list[Path]:
    """The HTML folder's files that belong in the bundle, in sorted order."""
    files = []
    for path in html.rglob("*"):
        relative = path.relative_to(html)
        if not path.is_file() or any(part.startswith(".") for part in relative.parts):
            continue  # Sphinx's .buildinfo and other hidden files
        if relative.as_posix() in HOSTING_ONLY:
            continue
        files.append(path)
    return sorted(files, key=lambda p: p.relative_to(html).as_posix())


def offline_search_options(path: Path) -> bytes:
    """documentation_options.js with search snippets off (see the docstring)."""
    text = path.read_text(encoding="utf-8")
    return re.sub(r"(SHOW_SEARCH_SUMMARY:\s*)true", r"\1false", text).encode("utf-8")


def readme(edition: Edition) -> str:
    return (
        f"{edition.title}, edition {edition.edition} ({edition.human_date})\n"
        f"{edition.subtitle}\n\n"
        "Open index.html in a web browser to read the book; nothing needs the\n"
        "internet. The whole book as a PDF and as an EPUB, and one PDF per\n"
        f"chapter, are in the {DOWNLOADS_DIR}/ folder.\n\n"
        f"Online: {edition.baseurl}\n\n"
        f"{textwrap.fill(edition.full_notice, 72)}\n"
    )


def entry(name: str, stamp: tuple[int, int, int, int, int, int], mode: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.create_system = 3  # Unix, so the permission bits below are read
    info.external_attr = mode << 16
    if name.endswith("/"):
        info.external_attr |= 0x10  # MS-DOS directory flag
    else:
        info.compress_type = zipfile.ZIP_DEFLATED
    return info


def write_zip(target: Path, top: str, members: dict[str, bytes | Path], epoch: int) -> None:
    """Write ``members`` (name inside ``top`` -> bytes or file) reproducibly."""
    stamp = zip_timestamp(epoch)
    folders = {f"{top}/"}
    for name in members:
        parts = name.split("/")[:-1]
        folders.update(f"{top}/{'/'.join(parts[: i + 1])}/" for i in range(len(parts)))
    names = sorted(folders | {f"{top}/{name}" for name in members})
    tmp = target.with_name(f".{target.name}.tmp")
    with zipfile.ZipFile(tmp, "w", compresslevel=9) as archive:
        for name in names:
            if name.endswith("/"):
                archive.writestr(entry(name, stamp, DIR_MODE), b"")
                continue
            content = members[name.removeprefix(f"{top}/")]
            data = content.read_bytes() if isinstance(content, Path) else content
            archive.writestr(entry(name, stamp, FILE_MODE), data)
    tmp.replace(target)


def write_checksum(archive: Path) -> Path:
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    checksum = archive.with_name(archive.name + ".sha256")
    checksum.write_text(f"{digest}  {archive.name}\n", encoding="utf-8")
    return checksum


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", type=Path, default=ROOT / "_build",
                        help="where `make all` built (default: _build)")  # fmt: skip
    parser.add_argument("--dist-dir", type=Path, default=ROOT / "dist",
                        help="where to write the bundle (default: dist)")  # fmt: skip
    args = parser.parse_args(argv)
    try:
        # The README names the address the site was built for (HANDBOOK_BASEURL, as for `make all`).
        edition = load_edition(baseurl=from_environment().baseurl)
    except SettingsError as error:
        print(f"[dist] {error}", file=sys.stderr)
        return 2
    html = Layout(args.build_dir.resolve(), "a4").html
    missing = [p for p in expected_files(html, edition) if not p.is_file()]
    if missing:
        print(f"[dist] the build is incomplete: {len(missing)} file(s) missing, {missing[0]} first.", file=sys.stderr)
        print("[dist] build everything first: make all", file=sys.stderr)
        return 1

    name = edition.book_stem  # autoimmune-therapy-handbook-<edition>
    members: dict[str, bytes | Path] = {p.relative_to(html).as_posix(): p for p in site_files(html)}
    members["README.txt"] = readme(edition).encode("utf-8")
    options = html / SEARCH_OPTIONS
    if options.is_file():
        members[SEARCH_OPTIONS] = offline_search_options(options)
    args.dist_dir.mkdir(parents=True, exist_ok=True)
    archive = args.dist_dir / f"{name}.zip"
    write_zip(archive, name, members, int(source_date_epoch()))
    checksum = write_checksum(archive)
    size = archive.stat().st_size / 1_000_000
    log(f"wrote {archive} ({len(members)} files, {size:.1f} MB) and {checksum.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

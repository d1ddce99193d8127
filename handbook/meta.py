"""The handbook's facts about itself: edition, chapters and build layout.

conf.py, the scripts and the tests all import this module, so the chapter
list and the edition are stated once.

Chapter order has one source: the numbered table of contents (the
``toctree`` with ``:numbered:``) in ``book/index.md``. Chapter files are named
by their slug (``book/risks.md``) and carry no number, so inserting or
moving a chapter changes one line there and no file name or URL. The
chapter's number (for "Chapter 5", ``05-risks.pdf``) is its place in that
list.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from handbook.settings import baseurl_setting

ROOT = Path(__file__).resolve().parent.parent
BOOK_DIR = ROOT / "book"
DATA_DIR = BOOK_DIR / "_data"
EDITION_FILE = DATA_DIR / "edition.yaml"
DRUGS_FILE = DATA_DIR / "drugs.yaml"
BIB_FILE = BOOK_DIR / "references.bib"

INDEX_FILE = BOOK_DIR / "index.md"
# The base URL edition.yaml ships with until the book has a real host.
PLACEHOLDER_HOSTS = ("autoimmune-handbook.example.org",)
REDIRECTS_FILE = DATA_DIR / "redirects.yaml"

# A MyST toctree: ```{toctree} or :::{toctree}, options, then one entry a line.
_TOCTREE = re.compile(r"^(?P<fence>```+|:::+)\{toctree\}[^\n]*\n(?P<body>.*?)^(?P=fence)\s*$", re.MULTILINE | re.DOTALL)
_NUMBERED_FILE = re.compile(r"^\d+[-_]")
_HEADING = re.compile(r"^#\s+(?P<title>.+?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Chapter:
    """One numbered chapter of the book."""

    number: int
    slug: str
    docname: str
    title: str

    @property
    def stem(self) -> str:
        """The name of the chapter's own files (``05-risks.pdf``): number and slug."""
        return f"{self.number:02d}-{self.slug}"

    @property
    def pdf_name(self) -> str:
        return f"{self.stem}.pdf"

    @property
    def tex_name(self) -> str:
        return f"{self.stem}.tex"


@dataclass(frozen=True)
class Edition:
    title: str
    subtitle: str
    author: str
    edition: str
    date: str
    language: str
    subject: str
    keywords: tuple[str, ...]
    baseurl: str
    notice: str  # the notice every page and edition carries
    notice_advice: str

    @property
    def full_notice(self) -> str:
        """The notice and its advice as one sentence."""
        return f"{self.notice}: {self.notice_advice}."

    @property
    def human_date(self) -> str:
        """The edition date as readers write it: 26 November 2026."""
        date = dt.date.fromisoformat(self.date)
        return f"{date.day} {date.strftime('%B %Y')}"

    @property
    def has_placeholder_baseurl(self) -> bool:
        """True while the book has no real host: edition.yaml's example.org address.

        An address on it sends a reader nowhere, so print editions never show it.
        """
        return urlsplit(self.baseurl).hostname in PLACEHOLDER_HOSTS

    @property
    def book_stem(self) -> str:
        return f"autoimmune-therapy-handbook-{self.edition}"


def display(path: Path) -> str:
    """A path as an editor reads it: relative to the checkout when inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def checklist_pdf_name(paper: str) -> str:
    """The one-page treatment safety checklist's PDF, per paper size (``a4``, ``letter``)."""
    return f"treatment-safety-checklist-{paper}.pdf"


def load_edition(path: Path = EDITION_FILE, baseurl: str | None = None) -> Edition:
    """The edition as edition.yaml states it; ``baseurl`` (a build's setting) replaces its address.

    The base URL always ends in "/" (``handbook.settings.baseurl_setting``).
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if baseurl is None:
        baseurl = baseurl_setting(str(data["baseurl"]), f"{display(path)}: baseurl")
    return Edition(
        title=data["title"],
        subtitle=data["subtitle"],
        author=data["author"],
        edition=str(data["edition"]),
        date=str(data["date"]),
        language=data["language"],
        subject=data["subject"],
        keywords=tuple(data["keywords"]),
        baseurl=baseurl,
        notice=data["notice"],
        notice_advice=data["notice_advice"],
    )


def _title_of(path: Path) -> str:
    # Lenient on purpose: a file that is not valid UTF-8 is reported by
    # Sphinx with its file and line; crashing here would hide that.
    match = _HEADING.search(path.read_text(encoding="utf-8", errors="replace"))
    return match.group("title") if match else path.stem


class ChapterOrderError(Exception):
    """The chapter list in book/index.md and the book's files disagree."""


@dataclass(frozen=True)
class TocEntry:
    docname: str
    line: int  # 1-based line in book/index.md


def numbered_toc_entries(index_file: Path = INDEX_FILE) -> list[TocEntry]:
    """The entries of the numbered toctree in ``index_file``, in order."""
    text = index_file.read_text(encoding="utf-8", errors="replace")
    for block in _TOCTREE.finditer(text):
        body = block["body"]
        if not re.search(r"^:numbered:", body, re.MULTILINE):
            continue
        first_line = text.count("\n", 0, block.start("body")) + 1
        entries = []
        for offset, line in enumerate(body.splitlines()):
            entry = line.strip()
            if entry and not entry.startswith(":"):
                entries.append(TocEntry(entry.removesuffix(".md"), first_line + offset))
        return entries
    return []


def load_chapters(book_dir: Path = BOOK_DIR) -> list[Chapter]:
    """The numbered chapters, in the order of the numbered toctree.

    Raises ChapterOrderError, naming both places, when an entry has no file
    or a chapter file still carries a number in its name (which would be a
    second, disagreeing statement of the order).
    """
    index_file = book_dir / "index.md"
    for path in sorted(book_dir.glob("*.md")):
        if _NUMBERED_FILE.match(path.name):
            raise ChapterOrderError(
                f"{path.relative_to(book_dir.parent)}: page files are named without a number; the chapter "
                f"order is set only by the chapter list in {index_file.relative_to(book_dir.parent)}. Rename "
                f"the file to its slug (and add the old name to {REDIRECTS_FILE.relative_to(ROOT)} so its "
                "old address keeps working)."
            )
    chapters = []
    for number, entry in enumerate(numbered_toc_entries(index_file), start=1):
        path = book_dir / f"{entry.docname}.md"
        where = f"{index_file.relative_to(book_dir.parent)}:{entry.line}"
        if not path.is_file():
            raise ChapterOrderError(f"{where}: the chapter list names '{entry.docname}', but there is no {path.relative_to(book_dir.parent)}")
        chapters.append(Chapter(number=number, slug=entry.docname, docname=entry.docname, title=_title_of(path)))
    return chapters


def navigation_fingerprint(book_dir: Path = BOOK_DIR) -> str:
    """A hash of what every page's navigation shows: the pages, their titles, the tables of contents.

    Sphinx rewrites the pages that changed and the pages whose table of
    contents lists them, but not the sidebar of every other page; and it
    never deletes the output of a page that is gone. When this changes (a
    chapter added, removed, renamed, reordered or retitled), the build starts
    that builder afresh, so an incremental build equals a clean one.
    """
    digest = hashlib.sha256()
    for path in sorted(book_dir.rglob("*.md")):
        if "_data" in path.parts or path.name == "README.md":
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        title = _HEADING.search(text)
        digest.update(str(path.relative_to(book_dir)).encode() + b"\0")
        digest.update((title.group("title") if title else "").encode() + b"\0")
        for block in _TOCTREE.finditer(text):
            digest.update(block.group(0).encode() + b"\0")
    return digest.hexdigest()


def load_redirects(path: Path = REDIRECTS_FILE) -> dict[str, str]:
    """Old page name -> new page, for pages that moved (``sphinx-reredirects``)."""
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(old): str(new) for old, new in data.items()}


def find_chapter(name: str, chapters: list[Chapter]) -> Chapter | None:
    """Look a chapter up by number ("5", "05"), slug ("risks") or docname."""
    for chapter in chapters:
        if name.isdigit() and int(name) == chapter.number:
            return chapter
        if name in (chapter.slug, chapter.docname):
            return chapter
    return None

"""The handbook's facts about itself: edition, chapters and build layout.

conf.py, the scripts and the tests all import this module, so the chapter
list and the edition are stated once. Chapters are the numbered files
``book/NN-slug.md`` (01 to 99); ``00-`` is the unnumbered opening and the
highest-numbered ``-in-summary`` file is the unnumbered close.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BOOK_DIR = ROOT / "book"
DATA_DIR = BOOK_DIR / "_data"
EDITION_FILE = DATA_DIR / "edition.yaml"
DRUGS_FILE = DATA_DIR / "drugs.yaml"
BIB_FILE = BOOK_DIR / "references.bib"

_CHAPTER_FILE = re.compile(r"^(?P<number>\d\d)-(?P<slug>[a-z0-9-]+)\.md$")
_HEADING = re.compile(r"^#\s+(?P<title>.+?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Chapter:
    """One numbered chapter of the book."""

    number: int
    slug: str
    docname: str
    title: str

    @property
    def pdf_name(self) -> str:
        return f"{self.number:02d}-{self.slug}.pdf"

    @property
    def tex_name(self) -> str:
        return f"{self.number:02d}-{self.slug}.tex"


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

    @property
    def human_date(self) -> str:
        """The edition date as readers write it: 26 November 2026."""
        date = dt.date.fromisoformat(self.date)
        return f"{date.day} {date.strftime('%B %Y')}"

    @property
    def book_stem(self) -> str:
        return f"autoimmune-therapy-handbook-{self.edition}"


def load_edition(path: Path = EDITION_FILE) -> Edition:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    baseurl = os.environ.get("HANDBOOK_BASEURL") or data["baseurl"]
    if not baseurl.endswith("/"):
        baseurl += "/"
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
    )


def _title_of(path: Path) -> str:
    # Lenient on purpose: a file that is not valid UTF-8 is reported by
    # Sphinx with its file and line; crashing here would hide that.
    match = _HEADING.search(path.read_text(encoding="utf-8", errors="replace"))
    return match.group("title") if match else path.stem


def load_chapters(book_dir: Path = BOOK_DIR) -> list[Chapter]:
    """The numbered chapters (01..99), in book order."""
    chapters = []
    for path in sorted(book_dir.glob("[0-9][0-9]-*.md")):
        match = _CHAPTER_FILE.match(path.name)
        if not match or match["number"] == "00" or match["slug"] == "in-summary":
            continue
        chapters.append(
            Chapter(
                number=int(match["number"]),
                slug=match["slug"],
                docname=path.stem,
                title=_title_of(path),
            )
        )
    return chapters


def find_chapter(name: str, chapters: list[Chapter]) -> Chapter | None:
    """Look a chapter up by number ("5", "05"), slug ("risks") or docname."""
    for chapter in chapters:
        if name.isdigit() and int(name) == chapter.number:
            return chapter
        if name in (chapter.slug, chapter.docname):
            return chapter
    return None

#!/usr/bin/env python3
"""Start a new chapter: a skeleton file and its line in the chapter list.

    new_chapter.py SLUG "Title" [--after SLUG | --before SLUG]

Writes ``book/SLUG.md`` (front matter with today's review date, the
``(ch-SLUG)=`` label, the title, a Key points box and the References
section) and adds ``SLUG`` to the numbered chapter list in ``book/index.md``:
at the end, or after or before the chapter named. Those are the only two
files a new chapter needs; its number, its PDF, its download link and its
export all follow from the chapter list.

Exit status: 0 created, 1 the file exists, 2 bad usage (unknown slug to
place it by, or a slug that is not lowercase words joined by hyphens).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOOK_DIR = ROOT / "book"
INDEX_FILE = BOOK_DIR / "index.md"
SLUG = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
# The numbered toctree's entries: after ":numbered:" and the other options,
# up to the closing fence.
NUMBERED_TOCTREE = re.compile(r"(?P<head>^```+\{toctree\}\n(?::[^\n]*\n)*?:numbered:[^\n]*\n(?::[^\n]*\n)*\n?)(?P<body>.*?)(?P<end>^```+\s*$)", re.MULTILINE | re.DOTALL)

SKELETON = """---
last_reviewed: {today}
---

({label})=
# {title}

:::{{admonition}} Key points
:class: key-points
- One short sentence for each thing a reader should take away.
:::

Open with two or three plain sentences: who this chapter is for and what it covers.

(sec-{slug}-first-topic)=
## First topic

Write here. Cite each fact with a checked source: `{{cite:p}}` and its key from book/references.bib.

## References

```{{bibliography}}
:filter: docname in docnames
```
"""


def insert_entry(index_text: str, slug: str, after: str | None, before: str | None) -> str:
    match = NUMBERED_TOCTREE.search(index_text)
    if not match:
        raise ValueError("book/index.md has no numbered chapter list (a toctree with :numbered:)")
    entries = [line.strip() for line in match["body"].splitlines() if line.strip()]
    anchor = after or before
    if anchor is not None and anchor not in entries:
        raise ValueError(f"no chapter '{anchor}' in the chapter list; chapters: {', '.join(entries)}")
    position = len(entries) if anchor is None else entries.index(anchor) + (1 if after else 0)
    entries.insert(position, slug)
    body = "".join(f"{entry}\n" for entry in entries)
    return index_text[: match.start("body")] + body + index_text[match.start("end") :]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("slug", help="the file name without .md, e.g. care-team")
    parser.add_argument("title", help='the chapter title, e.g. "Your care team"')
    place = parser.add_mutually_exclusive_group()
    place.add_argument("--after", metavar="SLUG", help="put it after this chapter")
    place.add_argument("--before", metavar="SLUG", help="put it before this chapter")
    args = parser.parse_args(argv)

    if not SLUG.match(args.slug):
        print(f"new_chapter.py: '{args.slug}' is not a slug: use lowercase words joined by hyphens", file=sys.stderr)
        return 2
    path = BOOK_DIR / f"{args.slug}.md"
    if path.exists():
        print(f"new_chapter.py: {path.relative_to(ROOT)} exists already", file=sys.stderr)
        return 1
    try:
        index_text = insert_entry(INDEX_FILE.read_text(encoding="utf-8"), args.slug, args.after, args.before)
    except ValueError as error:
        print(f"new_chapter.py: {error}", file=sys.stderr)
        return 2
    path.write_text(
        SKELETON.format(today=dt.date.today().isoformat(), label=f"ch-{args.slug}", title=args.title, slug=args.slug),
        encoding="utf-8",
    )
    INDEX_FILE.write_text(index_text, encoding="utf-8")
    print(f"Created {path.relative_to(ROOT)} and added it to the chapter list in {INDEX_FILE.relative_to(ROOT)}.")
    print("Run `make all` to build it: its number, PDF and download link follow from its place in the list.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

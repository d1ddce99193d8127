"""A pybtex style for the handbook's reference lists.

The shared bibliography's ``note`` fields record how each entry was checked
(for editors). Readers see only what matters to them: entries marked
"PARTIALLY VERIFIED" keep that caveat, in one short sentence; the other
notes are left out. The text cites by author and year; in the lists each
source is numbered by its place in the full bibliography, so a source has
the same number in every chapter's list and on the references page.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pybtex.plugin
from pybtex.database import Entry
from pybtex.plugin import register_plugin
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting import BaseSortingStyle
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from handbook_meta import BIB_FILE
from drug_facts import BIB_KEY

PARTIAL_CAVEAT = "Partially verified: some details were confirmed only in secondary copies"


def reader_note(note: str) -> str | None:
    """The note a reader sees for an entry, or None."""
    return PARTIAL_CAVEAT if note.strip().upper().startswith("PARTIALLY VERIFIED") else None


# Formatted entries of this run, by (style, name style, abbreviation, key,
# label). The
# bibliography does not change during a build.
_FORMATTED: dict[tuple[Any, ...], Any] = {}


def bibliography_order() -> dict[str, int]:
    """Each key's 1-based position in the bibliography file."""
    return _order(BIB_FILE.stat().st_mtime_ns)


@lru_cache(maxsize=2)
def _order(mtime_ns: int) -> dict[str, int]:
    keys = BIB_KEY.findall(BIB_FILE.read_text(encoding="utf-8"))
    return {key: number for number, key in enumerate(keys, start=1)}


class BookNumberLabels(BaseLabelStyle):
    def format_labels(self, sorted_entries: Any) -> Any:
        order = bibliography_order()
        for entry in sorted_entries:
            yield str(order[entry.key])


class BookOrder(BaseSortingStyle):
    def sorting_key(self, entry: Entry) -> int:
        return bibliography_order()[entry.key]


class HandbookStyle(UnsrtStyle):
    default_label_style = "handbook-book-number"
    default_sorting_style = "handbook-book-order"

    def format_entry(self, label: str, entry: Entry, bib_data: Any = None) -> Any:
        """Format once per run: a source cited in eight chapters is in nine lists."""
        name_style = type(getattr(self.format_name, "__self__", self.format_name))
        key = (type(self), name_style, self.abbreviate_names, entry.key, label)
        if key not in _FORMATTED:
            _FORMATTED[key] = self._format_entry(label, entry, bib_data)
        return _FORMATTED[key]

    def _format_entry(self, label: str, entry: Entry, bib_data: Any = None) -> Any:
        fields = {k: v for k, v in entry.fields.items() if k.lower() != "note"}
        note = reader_note(entry.fields.get("note", ""))
        if note:
            fields["note"] = note
        shown = Entry(entry.type, fields=fields, persons=entry.persons)
        shown.key = entry.key
        return super().format_entry(label, shown, bib_data)


def order_citation_targets(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Make a citation on a page without its own list point at the references page.

    sphinxcontrib-bibtex resolves such a citation to whichever list it saw
    last, and that depends on the order documents were read, so an
    incremental build and a clean one would link differently. Its last
    match wins, so put the references page's list last, and the rest in a
    fixed order.
    """
    domain = env.get_domain("cite")
    domain.citations.sort(
        key=lambda c: (c.bibliography_key.docname == "references", c.bibliography_key.docname, c.citation_id)
    )
    return []


def cache_plugin_lookups() -> None:
    """Look each pybtex plugin up once per run.

    pybtex re-reads every installed package's entry points on each lookup
    (about 6 ms), and sphinxcontrib-bibtex looks plugins up for every
    citation: on this book that was a fifth of an incremental HTML build.
    Plugins are all registered before the first lookup, so caching is safe.
    """
    if not hasattr(pybtex.plugin._load_entry_point, "cache_info"):
        pybtex.plugin._load_entry_point = lru_cache(maxsize=None)(pybtex.plugin._load_entry_point)


def setup(app: Sphinx) -> dict[str, Any]:
    # After sphinxcontrib-bibtex has computed its citations (priority 500).
    app.connect("env-updated", order_citation_targets, priority=900)
    register_plugin("pybtex.style.labels", "handbook-book-number", BookNumberLabels)
    register_plugin("pybtex.style.sorting", "handbook-book-order", BookOrder)
    register_plugin("pybtex.style.formatting", "handbook", HandbookStyle)
    cache_plugin_lookups()
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

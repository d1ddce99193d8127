"""A pybtex style for the handbook's reference lists.

The shared bibliography's ``note`` fields record how each entry was checked
(for editors). Readers see only what matters to them: entries marked
"PARTIALLY VERIFIED" keep that caveat, in one short sentence; the other
notes are left out.

Each entry prints one address, as itself: its DOI as ``https://doi.org/…``
when it has one, else its URL. A link whose text is its address gets no
URL footnote in the LaTeX PDFs (``latex_show_urls = "footnote"``) and no
printed address after it in the print stylesheet, so the address is printed
once, and no footnote mark is glued to it to spoil a copied DOI. No period
follows it, for the same reason.

Numbers: the ``handbook`` style keeps the order sphinxcontrib-bibtex gives
(the order a page first cites its sources, see ``chapter_citations.py``) and
numbers the list 1…n in that order. The ``handbook-a-z`` style, for the
references page, sorts by author (or title) and year.

Two private APIs are relied on, so ``setup()`` refuses other versions than
the ones checked: sphinxcontrib-bibtex's ``domain.citations`` list is sorted
in place (no upstream issue filed; remove when sphinxcontrib-bibtex resolves
a citation without a list on its page independently of reading order), and
pybtex's ``pybtex.plugin._load_entry_point`` is wrapped in a cache (no
upstream issue filed; remove when pybtex caches its entry-point lookups).
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pybtex.plugin
from pybtex.database import Entry
from pybtex.plugin import register_plugin
from pybtex.style import FormattedEntry
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.richtext import Text
from pybtex.style.sorting import BaseSortingStyle
from pybtex.style.template import field, href, join, optional, sentence
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from handbook.ext.upstream import require

PARTIAL_CAVEAT = "Partially verified: some details were confirmed only in secondary copies"


def reader_note(note: str) -> str | None:
    """The note a reader sees for an entry, or None."""
    return PARTIAL_CAVEAT if note.strip().upper().startswith("PARTIALLY VERIFIED") else None


# Formatted entries by (style, name style, abbreviation, key). Kept in
# Sphinx's environment between builds (restore_formatted_entries).
_FORMATTED: dict[tuple[Any, ...], Any] = {}
ENV_ATTRIBUTE = "handbook_formatted_entries"


@lru_cache(maxsize=4096)
def plain(latex: str) -> str:
    """Text without LaTeX markup, folded for sorting: "{\\'E}cole" -> "école".

    Remembered: the references page is sorted again on every rebuild, and
    pybtex's LaTeX parser took a tenth of a second for its 200 names and titles.
    """
    return " ".join(Text.from_latex(latex).render_as("text").split()).casefold()


LATEX_ESCAPE = re.compile(r"\\([%&_#$])")
# Characters a URI may hold as they are (RFC 3986), "%" for escapes already made.
URI_SAFE = ":/?#[]@!$&'()*+,;=%~-._"


def web_address(value: str) -> str:
    r"""An address as a browser and an EPUB reader want it.

    The bibliography escapes LaTeX's special characters in addresses too
    ("September\%202018"), and pybtex reads the raw field with its
    backslashes, which broke the link. A character a URI cannot hold (the
    quotes in an openFDA query) is percent-encoded; epubcheck refuses it raw.
    The link and its printed text stay the same string.
    """
    return quote(LATEX_ESCAPE.sub(r"\1", value), safe=URI_SAFE)


class AuthorYearTitleOrder(BaseSortingStyle):
    """A to Z by first author (a body such as "National Institute of …" counts
    as one name), else by title; then year and title.

    pybtex's own author_year_title sorts a braced body name after every
    person ("{" comes after "z") and an entry without an author first.
    """

    def sorting_key(self, entry: Entry) -> tuple[str, str, str]:
        title = plain(entry.fields.get("title", ""))
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        if people:
            first = people[0]
            name = plain(" ".join(first.prelast_names + first.last_names + first.first_names))
        else:
            name = title
        return name, entry.fields.get("year", ""), title


class HandbookStyle(UnsrtStyle):
    """Numbered 1…n in the order given: the order the page cites its sources."""

    default_label_style = "number"
    default_sorting_style = "none"

    def format_entry(self, label: str, entry: Entry, bib_data: Any = None) -> Any:
        """Format once per run: a source cited in eight chapters is in nine lists.

        Once per source, not per list: pybtex formats an entry's text
        without its label (``Style.format_entry`` gives the template the
        entry, the style and the data, and adds the label after), so each
        list's number is put on the same text.
        """
        name_style = type(getattr(self.format_name, "__self__", self.format_name))
        key = (type(self), name_style, self.abbreviate_names, entry.key)
        if key not in _FORMATTED:
            _FORMATTED[key] = self._format_entry(label, entry, bib_data)
        formatted = _FORMATTED[key]
        return FormattedEntry(formatted.key, formatted.text, label)

    def format_title(self, e: Entry, which_field: str, as_sentence: bool = True) -> Any:
        """The title as the bibliography spells it.

        pybtex's unsrt style prints titles in sentence case, which turned
        "2021 American College of Rheumatology Guideline" into "2021 american
        college of rheumatology guideline" and "17 November 2022" into
        "17 november 2022". The bibliography's titles are copied from their
        sources, capitals and all.
        """
        title = field(which_field)
        return sentence[title] if as_sentence else title

    def format_web_refs(self, e: Entry) -> Any:
        """One address, printed as itself: the DOI if there is one, else the URL.

        pybtex prints "doi:10.1136/…" as the text of a link to
        https://doi.org/10.1136/…; the LaTeX writer then adds that address
        again as a footnote, whose mark sticks to the DOI. The one entry
        with both (an MMWR report) has its DOI resolve to the same page.
        """
        if "doi" in e.fields:
            address = join["https://doi.org/", field("doi", raw=True, apply_func=web_address)]
        else:
            address = field("url", raw=True, apply_func=web_address)
        return optional[href(address)[address]]

    def _format_entry(self, label: str, entry: Entry, bib_data: Any = None) -> Any:
        fields = {k: v for k, v in entry.fields.items() if k.lower() != "note"}
        note = reader_note(entry.fields.get("note", ""))
        if note:
            fields["note"] = note
        shown = Entry(entry.type, fields=fields, persons=entry.persons)
        shown.key = entry.key
        return super().format_entry(label, shown, bib_data)


class HandbookAToZStyle(HandbookStyle):
    """The references page: every source A to Z, numbered in that order."""

    default_sorting_style = "handbook-a-z"


def formatting_inputs(app: Sphinx) -> str:
    """What a formatted entry depends on besides its key and label: the bibliography, this code and pybtex."""
    # handbook_code hashes the package's code and the pinned packages
    # (handbook/ext/settings.py). Sphinx reads every page again when it
    # changes, but keeps what extensions stored in its environment.
    digest = hashlib.sha256(app.config.handbook_code.encode())
    for name in app.config.bibtex_bibfiles:
        digest.update((Path(app.confdir) / name).read_bytes())
    return digest.hexdigest()


def restore_formatted_entries(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """Start from the entries the last build formatted, while the bibliography is the same.

    sphinxcontrib-bibtex formats every reference list again on every build,
    even when only one page changed: a sixth of a one-chapter HTML rebuild.
    The entries are kept in Sphinx's environment with a hash of what they
    were formatted from (``formatting_inputs``), and used only while it is
    the same.
    """
    _FORMATTED.clear()
    kept = getattr(env, ENV_ATTRIBUTE, None)
    if kept is not None and kept[0] == formatting_inputs(app):
        _FORMATTED.update(kept[1])


def keep_formatted_entries(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """After sphinxcontrib-bibtex has formatted its lists, before Sphinx saves its environment."""
    setattr(env, ENV_ATTRIBUTE, (formatting_inputs(app), dict(_FORMATTED)))
    return []


def order_citation_targets(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Make a citation on a page without its own list point at the references page.

    sphinxcontrib-bibtex resolves such a citation to whichever list it saw
    last, and that depends on the order documents were read, so an
    incremental build and a clean one would link differently. Its last
    match wins, so put the references page's list last, and the rest in a
    fixed order.

    The lists are printed in this order too, so within one list the entries
    keep the order the style gave them (by number): the sort is stable and
    looks at the list, not the entry. (Sorting by the entries' ids, "id10"
    before "id9", once printed the references page as 26, 27, 1, 28.)
    """
    domain = env.get_domain("cite")
    domain.citations.sort(key=lambda c: list_order(c.bibliography_key.docname, c.bibliography_key.id_))
    return []


def list_order(docname: str, list_id: str) -> tuple[bool, str, int, str]:
    """References page last, then by page, then by list ("id2" before "id10")."""
    return docname == "references", docname, len(list_id), list_id


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
    require(
        "sphinxcontrib-bibtex", ">=2.6,<2.8", patch="handbook.ext.bibliography_style (domain.citations order)",
        remove_when="sphinxcontrib-bibtex links a citation the same way whatever the reading order "
        "(no upstream issue filed)",
    )  # fmt: skip
    require(
        "pybtex", "==0.26.*", patch="handbook.ext.bibliography_style (pybtex.plugin._load_entry_point cache)",
        remove_when="pybtex caches its plugin lookups (no upstream issue filed)",
    )  # fmt: skip
    # After sphinxcontrib-bibtex has computed its citations (priority 500).
    app.connect("env-updated", order_citation_targets, priority=900)
    app.connect("env-before-read-docs", restore_formatted_entries)
    app.connect("env-updated", keep_formatted_entries, priority=950)
    register_plugin("pybtex.style.sorting", "handbook-a-z", AuthorYearTitleOrder)
    register_plugin("pybtex.style.formatting", "handbook", HandbookStyle)
    register_plugin("pybtex.style.formatting", "handbook-a-z", HandbookAToZStyle)
    cache_plugin_lookups()
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

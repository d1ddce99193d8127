"""Citations numbered per chapter, and a references page that says where each source is cited.

Each chapter (every page with its own ``{bibliography}``) numbers its sources
1…n in the order it first cites them, and its reference list at the end runs
1…n in that order, with no gaps. A source cited in two chapters may have a
different number in each: each chapter stands alone, as its PDF does.

How: sphinxcontrib-bibtex sorts a list's entries by the order of citation in
the whole book (document by document), and the ``handbook`` pybtex style
(``bibliography_style.py``) numbers them in the order it is given. The
domain below puts the list's own page first in that document order, so the
page's own citations, in its own order, come first. A list filtered with
``docname in docnames`` holds only those, so they are numbered 1…n. The text
cites with ``bibtex_reference_style = "label"``, so "[1]" is that number.

The references page (``handbook_sources_page``) lists every source A to Z
(its ``{bibliography}`` uses the ``handbook-a-z`` style) and, under each, the
pages that cite it and its number there: "Cited in Chapter 2 as [3]; Chapter
5 as [1]", each a link to that entry, or "Not cited in the text". Pages
without a list of their own (the drug reference) cite into this page's
list, so their numbers are the A to Z ones. The page is rewritten whenever
those places change, even if only another page was edited.

The domain relies on the order in which sphinxcontrib-bibtex's
``get_sorted_entries`` yields entries (not a documented promise), so
``setup()`` refuses another sphinxcontrib-bibtex version than the ones
checked. No upstream issue filed; remove when sphinxcontrib-bibtex can
number each bibliography 1…n in its own page's order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.nodes import make_refnode
from sphinxcontrib.bibtex.directives import BibliographyKey
from sphinxcontrib.bibtex.domain import BibtexDomain, _FilterVisitor, get_docnames
from sphinxcontrib.bibtex.nodes import raw_latex

from handbook.ext.upstream import require

logger = logging.getLogger(__name__)

#: sphinxcontrib-bibtex releases whose ``get_sorted_entries`` (order of
#: citation: documents in the order given, citations within one document in
#: reading order) this was checked against.
CHECKED_BIBTEX = ">=2.6,<2.8"


class ChapterOrderBibtexDomain(BibtexDomain):
    """sphinxcontrib-bibtex's ``cite`` domain, ordering each list by its own page first.

    Overrides one public method of ``BibtexDomain`` (documented in its API
    reference). It can go if sphinxcontrib-bibtex learns to sort a list by
    the citations of its own document (no upstream option as of 2.7.0).
    """

    def get_sorted_entries(self, bibliography_key: BibliographyKey, docnames: list[str]) -> Iterable[Any]:
        own = bibliography_key.docname
        return super().get_sorted_entries(bibliography_key, [own, *(d for d in docnames if d != own)])

    def get_filtered_entries(self, bibliography_key: BibliographyKey) -> Iterable[tuple[str, Any]]:
        """sphinxcontrib-bibtex 2.7.0's get_filtered_entries, with the pages citing each key found once.

        Upstream looks through all the book's citations (520) for each
        entry of each list (1,177 in the book's 11 lists): 0.15 s of every
        rebuild, the preview's included. Here the pages citing each key are
        collected in one pass; the rest is upstream's, line for line (it
        uses the private ``_FilterVisitor``: remove when upstream indexes
        the citations itself, no upstream issue filed).
        """
        bibliography = self.bibliographies[bibliography_key]
        citing: dict[str, set[str]] = {}
        for citation_ref in self.citation_refs:
            for target in citation_ref.targets:
                citing.setdefault(target.key, set()).add(citation_ref.docname)
        for entry in self.get_entries(bibliography.bibfiles):
            key = bibliography.keyprefix + entry.key
            visitor = _FilterVisitor(entry=entry, docname=bibliography_key.docname, cited_docnames=set(citing.get(key, ())))
            try:
                success = visitor.visit(bibliography.filter_)
            except ValueError as err:
                logger.warning(
                    "syntax error in :filter: expression; %s" % err,
                    location=(bibliography_key.docname, bibliography.line), type="bibtex", subtype="filter_syntax_error",
                )  # fmt: skip
                success = bool(citing.get(key))
            if success or entry.key in bibliography.keys:
                yield key, entry


@dataclass(frozen=True, order=True)
class Place:
    """Where a source is cited: a page, and its entry in that page's list."""

    position: int  # the page's place in the book
    docname: str
    citation_id: str = ""  # empty for a page without a list of its own
    label: str = ""


def citing_places(env: BuildEnvironment) -> dict[str, list[Place]]:
    """For each cited key, the pages that cite it, in book order (the sources page not included)."""
    domain = cast(BibtexDomain, env.get_domain("cite"))
    sources_page = env.config.handbook_sources_page
    position = {docname: n for n, docname in enumerate(get_docnames(env))}
    places: dict[str, set[Place]] = {}
    listed: set[tuple[str, str]] = set()
    for citation in domain.citations:
        docname = citation.bibliography_key.docname
        if docname == sources_page or domain.bibliographies[citation.bibliography_key].list_ != "citation":
            continue
        place = Place(position[docname], docname, citation.citation_id, citation.formatted_entry.label)
        places.setdefault(citation.key, set()).add(place)
        listed.add((citation.key, docname))
    for ref in domain.citation_refs:
        if ref.docname == sources_page:
            continue
        for target in ref.targets:
            if (target.key, ref.docname) not in listed:
                places.setdefault(target.key, set()).add(Place(position[ref.docname], ref.docname))
    return {key: sorted(found) for key, found in places.items()}


def rewrite_sources_page(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Write the sources page again when a source's places or numbers changed elsewhere."""
    places = citing_places(env)
    before = getattr(env, "handbook_citing_places", None)
    env.handbook_citing_places = places  # type: ignore[attr-defined]
    sources_page = app.config.handbook_sources_page
    if before is not None and before != places and sources_page in env.found_docs:
        return [sources_page]
    return []


class WhereEachSourceIsCited(SphinxPostTransform):
    """Under each entry of the sources page's list: "Cited in Chapter 2 as [3]; …"."""

    default_priority = 6  # after sphinxcontrib-bibtex fills the lists (5)

    def run(self, **kwargs: Any) -> None:
        sources_page = self.config.handbook_sources_page
        domain = cast(BibtexDomain, self.env.get_domain("cite"))
        key_of = {
            citation.citation_id: citation.key
            for citation in domain.citations
            if citation.bibliography_key.docname == sources_page
        }
        citations = [
            node
            for node in self.document.findall(nodes.citation)
            if node.get("docname") == sources_page and node["ids"] and node["ids"][0] in key_of
        ]
        if not citations:
            return
        places = citing_places(self.env)
        for citation in citations:
            if any("cited-in" in child.get("classes", []) for child in citation.children if isinstance(child, nodes.Element)):
                continue  # this node was filled in an earlier pass
            citation += self._paragraph(sources_page, places.get(key_of[citation["ids"][0]], []))

    def _paragraph(self, fromdocname: str, places: list[Place]) -> nodes.paragraph:
        paragraph = nodes.paragraph("", "", classes=["cited-in"])
        if not places:
            paragraph += nodes.Text("Not cited in the text.")
            return paragraph
        paragraph += nodes.Text("Cited in ")
        for n, place in enumerate(places):
            if n:
                paragraph += nodes.Text("; ")
            text = self._page_name(place.docname) + (f" as [{place.label}]" if place.label else "")
            paragraph.extend(self._link(fromdocname, place, text))
        paragraph += nodes.Text(".")
        return paragraph

    def _page_name(self, docname: str) -> str:
        number = self.env.toc_secnumbers.get(docname, {}).get("")
        if number:
            return f"Chapter {'.'.join(map(str, number))}"
        return self.env.titles[docname].astext()

    def _link(self, fromdocname: str, place: Place, text: str) -> list[nodes.Node]:
        builder = self.app.builder
        if builder.name == "latex" and place.citation_id:
            # As sphinxcontrib-bibtex links a citation: \bibitem makes no \label.
            key = f"cite.{place.docname}:{place.citation_id}"
            return [raw_latex(f"\\hyperlink{{{key}}}{{"), nodes.Text(text), raw_latex("}")]
        reference = make_refnode(builder, fromdocname, place.docname, place.citation_id, nodes.Text(text))
        return [reference]


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("sphinxcontrib.bibtex")
    require(
        "sphinxcontrib-bibtex", CHECKED_BIBTEX,
        patch="handbook.ext.chapter_citations (BibtexDomain.get_sorted_entries's document order, "
        "get_filtered_entries in one pass)",
        remove_when="sphinxcontrib-bibtex can number each bibliography 1…n on its own "
        "(no upstream issue filed)",
    )  # fmt: skip
    app.add_config_value(
        "handbook_sources_page", "references", "env", types=frozenset({str}),
        description="The page whose reference list is every source A to Z, with where each is cited",
    )  # fmt: skip
    app.add_domain(ChapterOrderBibtexDomain, override=True)
    app.add_post_transform(WhereEachSourceIsCited)
    # After sphinxcontrib-bibtex has computed its citations (priority 500).
    app.connect("env-updated", rewrite_sources_page, priority=900)
    return {"version": "1.0", "env_version": 1, "parallel_read_safe": True, "parallel_write_safe": True}

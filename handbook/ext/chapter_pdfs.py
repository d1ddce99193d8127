"""Chapter PDFs that belong to the book, from the same LaTeX run as the book.

conf.py gives ``latex_documents`` one entry for the book and one per chapter.
Stock Sphinx builds those chapter PDFs wrongly and silently (see
``../shared/design/chapter-pdfs.md``); this extension makes each chapter PDF
a faithful piece of the book:

* **Book numbering.** A chapter PDF's chapter keeps its book number, and so
  do its sections, figures and tables (Chapter 5, 5.2, Table 5.1): the tree is
  wrapped in a throw-away section (taken by the writer as the document title)
  and the chapter counter is set to the book's number.
* **References out of the chapter.** A document that is not in the current
  ``.tex`` has its page in the hosted HTML book as address (the rule every
  one-chapter edition shares, ``chapter_links.py``), so every cross-reference,
  glossary term and citation resolves to a link instead of a bare label; the
  link text names the other chapter's number and title ("Chapter 3, Biologic
  therapies").
* **References per chapter.** Each ``{bibliography}`` stays where the chapter
  puts it (Sphinx would gather every citation at the end of the document),
  and each document gets fresh citation nodes, so nothing prints twice.
* **Unnumbered book matter.** In the book, the opening, the close and the
  appendices are listed in the contents without chapter numbers, so the
  PDF's chapter numbers are the HTML book's.

``FreshCitationNodes`` resets sphinxcontrib-bibtex's private
``citation_nodes`` and ``assemble_doctree`` is Sphinx's LaTeX builder's own
method, so ``setup()`` refuses other versions than the ones checked. No
upstream issue filed for a document printed in two LaTeX documents (see
mcmtroffaes/sphinxcontrib-bibtex#13 for the one bibliography LaTeX allows);
remove when the xelatex route leaves.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urldefrag

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.builders.latex import LaTeXBuilder
from sphinx.builders.latex.nodes import thebibliography
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinxcontrib.bibtex.directives import BibliographyKey
from sphinxcontrib.bibtex.nodes import bibliography as bibliography_node

from handbook.ext.chapter_links import OneChapterEditionLinks
from handbook.ext.upstream import require
from handbook.meta import load_chapters

logger = logging.getLogger(__name__)


class HandbookLaTeXBuilder(OneChapterEditionLinks, LaTeXBuilder):
    """The LaTeX builder, with links from a chapter PDF to the hosted book."""

    #: The start document of the ``.tex`` being assembled.
    current_start: str = ""

    def assemble_doctree(self, indexfile: str, toctree_only: bool, appendices: list[str]) -> nodes.document:
        self.current_start = indexfile
        return super().assemble_doctree(indexfile, toctree_only, appendices)

    def writing_chapter(self) -> bool:
        return bool(self.current_start) and self.current_start != self.config.root_doc

    def edition_documents(self) -> set[str] | None:
        return set(self.docnames) if self.writing_chapter() else None

    def get_contentsname(self, indexfile: str) -> str:
        # Sphinx would name the contents after the first toctree caption.
        return "Contents"


def page_suffix(config: Any) -> str:
    """The file suffix of the hosted HTML book's pages."""
    return config.html_file_suffix or ".html"


def _chapter_numbers(app: Sphinx) -> dict[str, int]:
    return {c.docname: c.number for c in load_chapters()}


class FreshCitationNodes(SphinxPostTransform):
    """Give each LaTeX document its own copies of sphinxcontrib-bibtex's nodes.

    sphinxcontrib-bibtex keeps one citation node per entry and fills it when a
    document is resolved; the book and a chapter PDF both resolve the same
    chapter, so without fresh copies the second one prints every entry twice.
    """

    default_priority = 4  # just before sphinxcontrib-bibtex fills them (5)
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        domain = self.env.get_domain("cite")
        for bibnode in self.document.findall(bibliography_node):
            key = BibliographyKey(docname=bibnode["docname"], id_=bibnode["ids"][0])
            citation_nodes = domain.bibliographies[key].citation_nodes
            # The first time a list is met its nodes are still empty: keep those.
            originals = self._pristine.setdefault(key, {k: n.deepcopy() for k, n in citation_nodes.items()})
            citation_nodes.clear()
            citation_nodes.update({k: n.deepcopy() for k, n in originals.items()})

    @property
    def _pristine(self) -> dict[Any, dict[str, nodes.Element]]:
        """Empty citation nodes per bibliography, kept for the whole LaTeX run."""
        return self.app.builder.__dict__.setdefault("_handbook_pristine_citations", {})


class kept_citation(nodes.General, nodes.Element):
    """A citation that stays in its chapter's reference list in LaTeX."""


def visit_kept_citation(self: Any, node: nodes.Element) -> None:
    self.visit_citation(node)


def depart_kept_citation(self: Any, node: nodes.Element) -> None:
    self.depart_citation(node)


class KeepReferenceListsInPlace(SphinxPostTransform):
    """Print each bibliography where the text puts it, not at the very end."""

    default_priority = 749  # just before Sphinx's BibliographyTransform (750)
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        for container in list(self.document.findall(nodes.container)):
            children = container.children
            if not children or not all(isinstance(c, nodes.citation) for c in children):
                continue
            bib = thebibliography()
            for citation in children:
                kept = kept_citation(citation.rawsource, *citation.children, **citation.attributes)
                bib += kept
            container.replace_self(bib)


class ChapterCrossReferences(SphinxPostTransform):
    """In a chapter PDF, name the other chapter a link goes to.

    Runs after the references are resolved. A number reference whose target
    is in another chapter becomes a plain hyperlink (the LaTeX writer would
    emit ``\\hyperref`` to a URL), with the number computed from the HTML
    book's numbering, and links to another chapter or section are prefixed
    with "Chapter 5, " or "Section 5.2, ".
    """

    default_priority = 20  # after ReferencesResolver (10)
    formats = ("latex",)

    def run(self, **kwargs: Any) -> None:
        builder = self.app.builder
        if not isinstance(builder, HandbookLaTeXBuilder) or not builder.writing_chapter():
            return
        base = self.config.html_baseurl
        suffix = page_suffix(self.config)
        for node in list(self.document.findall(nodes.reference)):
            uri = node.get("refuri", "")
            if not uri.startswith(base) or not node.get("internal"):
                continue
            page, anchor = urldefrag(uri[len(base):])
            docname = page.removesuffix(suffix)
            number = self._section_number(docname, anchor)
            if isinstance(node, addnodes.number_reference):
                self._plain_number_reference(node, number)
            elif number is not None and not self._is_figure(docname, anchor):
                self._prefix(node, number)

    def _section_number(self, docname: str, anchor: str) -> tuple[int, ...] | None:
        numbers = self.env.toc_secnumbers.get(docname)
        if not numbers:
            return None
        if anchor and "#" + anchor in numbers:
            return numbers["#" + anchor]
        if anchor and self._is_figure(docname, anchor):
            return None
        return numbers.get("")

    def _is_figure(self, docname: str, anchor: str) -> bool:
        figures = self.env.toc_fignumbers.get(docname, {})
        return any(anchor in by_id for by_id in figures.values())

    def _plain_number_reference(self, node: nodes.Element, number: tuple[int, ...] | None) -> None:
        text = node.astext()
        title = node.get("title", "")
        if number is not None and "%s" in title and not any(ch.isdigit() for ch in text):
            text = title % ".".join(map(str, number))
        reference = nodes.reference(text, text, refuri=node["refuri"], internal=True)
        node.replace_self(reference)
        if number is not None and len(number) == 1 and text.startswith("Chapter"):
            self._name_chapter(reference, number)

    def _prefix(self, node: nodes.Element, number: tuple[int, ...]) -> None:
        kind = "Chapter" if len(number) == 1 else "Section"
        label = f"{kind} {'.'.join(map(str, number))}, "
        node.insert(0, nodes.Text(label))

    def _name_chapter(self, node: nodes.Element, number: tuple[int, ...]) -> None:
        """Turn "Chapter 3" into "Chapter 3, Biologic therapies"."""
        for chapter in load_chapters():
            if chapter.number == number[0]:
                node += nodes.Text(f", {chapter.title}")


def number_book_and_chapters(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Set LaTeX numbering so that every PDF uses the HTML book's numbers."""
    if app.builder.name != "latex":
        return
    chapter_numbers = _chapter_numbers(app)
    if docname == app.config.root_doc:
        for start in doctree.findall(addnodes.start_of_file):
            numbered = start["docname"] in chapter_numbers
            macro = r"\HandbookNumbered" if numbered else r"\HandbookUnnumbered"
            start.insert(0, nodes.raw("", macro + "\n", format="latex"))
        return
    number = chapter_numbers.get(docname)
    if number is None:
        return
    # The writer takes the first section's title as the document title and
    # drops it; give it a throw-away one so the chapter stays a \chapter.
    wrapper = nodes.section(ids=[f"handbook-chapter-pdf-{number}"])
    wrapper += nodes.title("", "Chapter")
    wrapper += nodes.raw("", rf"\setcounter{{chapter}}{{{number - 1}}}" + "\n", format="latex")
    wrapper.extend(doctree.children)
    doctree.children = []
    doctree += wrapper


def setup(app: Sphinx) -> dict[str, Any]:
    require(
        "sphinxcontrib-bibtex", ">=2.6,<2.8", patch="handbook.ext.chapter_pdfs (bibliography citation_nodes)",
        remove_when="the xelatex route leaves (no upstream issue filed)",
    )  # fmt: skip
    require(
        "sphinx", "==9.0.*", patch="handbook.ext.chapter_pdfs (LaTeXBuilder.assemble_doctree)",
        remove_when="the xelatex route leaves (no upstream issue filed)",
    )  # fmt: skip
    app.add_builder(HandbookLaTeXBuilder, override=True)
    app.add_node(kept_citation, latex=(visit_kept_citation, depart_kept_citation))
    app.add_post_transform(FreshCitationNodes)
    app.add_post_transform(KeepReferenceListsInPlace)
    app.add_post_transform(ChapterCrossReferences)
    app.connect("doctree-resolved", number_book_and_chapters)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

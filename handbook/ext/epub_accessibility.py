"""EPUBs that Ace by DAISY passes, with true accessibility metadata.

Sphinx's EPUB 3 builder (9.0) leaves four things that Ace reports, or that a
reading system needs to tell a reader what the book offers before it opens:

* **No language on the pages.** The builder's ``<html>`` tag
  (``Epub3Builder.html_tag``) has namespaces but no ``lang``, so a screen
  reader guesses the language of every page (axe's ``html-has-lang``). Each
  page gets ``lang`` and ``xml:lang`` from the ``language`` setting, through
  the page's template context.
* **Headings without a level.** A toctree's caption is written as
  ``<p role="heading">`` with no ``aria-level`` (``aria-required-attr``).
  pydata-sphinx-theme adds ``aria-level="2"`` on the website through its
  translator; the EPUB's theme has none, so this adds the same to the EPUB's
  translator.
* **A table of contents without its role.** ``nav.xhtml`` is written from a
  template inside Sphinx with ``epub:type="toc"`` and no ARIA role
  (``epub-type-has-matching-role``); it gets ``role="doc-toc"``.
* **No accessibility metadata** (EPUB Accessibility 1.1): the package document
  (``content.opf``, also written from a template inside Sphinx) gets
  ``schema:accessMode``, ``accessModeSufficient``, ``accessibilityFeature``,
  ``accessibilityHazard`` and ``accessibilitySummary``, the conformance claim
  (``dcterms:conformsTo``) and who made it (``a11y:certifiedBy``).

The metadata describes the EPUB that was built, not a hope: access modes and
features are read from the packaged pages. "visual" and "alternativeText" are
claimed when the pages show images, and every image must then have a text
alternative (an image without one is a warning, so the strict build fails
instead of shipping a false "textual is sufficient"); "index" only when the
EPUB has an index (a chapter's EPUB has none). The summary, the hazards and the
conformance claim are settings (``epub_accessibility_*``); conf.py states them.

``nav.xhtml`` and ``content.opf`` have no template hook or event between the
moment Sphinx writes them and the moment it zips the EPUB, so both are
completed when the build finishes and the builder's own ``build_epub()``
packages the EPUB again (about 0.1 s). Nothing of Sphinx is patched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.builders.epub3 import Epub3Builder
from sphinx.util import logging

logger = logging.getLogger(__name__)

# EPUB Accessibility 1.1 section 5.1: the one conformance string per WCAG
# version and level.
CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
# True of every EPUB Sphinx writes: headings that nest as the sections do,
# a navigation document, one reading order (the spine, in the book's order),
# reflowable text that the reading system may restyle.
ALWAYS = ("structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability")
TOC_NAV = re.compile(r'<nav epub:type="toc"(?![^>]*\brole=)')
HEADING_ROLE = "heading"


# -- Pages: language and heading levels ----------------------------------------


def html_tag_with_language(html_tag: str, language: str) -> str:
    """The builder's ``<html ...>`` tag with ``lang`` and ``xml:lang`` added."""
    if re.search(r"\slang=", html_tag):
        return html_tag
    value = escape(language, quote=True)
    return html_tag[:-1].rstrip() + f' lang="{value}" xml:lang="{value}">'


def on_html_page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if isinstance(app.builder, Epub3Builder):
        context["html_tag"] = html_tag_with_language(app.builder.html_tag, app.config.epub_language)


class HeadingLevelMixin:
    """Give an element with ``role="heading"`` the level ARIA requires.

    Sphinx writes a toctree caption as ``<p class="caption" role="heading">``;
    on the pages it sits under the page's title, so it is a level-2 heading
    (pydata-sphinx-theme makes the same choice on the website).
    """

    def starttag(self, *args: Any, **attributes: Any) -> str:
        if attributes.get("ROLE") == HEADING_ROLE and "ARIA-LEVEL" not in attributes:
            attributes["ARIA-LEVEL"] = "2"
        return super().starttag(*args, **attributes)  # type: ignore[misc]


def add_heading_levels(app: Sphinx) -> None:
    if not isinstance(app.builder, Epub3Builder):
        return
    base = app.builder.get_translator_class()
    if issubclass(base, HeadingLevelMixin):
        return
    translator = type(f"HeadingLevel{base.__name__}", (HeadingLevelMixin, base), {})
    app.set_translator(app.builder.name, translator, override=True)


# -- What the packaged pages hold ------------------------------------------------


class _PageParts(HTMLParser):
    """The images of one page, and whether it lists index entries."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.images: list[str | None] = []  # each image's alt text (None: no alt)
        self.index_entries = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "img":
            self.images.append(values.get("alt"))
        elif tag == "table" and "indextable" in (values.get("class") or "").split():
            self.index_entries += 1


@dataclass
class Contents:
    """What the pages of one EPUB offer a reader."""

    images: int = 0
    images_without_text: list[str] = field(default_factory=list)  # page names
    has_index: bool = False

    @classmethod
    def of(cls, outdir: Path, pages: list[str], index_page: str | None) -> Contents:
        contents = cls()
        for name in pages:
            parts = _PageParts()
            parts.feed((outdir / name).read_text(encoding="utf-8"))
            contents.images += len(parts.images)
            contents.images_without_text += [name for alt in parts.images if not (alt or "").strip()]
            if name == index_page and parts.index_entries:
                contents.has_index = True
        return contents


@dataclass(frozen=True)
class Metadata:
    """EPUB Accessibility 1.1 metadata, as ``<meta>`` elements of content.opf."""

    access_modes: tuple[str, ...]
    sufficient: tuple[str, ...]  # each a comma-separated set of access modes
    features: tuple[str, ...]
    hazards: tuple[str, ...]
    summary: str
    conforms_to: str
    certified_by: str

    @classmethod
    def describe(cls, contents: Contents, app: Sphinx) -> Metadata:
        config = app.config
        visual = contents.images > 0
        features = list(ALWAYS)
        if visual:
            features.append("alternativeText")
        if contents.has_index:
            features.append("index")
        return cls(
            access_modes=("textual", "visual") if visual else ("textual",),
            sufficient=("textual", "textual,visual") if visual else ("textual",),
            features=tuple(features),
            hazards=tuple(config.epub_accessibility_hazards),
            summary=config.epub_accessibility_summary,
            conforms_to=config.epub_accessibility_conformance,
            certified_by=config.epub_accessibility_certified_by or config.epub_publisher,
        )

    def elements(self) -> str:
        def meta(prop: str, value: str, extra: str = "") -> str:
            return f'    <meta property="{prop}"{extra}>{escape(value, quote=False)}</meta>\n'

        lines = [meta("schema:accessMode", mode) for mode in self.access_modes]
        lines += [meta("schema:accessModeSufficient", modes) for modes in self.sufficient]
        lines += [meta("schema:accessibilityFeature", feature) for feature in self.features]
        lines += [meta("schema:accessibilityHazard", hazard) for hazard in self.hazards]
        lines.append(meta("schema:accessibilitySummary", self.summary))
        if self.conforms_to:
            lines.append(meta("dcterms:conformsTo", self.conforms_to, ' id="conformance"'))
            lines.append(meta("a11y:certifiedBy", self.certified_by, ' refines="#conformance"'))
        return "".join(lines)


def with_metadata(opf: str, metadata: Metadata) -> str:
    """The package document with the accessibility metadata before ``</metadata>``."""
    head, closing, tail = opf.rpartition("</metadata>")
    if not closing:
        raise ValueError("content.opf has no </metadata>")
    return head.rstrip(" ") + metadata.elements() + "  " + closing + tail


# -- Events ------------------------------------------------------------------------


def complete_epub(app: Sphinx, exception: BaseException | None) -> None:
    builder = app.builder
    if exception is not None or not isinstance(builder, Epub3Builder):
        return
    outdir = Path(builder.outdir)
    pages = [name for name in builder.files if name.endswith(builder.out_suffix)]
    index_page = "genindex" + builder.out_suffix if builder.use_index else None
    contents = Contents.of(outdir, pages, index_page)
    for page in contents.images_without_text:
        logger.warning(
            "an image has no text alternative (alt): the EPUB's accessibility metadata "
            "(textual is sufficient) would not be true",
            location=page.removesuffix(builder.out_suffix), type="epub_accessibility",
        )  # fmt: skip
    if not app.config.epub_accessibility_summary.strip():
        logger.warning("epub_accessibility_summary is empty: say in plain words what the EPUB offers",
                       type="epub_accessibility")  # fmt: skip

    nav = outdir / "nav.xhtml"
    nav.write_text(TOC_NAV.sub('<nav epub:type="toc" role="doc-toc"', nav.read_text(encoding="utf-8")),
                   encoding="utf-8")  # fmt: skip
    opf = outdir / "content.opf"
    opf.write_text(with_metadata(opf.read_text(encoding="utf-8"), Metadata.describe(contents, app)),
                   encoding="utf-8")  # fmt: skip
    builder.build_epub()


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value(
        "epub_accessibility_summary", "", "", types=frozenset({str}),
        description="schema:accessibilitySummary: what the EPUB offers a reader, in plain words",
    )  # fmt: skip
    app.add_config_value(
        "epub_accessibility_hazards", ["none"], "", types=frozenset({list, tuple}),
        description="schema:accessibilityHazard values (flashing, motionSimulation, sound ...) or none",
    )  # fmt: skip
    app.add_config_value(
        "epub_accessibility_conformance", CONFORMANCE, "", types=frozenset({str}),
        description="dcterms:conformsTo, the EPUB Accessibility 1.1 conformance string ('' for no claim)",
    )  # fmt: skip
    app.add_config_value(
        "epub_accessibility_certified_by", "", "", types=frozenset({str}),
        description="a11y:certifiedBy, who evaluated the EPUB (default: epub_publisher)",
    )  # fmt: skip
    app.connect("builder-inited", add_heading_levels)
    app.connect("html-page-context", on_html_page_context)
    app.connect("build-finished", complete_epub)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

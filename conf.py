"""Sphinx configuration for the Autoimmune Therapy Handbook.

Declarative on purpose: behaviour lives in the small extensions under
``handbook/ext/`` (one feature each). The edition and the chapter list come from
``handbook/meta.py``, which reads ``book/_data/edition.yaml`` and the
chapter file names, so nothing here restates them.

Build with ``make all`` (see README.md); the sources are in ``book/`` and this
file is found with ``sphinx-build -c .``.
"""

from __future__ import annotations


from handbook.meta import load_chapters, load_edition, load_redirects

EDITION = load_edition()
CHAPTERS = load_chapters()

# -- Project information -----------------------------------------------------
# https://www.sphinx-doc.org/en/master/usage/configuration.html#project-information

project = EDITION.title
author = EDITION.author
copyright = f"{EDITION.date[:4]}, {EDITION.author} (text CC BY 4.0, code MIT)"
version = release = EDITION.edition
language = EDITION.language
# The title page shows the edition's date, not the day of the build, so two
# builds of one commit are identical.
today = EDITION.human_date

# -- General configuration ---------------------------------------------------
# https://www.sphinx-doc.org/en/master/usage/configuration.html#general-configuration

extensions = [
    # The build's settings (paper, base URL, exported chapter) as typed config
    # values, passed with -D by handbook/build.py; see handbook/ext/settings.py.
    "handbook.ext.settings",
    "myst_parser",
    "sphinxcontrib.bibtex",
    # xelatex cannot include SVG: convert figures to PDF for the LaTeX build.
    "sphinxcontrib.rsvgconverter",
    "sphinx_sitemap",
    # sphinxext.opengraph, without its "matplotlib is not installed" message.
    "handbook.ext.opengraph_without_cards",
    "notfound.extension",
    # Old addresses of pages that moved keep working (book/_data/redirects.yaml).
    "sphinx_reredirects",
    # Our own, one feature each (see handbook/ext/):
    "handbook.ext.bibliography_style",
    # Citations numbered 1…n per chapter; the references page says where
    # each source is cited.
    "handbook.ext.chapter_citations",
    "handbook.ext.drug_data",
    "handbook.ext.page_notices",
    "handbook.ext.chapter_pdfs",
    "handbook.ext.download_menu",
    "handbook.ext.chapter_export",
    "handbook.ext.source_checks",
    "handbook.ext.search_index_entries",
    "handbook.ext.search_summaries",
    # A sitemap of every page even after an incremental build, and robots.txt
    # naming it by its full URL (so written per build, not a static file).
    "handbook.ext.crawler_files",
    # The theme without Font Awesome: icons from SVG files, the theme's
    # blocks less the scripts the pages do not load.
    "handbook.ext.theme_icons",
    "handbook.ext.theme_assets",
    # Citation lists with list items (axe); url-text class for print.
    "handbook.ext.citation_lists",
    "handbook.ext.address_links",
    # Ace by DAISY passes the EPUBs; true accessibility metadata in content.opf.
    "handbook.ext.epub_accessibility",
    # After a change to the pages, titles or chapter list, every page is read
    # and written again into an empty output folder.
    "handbook.ext.navigation",
    "handbook.ext.checklist_page",
]

root_doc = "index"
exclude_patterns = ["_data", "**/README.md"]
templates_path = ["_templates"]

# Strict by default: the Makefile adds -n -W --keep-going.
nitpicky = True
numfig = True
numfig_secnum_depth = 1
numfig_format = {
    "figure": "Figure %s",
    "table": "Table %s",
    "code-block": "Listing %s",
    "section": "Section %s",
}
suppress_warnings = [
    # The same source is cited in several chapters, and each chapter lists its
    # own references (HTML and chapter PDFs), so sphinxcontrib-bibtex sees the
    # key in more than one bibliography. That is the design, not a mistake.
    "bibtex.duplicate_citation",
    "bibtex.duplicate_id",
    # Each chapter numbers its own sources from 1 (handbook/ext/chapter_citations.py),
    # so label "1" belongs to a different source in each chapter's list.
    "bibtex.duplicate_label",
]

# -- MyST --------------------------------------------------------------------
# https://myst-parser.readthedocs.io/en/latest/configuration.html

myst_enable_extensions = [
    "colon_fence",
    "deflist",
    "substitution",
    "attrs_inline",
    "fieldlist",
]
myst_heading_anchors = 3
myst_substitutions = {
    "edition": EDITION.edition,
    "edition_date": EDITION.date,
    "book_title": EDITION.title,
}

# -- Citations ---------------------------------------------------------------
# https://sphinxcontrib-bibtex.readthedocs.io/en/latest/usage.html

bibtex_bibfiles = ["book/references.bib"]  # relative to this file, not book/
# Bracketed numbers, "[1]" and "[2, 5]", the number of the source in the
# chapter's own list (numbered per chapter by handbook/ext/chapter_citations.py).
# Not superscripts: those read as part of the word to a screen reader, and
# in the LaTeX PDFs they would look like the URL footnote marks.
bibtex_reference_style = "label"
# Our style (see handbook/ext/bibliography_style.py): lists numbered in citation
# order, one address per entry (the DOI, printed as a link once), and the
# verification caveat of partially verified entries instead of the raw notes.
bibtex_default_style = "handbook"
# The references page lists every source A to Z, with where each is cited
# (its {bibliography} asks for the "handbook-a-z" style).
handbook_sources_page = "references"

# -- HTML --------------------------------------------------------------------
# https://sphinx-book-theme.readthedocs.io/en/stable/reference.html

html_theme = "sphinx_book_theme"
html_title = EDITION.title
# html_baseurl: set from handbook_baseurl (handbook/ext/settings.py).
html_static_path = ["_static"]
html_css_files = ["handbook.css"]  # the checklist page adds its own (handbook/ext/checklist_page.py)
html_favicon = "_static/favicon.svg"  # else browsers ask for /favicon.ico and get a 404
# pydata-sphinx-theme reads the default colour mode from the context; without
# one its script logs "Got invalid theme mode" on every page. "auto" follows
# the reader's system setting until they pick light or dark.
html_context = {"default_mode": "auto"}
html_last_updated_fmt = None
html_copy_source = False
html_show_sourcelink = False
html_theme_options = {
    "use_download_button": True,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "extra_footer": (
        f'<p class="handbook-notice">{EDITION.full_notice}</p>'
        f'<p class="handbook-edition">Edition {EDITION.edition}, {EDITION.human_date}</p>'
    ),
    "navigation_with_keys": False,
    "search_bar_text": "Search this handbook…",
    # One search box: the sidebar's. pydata-sphinx-theme would also put one
    # in a top bar of its own ("navbar_persistent"), empty otherwise; without
    # any navbar item the theme writes no top bar at all.
    "navbar_persistent": [],
    # Off (the theme's default), said here because handbook/ext/theme_assets.py
    # relies on it: search opens search.html, so other pages skip the index.
    "search_as_you_type": False,
    # Not the theme's default "sidebar-ethical-ads": an empty slot that Read
    # the Docs fills with an advert from another server. A medical handbook
    # shows no adverts, and its pages load nothing from elsewhere.
    "primary_sidebar_end": [],
}

# -- Hosting: sitemap, social cards, 404 page ---------------------------------
# https://sphinx-sitemap.readthedocs.io/ , https://sphinxext-opengraph.readthedocs.io/
# https://sphinx-notfound-page.readthedocs.io/
# Everything here follows the one base URL, the config value handbook_baseurl
# (edition.yaml's, or HANDBOOK_BASEURL at build time): handbook/ext/settings.py
# sets html_baseurl, ogp_site_url, ogp_image and notfound_urls_prefix from it.


sitemap_url_scheme = "{link}"
# Not pages to list in a search engine: the 404 page, the search page and the
# generated index (which has no text of its own).
sitemap_excludes = ["404.html", "search.html", "genindex.html"]
ogp_site_name = EDITION.title
# ogp_image: the base URL + "_static/social-card.png", drawn in
# _static/social-card.svg; the PNG is made once with rsvg-convert.
ogp_image_alt = f"{EDITION.title}: {EDITION.subtitle}"
ogp_custom_meta_tags = [
    '<meta property="og:image:width" content="1200" />',
    '<meta property="og:image:height" content="630" />',
    '<meta name="twitter:card" content="summary_large_image" />',
]
ogp_social_cards = {"enable": False}  # the card ships as a file in _static/
ogp_enable_meta_description = True
# notfound_urls_prefix: the base URL's path (the 404 page's links cannot be relative).
notfound_context = {
    "title": "Page not found",
    "body": "<h1>Page not found</h1><p>There is no page at this address in the handbook. "
    "Every chapter is listed on the left, and the search box finds any drug or term.</p>",
}

# Pages that moved: a small page at the old address sends the reader on.
# https://documatt.com/sphinx-reredirects/usage.html
redirects = load_redirects()
redirect_html_template_file = "../_templates/redirect.html"  # relative to book/

# -- EPUB --------------------------------------------------------------------
# https://www.sphinx-doc.org/en/master/usage/configuration.html#options-for-epub-output

epub_title = EDITION.title
epub_author = EDITION.author
epub_publisher = EDITION.author
epub_copyright = copyright
# The OPF identifier and the NCX uid must match (epubcheck NCX-001); the uid
# must be an XML name.
epub_uid = "AutoimmuneTherapyHandbook" + EDITION.edition.replace(".", "_")
epub_identifier = epub_uid
epub_scheme = ""
epub_basename = EDITION.book_stem
epub_show_urls = "no"
# .buildinfo.bak: Sphinx 9 keeps the old build info there after a config
# change, and the EPUB builder would otherwise try to package it.
# The redirect pages are for the website's old addresses only; in the EPUB's
# folder sphinx-reredirects writes them with the builder's suffix, .xhtml
# (they are not XHTML, and would make the EPUB fail epubcheck and Ace).
epub_exclude_files = [
    "search.html", "404.html", ".buildinfo", ".buildinfo.bak",
    # The checklist page's screen and print rules use selectors (:has) that
    # EPUB's CSS profile lacks; the EPUB shows the checklist as plain lists.
    "_static/print-checklist.css",
    *(f"{old}.xhtml" for old in redirects),
]
epub_description = EDITION.subject
# EPUB Accessibility 1.1 metadata (handbook/ext/epub_accessibility.py works out the
# access modes and features from the pages; tests/test_accessibility.py runs
# Ace by DAISY on the book and a chapter). The claim is the publisher's own.
epub_accessibility_summary = (
    "This EPUB meets EPUB Accessibility 1.1 and WCAG 2.1 at level AA, as evaluated by "
    "its publisher; every build is checked with Ace by DAISY. It can be read as text "
    "alone: every figure has a text description. Headings and a table of contents let "
    "you move around, the reading order is the book's order, and your reading system "
    "can change the text size, font and colours. There is no sound, flashing or motion."
)
epub_accessibility_hazards = ["none"]

# -- LaTeX / PDF -------------------------------------------------------------
# https://www.sphinx-doc.org/en/master/latex.html

latex_engine = "xelatex"
latex_theme_path = ["../_templates/latex"]  # relative to book/, unlike the paths above
latex_additional_files = [
    "_templates/latex/handbookchapter.cls",
    "_templates/latex/handbook-preamble.tex",
]
latex_show_urls = "footnote"
latex_show_pagerefs = False
latex_domain_indices = False
# makeindex ships with TeX Live; xindy would be one more Debian package.
latex_use_xindy = False
# Paper size: the config value handbook_paper (a4 unless PAPER=letter, the
# Makefile's documented switch) sets latex_elements["papersize"].

latex_documents = [
    # toctree_only: the book is the chapters; the landing page's own text
    # (welcome and download links) belongs to the website only.
    (root_doc, f"{EDITION.book_stem}.tex", EDITION.title, EDITION.author, "manual", True),
    *(
        (
            chapter.docname,
            chapter.tex_name,
            f"{EDITION.title}: Chapter {chapter.number}",
            EDITION.author,
            "handbook-chapter",
        )
        for chapter in CHAPTERS
    ),
]

latex_elements = {
    # Long addresses in reference lists may break at hyphens too, not only at
    # slashes: some sources' addresses are one long hyphenated slug, which
    # would otherwise run into the margin.
    "passoptionstopackages": r"\PassOptionsToPackage{hyphens}{url}",
    # No blank pages between chapters: chapters open on any page.
    "extraclassoptions": "openany,oneside",
    "releasename": "Edition",
    # Plain "Chapter 5" heads: fncychap's Bjarne style spells numbers as words.
    "fncychap": "",
    "fontpkg": r"""
\setmainfont{FreeSerif}[Extension=.otf, UprightFont=*, ItalicFont=*Italic,
  BoldFont=*Bold, BoldItalicFont=*BoldItalic]
\setsansfont{FreeSans}[Extension=.otf, UprightFont=*, ItalicFont=*Oblique,
  BoldFont=*Bold, BoldItalicFont=*BoldOblique]
\setmonofont{FreeMono}[Extension=.otf, UprightFont=*, ItalicFont=*Oblique,
  BoldFont=*Bold, BoldItalicFont=*BoldOblique, Scale=0.9]
""",
    "sphinxsetup": "TitleColor={rgb}{0.05,0.25,0.45}, InnerLinkColor={rgb}{0.05,0.3,0.55}, OuterLinkColor={rgb}{0.05,0.3,0.55}",
    # \HandbookURL, the base URL, is defined before this by handbook/ext/settings.py.
    "preamble": rf"""
\newcommand{{\HandbookTitle}}{{{EDITION.title}}}
\newcommand{{\HandbookNotice}}{{{EDITION.notice}.}}
\hypersetup{{bookmarksnumbered=true, pdfsubject={{{EDITION.subject}}},
  pdfkeywords={{{", ".join(EDITION.keywords)}}}, pdflang={{{EDITION.language}}}}}
\input{{handbook-preamble.tex}}
""",
    "printindex": r"\footnotesize\raggedright\printindex",
}

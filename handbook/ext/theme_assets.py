"""Serve sphinx-book-theme's pages without Font Awesome's script and font.

sphinx-book-theme (built on pydata-sphinx-theme) loads Font Awesome on every
page to draw about a dozen icons: a 1.5 MB script (540 KB gzipped) and a
115 KB web font. The handbook draws those icons from SVG files instead
(``theme_icons.py``), so here:

* The theme's ``css`` and ``extrahead`` blocks are kept as the theme writes
  them, ``?digest=`` cache-busting included (``_templates/layout.html`` calls
  ``{{ super() }}``), less the ``<script>`` and preload tags of the scripts
  the handbook does not load: Font Awesome's, and, on every page but the
  search page, the search index and search scripts, which only the theme's
  search-as-you-type uses (it is off: the search box opens the search page,
  which loads them itself).
* Font Awesome's script is removed from the output, so a stray reference
  to it fails the browser tests with a 404 instead of quietly loading
  1.5 MB.

The theme's stylesheet is served whole (64 KB gzipped); ``handbook.css``
keeps Font Awesome's glyph rules in it from drawing anything, so its web
fonts, which the stylesheet names, are never loaded. The page-weight
target is in ``tests/test_browser.py`` (``PAGE_WEIGHT_LIMIT``, gzipped bytes).

Only the HTML builder with a pydata-sphinx-theme based theme is concerned;
the EPUB has its own theme and is left alone.

The tags removed are the theme's markup, not an API: ``setup()`` refuses
another pydata-sphinx-theme version than the one checked, and
``tests/fast/test_theme_templates.py`` compares the theme's files with the
ones checked. Remove when pydata/pydata-sphinx-theme#2379 (open: Font
Awesome's 1.5 MB script on every page) is fixed.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from markupsafe import Markup
from sphinx.application import Sphinx

from handbook.ext.upstream import require

#: The theme's stylesheet under its static folder: how a pydata-sphinx-theme is recognised.
THEME_STYLESHEET = "styles/pydata-sphinx-theme.css"
FONT_AWESOME_SCRIPT = "fontawesome.js"
SEARCH_SCRIPTS = ("searchtools.js", "language_data.js", "searchindex.js")
#: What the theme copies into the output and the pages no longer load. (Font
#: Awesome's web fonts stay: the theme's stylesheet names them, though no page
#: draws a glyph with them; tests/test_browser.py checks none is loaded.)
UNUSED_THEME_FILES = (
    "_static/scripts/fontawesome.js",
    "_static/scripts/fontawesome.js.map",
    "_static/scripts/fontawesome.js.LICENSE.txt",
)


def serves_theme(app: Sphinx) -> bool:
    """Whether this build writes web pages with a pydata-sphinx-theme layout."""
    builder = app.builder
    if builder.format != "html" or builder.name.startswith("epub"):
        return False
    theme = getattr(builder, "theme", None)
    if theme is None:
        return False
    return any((Path(d) / "static" / THEME_STYLESHEET).is_file() for d in theme.get_theme_dirs())


def script_tags(names: tuple[str, ...]) -> re.Pattern[str]:
    """``<script src>`` and ``<link rel="preload">`` tags naming one of these files."""
    files = "|".join(re.escape(name) for name in names)
    address = rf"""["'][^"']*?(?<![\w.-])(?:{files})(?:\?[^"']*)?["']"""
    return re.compile(
        rf"""\s*(?:<script\b[^>]*\ssrc={address}[^>]*>\s*</script>|<link\b[^>]*\shref={address}[^>]*/?>)"""
    )


def without_scripts(names: tuple[str, ...]) -> Any:
    """A function for the layout: the theme's block without those scripts' tags."""
    tags = script_tags(names)

    def without_unused_scripts(block: str) -> Markup:
        return Markup(tags.sub("", str(block)))

    return without_unused_scripts


def on_html_page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if not serves_theme(app):
        return
    unused = (FONT_AWESOME_SCRIPT,)
    if not str(context.get("theme_search_as_you_type", False)).lower() in {"true", "1", "yes"}:
        unused += SEARCH_SCRIPTS
    context["without_unused_scripts"] = without_scripts(unused)


def remove_unused_theme_files(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or not serves_theme(app):
        return
    for name in UNUSED_THEME_FILES:
        path = Path(app.outdir) / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def setup(app: Sphinx) -> dict[str, Any]:
    require(
        "pydata-sphinx-theme", "==0.20.*", patch="handbook.ext.theme_assets (the css and extrahead blocks' script tags)",
        remove_when="pydata/pydata-sphinx-theme#2379 is fixed",
    )  # fmt: skip
    app.connect("html-page-context", on_html_page_context)
    app.connect("build-finished", remove_unused_theme_files)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

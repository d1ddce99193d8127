"""Serve the HTML theme light, offline and accessible.

sphinx-book-theme (built on pydata-sphinx-theme) loads Font Awesome on every
page to draw about a dozen icons: a 1.5 MB script and a 115 KB web font, plus
60 KB of icon rules in a 376 KB stylesheet that also carries all of
Bootstrap. A chapter page came to 2.3 MB. This extension and
``_templates/layout.html`` serve the same pages, working the same way, in a
sixth of that:

* Icons are the SVG files in ``_static/icons/`` (Font Awesome Free solid
  icons, CC BY 4.0; to add one, save its SVG there under its Font Awesome
  name). They are written into ``_static/handbook-icons.css`` as one CSS
  property each (``--icon-sun``), and ``handbook.css`` draws them as masks in
  the text colour: the theme's ``<i class="fa-solid fa-sun">`` elements and
  the icons its stylesheet puts before admonition titles alike. A page or
  theme script naming an icon that has no SVG is a build warning, so a
  strict build fails instead of showing an empty box.
* The theme's stylesheet is trimmed to the rules the site can use: a rule
  stays when one of its selectors names only classes that occur in the built
  pages or in the scripts they load. Font Awesome's own rules go. The layout
  links the trimmed copy.
* The layout leaves out the Font Awesome script, and on every page but the
  search page the search index and search scripts, which only the theme's
  search-as-you-type uses (it is off: the search box opens the search page).
* The Font Awesome files and the untrimmed stylesheet are removed from the
  output, so a stray reference to them fails the browser tests with a 404
  instead of quietly loading 1.7 MB.

For print, links whose text is their own address get the class ``url-text``,
so that the print stylesheet, which prints where each link goes, does not
print those addresses twice.

It also fixes the one inaccessible piece of markup that axe finds in the
pages: docutils gives each entry of a citation list the DPUB-ARIA role
``doc-biblioentry``, deprecated since DPUB-ARIA 1.1, so the ``role="list"``
around them has no list items. Here they are ``listitem`` (in the EPUB too,
where the entries are the same markup).

Everything else applies only to the HTML builder with a pydata-sphinx-theme
based theme; the EPUB has its own theme and is left alone.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.writers.html5 import HTML5Translator

logger = logging.getLogger(__name__)

# The theme's stylesheet, under its static folder; the copy the layout links.
THEME_STYLESHEET = "styles/pydata-sphinx-theme.css"
TRIMMED_STYLESHEET = "_static/styles/pydata-sphinx-theme-trimmed.css"
ICONS_STYLESHEET = "handbook-icons.css"  # under _static/, like html_css_files
# What the theme copies into the output and the pages no longer load.
UNUSED_THEME_FILES = (
    "_static/scripts/fontawesome.js",
    "_static/scripts/fontawesome.js.map",
    "_static/scripts/fontawesome.js.LICENSE.txt",
    "_static/vendor/fontawesome",
    "_static/" + THEME_STYLESHEET,
    "_static/" + THEME_STYLESHEET + ".map",
)
ICONS_NOTICE = (
    "/* Written by handbook/ext/offline_theme.py from _static/icons/*.svg; edit those.\n"
    " * Icons: Font Awesome Free 7.2.0 by @fontawesome - https://fontawesome.com\n"
    " * License: https://fontawesome.com/license/free (icons: CC BY 4.0).\n"
    " * Each icon sits in a square 1.25 times its height, so the parts that\n"
    " * Font Awesome lets overflow its box (the sun's rays) are not clipped. */\n"
)

FONT_AWESOME_CLASS = re.compile(r"^(?:fa|fa[srb]|fa-[\w-]+|svg-inline--fa)$")
# Font Awesome classes that change how an icon is drawn, not which icon.
ICON_MODIFIERS = frozenset(
    {"fa-solid", "fa-regular", "fa-fw", "fa-lg", "fa-sm", "fa-xs", "fa-xl", "fa-2xl"}
)
CLASS_ATTRIBUTE = re.compile(r"""\bclass\s*=\s*(?:"([^"]*)"|'([^']*)')""")
SCRIPT_ICON = re.compile(r"\bfa-(?:solid|regular) (fa-[\w-]+)")
WORD = re.compile(r"[A-Za-z_][\w-]*")
VIEWBOX = re.compile(r'viewBox="0 0 (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)"')


# -- Which pages this applies to ---------------------------------------------


def serves_theme(app: Sphinx) -> bool:
    """Whether this build writes web pages with a pydata-sphinx-theme layout."""
    builder = app.builder
    if builder.format != "html" or builder.name.startswith("epub"):
        return False
    theme = getattr(builder, "theme", None)
    if theme is None:
        return False
    return any((Path(d) / "static" / THEME_STYLESHEET).is_file() for d in theme.get_theme_dirs())


def theme_stylesheet(app: Sphinx) -> Path:
    for directory in app.builder.theme.get_theme_dirs():  # the inheriting theme first
        candidate = Path(directory) / "static" / THEME_STYLESHEET
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(THEME_STYLESHEET)


# -- Icons -------------------------------------------------------------------


def icons_dir(app: Sphinx) -> Path:
    return Path(app.confdir) / app.config.offline_theme_icons


def square_svg(svg: str) -> str:
    """The icon centred in a square 1.25 times its height, comments dropped.

    Font Awesome draws an icon one em high and lets some paths overflow that
    box; a mask would clip them, so the mask gets the room instead.
    """
    match = VIEWBOX.search(svg)
    if match is None:
        raise ValueError('no viewBox="0 0 WIDTH HEIGHT"')
    width, height = float(match[1]), float(match[2])
    side = 1.25 * height
    box = f'viewBox="{(width - side) / 2:g} {(height - side) / 2:g} {side:g} {side:g}"'
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    return VIEWBOX.sub(box, svg).strip()


def icons_css(directory: Path) -> str:
    """One CSS property per SVG icon, and the Font Awesome class naming it."""
    properties, classes = [], []
    for path in sorted(directory.glob("*.svg")):
        name = path.stem
        uri = "data:image/svg+xml," + quote(square_svg(path.read_text(encoding="utf-8")), safe=" /=:;,.'()-")
        properties.append(f'  --icon-{name}: url("{uri}");\n')
        classes.append(f".fa-{name} {{ --icon: var(--icon-{name}); }}\n")
    return ICONS_NOTICE + ":root {\n" + "".join(properties) + "}\n" + "".join(classes)


def write_icons(app: Sphinx) -> None:
    if not serves_theme(app):
        return
    directory = icons_dir(app)
    target = Path(app.outdir) / "_static" / ICONS_STYLESHEET
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        target.write_text(icons_css(directory), encoding="utf-8")
    except ValueError as problem:
        logger.warning("an icon in %s cannot be drawn: %s", directory, problem, type="offline_theme")
    app.add_css_file(ICONS_STYLESHEET)


def check_icons(app: Sphinx, outdir: Path, pages: dict[str, Path]) -> None:
    """Warn about every icon a page or theme script names but no SVG draws."""
    drawn = {f"fa-{path.stem}" for path in icons_dir(app).glob("*.svg")}
    for docname, page in pages.items():
        for name in sorted(icon_classes(page_classes(page.read_text(encoding="utf-8"))) - drawn):
            logger.warning(
                "icon class %r has no SVG in %s: the icon would be an empty box",
                name, app.config.offline_theme_icons, location=docname, type="offline_theme",
            )  # fmt: skip
    for script in sorted((outdir / "_static").rglob("*.js")):
        for name in sorted(set(SCRIPT_ICON.findall(script.read_text(encoding="utf-8"))) - drawn):
            logger.warning(
                "icon class %r, used by %s, has no SVG in %s",
                name, script.relative_to(outdir), app.config.offline_theme_icons, type="offline_theme",
            )  # fmt: skip


def page_classes(html: str) -> set[str]:
    return {name for match in CLASS_ATTRIBUTE.finditer(html) for name in (match[1] or match[2] or "").split()}


def icon_classes(classes: Iterable[str]) -> set[str]:
    return {name for name in classes if name.startswith("fa-") and name not in ICON_MODIFIERS}


# -- The theme's stylesheet, trimmed -----------------------------------------


@dataclass(frozen=True)
class Vocabulary:
    """The class names the site's pages and scripts can put on an element.

    Scripts build some names from pieces (Bootstrap's ``bs-tooltip-`` plus a
    placement), so a word of a script that ends in ``-`` counts as the start
    of any class name.
    """

    words: frozenset[str]
    prefixes: frozenset[str]

    @classmethod
    def of_site(cls, pages: Iterable[Path], scripts: Iterable[Path]) -> Vocabulary:
        words: set[str] = set()
        for page in pages:
            words |= page_classes(page.read_text(encoding="utf-8"))
        for script in scripts:
            words.update(WORD.findall(script.read_text(encoding="utf-8")))
        return cls(frozenset(words), frozenset(word for word in words if word.endswith("-")))

    def knows(self, name: str) -> bool:
        if FONT_AWESOME_CLASS.match(name):
            return False  # the icons are drawn by handbook-icons.css instead
        if name in self.words:
            return True
        return any(name[: i + 1] in self.prefixes for i, char in enumerate(name) if char == "-")


@dataclass
class Block:
    """A top-level piece of a stylesheet: a rule, an at-rule or a comment."""

    prelude: str
    body: str | None  # None: a statement (``@import ...;``) or a comment

    def __str__(self) -> str:
        if self.body is None:
            return self.prelude if self.prelude.startswith("/*") else self.prelude + ";"
        return f"{self.prelude}{{{self.body}}}"


def _skip_string(css: str, i: int) -> int:
    quote_char, i = css[i], i + 1
    while i < len(css) and css[i] != quote_char:
        i += 2 if css[i] == "\\" else 1
    return i + 1


def _skip_comment(css: str, i: int) -> int:
    end = css.find("*/", i + 2)
    return len(css) if end < 0 else end + 2


def _closing_brace(css: str, i: int) -> int:
    depth = 0
    while i < len(css):
        char = css[i]
        if char in "\"'":
            i = _skip_string(css, i)
            continue
        if css.startswith("/*", i):
            i = _skip_comment(css, i)
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ValueError("unbalanced braces")


def blocks(css: str) -> Iterator[Block]:
    """The top-level blocks of a stylesheet; license comments (``/*!``) kept."""
    i, start = 0, 0
    while i < len(css):
        char = css[i]
        if css.startswith("/*", i):
            end = _skip_comment(css, i)
            if css.startswith("/*!", i) and not css[start:i].strip():
                yield Block(css[i:end], None)
                start = end
            i = end
        elif char in "\"'":
            i = _skip_string(css, i)
        elif char == ";":
            yield Block(css[start:i].strip(), None)
            i = start = i + 1
        elif char == "{":
            end = _closing_brace(css, i)
            yield Block(_strip_comments(css[start:i]).strip(), css[i + 1 : end])
            i = start = end + 1
        else:
            i += 1


def _strip_comments(text: str) -> str:
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


def selectors(prelude: str) -> list[str]:
    """Split a selector list at its top-level commas."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(prelude):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(prelude[start:i])
            start = i + 1
    parts.append(prelude[start:])
    return parts


def can_match(selector: str, vocabulary: Vocabulary) -> bool:
    """Whether an element of the site could match the selector.

    Only classes outside brackets and parentheses count: those in
    ``:not(.x)`` or ``:is(.x, .y)`` do not decide whether a selector can
    match, so they are left out, which keeps the rule (the safe side).
    """
    if "\\" in selector:
        return True  # an escaped class name: not worth parsing, keep it
    bare = re.sub(r"\[[^\]]*\]", "", selector)
    while True:
        inner = re.sub(r"\([^()]*\)", "", bare)
        if inner == bare:
            break
        bare = inner
    return all(vocabulary.knows(name) for name in re.findall(r"\.(-?[_a-zA-Z][\w-]*)", bare))


def trim(css: str, vocabulary: Vocabulary) -> str:
    """The stylesheet with only the rules an element of the site can match."""
    kept: list[str] = []
    for block in blocks(css):
        if block.body is None:
            if "Font Awesome" not in block.prelude and "sourceMappingURL" not in block.prelude:
                kept.append(str(block))
        elif block.prelude.startswith("@"):
            keyword = block.prelude[1:].split(None, 1)[0].lower()
            if keyword in {"media", "supports", "container", "layer", "document"}:
                inner = trim(block.body, vocabulary)
                if inner.strip():
                    kept.append(f"{block.prelude}{{{inner}}}")
            elif not (keyword == "font-face" and "Font Awesome" in block.body):
                kept.append(str(block))
        elif any(can_match(selector, vocabulary) for selector in selectors(block.prelude)):
            kept.append(str(block))
    return "".join(kept)


def write_trimmed_stylesheet(app: Sphinx, outdir: Path, pages: Iterable[Path]) -> None:
    scripts = [
        path for path in (outdir / "_static").rglob("*.js")
        if not path.name.startswith("fontawesome")
    ]  # fmt: skip
    vocabulary = Vocabulary.of_site(pages, scripts)
    source = theme_stylesheet(app).read_text(encoding="utf-8")
    target = outdir / TRIMMED_STYLESHEET
    # Trimming parses 376 KB of CSS (about 0.4 s): skip it when neither the
    # theme's stylesheet nor the class names in use changed since last time.
    key = hashlib.sha256("\n".join([source, *sorted(vocabulary.words)]).encode()).hexdigest()
    stamp = Path(app.doctreedir) / "handbook-trimmed-css.key"  # not shipped with the site
    if target.exists() and stamp.exists() and stamp.read_text() == key:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(trim(source, vocabulary) + "\n", encoding="utf-8")
    stamp.write_text(key)


def remove_unused_theme_files(outdir: Path) -> None:
    for name in UNUSED_THEME_FILES:
        path = outdir / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


# -- Citation lists ------------------------------------------------------------


def visit_citation(self: HTML5Translator, node: nodes.citation) -> None:
    """As docutils does, with ``listitem`` for the deprecated ``doc-biblioentry``."""
    if not isinstance(node.previous_sibling(), nodes.citation):
        self.body.append('<div role="list" class="citation-list">\n')
    self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))


def depart_citation(self: HTML5Translator, node: nodes.citation) -> None:
    self.body.append("</div>\n")
    if not isinstance(node.next_node(descend=False, siblings=True), nodes.citation):
        self.body.append("</div>\n")


# -- Print ---------------------------------------------------------------------


def bare_address(uri: str) -> str:
    return re.sub(r"^[a-z]+://(?:www\.)?", "", uri.strip()).rstrip("/")


def mark_address_links(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Class ``url-text`` on links whose text is their address.

    The print stylesheet (handbook.css) prints where a link goes after its
    text; for these that would print the address twice.
    """
    if not serves_theme(app):
        return
    for reference in doctree.findall(nodes.reference):
        uri = reference.get("refuri", "")
        if "://" in uri and bare_address(reference.astext()) == bare_address(uri):
            reference["classes"].append("url-text")


# -- Events --------------------------------------------------------------------


def on_html_page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Tell ``_templates/layout.html`` to serve the page the light way."""
    if serves_theme(app):
        context["offline_theme"] = {"stylesheet": TRIMMED_STYLESHEET}


def on_build_finished(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or not serves_theme(app):
        return
    outdir = Path(app.outdir)
    pages = {
        str(path.relative_to(outdir).with_suffix("").as_posix()): path
        for path in sorted(outdir.rglob("*.html"))
        if "_static" not in path.relative_to(outdir).parts
    }
    check_icons(app, outdir, pages)
    write_trimmed_stylesheet(app, outdir, pages.values())
    remove_unused_theme_files(outdir)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value(
        "offline_theme_icons", "_static/icons", "html", types=frozenset({str}),
        description="Folder of the SVG icons, relative to conf.py",
    )  # fmt: skip
    app.add_node(nodes.citation, override=True, html=(visit_citation, depart_citation))
    app.connect("builder-inited", write_icons)
    app.connect("doctree-resolved", mark_address_links)
    app.connect("html-page-context", on_html_page_context)
    app.connect("build-finished", on_build_finished)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

"""The web pages as a reader's browser gets them.

A reader's checklist, run in headless Chromium against the built site on a
plain static server:

* every page passes axe-core (4.14, from npm: package-lock.json) with its
  default rules, WCAG A and AA and best practices, none switched off: every
  page on a reader's first visit on a wide screen, and the pages that
  between them show every kind of element in dark mode and on a phone;
* no page asks anything of another server, and nothing it asks for is missing;

Each page is opened once per kind of reader (the ``tour`` fixture) and
every check above that concerns all pages reads that one visit.
* every link and ``#anchor`` inside the site leads to a file and an element;
* a chapter printed from the browser is the chapter and nothing else, with
  the addresses of its outside links printed;
* no page logs an error or a warning;
* on a phone no page scrolls sideways, and wide tables scroll in their own box;
* a chapter page weighs under 200 KB gzipped, and its icons, search, colour modes,
  menus and navigation work (the theme's 1.5 MB Font Awesome script is gone:
  see handbook/ext/theme_assets.py and theme_icons.py).
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from conftest import NODE_MODULES, BookBuild
from readers import pdf_pages

WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# axe's default rule set: the WCAG 2.0, 2.1 and 2.2 A and AA rules and the
# best practices. (Its AAA and experimental rules are off unless asked for.)
AXE = "() => axe.run(document, {resultTypes: ['violations']})"
AXE_VERSION = (4, 14)
# Bytes gzipped (as a web server sends them), everything a page loads on a first
# visit; a chapter came to 105-150 KB with the theme's stylesheet served whole.
PAGE_WEIGHT_LIMIT = 200_000
QUERY = "methotrexate"
PRINTED_CHAPTER = "risks.html"
CHAPTER_WITH_WIDE_TABLES = "biologics.html"
# Characters of Unicode's Private Use Area: where icon fonts keep their
# glyphs. Shown without the font, such a character is an empty box.
ICON_FONT_GLYPH = re.compile("[\ue000-\uf8ff]")


# -- the site and a reader's browser -----------------------------------------------


def site_pages(book: BookBuild) -> list[str]:
    """Every page of the site, as addresses relative to its root."""
    return [path.relative_to(book.html).as_posix() for path in book.pages]


def address(site_url: str, page: str) -> str:
    """Where a reader opens the page; the search page with a search done."""
    return site_url + page + (f"?q={QUERY}" if page == "search.html" else "")


@contextmanager
def reader(browser, viewport: dict[str, int] = WIDE, mode: str | None = None) -> Iterator:
    """A fresh browser profile; ``mode`` is the colour mode the reader chose."""
    context = browser.new_context(viewport=viewport, color_scheme="dark" if mode == "dark" else "light")
    if mode is not None:
        context.add_init_script(f"localStorage.setItem('mode', {json.dumps(mode)})")
    try:
        yield context
    finally:
        context.close()


@dataclass
class Visit:
    """What happened while a page loaded."""

    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    bad_status: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)  # errors and warnings
    errors: list[str] = field(default_factory=list)  # uncaught exceptions
    responses: list = field(default_factory=list)

    def gzipped_bytes_by_url(self) -> dict[str, int]:
        return {response.url: len(gzip.compress(response.body(), 9)) for response in self.responses}


@contextmanager
def visit(context, url: str, until: str = "networkidle") -> Iterator[tuple[object, Visit]]:
    """Open ``url`` in a new tab, recording every request and message.

    By default the page is left until the network has been quiet for half a
    second, so that every request it makes is seen; ``until="load"`` is for
    checks of the page itself (the theme's scripts have run by then).
    """
    page = context.new_page()
    seen = Visit()
    page.on("request", lambda request: seen.requests.append(request.url))
    page.on("requestfailed", lambda request: seen.failed.append(f"{request.url}: {request.failure}"))
    page.on("response", lambda response: seen.responses.append(response))
    page.on("response", lambda r: seen.bad_status.append(f"{r.url}: HTTP {r.status}") if r.status >= 400 else None)
    page.on(
        "console",
        lambda m: seen.console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None,
    )
    page.on("pageerror", lambda error: seen.errors.append(str(error)))
    page.goto(url, wait_until=until)
    if "search.html?q=" in url:  # the results come after the page has loaded
        page.locator("#search-results .search-summary", has_text="Search finished").wait_for()
    try:
        yield page, seen
    finally:
        page.close()


def compact(text: str) -> str:
    """Text without whitespace or hyphens: PDF line breaks fall anywhere.

    Where a line breaks depends on the fonts a machine has; a break after a
    hyphen ("6-mercaptopurine") or a hyphenation point comes back from the
    PDF with the hyphen dropped or added, so hyphens are left out of both sides.
    """
    return re.sub(r"[\s\-\u00ad\u2010\u2011]+", "", text)


def printed_text(page, tmp_path: Path) -> str:
    pdf = tmp_path / "printed.pdf"
    pdf.write_bytes(page.pdf(format="A4"))
    return "\n".join(pdf_pages(pdf))


# -- accessibility ----------------------------------------------------------------


def page_parts(html: str) -> set[str]:
    """The kinds of element a page has: its tag names and class names."""
    tags = set(re.findall(r"<([a-z][a-z0-9-]*)", html))
    classes = {name for value in re.findall(r'\bclass="([^"]*)"', html) for name in value.split()}
    return tags | {f".{name}" for name in classes}


def pages_showing_every_kind_of_element(book: BookBuild) -> list[str]:
    """A few pages that between them have every tag and class of the site (a greedy set cover)."""
    parts = {name: page_parts((book.html / name).read_text(encoding="utf-8")) for name in site_pages(book)}
    left, chosen = set().union(*parts.values()), []
    while left:
        best = max(sorted(parts), key=lambda name: len(parts[name] & left))
        chosen.append(best)
        left -= parts[best]
    return sorted(chosen)


# -- one tour of the site per kind of reader -------------------------------------------
#
# Each page is opened at most once per setup, and everything the checks
# below need is recorded on that one visit: what it asked for and what
# failed, what it logged, axe-core's results, the icon-font glyphs it shows
# and how wide it is. The first visit on a wide screen and the phone in the
# light open every page; the dark setups open the sample of pages that
# between them show every kind of element (dark mode changes colours, and
# the same script runs on every page). axe runs on every page in the first
# setup and on the sample in the others.

SETUPS = {
    # name: (viewport, the colour mode the reader chose (None: a first visit, the theme's "auto"), axe on every page)
    "wide-first-visit": (WIDE, None, True),
    "wide-dark": (WIDE, "dark", False),
    "phone-light": (PHONE, "light", False),
    "phone-dark": (PHONE, "dark", False),
}
# On the first visit, where every request is checked, a page is left until
# the network has been quiet for half a second; in the other setups, until it
# has loaded (what they check is there by then; the quiet half second,
# page after page, cost each of them over 10 s).
WAIT_UNTIL = {"wide-first-visit": "networkidle", "wide-dark": "load", "phone-light": "load", "phone-dark": "load"}
# Where icon-font glyphs are looked for (on every page): a wide screen and a
# phone. Reading every element's ::before and ::after is slow; the dark setups skip it.
GLYPHS_SEEN_IN = ("wide-first-visit", "phone-light")
GLYPHS = """() => [...document.querySelectorAll('*')].flatMap(el => ['::before', '::after']
    .map(p => [el.tagName + '.' + el.className + p, getComputedStyle(el, p).content]))"""


@dataclass
class PageSeen:
    """What one page did and showed in one setup."""

    visit: Visit
    axe: dict | None  # axe-core's results, where it ran
    glyphs: list[str]  # pseudo-element contents with an icon-font character
    width: tuple[int, int]  # the document's scroll width and the window's width
    weight: dict[str, int] | None  # gzipped bytes of everything it loaded, by address (a first visit to a chapter)


@pytest.fixture(scope="module")
def tour(book: BookBuild, site_url: str, browser):
    """``tour(setup)``: each page's PageSeen in that setup, by page; each setup is toured once."""
    axe_script = NODE_MODULES / "axe-core" / "axe.min.js"
    sample = set(pages_showing_every_kind_of_element(book))
    toured: dict[str, dict[str, PageSeen]] = {}

    def seen_in(setup: str) -> dict[str, PageSeen]:
        if setup in toured:
            return toured[setup]
        viewport, mode, axe_everywhere = SETUPS[setup]
        pages: dict[str, PageSeen] = {}
        with reader(browser, viewport, mode) as context:
            if axe_script.is_file():
                # axe-core from node_modules, in every page before the page's own scripts: nothing is fetched.
                context.add_init_script(path=axe_script)
            names = sorted(sample) if mode == "dark" else site_pages(book)
            weighed = {"index.html", *(f"{chapter.docname}.html" for chapter in book.chapters)} if setup == "wide-first-visit" else set()
            for name in names:
                with visit(context, address(site_url, name), until=WAIT_UNTIL[setup]) as (page, seen):
                    weight = seen.gzipped_bytes_by_url() if name in weighed else None
                    axe = page.evaluate(AXE) if axe_script.is_file() and (axe_everywhere or name in sample) else None
                    glyphs = [f"{at} {content!r}" for at, content in page.evaluate(GLYPHS)
                              if ICON_FONT_GLYPH.search(content)] if setup in GLYPHS_SEEN_IN else []  # fmt: skip
                    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
                    if setup == "wide-first-visit" and name == PRINTED_CHAPTER:
                        # What only shows on demand or on paper loads now.
                        page.keyboard.press("Control+k")
                        page.locator("#pst-search-dialog input[name=q]").wait_for()
                        page.keyboard.press("Escape")
                        page.locator(".dropdown-download-buttons .dropdown-toggle").click()
                        page.emulate_media(media="print")
                        page.wait_for_load_state("networkidle")
                pages[name] = PageSeen(seen, axe, glyphs, tuple(width), weight)
        toured[setup] = pages
        return pages

    return seen_in


@pytest.mark.parametrize("setup", list(SETUPS))
def test_pages_pass_axe_with_its_best_practices(book: BookBuild, tour, checkers, setup: str) -> None:
    checked = {name: seen.axe for name, seen in tour(setup).items() if seen.axe is not None}
    problems, rules = [], set()
    for name, results in checked.items():
        rules |= {rule["id"] for kind in ("passes", "incomplete", "inapplicable", "violations") for rule in results[kind]}
        for violation in results["violations"]:
            targets = [node["target"] for node in violation["nodes"][:3]]
            problems.append(f"{name}: {violation['id']} ({violation['help']}) at {targets}")
    engine = next(iter(checked.values()))["testEngine"]
    assert tuple(map(int, engine["version"].split(".")[:2])) >= AXE_VERSION, engine
    # Best practices ran (region, landmark-unique), and the WCAG 2.5.3 rule older axe-core left off.
    assert {"region", "label-content-name-mismatch", "color-contrast", "landmark-unique"} <= rules, sorted(rules)
    assert len(checked) >= (15 if SETUPS[setup][2] else 5), sorted(checked)
    if SETUPS[setup][2]:
        assert sorted(checked) == site_pages(book)
    assert problems == [], "\n".join(problems)


# The search button's template is checked against the theme's in tests/fast/test_theme_templates.py.


# -- privacy and offline ------------------------------------------------------------


def test_no_page_asks_another_server_for_anything_or_misses_a_file(book: BookBuild, site_url: str, tour) -> None:
    origin = site_url.rstrip("/")
    local = (origin + "/", "data:", "blob:")
    elsewhere, missing, asked = [], [], 0
    for name, seen in tour("wide-first-visit").items():
        asked += len(seen.visit.requests)
        elsewhere += [f"{name}: {url}" for url in seen.visit.requests if not url.startswith(local)]
        missing += [f"{name}: {problem}" for problem in seen.visit.failed + seen.visit.bad_status]
    assert asked > 5 * len(site_pages(book)), "hardly any requests were seen"
    problems = [f"asked another server: {r}" for r in elsewhere] + [f"failed: {r}" for r in missing]
    assert problems == [], "\n".join(problems)


def test_no_page_names_a_remote_script_stylesheet_image_or_font(book: BookBuild) -> None:
    remote = re.compile(
        r"""<(?:script|img|iframe|source|audio|video)\b[^>]*\s(?:src|srcset)=["']https?:"""
        r"""|<link\b(?=[^>]*\srel=["'](?:stylesheet|preload|modulepreload|icon|prefetch)["'])"""
        r"""[^>]*\shref=["']https?:""",
        re.IGNORECASE,
    )
    found = []
    for name in site_pages(book):
        found += [f"{name}: {m[0]}" for m in remote.finditer((book.html / name).read_text(encoding="utf-8"))]
    remote_in_css = re.compile(r"(?:url\(\s*[\"']?|@import\s+[\"'])https?:[^)\"']*")
    for stylesheet in sorted((book.html / "_static").rglob("*.css")):
        found += [f"{stylesheet.name}: {m[0]}" for m in remote_in_css.finditer(stylesheet.read_text(encoding="utf-8"))]
    assert found == [], "\n".join(found)


# -- links --------------------------------------------------------------------------


class _LinksAndIds(HTMLParser):
    LINKING = {"a": "href", "area": "href", "link": "href", "img": "src", "script": "src",
               "iframe": "src", "source": "src", "video": "src", "audio": "src", "form": "action"}  # fmt: skip

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value for key, value in attrs if value is not None}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.ids.add(values["name"])
        if tag in self.LINKING and self.LINKING[tag] in values:
            self.links.append(values[self.LINKING[tag]])
        if "srcset" in values:
            self.links += [part.split()[0] for part in values["srcset"].split(",") if part.strip()]


def _parse(path: Path) -> _LinksAndIds:
    parser = _LinksAndIds()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_every_internal_link_and_anchor_leads_somewhere(book: BookBuild) -> None:
    root_path = urlsplit(book.edition.baseurl).path  # where the 404 page's "/..." links start
    parsed = {name: _parse(book.html / name) for name in site_pages(book)}
    broken, links_checked, anchors_checked = [], 0, 0
    for name, page in parsed.items():
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith("//"):
                continue  # another site (the link checker's job) or javascript:/mailto:
            if parts.path.startswith("/"):
                if not parts.path.startswith(root_path):
                    broken.append(f"{name}: {link} is outside the site's path {root_path}")
                    continue
                target = parts.path[len(root_path) :]
            else:
                target = urlsplit(urljoin(name, parts.path)).path if parts.path else name
            target = unquote(target)
            if target == "" or target.endswith("/"):
                target += "index.html"
            links_checked += 1
            if not (book.html / target).is_file():
                broken.append(f"{name}: {link} -> no file {target}")
                continue
            if parts.fragment:
                anchors_checked += 1
                ids = parsed[target].ids if target in parsed else _parse(book.html / target).ids
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{name}: {link} -> no id {parts.fragment!r} in {target}")
    # Stylesheets name files too (images, fonts): each must be there.
    for stylesheet in sorted((book.html / "_static").rglob("*.css")):
        for ref in re.findall(r"url\(\s*[\"']?([^\"')]+)", stylesheet.read_text(encoding="utf-8")):
            if ref.startswith(("data:", "#", "http:", "https:")):
                continue
            links_checked += 1
            if not (stylesheet.parent / urlsplit(ref).path).resolve().is_file():
                broken.append(f"{stylesheet.relative_to(book.html)}: url({ref}) -> no such file")
    assert links_checked > 500 and anchors_checked > 100, (links_checked, anchors_checked)
    assert broken == [], "\n".join(broken)


# -- print ----------------------------------------------------------------------------

PAGE_PARTS = """() => {
    const text = el => (el.textContent || '').split('\\n').map(s => s.replace(/\\s+/g, ' ').trim());
    const chrome = ['#pst-skip-link', '.bd-header', '.bd-sidebar-primary', '.bd-sidebar-secondary',
                    '.bd-header-article', '.prev-next-footer', '.bd-footer-content', '.bd-footer']
        .flatMap(sel => [...document.querySelectorAll(sel)]).flatMap(text);
    const article = document.querySelector('.bd-article');
    const heading = el => {
        const copy = el.cloneNode(true);
        copy.querySelectorAll('.headerlink').forEach(a => a.remove());
        return copy.textContent.trim();
    };
    return {
        article: article.textContent,
        headings: [...article.querySelectorAll('h1, h2, h3')].map(heading),
        paragraphs: [...article.querySelectorAll('section > p')]
            .filter(p => !p.querySelector('a.reference.external')).map(p => p.textContent),
        addresses: [...article.querySelectorAll('a.reference.external[href^="http"]:not(.url-text)')].map(a => a.href),
        addressTexts: [...article.querySelectorAll('a.reference.external.url-text')].map(a => a.href),
        chrome,
    };
}"""


def test_printed_chapter_is_the_chapter_without_the_sites_navigation(site_url: str, browser, tmp_path: Path) -> None:
    with reader(browser) as context, visit(context, site_url + PRINTED_CHAPTER) as (page, _):
        shown = page.evaluate(PAGE_PARTS)
        printed = printed_text(page, tmp_path)
    on_paper = compact(printed)
    assert shown["headings"][0].startswith("5. Risks and monitoring")
    missing = [text for text in shown["headings"] + shown["paragraphs"] if compact(text) not in on_paper]
    assert len(shown["paragraphs"]) > 20 and missing == [], f"not printed: {missing}"
    # Text of the sidebars, header, buttons, menus and footers that the
    # chapter itself does not say (short labels such as "K" could match
    # anything and are left out).
    article = compact(shown["article"])
    chrome = sorted({t for t in shown["chrome"] if len(t) >= 8 and compact(t) not in article})
    assert len(chrome) >= 10, chrome
    assert [t for t in chrome if compact(t) in on_paper] == []


# The chapters' only outside links are the addresses in their reference
# lists, printed as themselves; a link in the text would read like this one.
OUTSIDE_LINK = """() => {
    const p = document.createElement('p');
    p.innerHTML = 'See <a class="reference external" href="https://www.nhs.uk/conditions/">the NHS pages</a>.';
    document.querySelector('.bd-article section').append(p);
}"""


def test_printed_chapter_shows_where_its_outside_links_go(site_url: str, browser, tmp_path: Path) -> None:
    with reader(browser) as context, visit(context, site_url + PRINTED_CHAPTER) as (page, _):
        page.evaluate(OUTSIDE_LINK)
        shown = page.evaluate(PAGE_PARTS)
        on_paper = compact(printed_text(page, tmp_path))
    assert shown["addresses"], "the chapter has no outside link whose text is not its address"
    assert [a for a in shown["addresses"] if f"({a})" not in on_paper] == []
    # A link whose text is its address is not printed twice.
    assert shown["addressTexts"]
    assert [a for a in shown["addressTexts"] if f"{a}({a})" in on_paper] == []


def test_a_reader_in_dark_mode_prints_dark_text_on_white(site_url: str, browser) -> None:
    """The browser fires beforeprint when a reader prints (Chromium's page.pdf() does not)."""
    ink = """() => {
        const [r, g, b] = getComputedStyle(document.querySelector('.bd-article p')).color.match(/\\d+/g).map(Number);
        return [document.documentElement.dataset.theme, (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255];
    }"""
    with reader(browser, mode="dark") as context, visit(context, site_url + PRINTED_CHAPTER) as (page, _):
        on_screen = page.evaluate(ink)
        page.emulate_media(media="print")
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        printing = page.evaluate(ink)
        page.evaluate("window.dispatchEvent(new Event('afterprint'))")
        page.emulate_media(media="screen")
        after = page.evaluate(ink)
    assert on_screen[0] == "dark" and on_screen[1] > 0.6, on_screen
    assert printing[0] == "light" and printing[1] < 0.3, printing
    assert after == on_screen


# -- the console ------------------------------------------------------------------------


def test_no_page_logs_an_error_or_warning(book: BookBuild, tour) -> None:
    problems = []
    for setup in SETUPS:  # a first visit (the theme's "auto"), and readers who chose dark or light
        for name, seen in tour(setup).items():
            problems += [f"{name} ({setup}): {m}" for m in seen.visit.console + seen.visit.errors]
    assert sum(len(tour(setup)) for setup in SETUPS) > 2 * len(site_pages(book))
    assert problems == [], "\n".join(problems)


# -- small screens --------------------------------------------------------------------------


def test_no_page_scrolls_sideways_on_a_phone(book: BookBuild, tour) -> None:
    pages = tour("phone-light")
    assert sorted(pages) == site_pages(book)
    wide = [f"{name}: {scroll}px wide in a {client}px window" for name, seen in pages.items() for scroll, client in [seen.width] if scroll > client]
    assert wide == [], "\n".join(wide)


def test_wide_tables_scroll_in_their_own_box_on_a_phone(site_url: str, browser) -> None:
    with reader(browser, PHONE) as context, visit(context, site_url + CHAPTER_WITH_WIDE_TABLES) as (page, _):
        tables = page.evaluate(
            """() => [...document.querySelectorAll('.bd-article table')].map(t => {
                const box = t.closest('.pst-scrollable-table-container');
                return box && {id: t.id, overflow: getComputedStyle(box).overflowX, boxWidth: box.clientWidth,
                               tableWidth: t.scrollWidth, tabIndex: box.tabIndex};
            })"""
        )
    assert tables and None not in tables, "a table is not in a scrolling box"
    assert [t for t in tables if t["overflow"] != "auto" or t["boxWidth"] > PHONE["width"]] == []
    scrolling = [t for t in tables if t["tableWidth"] > t["boxWidth"]]
    assert scrolling, "no table is wider than the phone: this checks nothing"
    # The theme's script lets a keyboard reach (and so scroll) the boxes that scroll.
    assert all(t["tabIndex"] == 0 for t in scrolling), scrolling


# -- page weight and what must keep working ------------------------------------------------------


def test_chapter_pages_weigh_under_200_kb_gzipped(book: BookBuild, tour) -> None:
    weighed = {name: seen.weight for name, seen in tour("wide-first-visit").items() if seen.weight is not None}
    assert sorted(weighed) == sorted(["index.html", *(f"{chapter.docname}.html" for chapter in book.chapters)])
    heavy = []
    for name, sizes in weighed.items():
        assert not [url for url in sizes if "fontawesome" in url]
        if sum(sizes.values()) >= PAGE_WEIGHT_LIMIT:
            largest = sorted(sizes.items(), key=lambda item: -item[1])[:5]
            heavy.append(f"{name}: {sum(sizes.values())} bytes gzipped; largest: {largest}")
    assert heavy == [], "\n".join(heavy)


ICONS = """async (selector) => Promise.all([...document.querySelectorAll(selector)]
    .filter(el => el.getClientRects().length)
    .map(async el => {
        const style = getComputedStyle(el);
        const uri = (style.maskImage.match(/^url\\("(.*)"\\)$/) || [])[1];
        let decoded = 0;
        if (uri) { const img = new Image(); img.src = uri; await img.decode(); decoded = img.naturalWidth; }
        const box = el.getBoundingClientRect();
        return {icon: el.className, width: box.width, height: box.height, decoded, colour: style.backgroundColor,
                svg: !!uri && uri.startsWith('data:image/svg+xml')};
    }))"""


def _not_drawn(icons: list[dict]) -> list[dict]:
    """Icons that are not a visible box painted through an SVG that decodes."""
    def drawn(icon: dict) -> bool:
        visible = icon["width"] > 8 and icon["height"] > 8 and icon["colour"] != "rgba(0, 0, 0, 0)"
        return visible and icon["svg"] and icon["decoded"] > 0

    return [icon for icon in icons if not drawn(icon)]


def _icon_names(icons: list[dict]) -> set[str]:
    """The icons shown, by Font Awesome name, without the size and style classes."""
    return {
        name for icon in icons for name in icon["icon"].split()
        if name.startswith("fa-") and name not in ("fa-solid", "fa-fw", "fa-lg")
    }  # fmt: skip


def test_header_icons_are_drawn_without_font_awesome(site_url: str, browser) -> None:
    header = ".bd-header-article .fa-solid, .bd-header-article .fas"
    with reader(browser, mode="light") as context, visit(context, site_url + PRINTED_CHAPTER) as (page, _):
        wide = page.evaluate(ICONS, header)
        page.locator(".dropdown-download-buttons .dropdown-toggle").click()
        page.locator(".dropdown-download-buttons .dropdown-menu.show").wait_for()
        menu = page.evaluate(ICONS, ".dropdown-download-buttons .dropdown-menu .fas")
    with reader(browser, PHONE, mode="dark") as context, visit(context, site_url + PRINTED_CHAPTER) as (page, _):
        phone = page.evaluate(ICONS, header)
    assert _icon_names(wide) == {"fa-bars", "fa-download", "fa-sun"}, wide
    assert _icon_names(menu) == {"fa-file-pdf", "fa-book", "fa-print"}, menu
    assert _icon_names(phone) == {"fa-bars", "fa-download", "fa-moon", "fa-magnifying-glass", "fa-list"}, phone
    assert _not_drawn(wide + menu + phone) == []


def test_no_page_shows_an_icon_font_glyph(book: BookBuild, tour) -> None:
    """Without Font Awesome's font, a glyph the theme's CSS still puts in a
    ::before or ::after would be an empty box."""
    glyphs = [f"{name} ({setup}): {glyph}" for setup in GLYPHS_SEEN_IN
              for name, seen in tour(setup).items() for glyph in seen.glyphs]  # fmt: skip
    assert glyphs == [], "\n".join(glyphs)


def _colours(page) -> dict[str, object]:
    return page.evaluate(
        """() => {
            const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number);
            return {theme: document.documentElement.dataset.theme, mode: document.documentElement.dataset.mode,
                    lightness: (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255};
        }"""
    )


def test_theme_switch_turns_dark_mode_on_and_off(site_url: str, browser) -> None:
    with reader(browser) as context, visit(context, site_url + PRINTED_CHAPTER) as (page, _):
        before = _colours(page)
        switch = page.locator(".article-header-buttons .theme-switch-button")
        switch.click()
        page.locator(".article-header-buttons .theme-change-button[data-mode=dark]").click()
        dark = _colours(page)
        page.reload(wait_until="networkidle")
        remembered = _colours(page)
        switch.click()
        page.locator(".article-header-buttons .theme-change-button[data-mode=light]").click()
        light = _colours(page)
    assert before["theme"] == "light" and before["lightness"] > 0.8, before
    assert dark["theme"] == dark["mode"] == "dark" and dark["lightness"] < 0.2, dark
    assert remembered["theme"] == "dark", remembered
    assert light["theme"] == "light" and light["lightness"] > 0.8, light


def test_search_from_a_chapter_finds_methotrexate(site_url: str, browser) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    with reader(browser) as context, visit(context, site_url + PRINTED_CHAPTER) as (page, _):
        page.locator(".search-button__button:visible").first.click()
        field = page.locator("#pst-search-dialog input[name=q]")
        field.fill(QUERY)
        with page.expect_navigation():
            field.press("Enter")
        results = page.locator("#search-results ul.search li")
        results.first.wait_for(timeout=15_000)
        # Each result's lines of text arrive later (searchtools.js fetches
        # the page): on a busy machine the first results are listed before
        # their summaries. Give them time; the assertions below say what is
        # missing if they never come.
        try:
            page.wait_for_function(
                """([query, count]) => {
                    const items = [...document.querySelectorAll("#search-results ul.search li")].slice(0, count);
                    return items.length > 0 && items.every(li => li.textContent.toLowerCase().includes(query));
                }""",
                arg=[QUERY, 5],
                timeout=15_000,
            )
        except PlaywrightTimeoutError:
            pass
        found = results.evaluate_all(
            "items => items.map(li => [li.querySelector('a').getAttribute('href'), li.textContent])"
        )
        url = page.url
    assert urlsplit(url).path.endswith("/search.html") and f"q={QUERY}" in url, url
    assert any(href.startswith(PRINTED_CHAPTER) for href, _ in found), found
    assert all(QUERY in text.lower() for _, text in found[:5]), found[:5]


def test_navigation_menus_and_tooltips_work_on_a_wide_screen(site_url: str, browser) -> None:
    with reader(browser) as context, visit(context, site_url + PRINTED_CHAPTER) as (page, _):
        # Bootstrap's tooltips and menus, styled by the theme's stylesheet.
        page.locator(".article-header-buttons .theme-switch-container").hover()
        tooltip = page.locator(".tooltip.show")
        tooltip.wait_for()
        assert tooltip.inner_text() == "Color mode"
        page.locator(".dropdown-download-buttons .dropdown-toggle").click()
        menu = page.locator(".dropdown-download-buttons .dropdown-menu.show")
        assert menu.is_visible() and "Chapter 5 (PDF)" in menu.inner_text()
        page.keyboard.press("Escape")
        # The menu button hides and shows the sidebar.
        sidebar = page.locator("#pst-primary-sidebar")
        page.locator(".bd-header-article .primary-toggle").click()
        sidebar.wait_for(state="hidden")
        page.locator(".bd-header-article .primary-toggle").click()
        sidebar.wait_for(state="visible")
        # Links in the sidebar and at the foot of the page lead on.
        with page.expect_navigation():
            page.locator(".prev-next-footer a.right-next").click()
        assert page.url.endswith("/lifestyle.html")
        with page.expect_navigation():
            page.locator("nav.bd-docs-nav a", has_text="Glossary").click()
        assert page.url.endswith("/glossary.html")


def test_navigation_opens_from_the_menu_buttons_on_a_phone(site_url: str, browser) -> None:
    with reader(browser, PHONE) as context, visit(context, site_url + CHAPTER_WITH_WIDE_TABLES) as (page, _):
        page.locator(".bd-header-article .primary-toggle").click()
        navigation = page.locator("#pst-primary-sidebar-modal nav.bd-docs-nav")
        navigation.wait_for()
        with page.expect_navigation():
            navigation.locator("a", has_text="Risks and monitoring").click()
        assert page.url.endswith("/risks.html")
        page.locator(".bd-header-article .secondary-toggle").click()
        contents = page.locator("#pst-secondary-sidebar-modal")
        contents.wait_for()
        assert "5.1. Why calming the immune system carries risks" in contents.inner_text()

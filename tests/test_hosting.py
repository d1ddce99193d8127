"""Hosting the handbook: any static host, its base URL, search engines, CI.

A reader's checklist for the published book: the site works from a plain
static server and from a folder on disk (the offline bundle), a missing page
gets a 404 page that looks like the site at any depth and under any path,
search engines find a sitemap and every page describes itself, and GitHub
Pages and Read the Docs build it with the very Make targets a person runs.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import os
import re
import shutil
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from conftest import ROOT, BookBuild, run_build, site_pages
from handbook.meta import EDITION_FILE, load_edition, load_redirects
from readers import pdf_link_uris, pdf_pages

REBASED_URL = "https://example.org/handbook/"
SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
NOT_IN_SITEMAP = {"404.html", "search.html", "genindex.html"}
OPENGRAPH_TAGS = (
    "og:title", "og:type", "og:url", "og:site_name", "og:description", "og:image", "og:image:alt",
    "description",  # the plain meta description search engines show
)  # fmt: skip
FIXED_EPOCH = "1767225600"  # 2026-01-01 00:00:00 UTC


# -- reading the site --------------------------------------------------------------


def pages(html: Path) -> list[Path]:
    """Every HTML page of the site (the downloads, assets and old addresses of moved pages are not pages)."""
    return site_pages(html)


def head_tags(page: Path) -> dict[str, str]:
    """OpenGraph, description and canonical values of a page's <head>."""
    text = page.read_text(encoding="utf-8")
    head = text[: text.find("</head>")]
    found = {}
    for match in re.finditer(r'<meta (?:property|name)="([^"]+)" content="([^"]*)"', head):
        found.setdefault(match[1], match[2])
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', head)
    if canonical:
        found["canonical"] = canonical[1]
    return found


def sitemap_urls(html: Path) -> list[str]:
    root = ET.parse(html / "sitemap.xml").getroot()
    return [loc.text or "" for loc in root.findall("sm:url/sm:loc", SITEMAP_NS)]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


# -- a static host like GitHub Pages -------------------------------------------------


class _StaticHost(http.server.SimpleHTTPRequestHandler):
    """Files under a path prefix; any missing path gets 404.html with status 404.

    That is what GitHub Pages, Read the Docs and most static hosts do; no
    rewrite rules, so the 404 page is the same file at every depth.
    """

    prefix = "/"

    def translate_path(self, path: str) -> str:
        path = urlsplit(path).path
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / ".outside-the-site")
        return super().translate_path("/" + path[len(self.prefix) :])

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@dataclass
class Host:
    root: str  # the site's URL on this host, ending in /


@functools.cache
def _handler(prefix: str) -> type[_StaticHost]:
    return type("Handler", (_StaticHost,), {"prefix": prefix})


def serve(directory: Path, prefix: str) -> Iterator[Host]:
    handler = functools.partial(_handler(prefix), directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Host(f"http://127.0.0.1:{server.server_address[1]}{prefix}")
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def pages_host(book: BookBuild) -> Iterator[Host]:
    """The default build at the root of a host that answers unknown paths with 404.html."""
    yield from serve(book.html, "/")


@dataclass(frozen=True)
class RebasedBuild:
    build_dir: Path
    output: str

    @property
    def html(self) -> Path:
        return self.build_dir / "html"


@pytest.fixture(scope="module")
def rebased(book: BookBuild, tmp_path_factory: pytest.TempPathFactory) -> RebasedBuild:
    """An HTML-only build for a site hosted under a path: HANDBOOK_BASEURL=https://example.org/handbook/.

    It starts from a copy of the session build's Sphinx cache, as a second
    build in a checkout would: only the base URL differs, so Sphinx writes
    every page again from its cache without reading them.
    """
    chosen = os.environ.get("HANDBOOK_TEST_BUILD_DIR")
    build_dir = Path(f"{chosen}-rebased").resolve() if chosen else tmp_path_factory.mktemp("rebased")
    for cache in ("doctrees-html", "html"):
        shutil.rmtree(build_dir / ".work" / cache, ignore_errors=True)
        shutil.copytree(book.build_dir / ".work" / cache, build_dir / ".work" / cache)
    result = run_build(build_dir, "html", env=dict(os.environ, HANDBOOK_BASEURL=REBASED_URL))
    if result.returncode != 0:
        pytest.fail(f"the HTML build with HANDBOOK_BASEURL fails:\n{result.stdout}\n{result.stderr}", pytrace=False)
    return RebasedBuild(build_dir, result.stdout + result.stderr)


@pytest.fixture(scope="module")
def rebased_host(rebased: RebasedBuild) -> Iterator[Host]:
    """The rebased build served where its base URL says: under /handbook/."""
    yield from serve(rebased.html, urlsplit(REBASED_URL).path)


def open_404_from_a_nested_path(browser, host: Host) -> dict:
    """Open a missing page three folders deep; report what loaded and how it looks."""
    page = browser.new_page()
    stylesheets: list[tuple[str, int]] = []
    failed: list[str] = []
    page.on(
        "response",
        lambda r: stylesheets.append((r.url, r.status)) if r.request.resource_type == "stylesheet" else None,
    )
    page.on("requestfailed", lambda r: failed.append(r.url))
    response = page.goto(host.root + "no/such/page.html")
    page.wait_for_load_state("load")
    looks = page.evaluate(
        """() => ({
            links: document.querySelectorAll('link[rel="stylesheet"]').length,
            font: getComputedStyle(document.body).fontFamily,
            sidebar: getComputedStyle(document.querySelector('.bd-sidebar-primary')).display,
            heading: (document.querySelector('article h1') || {textContent: ''}).textContent,
        })"""
    )
    loaded = {"status": response.status, "stylesheets": list(stylesheets), "failed": list(failed), **looks}
    risks_link = page.locator("nav.bd-docs-nav a", has_text="Risks and monitoring").first
    with page.expect_navigation():
        risks_link.click()
    loaded["followed"] = page.url, page.locator("article h1").first.inner_text()
    page.close()
    return loaded


def unstyled_font(browser) -> str:
    page = browser.new_page()
    page.set_content("<html><body><p>plain</p></body></html>")
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    page.close()
    return font


# -- any static host -------------------------------------------------------------


def test_plain_static_server_serves_every_download_link(book: BookBuild, site_url: str) -> None:
    index = (book.html / "index.html").read_text(encoding="utf-8")
    links = sorted(set(re.findall(r'href="(downloads/[^"]+)"', index)))
    assert len(links) == 2 + len(book.chapters) + 2, links  # book PDF, EPUB, every chapter PDF, the checklist (A4, Letter)
    for link in links:
        status, body = fetch(site_url + link)
        assert status == 200, f"{link}: HTTP {status}"
        assert body[:4] in (b"%PDF", b"PK\x03\x04"), f"{link} is neither a PDF nor an EPUB"


def test_404_page_from_a_nested_path_keeps_the_sites_look(book: BookBuild, pages_host: Host, browser) -> None:
    seen = open_404_from_a_nested_path(browser, pages_host)
    assert seen["status"] == 404
    assert seen["failed"] == [], f"requests that failed: {seen['failed']}"
    assert len(seen["stylesheets"]) >= seen["links"] >= 4, seen["stylesheets"]
    assert [s for s in seen["stylesheets"] if s[1] != 200] == []
    assert seen["font"] != unstyled_font(browser), "the 404 page shows the browser's default font"
    assert seen["sidebar"] == "flex", "the 404 page lost the theme's sidebar layout"
    assert seen["heading"].strip() == "Page not found"
    # Its navigation leads back into the book.
    url, heading = seen["followed"]
    assert url == pages_host.root + "risks.html" and "Risks and monitoring" in heading


def test_404_page_links_start_at_the_base_urls_path(book: BookBuild, rebased: RebasedBuild) -> None:
    default_prefix = urlsplit(book.edition.baseurl).path
    for html, prefix in ((book.html, default_prefix), (rebased.html, "/handbook/")):
        text = (html / "404.html").read_text(encoding="utf-8")
        assets = re.findall(r'(?:href|src)="([^"]*_static/[^"]+)"', text)
        assert assets and all(a.startswith(prefix + "_static/") for a in assets), (prefix, assets[:3])


def test_404_page_works_for_a_site_hosted_under_a_path(rebased_host: Host, browser) -> None:
    seen = open_404_from_a_nested_path(browser, rebased_host)
    assert seen["status"] == 404
    assert seen["failed"] == [] and seen["stylesheets"], seen
    assert [s for s in seen["stylesheets"] if s[1] != 200] == []
    assert seen["sidebar"] == "flex"
    assert seen["followed"][0] == rebased_host.root + "risks.html"


# -- the base URL --------------------------------------------------------------------


def test_every_page_has_a_canonical_link_at_the_base_url(book: BookBuild) -> None:
    for page in pages(book.html):
        assert head_tags(page).get("canonical") == book.edition.baseurl + page.name, page.name


def test_rebased_build_uses_the_new_base_url_everywhere(rebased: RebasedBuild) -> None:
    for page in pages(rebased.html):
        assert head_tags(page).get("canonical") == REBASED_URL + page.name, page.name
    urls = sitemap_urls(rebased.html)
    assert urls and all(u.startswith(REBASED_URL) for u in urls), urls[:3]
    assert f"Sitemap: {REBASED_URL}sitemap.xml" in (rebased.html / "robots.txt").read_text()
    tags = head_tags(rebased.html / "risks.html")
    assert tags["og:url"] == REBASED_URL + "risks.html"
    assert tags["og:image"] == REBASED_URL + "_static/social-card.png"


def test_sitemap_stays_complete_after_an_incremental_build(rebased: RebasedBuild) -> None:
    # Sphinx rewrites only the pages whose output is missing or older than
    # their source; sphinx-sitemap alone would then list just those.
    (rebased.build_dir / ".work" / "html" / "risks.html").unlink()
    result = run_build(rebased.build_dir, "html", "--force", env=dict(os.environ, HANDBOOK_BASEURL=REBASED_URL))
    assert result.returncode == 0, result.stdout + result.stderr
    urls = sitemap_urls(rebased.html)
    assert urls == sorted(urls), "the sitemap's order changes from build to build"
    assert set(urls) == {REBASED_URL + p.name for p in pages(rebased.html) if p.name not in NOT_IN_SITEMAP}


def test_chapter_pdfs_link_other_chapters_at_the_base_url(book: BookBuild) -> None:
    docnames = {c.docname for c in book.chapters}
    linked = set()
    for chapter in book.chapters:
        for uri in pdf_link_uris(book.chapter_pdf(chapter)):
            page = re.match(r"(?:.*/)?([^/#]+)\.html(?:#.*)?$", uri)
            if page and page[1] in docnames:
                assert uri.startswith(book.edition.baseurl), f"{chapter.pdf_name} links {uri}"
                linked.add(page[1])
    assert len(linked) >= 3, f"chapter PDFs link only {sorted(linked)} online"


# -- search engines and sharing ------------------------------------------------------


def test_sitemap_lists_every_page_at_the_base_url(book: BookBuild) -> None:
    urls = sitemap_urls(book.html)
    assert len(urls) == len(set(urls)), "a page is listed twice"
    expected = {book.edition.baseurl + p.name for p in pages(book.html) if p.name not in NOT_IN_SITEMAP}
    assert set(urls) == expected


def test_every_listed_page_has_opengraph_and_description(book: BookBuild) -> None:
    for url in sitemap_urls(book.html):
        page = book.html / url.removeprefix(book.edition.baseurl)
        tags = head_tags(page)
        for key in OPENGRAPH_TAGS:
            assert tags.get(key, "").strip(), f"{page.name} has no {key}"
        assert tags["og:url"] == url
        assert tags["og:image"] == book.edition.baseurl + "_static/social-card.png"
        assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")
        assert tags["twitter:card"] == "summary_large_image"


def test_social_card_ships_with_the_site_at_1200_by_630(book: BookBuild, site_url: str) -> None:
    source = (ROOT / "_static" / "social-card.svg").read_text(encoding="utf-8")
    assert 'width="1200" height="630"' in source
    assert png_size(ROOT / "_static" / "social-card.png") == (1200, 630)
    status, body = fetch(site_url + "_static/social-card.png")
    assert status == 200 and body == (ROOT / "_static" / "social-card.png").read_bytes()


def test_robots_txt_points_to_the_sitemap(book: BookBuild, site_url: str) -> None:
    status, body = fetch(site_url + "robots.txt")
    assert status == 200
    lines = body.decode().splitlines()
    assert "User-agent: *" in lines
    assert not any(line.strip() == "Disallow: /" for line in lines), "robots.txt shuts crawlers out"
    sitemap = next(line.split(":", 1)[1].strip() for line in lines if line.startswith("Sitemap:"))
    assert sitemap == book.edition.baseurl + "sitemap.xml"
    status, _ = fetch(site_url + sitemap.removeprefix(book.edition.baseurl))
    assert status == 200


def test_no_matplotlib_message_when_sphinx_loads_the_config() -> None:
    # sphinxext-opengraph prints it on import unless told there are no cards: conf.py
    # loads it through handbook.ext.opengraph_without_cards, whose setup() says so first.
    code = (
        "import runpy; from sphinx.application import Sphinx; conf = runpy.run_path('conf.py'); "
        "assert 'sphinxext.opengraph' not in conf['extensions'], 'loaded without the stand-in'; "
        "from handbook.ext import opengraph_without_cards as ext; "
        "ext.stand_in_for_cards(); import sphinxext.opengraph"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "matplotlib" not in result.stdout + result.stderr


# -- the offline bundle ----------------------------------------------------------


@dataclass(frozen=True)
class Bundle:
    zip: Path
    checksum: Path
    unpacked: Path  # the folder inside the zip, extracted

    @property
    def top(self) -> str:
        return self.zip.stem


def make_dist(build_dir: Path, dist: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "handbook.make_dist", "--build-dir", str(build_dir), "--dist-dir", str(dist)]
    env = dict(os.environ, SOURCE_DATE_EPOCH=FIXED_EPOCH)
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)


@pytest.fixture(scope="module")
def bundle(book: BookBuild, tmp_path_factory: pytest.TempPathFactory) -> Bundle:
    dist = tmp_path_factory.mktemp("dist")
    result = make_dist(book.build_dir, dist)
    assert result.returncode == 0, result.stdout + result.stderr
    archive = dist / f"{book.edition.book_stem}.zip"
    unpacked = tmp_path_factory.mktemp("unzipped")
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(unpacked)
    return Bundle(archive, dist / f"{archive.name}.sha256", unpacked / archive.stem)


def test_bundle_holds_the_site_every_pdf_and_the_epub(book: BookBuild, bundle: Bundle) -> None:
    stem = book.edition.book_stem
    assert bundle.zip.name == f"autoimmune-therapy-handbook-{book.edition.edition}.zip"
    with zipfile.ZipFile(bundle.zip) as zf:
        names = set(zf.namelist())
        assert all(n.startswith(bundle.top + "/") for n in names), "files outside the bundle's folder"
        expected = {
            (f"downloads/{stem}.pdf", book.print_pdf),
            (f"downloads/{stem}.epub", book.epub),
            *((f"downloads/chapters/{c.pdf_name}", book.print_chapter_pdf(c)) for c in book.chapters),
            ("index.html", book.html / "index.html"),
            ("searchindex.js", book.html / "searchindex.js"),
            ("_static/social-card.png", book.html / "_static" / "social-card.png"),
        }
        for name, built in expected:
            assert zf.read(f"{bundle.top}/{name}") == built.read_bytes(), f"{name} differs from the build's"
        every_page = {f"{bundle.top}/{p.name}" for p in pages(book.html)} - {f"{bundle.top}/404.html"}
        assert every_page <= names
        assert f"{bundle.top}/README.txt" in names
        for host_only in ("404.html", "sitemap.xml", "robots.txt", ".buildinfo"):
            assert f"{bundle.top}/{host_only}" not in names


def test_bundle_is_reproducible(book: BookBuild, bundle: Bundle, tmp_path: Path) -> None:
    with zipfile.ZipFile(bundle.zip) as zf:
        infos = zf.infolist()
    names = [i.filename for i in infos]
    assert names == sorted(names), "entries are not in sorted order"
    assert {i.date_time for i in infos} == {time.gmtime(int(FIXED_EPOCH))[:6]}
    assert make_dist(book.build_dir, tmp_path).returncode == 0
    assert (tmp_path / bundle.zip.name).read_bytes() == bundle.zip.read_bytes()


def test_bundle_checksum_file_is_in_sha256sum_format(bundle: Bundle) -> None:
    digest = hashlib.sha256(bundle.zip.read_bytes()).hexdigest()
    assert bundle.checksum.read_text() == f"{digest}  {bundle.zip.name}\n"
    check = subprocess.run(
        ["sha256sum", "-c", bundle.checksum.name], cwd=bundle.zip.parent, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_make_dist_refuses_an_incomplete_build(tmp_path: Path) -> None:
    (tmp_path / "html").mkdir()
    result = make_dist(tmp_path, tmp_path / "dist")
    assert result.returncode == 1
    assert "make all" in result.stderr
    assert not (tmp_path / "dist").exists() or not any((tmp_path / "dist").iterdir())


def test_bundle_opens_from_disk_with_navigation_search_and_downloads(book: BookBuild, bundle: Bundle, browser) -> None:
    page = browser.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto((bundle.unpacked / "index.html").as_uri())
    downloads = page.locator("ul.handbook-downloads a").evaluate_all("links => links.map(a => a.href)")
    assert len(downloads) == 2 + len(book.chapters) + 2  # and the checklist, A4 and Letter
    for href in downloads:
        assert href.startswith("file://") and Path(urlsplit(href).path).is_file(), href

    with page.expect_navigation():
        page.locator("nav.bd-docs-nav a", has_text="Risks and monitoring").first.click()
    assert page.url == (bundle.unpacked / "risks.html").as_uri()
    assert "Risks and monitoring" in page.locator("article h1").first.inner_text()

    page.goto((bundle.unpacked / "search.html").as_uri() + "?q=methotrexate")
    results = page.locator("#search-results ul.search li")
    results.first.wait_for(timeout=15_000)
    assert results.count() >= 2
    assert "Risks and monitoring" in page.locator("#search-results").inner_text()
    page.close()

    assert [u for u in requests if not u.startswith(("file:", "data:", "about:"))] == [], "the bundle reached out"
    assert errors == [], errors


# -- one edition, everywhere ----------------------------------------------------------


def test_citation_cff_matches_edition_yaml() -> None:
    edition = yaml.safe_load(EDITION_FILE.read_text(encoding="utf-8"))
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["cff-version"] == "1.2.0"
    assert citation["title"] == edition["title"]
    assert str(citation["version"]) == str(edition["edition"])
    assert str(citation["date-released"]) == str(edition["date"])
    assert citation["url"] == edition["baseurl"]
    assert citation["authors"] == [{"name": edition["author"]}]
    assert citation["license"] == "CC-BY-4.0"
    assert citation["message"].strip()
    book = citation["preferred-citation"]
    assert book["type"] == "book" and book["title"] == edition["title"]
    assert str(book["edition"]) == str(edition["edition"])
    assert int(book["year"]) == int(str(edition["date"])[:4])
    assert book["authors"] == citation["authors"] and book["url"] == edition["baseurl"]


def test_html_footer_shows_the_edition(book: BookBuild) -> None:
    text = (book.html / "index.html").read_text(encoding="utf-8")
    footer = re.sub(r"<[^>]+>|\s+", " ", text[text.find('<footer class="bd-footer-content"') :])
    assert re.search(rf"\bEdition {re.escape(book.edition.edition)}\b", footer, re.IGNORECASE), footer[:400]


def test_pdfs_show_the_edition_on_their_first_page(book: BookBuild) -> None:
    for pdf in (book.book_pdf, *(book.chapter_pdf(c) for c in book.chapters)):
        first = re.sub(r"\s+", " ", pdf_pages(pdf)[0])
        assert f"Edition {book.edition.edition}" in first, pdf.name
    assert book.edition.human_date in re.sub(r"\s+", " ", pdf_pages(book.book_pdf)[0])


def test_file_names_carry_the_edition(book: BookBuild) -> None:
    edition = load_edition().edition
    assert book.book_pdf.name == book.epub.name.replace(".epub", ".pdf") == f"autoimmune-therapy-handbook-{edition}.pdf"
    assert book.book_pdf.is_file() and book.epub.is_file()


# -- CI: GitHub Pages and Read the Docs ---------------------------------------------------


def readme_targets() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"^make ([a-z][\w-]*)", readme, re.MULTILINE))


def make_targets(commands: list[str]) -> list[str]:
    return [target for command in commands for target in re.findall(r"(?:^|&&|;)\s*make ([a-z][\w-]*)", command)]


def makefile_build_packages() -> set[str]:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    block = re.search(r"^DEB_BUILD\s*:=(.*?)(?<!\\)\n", makefile, re.MULTILINE | re.DOTALL)
    assert block, "no DEB_BUILD in the Makefile"
    return {pair.split(":", 1)[1] for pair in block[1].replace("\\\n", " ").split()}


def test_readme_documents_make_all_and_make_test() -> None:
    assert {"all", "test"} <= readme_targets()


def test_pages_workflow_builds_with_make_all_and_deploys_the_site() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8"))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "push" in triggers
    jobs = workflow["jobs"]
    steps = [step for job in jobs.values() for step in job["steps"]]
    targets = make_targets([step["run"] for step in steps if "run" in step])
    assert targets == ["all"]
    assert set(targets) <= readme_targets()

    uses = {step["uses"].split("@")[0]: step for step in steps if "uses" in step}
    for action in ("actions/checkout", "actions/upload-pages-artifact", "actions/deploy-pages"):
        assert action in uses, f"{action} is not used"
    assert uses["actions/upload-pages-artifact"]["with"]["path"] == "_build/html"
    for step in steps:
        if "uses" in step:
            ref = step["uses"].split("@")[1]
            assert re.fullmatch(r"[0-9a-f]{40}|v\d+\.\d+\.\d+", ref), f"{step['uses']} is not pinned exactly"

    # Least privilege: read the code; only the deploy job may publish.
    assert workflow["permissions"] == {"contents": "read"}
    allowed = {"contents": {"read"}, "pages": {"read", "write"}, "id-token": {"write"}}
    for name, job in jobs.items():
        assert job.get("timeout-minutes"), f"job {name} has no timeout-minutes"
        for scope, level in job.get("permissions", {}).items():
            assert level in allowed.get(scope, set()), f"job {name} asks for {scope}: {level}"
    deploy = next(job for job in jobs.values() if any("deploy-pages" in s.get("uses", "") for s in job["steps"]))
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"


def test_readthedocs_builds_html_pdf_and_epub_with_make_all(book: BookBuild, tmp_path: Path) -> None:
    config = yaml.safe_load((ROOT / ".readthedocs.yaml").read_text(encoding="utf-8"))
    assert config["version"] == 2
    build = config["build"]
    assert build["os"].startswith("ubuntu-")
    assert makefile_build_packages() <= set(build["apt_packages"]), "apt_packages misses what the Makefile checks"
    assert config["python"]["install"] == [{"requirements": "requirements/build.txt"}], "Read the Docs installs the build set only"
    assert {"pdf", "epub"} <= set(config["formats"])
    jobs = build["jobs"]["build"]
    commands = [c for step in ("html", "pdf", "epub") for c in jobs[step]]
    assert make_targets(commands) == ["all"]
    assert set(make_targets(commands)) <= readme_targets()

    # Run the steps as Read the Docs would (each command in a fresh shell), on
    # this session's build instead of running `make all` again.
    work = tmp_path / "checkout"
    work.mkdir()
    (work / "_build").symlink_to(book.build_dir)
    output = tmp_path / "_readthedocs"
    env = dict(os.environ, READTHEDOCS_OUTPUT=str(output), READTHEDOCS_CANONICAL_URL=book.edition.baseurl)
    for command in commands:
        if command.startswith("make "):
            continue
        subprocess.run(["bash", "-c", command], cwd=work, env=env, check=True)
    assert (output / "html" / "index.html").read_bytes() == (book.html / "index.html").read_bytes()
    assert (output / "html" / "downloads" / book.print_pdf.name).read_bytes() == book.print_pdf.read_bytes()
    assert [p.name for p in (output / "pdf").iterdir()] == [book.print_pdf.name]
    assert (output / "pdf" / book.print_pdf.name).read_bytes() == book.print_pdf.read_bytes(), "Read the Docs offers the untagged PDF"
    assert [p.name for p in (output / "epub").iterdir()] == [book.epub.name]


def test_ci_uses_the_python_the_pins_are_for() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8"))
    rtd = yaml.safe_load((ROOT / ".readthedocs.yaml").read_text(encoding="utf-8"))
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    setup = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert str(setup["with"]["python-version"]) == str(rtd["build"]["tools"]["python"]) == "3.11"


def test_old_addresses_of_moved_pages_send_the_reader_on(book: BookBuild) -> None:
    """Edition 1.0's numbered addresses (05-risks.html) keep working, from any static host."""
    redirects = load_redirects()
    assert "05-risks" in redirects, "the first edition's chapter addresses have no redirects"
    for old, new in redirects.items():
        page = (book.html / f"{old}.html").read_text(encoding="utf-8")
        assert (book.html / new).is_file(), f"{old}.html sends readers to {new}, which does not exist"
        assert f'content="0; url={new}"' in page and f'href="{new}"' in page, old
        assert '<html lang="en">' in page and "<title>" in page, f"{old}.html: no language or title"
    sitemap = (book.html / "sitemap.xml").read_text(encoding="utf-8")
    assert not any(f"/{old}.html<" in sitemap for old in redirects), "the sitemap lists old addresses"

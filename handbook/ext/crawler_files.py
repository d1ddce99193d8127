"""What search engines read: a sitemap that lists every page, and robots.txt.

Two gaps that sphinx-sitemap leaves, closed for the HTML builder:

* **Every page, on every build.** sphinx-sitemap lists the pages written in
  the current run, so an incremental build (one chapter edited) would
  publish a sitemap of one chapter. Before it writes ``sitemap.xml``, the
  pages this run did not write are added from the environment's documents,
  minus ``sitemap_excludes``, and the list is sorted so that two builds of
  one commit give the same file.
* **robots.txt at the site's root.** Crawlers take the sitemap's address
  from ``robots.txt`` only as a full URL, and that URL depends on where the
  book is hosted (``html_baseurl``: the edition's base URL, or
  ``HANDBOOK_BASEURL`` at build time). A static file in ``html_extra_path``
  would send every other host's crawlers to the default host, so the file is
  written after each build, next to ``sitemap.xml``. (Crawlers read it only
  at a host's root; a book hosted under a path still ships it, for the
  host's owner to merge into theirs.)

The first: remove when jdillard/sphinx-sitemap#13 is fixed (open): it reads
and refills sphinx-sitemap's private queue ``app.sitemap_links``, so
``setup()`` refuses another sphinx-sitemap version than the one checked.
"""

from __future__ import annotations

import queue
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx_sitemap import is_excluded

from handbook.ext.upstream import require

logger = logging.getLogger(__name__)

#: Builders whose output is a website (the EPUB builder's format is "html" too).
SITE_BUILDERS = ("html",)


def complete_sitemap(app: Sphinx, exception: BaseException | None) -> None:
    """Give sphinx-sitemap every page, sorted, before it writes the file."""
    links = getattr(app, "sitemap_links", None)  # sphinx-sitemap's queue of (link, lastmod)
    if exception is not None or app.builder.name not in SITE_BUILDERS or links is None:
        return
    entries = []
    while True:
        try:
            entries.append(links.get_nowait())
        except queue.Empty:
            break
    listed = {link for link, _ in entries}
    suffix = app.config.html_file_suffix or ".html"
    for docname in app.env.found_docs:
        link = docname + suffix
        if link not in listed and not is_excluded(link, app.config.sitemap_excludes):
            entries.append((link, None))
    for entry in sorted(entries, key=lambda e: e[0]):
        links.put(entry)


def robots_txt(baseurl: str, sitemap: str) -> str:
    """The file's text: every page may be crawled; here is the sitemap."""
    lines = ["User-agent: *", "Allow: /"]
    if baseurl:
        lines += ["", f"Sitemap: {baseurl.rstrip('/')}/{sitemap}"]
    return "\n".join(lines) + "\n"


def write_robots_txt(app: Sphinx, exception: BaseException | None) -> None:
    if exception is not None or app.builder.name not in SITE_BUILDERS:
        return
    baseurl = app.config.html_baseurl
    if not baseurl:
        logger.warning("html_baseurl is not set: robots.txt names no sitemap", type="crawler_files")
    (app.outdir / "robots.txt").write_text(robots_txt(baseurl, app.config.sitemap_filename), encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    require(
        "sphinx-sitemap", "==2.9.*", patch="handbook.ext.crawler_files (app.sitemap_links)",
        remove_when="jdillard/sphinx-sitemap#13 is fixed",
    )  # fmt: skip
    app.setup_extension("sphinx_sitemap")
    # Before sphinx-sitemap's own build-finished handler (priority 500).
    app.connect("build-finished", complete_sitemap, priority=400)
    app.connect("build-finished", write_robots_txt)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

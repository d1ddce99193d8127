"""Write ``robots.txt`` at the site's root, pointing crawlers to the sitemap.

A crawler takes the sitemap's address from ``robots.txt`` only as a full
URL, and that URL depends on where the book is hosted (``html_baseurl``:
the edition's base URL, or ``HANDBOOK_BASEURL`` at build time). A static file
copied from ``html_extra_path`` would send every other host's crawlers to the
default host, so this extension writes the file after each HTML build, next
to the ``sitemap.xml`` that sphinx-sitemap writes.

Crawlers read ``robots.txt`` only at a host's root; a book hosted under a
path (``https://host/handbook/``) still ships the file, for the host's owner
to merge into theirs.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Builders whose output is a website (the EPUB builder's format is "html" too).
SITE_BUILDERS = ("html", "dirhtml")


def robots_txt(baseurl: str, sitemap: str) -> str:
    """The file's text: every page may be crawled; here is the sitemap."""
    lines = ["User-agent: *", "Allow: /"]
    if baseurl:
        lines += ["", f"Sitemap: {baseurl.rstrip('/')}/{sitemap}"]
    return "\n".join(lines) + "\n"


def on_build_finished(app: Sphinx, exception: BaseException | None) -> None:
    if exception is not None or app.builder.name not in SITE_BUILDERS:
        return
    baseurl = app.config.html_baseurl
    if not baseurl:
        logger.warning("html_baseurl is not set: robots.txt names no sitemap", type="robots_txt")
    sitemap = getattr(app.config, "sitemap_filename", "sitemap.xml")
    (app.outdir / "robots.txt").write_text(robots_txt(baseurl, sitemap), encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("build-finished", on_build_finished)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

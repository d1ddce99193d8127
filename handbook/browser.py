"""Headless Debian Chromium, and a static server for a built site.

One launcher for the browser tests (tests/conftest.py), the accessibility
checker (Ace's puppeteer gets the same flags) and the benchmark's page
loads (handbook.bench), so that all of them see the same browser, and one
measure of what a page weighs. Playwright
drives Debian's /usr/bin/chromium; it never downloads a browser. Playwright
is in the test set (requirements/test.in), so it is imported only when a
browser is launched.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    # Chromium still looks up accounts.google.com and clients2.google.com with
    # the flags above; no host name resolves, so nothing reaches the network
    # (sites are served on 127.0.0.1, the EPUBs are files).
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]


@contextmanager
def chromium() -> Iterator[Browser]:
    """Headless Chromium, driven by Playwright, closed on leaving."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextmanager
def static_server(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (a free port) as a plain static host does: no rewrite rules.

    Yields the base URL, ending in a slash.
    """
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def page_weight(browser: Browser, url: str, gzip_level: int = 6) -> dict[str, Any]:
    """What a first visit to ``url`` downloads, with an empty cache: requests and bytes.

    Bytes as sent by a plain static server (uncompressed), and each body
    gzipped at ``gzip_level`` (6: what a typical web server uses).
    """
    context = browser.new_context()
    page = context.new_page()
    requested, finished = [], []
    page.on("request", lambda request: requested.append(request))  # a function: Playwright sets attributes on it
    page.on("requestfinished", lambda request: finished.append(request))
    response = page.goto(url, wait_until="networkidle")
    if response is None or not response.ok:
        raise RuntimeError(f"{url}: HTTP {response.status if response else 'no response'}")
    files = []
    for request in finished:
        answer = request.response()
        body = answer.body() if answer else b""
        files.append(
            {"url": urlsplit(request.url).path, "bytes": len(body), "gzip_bytes": len(gzip.compress(body, gzip_level, mtime=0))}
        )
    context.close()
    origin = urlsplit(url).netloc
    return {
        "requests": len(requested),
        "other_origin_requests": sum(urlsplit(r.url).netloc not in (origin, "") for r in requested),
        "bytes": sum(f["bytes"] for f in files),
        "gzip_bytes": sum(f["gzip_bytes"] for f in files),
        "largest": sorted(files, key=lambda f: -f["bytes"])[:5],
    }

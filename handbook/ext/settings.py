"""The build's settings as typed Sphinx config values.

``handbook/build.py`` (and ``export.py``, the preview) pass them with ``-D``
(``handbook.settings.sphinx_overrides``); extensions read ``app.config``,
never the environment. Each value's rebuild scope tells Sphinx what a change
makes stale, so Sphinx re-reads or rewrites it by itself:

``handbook_paper`` (``a4`` or ``letter``; rebuild: nothing Sphinx keeps)
    The LaTeX edition's paper size (``latex_elements["papersize"]``). The
    LaTeX builder writes every file on each run anyway.
``handbook_baseurl`` (default: ``book/_data/edition.yaml``'s; rebuild: html)
    Where the site is hosted: ``html_baseurl``, the social cards, the 404
    page's links and the LaTeX edition's ``\\HandbookURL`` all follow it.
    Only written output uses it, so a change rewrites every page.
``handbook_source_date_epoch`` (rebuild: nothing Sphinx keeps)
    The build's SOURCE_DATE_EPOCH, which xelatex writes into each PDF as
    its date. A comment in every ``.tex`` file states it, so latexmk, which
    compiles a file again when a file it read changed, sees a new date as a
    change.
``handbook_export_chapter``
    Declared by the extension that reads it, ``chapter_export.py``.
``handbook_code`` (rebuild: env)
    Not a setting: a hash of the handbook's own Python code and the pinned
    packages. Sphinx re-reads a page when the page changed, not when the code
    that turns it into a doctree did; as a config value with rebuild "env",
    a change to that code makes Sphinx read every page again, as it does
    when ``conf.py`` changes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sphinx.application import Sphinx
from sphinx.config import ENUM, Config
from sphinx.errors import ConfigError

import handbook
from handbook import settings
from handbook.meta import ROOT, load_edition

PACKAGE_DIR = Path(handbook.__file__).resolve().parent


def code_digest() -> str:
    """A hash of the code that makes the doctrees: the package's Python files and the pins."""
    digest = hashlib.sha256()
    paths = sorted(PACKAGE_DIR.rglob("*.py"))
    paths += sorted(ROOT.glob("requirements*.txt")) + sorted(ROOT.glob("requirements/*.txt"))
    for path in paths:
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def edition_baseurl(config: Config) -> str:
    return load_edition().baseurl


def apply_settings(app: Sphinx, config: Config) -> None:
    """Check the settings and set the config values that follow from them."""
    try:
        config.handbook_paper = settings.paper_setting(config.handbook_paper, settings.PAPER_CONFIG)
        config.handbook_baseurl = settings.baseurl_setting(config.handbook_baseurl, settings.BASEURL_CONFIG)
    except settings.SettingsError as error:
        raise ConfigError(str(error)) from error
    baseurl = config.handbook_baseurl
    config.html_baseurl = baseurl
    config.ogp_site_url = baseurl
    config.ogp_image = baseurl + "_static/social-card.png"
    # The 404 page is served for any missing path (/no/such/page.html), so
    # its links cannot be relative: they start at the site's path on its
    # host, "/" for https://host/ and "/handbook/" for https://host/handbook/.
    config.notfound_urls_prefix = urlsplit(baseurl).path
    latex_elements = dict(config.latex_elements)
    latex_elements["papersize"] = f"{config.handbook_paper}paper"
    preamble = rf"\newcommand{{\HandbookURL}}{{{baseurl}}}" + "\n"
    if config.handbook_source_date_epoch:
        preamble += f"% SOURCE_DATE_EPOCH={config.handbook_source_date_epoch} (the PDF's date)\n"
    latex_elements["preamble"] = preamble + latex_elements.get("preamble", "")
    config.latex_elements = latex_elements


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value(settings.PAPER_CONFIG, settings.DEFAULT_PAPER, "", types=ENUM(*settings.PAPERS))
    app.add_config_value(settings.BASEURL_CONFIG, edition_baseurl, "html", types=frozenset({str}))
    app.add_config_value(settings.SOURCE_DATE_CONFIG, "", "", types=frozenset({str}))
    app.add_config_value("handbook_code", code_digest(), "env", types=frozenset({str}))
    # Before the extensions that read html_baseurl and the others (priority
    # 500) and Sphinx's own type check (800), which sees the folded values.
    app.connect("config-inited", apply_settings, priority=100)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

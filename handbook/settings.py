"""The build's settings: the user's knobs, checked once and named for Sphinx.

A reader of the Makefile sets two variables, ``PAPER=a4|letter`` and
``HANDBOOK_BASEURL=https://…`` (where the site is hosted). This module is
the one place they are read and checked (``from_environment``); everything
after it gets the resolved values as arguments. Sphinx gets them as its own
config values (``sphinx_overrides``, passed with ``-D``), declared with types
and rebuild scopes in ``handbook/ext/settings.py``, so Sphinx itself notices
when one changes and re-reads or rewrites what it must.

A bad value is refused by name: ``PAPER=A5`` says which variable, which
value and which values are allowed (the tools exit with status 2).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

PAPERS = ("a4", "letter")
DEFAULT_PAPER = "a4"

#: The environment variables a user sets, and the Sphinx config values they become.
PAPER_VARIABLE = "PAPER"
BASEURL_VARIABLE = "HANDBOOK_BASEURL"
PAPER_CONFIG = "handbook_paper"
BASEURL_CONFIG = "handbook_baseurl"
EXPORT_CHAPTER_CONFIG = "handbook_export_chapter"
SOURCE_DATE_CONFIG = "handbook_source_date_epoch"


class SettingsError(ValueError):
    """A setting has a value the build cannot use; the message names the setting."""


def paper_setting(value: str, name: str = PAPER_VARIABLE) -> str:
    """The paper size, case folded (``A4`` is ``a4``), or SettingsError naming ``name``."""
    paper = value.strip().lower()
    if paper not in PAPERS:
        raise SettingsError(f"{name}={value!r}: the paper size is one of {', '.join(PAPERS)}")
    return paper


def baseurl_setting(value: str, name: str = BASEURL_VARIABLE) -> str:
    """The base URL with one trailing slash, or SettingsError naming ``name``.

    Every address of the site is this plus a page's path, so it must be a
    whole http(s) address of a folder: ``https://example.org/handbook`` is
    read as ``https://example.org/handbook/``.
    """
    url = value.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(
            f"{name}={value!r}: the base URL is the site's whole address, starting with https:// "
            "(or http://) and naming its host, e.g. https://example.org/handbook/"
        )
    if parts.query or parts.fragment:
        raise SettingsError(f"{name}={value!r}: the base URL is a folder's address, without '?' or '#'")
    return url if url.endswith("/") else url + "/"


@dataclass(frozen=True)
class Settings:
    """The resolved settings of one build."""

    paper: str = DEFAULT_PAPER
    #: None: the address in book/_data/edition.yaml.
    baseurl: str | None = None


def from_environment(environ: Mapping[str, str] | None = None, *, paper: str | None = None) -> Settings:
    """The settings the user asked for: ``PAPER`` and ``HANDBOOK_BASEURL``.

    ``paper`` (a command line's ``--paper``) wins over ``PAPER``. An empty
    variable counts as unset. Raises SettingsError naming the bad one.
    """
    environ = os.environ if environ is None else environ
    if paper is not None:
        resolved_paper = paper_setting(paper, "--paper")
    else:
        resolved_paper = paper_setting(environ.get(PAPER_VARIABLE) or DEFAULT_PAPER)
    baseurl = environ.get(BASEURL_VARIABLE)
    return Settings(paper=resolved_paper, baseurl=baseurl_setting(baseurl) if baseurl else None)


def sphinx_overrides(settings: Settings, export_chapter: str | None = None,
                     source_date_epoch: str | None = None) -> dict[str, str]:  # fmt: skip
    """The settings as Sphinx config values, for ``-D name=value``.

    A base URL left to edition.yaml is not passed: the config value's
    default reads it from there. ``source_date_epoch`` (the PDFs' date) is
    written into the LaTeX files, so that latexmk compiles them again when
    it changes.
    """
    overrides = {PAPER_CONFIG: settings.paper}
    if settings.baseurl is not None:
        overrides[BASEURL_CONFIG] = settings.baseurl
    if export_chapter:
        overrides[EXPORT_CHAPTER_CONFIG] = export_chapter
    if source_date_epoch:
        overrides[SOURCE_DATE_CONFIG] = source_date_epoch
    return overrides

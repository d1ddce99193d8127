"""After a change to the book's structure, every page is read and written again.

Sphinx rewrites the pages that changed and the pages whose table of contents
lists them, but not the sidebar of every other page (each shows the whole
chapter list); and it never deletes the output of a page that is gone. The
structure is what every page's navigation shows: the pages, their titles and
the tables of contents (``handbook.meta.navigation_fingerprint``, read from
the sources). Sphinx keeps its value in its environment, one per builder
(the HTML and EPUB builders share an environment but not an output folder);
when a build finds it changed (a chapter added, removed, renamed, reordered
or retitled), the builder's output folder is emptied (at ``builder-inited``, before other
extensions write into it) and every page is read again, through Sphinx's own
``env-get-outdated`` event. So an incremental build equals a
clean one, under ``build.py`` and in the preview alike.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from weakref import WeakKeyDictionary
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from handbook.meta import navigation_fingerprint

logger = logging.getLogger(__name__)
ATTRIBUTE = "handbook_navigation"


def empty_folder(folder: Path) -> None:
    if folder.is_dir():
        for child in folder.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()


# Builds whose structure changed, for env-get-outdated (a preview may run several apps).
_STRUCTURE_CHANGED: WeakKeyDictionary[Sphinx, bool] = WeakKeyDictionary()


def check_structure(app: Sphinx) -> None:
    """Compare the structure with this builder's record; empty the output folder if it changed.

    At builder-inited, before any other extension writes into the output
    folder (the icons' stylesheet, for one), with Sphinx's environment loaded.
    """
    env = app.env
    structure = navigation_fingerprint(Path(app.srcdir))
    by_builder: dict[str, str] = getattr(env, ATTRIBUTE, {})
    previous = by_builder.get(app.builder.name)
    setattr(env, ATTRIBUTE, {**by_builder, app.builder.name: structure})
    changed = previous is not None and previous != structure
    _STRUCTURE_CHANGED[app] = changed
    if changed:
        logger.info("the book's pages or chapter list changed: every page is read and written again")
        empty_folder(Path(app.outdir))
    elif previous is None and app.builder.format == "html":
        # No record for this builder (a fresh environment, after a failed
        # build or the first run of this builder): what the output folder
        # holds is unknown, and a removed page's file may be in it. Every
        # page is written into an empty folder. The LaTeX folder is kept: a
        # leftover .tex is never compiled, and latexmk's records in it spare
        # the PDFs whose input did not change.
        empty_folder(Path(app.outdir))


def read_every_page(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
                    removed: set[str]) -> set[str]:  # fmt: skip
    return set(env.found_docs) if _STRUCTURE_CHANGED.get(app) else set()


def setup(app: Sphinx) -> dict[str, Any]:
    # First of all builder-inited handlers: others write into the output folder.
    app.connect("builder-inited", check_structure, priority=1)
    app.connect("env-get-outdated", read_every_page)
    return {"version": "1.0", "env_version": 2, "parallel_read_safe": True, "parallel_write_safe": True}

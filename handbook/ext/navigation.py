"""After a change to the book's structure, every page is read and written again.

Sphinx rewrites the pages that changed and the pages whose table of contents
lists them, but not the sidebar of every other page (each shows the whole
chapter list); and it never deletes the output of a page that is gone. The
structure is what every page's navigation shows: the pages, their titles and
the tables of contents (``handbook.meta.navigation_fingerprint``, read from
the sources). Sphinx keeps its value in its environment, one per builder
(the HTML and EPUB builders share an environment but not an output folder);
when a build finds it changed (a chapter added, removed, renamed, reordered
or retitled), the builder's output folder is emptied and every page is read
again, through Sphinx's own ``env-get-outdated`` event. So an incremental build equals a
clean one, under ``build.py`` and in the preview alike.
"""

from __future__ import annotations

import shutil
from pathlib import Path
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


def on_structure_change(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
                        removed: set[str]) -> set[str]:  # fmt: skip
    structure = navigation_fingerprint(Path(app.srcdir))
    by_builder: dict[str, str] = getattr(env, ATTRIBUTE, {})
    previous = by_builder.get(app.builder.name)
    setattr(env, ATTRIBUTE, {**by_builder, app.builder.name: structure})
    if previous is None:
        # No record for this builder (a fresh environment, after a failed
        # build or the first run of this builder): what the output folder
        # holds is unknown, and a removed page's file may be in it. Every
        # page is written into an empty folder; the LaTeX folder is kept
        # (a leftover .tex is never compiled, and latexmk's records in it
        # spare the PDFs whose input did not change).
        if app.builder.format == "html":
            empty_folder(Path(app.outdir))
        return set()
    if previous == structure:
        return set()
    logger.info("the book's pages or chapter list changed: every page is read and written again")
    empty_folder(Path(app.outdir))
    return set(env.found_docs)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("env-get-outdated", on_structure_change)
    return {"version": "1.0", "env_version": 2, "parallel_read_safe": True, "parallel_write_safe": True}

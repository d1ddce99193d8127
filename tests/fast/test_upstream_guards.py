"""Every patch of another package's private API checks that package's version."""

from __future__ import annotations

from pathlib import Path

import pytest
from handbook.ext.upstream import require
from sphinx.errors import ExtensionError

EXT = Path(__file__).resolve().parents[2] / "handbook" / "ext"

# The extensions that patch or lean on a private API, and the package each checks.
PATCHES = {
    "search_index_entries.py": "sphinx",
    "search_summaries.py": "sphinx",
    "chapter_citations.py": "sphinxcontrib-bibtex",
    "bibliography_style.py": "pybtex",
    "chapter_pdfs.py": "sphinxcontrib-bibtex",
    "crawler_files.py": "sphinx-sitemap",
    "download_menu.py": "sphinx-book-theme",
    "opengraph_without_cards.py": "sphinxext-opengraph",
    "theme_assets.py": "pydata-sphinx-theme",
}


def test_a_version_outside_the_range_stops_the_build_naming_package_and_versions() -> None:
    with pytest.raises(ExtensionError) as raised:
        require("sphinx", "<1", patch="a patch", remove_when="upstream/project#1 is fixed")
    message = str(raised.value)
    assert "sphinx<1" in message and "a patch" in message and "upstream/project#1" in message
    from importlib.metadata import version

    assert version("sphinx") in message


def test_a_version_inside_the_range_passes() -> None:
    require("sphinx", ">=1", patch="a patch", remove_when="never")


@pytest.mark.parametrize(("module", "package"), sorted(PATCHES.items()))
def test_each_patch_checks_its_package_and_says_when_it_can_go(module: str, package: str) -> None:
    source = (EXT / module).read_text(encoding="utf-8")
    assert f'"{package}"' in source and "require(" in source, f"{module} does not check {package}'s version"
    assert "remove when" in source.lower(), f"{module} does not say when the patch can go"

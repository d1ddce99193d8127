"""Our templates and scripts that stand on other packages' files, checked against them.

Each entry names an upstream file that one of ours copies, extends or patches,
and the sha256 of the version ours was written against. When an upgrade
changes that file, the test fails, naming ours: read the new upstream file,
bring ours in line, then update the hash here.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
from pathlib import Path

import pytest
from handbook.ext.theme_assets import FONT_AWESOME_SCRIPT, SEARCH_SCRIPTS, script_tags

ROOT = Path(__file__).resolve().parents[2]
PYDATA = ("pydata_sphinx_theme", "theme/pydata_sphinx_theme/")

# ours: (package, upstream file in it, sha256 of the version ours was written against)
UPSTREAM = {
    # Calls super() in the theme's css and extrahead blocks, less some script tags.
    "_templates/layout.html": [
        ("pydata_sphinx_theme", PYDATA[1] + "layout.html",
         "1f98508aa73a49d0afc5f175214cb82c846a2a9f5b95b914e705b292b3dfbce2"),
        ("pydata_sphinx_theme", PYDATA[1] + "static/webpack-macros.html",
         "ca92b021a603a336886ebb857ae4fa805d61a133ae57bf650e9610a586b8616a"),
    ],
    # Wraps the theme's component in a landmark.
    "_templates/navbar-logo.html": [
        ("pydata_sphinx_theme", PYDATA[1] + "components/navbar-logo.html",
         "4eeb463826bddfe4bbb488b880d39283e5842c42f38fc39f2cd69a3179ba59ca"),
    ],
    # A copy without aria-label (see the test below).
    "_templates/search-button-field.html": [
        ("pydata_sphinx_theme", PYDATA[1] + "components/search-button-field.html",
         "518dda81dd8cd06ab2268f86b25c8257189f237f1b71836afececaa511f40e69"),
    ],
    # Wraps Search.makeSearchSummary.
    "_static/search-summaries.js": [
        ("sphinx", "themes/basic/static/searchtools.js",
         "954625d140412a9d3d954d67e2e3aec8f8bd18018cf7600b894298fb157c7780"),
    ],
    # Redefines \sphinxmaketitle as sphinxmanual.cls has it.
    "_templates/latex/handbookchapter.cls": [
        ("sphinx", "texinputs/sphinxmanual.cls",
         "5f206f7d040e11b8d25e763a724083454168bb64f31229293026527c0d975fea"),
    ],
}  # fmt: skip


def upstream_file(package: str, path: str) -> Path:
    spec = importlib.util.find_spec(package)
    assert spec is not None and spec.origin is not None, f"{package} is not installed"
    return Path(spec.origin).parent / path


@pytest.mark.parametrize(
    ("ours", "package", "path", "digest"),
    [(ours, *entry) for ours, entries in UPSTREAM.items() for entry in entries],
)
def test_upstream_file_is_the_one_ours_was_written_against(ours: str, package: str, path: str, digest: str) -> None:
    assert (ROOT / ours).is_file(), f"{ours} is gone: drop its entry here"
    found = hashlib.sha256(upstream_file(package, path).read_bytes()).hexdigest()
    assert found == digest, (
        f"{package}'s {path} changed since {ours} was written against it: "
        f"check {ours} against the new file, then record its sha256 {found}"
    )


def test_every_template_of_ours_is_listed_or_our_own() -> None:
    """A new template that overrides a theme's file must be listed above."""
    own = {"_templates/redirect.html", "_templates/latex/handbook-preamble.tex",
           "_templates/latex/handbook-chapter/theme.conf"}  # fmt: skip
    ours = {p.relative_to(ROOT).as_posix() for p in (ROOT / "_templates").rglob("*") if p.is_file()}
    assert ours - own - set(UPSTREAM) == set()


def test_the_search_buttons_template_is_the_themes_but_for_its_name() -> None:
    """_templates/search-button-field.html is pydata-sphinx-theme's without aria-label."""
    original = upstream_file(PYDATA[0], PYDATA[1] + "components/search-button-field.html").read_text(encoding="utf-8")
    ours = (ROOT / "_templates" / "search-button-field.html").read_text(encoding="utf-8")
    without_comments = re.compile(r"\{#.*?#\}\s*", re.DOTALL)
    assert ' aria-label="{{ _(\'Search\') }}"' in original
    expected = without_comments.sub("", original).replace(' aria-label="{{ _(\'Search\') }}"', "")
    assert without_comments.sub("", ours).strip() == expected.strip()


def rendered_macros() -> str:
    """The theme's asset macros with each ``pathto('x', 1)`` written as a page would have it."""
    text = upstream_file(PYDATA[0], PYDATA[1] + "static/webpack-macros.html").read_text(encoding="utf-8")
    return re.sub(r"\{\{ pathto\('([^']*)', 1\) \}\}", r"\1", text)


def test_the_font_awesome_tags_go_and_the_themes_other_scripts_stay() -> None:
    macros = rendered_macros()
    assert FONT_AWESOME_SCRIPT in macros, "the theme no longer loads Font Awesome's script this way"
    left = script_tags((FONT_AWESOME_SCRIPT,)).sub("", macros)
    assert FONT_AWESOME_SCRIPT not in left
    assert left.count("bootstrap.js?digest=") == macros.count("bootstrap.js?digest=") == 2
    assert "pydata-sphinx-theme.css?digest=" in left


def test_the_search_scripts_tags_go() -> None:
    block = "".join(
        f'\n  <script src="../_static/{name}?v=1"></script>' for name in SEARCH_SCRIPTS
    ) + '\n  <script src="../_static/doctools.js?v=1"></script>'
    assert script_tags(SEARCH_SCRIPTS).sub("", block) == '\n  <script src="../_static/doctools.js?v=1"></script>'

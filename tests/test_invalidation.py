"""No stale page after an edit: each input the build reads, edited, changes the output.

The build keeps two records of its own (README, "Caches"): build.py's
stamps of each target's inputs (``.work/stamps.json``) and the print
edition's records (tested in test_print_edition.py). Everything else is
Sphinx's (its environment, config values, ``note_dependency``) or latexmk's
(``*.fdb_latexmk``). Extension and bibliography edits are tested in
test_print_and_rebuilds.py; structure changes in test_structure_changes.py.

One copy of the sources and the session's build serves the module; each
test edits it further and runs an incremental HTML build.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from conftest import BookBuild, copy_sources, run_build


@pytest.fixture(scope="module")
def copy(book: BookBuild, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_sources(tmp_path_factory.mktemp("invalidation") / "copy", book)


def build_html(copy: Path, **environment: str) -> str:
    from handbook.build import source_date_epoch

    env = {name: value for name, value in os.environ.items() if name != "HANDBOOK_BASEURL"}
    env |= {"SOURCE_DATE_EPOCH": source_date_epoch(), **environment}
    result = run_build(copy / "_build", "html", root=copy, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def canonical(page: Path) -> str:
    match = re.search(r'<link rel="canonical" href="([^"]+)"', page.read_text(encoding="utf-8"))
    assert match, page
    return match.group(1)


def test_a_new_base_url_alone_rebuilds_every_page(copy: Path) -> None:
    # No source changed: only the setting. build.py's stamps hold the settings,
    # and Sphinx rewrites every page when html_baseurl changes.
    build_html(copy)
    page = copy / "_build" / "html" / "strategies.html"
    assert not canonical(page).startswith("https://example.org/moved/")
    build_html(copy, HANDBOOK_BASEURL="https://example.org/moved")
    assert canonical(page) == "https://example.org/moved/strategies.html"
    build_html(copy)
    assert not canonical(page).startswith("https://example.org/moved/")


def test_editing_the_drug_data_updates_its_tables_and_its_figure(copy: Path) -> None:
    drugs = copy / "book" / "_data" / "drugs.yaml"
    text = drugs.read_text(encoding="utf-8")
    methotrexate = text.index("- name: Methotrexate")
    approval = text.index("first_approval:", methotrexate)
    line_end = text.index("\n", approval)
    year = text[approval:line_end].split(":")[1].strip()
    figure = copy / "_build" / "html" / "_images" / "approval-timeline.svg"
    figure_before = figure.read_bytes()
    drugs.write_text(text[:approval] + "first_approval: 1961" + text[line_end:], encoding="utf-8")
    build_html(copy)
    reference = (copy / "_build" / "html" / "drug-reference.html").read_text(encoding="utf-8")
    start = reference.index("Methotrexate")
    entry = reference[start : reference.index("Azathioprine", start)]  # the next drug in drugs.yaml
    assert "1961" in entry and year not in entry
    assert figure.read_bytes() != figure_before, "the approval timeline was not drawn again"


def test_editing_a_template_rewrites_pages_that_did_not_change(copy: Path) -> None:
    layout = copy / "_templates" / "layout.html"
    text = layout.read_text(encoding="utf-8")
    block = "{%- block extrahead %}"
    assert block in text, "_templates/layout.html has no extrahead block: pick another place for this test's edit"
    layout.write_text(text.replace(block, block + '\n<meta name="handbook-test" content="edited template">', 1), encoding="utf-8")
    build_html(copy)
    for page in ("index.html", "glossary.html"):
        assert "edited template" in (copy / "_build" / "html" / page).read_text(encoding="utf-8"), page

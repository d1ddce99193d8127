"""The EPUBs as a reader who uses assistive technology gets them.

* Ace by DAISY (the pinned npm ``@daisy/ace-cli``, run as ``ace-puppeteer``
  runs it, in Debian's Chromium with nothing reaching the network) finds no
  violation in the book's EPUB or in a chapter's EPUB (``python -m handbook.export
  CHAPTER --format epub``);
* each EPUB says how it is accessible (EPUB Accessibility 1.1: access modes,
  features, hazards, a summary, the WCAG 2.1 AA conformance claim and who
  made it), and what it says is true of the EPUB.

The web pages are checked with axe-core in tests/test_browser.py.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from conftest import CHROMIUM, CHROMIUM_ARGS, ROOT, BookBuild, session_env

RUN_ACE = ROOT / "tests" / "run_ace.cjs"
CHAPTER = "risks"
CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
OPF = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
# Features every EPUB of the handbook has; "index" only the book's.
FEATURES = {"structuralNavigation", "tableOfContents", "readingOrder", "alternativeText", "displayTransformability"}
EPUBS = ["book", "chapter"]


@dataclass(frozen=True)
class AceReport:
    epub: Path
    report: dict

    def violations(self) -> list[str]:
        """Every failed check: document, rule, impact and what is wrong."""
        found = []
        for document in self.report["assertions"]:
            for check in document["assertions"]:
                if check["earl:result"]["earl:outcome"] == "fail":
                    test, result = check["earl:test"], check["earl:result"]
                    where = result.get("earl:pointer", {}).get("css", [""])[0]
                    found.append(
                        f"{document['earl:testSubject']['url']}: {test['dct:title']} ({test['earl:impact']}) "
                        f"{result.get('dct:description', '')} {where}".rstrip()
                    )
        return found


@pytest.fixture(scope="session")
def epubs(book: BookBuild, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The book's EPUB, and chapter 5 exported on its own."""
    out = tmp_path_factory.mktemp("chapter-epub")
    with book.writing():
        result = subprocess.run(
            [sys.executable, "-m", "handbook.export", CHAPTER, "--format", "epub",
             "--out", str(out), "--build-dir", str(book.build_dir)],
            capture_output=True, text=True, cwd=ROOT, env=session_env(),
        )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return {"book": book.epub, "chapter": out / f"{book.chapter(CHAPTER).stem}.epub"}


@pytest.fixture(scope="session")
def ace(checkers: Path, tmp_path_factory: pytest.TempPathFactory):
    """Ace by DAISY's report on an EPUB (each EPUB is checked once)."""
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed (Debian package chromium); Ace skipped")
    work = tmp_path_factory.mktemp("ace")
    # Ace keeps its settings and logs under the XDG folders: a throwaway home.
    home = {f"XDG_{kind}_HOME": str(work / "home" / kind.lower()) for kind in ("CONFIG", "DATA", "STATE", "CACHE")}
    env = dict(os.environ, **home, PUPPETEER_EXECUTABLE_PATH=str(CHROMIUM), ACE_CHROMIUM_ARGS=json.dumps(CHROMIUM_ARGS))

    @cache
    def check(epub: Path) -> AceReport:
        out = work / epub.stem
        result = subprocess.run(
            [shutil.which("node") or "node", str(RUN_ACE), "--silent", "--force", "--outdir", str(out), str(epub)],
            capture_output=True, text=True, env=env, timeout=600,
        )  # fmt: skip
        report = out / "report.json"
        assert result.returncode == 0 and report.is_file(), f"Ace did not check {epub.name}:\n{result.stdout}{result.stderr}"
        return AceReport(epub, json.loads(report.read_text(encoding="utf-8")))

    return check


@pytest.mark.parametrize("which", EPUBS)
def test_ace_finds_no_violation_in_the_epub(epubs: dict[str, Path], ace, which: str) -> None:
    report = ace(epubs[which])
    checked = [document["earl:testSubject"]["url"] for document in report.report["assertions"]]
    assert len([name for name in checked if name.endswith(".xhtml")]) >= (10 if which == "book" else 2), checked
    assert report.violations() == [], "\n".join(report.violations())
    assert report.report["earl:result"]["earl:outcome"] == "pass"


# -- what the EPUB says about itself, and whether it is true ------------------------------


def package_metadata(epub: Path) -> tuple[dict[str, list[str]], ET.Element]:
    """content.opf's <meta property=...> values by property, and the package."""
    with zipfile.ZipFile(epub) as archive:
        package = ET.fromstring(archive.read("content.opf"))
    values: dict[str, list[str]] = {}
    for meta in package.iterfind("opf:metadata/opf:meta[@property]", OPF):
        values.setdefault(meta.get("property", ""), []).append((meta.text or "").strip())
    return values, package


def contents(epub: Path, suffix: str) -> dict[str, str]:
    with zipfile.ZipFile(epub) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist() if name.endswith(suffix)}


def skipped_heading_levels(page: str) -> list[str]:
    """Headings that go down more than one level (an h2 followed by an h4)."""
    levels = [int(level) for level in re.findall(r"<h([1-6])\b", page)]
    return [f"h{a} then h{b}" for a, b in zip([0, *levels], levels) if b > a + 1]


@pytest.mark.parametrize("which", EPUBS)
def test_epub_says_how_it_is_accessible(epubs: dict[str, Path], ace, which: str) -> None:
    meta, package = package_metadata(epubs[which])
    assert meta["schema:accessMode"] == ["textual", "visual"]
    assert "textual" in meta["schema:accessModeSufficient"]
    features = set(meta["schema:accessibilityFeature"])
    assert features == FEATURES | ({"index"} if which == "book" else set()), features
    assert meta["schema:accessibilityHazard"] == ["none"]
    [summary] = meta["schema:accessibilitySummary"]
    assert len(summary.split()) >= 30 and "WCAG 2.1" in summary, summary
    [conformance] = package.iterfind("opf:metadata/opf:meta[@property='dcterms:conformsTo']", OPF)
    assert conformance.text == CONFORMANCE
    [certifier] = meta["a11y:certifiedBy"]
    refines = package.find("opf:metadata/opf:meta[@property='a11y:certifiedBy']", OPF).get("refines")
    assert refines == "#" + conformance.get("id")
    assert certifier == package.findtext("opf:metadata/dc:publisher", namespaces=OPF)
    # Ace read every one of them.
    present = set(ace(epubs[which]).report["a11y-metadata"]["present"])
    assert {f"schema:{p}" for p in ("accessMode", "accessModeSufficient", "accessibilityFeature",
                                    "accessibilityHazard", "accessibilitySummary")} <= present  # fmt: skip
    assert {"dcterms:conformsTo", "a11y:certifiedBy"} <= present


@pytest.mark.parametrize("which", EPUBS)
def test_what_the_epub_says_about_itself_is_true(epubs: dict[str, Path], which: str) -> None:
    documents = contents(epubs[which], ".xhtml")
    html = "".join(documents.values())
    # visual, alternativeText, textual is sufficient: there are figures, and each has a description.
    images = re.findall(r"<img\b[^>]*>", html)
    assert images and all(re.search(r'\balt="[^"]{20,}"', image) for image in images), images
    # No hazard: nothing plays, moves or flashes.
    styles = "".join(contents(epubs[which], ".css").values())
    assert not re.search(r"<(?:audio|video|canvas|animate\w*)\b", html) and "@keyframes" not in styles
    # index: the book has one, with entries; the chapter has none.
    assert ('class="indextable' in documents.get("genindex.xhtml", "")) == (which == "book")
    # structuralNavigation: every page starts at h1 and goes down one level at a time.
    assert {name: skipped_heading_levels(page) for name, page in documents.items() if skipped_heading_levels(page)} == {}
    # A screen reader reads every page in the book's language.
    assert [name for name, page in documents.items() if not re.search(r'<html [^>]*\blang="en" xml:lang="en"', page)] == []

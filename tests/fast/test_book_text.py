"""The chapters' sources: their own words, spelled one way, of a chapter's length, with no dosing advice. No build."""

from __future__ import annotations

import re
import subprocess

import pytest
from book_text import BOOK, SOURCE, prose, words
from conftest import ROOT

from handbook.meta import load_chapters

WORDLIST = ROOT / "tests" / "wordlist.txt"
DICTIONARY = ROOT / "tests" / "dictionary" / "en_GB"
CHAPTERS = [chapter.docname for chapter in load_chapters()]


def test_no_run_of_eight_words_is_copied_from_the_source() -> None:
    source_words = [w.lower() for w in words(SOURCE.read_text(encoding="utf-8"))]
    assert len(source_words) > 100, "the source has no text to compare with"
    runs = {tuple(source_words[i : i + 8]) for i in range(len(source_words) - 7)}
    for path in [BOOK / f"{chapter.docname}.md" for chapter in load_chapters()]:
        text_words = [w.lower() for w in words(prose(path.read_text(encoding="utf-8")))]
        copied = [" ".join(text_words[i : i + 8]) for i in range(len(text_words) - 7) if tuple(text_words[i : i + 8]) in runs]
        assert not copied, f"{path.name} copies the source: {copied[:3]}"


@pytest.mark.parametrize("docname", CHAPTERS)
def test_chapter_length_is_that_of_a_real_handbook_chapter(docname: str) -> None:
    count = len(words(prose((BOOK / f"{docname}.md").read_text(encoding="utf-8"))))
    # A handbook chapter, not a leaflet; and not so long that a reader who
    # prints one chapter gets a booklet (the safety chapter is the longest).
    assert 1200 <= count <= 3200, f"{docname}: {count} words of prose"


def test_no_personal_dosing_instructions() -> None:
    instruction = re.compile(r"\b(?:you should|you must|always)\s+take\s+\d|\btake\s+\d+(?:\.\d+)?\s*mg\b", re.I)
    for path in sorted(BOOK.glob("*.md")):
        found = instruction.findall(path.read_text(encoding="utf-8"))
        assert not found, f"{path.name}: {found}"


def unknown_words(text: str) -> list[str]:
    """Words hunspell does not know, with the committed dictionary and word list.

    The dictionary is the copy in tests/dictionary/ (British English), not
    the distribution's: Debian 12's and 13's differ, and the answer must not.
    """
    result = subprocess.run(
        ["hunspell", "-d", str(DICTIONARY), "-p", str(WORDLIST), "-l"],
        input=text, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return sorted(set(result.stdout.split()))


def page_prose() -> dict[str, str]:
    """Each page's prose by file name."""
    return {path.name: prose(path.read_text(encoding="utf-8")) for path in sorted(BOOK.glob("*.md"))}


def test_chapters_are_spelled_right() -> None:
    """hunspell (British English) with the committed dictionary and medical word list (one run for every page)."""
    pages = page_prose()
    unknown = unknown_words("\n".join(pages.values()))
    where = {name: [w for w in unknown if re.search(rf"(?<![\w'’-]){re.escape(w)}(?![\w'’-])", text)] for name, text in pages.items()}
    where = {name: found for name, found in where.items() if found}
    assert not unknown, f"unknown words {where or unknown} (fix them, or add real terms to {WORDLIST.name})"


# Words whose -ize spelling is the only one (not variants of an -ise verb).
# Proper names keep their own spelling ("World Health Organization").
IZE_ONLY = {"Organization", "size", "sizes", "sized", "prize", "prizes", "seize", "seized", "seizes", "seizure", "seizures", "capsize"}


def ize_spellings(pages: dict[str, str]) -> dict[str, list[str]]:
    """The -iz- words of each page whose -is- form is a word too (one hunspell run for all)."""
    candidates = {
        name: {w for w in words(text) if re.search(r"[a-z]iz(?:e|es|ed|ing|ation|ations|er|ers)\b", w)} - IZE_ONLY
        for name, text in pages.items()
    }
    british = {w: re.sub(r"iz(?=e|ing|ation|er)", "is", w) for found in candidates.values() for w in found if w.lower() not in IZE_ONLY}
    known = set(british.values()) - set(unknown_words("\n".join(british.values())))
    wrong = {name: sorted(w for w in found if british.get(w) in known) for name, found in candidates.items()}
    return {name: found for name, found in wrong.items() if found}


def test_one_variety_of_english_british_with_ise() -> None:
    """British English with -ise endings: "humanised", "organisation", never "humanized".

    The dictionary accepts both (-ize is also British, "Oxford" spelling), so
    the check is of our own choice: an -iz- word is wrong wherever its -is-
    form is a word too.
    """
    made_up = {"made-up.md": "A humanized antibody, the World Health Organization and a seizure."}
    assert ize_spellings(made_up) == {"made-up.md": ["humanized"]}, "the check cannot see an -ize spelling"
    mixed = ize_spellings(page_prose())
    assert not mixed, f"-ize spellings (the handbook uses British -ise): {mixed}"

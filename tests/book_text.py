"""The book's sources as a reader reads them: prose without markup, and its words."""

from __future__ import annotations

import re

from conftest import ROOT

BOOK = ROOT / "book"
#: The source document (../shared/source/autoimmune-therapy.txt), copied so the tests run from a clean clone.
SOURCE = ROOT / "tests" / "source" / "autoimmune-therapy.txt"


def prose(markdown: str) -> str:
    """A chapter's prose as a reader reads it: no markup, tables or figures."""
    text = re.sub(r"\A---\n.*?\n---\n", "", markdown, flags=re.S)
    text = re.sub(r"^(`{3,}|~{3,}).*?^\1\s*$", " ", text, flags=re.S | re.M)  # fenced blocks
    text = re.sub(r"^:{3,}\{[^}]*\}.*$|^:{3,}\s*$|^:[a-z-]+:.*$", " ", text, flags=re.M)  # fence lines
    text = re.sub(r"\{cite(?::[a-z]+)?\}`[^`]*`", " ", text)
    text = re.sub(r"\{numref\}`([^`<]*?)%s[^`]*`", r"\1 N", text)
    text = re.sub(r"\{(?:numref|ref|doc)\}`[^`<]*`", " N ", text)  # a bare label prints a title
    text = re.sub(r"\{[a-z:]+\}`([^`<]*?)\s*<[^`]*>`", r"\1", text)
    text = re.sub(r"\{[a-z:]+\}`([^`]*)`", r"\1", text)
    text = re.sub(r"^\([a-z0-9-]+\)=\s*$", " ", text, flags=re.M)
    text = re.sub(r"`[^`]*`", " ", text)  # inline code: file names, not prose
    return text


def words(text: str) -> list[str]:
    return re.findall(r"[A-Za-zα-ω][A-Za-zα-ω'’-]*", text)

"""Turn what Sphinx and xelatex print into one plain line per problem.

Why: the build runs Sphinx once per builder (HTML and EPUB, LaTeX, side by
side), and the LaTeX builder resolves a chapter's references twice (for
the book and for the chapter's own PDF), so one mistake came out two or
three times. Each copy had an absolute path, the line where the paragraph
starts rather than the line of the mistake, Sphinx's own words ("bibtex
key", "toctree") and no hint for a typo. An editor should see:

    book/05-risks.md:45: no section, figure or table is labelled
    'sec-risks-vacines'; did you mean 'sec-risks-vaccines'?

This module does that rewriting, and nothing else:

* one line per problem, however many builders reported it, in file order;
* paths relative to the project;
* for a message that names something (a label, citation key, glossary
  term or page), the line where that name really is: the paragraph or
  block that Sphinx pointed at is searched for it;
* plain words, and "did you mean ...?" chosen by difflib from the book's
  real labels, citation keys, glossary terms and pages;
* a Sphinx crash cut down to its exception and the file with the details.

It also reads xelatex logs: TeX wraps them at 79 columns, so the build
un-wraps them before looking for "Missing character", and names the source
line that holds the character the font lacks.
"""

from __future__ import annotations

import difflib
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from handbook.drug_facts import load_drugs

#: What each builder makes, in a reader's words.
BUILDER_OUTPUTS = {"html": "the HTML book", "epub": "the EPUB", "latex": "the PDFs"}
#: Block types every MyST book has, offered when a ```{name} is mistyped.
STANDARD_BLOCK_TYPES = (
    "admonition", "attention", "caution", "danger", "error", "hint", "important", "note", "seealso",
    "tip", "warning", "figure", "image", "table", "list-table", "csv-table", "code-block", "include",
    "glossary", "toctree", "index", "math", "rubric", "topic", "sidebar", "epigraph",
)  # fmt: skip

# "path:line: WARNING: text [type.subtype]", path and line optional.
_WARNING = re.compile(
    r"^(?:(?P<path>[^\s:][^:]*?)(?::(?P<line>\d+))?: )?(?:WARNING|ERROR|CRITICAL|SEVERE): "
    r"(?P<text>.*?)(?: \[(?P<kind>[\w.-]+)\])?$"
)
# The problem lines this module writes: "path:line[:column]: text".
_LOCATED = re.compile(r"^(?P<path>[^\s:]+)(?::(?P<line>\d+))?(?::(?P<column>\d+))?: ")
_LABEL_LINE = re.compile(r"^\((?P<label>[^()\s]+)\)=\s*$")
_NAME_OPTION = re.compile(r"^\s*:name:\s*(?P<label>\S+)\s*$")
_BIB_KEY = re.compile(r"^@\w+\s*\{\s*([^,\s]+)\s*,", re.MULTILINE)
_FENCE = re.compile(r"^\s*(?P<fence>`{3,}|~{3,}|:{3,})\s*(?P<info>.*)$")
_BLOCK_TYPE = re.compile(r"^\{(?P<name>[\w:-]+)\}")
# Sphinx prints names with %r: 'name', or "name" when the name holds a quote.
_NAME = r"""(?P<q>['"])(?P<token>.+)(?P=q)"""
_TERMINAL_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_CRASH = re.compile(r"^Versions\n=+$", re.MULTILINE)
_EXCEPTION_LINE = re.compile(r"^[\w.]*(Error|Exception|Interrupt|Exit)\b.*")
_CRASH_HEADLINE = re.compile(r"^[\w ]+ error!$|^Interrupted!$")
_FOOTER = re.compile(r"^build (finished|succeeded)\b")
TEX_LOG_WIDTH = 79  # TeX's max_print_line unless the environment changes it
_MISSING_CHARACTER = re.compile(
    r"^Missing character: There is no (?P<char>.+?) (?:\(U\+(?P<code>[0-9A-Fa-f]+)\) )?in font (?P<font>.+?)!$",
    re.MULTILINE,
)
_LATEX_WARNINGS = (
    (re.compile(r"LaTeX Warning: Reference `(.+?)' on page \d+ undefined on input line (\d+)"), "undefined reference {0} (line {1})"),
    (re.compile(r"LaTeX Warning: Citation `(.+?)' on page \d+ undefined on input line (\d+)"), "undefined citation {0} (line {1})"),
    (re.compile(r"LaTeX Warning: Hyper reference `(.+?)' on page \d+ undefined on input line (\d+)"), "undefined link target {0} (line {1})"),
)  # fmt: skip


@dataclass(frozen=True)
class SphinxWarning:
    """One warning as Sphinx printed it, split into its parts."""

    path: str | None
    line: int | None
    text: str  # without "WARNING:" and without the "[type]" at the end


@dataclass(frozen=True)
class Problem:
    """One problem, said for an editor."""

    path: str | None
    line: int | None
    text: str

    def __str__(self) -> str:
        if self.path and self.line:
            return f"{self.path}:{self.line}: {self.text}"
        return f"{self.path}: {self.text}" if self.path else self.text


# -- pure helpers ---------------------------------------------------------------


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate a typo of ``word`` most likely meant, or None.

    Case does not count (Sphinx lower-cases labels and glossary terms); the
    answer keeps the case it is written in. The cut-off keeps a name that is
    merely similar ("sec-no-such-section", "sec-research-precision") from
    being offered as the fix.
    """
    by_lower = {c.lower(): c for c in candidates if c.lower() != word.lower()}
    matches = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=0.75)
    return by_lower[matches[0]] if matches else None


def did_you_mean(word: str, candidates: Iterable[str], shown: str = "'{}'") -> str:
    """'; did you mean 'x'?' for the closest candidate, or '' when none is close."""
    best = closest(word, candidates)
    return f"; did you mean {shown.format(best)}?" if best else ""


def parse_warning(line: str) -> SphinxWarning | None:
    match = _WARNING.match(line)
    if not match:
        return None
    number = match["line"]
    return SphinxWarning(match["path"], int(number) if number else None, match["text"])


def block_end(lines: list[str], start: int) -> int:
    """The last line (1-based) of the paragraph or fenced block at ``start``.

    A fence (```, ~~~ or :::) runs to the closing fence of the same kind;
    anything else runs to the next blank line.
    """
    opening = _FENCE.match(lines[start - 1]) if 0 < start <= len(lines) else None
    if opening:
        fence = opening["fence"]
        for number in range(start + 1, len(lines) + 1):
            closing = _FENCE.match(lines[number - 1])
            if closing and closing["fence"][0] == fence[0] and len(closing["fence"]) >= len(fence) and not closing["info"]:
                return number
        return len(lines)
    for number in range(start, len(lines) + 1):
        if not lines[number - 1].strip():
            return number - 1
    return len(lines)


def token_lines(lines: list[str], reported: int, token: str) -> list[int]:
    """Each line in the block Sphinx reported at that holds ``token``.

    Sphinx gives the line where a paragraph (or a directive) starts; the
    name it complains about may be several lines further down.
    """
    if not 0 < reported <= len(lines):
        return []
    # Whole names only: 'ch-risk' is not found inside 'ch-risks'.
    name = re.compile(rf"(?<![\w-]){re.escape(token)}(?![\w-])", re.IGNORECASE)
    return [n for n in range(reported, block_end(lines, reported) + 1) if name.search(lines[n - 1])]


def labels_in(text: str) -> list[tuple[str, int]]:
    """Every label a page defines, with its line: ``(label)=`` and ``:name:``."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _LABEL_LINE.match(line) or _NAME_OPTION.match(line)
        if match:
            found.append((match["label"], number))
    return found


def bib_keys_in(text: str) -> list[str]:
    return _BIB_KEY.findall(text)


def block_lines(text: str, block_type: str) -> Iterator[str]:
    """The lines inside each ```{block_type} block of a page (options included)."""
    fence: str | None = None
    for line in text.splitlines():
        match = _FENCE.match(line)
        if fence is None:
            if match and match["info"].startswith(f"{{{block_type}}}"):
                fence = match["fence"]
        elif match and match["fence"][0] == fence[0] and not match["info"]:
            fence = None
        else:
            yield line


def glossary_terms_in(text: str) -> list[str]:
    """The terms of every ```{glossary} block: its lines that are not indented."""
    lines = block_lines(text, "glossary")
    return [line.strip() for line in lines if line.strip() and not line[0].isspace() and not line.startswith(":")]


def contents_in(text: str) -> list[str]:
    """The pages a page's ```{toctree} blocks list (``05-risks``, or ``Title <05-risks>``)."""
    pages = []
    for line in block_lines(text, "toctree"):
        if line.strip() and not line.lstrip().startswith(":"):
            entry = re.search(r"<([^>]+)>\s*$", line)
            pages.append((entry.group(1) if entry else line).strip().lstrip("/"))
    return pages


def block_types_in(text: str) -> set[str]:
    """The ```{name} and :::{name} block types a page uses."""
    found = set()
    for line in text.splitlines():
        fence = _FENCE.match(line)
        block = _BLOCK_TYPE.match(fence["info"]) if fence else None
        if block:
            found.add(block["name"])
    return found


def location_key(problem: str) -> tuple[str, int, int]:
    match = _LOCATED.match(problem)
    if not match:
        return ("", 0, 0)
    return (match["path"], int(match["line"] or 0), int(match["column"] or 0))


def each_once(problems: Iterable[str]) -> list[str]:
    """The problems without repeats, in file and line order.

    Problems that name no file come first, in the order they came.
    """
    unique = list(dict.fromkeys(p for p in problems if p.strip()))
    return sorted(unique, key=location_key)


def how_many(problems: list[str]) -> str:
    """The build's closing count: '3 problems to fix, each listed once above.'"""
    count = len(problems)
    return f"{count} problem{'' if count == 1 else 's'} to fix, each listed once above."


def split_crash(output: str) -> tuple[str, str]:
    """(the warnings, Sphinx's crash report or '')."""
    match = _CRASH.search(output)
    if not match:
        return output, ""
    head = output[: match.start()].rstrip("\n").split("\n")
    while head and (not head[-1].strip() or _CRASH_HEADLINE.match(head[-1].strip())):
        head.pop()
    return "\n".join(head), output[match.start() :]


def crash_summary(report: str, builder: str) -> str:
    """Sphinx's crash report in one line: the exception and where the rest is."""
    traceback = report.split("\nTraceback\n", 1)[-1].split("The full traceback has been saved in:")[0]
    lines = [line.strip() for line in traceback.split("\n") if line.strip() and not line.startswith("=")]
    # The last exception line is the one that stopped Sphinx (earlier ones
    # are the causes of a chained exception).
    raised = [line for line in lines if _EXCEPTION_LINE.match(line)]
    exception = raised[-1] if raised else (lines[-1] if lines else "no details")
    saved = re.search(r"The full traceback has been saved in:\n(\S+)", report)
    details = f"; the details are in {saved.group(1)}" if saved else ""
    output = BUILDER_OUTPUTS.get(builder, f"the {builder} output")
    return f"Sphinx stopped with an internal error while making {output}: {exception}{details}"


def without_colour(output: str) -> str:
    """The output without terminal escape codes: Sphinx colours its warnings
    when FORCE_COLOR is set. build.py asks it not to (--no-color); this keeps
    the reading right for output that was coloured all the same."""
    return _TERMINAL_ESCAPE.sub("", output)


def entries(output: str) -> list[list[str]]:
    """The output's lines, each with the indented lines that continue it."""
    grouped: list[list[str]] = []
    for line in output.split("\n"):
        if not line.strip() or _FOOTER.match(line):
            continue
        if line[0].isspace() and grouped:
            grouped[-1].append(line)
        else:
            grouped.append([line])
    return grouped


def unwrap_tex_log(text: str, width: int = TEX_LOG_WIDTH) -> str:
    """Join the lines TeX broke at ``width`` characters.

    TeX writes at most max_print_line characters a line and carries the rest
    to the next, so a message with a long font name ends on a line of its own.
    A line of exactly ``width`` characters therefore continues on the next.
    """
    joined: list[str] = []
    pending = ""
    for line in text.split("\n"):
        if len(line) == width:
            pending += line
            continue
        joined.append(pending + line)
        pending = ""
    if pending:
        joined.append(pending)
    return "\n".join(joined)


def character_name(char: str) -> str:
    return unicodedata.name(char, f"U+{ord(char):04X}")


def cannot_draw(chars: str, font: str = "the PDF font") -> str:
    """The message for a character, or a run of them, that a PDF font has no glyph for."""
    names = [character_name(char) for char in chars]
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f"{font} cannot draw '{chars}' ({shown}); use words or a symbol the font has"


# -- the book's names -----------------------------------------------------------


class Book:
    """The names an editor can use, read from the sources when first asked for."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.book_dir = root / "book"
        self._lines: dict[str, list[str]] = {}

    def relative(self, path: str | Path) -> str:
        text = str(path)
        prefix = str(self.root) + os.sep
        return text[len(prefix) :] if text.startswith(prefix) else text

    def unrooted(self, text: str) -> str:
        """``text`` with every absolute path into the project made relative."""
        return text.replace(str(self.root) + os.sep, "")

    @cached_property
    def pages(self) -> dict[str, Path]:
        """Docname (``05-risks``) to file, as Sphinx names the book's pages."""
        found = {}
        for path in sorted(self.book_dir.rglob("*.md")):
            relative = path.relative_to(self.book_dir)
            if relative.parts[0] == "_data" or path.name == "README.md":
                continue
            found[relative.with_suffix("").as_posix()] = path
        return found

    def lines(self, path: str) -> list[str]:
        """The lines of a source file (relative to the project), read once."""
        if path not in self._lines:
            try:
                text = (self.root / path).read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""
            self._lines[path] = text.split("\n")
        return self._lines[path]

    @cached_property
    def labels(self) -> dict[str, list[str]]:
        """Label (lower-case, as Sphinx keeps it) to where it is defined."""
        found: dict[str, list[str]] = {}
        for path in self.pages.values():
            for label, line in labels_in(path.read_text(encoding="utf-8", errors="replace")):
                found.setdefault(label.lower(), []).append(f"{self.relative(path)}:{line}")
        for anchor in self._drug_anchors():
            found.setdefault(anchor, []).append("book/drug-reference.md")
        return found

    def _drug_anchors(self) -> list[str]:
        # The drug reference page labels each drug (drug-infliximab) from
        # the data file; the data module is light (no Sphinx).
        data = self.book_dir / "_data" / "drugs.yaml"
        return [drug.anchor for drug in load_drugs(data)[0]] if data.is_file() else []

    @cached_property
    def bib_keys(self) -> list[str]:
        bib = self.book_dir / "references.bib"
        return bib_keys_in(bib.read_text(encoding="utf-8", errors="replace")) if bib.is_file() else []

    @cached_property
    def glossary_terms(self) -> list[str]:
        glossary = self.pages.get("glossary")
        return glossary_terms_in(glossary.read_text(encoding="utf-8", errors="replace")) if glossary else []

    @cached_property
    def contents(self) -> set[str]:
        """The pages some table of contents lists."""
        return {page for path in self.pages.values() for page in contents_in(path.read_text(encoding="utf-8", errors="replace"))}

    def page_of(self, label: str) -> str | None:
        """The page (``05-risks``) that defines a label, if exactly one does."""
        places = self.labels.get(label.lower(), [])
        if len(places) != 1:
            return None
        return places[0].split(":")[0].removeprefix("book/").removesuffix(".md")

    @cached_property
    def block_types(self) -> set[str]:
        found = set(STANDARD_BLOCK_TYPES)
        for path in self.pages.values():
            found |= block_types_in(path.read_text(encoding="utf-8", errors="replace"))
        return found

    def find_character(self, char: str) -> list[tuple[str, int, int]]:
        """Where a character first appears in each source file: (path, line, column)."""
        found = []
        sources = [*self.pages.values(), *sorted((self.book_dir / "_data").glob("*.yaml")), self.book_dir / "references.bib"]
        for path in sources:
            if not path.is_file():
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").split("\n"), start=1):
                if char in line:
                    found.append((self.relative(path), number, line.index(char) + 1))
                    break
        return found


# -- rewriting Sphinx's warnings ------------------------------------------------


@dataclass
class Rewrite:
    """One warning being rewritten: the book, and the warning's file and line."""

    book: Book
    path: str | None
    line: int | None
    occurrence: int  # 1 for the first warning with this text at this place, 2 ...

    def at_token(self, token: str) -> int | None:
        """The line of the ``occurrence``-th ``token`` in the reported block.

        Sphinx repeats the warning for each use in the paragraph, and the
        LaTeX builder repeats all of them once per PDF, so the n-th copy
        goes to the n-th use, round and round.
        """
        if not self.path or not self.line:
            return self.line
        found = token_lines(self.book.lines(self.path), self.line, token)
        return found[(self.occurrence - 1) % len(found)] if found else self.line

    def problem(self, text: str, line: int | None = None) -> Problem:
        return Problem(self.path, line if line is not None else self.line, text)


def _undefined_label(r: Rewrite, m: re.Match[str]) -> Problem:
    label = m["token"]
    defined = r.book.labels.get(label.lower(), [])
    if len(defined) > 1:
        text = f"the label '{label}' cannot be linked to: it is defined more than once ({', '.join(defined)})"
    elif defined:
        text = f"the label '{label}' (at {defined[0]}) cannot be linked to from here"
    else:
        text = f"no section, figure or table is labelled '{label}'{did_you_mean(label, r.book.labels)}"
    return r.problem(text, r.at_token(label))


def _untitled_label(r: Rewrite, m: re.Match[str]) -> Problem:
    label = m["token"]
    text = (f"'{label}' labels something without a title or caption, so the link has no text: "
            f"write {{ref}}`your words <{label}>`")  # fmt: skip
    return r.problem(text, r.at_token(label))


def _unnumbered(r: Rewrite, m: re.Match[str]) -> Problem:
    label = m["token"]
    page = r.book.page_of(label)
    if page and page not in r.book.contents:
        text = f"'{label}' has no number to show: its page, book/{page}.md, isn't in the table of contents (book/index.md)"
    else:
        text = f"'{label}' has no number to show: it labels something unnumbered; link to it with {{ref}} instead"
    return r.problem(text, r.at_token(label))


def _unknown_citation(r: Rewrite, m: re.Match[str]) -> Problem:
    key = m["token"]
    text = f"no source with key '{key}' in book/references.bib{did_you_mean(key, r.book.bib_keys)}"
    return r.problem(text, r.at_token(key))


def _unknown_term(r: Rewrite, m: re.Match[str]) -> Problem:
    term = m["token"]
    text = f"'{term}' is not a term in the glossary (book/glossary.md){did_you_mean(term, r.book.glossary_terms)}"
    return r.problem(text, r.at_token(term))


def _unknown_page(r: Rewrite, m: re.Match[str]) -> Problem:
    page = m["token"]
    text = f"there is no page '{page}' in book/{did_you_mean(page.strip('/'), r.book.pages)}"
    return r.problem(text, r.at_token(page))


def _missing_from_contents(r: Rewrite, m: re.Match[str]) -> Problem:
    page = r.book.relative(r.path or "").removeprefix("book/").removesuffix(".md")
    return r.problem(f"this page isn't in the table of contents: add '{page}' to a list in book/index.md")


def _contents_lists_missing_page(r: Rewrite, m: re.Match[str]) -> Problem:
    page = m["token"]
    text = (f"the table of contents lists '{page}', but there is no page book/{page}.md"
            f"{did_you_mean(page, r.book.pages)}")  # fmt: skip
    return r.problem(text, r.at_token(page))


def _contents_lists_twice(r: Rewrite, m: re.Match[str]) -> Problem:
    page = m["page"]
    return r.problem(f"the table of contents lists '{page}' twice", r.at_token(page))


def _duplicate_label(r: Rewrite, m: re.Match[str]) -> Problem:
    label = m["token"]
    here = r.book.relative(r.path or "")
    places = r.book.labels.get(label.lower(), [])
    own_lines = [int(p.rsplit(":", 1)[1]) for p in places if p.startswith(here + ":")]
    # The warning points at the heading a label names; the label is above it.
    line = max((n for n in own_lines if n <= (r.line or 0)), default=r.line)
    others = [p for p in places if p != f"{here}:{line}"]
    if not others and m.groupdict().get("other"):
        others = [r.book.relative(m["other"])]
    where = f" at {', '.join(others)}" if others else ""
    return r.problem(f"the label '{label}' is already used{where}; give one of them another name", line)


def _unknown_block_type(r: Rewrite, m: re.Match[str]) -> Problem:
    name = m["token"]
    suggestion = did_you_mean(name, r.book.block_types, shown="'{{{}}}'")
    return r.problem(f"'{{{name}}}' is not a kind of block the book knows{suggestion}", r.at_token(name))


def _unclosed_block(r: Rewrite, m: re.Match[str]) -> Problem:
    lines = r.book.lines(r.path) if r.path else []
    opening = lines[r.line - 1].strip() if r.line and r.line <= len(lines) else ""
    fence = _FENCE.match(opening)
    if not fence:
        return r.problem("a block opened here is never closed, so it takes in the rest of the file")
    return r.problem(f"the block opened here by '{opening}' is never closed, so it takes in the rest of the file; "
                     f"close it with a line '{fence['fence']}'")  # fmt: skip


def _unreadable_image(r: Rewrite, m: re.Match[str]) -> Problem:
    return r.problem(f"there is no image file '{m['path']}'", r.at_token(m["path"]))


#: Sphinx's message (regular expression) and how to say it instead.
RULES: list[tuple[re.Pattern[str], Callable[[Rewrite, re.Match[str]], Problem]]] = [
    (re.compile(rf"^undefined label: {_NAME}$"), _undefined_label),
    (re.compile(rf"^Failed to create a cross reference\. A title or caption not found: {_NAME}$"), _untitled_label),
    (re.compile(r"^Failed to create a cross reference\. Any number is not assigned: (?P<token>\S+)$"), _unnumbered),
    (re.compile(r'^could not find bibtex key "(?P<token>[^"]+)"$'), _unknown_citation),
    (re.compile(rf"^term not in glossary: {_NAME}$"), _unknown_term),
    (re.compile(rf"^unknown document: {_NAME}$"), _unknown_page),
    (re.compile(r"^document isn't included in any toctree$"), _missing_from_contents),
    (re.compile(rf"^toctree contains reference to non-?existing document {_NAME}$"), _contents_lists_missing_page),
    (re.compile(r"^duplicated entry found in toctree: (?P<page>\S+)$"), _contents_lists_twice),
    (re.compile(r"^duplicate label (?P<token>\S+), other instance in (?P<other>.+)$"), _duplicate_label),
    (re.compile(r'^Duplicate explicit target name: "(?P<token>.+)"\.$'), _duplicate_label),
    (re.compile(rf"^Unknown directive type: {_NAME}\.?$"), _unknown_block_type),
    (re.compile(r"^image file not readable: (?P<path>.+)$"), _unreadable_image),
    (re.compile(r"^unclosed fence: "), _unclosed_block),  # from handbook/ext/source_checks.py
]


def rewrite(warning: SphinxWarning, book: Book, occurrence: int = 1) -> Problem:
    """One Sphinx warning in an editor's words, at the line of the mistake."""
    path = book.relative(warning.path) if warning.path else None
    text = book.unrooted(warning.text)
    context = Rewrite(book, path, warning.line, occurrence)
    for pattern, say in RULES:
        match = pattern.match(text)
        if match:
            return say(context, match)
    return context.problem(text)


def sphinx_problems(output: str, builder: str, book: Book) -> list[str]:
    """Everything one Sphinx run printed, as problems for an editor."""
    warnings, crash = split_crash(without_colour(output))
    seen: Counter[tuple[str | None, int | None, str]] = Counter()
    problems = []
    for first, *rest in entries(warnings):
        warning = parse_warning(first)
        if warning is None:
            problems.append(book.unrooted("\n".join([first, *rest])))
            continue
        key = (warning.path, warning.line, warning.text)
        seen[key] += 1
        problems.append("\n".join([str(rewrite(warning, book, seen[key])), *map(book.unrooted, rest)]))
    if crash:
        problems.append(book.unrooted(crash_summary(crash, builder)))
    return each_once(problems)


# -- xelatex logs ---------------------------------------------------------------


def font_name(font: str) -> str:
    """``[FreeSerif.otf]/OT:script=latn;...`` or ``FreeSerif:mode=...`` -> the font's name."""
    match = re.match(r"\[?([^\]/:;\"]+)", font.strip('"'))
    return match.group(1) if match else font


def latex_log_problems(log_text: str, job: str, book: Book) -> list[str]:
    """Problems in a xelatex log that must fail the build.

    A missing character is reported where the sources hold it (both the
    book and a chapter PDF lack it, and it is one problem); the rest name
    the LaTeX job.
    """
    text = unwrap_tex_log(log_text)
    problems = []
    for match in _MISSING_CHARACTER.finditer(text):
        char = chr(int(match["code"], 16)) if match["code"] else match["char"]
        font = f"the PDF font {font_name(match['font'])}"
        places = book.find_character(char)
        if places:
            problems += [f"{path}:{line}:{column}: {cannot_draw(char, font)}" for path, line, column in places]
        else:
            problems.append(f"{job}.tex: {cannot_draw(char, font)}")
    for pattern, template in _LATEX_WARNINGS:
        problems += [f"{job}.tex: {template.format(*m.groups())}" for m in pattern.finditer(text)]
    return each_once(problems)

"""Checks on the sources that run before any builder, so outputs stay untouched.

``handbook/build.py`` runs these first and stops, with one plain message per
problem, when any fails. Each one catches a mistake that Sphinx or xelatex
would report badly, late, or not at all:

* a file that is not UTF-8: Sphinx 9 stops with "Encoding error!" and no
  file name;
* front matter opened with ``---`` and never closed (or not valid YAML):
  Sphinx reads the ``---`` as a horizontal rule, says "may not begin with a
  transition" and then that ``last_reviewed`` is missing, which it is not;
* a figure, image, include or download path that leaves ``book/``: the HTML
  builder would copy the outside file into ``_images/`` before xelatex
  failed on it without naming the chapter; a path to a file that does not
  exist makes the LaTeX builder crash;
* a character the PDF's fonts cannot draw (an emoji, a CJK character):
  xelatex only logs "Missing character" and prints a blank, so every PDF
  would ship with gaps while the build said it succeeded.

The fonts are the ones ``conf.py``'s ``latex_elements["fontpkg"]`` sets;
each character is checked against the face it is printed in (code in the
mono font, headings in the bold sans, ``**bold**`` and ``*italic*`` in
those faces of the main font). On a machine without those font files (an
HTML-only set-up) the font check is skipped: there is no PDF to protect.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import yaml
from fontTools.ttLib import TTFont
from sphinx.util.texescape import tex_replacements

from handbook.editor_messages import cannot_draw, each_once

#: Where Debian's fonts-freefont-otf puts the book's fonts, if fontconfig cannot say.
FREEFONT_DIR = Path("/usr/share/fonts/opentype/freefont")
TEXT_SUFFIXES = {".md", ".bib", ".yaml", ".txt"}
#: Characters Sphinx's LaTeX writer replaces before xelatex sees them.
REPLACED_FOR_LATEX = frozenset(char for char, _ in tex_replacements if len(char) == 1)
#: Not printed: line ends, tabs and the byte-order mark.
NOT_PRINTED = frozenset("\r\t\ufeff")
#: Blocks whose content is shown as code, not read as Markdown.
LITERAL_BLOCKS = {"code-block", "code", "sourcecode"}
PATH_BLOCKS = {"figure": "figure", "image": "image", "include": "included file", "literalinclude": "included file"}

_FENCE = re.compile(r"^\s*(?P<fence>`{3,}|~{3,}|:{3,})\s*(?P<info>.*?)\s*$")
_BLOCK = re.compile(r"^\{(?P<name>[\w:-]+)\}\s*(?P<argument>.*)$")
_MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*(?:<(?P<angle>[^>]+)>|(?P<plain>[^\s)]+))")
_DOWNLOAD_ROLE = re.compile(r"\{download\}`(?:[^`<]*<(?P<target>[^`>]+)>|(?P<plain>[^`<]+))`")
_INLINE_CODE = re.compile(r"(?<!\})(`+)(?P<code>.+?)\1")
_BOLD = re.compile(r"(\*\*|__)(?=\S)(?P<inner>.+?)(?<=\S)\1")
_ITALIC = re.compile(r"(?<![*\w])\*(?=[^\s*])(?P<inner>[^*]+?)(?<=\S)\*(?!\*)|(?<![_\w])_(?=\S)(?P<inner2>[^_]+?)(?<=\S)_(?!\w)")
_HEADING = re.compile(r"^#{1,6}\s")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:|^#")
_SETFONT = re.compile(r"\\set(?P<family>main|sans|mono)font\{(?P<name>[^}]+)\}(?:\[(?P<options>[^\]]*)\])?")

#: Where a character is printed: the PDF face that must have it, and how a
#: message names that face.
ROLES = {
    "text": (("main", "UprightFont"), "the PDF font"),
    "bold": (("main", "BoldFont"), "the PDF's bold font"),
    "italic": (("main", "ItalicFont"), "the PDF's italic font"),
    "heading": (("sans", "BoldFont"), "the PDF's heading font"),
    "code": (("mono", "UprightFont"), "the PDF's code font"),
}


# -- UTF-8 ----------------------------------------------------------------------


def encoding_problem(relative: str, data: bytes) -> str | None:
    """Sphinx 9 stops with a bare "Encoding error!": say which file, line and byte."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        return (f"{relative}:{line}: not valid UTF-8 (byte 0x{data[error.start]:02x} "
                f"at column {column}); save the file as UTF-8")  # fmt: skip
    return None


# -- front matter ---------------------------------------------------------------


def front_matter_problem(relative: str, text: str) -> str | None:
    """Front matter opened by ``---`` on line 1 that is never closed, or is not YAML."""
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return None
    closing = next((n for n, line in enumerate(lines[1:], start=2) if line.rstrip() == "---"), None)
    if closing is None:
        last = 1
        # The fields run to the first line that is not YAML-like.
        while last < len(lines) and re.match(r"^([\w-]+:|\s+\S|-\s|#)", lines[last]):
            last += 1
        after = f" after line {last} ({lines[last - 1].strip()})" if last > 1 else ""
        return (f"{relative}:1: the front matter opened by '---' on line 1 is never closed; "
                f"add a line '---'{after}")  # fmt: skip
    try:
        yaml.safe_load("\n".join(lines[1 : closing - 1]))
    except yaml.YAMLError as error:
        mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
        line = 2 + (mark.line if mark else 0)
        reason = getattr(error, "problem", None) or "it cannot be read"
        return (f"{relative}:{line}: the front matter (between the '---' lines) is not valid YAML: "
                f"{reason}; check its brackets, quotes and colons")  # fmt: skip
    return None


# -- Markdown structure -----------------------------------------------------------


@dataclass(frozen=True)
class MarkdownLine:
    number: int
    text: str
    kind: str  # "text", "heading", "code" (inside a literal block) or "fence"
    block: str = ""  # for a fence that opens a block: its type (figure, note, ...)
    argument: str = ""  # ... and what follows the type on that line


def markdown_lines(text: str) -> Iterator[MarkdownLine]:
    """Each line of a MyST page with what it is: prose, heading, code or fence.

    Fences nest: a ```{note} can hold a ```{figure}; each closes with a bare
    fence of its own character at least as long. Inside a code block
    (```python, ```{code-block}) nothing else opens.
    """
    open_fences: list[tuple[str, int, bool]] = []  # (character, length, holds code)
    for number, line in enumerate(text.split("\n"), start=1):
        fence = _FENCE.match(line)
        top = open_fences[-1] if open_fences else None
        closes = bool(fence and top and fence["fence"][0] == top[0] and len(fence["fence"]) >= top[1] and not fence["info"])
        if closes:
            open_fences.pop()
            yield MarkdownLine(number, line, "fence")
        elif top and top[2]:
            yield MarkdownLine(number, line, "code")
        elif fence and (fence["info"] or fence["fence"][0] in "`~"):
            block = _BLOCK.match(fence["info"])
            name = block["name"] if block else ""
            holds_code = fence["fence"][0] in "`~" and (block is None or name in LITERAL_BLOCKS)
            open_fences.append((fence["fence"][0], len(fence["fence"]), holds_code))
            yield MarkdownLine(number, line, "fence", name, block["argument"] if block else "")
        elif _HEADING.match(line):
            yield MarkdownLine(number, line, "heading")
        else:
            yield MarkdownLine(number, line, "text")


# -- paths that must stay in the book ---------------------------------------------


@dataclass(frozen=True)
class PathUse:
    line: int
    kind: str  # "figure", "image", "included file", "download"
    target: str


def path_uses(text: str) -> Iterator[PathUse]:
    """Every file path a page asks the build to read or copy."""
    for line in markdown_lines(text):
        if line.kind == "fence" and line.block in PATH_BLOCKS and line.argument:
            yield PathUse(line.number, PATH_BLOCKS[line.block], line.argument.strip())
        if line.kind not in ("text", "heading"):
            continue
        for match in _DOWNLOAD_ROLE.finditer(line.text):
            yield PathUse(line.number, "download", (match["target"] or match["plain"]).strip())
        prose = _INLINE_CODE.sub(lambda m: " " * len(m.group(0)), line.text)
        for match in _MARKDOWN_IMAGE.finditer(prose):
            yield PathUse(line.number, "image", match["angle"] or match["plain"])


def resolve(book_dir: Path, page: Path, target: str) -> Path:
    """Where a path in a page points: from the page's folder, or from book/ if it starts with '/'."""
    base = book_dir / target.lstrip("/") if target.startswith("/") else page.parent / target
    return Path(os.path.realpath(base))


def path_problem(root: Path, page: Path, use: PathUse) -> str | None:
    """A path that leaves book/ (its file would be copied into the outputs) or finds no file."""
    if _URL.match(use.target):
        return None
    book_dir = Path(os.path.realpath(root / "book"))
    target = resolve(book_dir, Path(os.path.realpath(page)), use.target)
    where = f"{page.relative_to(root)}:{use.line}"
    if target != book_dir and book_dir not in target.parents:
        return (f"{where}: the {use.kind} path '{use.target}' leads outside book/; "
                "put the file inside book/ (figures go in book/figures/) and give its path from there")  # fmt: skip
    exists = any(target.parent.glob(target.name)) if "*" in target.name else target.exists()
    if not exists:
        looked = Path("book") / target.relative_to(book_dir)
        return f"{where}: the {use.kind} file '{use.target}' does not exist (looked for {looked.as_posix()})"
    return None


# -- characters the PDF fonts cannot draw ----------------------------------------------


def fontpkg(conf_py: Path) -> str:
    """``latex_elements["fontpkg"]`` from conf.py, read without running conf.py."""
    tree = ast.parse(conf_py.read_text(encoding="utf-8"))
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict)):
            continue
        if not any(isinstance(t, ast.Name) and t.id == "latex_elements" for t in node.targets):
            continue
        for key, value in zip(node.value.keys, node.value.values):
            if isinstance(key, ast.Constant) and key.value == "fontpkg" and isinstance(value, ast.Constant):
                return str(value.value)
    return ""


def font_files(latex: str) -> dict[tuple[str, str], str]:
    """The file of each face fontspec loads: {("main", "BoldFont"): "FreeSerifBold.otf", ...}."""
    faces = {}
    for match in _SETFONT.finditer(latex):
        options = {}
        for part in " ".join((match["options"] or "").split()).split(","):
            key, _, value = part.partition("=")
            options[key.strip()] = value.strip()
        name, extension = match["name"].strip(), options.get("Extension", "")
        for face in ("UprightFont", "BoldFont", "ItalicFont"):
            faces[(match["family"], face)] = options.get(face, "*").replace("*", name) + extension
    return faces


@cache  # the preview (handbook/serve.py) checks on every save: ask fontconfig once
def installed_fonts() -> dict[str, Path]:
    """Font file name -> path, for every font fontconfig knows."""
    try:
        listing = subprocess.run(["fc-list", "-f", "%{file}\n"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        listing = ""
    found = {path.name: path for path in sorted(FREEFONT_DIR.glob("*"))}
    found.update({Path(line).name: Path(line) for line in sorted(listing.splitlines()) if line})
    return found


@cache  # read once per process: the preview checks on every save
def font_coverage(path: Path) -> frozenset[int]:
    """The characters a font file maps to glyphs."""
    font = TTFont(path, lazy=True)
    # Numbered glyph names instead of the font's own: reading those
    # means decoding the whole CFF table, five times slower, and only
    # which characters are mapped matters here.
    font.setGlyphOrder([f"glyph{n}" for n in range(font["maxp"].numGlyphs)])
    return frozenset(font.getBestCmap())


@dataclass
class PdfFonts:
    """The faces the PDF prints in, and which characters each can draw."""

    files: dict[tuple[str, str], Path]

    @classmethod
    def of(cls, conf_py: Path) -> PdfFonts | None:
        """The PDF's fonts as conf.py sets them, or None when they are not installed."""
        wanted = font_files(fontpkg(conf_py))
        available = installed_fonts()
        files = {face: available[name] for face, name in wanted.items() if name in available}
        return cls(files) if ("main", "UprightFont") in files else None

    def can_draw(self, face: tuple[str, str], char: str) -> bool:
        path = self.files.get(face) or self.files[("main", "UprightFont")]
        return ord(char) in font_coverage(path)

    def lacking(self, char: str, role: str) -> str | None:
        """The font that cannot print ``char`` in ``role``, in a message's words; None if it can."""
        if char in NOT_PRINTED or char in REPLACED_FOR_LATEX:
            return None
        if not self.can_draw(("main", "UprightFont"), char):
            return "the PDF font"
        face, words = ROLES[role]
        if not self.can_draw(face, char):
            return f"{words} ({(self.files.get(face) or self.files[('main', 'UprightFont')]).stem})"
        return None


def line_roles(line: MarkdownLine) -> list[str]:
    """The role (ROLES) each character of a Markdown line is printed in."""
    if line.kind == "code":
        return ["code"] * len(line.text)
    if line.kind == "heading":
        roles = ["heading"] * len(line.text)
    else:
        roles = ["text"] * len(line.text)
        for pattern, role in ((_BOLD, "bold"), (_ITALIC, "italic")):
            for match in pattern.finditer(line.text):
                roles[match.start() : match.end()] = [role] * (match.end() - match.start())
    for match in _INLINE_CODE.finditer(line.text):
        roles[match.start("code") : match.end("code")] = ["code"] * len(match["code"])
    return roles


def printed_characters(path: Path, text: str) -> Iterator[tuple[int, int, str, str]]:
    """(line, column, character, role) for each character of a source file
    that is not printable ASCII: every text font has those, and they are
    nearly all of the book, so skipping them keeps the check quick."""
    if path.suffix == ".md":
        lines: Iterator[MarkdownLine] = markdown_lines(text)
    else:
        lines = (MarkdownLine(n, line, "text") for n, line in enumerate(text.split("\n"), start=1))
    for line in lines:
        if line.text.isascii() or line.text.lstrip().startswith("%"):  # "%": a MyST comment, never printed
            continue
        roles = line_roles(line) if path.suffix == ".md" else ["text"] * len(line.text)
        for column, (char, role) in enumerate(zip(line.text, roles), start=1):
            if not (char.isascii() and char.isprintable()):
                yield line.number, column, char, role


def font_problems(fonts: PdfFonts, relative: str, path: Path, text: str) -> list[str]:
    """One message per run of characters a font lacks, at its first use in the file.

    A run (a word in Japanese, an emoji with its variation selector) is one
    problem, not one per character; later uses are listed by line.
    """
    runs: list[tuple[int, int, str, str]] = []  # (line, column, characters, font)
    for number, column, char, role in printed_characters(path, text):
        font = fonts.lacking(char, role)
        if font is None:
            continue
        if runs and runs[-1][0] == number and runs[-1][1] + len(runs[-1][2]) == column and runs[-1][3] == font:
            line, start, chars, _ = runs.pop()
            runs.append((line, start, chars + char, font))
        else:
            runs.append((number, column, char, font))
    first: dict[str, tuple[int, int]] = {}
    later: dict[str, list[int]] = {}
    for number, column, chars, font in runs:
        message = cannot_draw(chars, font)
        if message not in first:
            first[message], later[message] = (number, column), []
        elif number != first[message][0] and number not in later[message]:
            later[message].append(number)
    problems = []
    for message, (number, column) in first.items():
        lines = ", ".join(map(str, later[message][:5])) + (", ..." if len(later[message]) > 5 else "")
        also = f" (also on line{'s' if len(later[message]) > 1 else ''} {lines})" if later[message] else ""
        problems.append(f"{relative}:{number}:{column}: {message}{also}")
    return problems


# -- all of them ----------------------------------------------------------------


@dataclass
class Sources:
    root: Path

    @property
    def book_dir(self) -> Path:
        return self.root / "book"

    @cached_property
    def text_files(self) -> list[Path]:
        return sorted(p for p in self.book_dir.rglob("*") if p.suffix in TEXT_SUFFIXES and p.is_file())

    def is_page(self, path: Path) -> bool:
        """A page of the book (not a README, not a data file)."""
        relative = path.relative_to(self.book_dir)
        return path.suffix == ".md" and path.name != "README.md" and relative.parts[0] != "_data"

    def is_printed(self, path: Path) -> bool:
        relative = path.relative_to(self.book_dir)
        data = relative.parts[0] == "_data" and path.suffix == ".yaml"
        return self.is_page(path) or data or relative.as_posix() == "references.bib"


def problems(root: Path) -> list[str]:
    """Every problem the sources under ``root`` have that a builder would handle badly."""
    sources = Sources(root)
    fonts = PdfFonts.of(root / "conf.py")
    found = []
    for path in sources.text_files:
        relative = path.relative_to(root).as_posix()
        data = path.read_bytes()
        problem = encoding_problem(relative, data)
        if problem:
            found.append(problem)
            continue
        text = data.decode("utf-8")
        if sources.is_page(path):
            found += [p for p in [front_matter_problem(relative, text)] if p]
            found += [p for use in path_uses(text) if (p := path_problem(root, path, use))]
        if fonts is not None and sources.is_printed(path):
            found += font_problems(fonts, relative, path, text)
    return each_once(found)

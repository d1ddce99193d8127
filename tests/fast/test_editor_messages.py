"""What an editor reads when the build fails: checked on small texts, no build.

handbook/editor_messages.py rewrites what Sphinx and xelatex print, and
handbook/preflight.py checks the sources before any builder runs. These
tests feed them made-up warnings, logs and pages (tests/fast/test_broken_inputs.py
checks the same messages through Sphinx on a small book, tests/test_bad_input.py
through real builds).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from handbook import editor_messages as em
from handbook import preflight
from handbook.meta import ROOT

PAGE = """\
---
last_reviewed: 2026-11-26
---

(ch-risks)=
# Risks

(sec-risks-vaccines)=
## Vaccines

The first line of a paragraph,
then {ref}`sec-risks-vacines` on the second,
and {ref}`sec-risks-vacines` again on the third.

```{figure} figures/plot.svg
:name: fig-plot

A caption.
```
"""
GLOSSARY = """\
# Glossary

```{glossary}
:sorted:

Autoantibody
  An antibody against the body's own proteins.

Boxed warning
  The strongest warning on a US label.
```
"""
BIB = "@article{smolen2023eular,\n  title = {EULAR},\n}\n\n@book{label_humira, title={Humira}}\n"


@pytest.fixture
def book(tmp_path: Path) -> em.Book:
    """A two-page book with a glossary and a bibliography."""
    (tmp_path / "book" / "figures").mkdir(parents=True)
    (tmp_path / "book" / "05-risks.md").write_text(PAGE, encoding="utf-8")
    (tmp_path / "book" / "glossary.md").write_text(GLOSSARY, encoding="utf-8")
    (tmp_path / "book" / "references.bib").write_text(BIB, encoding="utf-8")
    (tmp_path / "book" / "figures" / "plot.svg").write_text("<svg/>", encoding="utf-8")
    return em.Book(tmp_path)


def sphinx_line(book: em.Book, page: str, line: int | None, text: str, kind: str = "") -> str:
    place = f"{book.root}/book/{page}" + (f":{line}" if line else "")
    return f"{place}: WARNING: {text}" + (f" [{kind}]" if kind else "")


# -- did you mean ---------------------------------------------------------------


def test_a_typo_gets_the_closest_real_name() -> None:
    assert em.did_you_mean("sec-risks-vacines", ["sec-risks-vaccines", "sec-risks-why"]) == "; did you mean 'sec-risks-vaccines'?"
    assert em.did_you_mean("smolen2032eular", ["smolen2023eular", "label_humira"]) == "; did you mean 'smolen2023eular'?"


def test_the_suggestion_keeps_its_own_case() -> None:
    assert em.did_you_mean("autoantibdy", ["Autoantibody", "Antigen"]) == "; did you mean 'Autoantibody'?"


def test_nothing_is_suggested_when_nothing_is_close() -> None:
    assert em.did_you_mean("sec-no-such-section", ["ch-risks", "tbl-biologics"]) == ""
    assert em.did_you_mean("risks", ["risks"]) == "", "a name is not a typo of itself"


# -- where the mistake is -----------------------------------------------------------


def test_a_paragraph_ends_at_a_blank_line_and_a_fence_at_its_closing_fence() -> None:
    lines = PAGE.split("\n")
    assert em.block_end(lines, 11) == 13
    assert em.block_end(lines, 15) == 19


def test_the_token_is_found_on_the_lines_below_the_reported_one() -> None:
    lines = PAGE.split("\n")
    assert em.token_lines(lines, 11, "sec-risks-vacines") == [12, 13]
    assert em.token_lines(lines, 11, "not-there") == []
    assert em.token_lines(["a {ref}`ch-risks`", "and {ref}`ch-risk`"], 1, "ch-risk") == [2], "whole names only"


# -- the book's names -------------------------------------------------------------


def test_labels_come_from_label_lines_and_name_options(book: em.Book) -> None:
    assert em.labels_in(PAGE) == [("ch-risks", 5), ("sec-risks-vaccines", 8), ("fig-plot", 16)]
    assert book.labels["sec-risks-vaccines"] == ["book/05-risks.md:8"]


def test_glossary_terms_and_citation_keys_are_read_from_their_files(book: em.Book) -> None:
    assert book.glossary_terms == ["Autoantibody", "Boxed warning"]
    assert book.bib_keys == ["smolen2023eular", "label_humira"]
    assert set(book.pages) == {"05-risks", "glossary"}


# -- rewriting Sphinx's warnings ---------------------------------------------------


def test_an_undefined_label_is_said_plainly_at_its_own_line_with_a_suggestion(book: em.Book) -> None:
    output = sphinx_line(book, "05-risks.md", 11, "undefined label: 'sec-risks-vacines'", "ref.ref")
    assert em.sphinx_problems(output, "html", book) == [
        "book/05-risks.md:12: no section, figure or table is labelled 'sec-risks-vacines'; "
        "did you mean 'sec-risks-vaccines'?"
    ]


def test_two_uses_in_one_paragraph_are_two_problems_and_the_latex_repeat_is_not_a_third(book: em.Book) -> None:
    warning = sphinx_line(book, "05-risks.md", 11, "undefined label: 'sec-risks-vacines'", "ref.ref")
    html = "\n".join([warning, warning])
    latex = "\n".join([warning] * 4)  # the book PDF, then the chapter PDF
    problems = em.each_once(em.sphinx_problems(html, "html", book) + em.sphinx_problems(latex, "latex", book))
    assert [p.split(":")[1] for p in problems] == ["12", "13"]


def test_citation_term_and_page_messages_use_the_editors_words(book: em.Book) -> None:
    output = "\n".join([
        sphinx_line(book, "05-risks.md", 11, 'could not find bibtex key "smolen2032eular"', "bibtex.key_not_found"),
        sphinx_line(book, "05-risks.md", 11, "term not in glossary: 'autoantibdy'", "ref.term"),
        sphinx_line(book, "05-risks.md", 11, "unknown document: '05-risk'", "ref.doc"),
        sphinx_line(book, "05-risks.md", None, "document isn't included in any toctree", "toc.not_included"),
    ])  # fmt: skip
    assert em.sphinx_problems(output, "html", book) == [
        "book/05-risks.md: this page isn't in the table of contents: add '05-risks' to a list in book/index.md",
        "book/05-risks.md:11: no source with key 'smolen2032eular' in book/references.bib; did you mean 'smolen2023eular'?",
        "book/05-risks.md:11: 'autoantibdy' is not a term in the glossary (book/glossary.md); did you mean 'Autoantibody'?",
        "book/05-risks.md:11: there is no page '05-risk' in book/; did you mean '05-risks'?",
    ]


def test_a_duplicate_label_names_both_places(book: em.Book) -> None:
    page = book.root / "book" / "03-biologics.md"
    page.write_text("(sec-risks-vaccines)=\n## Again\n", encoding="utf-8")
    output = sphinx_line(book, "03-biologics.md", 2, f"duplicate label sec-risks-vaccines, other instance in {book.root}/book/05-risks.md")
    assert em.sphinx_problems(output, "html", book) == [
        "book/03-biologics.md:1: the label 'sec-risks-vaccines' is already used at book/05-risks.md:8; give one of them another name"
    ]


def test_an_unknown_block_type_suggests_a_known_one(book: em.Book) -> None:
    output = sphinx_line(book, "05-risks.md", 15, "Unknown directive type: 'figur'", "myst.directive_unknown")
    assert em.sphinx_problems(output, "html", book) == [
        "book/05-risks.md:15: '{figur}' is not a kind of block the book knows; did you mean '{figure}'?"
    ]


def test_coloured_output_reads_the_same_as_plain(book: em.Book) -> None:
    # Sphinx colours its warnings when FORCE_COLOR is set, as on some CI
    # machines: red from the start of the line to the end of the message.
    plain = sphinx_line(book, "05-risks.md", 15, "Unknown directive type: 'figur'", "myst.directive_unknown")
    coloured = "\n".join(f"\x1b[91m{line}\x1b[39;49;00m" if line else line for line in plain.split("\n"))
    assert "\x1b" in coloured
    assert em.sphinx_problems(coloured, "html", book) == em.sphinx_problems(plain, "html", book) == [
        "book/05-risks.md:15: '{figur}' is not a kind of block the book knows; did you mean '{figure}'?"
    ]


def test_a_message_without_a_rule_keeps_its_words_but_loses_the_noise(book: em.Book) -> None:
    output = sphinx_line(book, "05-risks.md", 3, "something new [and odd]", "misc.new")
    assert em.sphinx_problems(output + "\nbuild finished with problems, 1 warning.", "html", book) == [
        "book/05-risks.md:3: something new [and odd]"
    ]


def test_a_sphinx_crash_is_one_line_with_its_exception(book: em.Book) -> None:
    crash = """
Versions
========

* Sphinx version:   9.0.4

Traceback
=========

    Traceback (most recent call last):
      File "x.py", line 1, in <module>
    KeyError: 'figures/no-such.svg'


The full traceback has been saved in:
/tmp/sphinx-err-abc.log

To report this error to the developers, please open an issue at <https://github.com/sphinx-doc/sphinx/issues/>. Thanks!
"""
    output = sphinx_line(book, "05-risks.md", 3, "image file not readable: figures/no-such.svg", "image.not_readable") + "\n" + crash
    assert em.sphinx_problems(output, "latex", book) == [
        "Sphinx stopped with an internal error while making the PDFs: KeyError: 'figures/no-such.svg'; "
        "the details are in /tmp/sphinx-err-abc.log",
        "book/05-risks.md:3: there is no image file 'figures/no-such.svg'",
    ]


def test_a_number_lost_with_its_page_says_the_page_is_not_in_the_contents(book: em.Book) -> None:
    (book.root / "book" / "index.md").write_text("# Book\n\n```{toctree}\n:numbered:\n\nglossary\n```\n", encoding="utf-8")
    output = sphinx_line(book, "glossary.md", 1, "Failed to create a cross reference. Any number is not assigned: ch-risks")
    assert em.sphinx_problems(output, "html", book) == [
        "book/glossary.md:1: 'ch-risks' has no number to show: its page, book/05-risks.md, "
        "isn't in the table of contents (book/index.md)"
    ]


def test_an_unclosed_block_says_how_to_close_it(book: em.Book) -> None:
    output = sphinx_line(book, "05-risks.md", 15, "unclosed fence: the block opened here runs to the end of the file", "handbook.fence")
    assert em.sphinx_problems(output, "html", book) == [
        "book/05-risks.md:15: the block opened here by '```{figure} figures/plot.svg' is never closed, "
        "so it takes in the rest of the file; close it with a line '```'"
    ]


def test_the_count_reads_as_a_sentence() -> None:
    assert em.how_many(["a"]) == "1 problem to fix, each listed once above."
    assert em.how_many(["a", "b"]) == "2 problems to fix, each listed once above."


# -- xelatex logs ---------------------------------------------------------------

# As xelatex writes it with TeX's default max_print_line: cut at 79 characters.
WRAPPED_LOG = """\
 [28] [29] [30] [31] [32]
Missing character: There is no \U0001f600 (U+1F600) in font [FreeSerif.otf]/OT:script=la
tn;language=dflt;!
Missing character: There is no \u6f22 (U+6F22) in font [FreeSerif.otf]/OT:script=lat
n;language=dflt;!
[33]
"""


def test_a_wrapped_log_line_is_joined_again() -> None:
    lines = em.unwrap_tex_log(WRAPPED_LOG).split("\n")
    assert "Missing character: There is no \U0001f600 (U+1F600) in font [FreeSerif.otf]/OT:script=latn;language=dflt;!" in lines


def test_a_missing_character_in_the_log_is_traced_to_its_source_line(book: em.Book) -> None:
    page = book.root / "book" / "05-risks.md"
    page.write_text(PAGE + "\nA face \U0001f600 here.\n", encoding="utf-8")
    problems = em.latex_log_problems(WRAPPED_LOG, "05-risks", book)
    assert problems == [
        "05-risks.tex: the PDF font FreeSerif.otf cannot draw '\u6f22' (CJK UNIFIED IDEOGRAPH-6F22); use words or a symbol the font has",
        "book/05-risks.md:21:8: the PDF font FreeSerif.otf cannot draw '\U0001f600' (GRINNING FACE); use words or a symbol the font has",
    ]


# -- pre-flight: front matter ---------------------------------------------------------


def test_front_matter_that_is_never_closed_is_one_clear_message() -> None:
    text = "---\nlast_reviewed: 2026-11-26\n\n(ch-risks)=\n# Risks\n"
    assert preflight.front_matter_problem("book/05-risks.md", text) == (
        "book/05-risks.md:1: the front matter opened by '---' on line 1 is never closed; "
        "add a line '---' after line 2 (last_reviewed: 2026-11-26)"
    )


def test_front_matter_that_is_not_yaml_names_its_line() -> None:
    text = "---\ntitle: Risks\nlast_reviewed: [2026-11-26\n---\n# Risks\n"
    problem = preflight.front_matter_problem("book/05-risks.md", text)
    assert problem is not None and problem.startswith("book/05-risks.md:3: the front matter (between the '---' lines) is not valid YAML")


def test_good_front_matter_and_none_at_all_pass() -> None:
    assert preflight.front_matter_problem("book/05-risks.md", PAGE) is None
    assert preflight.front_matter_problem("book/index.md", "# Handbook\n\n---\n\nText.\n") is None


# -- pre-flight: paths ------------------------------------------------------------------


def test_every_kind_of_path_is_found_but_not_inside_code() -> None:
    text = """\
```{figure} figures/a.svg
```
:::{image} /figures/b.png
:::
![alt](figures/c.png) and {download}`the data <data/d.csv>` and {download}`e.pdf`

````markdown
![not a real image](figures/in-code.png)
```{figure} figures/in-code.svg
```
````
`![inline code](figures/f.png)`
```{include} ../README.md
```
"""
    uses = [(use.line, use.kind, use.target) for use in preflight.path_uses(text)]
    assert uses == [
        (1, "figure", "figures/a.svg"),
        (3, "image", "/figures/b.png"),
        (5, "download", "data/d.csv"),
        (5, "download", "e.pdf"),
        (5, "image", "figures/c.png"),
        (13, "included file", "../README.md"),
    ]


def test_a_path_that_leaves_the_book_is_refused(book: em.Book) -> None:
    page = book.root / "book" / "05-risks.md"
    use = preflight.PathUse(15, "figure", "../../../../etc/hostname")
    assert preflight.path_problem(book.root, page, use) == (
        "book/05-risks.md:15: the figure path '../../../../etc/hostname' leads outside book/; "
        "put the file inside book/ (figures go in book/figures/) and give its path from there"
    )


def test_a_leading_slash_means_the_book_folder(book: em.Book) -> None:
    page = book.root / "book" / "05-risks.md"
    assert preflight.path_problem(book.root, page, preflight.PathUse(3, "image", "/figures/plot.svg")) is None
    assert preflight.path_problem(book.root, page, preflight.PathUse(3, "image", "figures/plot.*")) is None
    assert preflight.path_problem(book.root, page, preflight.PathUse(3, "image", "https://example.org/x.png")) is None


def test_a_path_to_nothing_says_where_it_looked(book: em.Book) -> None:
    page = book.root / "book" / "05-risks.md"
    assert preflight.path_problem(book.root, page, preflight.PathUse(3, "image", "figures/nope.png")) == (
        "book/05-risks.md:3: the image file 'figures/nope.png' does not exist (looked for book/figures/nope.png)"
    )


# -- pre-flight: fonts --------------------------------------------------------------------


def test_the_pdf_faces_are_read_from_conf_py() -> None:
    faces = preflight.font_files(preflight.fontpkg(ROOT / "conf.py"))
    assert faces[("main", "UprightFont")] == "FreeSerif.otf"
    assert faces[("main", "BoldFont")] == "FreeSerifBold.otf"
    assert faces[("sans", "BoldFont")] == "FreeSansBold.otf"
    assert faces[("mono", "UprightFont")] == "FreeMono.otf"


def test_each_character_is_printed_in_the_face_of_its_place() -> None:
    line = preflight.MarkdownLine(1, "a **b** *c* `d` {ref}`e`", "text")
    roles = dict(zip(line.text, preflight.line_roles(line)))
    assert (roles["a"], roles["b"], roles["c"], roles["d"], roles["e"]) == ("text", "bold", "italic", "code", "text")
    assert set(preflight.line_roles(preflight.MarkdownLine(1, "## Risks", "heading"))) == {"heading"}


@pytest.fixture(scope="module")
def fonts() -> preflight.PdfFonts:
    found = preflight.PdfFonts.of(ROOT / "conf.py")
    if found is None:
        pytest.skip("the PDF fonts (fonts-freefont-otf) are not installed")
    return found


def test_an_emoji_and_a_cjk_character_are_reported_with_line_column_and_name(fonts: preflight.PdfFonts) -> None:
    text = "# Risks\n\nA face \U0001f600 and \u95a2 here, \U0001f600 again.\n\nAnd \U0001f600 once more.\n"
    assert preflight.font_problems(fonts, "book/05-risks.md", Path("05-risks.md"), text) == [
        "book/05-risks.md:3:8: the PDF font cannot draw '\U0001f600' (GRINNING FACE); use words or a symbol the font has (also on line 5)",
        "book/05-risks.md:3:14: the PDF font cannot draw '\u95a2' (CJK UNIFIED IDEOGRAPH-95A2); use words or a symbol the font has",
    ]


def test_a_run_of_missing_characters_is_one_problem(fonts: preflight.PdfFonts) -> None:
    text = "Called \u95a2\u7bc0\u30ea\u30a6\u30de\u30c1 in Japan.\n"
    assert preflight.font_problems(fonts, "book/05-risks.md", Path("05-risks.md"), text) == [
        "book/05-risks.md:1:8: the PDF font cannot draw '\u95a2\u7bc0\u30ea\u30a6\u30de\u30c1' (CJK UNIFIED IDEOGRAPH-95A2, "
        "CJK UNIFIED IDEOGRAPH-7BC0, KATAKANA LETTER RI and 3 more); use words or a symbol the font has"
    ]


def test_characters_the_fonts_have_pass(fonts: preflight.PdfFonts) -> None:
    text = "# Risks: α and β\n\nAn en dash – a check mark ✓ (Sphinx draws it) and `λ` in code.\n"
    assert preflight.font_problems(fonts, "book/05-risks.md", Path("05-risks.md"), text) == []


def test_a_character_only_the_main_face_has_is_reported_in_a_heading(fonts: preflight.PdfFonts) -> None:
    assert fonts.can_draw(("main", "UprightFont"), "\u222e") and not fonts.can_draw(("sans", "BoldFont"), "\u222e")
    problems = preflight.font_problems(fonts, "book/05-risks.md", Path("05-risks.md"), "## The \u222e sign\n")
    assert problems == [
        "book/05-risks.md:1:8: the PDF's heading font (FreeSansBold) cannot draw '\u222e' (CONTOUR INTEGRAL); "
        "use words or a symbol the font has"
    ]


def test_the_book_as_it_is_passes_the_preflight() -> None:
    assert preflight.problems(ROOT) == []

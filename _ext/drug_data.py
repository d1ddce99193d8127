"""Drug facts, stated once in ``book/_data/drugs.yaml`` and rendered as tables.

Adds two directives:

``drug-table``
    A numbered table of the drugs in one or more groups, for a chapter::

        :::{drug-table} Biologic therapies at a glance
        :groups: biologic
        :fields: class, target, route, boxed_warning
        :name: tbl-biologics
        :::

``drug-reference``
    Every drug with every field, for the drug reference appendix.

Both add an index entry for each drug they show. The data file is checked
when the build starts: a missing or empty field, an unknown group or a source
key that is not in ``references.bib`` is a warning naming the drug, the field
and the data file's line, so a strict build fails on it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from drug_facts import GROUPS, Drug, display_path, load_drugs
from handbook_meta import BIB_FILE, DRUGS_FILE

logger = logging.getLogger(__name__)

GROUP_HEADINGS = {
    "conventional": "Conventional immunosuppressants",
    "glucocorticoid": "Glucocorticoids",
    "biologic": "Biologics",
    "jak-inhibitor": "JAK inhibitors (targeted small molecules)",
}
HEADERS = {
    "name": "Drug (US brand)",
    "group": "Group",
    "class": "Class",
    "target": "Target",
    "route": "Route",
    "boxed_warning": "US boxed warning",
    "monitoring": "Key monitoring",
    "first_approval": "First US approval",
    "sources": "Sources",
}
# A drug whose entry carries a caveat is marked in every table, and the note
# under the table sends the reader to the caveat in the drug reference.
PARTLY_VERIFIED_MARK = " †"
PARTLY_VERIFIED_NOTE = (
    "† Some details of this entry were verified only in secondary sources, or are not in "
    "the verified sources at all: see its caveat in the {ref}`drug reference <drug-reference>`."
)
# Relative column widths: drug names and warnings need room, and in print a
# too-narrow column pushes long names such as "Tocilizumab" into the margin.
COLUMN_WIDTHS = {
    "name": 22,
    "group": 16,
    "class": 24,
    "target": 24,
    "route": 18,
    "boxed_warning": 30,
    "monitoring": 40,
    "first_approval": 12,
    "sources": 18,
}


def _cell(drug: Drug, field: str) -> str:
    value = drug.fields.get(field)
    if field == "name":
        mark = PARTLY_VERIFIED_MARK if drug.fields.get("caveat") else ""
        return f"**{drug.name}** ({drug.fields.get('brand')}){mark}"
    if field == "group":
        return GROUPS.get(str(value), str(value))
    if field == "sources":
        return "{cite:p}`" + ",".join(value) + "`"
    if field == "first_approval":
        return str(value) if value is not None else "not verified"
    return str(value)


class _DrugDirective(SphinxDirective):
    def _drugs(self) -> list[Drug]:
        self.env.note_dependency(str(DRUGS_FILE))
        self.env.note_dependency(str(BIB_FILE))
        drugs, _ = load_drugs()
        return list(drugs)

    def _parse(self, text: list[str]) -> list[nodes.Node]:
        container = nodes.container()
        self.state.nested_parse(StringList(text, source=self.get_source_info()[0]), self.content_offset, container)
        return container.children

    @staticmethod
    def _index_lines(drugs: list[Drug], brands: bool = False) -> list[str]:
        """Index entries: each drug by name, and (once) its brand name."""
        entries = []
        for drug in drugs:
            entries.append(f"single: {drug.name}")
            if brands:
                entries.append(f"see: {drug.fields['brand']}; {drug.name}")
        # MyST's index directive takes its entries as its one argument.
        return [line for entry in entries for line in (f"```{{index}} {entry}", "```")]


class DrugTable(_DrugDirective):
    """A numbered table of the drugs in the given groups."""

    required_arguments = 1
    final_argument_whitespace = True
    option_spec: ClassVar[dict[str, Any]] = {
        "groups": directives.unchanged_required,
        "fields": directives.unchanged,
        "name": directives.unchanged,
    }

    def run(self) -> list[nodes.Node]:
        groups = [g.strip() for g in self.options["groups"].split(",")]
        unknown = [g for g in groups if g not in GROUPS]
        if unknown:
            raise self.error(f"unknown drug group(s) {unknown}; expected {list(GROUPS)}")
        fields = [f.strip() for f in self.options.get("fields", "class, target, route, boxed_warning").split(",")]
        bad = [f for f in fields if f not in HEADERS]
        if bad:
            raise self.error(f"unknown field(s) {bad}; expected {list(HEADERS)}")
        drugs = [d for d in self._drugs() if d.fields.get("group") in groups]
        if not drugs:
            raise self.error(f"no drugs in group(s) {groups} in {DRUGS_FILE.name}")

        columns = ["name", *fields]
        text = self._index_lines(drugs)
        text += [
            f"```{{list-table}} {self.arguments[0]}",
            ":header-rows: 1",
            ":class: drug-table",
            ":widths: " + " ".join(str(COLUMN_WIDTHS[c]) for c in columns),
        ]
        if "name" in self.options:
            text.append(f":name: {self.options['name']}")
        text.append("")
        text.append("* - " + "\n  - ".join(HEADERS[c] for c in columns))
        for drug in drugs:
            text.append("* - " + "\n  - ".join(_cell(drug, c) for c in columns))
        text.append("```")
        if any(d.fields.get("caveat") for d in drugs):
            text += ["", PARTLY_VERIFIED_NOTE]
        return self._parse("\n".join(text).splitlines())


class DrugReference(_DrugDirective):
    """Every drug, every field: the drug reference appendix."""

    def run(self) -> list[nodes.Node]:
        drugs = self._drugs()
        text = self._index_lines(drugs, brands=True)
        for group, heading in GROUP_HEADINGS.items():
            members = [d for d in drugs if d.fields.get("group") == group]
            if not members:
                continue
            text += ["", f"```{{rubric}} {heading}", "```", ""]
            for drug in members:
                text += [
                    f"({drug.anchor})=",
                    f"**{drug.name}** ({drug.fields['brand']})",
                    "",
                ]
                for field in ("class", "target", "route", "boxed_warning", "monitoring", "first_approval", "sources"):
                    text.append(f":{HEADERS[field]}: {_cell(drug, field)}")
                if drug.fields.get("caveat"):
                    text.append(f":Caveat: {drug.fields['caveat']}")
                text.append("")
        return self._parse(text)


def check_data_file(app: Sphinx) -> None:
    _, problems = load_drugs()
    for line, message in problems:
        logger.warning(message, location=f"{display_path(DRUGS_FILE)}:{line}", type="handbook", subtype="drug_data")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("drug-table", DrugTable)
    app.add_directive("drug-reference", DrugReference)
    app.connect("builder-inited", check_data_file)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

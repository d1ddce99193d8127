"""Drug facts, stated once in ``book/_data/drugs.yaml`` and rendered as tables.

Adds two directives:

``drug-table``
    A numbered table of the drugs in one or more groups, for a chapter::

        :::{drug-table} Biologic therapies at a glance
        :groups: biologic
        :fields: class, target, route, boxed_warning
        :name: tbl-biologics
        :::

    ``:fields:`` takes any of: group, class, target, route, uses,
    boxed_warning, before_starting, during_treatment, live_vaccines,
    monitoring (before starting and during treatment in one cell), checks,
    first_approval, sources. The three screening fields, and ``monitoring``,
    always show the class rule for the drug's group first
    (``book/_data/class_rules.yaml``), then the drug's own details.

``drug-reference``
    Every drug with every field, for the drug reference appendix.

Both add an index entry for each drug they show. The data files are checked
when the build starts: a missing or empty field, an unknown group or check,
a source key that is not in ``references.bib`` or a drug left with no checks
is a warning naming the drug, the field and the file's line, so a strict
build fails on it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from handbook.drug_facts import CHECKS, CLASS_RULES_FILE, DRUG_GROUPS, PHASES, PROSE_FIELDS, Drug, display_path, load_drugs
from handbook.meta import BIB_FILE, DRUGS_FILE

logger = logging.getLogger(__name__)

HEADERS = {
    "name": "Drug (US brand)",
    "group": "Group",
    "class": "Class",
    "target": "Target",
    "route": "Route",
    "uses": "Uses (examples)",
    "boxed_warning": "US boxed warning",
    "before_starting": "Before starting",
    "during_treatment": "During treatment",
    "live_vaccines": "Live vaccines",
    "monitoring": "Key monitoring",
    "checks": "Checks",
    "first_approval": "First US approval",
    "sources": "Sources",
}
# The fields of the drug reference, in order (name and caveat come apart).
REFERENCE_FIELDS = (
    "class",
    "target",
    "route",
    "uses",
    "boxed_warning",
    "before_starting",
    "during_treatment",
    "live_vaccines",
    "first_approval",
    "sources",
)
NOT_IN_SOURCES = "Not stated in this handbook's sources"
CHECK_LABEL = ": check the current label."
NO_USES = "See the current label."
# A drug whose entry carries a caveat is marked in every table, and the note
# under the table sends the reader to the caveat in the drug reference.
PARTLY_VERIFIED_MARK = " †"
PARTLY_VERIFIED_NOTE = "† More about this entry's sources: see the {ref}`drug reference <drug-reference>`."
# Relative column widths: drug names and warnings need room, and in print a
# too-narrow column pushes long names such as "Tocilizumab" into the margin.
COLUMN_WIDTHS = {
    "name": 22,
    "group": 16,
    "class": 24,
    "target": 24,
    "route": 18,
    "uses": 26,
    "boxed_warning": 30,
    "before_starting": 34,
    "during_treatment": 34,
    "live_vaccines": 30,
    "monitoring": 60,
    "checks": 26,
    "first_approval": 12,
    "sources": 18,
}


def _cell(drug: Drug, field: str) -> str:
    value = drug.fields.get(field)
    if field == "name":
        mark = PARTLY_VERIFIED_MARK if drug.fields.get("caveat") else ""
        return f"**{drug.name}** ({drug.fields.get('brand')}){mark}"
    if field == "group":
        group = DRUG_GROUPS.get(str(value))
        return group.label if group else str(value)
    if field == "sources":
        return "{cite:p}`" + ",".join(value) + "`"
    if field == "first_approval":
        return str(value) if value is not None else NOT_IN_SOURCES + "."
    if field == "boxed_warning" and value is None:
        return NOT_IN_SOURCES + CHECK_LABEL
    if field == "uses" and not value:
        return NO_USES
    if field in PROSE_FIELDS:
        return drug.text(field)
    if field == "monitoring":
        return drug.monitoring()
    if field == "checks":
        return _checks_cell(drug)
    return " ".join(str(value).split())


def _checks_cell(drug: Drug) -> str:
    labels = {"before": "Before starting", "during": "During treatment"}
    parts = []
    for phase in PHASES:
        names = [
            CHECKS[name][PHASES.index(phase)] + (" (to consider)" if level == "consider" else "")
            for name, level in drug.checks()[phase].items()
        ]
        if names:
            parts.append(f"{labels[phase]}: {', '.join(names)}.")
    return " ".join(parts)


# The drugs as the data files say at the start of this build's reading
# (read_data_files): read once, not once per table.
_DRUGS: list[Drug] = []


class _DrugDirective(SphinxDirective):
    def _drugs(self) -> list[Drug]:
        # Sphinx reads this page again when one of the files changes.
        self.env.note_dependency(str(DRUGS_FILE))
        self.env.note_dependency(str(CLASS_RULES_FILE))
        self.env.note_dependency(str(BIB_FILE))
        return list(_DRUGS)

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
        unknown = [g for g in groups if g not in DRUG_GROUPS]
        if unknown:
            raise self.error(f"unknown drug group(s) {unknown}; expected {list(DRUG_GROUPS)}")
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
            # longtable: in print the table may run over pages; a plain
            # LaTeX table cannot, and its rows past the page end are lost.
            ":class: drug-table longtable",
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
        for group, heading in ((key, g.heading) for key, g in DRUG_GROUPS.items()):
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
                for field in REFERENCE_FIELDS:
                    if field == "uses" and not drug.fields.get("uses"):
                        continue
                    text.append(f":{HEADERS[field]}: {_cell(drug, field)}")
                if drug.fields.get("caveat"):
                    text.append(f":Caveat: {drug.fields['caveat']}")
                text.append("")
        return self._parse(text)


def read_data_files(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """Read and check the drug data for this build (each build, also in a preview's long-lived process)."""
    drugs, problems = load_drugs()
    _DRUGS[:] = drugs
    for problem in problems:
        logger.warning(
            problem.message,
            location=f"{display_path(problem.path)}:{problem.line}",
            type="handbook",
            subtype="drug_data",
        )


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("drug-table", DrugTable)
    app.add_directive("drug-reference", DrugReference)
    app.connect("env-before-read-docs", read_data_files)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

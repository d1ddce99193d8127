"""The drug data files: loading them and checking them, without Sphinx.

``book/_data/drugs.yaml`` states each drug fact once, and
``book/_data/class_rules.yaml`` each screening or monitoring rule that holds
for a whole group of drugs (for example: every biologic and JAK inhibitor
needs TB and hepatitis B tests before the first dose). This module reads
both, remembers the line of every field and lists the problems (missing or
empty fields, unknown groups or checks, source keys that are not in
``references.bib``, a drug left with no checks at all) as ``Problem``
records naming the file and line. The Sphinx extension ``drug_data`` turns
them into build warnings; the figure modules in ``handbook/`` into errors.
Keeping Sphinx out of it keeps the scripts that use it quick to start.

What a reader sees for a drug's screening and monitoring is always the rules
for its group and for all drugs, followed by the drug's own details (``Drug.text``); where the
data file has no detail of its own, the text ends with ``ASK_TEAM``, so no
drug ever reads as if it needed no checks.

The drug groups (``DRUG_GROUPS``: names, colours and figure markers) are
stated here too, once, for the tables, the reference and every figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from handbook.meta import BIB_FILE, DRUGS_FILE

CLASS_RULES_FILE = DRUGS_FILE.with_name("class_rules.yaml")

class GroupColour(NamedTuple):
    """A drug group's colours: ``ink`` for marks, lines and text on white or
    on ``tint``; ``tint`` for the background of boxes and bands."""

    name: str  # what the caption calls it
    ink: str
    tint: str


@dataclass(frozen=True)
class DrugGroup:
    """A drug group, as every table, heading, caption and figure names and draws it."""

    name: str  # one drug of the group: "Biologic"
    plural: str  # "Biologics"
    # The colour key for every figure (timeline, monitoring overview, the
    # immune-response diagram). Each ink has a contrast of at least 4.5:1 on
    # white and on its own tint, and the four stay apart for the common
    # colour vision deficiencies (checked by tests/test_drug_safety.py).
    colour: GroupColour
    # A second cue besides colour, for the figures that mark drugs with symbols.
    marker: str
    kind: str = ""  # what a reader may know the group as, in brackets: "targeted small molecule"

    @property
    def label(self) -> str:
        """One drug's group in a table: "JAK inhibitor (targeted small molecule)"."""
        return f"{self.name} ({self.kind})" if self.kind else self.name

    @property
    def heading(self) -> str:
        """The group's heading in the drug reference: "JAK inhibitors (targeted small molecules)"."""
        return f"{self.plural} ({self.kind}s)" if self.kind else self.plural


def in_running_text(words: str) -> str:
    """A group's name inside a sentence: lower case, but "JAK" stays "JAK"."""
    return words if words[:2].isupper() else words[:1].lower() + words[1:]


#: The drug groups, by the key drugs.yaml uses, in the order they are shown.
DRUG_GROUPS = {
    "conventional": DrugGroup(
        "Conventional immunosuppressant", "Conventional immunosuppressants",
        GroupColour("purple", "#7019b8", "#f3eafb"), "square",
    ),
    "glucocorticoid": DrugGroup(
        "Glucocorticoid", "Glucocorticoids", GroupColour("orange", "#9a5b00", "#fcf0dc"), "diamond",
    ),
    "biologic": DrugGroup("Biologic", "Biologics", GroupColour("blue", "#0a2f6e", "#e4ebf7"), "circle"),
    "jak-inhibitor": DrugGroup(
        "JAK inhibitor", "JAK inhibitors", GroupColour("green", "#1d7347", "#e3f3e9"), "triangle",
        kind="targeted small molecule",
    ),
}  # fmt: skip

# The checks a drug can need, in the order the figure shows them: name ->
# (label before the first dose, label during treatment).
CHECKS = {
    "tb-screen": ("TB test", "TB watch"),
    "hbv-screen": ("Hepatitis B test", "Hepatitis B watch"),
    "blood-count": ("Blood count", "Blood count"),
    "liver": ("Liver tests", "Liver tests"),
    "kidney": ("Kidney tests", "Kidney tests"),
    "lipids": ("Blood lipids", "Blood lipids"),
    "pregnancy-test": ("Pregnancy check", "Pregnancy check"),
    "chest-xray": ("Chest X-ray", "Chest X-ray"),
    "tpmt": ("TPMT/NUDT15 test", "TPMT/NUDT15 test"),
    "jcv": ("JCV antibodies", "JCV antibodies"),
    "skin": ("Skin checks", "Skin checks"),
    "eye": ("Eye checks", "Eye checks"),
    "bone": ("Bone health", "Bone health"),
    "bp-sugar": ("Blood pressure, sugar", "Blood pressure, sugar"),
    "no-live-vaccines": ("Avoid live vaccines", "Avoid live vaccines"),
}
PHASES = ("before", "during")
CONSIDER = " (consider)"  # "hbv-screen (consider)": to consider, or for some people only

# The prose fields on screening and monitoring; a class rule can give each
# one, and `checks` phase it feeds.
PROSE_FIELDS = {"before_starting": "before", "during_treatment": "during", "live_vaccines": "during"}
ASK_TEAM = "Ask your care team about the exact schedule."

REQUIRED_FIELDS = (
    "name",
    "brand",
    "group",
    "class",
    "target",
    "route",
    "boxed_warning",
    *PROSE_FIELDS,
    "checks",
    "first_approval",
    "sources",
)
OPTIONAL_FIELDS = ("uses", "caveat")
# Fields that must be present but may be null. A null prose field means "no
# detail of this drug's own": the reader gets the class rule and ASK_TEAM.
# A null approval year or boxed warning needs its reason in `caveat`.
NULLABLE_FIELDS = {"first_approval", "boxed_warning", "checks", *PROSE_FIELDS}
NEEDS_CAVEAT_WHEN_NULL = ("first_approval", "boxed_warning")
BIB_KEY = re.compile(r"^@\w+\{([^,\s]+),", re.MULTILINE)
CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]*)`")
RULE_SCOPE_ALL = "all"


class Problem(NamedTuple):
    path: Path
    line: int
    message: str


@dataclass(frozen=True)
class Rule:
    """One class rule: text for one prose field, and the checks it implies."""

    scope: str  # "all" or a group
    field: str
    text: str
    checks: tuple[str, ...]


@dataclass(frozen=True)
class Drug:
    fields: dict[str, Any]
    lines: dict[str, int]  # field name -> 1-based line in the data file
    line: int
    rules: tuple[Rule, ...] = field(default=())  # the class rules that apply: its group's, then "all"

    @property
    def name(self) -> str:
        return str(self.fields.get("name", "?"))

    @property
    def group(self) -> str:
        return str(self.fields.get("group", "?"))

    @property
    def anchor(self) -> str:
        return "drug-" + re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")

    def text(self, prose_field: str) -> str:
        """What a reader sees for a prose field: the class rules, then the
        drug's own detail, or ASK_TEAM where it has none."""
        parts = [r.text for r in self.rules if r.field == prose_field]
        own = self.fields.get(prose_field)
        parts.append(str(own).strip() if own else ASK_TEAM)
        return " ".join(parts)

    def monitoring(self) -> str:
        """Before and during treatment together (one table cell)."""
        return (
            f"**Before starting:** {self.text('before_starting')} "
            f"**During treatment:** {self.text('during_treatment')}"
        )

    def checks(self) -> dict[str, dict[str, str]]:
        """phase -> {check name: "yes" or "consider"}, class rules included,
        in the order of CHECKS."""
        found: dict[str, dict[str, str]] = {phase: {} for phase in PHASES}

        def add(phase: str, entry: str) -> None:
            name = entry.removesuffix(CONSIDER)
            level = "consider" if entry.endswith(CONSIDER) else "yes"
            if found[phase].get(name) != "yes":
                found[phase][name] = level

        for rule in self.rules:
            for entry in rule.checks:
                add(PROSE_FIELDS[rule.field], entry)
        for phase, entries in (self.fields.get("checks") or {}).items():
            for entry in entries or []:
                add(phase, str(entry))
        order = list(CHECKS)
        return {
            phase: dict(sorted(checks.items(), key=lambda item: order.index(item[0]) if item[0] in order else 99))
            for phase, checks in found.items()
        }

    def cited_keys(self, fields: list[str] | None = None) -> list[str]:
        """The source keys a reader sees cited for these fields (all fields
        when None): `sources`, inline citations and, for the screening fields
        and `monitoring`, the citations of the class rules."""
        if fields is None:
            fields = ["sources", *self.fields, "monitoring"]
        keys: list[str] = []
        for name in fields:
            if name == "sources":
                keys += list(self.fields.get("sources") or [])
            elif name == "monitoring":
                keys += cite_keys(self.monitoring())
            elif name in PROSE_FIELDS:
                keys += cite_keys(self.text(name))
            elif isinstance(self.fields.get(name), str):
                keys += cite_keys(self.fields[name])
        return list(dict.fromkeys(keys))


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A YAML loader that remembers the line of every mapping key.

    LibYAML's parser (PyYAML's wheels include it) where there is one: the
    drug data is read by every build and every preview rebuild.
    """


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = yaml.SafeLoader.construct_mapping(loader, node, deep=True)
    mapping["__lines__"] = {
        key.value: key.start_mark.line + 1 for key, _ in node.value if hasattr(key, "value")
    }
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _strip_lines(value: Any) -> Any:
    """The value without the loader's line records (nested mappings too)."""
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k not in ("__lines__", "__line__")}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


def display_path(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def cite_keys(text: str) -> list[str]:
    return [key.strip() for group in CITE.findall(text) for key in group.split(",") if key.strip()]


def _bib_keys(bib_file: Path) -> frozenset[str]:
    return frozenset(BIB_KEY.findall(bib_file.read_text(encoding="utf-8")))


def _read(path: Path) -> tuple[Any, list[Problem]]:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader), []  # noqa: S506
    except FileNotFoundError:
        return None, [Problem(path, 1, f"file not found: {display_path(path)}")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return None, [Problem(path, (mark.line + 1) if mark else 1, f"invalid YAML: {exc}")]


def _check_names(entries: Any) -> list[str]:
    """The entries of a checks list that are not known check names."""
    if not isinstance(entries, list):
        return [repr(entries)]
    return [str(e) for e in entries if not isinstance(e, str) or e.removesuffix(CONSIDER) not in CHECKS]


def _load_rules(path: Path, known_keys: frozenset[str]) -> tuple[tuple[Rule, ...], list[Problem]]:
    raw, problems = _read(path)
    if problems:
        return (), problems
    if not isinstance(raw, dict):
        return (), [Problem(path, 1, "the class rules file must map 'all' and drug groups to rules")]
    lines = raw.pop("__lines__")
    raw.pop("__line__")
    rules = []

    def report(line: int, message: str) -> None:
        problems.append(Problem(path, line, message))

    for scope, fields in raw.items():
        line = lines.get(scope, 1)
        if scope != RULE_SCOPE_ALL and scope not in DRUG_GROUPS:
            report(line, f"class rules for '{scope}': expected 'all' or one of {', '.join(DRUG_GROUPS)}")
            continue
        if not isinstance(fields, dict):
            report(line, f"class rules for '{scope}' must be a mapping of fields")
            continue
        field_lines = fields.pop("__lines__")
        fields.pop("__line__")
        for name, rule in fields.items():
            where = field_lines.get(name, line)
            label = f"class rule '{scope}', field '{name}'"
            if name not in PROSE_FIELDS:
                report(where, f"{label}: expected one of {', '.join(PROSE_FIELDS)}")
                continue
            if not isinstance(rule, dict) or not str(rule.get("text") or "").strip():
                report(where, f"{label}: missing or empty 'text'")
                continue
            rule_lines = rule.get("__lines__", {})
            text = " ".join(str(rule["text"]).split())
            keys = cite_keys(text)
            if not keys:
                report(rule_lines.get("text", where), f"{label}: the text cites no source")
            for key in keys:
                if key not in known_keys:
                    report(rule_lines.get("text", where), f"{label}: cites '{key}', which is not in {BIB_FILE.name}")
            checks = rule.get("checks") or []
            for bad in _check_names(checks):
                expected = ", ".join(CHECKS)
                report(rule_lines.get("checks", where), f"{label}: unknown check {bad}; expected one of {expected}")
            for key in sorted(set(rule) - {"text", "checks", "__lines__", "__line__"}):
                report(rule_lines.get(key, where), f"{label}: unknown key '{key}'")
            good = tuple(c for c in checks if isinstance(c, str) and c.removesuffix(CONSIDER) in CHECKS)
            rules.append(Rule(scope, name, text, good if isinstance(checks, list) else ()))
    return tuple(rules), problems


def _check_drug(entry: dict[str, Any], drug: Drug, path: Path, known_keys: frozenset[str]) -> list[Problem]:
    problems = []
    lines, line, name = drug.lines, drug.line, drug.name

    def report(field_name: str, message: str) -> None:
        problems.append(Problem(path, lines.get(field_name, line), f"drug '{name}': {message}"))

    for field_name in REQUIRED_FIELDS:
        value = entry.get(field_name)
        if field_name not in entry:
            problems.append(Problem(path, line, f"drug '{name}': missing field '{field_name}'"))
        elif value in (None, "", [], {}) and field_name not in NULLABLE_FIELDS:
            report(field_name, f"field '{field_name}' is empty")
        elif isinstance(value, str) and not value.strip():
            report(field_name, f"field '{field_name}' is empty")
    for field_name in sorted(set(entry) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS)):
        report(field_name, f"unknown field '{field_name}'; expected {', '.join(REQUIRED_FIELDS + OPTIONAL_FIELDS)}")
    for field_name in NEEDS_CAVEAT_WHEN_NULL:
        if field_name in entry and entry[field_name] is None and not entry.get("caveat"):
            report(
                field_name,
                f"field '{field_name}' is empty; say why in 'caveat' (for example: not in the verified sources)",
            )
    if "group" in entry and entry["group"] not in DRUG_GROUPS:
        report("group", f"field 'group' is '{entry['group']}', expected one of {', '.join(DRUG_GROUPS)}")
    for key in entry.get("sources") or []:
        if key not in known_keys:
            report("sources", f"field 'sources' names '{key}', which is not in {BIB_FILE.name}")
    for field_name, value in entry.items():
        if isinstance(value, str):
            for key in cite_keys(value):
                if key not in known_keys:
                    report(field_name, f"field '{field_name}' cites '{key}', which is not in {BIB_FILE.name}")
    for field_name in PROSE_FIELDS:
        value = entry.get(field_name)
        if value is not None and not isinstance(value, str):
            report(field_name, f"field '{field_name}' must be text (or null for the class rule only)")
        elif isinstance(value, str) and value.strip() and not cite_keys(value):
            report(field_name, f"field '{field_name}' cites no source: add {{cite:p}}`key`")

    checks = entry.get("checks")
    if checks is not None:
        if not isinstance(checks, dict):
            report("checks", "field 'checks' must map 'before' and/or 'during' to lists of checks")
        else:
            check_lines = checks.get("__lines__", {})
            for phase, entries in checks.items():
                if phase in ("__lines__", "__line__"):
                    continue
                where = check_lines.get(phase, lines.get("checks", line))
                if phase not in PHASES:
                    message = f"field 'checks' has '{phase}', expected {' or '.join(PHASES)}"
                    problems.append(Problem(path, where, f"drug '{name}': {message}"))
                    continue
                for bad in _check_names(entries if entries is not None else []):
                    message = f"field 'checks' names unknown check {bad}; expected one of {', '.join(CHECKS)}"
                    problems.append(Problem(path, where, f"drug '{name}': {message}"))
    return problems


def load_drugs(path: Path = DRUGS_FILE, rules_path: Path = CLASS_RULES_FILE) -> tuple[tuple[Drug, ...], tuple[Problem, ...]]:
    """The drugs (with their class rules) and every problem found in either file.

    Read afresh on each call: the Sphinx extension reads them once per build
    (``handbook/ext/drug_data.py``).
    """
    known_keys = _bib_keys(BIB_FILE)
    rules, problems = _load_rules(rules_path, known_keys)
    raw, read_problems = _read(path)
    problems += read_problems
    if read_problems:
        return (), tuple(problems)
    if not isinstance(raw, list):
        return (), (*problems, Problem(path, 1, "the drug data file must be a list of drugs"))

    drugs = []
    seen: dict[str, int] = {}
    for entry in raw:
        if not isinstance(entry, dict):
            problems.append(Problem(path, 1, "every entry must be a mapping of fields"))
            continue
        lines = entry.pop("__lines__")
        line = entry.pop("__line__")
        probe = Drug(fields=entry, lines=lines, line=line)
        problems += _check_drug(entry, probe, path, known_keys)
        if probe.name in seen:
            problems.append(Problem(path, line, f"drug '{probe.name}': listed twice (first at line {seen[probe.name]})"))
        seen.setdefault(probe.name, line)
        fields = _strip_lines(entry)
        for field_name in PROSE_FIELDS:
            if isinstance(fields.get(field_name), str):
                fields[field_name] = " ".join(fields[field_name].split())
        group_rules = tuple(r for r in rules if r.scope == fields.get("group"))
        applying = group_rules + tuple(r for r in rules if r.scope == RULE_SCOPE_ALL)
        drug = Drug(fields=fields, lines=lines, line=line, rules=applying)
        if not any(drug.checks().values()):
            message = "no checks at all, neither its own nor from a class rule"
            problems.append(Problem(path, lines.get("checks", line), f"drug '{drug.name}': {message}"))
        drugs.append(drug)
    return tuple(drugs), tuple(problems)


def format_problem(problem: Problem, level: str = "error") -> str:
    return f"{display_path(problem.path)}:{problem.line}: {level}: {problem.message}"

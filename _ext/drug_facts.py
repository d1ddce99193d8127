"""The drug data file: loading it and checking it, without Sphinx.

``book/_data/drugs.yaml`` states each drug fact once. This module reads it,
remembers the line of every field and lists the problems (missing or empty
fields, unknown groups, source keys that are not in ``references.bib``) as
(line, message) pairs. The Sphinx extension ``drug_data`` turns them into
build warnings; ``scripts/draw_approval_timeline.py`` into errors. Keeping
Sphinx out of it keeps the scripts that use it quick to start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from handbook_meta import BIB_FILE, DRUGS_FILE

GROUPS = {
    "conventional": "Conventional immunosuppressant",
    "glucocorticoid": "Glucocorticoid",
    "biologic": "Biologic",
    "jak-inhibitor": "JAK inhibitor (targeted small molecule)",
}
REQUIRED_FIELDS = (
    "name",
    "brand",
    "group",
    "class",
    "target",
    "route",
    "boxed_warning",
    "monitoring",
    "first_approval",
    "sources",
)
# Fields that must be present but may be null, with the reason in `caveat`.
NULLABLE_FIELDS = {"first_approval"}
BIB_KEY = re.compile(r"^@\w+\{([^,\s]+),", re.MULTILINE)


@dataclass(frozen=True)
class Drug:
    fields: dict[str, Any]
    lines: dict[str, int]  # field name -> 1-based line in the data file
    line: int

    @property
    def name(self) -> str:
        return str(self.fields.get("name", "?"))

    @property
    def anchor(self) -> str:
        return "drug-" + re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


class _LineLoader(yaml.SafeLoader):
    """A YAML loader that remembers the line of every mapping key."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = yaml.SafeLoader.construct_mapping(loader, node, deep=True)
    mapping["__lines__"] = {
        key.value: key.start_mark.line + 1 for key, _ in node.value if hasattr(key, "value")
    }
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping
)


def display_path(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _bib_keys(bib_file: Path) -> frozenset[str]:
    return frozenset(BIB_KEY.findall(bib_file.read_text(encoding="utf-8")))


@lru_cache(maxsize=4)
def _load(path: Path, mtime: float) -> tuple[tuple[Drug, ...], tuple[tuple[int, str], ...]]:
    """Parse and check the data file: (drugs, problems as (line, message))."""
    problems: list[tuple[int, str]] = []
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)  # noqa: S506
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return (), (((mark.line + 1) if mark else 1, f"invalid YAML: {exc}"),)
    if not isinstance(raw, list):
        return (), ((1, "the drug data file must be a list of drugs"),)

    known_keys = _bib_keys(BIB_FILE)
    drugs = []
    for entry in raw:
        if not isinstance(entry, dict):
            problems.append((1, "every entry must be a mapping of fields"))
            continue
        lines = entry.pop("__lines__")
        line = entry.pop("__line__")
        drug = Drug(fields=entry, lines=lines, line=line)
        for field in REQUIRED_FIELDS:
            value = entry.get(field)
            if field not in entry:
                problems.append((line, f"drug '{drug.name}': missing field '{field}'"))
            elif value in (None, "", []) and field not in NULLABLE_FIELDS:
                problems.append(
                    (lines.get(field, line), f"drug '{drug.name}': field '{field}' is empty")
                )
        if entry.get("first_approval") is None and "first_approval" in entry and not entry.get("caveat"):
            problems.append(
                (
                    lines.get("first_approval", line),
                    f"drug '{drug.name}': field 'first_approval' is empty; "
                    "say why in 'caveat' (for example: not in the verified sources)",
                )
            )
        if "group" in entry and entry["group"] not in GROUPS:
            problems.append(
                (
                    lines.get("group", line),
                    f"drug '{drug.name}': field 'group' is '{entry['group']}', "
                    f"expected one of {', '.join(GROUPS)}",
                )
            )
        for key in entry.get("sources") or []:
            if key not in known_keys:
                problems.append(
                    (
                        lines.get("sources", line),
                        f"drug '{drug.name}': field 'sources' names '{key}', "
                        f"which is not in {BIB_FILE.name}",
                    )
                )
        drugs.append(drug)
    return tuple(drugs), tuple(problems)


def load_drugs(path: Path = DRUGS_FILE) -> tuple[tuple[Drug, ...], tuple[tuple[int, str], ...]]:
    return _load(path, path.stat().st_mtime)

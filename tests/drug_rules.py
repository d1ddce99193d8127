"""What the clinical safety review (issue 11) forbids the drug texts to say, and the data they come from."""

from __future__ import annotations

import re

from conftest import ROOT

from handbook.drug_facts import Drug, load_drugs

FIGURES = ROOT / "book" / "figures"
BIOLOGIC_OR_JAK = ("biologic", "jak-inhibitor")
NO_CHECKS = re.compile(r"no (specific )?checks|no monitoring|nothing (needs|to) (be )?check", re.I)
LIVE_WITH_CAUTION = re.compile(
    r"live(?:[- ]attenuated)? vaccines?\W+(?:\w+\W+){0,12}?caution|caution\W+(?:\w+\W+){0,8}?live(?:[- ]attenuated)? vaccine",
    re.I,
)


def drugs() -> dict[str, Drug]:
    """The book's drugs by name; the data file must have no problem."""
    found, problems = load_drugs()
    assert not problems, [p.message for p in problems]
    return {d.name: d for d in found}

"""The cases of tests/broken_inputs/: one editor's mistake each, and what the build must say.

Both tiers read them: tests/fast/test_broken_inputs.py makes every mistake in a
small book (tests/roots/test-bad-input/) and checks the message the editor
reads; tests/test_bad_input.py makes a few of them in a copy of the real
book and checks, end to end, that the build exits 1 with that message and
keeps the last good outputs.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

CASES_DIR = Path(__file__).resolve().parent / "broken_inputs"


@dataclass(frozen=True)
class BrokenInput:
    name: str
    case: dict

    @classmethod
    def named(cls, name: str) -> BrokenInput:
        return cls(name, yaml.safe_load((CASES_DIR / f"{name}.yaml").read_text(encoding="utf-8")))

    @property
    def file(self) -> str:
        """The file it breaks, relative to the project (book/risks.md)."""
        return self.case["file"]

    def apply(self, project: Path) -> int:
        """Break the project's copy of the file as the case says; return the broken line (1-based)."""
        case, target = self.case, project / self.file
        data = target.read_bytes()
        if "append" in case:
            line = data.count(b"\n") + 1 + len(case["append"]) - len(case["append"].lstrip("\n"))
            target.write_bytes(data + case["append"].encode())
        elif "append_bytes_hex" in case:
            extra = bytes.fromhex(case["append_bytes_hex"])
            line = data.count(b"\n") + 1 + len(extra) - len(extra.lstrip(b"\n"))
            target.write_bytes(data + extra)
        else:
            old, new = case["replace"]["old"].encode(), case["replace"]["new"].encode()
            assert old in data, f"{self.file} no longer contains {old!r}: update the case {self.name}"
            line = data[: data.index(old)].count(b"\n") + 1
            target.write_bytes(data.replace(old, new, 1))
        return line

    def check(self, output: str, line: int, project: Path) -> None:
        """The editor reads the case's message once, with no path of this machine."""
        case, what = self.case, self.case["description"]
        expected = case["expect"].replace("{line}", str(line)).replace("{next_line}", str(line + 1))
        assert re.search(expected, output), f"{what}: expected /{expected}/ in\n{output}"
        # Once, however many builders met it.
        assert len(re.findall(expected, output)) == 1, f"{what}: said more than once\n{output}"
        repeated = [said for said, times in Counter(output.splitlines()).items() if said.strip() and times > 1]
        assert not repeated, f"{what}: said more than once: {repeated}\n{output}"
        assert str(project) not in output and str(project.resolve()) not in output, f"an absolute path in\n{output}"
        if "also_expect" in case:
            assert re.search(case["also_expect"], output), f"{what}: expected /{case['also_expect']}/ in\n{output}"
        if "not_expect" in case:
            assert not re.search(case["not_expect"], output), f"{what}: /{case['not_expect']}/ in\n{output}"


def all_cases() -> list[BrokenInput]:
    return [BrokenInput.named(path.stem) for path in sorted(CASES_DIR.glob("*.yaml"))]

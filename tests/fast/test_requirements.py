"""The requirement sets: each lock file pins what its input file names, and the
build targets install the build set alone (what Read the Docs and GitHub
Pages get), the test targets the test set too."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent.parent
REQUIREMENTS = ROOT / "requirements"
SETS = ("build", "test", "dev")


def direct_dependencies(input_file: Path) -> dict[str, Requirement]:
    """The requirements an input file names itself (not through -r or -c)."""
    lines = (line.split("#", 1)[0].strip() for line in input_file.read_text(encoding="utf-8").splitlines())
    requirements = (Requirement(line) for line in lines if line and not line.startswith("-"))
    return {canonicalize_name(r.name): r for r in requirements}


def pins(lock_file: Path) -> dict[str, str]:
    found = re.findall(r"^([A-Za-z0-9._-]+)==(\S+)", lock_file.read_text(encoding="utf-8"), re.M)
    return {canonicalize_name(name): version for name, version in found}


@pytest.mark.parametrize("name", SETS)
def test_each_direct_dependency_is_pinned_within_its_input_range(name: str) -> None:
    """An input file edited without `make lock` fails here, not at install time."""
    locked = pins(REQUIREMENTS / f"{name}.txt")
    for package, requirement in direct_dependencies(REQUIREMENTS / f"{name}.in").items():
        assert package in locked, f"requirements/{name}.txt does not pin {package}: run `make lock`"
        assert requirement.specifier.contains(locked[package], prereleases=True), (
            f"requirements/{name}.txt pins {package}=={locked[package]}, outside {requirement} in {name}.in: run `make lock`"
        )


def test_the_test_set_pins_the_build_set_at_the_same_versions() -> None:
    build, test = pins(REQUIREMENTS / "build.txt"), pins(REQUIREMENTS / "test.txt")
    assert {package: test.get(package) for package in build} == build


def test_every_direct_dependency_says_why_it_is_there() -> None:
    """Each requirement line follows a comment (its reason), never a blank line."""
    for name in SETS:
        lines = (REQUIREMENTS / f"{name}.in").read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, 1):
            if line and not line.startswith(("#", "-")):
                above = next(l for l in reversed(lines[: number - 1]) if not (l and not l.startswith(("#", "-"))))
                assert above.startswith("#"), f"requirements/{name}.in:{number}: {line} has no reason above it"


def make_dry_run(target: str) -> str:
    """The commands `make TARGET` would run from scratch, none of them run."""
    return subprocess.run(["make", "-n", "-B", target], cwd=ROOT, capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_the_build_targets_install_only_the_build_set() -> None:
    commands = make_dry_run("all")
    assert "pip install --quiet -r requirements/build.txt" in commands
    assert "requirements/test.txt" not in commands
    commands = make_dry_run("test")
    assert "pip install --quiet -r requirements/build.txt" in commands
    assert "pip install --quiet -r requirements/test.txt" in commands

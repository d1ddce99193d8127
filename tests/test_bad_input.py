"""Bad input: a clear message with file and line, a non-zero exit, outputs kept.

Each case in tests/broken_inputs/ breaks a throwaway copy of the book. The
copy starts from the session's good build (its published outputs and
caches), so the test also proves that a failed build leaves the last good
outputs exactly as they were. Each case builds the HTML and the PDF, so two
Sphinx builders meet the mistake: the editor must still read it once, with
a path relative to the project.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, BookBuild, copy_sources, run_build

CASES = sorted((ROOT / "tests" / "broken_inputs").glob("*.yaml"))


def checksums(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def published(build_dir: Path) -> dict[str, str]:
    sums = {}
    for part in ("html", "pdf", "epub"):
        sums |= {f"{part}/{k}": v for k, v in checksums(build_dir / part).items()}
    return sums


def apply(case: dict, copy: Path) -> int:
    """Break the copy as the case says; return the broken line (1-based)."""
    target = copy / case["file"]
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
        assert old in data, f"{case['file']} no longer contains {old!r}: update the case"
        line = data[: data.index(old)].count(b"\n") + 1
        target.write_bytes(data.replace(old, new, 1))
    return line


@pytest.fixture(scope="module")
def good_copy(book: BookBuild, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the sources with the session's good build next to it."""
    return copy_sources(tmp_path_factory.mktemp("good-copy") / "book-copy", book)


@pytest.mark.parametrize("case_file", CASES, ids=[c.stem for c in CASES])
def test_broken_input_fails_clearly_and_keeps_the_last_good_outputs(good_copy: Path, case_file: Path, tmp_path: Path) -> None:
    case = yaml.safe_load(case_file.read_text(encoding="utf-8"))
    copy = tmp_path / "book-copy"
    shutil.copytree(good_copy, copy, symlinks=True)
    before = published(copy / "_build")
    line = apply(case, copy)

    result = run_build(copy / "_build", "html", "pdf", root=copy)
    output = result.stdout + result.stderr
    assert result.returncode != 0, f"{case['description']}: the build passed\n{output}"
    expected = case["expect"].replace("{line}", str(line)).replace("{next_line}", str(line + 1))
    assert re.search(expected, output), f"{case['description']}: expected /{expected}/ in\n{output}"
    # Once, however many builders met it, and with no path of this machine.
    assert len(re.findall(expected, output)) == 1, f"{case['description']}: said more than once\n{output}"
    repeated = [said for said, times in Counter(output.splitlines()).items() if said.strip() and times > 1]
    assert not repeated, f"{case['description']}: said more than once: {repeated}\n{output}"
    assert str(copy) not in output and str(copy.resolve()) not in output, f"an absolute path in\n{output}"
    if "also_expect" in case:
        also = case["also_expect"]
        assert re.search(also, output), f"{case['description']}: expected /{also}/ in\n{output}"
    if "not_expect" in case:
        assert not re.search(case["not_expect"], output), f"{case['description']}: /{case['not_expect']}/ in\n{output}"
    assert "last good outputs" in output
    assert published(copy / "_build") == before, "a failed build changed the published outputs"
    if "not_copied" in case:
        copied = list((copy / "_build").rglob(case["not_copied"]))
        assert not copied, f"{case['description']}: a file from outside the book was copied: {copied}"


def test_build_fails_again_on_the_same_broken_input(good_copy: Path, tmp_path: Path) -> None:
    """Sphinx would not re-read an unchanged file; the failure must not vanish."""
    copy = tmp_path / "book-copy"
    shutil.copytree(good_copy, copy, symlinks=True)
    case = yaml.safe_load((ROOT / "tests" / "broken_inputs" / "missing-label.yaml").read_text())
    apply(case, copy)
    first = run_build(copy / "_build", "html", root=copy)
    second = run_build(copy / "_build", "html", root=copy)
    assert first.returncode != 0 and second.returncode != 0
    assert "sec-no-such-section" in second.stdout + second.stderr


def test_export_of_a_chapter_that_does_not_exist_is_refused() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "handbook.export", "chapter-99"], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 2
    assert "unknown chapter 'chapter-99'" in result.stderr
    assert "risks" in result.stderr and "biologics" in result.stderr


def test_export_of_a_mistyped_chapter_suggests_the_real_one() -> None:
    result = subprocess.run([sys.executable, "-m", "handbook.export", "risk"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2
    assert "unknown chapter 'risk'; did you mean 'risks'?" in result.stderr

#!/usr/bin/env python3
"""Check that the pinned requirements install on Debian's own Python.

    check_pins.py [--python /usr/bin/python3] [LOCK_FILE ...]

Our machines may have a newer Python on the PATH than a newcomer's Debian
12 (3.11.2), and a pin that needs a newer Python (soupsieve 3 needs 3.11.5)
fails only on the newcomer's machine. This makes a throwaway virtualenv with
Debian's ``python3`` and asks pip to resolve every lock file for it (by
default ``requirements/*.txt``: the build, test and dev sets, made by
pip-tools from ``requirements/*.in``) with ``pip install --dry-run
--ignore-installed``: nothing is installed, but a pin that excludes that
Python fails here, in CI, first.

It needs the package index (PyPI), like any install; ``.ci/run`` calls it
before the tests.

Exit status: 0 every file resolves, 1 a file does not, 2 no such Python.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("requirements", nargs="*", type=Path, default=sorted((ROOT / "requirements").glob("*.txt")))
    parser.add_argument("--python", default="/usr/bin/python3", help="the Python to check for (Debian's own)")
    args = parser.parse_args(argv)
    if not Path(args.python).exists():
        print(f"check_pins: {args.python} does not exist", file=sys.stderr)
        return 2
    version = subprocess.run([args.python, "--version"], capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="check-pins-") as folder:
        venv = Path(folder) / "venv"
        subprocess.run([args.python, "-m", "venv", str(venv)], check=True)
        status = 0
        for requirements in args.requirements:
            result = subprocess.run(
                [str(venv / "bin" / "pip"), "install", "--dry-run", "--ignore-installed", "--quiet",
                 "--disable-pip-version-check", "-r", str(requirements)],
                capture_output=True, text=True,
            )  # fmt: skip
            if result.returncode == 0:
                print(f"check_pins: {requirements.name} resolves for {version} ({args.python})")
            else:
                errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
                print(f"check_pins: {requirements.name} does NOT install on {version} ({args.python}):", file=sys.stderr)
                print("\n".join(errors or result.stderr.splitlines()[-10:]), file=sys.stderr)
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())

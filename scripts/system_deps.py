#!/usr/bin/env python3
"""Make sure the Debian packages the build and the tests need are installed.

    system_deps.py [PROBE:PACKAGE ...] [--libraries-of PROGRAM ...]

A probe is a command (``xelatex``), an absolute path, a TeX file found with
kpsewhich (``fncychap.sty``), a font file (``FreeSerif.otf``) or a shared
library found with ldconfig (``libpango-1.0.so.0``; if its package has
another name on this Debian, such as a ``t64`` one, that name is used). For every
probe that is missing, its package is installed with apt-get when we are
root or sudo needs no password.

``--libraries-of PROGRAM`` (a path, or a glob such as
``.venv/lib/python*/site-packages/playwright/driver/node``) checks the
shared libraries the program loads, with ``ldd``, after the probes' packages
are in place. Programs that come from pip (Playwright's driver) bring no
Debian dependencies of their own: on a minimal Debian its ``libatomic.so.1``
is missing. Each library ``ldd`` reports "not found" is mapped to the Debian
package that ships it (``libatomic.so.1`` -> ``libatomic1``, or the
``t64`` name on Debian 13) and installed the same way.

When nothing can be installed here (no root, no password-less sudo), nothing
is built: the script prints the one ``apt-get install`` command that
installs what is missing and exits 1, so a build never starts without its
tools and fails half-way.

Runs with the system Python (standard library only): it is called before the
virtualenv exists.

Exit status: 0 everything present (or installed), 1 missing and not
installable here, 2 bad usage.
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
NOT_FOUND = re.compile(r"^\s*(\S+) => not found", re.MULTILINE)
SONAME = re.compile(r"^lib(?P<name>.+?)\.so(?:\.(?P<version>[\d.]+))?$")


def present(probe: str) -> bool:
    if probe.startswith("/"):
        return Path(probe).exists()
    if probe.endswith((".sty", ".cls", ".tfm")):
        if not shutil.which("kpsewhich"):
            return False
        result = subprocess.run(["kpsewhich", probe], capture_output=True, text=True)
        return bool(result.stdout.strip())
    if SONAME.match(probe):
        result = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True)
        return f"{probe} (" in result.stdout
    if probe.endswith((".otf", ".ttf")):
        return any(next(folder.rglob(probe), None) for folder in FONT_DIRS if folder.exists())
    return shutil.which(probe) is not None


def missing_libraries(programs: list[str]) -> set[str]:
    """Shared libraries that ``ldd`` cannot find for any of the programs."""
    missing: set[str] = set()
    for pattern in programs:
        for program in sorted(glob.glob(pattern)):
            result = subprocess.run(["ldd", program], capture_output=True, text=True)
            missing.update(NOT_FOUND.findall(result.stdout))
    return missing


def package_exists(name: str) -> bool:
    result = subprocess.run(["apt-cache", "show", "--no-all-versions", name], capture_output=True, text=True)
    return result.returncode == 0 and bool(result.stdout.strip())


def package_for_library(soname: str) -> str | None:
    """The Debian package that ships a shared library, by Debian's naming policy.

    Library packages are named after the soname: ``libatomic.so.1`` is in
    ``libatomic1``, ``libfoo-2.0.so.0`` in ``libfoo-2.0-0``; Debian 13 added
    ``t64`` to many of them. The candidate apt knows is the answer.
    """
    match = SONAME.match(soname)
    if not match:
        return None
    name, version = match["name"], (match["version"] or "").split(".")[0]
    separator = "-" if version and name[-1].isdigit() else ""
    base = f"lib{name}{separator}{version}".lower()
    for candidate in (base, f"{base}t64", f"lib{name}".lower()):
        if package_exists(candidate):
            return candidate
    return None


def installable(probe: str, package: str) -> str:
    """The package to install for a probe: as named, or, for a library, by its soname here."""
    if SONAME.match(probe) and shutil.which("apt-cache") and not package_exists(package):
        return package_for_library(probe) or package
    return package


def installer() -> list[str] | None:
    """How to run apt-get here: directly, through sudo, or not at all."""
    if not shutil.which("apt-get"):
        return None
    if os.geteuid() == 0:
        return []
    if shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0:
        return ["sudo", "-n"]
    return None


def apt_install(packages: list[str], prefix: list[str] | None) -> bool:
    """Install the packages, or print the command that would; True on success."""
    command = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages]
    if prefix is None:
        print(
            "The build needs Debian packages that are not installed: "
            f"{', '.join(packages)}.\nInstall them with:\n\n"
            f"    sudo apt-get update && sudo {' '.join(command)}\n",
            file=sys.stderr,
        )
        return False
    print(f"Installing Debian packages: {', '.join(packages)}", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run([*prefix, "apt-get", "update", "-qq"], check=False, env=env)
    if subprocess.run([*prefix, *command], env=env).returncode != 0:
        print(f"apt-get could not install: {', '.join(packages)}", file=sys.stderr)
        return False
    return True


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pairs", nargs="*", metavar="PROBE:PACKAGE")
    parser.add_argument("--libraries-of", action="append", default=[], metavar="PROGRAM")
    args = parser.parse_args(argv)
    if any(":" not in pair for pair in args.pairs) or not (args.pairs or args.libraries_of):
        parser.print_usage(sys.stderr)
        return 2

    pairs = [pair.split(":", 1) for pair in args.pairs]
    prefix = installer()
    missing = sorted({installable(probe, package) for probe, package in pairs if not present(probe)})
    if missing and not apt_install(missing, prefix):
        return 1
    still = sorted({installable(probe, package) for probe, package in pairs if not present(probe)})
    if still:
        print(f"Installed, but still missing what these provide: {', '.join(still)}", file=sys.stderr)
        return 1

    libraries = missing_libraries(args.libraries_of)
    if not libraries:
        return 0
    if prefix is not None:  # apt's package lists are fresh after an install above
        subprocess.run([*prefix, "apt-get", "update", "-qq"], check=False, capture_output=True)
    packages = {library: package_for_library(library) for library in sorted(libraries)}
    unknown = [library for library, package in packages.items() if package is None]
    if unknown:
        print(f"No Debian package found for the shared libraries: {', '.join(unknown)}", file=sys.stderr)
        return 1
    if not apt_install(sorted({p for p in packages.values() if p}), prefix):
        return 1
    left = missing_libraries(args.libraries_of)
    if left:
        print(f"Installed, but ldd still cannot find: {', '.join(sorted(left))}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

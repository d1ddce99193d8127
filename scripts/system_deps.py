#!/usr/bin/env python3
"""Make sure the Debian packages the build needs are installed.

    system_deps.py PROBE:PACKAGE [PROBE:PACKAGE ...]

A probe is a command (``xelatex``), an absolute path, a TeX file found with
kpsewhich (``fncychap.sty``) or a font file (``FreeSerif.otf``). For every
probe that is missing, its package is installed with apt-get when we are
root or sudo needs no password. Otherwise nothing is built: the script
prints the one command that installs what is missing and exits 1, so a
build never starts without its tools and fails half-way in LaTeX.

Runs with the system Python (standard library only): it is called before the
virtualenv is needed.

Exit status: 0 everything present (or installed), 1 missing and not
installable here, 2 bad usage.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))


def present(probe: str) -> bool:
    if probe.startswith("/"):
        return Path(probe).exists()
    if probe.endswith((".sty", ".cls", ".tfm")):
        if not shutil.which("kpsewhich"):
            return False
        result = subprocess.run(["kpsewhich", probe], capture_output=True, text=True)
        return bool(result.stdout.strip())
    if probe.endswith((".otf", ".ttf")):
        return any(next(folder.rglob(probe), None) for folder in FONT_DIRS if folder.exists())
    return shutil.which(probe) is not None


def installer() -> list[str] | None:
    """How to run apt-get here: directly, through sudo, or not at all."""
    if not shutil.which("apt-get"):
        return None
    if os.geteuid() == 0:
        return []
    if shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0:
        return ["sudo", "-n"]
    return None


def main(argv: list[str]) -> int:
    if not argv or any(":" not in arg for arg in argv):
        print(__doc__.splitlines()[2].strip(), file=sys.stderr)
        return 2
    pairs = [arg.split(":", 1) for arg in argv]
    missing = sorted({package for probe, package in pairs if not present(probe)})
    if not missing:
        return 0
    prefix = installer()
    command = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing]
    if prefix is None:
        print(
            "The build needs Debian packages that are not installed: "
            f"{', '.join(missing)}.\nInstall them with:\n\n"
            f"    sudo apt-get update && sudo {' '.join(command)}\n",
            file=sys.stderr,
        )
        return 1
    print(f"Installing Debian packages: {', '.join(missing)}", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run([*prefix, "apt-get", "update", "-qq"], check=False, env=env)
    result = subprocess.run([*prefix, *command], env=env)
    if result.returncode != 0:
        print(f"apt-get could not install: {', '.join(missing)}", file=sys.stderr)
        return 1
    still = sorted({package for probe, package in pairs if not present(probe)})
    if still:
        print(f"Installed, but still missing what these provide: {', '.join(still)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

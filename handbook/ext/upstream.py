"""A guard for the handbook's patches of other packages' private APIs.

Each extension that patches or relies on a private API (a method it replaces,
a module attribute, a template's markup) calls ``require`` in its
``setup()`` with the versions the patch was written and checked against, and
says when the patch can go. An upgrade of that package then stops the build
with an error naming the package, the version found and the versions the
patch was written for, instead of quietly misbehaving: check the patch
against the new version, then widen the range.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from packaging.specifiers import SpecifierSet
from packaging.version import Version
from sphinx.errors import ExtensionError


def require(package: str, written_for: str, *, patch: str, remove_when: str) -> None:
    """Refuse to run ``patch`` with a version of ``package`` outside ``written_for``.

    ``written_for`` is a version specifier (``"==9.0.*"``); ``remove_when``
    names the upstream issue or the condition that makes the patch unneeded.
    """
    try:
        found = version(package)
    except PackageNotFoundError as missing:
        raise ExtensionError(f"{patch}: {package} is not installed") from missing
    if Version(found) not in SpecifierSet(written_for):
        raise ExtensionError(
            f"{patch} patches a private API of {package} and was written for {package}{written_for}, "
            f"but {package} {found} is installed. Check that the patch still holds for {found} "
            f"(or is no longer needed: remove it when {remove_when}), then widen the range."
        )

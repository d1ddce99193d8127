"""The unclosed-fence check (handbook.ext.source_checks) on a small Sphinx project."""

from __future__ import annotations

import pytest
from handbook.ext.source_checks import unclosed_fence
from sphinx.testing.util import SphinxTestApp


@pytest.mark.sphinx("html", testroot="source-checks")
def test_an_unclosed_fence_is_reported_with_its_file_and_line(app: SphinxTestApp) -> None:
    app.build()
    warnings = app.warning.getvalue()
    assert "index.md:5: WARNING: unclosed fence" in warnings


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("```\ncode\n```\n", None),
        ("text\n```python\ncode\n", 2),
        (":::{note}\n::::{tip}\n::::\n:::\n", None),
        (":::{note}\ntext\n", 1),
        ("````\n```\n````\n", None),
    ],
)
def test_unclosed_fence_finds_the_opening_line(text: str, line: int | None) -> None:
    assert unclosed_fence(text) == line

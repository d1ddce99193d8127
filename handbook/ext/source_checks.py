"""Catch Markdown mistakes that MyST would accept silently.

An unclosed code fence (or colon fence) swallows the rest of the file into
one code block without any warning; this extension reports it with the file
and the line where the fence was opened, so a strict build fails.
"""

from __future__ import annotations

import re
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*)$")


def unclosed_fence(text: str) -> int | None:
    """The 1-based line of the first fence never closed, or None.

    Inside a backtick or tilde fence nothing else opens; colon fences
    (MyST directives) nest, each closed by a bare run of at least as many
    colons as opened it.
    """
    stack: list[tuple[str, int, int]] = []  # (char, length, line)
    for number, line in enumerate(text.splitlines(), start=1):
        match = FENCE.match(line)
        if not match:
            continue
        fence, info = match["fence"], match["info"].strip()
        char, length = fence[0], len(fence)
        if stack and stack[-1][0] in "`~":
            top_char, top_length, _ = stack[-1]
            if char == top_char and length >= top_length and not info:
                stack.pop()
            continue
        if char == ":" and not info and stack and stack[-1][0] == ":" and length >= stack[-1][1]:
            stack.pop()
        elif char in "`~" or info:
            stack.append((char, length, number))
    return stack[0][2] if stack else None


def on_source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    line = unclosed_fence(source[0])
    if line is not None:
        logger.warning(
            "unclosed fence: the block opened here runs to the end of the file",
            location=(docname, line),
            type="handbook",
            subtype="fence",
        )


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("source-read", on_source_read)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

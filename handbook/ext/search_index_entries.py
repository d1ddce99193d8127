"""Keep the index entries in the search index across incremental builds.

Sphinx 9.0's search index builder reloads the previous ``searchindex.js``
but not its index entries (sphinx-doc/sphinx#12599), so after an
incremental build only the pages just rewritten keep theirs: a search for
"methotrexate" found 13 results instead of 22. This restores them from the
previous index, and forgets those of pages that no longer exist.

The entries are listed in a fixed order (by page, then target), not in the
order pages happened to be written, so an incremental build and a clean
build of the same sources give the same ``searchindex.js``.

Remove when sphinx-doc/sphinx#12599 is fixed (open): patches Sphinx's
private ``IndexBuilder.load``/``prune``/``freeze`` and ``_index_entries``,
so ``setup()`` refuses another Sphinx version than the one checked.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from sphinx.application import Sphinx
from sphinx.search import IndexBuilder

from handbook.ext.upstream import require

_load = IndexBuilder.load
_prune = IndexBuilder.prune
_freeze = IndexBuilder.freeze


def load_with_index_entries(self: IndexBuilder, stream: Any, format: Any) -> None:  # noqa: A002
    data = stream.read()
    _load(self, io.StringIO(data) if isinstance(data, str) else io.BytesIO(data), format)
    frozen = (self.formats[format] if isinstance(format, str) else format).loads(data)
    docnames = frozen["docnames"]
    restored: dict[str, list[tuple[str, str, str]]] = {}
    for entry, hits in frozen.get("indexentries", {}).items():
        for doc_index, entry_id, main in hits:
            restored.setdefault(docnames[doc_index], []).append((entry, entry_id, "main" if main else ""))
    for docname, entries in restored.items():
        # Pages written in this build are fed again and replace these.
        self._index_entries.setdefault(docname, sorted(entries))


def prune_with_index_entries(self: IndexBuilder, docnames: Iterable[str]) -> None:
    keep = set(docnames)
    _prune(self, keep)
    for docname in [d for d in self._index_entries if d not in keep]:
        del self._index_entries[docname]


def freeze_in_fixed_order(self: IndexBuilder) -> dict[str, Any]:
    frozen = _freeze(self)
    for hits in frozen.get("indexentries", {}).values():
        hits.sort()
    return frozen


def setup(app: Sphinx) -> dict[str, Any]:
    require(
        "sphinx", "==9.0.*", patch="handbook.ext.search_index_entries (IndexBuilder.load, prune, freeze)",
        remove_when="sphinx-doc/sphinx#12599 is fixed",
    )  # fmt: skip
    IndexBuilder.load = load_with_index_entries  # type: ignore[method-assign]
    IndexBuilder.prune = prune_with_index_entries  # type: ignore[method-assign]
    IndexBuilder.freeze = freeze_in_fixed_order  # type: ignore[method-assign]
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

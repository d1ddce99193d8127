"""sphinxext-opengraph, without its "matplotlib is not installed" message.

sphinxext-opengraph prints "matplotlib is not installed, social cards will
not be generated" whenever it is imported without matplotlib, even with
social cards off (``ogp_social_cards = {"enable": False}``: the book's card
ships as a file). matplotlib is not a dependency on purpose. So, before the
extension is imported, its private module ``sphinxext.opengraph._social_cards``
is stood in for by one that says there is no card generator; then
sphinxext-opengraph is set up as usual. Listed in conf.py instead of
``sphinxext.opengraph``.

No upstream issue filed; remove when sphinxext-opengraph imports its card
generator only when social cards are enabled. ``setup()`` refuses another
sphinxext-opengraph version than the one checked.
"""

from __future__ import annotations

import importlib.util
import sys
import types
from typing import Any

from sphinx.application import Sphinx

from handbook.ext.upstream import require

CARDS_MODULE = "sphinxext.opengraph._social_cards"


def stand_in_for_cards() -> None:
    if "sphinxext.opengraph" in sys.modules or importlib.util.find_spec("matplotlib") is not None:
        return  # too late to matter, or the real module can be imported
    cards = types.ModuleType(CARDS_MODULE)
    cards.DEFAULT_SOCIAL_CONFIG = {"enable": False}  # type: ignore[attr-defined]
    cards.create_social_card = None  # type: ignore[attr-defined]
    sys.modules.setdefault(CARDS_MODULE, cards)


def setup(app: Sphinx) -> dict[str, Any]:
    require(
        "sphinxext-opengraph", "==0.13.*", patch=f"handbook.ext.opengraph_without_cards ({CARDS_MODULE})",
        remove_when="sphinxext-opengraph imports matplotlib only for social cards (no upstream issue filed)",
    )  # fmt: skip
    stand_in_for_cards()
    app.setup_extension("sphinxext.opengraph")
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

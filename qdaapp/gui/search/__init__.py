"""Search and marker review widgets: keyword search (KWIC), the marker review queue,
the lexicon editor and background indexing. Each can be used on its own.

Names are imported on first use, so ``python -m qdaapp.gui.search.review_panel``
runs the module once.
"""

from importlib import import_module
from typing import Any

_WHERE = {
    "IndexingController": "indexing",
    "LexiconEditor": "lexicon_editor",
    "ReviewPanel": "review_panel",
    "SearchPanel": "search_panel",
}
__all__ = list(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(name)

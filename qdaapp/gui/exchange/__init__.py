"""Exchange with other QDA tools (REFI-QDA .qdpx and .qdc) and reports for teams.

:func:`install` adds to a main window's File menu:

* **File ▸ Import from other QDA tools ▸** REFI-QDA project (.qdpx)…, Codebook (.qdc)…
* **File ▸ Export ▸** Project for other QDA tools (.qdpx)…, Codebook (.qdc)…, Coded themes…,
  Codebook document (Word)…, Node frequencies…, Co-occurrence matrix…, Framework matrix…,
  and Memos and diary… / Audit report… unless the window already lists them there.

The window needs ``project`` (the open project or None), ``menuBar()`` and
``statusBar()``; ``settings`` and ``runner`` are used when present.
"""

from __future__ import annotations

from typing import Any

from .controller import CONTROLLER_NAME, ExchangeController
from .kinds import BY_KEY, KINDS, ExportKind


def install(window: Any) -> None:
    """Add the import and export actions to ``window``'s File menu (once)."""
    if controller_of(window) is not None:
        return
    ExchangeController(window).install_menus()


def controller_of(window: Any) -> ExchangeController | None:
    """The controller :func:`install` gave ``window`` (None before)."""
    return window.findChild(ExchangeController, CONTROLLER_NAME)


__all__ = ["BY_KEY", "KINDS", "ExchangeController", "ExportKind", "controller_of", "install"]

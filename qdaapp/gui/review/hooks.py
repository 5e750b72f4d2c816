"""The one line a panel adds to its context menu to offer "Add review comment…"."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

SHORTCUT = "Ctrl+Shift+R"
ITEM_TEXT = "Add review comment…"


def add_comment_item(menu: QMenu, widget: QWidget, kind: str, ident: int | None) -> Any:
    """Append "Add review comment…" on ``kind``/``ident`` to ``menu`` when ``widget`` sits in a window
    that takes comments (the main window); returns the action, or None."""
    flow = getattr(widget.window(), "review", None)
    if flow is None or getattr(flow, "project", None) is None:
        return None
    menu.addSeparator()
    action = menu.addAction(ITEM_TEXT, lambda: flow.add_comment(kind, ident))
    action.setShortcut(QKeySequence(SHORTCUT))
    action.setToolTip("Leave a comment for the project's author; the project itself is not changed")
    return action


def add_comment_choices(menu: QMenu, widget: QWidget, choices: list[tuple[str, int | None, str]]) -> Any:
    """One "Add review comment…" item, or a submenu when several things are under the pointer
    (``choices``: kind, id, what to call it)."""
    if len(choices) <= 1 or getattr(getattr(widget.window(), "review", None), "project", None) is None:
        return add_comment_item(menu, widget, *choices[0][:2]) if choices else None
    flow = widget.window().review
    menu.addSeparator()
    sub = menu.addMenu("Add review comment on")
    for kind, ident, text in choices:
        sub.addAction(text, lambda k=kind, i=ident: flow.add_comment(k, i))
    return sub

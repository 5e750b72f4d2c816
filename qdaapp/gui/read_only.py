"""Saying why an edit cannot be made while the project is open read-only.

A disabled menu item gets a tooltip and status tip that say why it is disabled;
a shortcut, key or drop that would edit shows the reason in the status bar
(:func:`tell_blocked`) instead of doing nothing. :class:`BlockedShortcuts`
keeps, for each editing action, a twin that holds the same keys and is enabled
only while the action is disabled for being read-only, so pressing Ctrl+K in a
read-only project says why nothing happens.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction, QCursor
from PySide6.QtWidgets import QMainWindow, QMenu, QToolTip, QWidget

SHOW_MS = 8000


def _name(text: str) -> str:
    return text.split("\t")[0].replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


def blocked_text(project: Any, what: str = "") -> str:
    """'The project is open read-only: “Import files” changes it, so it is not available. …'"""
    reason = getattr(project, "read_only_reason", None) if project is not None else None
    place = f" ({reason.removeprefix('it is ')})" if reason else ""
    doing = f"“{_name(what)}” would change it" if what else "nothing in it can be changed"
    if reason == "it is damaged":
        advice = "The notice at the top of the window says what can be done."
    elif reason:
        advice = "To work on it, copy it to a folder you can write to."
    else:
        advice = "To change it, open it normally (File ▸ Open project…)."
    return (f"The project is open read-only{place}: {doing}. {advice} Review comments can still be added "
            "(Ctrl+Shift+R).")


def tell_blocked(widget: QWidget | None, project: Any, what: str = "") -> str:
    """Show why ``what`` did nothing: in the window's status bar, else as a tooltip at the pointer."""
    text = blocked_text(project, what)
    window = widget.window() if widget is not None else None
    if isinstance(window, QMainWindow):
        window.statusBar().showMessage(text, SHOW_MS)
    else:
        QToolTip.showText(QCursor.pos(), text, widget)
    return text


class BlockedShortcuts:
    """Twins of editing actions: same keys, enabled only while the project is read-only."""

    def __init__(self, window: QWidget) -> None:
        self.window = window
        self.project: Any = None
        self.tips: dict[QAction, tuple[str, str]] = {}  # the action's own tooltip and status tip
        self.twins: dict[QAction, QAction] = {}

    def watch(self, action: QAction) -> None:
        if action in self.tips:
            return
        self.tips[action] = (action.toolTip(), action.statusTip())
        if action.shortcuts():
            twin = QAction(action.text(), action.parent() if isinstance(action.parent(), QWidget) else self.window)
            twin.setShortcuts(action.shortcuts())
            twin.setShortcutContext(action.shortcutContext())
            twin.setEnabled(False)
            twin.triggered.connect(lambda _c=False, a=action: tell_blocked(self.window, self.project, a.text()))
            holders = [o for o in action.associatedObjects() if isinstance(o, QWidget) and not isinstance(o, QMenu)]
            for holder in holders or [self.window]:
                holder.addAction(twin)
            self.twins[action] = twin

    def set_state(self, project: Any, read_only: bool) -> None:
        """Call after the actions were enabled or disabled for ``project``."""
        self.project = project
        blocked = project is not None and read_only
        for action, (tip, status) in self.tips.items():
            if blocked and not action.isEnabled():
                text = blocked_text(project, action.text())
                action.setToolTip(text)
                action.setStatusTip(text)
            else:
                action.setToolTip(tip)
                action.setStatusTip(status)
            twin = self.twins.get(action)
            if twin is not None:
                twin.setEnabled(blocked and not action.isEnabled())


def explain_disabled(menu: QMenu, project: Any) -> QMenu:
    """In a read-only project, each disabled item of ``menu`` (and its submenus) says why as its tooltip."""
    if project is None or not project.read_only:
        return menu
    menu.setToolTipsVisible(True)
    for action in menu.actions():
        if action.menu() is not None:
            explain_disabled(action.menu(), project)
        if not action.isEnabled() and not action.isSeparator():
            action.setToolTip(blocked_text(project, action.text()))
    return menu

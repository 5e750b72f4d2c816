"""The window's docks: adding them, showing them, and remembering the user's layout.

The layout (which docks are where, open or closed) is saved when a project
closes and restored when one opens. A dock the saved layout does not know
yet (a panel added by a newer version) shows the first time if it was added
with ``visible=True``, tabbed with the dock already in its area.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QStackedWidget, QVBoxLayout, QWidget

if TYPE_CHECKING:  # pragma: no cover
    from qdaapp.gui.main_window import MainWindow

STATE_VERSION = 1
AREAS = {"bottom": Qt.DockWidgetArea.BottomDockWidgetArea, "left": Qt.DockWidgetArea.LeftDockWidgetArea,
         "right": Qt.DockWidgetArea.RightDockWidgetArea, "top": Qt.DockWidgetArea.TopDockWidgetArea}


READ_ONLY_TEXT = ("<b>Read-only.</b> You can read, browse, search, and look at memos and the audit trail; "
                  "nothing in this project can be changed or undone from this window. You can leave review "
                  "comments (Review ▸ Add review comment…, Ctrl+Shift+R): they are kept beside the project.")


def build_centre(window: QMainWindow, welcome: QWidget, documents: QWidget) -> tuple[QStackedWidget, QLabel]:
    """The centre of the window: the welcome screen or the documents, under a read-only banner."""
    central = QStackedWidget()
    central.addWidget(welcome)
    central.addWidget(documents)
    banner = QLabel(READ_ONLY_TEXT)
    banner.setObjectName("ReadOnlyBanner")
    banner.setWordWrap(True)
    banner.setVisible(False)
    middle = QWidget()
    box = QVBoxLayout(middle)
    box.setContentsMargins(0, 0, 0, 0)
    box.setSpacing(0)
    box.addWidget(banner)
    box.addWidget(central, 1)
    window.setCentralWidget(middle)
    return central, banner


class DockLayout(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.docks: list[QDockWidget] = []
        self.default_state = b""
        self.on_added = None  # called with each new dock (the View menu lists it)

    def add(self, widget: QWidget, title: str, object_name: str, area: str = "bottom", visible: bool = True,
            height: int = 0) -> QDockWidget:
        if area not in AREAS:
            raise ValueError(f"area must be one of {', '.join(AREAS)}, not {area!r}")
        if any(d.objectName() == object_name for d in self.docks):
            raise ValueError(f"there is already a panel called {object_name!r}")
        where = AREAS[area]
        dock = QDockWidget(title, self.w)
        dock.setObjectName(object_name)
        dock.setWidget(widget)
        dock.setProperty("showByDefault", visible)
        dock.setProperty("preferredHeight", height)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.w.addDockWidget(where, dock)
        anchor = next((d for d in self.docks if self.w.dockWidgetArea(d) == where and not d.isFloating()), None)
        if anchor is not None:
            self.w.tabifyDockWidget(anchor, dock)
        self.docks.append(dock)
        if self.on_added is not None:
            self.on_added(dock)
        if self.w.project is None:
            dock.hide()
        elif not self.w.restoreDockWidget(dock):
            dock.setVisible(visible)
        return dock

    def show(self, dock: QDockWidget, height: int = 0) -> None:
        """Show ``dock`` in front of its tab group, at least ``height`` pixels tall if it is at the bottom."""
        dock.show()
        dock.raise_()
        height = height or int(dock.property("preferredHeight") or 0)
        if height and not dock.isFloating() and dock.height() < height:
            self.w.resizeDocks([dock], [height], Qt.Orientation.Vertical)

    def find(self, object_name: str) -> QDockWidget | None:
        return next((d for d in self.docks if d.objectName() == object_name), None)

    # -- the saved layout -----------------------------------------------------------
    def remember_default(self) -> None:
        self.default_state = self.w.saveState(STATE_VERSION)

    def restore(self) -> None:
        settings = self.w.settings
        state = settings.value("window/state")
        restored = state is not None and self.w.restoreState(state, STATE_VERSION)
        if not restored:
            self.w.restoreState(self.default_state, STATE_VERSION)
        known = set(settings.value("window/docks", []) or []) if restored else set()
        for dock in self.docks:
            if dock.objectName() not in known and dock.property("showByDefault") and dock.isHidden():
                dock.show()

    def save(self) -> None:
        self.w.settings.setValue("window/state", self.w.saveState(STATE_VERSION))
        self.w.settings.setValue("window/docks", [d.objectName() for d in self.docks])

    def hide_all(self) -> None:
        for dock in self.docks:
            dock.hide()

    def reset(self) -> None:
        self.w.restoreState(self.default_state, STATE_VERSION)
        if self.w.project is not None:
            for dock in self.docks:
                dock.setVisible(bool(dock.property("showByDefault")))

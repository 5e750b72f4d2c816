"""Bottom dock tab: the passages coded at the selected node, in context."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QMenu, QTableView, QVBoxLayout, QWidget

from qdaapp.core import coding as coding_ops
from qdaapp.core.errors import NotFound
from qdaapp.gui.models.passages import PASSAGE_COLUMN, HtmlDelegate, PassagesModel

EMPTY = "Select a node in the <b>Nodes</b> panel to see every passage coded there."


class PassagesPanel(QWidget):
    openPassage = Signal(int, int, int, int)  # source id, start, end, coding id
    historyRequested = Signal(int)  # coding id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project: Any = None
        self.node_id: int | None = None
        # Whose codings are listed (None: everyone's); the window's coder view sets it.
        self.shown_coders: Callable[[], set[str] | None] = lambda: None
        self.header = QLabel(EMPTY)
        self.header.setObjectName("PanelHeader")
        self.model = PassagesModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(PASSAGE_COLUMN, HtmlDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(PASSAGE_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(0, 170)
        header.resizeSection(1, 110)
        self.table.doubleClicked.connect(self._on_double_clicked)
        self.table.activated.connect(self._on_double_clicked)
        self.history_action = QAction("History of this coding…", self.table)
        self.history_action.setShortcut(QKeySequence("Ctrl+Shift+H"))
        self.history_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.history_action.triggered.connect(self.request_history)
        self.table.addAction(self.history_action)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._on_context_menu)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.header)
        layout.addWidget(self.table, 1)

    def set_project(self, project: Any) -> None:
        self.project = project
        self.show_node(None)

    def show_node(self, node_id: int | None, name: str = "") -> None:
        self.node_id = node_id
        self._node_name = name
        self.refresh()

    def refresh(self) -> None:
        if self.project is None or self.node_id is None:
            self.model.set_passages([])
            self.header.setText(EMPTY)
            return
        try:
            with self.project.read_session() as s:
                passages = coding_ops.list_codings(s, node_ref=self.node_id, coders=self.shown_coders())
        except NotFound:
            self.node_id = None
            self.refresh()
            return
        self.model.set_passages(passages)
        n = len(passages)
        shown = self.shown_coders()
        by = f" by {', '.join(sorted(shown))}" if shown else ""
        if n:
            self.header.setText(f"<b>{self._node_name}</b>: {n} coded passage{'s' if n != 1 else ''}{by}. "
                                "Double-click one to open it in its document.")
        else:
            self.header.setText(f"<b>{self._node_name}</b> has no codings{by} yet. Select text in a document "
                                "and drag it onto the node, or press Ctrl+K.")

    def _on_double_clicked(self, index: QModelIndex) -> None:
        p = self.model.passage(index.row())
        if p is not None:
            self.openPassage.emit(p.source_id, p.start, p.end, p.id)

    def request_history(self) -> None:
        p = self.model.passage(self.table.currentIndex().row()) if self.table.currentIndex().isValid() else None
        if p is not None:
            self.historyRequested.emit(p.id)

    def context_menu_at(self, pos: QPoint) -> QMenu | None:
        """The menu of the passage at ``pos`` (viewport coordinates); it becomes the current one."""
        index = self.table.indexAt(pos)
        if not index.isValid():
            return None
        self.table.setCurrentIndex(index)
        menu = QMenu(self.table)
        menu.addAction("Open in its document", lambda: self._on_double_clicked(index))
        menu.addAction(self.history_action)
        return menu

    def _on_context_menu(self, pos: QPoint) -> None:
        menu = self.context_menu_at(pos)
        if menu is not None:
            menu.exec(self.table.viewport().mapToGlobal(pos))

    def row_count(self) -> int:
        return self.model.rowCount()

    def sizeHint(self):
        hint = super().sizeHint()
        hint.setHeight(220)
        return hint


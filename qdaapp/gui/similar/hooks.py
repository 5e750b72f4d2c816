"""The **Find similar passages** action (Ctrl+Shift+L) and its "Similar passages" dock.

The examples are what has the focus: the rows selected in the coded
passages, search results or marker review list; the node selected in the
Nodes panel; the account selected in the Accounts dock; else the text
selected in the document. The node tree, the Accounts dock, the three
result lists and an open account's passages and fragments offer the same in
their context menus.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QWidget

from qdaapp.core import similar
from qdaapp.gui.dialogs.messages import show_error
from qdaapp.gui.search.common import plural
from qdaapp.gui.similar.panel import SimilarPanel

if TYPE_CHECKING:  # pragma: no cover
    from qdaapp.gui.panels.analysis import AnalysisPanels

Passage = tuple[int, int, int]
SHORTCUT = "Ctrl+Shift+L"
NOTHING = ("Choose the examples first: a node in the Nodes panel, coded passages, search results or marker hits "
           "(select their rows), an account, or some text in a document.")
DOCK_HEIGHT = 320


class SimilarFinder(QObject):
    def __init__(self, panels: AnalysisPanels) -> None:
        super().__init__(panels)
        self.panels = panels
        w = panels.w
        self.w = w
        self.panel = SimilarPanel()
        self.panel.setToolTip("Passages like chosen examples, to accept (code) or reject")
        self.dock = w.add_panel(self.panel, "Similar passages", "SimilarDock", "bottom", visible=False)
        self.dock.setProperty("preferredHeight", DOCK_HEIGHT)
        self.panel.openPassage.connect(lambda s, a, b: w.show_passage(s, a, b))
        self.action = QAction("Find &similar passages", w)
        self.action.setShortcut(QKeySequence(SHORTCUT))
        self.action.setStatusTip("Rank the sentences of every source by the words they share with the chosen "
                                 "passages, to code the ones like them")
        self.action.triggered.connect(lambda _checked=False: self.find_from_focus())
        w.nodes_panel.similarRequested.connect(self.find_node)
        panels.accounts.similarRequested.connect(self.find_account)

    def set_project(self, project: Any) -> None:
        self.panel.set_project(project)
        self.action.setEnabled(project is not None)

    # -- where the examples come from ------------------------------------------------------------
    def find_from_focus(self) -> bool:
        if self.w.project is None:
            return False
        focus = QApplication.focusWidget() or self.w.focusWidget()
        listed = self.panels.focused_list()
        if listed is not None:
            passages = self.panels.current_passages()
            node = self.w.passages.node_id if listed is self.w.passages.table else None
            return self.find_passages(passages, node_id=node)
        if self._inside(focus, self.w.nodes_panel.view) and self.w.nodes_panel.current_node_id() is not None:
            return self.find_node(int(self.w.nodes_panel.current_node_id() or 0))
        accounts = self.panels.accounts
        if self._inside(focus, accounts.list) and accounts.list.currentItem() is not None:
            from qdaapp.gui.panels.accounts_panel import ID_ROLE

            return self.find_account(int(accounts.list.currentItem().data(ID_ROLE)))
        selection = self.w.coding.selection()
        return self.find_passages([selection] if selection is not None else [])

    @staticmethod
    def _inside(focus: QWidget | None, widget: QWidget) -> bool:
        return focus is not None and (focus is widget or widget.isAncestorOf(focus))

    def find_node(self, node_id: int) -> bool:
        with self.w.project.read_session() as s:
            examples = similar.examples_of(s, node_id=node_id)
            path = next((n.path for n in _nodes(s) if n.id == node_id), "the node")
        return self._find(examples, f"the passages of '{path}'", node_id)

    def find_account(self, account_id: int) -> bool:
        title = self.w.sources_panel.model.account_titles.get(account_id, "the account")
        with self.w.project.read_session() as s:
            examples = similar.examples_of(s, account_id=account_id)
        return self._find(examples, f"the account '{title}'", None)

    def find_fragment(self, fragment_id: int) -> bool:
        with self.w.project.read_session() as s:
            examples = similar.examples_of(s, fragment_id=fragment_id)
        return self._find(examples, f"the fragment's {plural(len(examples), 'passage')}", None)

    def find_passages(self, passages: list[Passage], node_id: int | None = None) -> bool:
        examples = [similar.Example(*p) for p in passages]
        return self._find(examples, plural(len(examples), "chosen passage"), node_id)

    def _find(self, examples: list[similar.Example], about: str, node_id: int | None) -> bool:
        if not examples:
            self.w.statusBar().showMessage(NOTHING, 8000)
            return False
        try:
            self.w.show_dock(self.dock)
            self.panel.find(examples, about, node_id)
        except Exception as exc:  # logged and shown
            show_error(self.w, exc)
            return False
        self.panel.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return True


def _nodes(session: Any) -> list:
    from qdaapp.core import nodes

    return nodes.list_nodes(session)

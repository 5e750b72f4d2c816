"""The Accounts dock: the project's narrative accounts, a drop target for passages.

Each row shows an account's title and how far it has come (fragments, speech
acts present, interviewees). Double-click or Enter opens the account's
workspace; dropping passages (a document selection, coded passages, search
or marker results) on a row adds them to that account. The buttons make a
new account and open the framework matrix. **Delete** (or the context menu)
deletes the selected account after asking why; its codings stay.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from qdaapp.core import flowgraph, narrative
from qdaapp.core.logs import log_exception
from qdaapp.gui.dialogs.reason import ask_reason
from qdaapp.gui.narrative.common import account_progress, passages_from_mime, try_run
from qdaapp.gui.search.common import ChangeBridge

ID_ROLE = Qt.ItemDataRole.UserRole + 1
RELOAD_ON = ("account", "account passage", "fragment", "case")  # and a source removed or renamed
EMPTY = ("No accounts yet. An account gathers the passages about one object of activity "
         "(e.g. “Setting up the referral pathway”). Press New account…, then drop passages on it.")


class AccountList(QListWidget):
    """The list of accounts; passages dropped on a row are handed on with the account's id."""

    passagesDropped = Signal(int, list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.setDropIndicatorShown(True)
        self.setSpacing(2)
        self.setWordWrap(True)

    def _target(self, event: Any) -> int | None:
        item = self.itemAt(event.position().toPoint())
        return int(item.data(ID_ROLE)) if item is not None else None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if passages_from_mime(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if passages_from_mime(event.mimeData()) and self._target(event) is not None:
            self.setCurrentItem(self.itemAt(event.position().toPoint()))
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        passages = passages_from_mime(event.mimeData())
        target = self._target(event)
        if not passages or target is None:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self.passagesDropped.emit(target, passages)


class AccountsPanel(QWidget):
    openAccount = Signal(int)
    newAccountRequested = Signal()
    frameworkRequested = Signal()
    passagesDropped = Signal(int, list)  # account id, [(source id, start, end)]
    similarRequested = Signal(int)  # account id: find passages like the account's

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project: Any = None
        self.rows: list[dict] = []
        self._bridge = ChangeBridge(self)
        self._bridge.changed.connect(self._on_change)
        self.setToolTip("Narrative accounts: passages grouped by the object of an activity")
        self.header = QLabel("")
        self.header.setObjectName("PanelHeader")
        self.header.setWordWrap(True)
        self.list = AccountList()
        self.list.itemActivated.connect(self._on_activated)
        self.list.itemDoubleClicked.connect(self._on_activated)
        self.list.passagesDropped.connect(self.passagesDropped)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._on_context_menu)
        self.new_button = QPushButton("New account…")
        self.new_button.setToolTip("An account gathers passages about one object of activity (Ctrl+Shift+G adds "
                                   "the selected text to one)")
        self.framework_button = QPushButton("Framework matrix")
        self.framework_button.setToolTip("Cases by accounts (or nodes), with a summary in each cell")
        self.new_button.clicked.connect(lambda: self.newAccountRequested.emit())
        self.framework_button.clicked.connect(lambda: self.frameworkRequested.emit())
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.framework_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addWidget(self.header)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self.set_project(None)

    def set_project(self, project: Any) -> None:
        self.project = project
        self._bridge.attach(project)
        self.reload()

    def _on_change(self, change: Any) -> None:
        if change.touches(*RELOAD_ON) or change.ids("source", "removed") or change.ids("source", "changed"):
            self.reload()

    def reload(self) -> None:
        keep = self.current_account()
        self.list.clear()
        self.rows = []
        editable = self.project is not None and not self.project.read_only
        self.new_button.setEnabled(editable)
        self.framework_button.setEnabled(self.project is not None)
        if self.project is None:
            self.header.setText("")
            return
        try:
            with self.project.read_session() as s:
                self.rows = flowgraph.list_accounts(s)
        except Exception as exc:  # the list stays empty; the reason goes to the log
            log_exception(exc)
            self.header.setText("The accounts could not be read; see the log file (Help ▸ Show log file).")
            return
        for row in self.rows:
            complete = not row["missing"] and row["fragments"]
            item = QListWidgetItem(f"{row['title']}\n{account_progress(row)}" + ("  ✓" if complete else ""))
            item.setData(ID_ROLE, row["id"])
            missing = ", ".join(row["missing"]) or "none"
            item.setToolTip(f"{row['title']}\n{row['description'] or ''}\nMissing speech acts: {missing}\n"
                            f"Sources: {row['sources']}. Double-click to open; drop passages here to add them.")
            self.list.addItem(item)
            if row["id"] == keep:
                self.list.setCurrentItem(item)
        n = len(self.rows)
        self.header.setText(EMPTY if not n else
                            f"{n} account{'s' if n != 1 else ''}. Double-click one to open its flow chart; "
                            "drop passages on one to add them.")

    def current_account(self) -> int | None:
        item = self.list.currentItem()
        return int(item.data(ID_ROLE)) if item is not None else None

    def account_ids(self) -> list[int]:
        return [int(r["id"]) for r in self.rows]

    def _on_activated(self, item: QListWidgetItem) -> None:
        self.openAccount.emit(int(item.data(ID_ROLE)))

    def editable(self) -> bool:
        return self.project is not None and not self.project.read_only

    def delete_account(self, account_id: int) -> bool:
        """Delete an account with its fragments (its codings stay), after asking why."""
        row = next((r for r in self.rows if r["id"] == account_id), None)
        if row is None or not self.editable():
            return False
        n = row["fragments"]
        details = (f"Its {n} fragment{'s' if n != 1 else ''} and the passages gathered in it go with it; the codings "
                   "stay. Edit ▸ Undo brings it back.")
        answer = ask_reason(self, "account.delete", f"Delete the account '{row['title']}'?", "Delete account",
                            details=details, destructive=True)
        return answer is not None and try_run(self, self.project, narrative.delete_account, account_id,
                                              reason=answer.reason)[0]

    def _on_context_menu(self, pos: QPoint) -> None:
        item = self.list.itemAt(pos)
        if item is None:
            return
        account_id = int(item.data(ID_ROLE))
        menu = QMenu(self.list)
        menu.addAction("Open", lambda: self.openAccount.emit(account_id))
        menu.addAction("Find similar passages", lambda: self.similarRequested.emit(account_id))
        menu.addAction("Delete account…", lambda: self.delete_account(account_id)).setEnabled(self.editable())
        menu.exec(self.list.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.current_account() is not None:
            self.openAccount.emit(self.current_account())
            return
        if event.key() == Qt.Key.Key_Delete and self.current_account() is not None:
            self.delete_account(self.current_account())
            return
        super().keyPressEvent(event)

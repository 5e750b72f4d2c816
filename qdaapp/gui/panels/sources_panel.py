"""The Sources dock: interviews, field notes, documents, the diary, cases and accounts."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QInputDialog,
    QLabel,
    QMenu,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from qdaapp.core import cases as case_ops
from qdaapp.core import flowgraph
from qdaapp.core import memos as memo_ops
from qdaapp.core import sources as source_ops
from qdaapp.gui.dialogs.reason import ask_reason
from qdaapp.gui.models.sources_tree import GROUPS, ID_ROLE, KEY_ROLE, KIND_ROLE, SourcesModel
from qdaapp.gui.read_only import explain_disabled
from qdaapp.gui.review.hooks import add_comment_item

EMPTY_HINT = (
    "<b>No sources yet.</b><br>Import your interview transcripts, field notes or meeting minutes "
    "(Word, PDF or plain text): <b>File ▸ Import files…</b> (Ctrl+I)."
)


class SourcesPanel(QWidget):
    sourceActivated = Signal(int)
    targetSelected = Signal(str, object)  # 'source' | 'case' | 'diary' | 'project', id
    importRequested = Signal()
    newCaseRequested = Signal()
    newCaseForSourceRequested = Signal(int)  # a new case with this source in it
    casePropertiesRequested = Signal(int)
    newDiaryRequested = Signal()
    accountActivated = Signal(int)
    newAccountRequested = Signal()
    frameworkRequested = Signal()
    passagesDropped = Signal(int, list)  # account id, [(source id, start, end)]

    def __init__(self, runner: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.project: Any = None
        self.model = SourcesModel(self)
        self.model.on_passages_dropped = lambda account_id, passages: self.passagesDropped.emit(account_id, passages)
        self.view = QTreeView()
        self.view.setModel(self.model)
        self.view.setAcceptDrops(True)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.view.setDropIndicatorShown(True)
        self.view.setHeaderHidden(True)
        self.view.setUniformRowHeights(True)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._on_context_menu)
        self.view.activated.connect(self._on_activated)
        self.view.selectionModel().currentChanged.connect(self._on_current_changed)
        self.hint = QLabel(EMPTY_HINT)
        self.hint.setObjectName("PanelHint")
        self.hint.setWordWrap(True)
        self.hint.setMargin(8)
        self.import_button = QPushButton("Import files…")
        self.import_button.setObjectName("PrimaryButton")
        self.import_button.clicked.connect(self.importRequested.emit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.hint)
        layout.addWidget(self.import_button)
        self._first_load = True

    def set_project(self, project: Any) -> None:
        self.project = project
        self._first_load = True
        self.reload()

    def reload(self) -> None:
        expanded = set() if self._first_load else self._expanded_keys()
        # A group that was empty opens when something arrives in it (the first import, the first account).
        was_empty = {self.model.item(r).data(KEY_ROLE) for r in range(self.model.rowCount())
                     if not self.model.item(r).hasChildren()}
        expanded |= was_empty
        current = self.view.currentIndex().data(KEY_ROLE)
        if self.project is None:
            self.model.rebuild([], [], [])
        else:
            with self.project.read_session() as s:
                self.model.rebuild(source_ops.list_sources(s), case_ops.list_cases(s),
                                   memo_ops.list_memos(s, target_type="diary"), flowgraph.list_accounts(s))
        if self._first_load:
            expanded = {f"group:{key}" for key, _ in GROUPS} | {"group:cases", "group:accounts"}
            self._first_load = False
        for key in expanded:
            item = self.model.find_key(key)
            if item is not None:
                self.view.expand(item.index())
        if current:
            item = self.model.find_key(current)
            if item is not None:
                self.view.setCurrentIndex(item.index())
        empty = self.model.is_empty()
        editable = self.project is not None and not self.project.read_only
        self.hint.setVisible(self.project is not None and empty and editable)
        self.import_button.setVisible(self.project is not None and empty and editable)

    def _expanded_keys(self) -> set[str]:
        keys: set[str] = set()
        stack = [self.model.item(r) for r in range(self.model.rowCount())]
        while stack:
            item = stack.pop()
            if item.hasChildren() and self.view.isExpanded(item.index()):
                keys.add(item.data(KEY_ROLE))
                stack.extend(item.child(r) for r in range(item.rowCount()))
        return keys

    def select_source(self, source_id: int) -> None:
        item = self.model.source_item(source_id)
        if item is not None:
            self.view.setCurrentIndex(item.index())

    # -- handlers -----------------------------------------------------------------
    def _on_activated(self, index: QModelIndex) -> None:
        kind, ident = index.data(KIND_ROLE), index.data(ID_ROLE)
        if kind == "source":
            self.sourceActivated.emit(int(ident))
        elif kind == "case":
            self.casePropertiesRequested.emit(int(ident))
        elif kind == "account":
            self.accountActivated.emit(int(ident))

    def _on_current_changed(self, index: QModelIndex, _previous: QModelIndex) -> None:
        kind, ident = index.data(KIND_ROLE), index.data(ID_ROLE)
        if kind == "source":
            self.targetSelected.emit("source", int(ident))
        elif kind == "case":
            self.targetSelected.emit("case", int(ident))
        elif kind == "diary-entry":
            self.targetSelected.emit("diary", int(ident))

    def _on_context_menu(self, pos: QPoint) -> None:
        menu = self.build_context_menu(self.view.indexAt(pos))
        if menu is not None and not menu.isEmpty():
            menu.exec(self.view.viewport().mapToGlobal(pos))
        if menu is not None:
            menu.deleteLater()

    def build_context_menu(self, index: QModelIndex) -> QMenu | None:
        if self.project is None:
            return None
        editable = not self.project.read_only
        kind, ident = index.data(KIND_ROLE), index.data(ID_ROLE)
        menu = QMenu(self)
        if kind == "source":
            source_id = int(ident)
            menu.addAction("Open", lambda: self.sourceActivated.emit(source_id))
            menu.addAction("Rename…", lambda: self.rename_source(source_id)).setEnabled(editable)
            kinds = menu.addMenu("This source is")
            kinds.setEnabled(editable)
            for key, label in GROUPS:
                kinds.addAction(label.rstrip("s") if key != "diary" else label,
                                lambda k=key: self.runner.run(source_ops.update_source, source_id, kind=k))
            cases = menu.addMenu("Case")
            cases.setEnabled(editable)
            cases.addAction("No case", lambda: self.runner.run(source_ops.update_source, source_id, clear_case=True))
            cases.addSeparator()
            for case_id, name in sorted(self.model.case_names.items(), key=lambda kv: kv[1].lower()):
                cases.addAction(name, lambda c=case_id: self.runner.run(case_ops.assign_source, c, source_id))
            cases.addSeparator()
            cases.addAction("New case…", lambda: self.newCaseForSourceRequested.emit(source_id))
            menu.addSeparator()
            menu.addAction("Delete…", lambda: self.delete_source(source_id)).setEnabled(editable)
        elif kind == "case":
            case_id = int(ident)
            menu.addAction("Properties…", lambda: self.casePropertiesRequested.emit(case_id))
            menu.addAction("New case…", self.newCaseRequested.emit).setEnabled(editable)
        elif kind == "account":
            account_id = int(ident)
            menu.addAction("Open flow chart", lambda: self.accountActivated.emit(account_id))
            menu.addAction("Framework matrix", self.frameworkRequested.emit)
            menu.addSeparator()
            menu.addAction("New account…", self.newAccountRequested.emit).setEnabled(editable)
        elif kind == "group" and ident == "accounts":
            menu.addAction("New account…", self.newAccountRequested.emit).setEnabled(editable)
            menu.addAction("Framework matrix", self.frameworkRequested.emit)
        elif kind == "group" and ident == "cases":
            menu.addAction("New case…", self.newCaseRequested.emit).setEnabled(editable)
        elif kind == "group" and ident == "diary":
            menu.addAction("New diary entry", self.newDiaryRequested.emit).setEnabled(editable)
            menu.addAction("Import files…", self.importRequested.emit).setEnabled(editable)
        else:
            menu.addAction("Import files…", self.importRequested.emit).setEnabled(editable)
        if kind in ("source", "account"):
            add_comment_item(menu, self, kind, int(ident))
        return explain_disabled(menu, self.project)

    def rename_source(self, source_id: int) -> None:
        old = self.model.source_names.get(source_id, "")
        name, ok = QInputDialog.getText(self, "Rename source", "New name:", text=old)
        if ok and name.strip() and name.strip() != old:
            self.runner.run(source_ops.update_source, source_id, name=name.strip())

    def delete_source(self, source_id: int) -> bool:
        with self.project.read_session() as s:
            info = next((i for i in source_ops.list_sources(s) if i.id == source_id), None)
        if info is None:
            return False
        details = (f"Its {info.codings} coding{'s' if info.codings != 1 else ''} go with it. "
                   "The audit trail keeps a record; the original file on your disk is not touched.")
        answer = ask_reason(self, "source.delete", f"Delete {info.name} from the project?", "Delete source",
                            details=details, destructive=True)
        if answer is None:
            return False
        ok, _ = self.runner.run(source_ops.delete_source, source_id, **answer.run_kwargs())
        return ok

"""The Nodes dock: free and tree nodes, their counts, and everything you do to a node."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMenu,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from qdaapp.core import nodes as node_ops
from qdaapp.gui.dialogs.node_dialog import NodeDialog
from qdaapp.gui.dialogs.quick_pick import Choice, QuickPick
from qdaapp.gui.dialogs.reason import ask_reason
from qdaapp.gui.models.node_tree import FREE_ROOT, TREE_ROOT, NodeItem, NodeTreeModel
from qdaapp.gui.read_only import BlockedShortcuts, explain_disabled
from qdaapp.gui.review.hooks import add_comment_item
from qdaapp.gui.search.common import plural

EMPTY_HINT = (
    "<b>No nodes yet.</b><br>Select a passage in a document and press <b>Ctrl+Shift+N</b> "
    "to make a free node from it in one step — or click <b>＋ Free node</b> above."
)


class NodeTree(QTreeView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setUniformRowHeights(True)
        self.setAnimated(True)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropOverwriteMode(True)  # a drop always lands on a node, never between two
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)


class NodesPanel(QWidget):
    nodeSelected = Signal(object)  # node id or None
    showPassagesRequested = Signal(int)
    similarRequested = Signal(int)  # node id: find passages like the node's

    def __init__(self, runner: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.project: Any = None
        self.code_span_handler: Callable[[int, int, int, int | None], bool] | None = None
        self.model = NodeTreeModel(self)
        self.model.actions = self
        self.view = NodeTree()
        self.view.setModel(self.model)
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.view.customContextMenuRequested.connect(self._on_context_menu)
        self.view.selectionModel().currentChanged.connect(self._on_current_changed)
        self.view.doubleClicked.connect(self._on_double_clicked)
        self.model.modelReset.connect(self._on_model_reset)
        self.model.rowsInserted.connect(lambda *_: self._update_hint())

        self.add_free = QToolButton()
        self.add_free.setText("＋ Free node")
        self.add_free.setToolTip("New free node: a flat label for something you notice "
                                 "(Ctrl+Shift+N codes the selected text at a new one)")
        self.add_free.clicked.connect(self.new_free_node)
        self.add_tree = QToolButton()
        self.add_tree.setText("＋ Tree node")
        self.add_tree.setToolTip("New node in the tree of themes (under the selected tree node)")
        self.add_tree.clicked.connect(lambda: self.new_tree_node(self._selected_tree_parent()))
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 4, 4, 0)
        bar.addWidget(self.add_free)
        bar.addWidget(self.add_tree)
        bar.addStretch(1)
        self.hint = QLabel(EMPTY_HINT)
        self.hint.setObjectName("PanelHint")
        self.hint.setWordWrap(True)
        self.hint.setMargin(8)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.hint)

        self.delete_action = QAction("Delete node…", self.view)
        self.delete_action.setShortcut(QKeySequence(Qt.Key.Key_Delete))
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.delete_action.triggered.connect(lambda: self._with_current(self.delete_node))
        self.view.addAction(self.delete_action)
        self.blocked = BlockedShortcuts(self)  # Delete on a read-only project says why nothing happens
        self.blocked.watch(self.delete_action)

    # -- state --------------------------------------------------------------------
    def set_project(self, project: Any) -> None:
        self.project = project
        read_only = bool(project and project.read_only)
        self.model.read_only = read_only
        self.add_free.setEnabled(project is not None and not read_only)
        self.add_tree.setEnabled(project is not None and not read_only)
        self.delete_action.setEnabled(not read_only)
        self.blocked.set_state(project, read_only)
        self.reload()

    def reload(self) -> None:
        expanded = self._expanded_ids()
        current = self.current_node_id()
        if self.project is None:
            self.model.load([])
        else:
            with self.project.read_session() as s:
                self.model.load(node_ops.list_nodes(s))
        self._restore(expanded, current)

    def recount(self) -> list[int]:
        """Re-read every node's coding count (one grouped query); the ids of the nodes whose count changed."""
        if self.project is None:
            return []
        with self.project.read_session() as s:
            return self.model.set_counts(node_ops.coding_counts(s))

    def current_node_id(self) -> int | None:
        item = self.model.item(self.view.currentIndex())
        return item.id if item is not None and not item.is_root else None

    def select_node(self, node_id: int) -> None:
        index = self.model.index_for(node_id)
        if index.isValid():
            self.view.scrollTo(index)
            self.view.setCurrentIndex(index)

    def _expanded_ids(self) -> set[int] | None:
        if self.model.is_empty():
            return None
        out = set()
        for node_id in (FREE_ROOT, TREE_ROOT, *(n.id for n in self.model.nodes())):
            if self.view.isExpanded(self.model.index_for(node_id)):
                out.add(node_id)
        return out

    def _restore(self, expanded: set[int] | None, current: int | None) -> None:
        if expanded is None:
            self.view.expandAll()
        else:
            for node_id in expanded | {FREE_ROOT, TREE_ROOT}:
                self.view.expand(self.model.index_for(node_id))
        if current is not None:
            self.select_node(current)
        self._update_hint()

    def _on_model_reset(self) -> None:
        self._update_hint()

    def _update_hint(self) -> None:
        self.hint.setVisible(self.project is not None and self.model.is_empty() and not self.model.read_only)

    # -- NodeActions (called by the model) -----------------------------------------
    def code_span_at(self, node_id: int, start: int, end: int, source_id: int | None) -> bool:
        return bool(self.code_span_handler and self.code_span_handler(node_id, start, end, source_id))

    def move_node_to(self, node_id: int, target_id: int) -> bool:
        item, target = self.model.node(node_id), self.model.node(target_id)
        why: dict = {}
        if item is not None and len(item.subtree_ids()) > 1:  # a branch moves: ask why
            where = ("free nodes" if target_id == FREE_ROOT else "the top level of the tree" if target_id == TREE_ROOT
                     else f"'{target.path()}'" if target is not None else "there")
            n = len(item.subtree_ids()) - 1
            answer = ask_reason(self, "node.move", f"Move '{item.path()}' and its {plural(n, 'child node')} to "
                                f"{where}?", "Move", details="Edit ▸ Undo moves them back.")
            if answer is None:
                return False
            why = answer.run_kwargs()
        if target_id == FREE_ROOT:
            ok, _ = self.runner.run(node_ops.move_node, node_id, free=True, **why)
        elif target_id == TREE_ROOT:
            ok, _ = self.runner.run(node_ops.move_node, node_id, to_parent=None, **why)
        else:
            ok, _ = self.runner.run(node_ops.move_node, node_id, to_parent=str(target_id), **why)
        if ok:
            self.select_node(node_id)
        return ok

    def rename_node(self, node_id: int, name: str) -> bool:
        ok, _ = self.runner.run(node_ops.update_node, node_id, name=name)
        return ok

    # -- creating -----------------------------------------------------------------
    def _coder(self) -> str:
        return self.project.coder if self.project else ""

    def new_free_node(self) -> int | None:
        name, ok = QInputDialog.getText(self, "New free node", "Name of the new free node:")
        if not ok or not name.strip():
            return None
        done, node_id = self.runner.run(node_ops.create_node, name.strip(), free=True, created_by=self._coder())
        if done:
            self.select_node(node_id)
            return node_id
        return None

    def new_tree_node(self, parent: NodeItem | None = None) -> int | None:
        where = f" under '{parent.path()}'" if parent else " (use / for levels, e.g. Trust/Between staff)"
        name, ok = QInputDialog.getText(self, "New tree node", f"Name of the new node{where}:")
        if not ok or not name.strip():
            return None
        path = f"{parent.path()}/{name.strip()}" if parent else name.strip()
        done, node_id = self.runner.run(node_ops.create_node, path, free=False, created_by=self._coder())
        if done:
            self.select_node(node_id)
            return node_id
        return None

    def _selected_tree_parent(self) -> NodeItem | None:
        item = self.model.item(self.view.currentIndex())
        return item if item is not None and not item.is_root and item.kind == "tree" else None

    # -- editing ------------------------------------------------------------------
    def edit_properties(self, node_id: int) -> None:
        item = self.model.node(node_id)
        if item is None:
            return
        dialog = NodeDialog(self, item.name, item.path(), item.description, item.color, item.count)
        if dialog.exec() != NodeDialog.DialogCode.Accepted:
            return
        values = dialog.values()
        current = {"name": item.name, "description": item.description, "color": item.color.upper()}
        changes = {k: v for k, v in values.items() if v != current[k] and (k != "name" or v)}
        if changes:
            self.runner.run(node_ops.update_node, node_id, **changes)

    def move_into_tree(self, node_id: int) -> None:
        item = self.model.node(node_id)
        if item is None:
            return
        blocked = item.subtree_ids() | ({item.parent.id} if item.parent else set())
        choices = [Choice(n.id, n.name, n.path(), n.kind, n.color, n.count)
                   for n in self.model.nodes() if n.kind == "tree" and n.id not in blocked]
        if not (item.kind == "tree" and item.parent is not None and item.parent.id == TREE_ROOT):
            choices.insert(0, Choice(TREE_ROOT, "Top level of the tree", "", "tree", "#FFFFFF"))
        picker = QuickPick(self, choices, f"Move '{item.name}' under…", allow_create=False)
        picker.picked.connect(lambda target: self.move_node_to(node_id, target))
        picker.popup(self.view.viewport().mapToGlobal(self.view.visualRect(self.model.index_for(node_id)).bottomLeft()))

    def merge_into(self, node_id: int) -> None:
        item = self.model.node(node_id)
        if item is None:
            return
        blocked = item.subtree_ids()
        choices = [Choice(n.id, n.name, n.path(), n.kind, n.color, n.count)
                   for n in self.model.nodes() if n.id not in blocked]
        picker = QuickPick(self, choices, f"Merge '{item.name}' into…", allow_create=False)
        picker.picked.connect(lambda target: self.confirm_merge(node_id, target))
        picker.popup(self.view.viewport().mapToGlobal(self.view.visualRect(self.model.index_for(node_id)).bottomLeft()))

    def confirm_merge(self, node_id: int, into_id: int) -> bool:
        item, into = self.model.node(node_id), self.model.node(into_id)
        if item is None or into is None:
            return False
        details = (f"Its {plural(item.count, 'coding')}, child nodes and memos move to '{into.name}', and "
                   f"'{item.name}' is removed. The audit trail keeps a record of the merge.")
        answer = ask_reason(self, "node.merge", f"Merge '{item.path()}' into '{into.path()}'?", "Merge nodes",
                            details=details, destructive=True)
        if answer is None:
            return False
        ok, _ = self.runner.run(node_ops.merge_nodes, node_id, into_id, **answer.run_kwargs())
        if ok:
            self.select_node(into_id)
        return ok

    def delete_node(self, node_id: int) -> bool:
        item = self.model.node(node_id)
        if item is None or self.model.read_only:
            return False
        sub = [self.model.node(i) for i in item.subtree_ids() if i != node_id]
        codings = item.count + sum(n.count for n in sub if n)
        text = f"Delete the node '{item.path()}'" + (f" and its {plural(len(sub), 'child node')}" if sub else "")
        details = f"{plural(codings, 'coding')} will be removed with it"
        details += ". The audit trail keeps a record of them." if codings else "."
        answer = ask_reason(self, "node.delete", text + "?", "Delete node", details=details, destructive=True)
        if answer is None:
            return False
        ok, _ = self.runner.run(node_ops.delete_node, node_id, **answer.run_kwargs())
        return ok

    # -- context menu ---------------------------------------------------------------
    def _with_current(self, fn: Callable[[int], Any]) -> None:
        node_id = self.current_node_id()
        if node_id is not None:
            fn(node_id)

    def _on_context_menu(self, pos: QPoint) -> None:
        menu = self.build_context_menu(self.view.indexAt(pos))
        if menu is not None and not menu.isEmpty():
            menu.exec(self.view.viewport().mapToGlobal(pos))
        if menu is not None:
            menu.deleteLater()

    def build_context_menu(self, index: QModelIndex) -> QMenu | None:
        if self.project is None:
            return None
        item = self.model.item(index)
        editable = not self.model.read_only
        menu = QMenu(self)
        if item is None or item.id == FREE_ROOT:
            menu.addAction("New free node…", self.new_free_node).setEnabled(editable)
            if item is None:
                menu.addAction("New tree node…", lambda: self.new_tree_node(None)).setEnabled(editable)
            return explain_disabled(menu, self.project)
        if item.id == TREE_ROOT:
            menu.addAction("New tree node…", lambda: self.new_tree_node(None)).setEnabled(editable)
            return explain_disabled(menu, self.project)
        node_id = item.id
        menu.addAction("Show coded passages", lambda: self.showPassagesRequested.emit(node_id))
        similar = menu.addAction("Find similar passages", lambda: self.similarRequested.emit(node_id))
        similar.setShortcut(QKeySequence("Ctrl+Shift+L"))
        similar.setEnabled(item.count > 0)
        menu.addSeparator()
        if item.kind == "tree":
            menu.addAction("New child node…", lambda: self.new_tree_node(item)).setEnabled(editable)
        rename = menu.addAction("Rename", lambda: self.view.edit(self.model.index_for(node_id)))
        rename.setShortcut(QKeySequence(Qt.Key.Key_F2))
        rename.setEnabled(editable)
        menu.addAction("Edit description and colour…", lambda: self.edit_properties(node_id)).setEnabled(editable)
        menu.addSeparator()
        if item.kind == "tree":
            to_free = menu.addAction("Move to free nodes", lambda: self.move_node_to(node_id, FREE_ROOT))
            to_free.setEnabled(editable and not item.children)
            if item.children:
                to_free.setToolTip("Free nodes are flat: move or merge its children first.")
        menu.addAction("Move into tree…", lambda: self.move_into_tree(node_id)).setEnabled(editable)
        menu.addAction("Merge into…", lambda: self.merge_into(node_id)).setEnabled(editable)
        menu.addSeparator()
        delete = menu.addAction("Delete…", lambda: self.delete_node(node_id))
        delete.setShortcut(QKeySequence(Qt.Key.Key_Delete))
        delete.setEnabled(editable)
        add_comment_item(menu, self, "node", node_id)
        return explain_disabled(menu, self.project)

    # -- selection ------------------------------------------------------------------
    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.nodeSelected.emit(self.current_node_id())

    def _on_double_clicked(self, index: QModelIndex) -> None:
        item = self.model.item(index)
        if item is not None and not item.is_root:
            self.showPassagesRequested.emit(item.id)

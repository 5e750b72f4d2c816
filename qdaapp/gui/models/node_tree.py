"""The node tree: two roots, "Free Nodes (n)" and "Tree Nodes", over ``nodes.list_nodes``.

The model never writes to the project itself. Renames (inline editing),
span drops (= code the dragged selection at a node) and node drops (= move a
node) are handed to a :class:`NodeActions` object the main window provides;
the model changes only when the project reports the committed change
(:meth:`insert_node`, :meth:`update_node`, :meth:`change_count`, :meth:`set_counts`,
:meth:`load`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Protocol

from PySide6.QtCore import QAbstractItemModel, QByteArray, QMimeData, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap

from qdaapp.core.nodes import NodeInfo

NODE_MIME = "application/x-qdaapp-node"
SPAN_MIME = "application/x-qdaapp-span"
FREE_ROOT = -1
TREE_ROOT = -2
NODE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
PATH_ROLE = Qt.ItemDataRole.UserRole + 2

Index = QModelIndex | QPersistentModelIndex
_NO_PARENT = QModelIndex()


class NodeActions(Protocol):
    """What the model asks the window to do; each returns True if it happened."""

    def code_span_at(self, node_id: int, start: int, end: int, source_id: int | None) -> bool: ...

    def move_node_to(self, node_id: int, target_id: int) -> bool: ...

    def rename_node(self, node_id: int, name: str) -> bool: ...


@dataclass(eq=False)
class NodeItem:
    id: int
    name: str
    kind: str = "free"
    color: str = "#999999"
    description: str = ""
    count: int = 0
    position: int = 0
    parent: NodeItem | None = None
    children: list[NodeItem] = field(default_factory=list)

    @property
    def is_root(self) -> bool:
        return self.id < 0

    def path(self) -> str:
        names, item = [], self
        while item is not None and not item.is_root:
            names.append(item.name)
            item = item.parent
        return "/".join(reversed(names))

    def subtree_ids(self) -> set[int]:
        ids, stack = set(), [self]
        while stack:
            item = stack.pop()
            ids.add(item.id)
            stack.extend(item.children)
        return ids


_swatches: dict[str, QIcon] = {}


def swatch(color: str, size: int = 12) -> QIcon:
    """A small rounded colour square, cached per colour."""
    icon = _swatches.get(color)
    if icon is None:
        pix = QPixmap(size, size)
        pix.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pix)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QColor(color).darker(130))
        painter.setBrush(QColor(color))
        painter.drawRoundedRect(1, 1, size - 2, size - 2, 3, 3)
        painter.end()
        icon = _swatches[color] = QIcon(pix)
    return icon


class NodeTreeModel(QAbstractItemModel):
    COLUMNS = ("Node", "Codings")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._free = NodeItem(FREE_ROOT, "Free Nodes", kind="free")
        self._tree = NodeItem(TREE_ROOT, "Tree Nodes", kind="tree")
        self._by_id: dict[int, NodeItem] = {}
        self.actions: NodeActions | None = None
        self.read_only = False
        self._bold = QFont()
        self._bold.setBold(True)

    # -- loading and incremental updates -------------------------------------
    def load(self, infos: list[NodeInfo]) -> None:
        self.beginResetModel()
        self._free.children.clear()
        self._tree.children.clear()
        self._by_id.clear()
        for info in infos:
            self._attach(NodeItem(info.id, info.name, info.kind, info.color, info.description,
                                  info.codings, info.position), info.parent_id)
        for root in (self._tree, *self._by_id.values()):
            if root.kind == "tree":
                root.children.sort(key=lambda n: (n.position, n.name.lower()))
        self.endResetModel()

    def _attach(self, item: NodeItem, parent_id: int | None) -> None:
        parent = self._free if item.kind == "free" else self._by_id.get(parent_id, self._tree)
        item.parent = parent
        parent.children.append(item)
        self._by_id[item.id] = item

    def _insertion_row(self, parent: NodeItem, item: NodeItem) -> int:
        if parent is self._free:
            key = item.name.lower()
            return next((i for i, c in enumerate(parent.children) if c.name.lower() > key), len(parent.children))
        return next((i for i, c in enumerate(parent.children) if c.position > item.position), len(parent.children))

    def insert_node(self, row: dict) -> None:
        """Add a node the project just created (a row of a node.create change)."""
        if row["id"] in self._by_id:
            return
        item = NodeItem(row["id"], row["name"], row["kind"], row.get("color") or "#999999",
                        row.get("description") or "", 0, row.get("position") or 0)
        parent = self._free if item.kind == "free" else self._by_id.get(row.get("parent_id"), self._tree)
        at = self._insertion_row(parent, item)
        self.beginInsertRows(self._index_of_item(parent), at, at)
        item.parent = parent
        parent.children.insert(at, item)
        self._by_id[item.id] = item
        self.endInsertRows()
        if parent is self._free:
            root = self._index_of_item(self._free)
            self.dataChanged.emit(root, root)

    def update_node(self, node_id: int, name: str | None = None, color: str | None = None,
                    description: str | None = None) -> None:
        item = self._by_id.get(node_id)
        if item is None:
            return
        if name is not None:
            item.name = name
        if color is not None:
            item.color = color
        if description is not None:
            item.description = description
        left = self._index_of_item(item)
        self.dataChanged.emit(left, left.siblingAtColumn(1))

    def change_count(self, node_id: int, delta: int) -> None:
        item = self._by_id.get(node_id)
        if item is None:
            return
        item.count = max(0, item.count + delta)
        left = self._index_of_item(item)
        self.dataChanged.emit(left, left.siblingAtColumn(1))

    def set_counts(self, counts: dict[int, int]) -> list[int]:
        """Show ``counts`` (node id -> codings; a node not in it has none); the ids whose count changed.

        Only the rows that changed are repainted, so a recount after every change costs one query."""
        changed = []
        for item in self._by_id.values():
            count = counts.get(item.id, 0)
            if count != item.count:
                item.count = count
                left = self._index_of_item(item)
                self.dataChanged.emit(left, left.siblingAtColumn(1))
                changed.append(item.id)
        return changed

    # -- lookups ------------------------------------------------------------------
    def node(self, node_id: int) -> NodeItem | None:
        return self._by_id.get(node_id)

    def nodes(self) -> list[NodeItem]:
        """Every node, free ones first, then the tree depth-first."""
        out: list[NodeItem] = list(self._free.children)
        stack = list(reversed(self._tree.children))
        while stack:
            item = stack.pop()
            out.append(item)
            stack.extend(reversed(item.children))
        return out

    def item(self, index: Index) -> NodeItem | None:
        return index.internalPointer() if index.isValid() else None

    def index_for(self, node_id: int) -> QModelIndex:
        if node_id == FREE_ROOT:
            return self._index_of_item(self._free)
        if node_id == TREE_ROOT:
            return self._index_of_item(self._tree)
        item = self._by_id.get(node_id)
        return self._index_of_item(item) if item is not None else QModelIndex()

    def free_count(self) -> int:
        return len(self._free.children)

    def is_empty(self) -> bool:
        return not self._by_id

    def _index_of_item(self, item: NodeItem, column: int = 0) -> QModelIndex:
        if item.parent is None:
            return self.createIndex(0 if item is self._free else 1, column, item)
        return self.createIndex(item.parent.children.index(item), column, item)

    # -- QAbstractItemModel -------------------------------------------------------
    def index(self, row: int, column: int, parent: Index = _NO_PARENT) -> QModelIndex:
        if not parent.isValid():
            roots = (self._free, self._tree)
            return self.createIndex(row, column, roots[row]) if 0 <= row < 2 else QModelIndex()
        item = self.item(parent)
        if item is None or not (0 <= row < len(item.children)):
            return QModelIndex()
        return self.createIndex(row, column, item.children[row])

    def parent(self, index: Index = _NO_PARENT) -> QModelIndex:  # type: ignore[override]
        item = self.item(index)
        if item is None or item.parent is None:
            return QModelIndex()
        return self._index_of_item(item.parent)

    def rowCount(self, parent: Index = _NO_PARENT) -> int:
        if not parent.isValid():
            return 2
        if parent.column() != 0:
            return 0
        item = self.item(parent)
        return len(item.children) if item else 0

    def columnCount(self, parent: Index = _NO_PARENT) -> int:
        return 2

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        item = self.item(index)
        if item is None:
            return None
        col = index.column()
        if item.is_root:
            if role == Qt.ItemDataRole.DisplayRole and col == 0:
                return f"Free Nodes ({len(item.children)})" if item is self._free else "Tree Nodes"
            if role == Qt.ItemDataRole.FontRole:
                return self._bold
            if role == Qt.ItemDataRole.ToolTipRole:
                if item is self._free:
                    return "Flat labels made while reading. Drag one onto a tree node to file it in a theme."
                return "Themes in a hierarchy. Drag a node onto another to move it under it."
            if role == NODE_ID_ROLE:
                return item.id
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return item.name if col == 0 else (str(item.count) if item.count else "")
        if role == Qt.ItemDataRole.EditRole and col == 0:
            return item.name
        if role == Qt.ItemDataRole.DecorationRole and col == 0:
            return swatch(item.color)
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and col == 1:
            return QColor("#6b6b6b")
        if role == Qt.ItemDataRole.ToolTipRole:
            codings = f"{item.count} coding{'s' if item.count != 1 else ''}"
            text = f"{item.path()} — {codings}"
            return f"{text}\n\n{item.description}" if item.description else text
        if role == NODE_ID_ROLE:
            return item.id
        if role == PATH_ROLE:
            return item.path()
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        item = self.item(index)
        if item is None:
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled
        if item.is_root:
            return flags | (Qt.ItemFlag.NoItemFlags if self.read_only else Qt.ItemFlag.ItemIsDropEnabled)
        flags |= Qt.ItemFlag.ItemIsSelectable
        if not self.read_only:
            flags |= Qt.ItemFlag.ItemIsDragEnabled | Qt.ItemFlag.ItemIsDropEnabled
            if index.column() == 0:
                flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        item = self.item(index)
        if role != Qt.ItemDataRole.EditRole or item is None or item.is_root or self.actions is None:
            return False
        name = str(value).strip()
        if not name or name == item.name:
            return False
        return self.actions.rename_node(item.id, name)

    # -- drag and drop ----------------------------------------------------------
    def mimeTypes(self) -> list[str]:
        return [NODE_MIME, SPAN_MIME]

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction | Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        # The project moves the node; the view must never remove rows itself.
        return Qt.DropAction.CopyAction

    def mimeData(self, indexes) -> QMimeData:  # list of indexes
        ids = []
        for index in indexes:
            item = self.item(index)
            if item is not None and not item.is_root and item.id not in ids:
                ids.append(item.id)
        mime = QMimeData()
        if ids:
            mime.setData(NODE_MIME, QByteArray(json.dumps({"id": ids[0]}).encode("utf-8")))
            mime.setText(self._by_id[ids[0]].path())
        return mime

    def _drop_target(self, row: int, parent: Index) -> NodeItem | None:
        # Dropping between rows of a parent counts as dropping onto the parent.
        return self.item(parent) if parent.isValid() else None

    def canDropMimeData(self, data: QMimeData, action, row: int, column: int, parent: Index) -> bool:
        if self.read_only:
            return False
        target = self._drop_target(row, parent)
        if target is None:
            return False
        if data.hasFormat(SPAN_MIME):
            return not target.is_root
        if data.hasFormat(NODE_MIME):
            moving = self._dragged_node(data)
            if moving is None or target.id in moving.subtree_ids():
                return False
            if target is self._free:
                return moving.kind == "tree" and not moving.children
            if target is self._tree:
                return not (moving.kind == "tree" and moving.parent is self._tree)
            return target.kind == "tree" and moving.parent is not target
        return False

    def dropMimeData(self, data: QMimeData, action, row: int, column: int, parent: Index) -> bool:
        if action == Qt.DropAction.IgnoreAction:
            return True
        if self.actions is None or not self.canDropMimeData(data, action, row, column, parent):
            return False
        target = self._drop_target(row, parent)
        assert target is not None
        if data.hasFormat(SPAN_MIME):
            try:
                payload = json.loads(bytes(data.data(SPAN_MIME)).decode("utf-8"))
                start, end = int(payload["start"]), int(payload["end"])
                source_id = payload.get("source_id")
            except (ValueError, KeyError, TypeError):
                return False
            return self.actions.code_span_at(target.id, start, end, int(source_id) if source_id else None)
        moving = self._dragged_node(data)
        return moving is not None and self.actions.move_node_to(moving.id, target.id)

    def _dragged_node(self, data: QMimeData) -> NodeItem | None:
        try:
            node_id = int(json.loads(bytes(data.data(NODE_MIME)).decode("utf-8"))["id"])
        except (ValueError, KeyError, TypeError):
            return None
        return self._by_id.get(node_id)

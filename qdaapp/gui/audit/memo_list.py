"""The memo manager's list: every memo and diary entry, newest first, filtered by kind, author and text."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLineEdit, QTreeView, QWidget

from qdaapp.core.memos import MemoInfo

KINDS = (("", "All memos and diary"), ("project", "Project memos"), ("source", "On sources"),
         ("node", "On nodes"), ("coding", "On codings"), ("case", "On cases"), ("account", "On accounts"),
         ("memo", "Links to other memos"), ("diary", "Diary"))
KIND_SHORT = {"project": "Project", "source": "Source", "node": "Node", "coding": "Coding", "case": "Case",
              "account": "Account", "memo": "Memo link", "diary": "Diary"}
ID_ROLE = Qt.ItemDataRole.UserRole + 1
COLUMNS = ("Kind", "On", "Title", "Author", "Date")


def memo_title(m: MemoInfo) -> str:
    """Its title, or its first line."""
    if m.title:
        return m.title
    first = next((line.strip() for line in m.text.splitlines() if line.strip()), "")
    return first if len(first) <= 60 else first[:59] + "…"


def short_label(kind: str, label: str) -> str:
    """"node 'Trust'" -> "Trust" (the Kind column already says it is a node)."""
    prefix = f"{kind} '"
    if label.startswith(prefix) and label.endswith("'"):
        return label[len(prefix):-1]
    return label


def memo_date(m: MemoInfo) -> str:
    """The diary day, or the day the memo last changed."""
    return m.date or (m.updated_at or m.created_at)[:10]


class MemoList(QWidget):
    """Holds the filter widgets (in :attr:`bar`) and the list (:attr:`tree`); the manager lays them out."""

    picked = Signal(object)  # memo id, or None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._memos: dict[int, MemoInfo] = {}
        self._labels: dict[int, str] = {}
        self._current: int | None = None
        self.kind = QComboBox()
        for key, label in KINDS:
            self.kind.addItem(label, key)
        self.author = QComboBox()
        self.author.setMinimumContentsLength(10)
        self.author.setToolTip("Only the memos written by one person")
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search memos and diary…")
        self.search.setClearButtonEnabled(True)
        self.bar = QHBoxLayout()
        self.bar.addWidget(self.kind)
        self.bar.addWidget(self.author)
        self.bar.addWidget(self.search, 1)

        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels(list(COLUMNS))
        self.tree = QTreeView()
        self.tree.setObjectName("MemoList")
        self.tree.setModel(self.model)
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for column, width in ((0, 80), (1, 170), (3, 90), (4, 90)):
            header.resizeSection(column, width)
        self.kind.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.author.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.search.textChanged.connect(lambda _t: self.apply_filters())
        self.tree.selectionModel().currentRowChanged.connect(self._on_current_changed)

    def set_memos(self, memos: dict[int, MemoInfo], labels: dict[int, str], current: int | None) -> None:
        """New contents (after any change); the author choice and the filters stay."""
        self._memos, self._labels = memos, labels
        authors = sorted({m.author for m in memos.values() if m.author}, key=str.lower)
        chosen = self.author.currentData()
        self.author.blockSignals(True)
        self.author.clear()
        self.author.addItem("Any author", None)
        for name in authors:
            self.author.addItem(name, name)
        self.author.setCurrentIndex(max(self.author.findData(chosen), 0) if chosen else 0)
        self.author.blockSignals(False)
        self._current = current
        self.apply_filters()

    def apply_filters(self) -> None:
        kind, author = self.kind.currentData(), self.author.currentData()
        needle = self.search.text().strip().lower()
        rows = []
        for m in sorted(self._memos.values(), key=lambda m: (memo_date(m), m.id), reverse=True):
            if (kind and m.target_type != kind) or (author and m.author != author):
                continue
            label = self._labels.get(m.id, "")
            if needle and needle not in f"{m.title}\n{m.text}\n{label}".lower():
                continue
            rows.append(m)
        self.tree.selectionModel().blockSignals(True)
        self.model.removeRows(0, self.model.rowCount())
        for m in rows:
            on = "" if m.target_type in ("project", "diary") else short_label(m.target_type, self._labels.get(m.id, ""))
            cells = [QStandardItem(text) for text in (KIND_SHORT.get(m.target_type, m.target_type), on,
                                                      memo_title(m), m.author or "—", memo_date(m))]
            cells[0].setData(m.id, ID_ROLE)
            cells[1].setToolTip(self._labels.get(m.id, ""))
            cells[2].setToolTip(m.text[:400])
            self.model.appendRow(cells)
        self.tree.selectionModel().blockSignals(False)
        self.select(self._current)

    def visible_ids(self) -> list[int]:
        return [self.model.item(r, 0).data(ID_ROLE) for r in range(self.model.rowCount())]

    def select(self, memo_id: int | None) -> None:
        """Mark ``memo_id`` as the current row without telling anyone (the manager already shows it)."""
        self._current = memo_id
        ids = self.visible_ids()
        self.tree.selectionModel().blockSignals(True)
        if memo_id in ids:
            self.tree.setCurrentIndex(self.model.index(ids.index(memo_id), 0))
        else:
            self.tree.setCurrentIndex(QModelIndex())
            self.tree.clearSelection()
        self.tree.selectionModel().blockSignals(False)

    def clear_filters(self) -> None:
        for widget in (self.kind, self.author, self.search):
            widget.blockSignals(True)
        self.kind.setCurrentIndex(0)
        self.author.setCurrentIndex(0)
        self.search.clear()
        for widget in (self.kind, self.author, self.search):
            widget.blockSignals(False)
        self.apply_filters()

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        memo_id = self.model.item(current.row(), 0).data(ID_ROLE) if current.isValid() else None
        self.picked.emit(memo_id)

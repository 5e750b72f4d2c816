"""The audit timeline as a lazy table: pages of 500 events, newest first.

The model knows the number of matching events (one ``count``) and holds
only the pages the view has asked for (``canFetchMore``/``fetchMore``), so a
project with 100,000 events opens as fast as one with a hundred. New events
(the project only ever appends) are inserted at the top without re-reading
what is already loaded.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from . import query
from .query import PAGE, Row, ViewFilter

COLUMNS = ("#", "Time", "Coder", "Action", "What changed", "Reason")
SEQ, TIME, CODER, ACTION, SUMMARY, REASON = range(6)
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
SENTENCE_BLOCK = 100  # sentences are made for this many rows at once, as they come into view
Index = QModelIndex | QPersistentModelIndex
_NO_PARENT = QModelIndex()
_MUTED = QColor("#6B6B6B")
_REMOVAL = QColor("#8C2F1B")


class AuditModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.engine: Any = None
        self.filter = ViewFilter()
        self.total = 0
        self._rows: list[Row] = []
        self._times: dict[int, str] = {}
        self._sentences: dict[int, str] = {}
        self._italic = QFont()
        self._italic.setItalic(True)

    # -- loading ------------------------------------------------------------------
    def set_engine(self, engine: Any) -> None:
        self.engine = engine
        self.reload()

    def set_filter(self, f: ViewFilter) -> None:
        self.filter = f
        self.reload()

    def reload(self) -> None:
        """Count the matching events and load the first page."""
        self.beginResetModel()
        self._rows, self._times, self._sentences, self.total = [], {}, {}, 0
        if self.engine is not None:
            with self.engine.connect() as conn:
                self.total = query.count(conn, self.filter)
                self._rows = query.fetch_page(conn, self.filter, 0, PAGE) if self.total else []
        self.endResetModel()

    def canFetchMore(self, parent: Index = _NO_PARENT) -> bool:
        return not parent.isValid() and self.engine is not None and len(self._rows) < self.total

    def fetchMore(self, parent: Index = _NO_PARENT) -> None:
        if not self.canFetchMore(parent):
            return
        with self.engine.connect() as conn:
            page = query.fetch_page(conn, self.filter, len(self._rows), PAGE)
        page = page[: self.total - len(self._rows)]
        if not page:
            self.total = len(self._rows)
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
        self._rows.extend(page)
        self.endInsertRows()

    def add_new_events(self) -> int:
        """Put events appended since the last look at the top; returns how many."""
        if self.engine is None:
            return 0
        with self.engine.connect() as conn:
            total = query.count(conn, self.filter)
            fresh = total - self.total
            if fresh <= 0:
                self.total = total
                return 0
            page = query.fetch_page(conn, self.filter, 0, fresh)
        newest = self._rows[0][0] if self._rows else 0
        page = [r for r in page if r[0] > newest]
        self.total = total
        if page:
            self.beginInsertRows(QModelIndex(), 0, len(page) - 1)
            self._rows[0:0] = page
            self.endInsertRows()
        return len(page)

    # -- access -------------------------------------------------------------------
    def row(self, index: int) -> Row | None:
        return self._rows[index] if 0 <= index < len(self._rows) else None

    def row_of_seq(self, seq: int) -> int | None:
        """Where event ``seq`` is among the loaded rows (rows are in descending seq order)."""
        lo, hi = 0, len(self._rows)
        while lo < hi:
            mid = (lo + hi) // 2
            if self._rows[mid][0] > seq:
                lo = mid + 1
            else:
                hi = mid
        return lo if lo < len(self._rows) and self._rows[lo][0] == seq else None

    def sentence(self, index: int) -> str:
        """The sentence of the event at ``index``: made for a block of rows at a time, when first shown."""
        row = self._rows[index]
        text = self._sentences.get(row[0])
        if text is None:
            first = index - index % SENTENCE_BLOCK
            block = [r for r in self._rows[first:first + SENTENCE_BLOCK] if r[0] not in self._sentences]
            if self.engine is not None:
                with self.engine.connect() as conn:
                    said = query.sentences(conn, block)
            else:
                said = [r[6] for r in block]
            self._sentences.update((r[0], t) for r, t in zip(block, said, strict=True))
            text = self._sentences.get(row[0], row[6])
        return text

    def loaded(self) -> int:
        return len(self._rows)

    # -- Qt model -----------------------------------------------------------------
    def rowCount(self, parent: Index = _NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _NO_PARENT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        col = index.column()
        seq, stamp, coder, action, _entity, _eid, _summary, _before, _after, reason = row
        if role == Qt.ItemDataRole.DisplayRole:
            if col == SEQ:
                return f"{seq:,}"
            if col == TIME:
                text = self._times.get(seq)
                if text is None:
                    text = self._times[seq] = query.local_time(stamp)
                return text
            if col == CODER:
                return coder
            if col == ACTION:
                return query.action_label(action)
            if col == SUMMARY:
                return self.sentence(index.row())
            return reason or ""
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == ACTION:
                return action
            if col in (SUMMARY, REASON):
                return self.sentence(index.row()) + (f"\nReason: {reason}" if reason else "")
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and col == SEQ:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            if action in ("undo", "redo") or col in (SEQ, TIME):
                return _MUTED
            if action.endswith(".delete") or action == "hits.reject":
                return _REMOVAL
            return None
        if role == Qt.ItemDataRole.FontRole and col == REASON and reason:
            return self._italic
        if role == ROW_ROLE:
            return row
        return None

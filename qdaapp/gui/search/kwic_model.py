"""The keyword-in-context table: hits come without context, context is filled as rows show.

:func:`qdaapp.core.search.keyword_search` with ``context=0`` returns positions
only, so 2,000 hits appear at once. When the view asks for a context cell of
a row whose context is not known yet, the row is queued and, on the next
turn of the event loop, one :func:`~qdaapp.core.search.add_context` call
fills a chunk of rows around it (what is on screen, plus a margin).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from qdaapp.core import search
from qdaapp.core.search import KeywordHit
from qdaapp.gui.models.passage_drag import PassageDrag

Index = QModelIndex | QPersistentModelIndex
LEFT, HIT, RIGHT, SOURCE, CASE, PAGE, POSITION = range(7)
COLUMNS = ("Left context", "Hit", "Right context", "Source", "Case", "Page", "Position")
HIT_ROLE = Qt.ItemDataRole.UserRole + 1
CHUNK = 200
CONTEXT_WIDTH = 70


class KwicModel(PassageDrag, QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.project: Any = None
        self._hits: list[KeywordHit] = []
        self._left: list[str | None] = []
        self._right: list[str | None] = []
        self._wanted: set[int] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.fetch_context)
        self._bold = QFont()
        self._bold.setBold(True)

    # -- content -------------------------------------------------------------------
    def set_hits(self, project: Any, hits: list[KeywordHit]) -> None:
        self.beginResetModel()
        self.project = project
        self._hits = list(hits)
        self._left = [None] * len(hits)
        self._right = [None] * len(hits)
        self._wanted.clear()
        self.endResetModel()

    def bold_font(self) -> QFont:
        """The Hit column's font."""
        return self._bold

    def clear(self) -> None:
        self.set_hits(self.project, [])

    def hit(self, row: int) -> KeywordHit | None:
        return self._hits[row] if 0 <= row < len(self._hits) else None

    def draggable(self, index: QModelIndex) -> bool:
        return self.hit(index.row()) is not None

    def passage_at(self, index: QModelIndex) -> tuple[int, int, int] | None:
        """A dragged hit is its sentence (what an account or a node wants to keep)."""
        h = self.hit(index.row())
        if h is None or self.project is None:
            return None
        with self.project.read_session() as s:
            start, end = search.spread_span(s, h.source_id, h.start, h.end, "sentence")
        return h.source_id, start, end

    def hits(self) -> list[KeywordHit]:
        return list(self._hits)

    def source_count(self) -> int:
        return len({h.source_id for h in self._hits})

    def has_context(self, row: int) -> bool:
        return self._left[row] is not None

    # -- lazy context ---------------------------------------------------------------
    def _want(self, row: int) -> None:
        self._wanted.add(row)
        if not self._timer.isActive():
            self._timer.start()

    def fetch_context(self, rows: list[int] | None = None) -> None:
        """Fill the context of ``rows`` (default: the queued rows and a chunk around them)."""
        if rows is None:
            if not self._wanted:
                return
            low, high = min(self._wanted), max(self._wanted)
            margin = max(0, (CHUNK - (high - low)) // 2)
            rows = [r for r in range(max(0, low - margin), min(len(self._hits), high + margin + 1))
                    if self._left[r] is None]
        self._wanted.clear()
        rows = [r for r in rows if 0 <= r < len(self._hits) and self._left[r] is None]
        if not rows or self.project is None:
            return
        with self.project.read_session() as s:
            filled = search.add_context(s, [self._hits[r] for r in rows], CONTEXT_WIDTH)
        for r, h in zip(rows, filled, strict=True):
            self._left[r], self._right[r] = h.left, h.right
        self.dataChanged.emit(self.index(min(rows), LEFT), self.index(max(rows), RIGHT))

    def fetch_all_context(self) -> None:
        self.fetch_context(list(range(len(self._hits))))

    # -- Qt model ----------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._hits)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole and section == LEFT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and section == POSITION:
            return "Where the hit starts, counted in characters from the beginning of the source"
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        h = self._hits[row]
        if role == Qt.ItemDataRole.DisplayRole:
            if col in (LEFT, RIGHT):
                value = self._left[row] if col == LEFT else self._right[row]
                if value is None:
                    self._want(row)
                    return ""
                return value
            if col == HIT:
                return h.text.replace("\n", " ")
            if col == SOURCE:
                return h.source
            if col == CASE:
                return h.case or ""
            if col == PAGE:
                return str(h.page) if h.page else ""
            if col == POSITION:
                return f"{h.start:,}"
            return None
        if role == Qt.ItemDataRole.FontRole and col == HIT:
            return self._bold
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col in (LEFT, PAGE, POSITION):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if col == HIT:
                return int(Qt.AlignmentFlag.AlignCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and col in (SOURCE, CASE, PAGE, POSITION):
            return QColor("#4F4B45")
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{h.source}, characters {h.start:,}–{h.end:,}. Select the row to show it in its document."
        if role == HIT_ROLE:
            return h
        return None

    # -- sorting -----------------------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not self._hits or column < 0:
            return
        if column in (LEFT, RIGHT):
            self.fetch_all_context()
        rows = list(range(len(self._hits)))

        def key(r: int) -> Any:
            h = self._hits[r]
            if column == LEFT:  # KWIC convention: by the words nearest the hit
                return (self._left[r] or "").lower().split()[::-1]
            if column == HIT:
                return h.text.lower()
            if column == RIGHT:
                return (self._right[r] or "").lower().split()
            if column == SOURCE:
                return (h.source.lower(), h.start)
            if column == CASE:
                return ((h.case or "").lower(), h.source.lower(), h.start)
            if column == PAGE:
                return (h.page or 0, h.source.lower(), h.start)
            return (h.start, h.source.lower())

        rows.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        where = {r: n for n, r in enumerate(rows)}
        self._hits = [self._hits[r] for r in rows]
        self._left = [self._left[r] for r in rows]
        self._right = [self._right[r] for r in rows]
        self._wanted = {where[r] for r in self._wanted if r in where}
        self.changePersistentIndexList(old, [self.index(where[i.row()], i.column()) for i in old])
        self.layoutChanged.emit()


class LeftElideDelegate(QStyledItemDelegate):
    """Left context: right-aligned and cut on the left, so the words next to the hit stay visible."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: Index) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideLeft

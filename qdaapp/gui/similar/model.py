"""The rows of the similar-passages queue: one result each, with its review status (kept in memory)."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from qdaapp.core.similar import Similar
from qdaapp.gui.models.passage_drag import PassageDrag
from qdaapp.gui.models.passages import HTML_ROLE

Index = QModelIndex | QPersistentModelIndex
Passage = tuple[int, int, int]
STATUS, PASSAGE, SHARES, SOURCE = range(4)
HEADERS = ("", "Passage", "Shared words", "Source")
MARK_STYLE = "background-color:#FFE08A; font-weight:600"
MARKS = {"candidate": ("○", "#9A968E"), "accepted": ("✓", "#2E6B3A"), "rejected": ("✗", "#B3261E")}
TIPS = {"candidate": "Not reviewed yet", "accepted": "Accepted: coded at the chosen node",
        "rejected": "Rejected: left uncoded"}


class SimilarModel(PassageDrag, QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.results: list[Similar] = []
        self.status: list[str] = []
        self.marks: list[list[tuple[int, int]]] = []  # code points of the shared words, per result

    def set_results(self, results: list[Similar], marks: list[list[tuple[int, int]]] | None = None) -> None:
        self.beginResetModel()
        self.results = list(results)
        self.status = ["candidate"] * len(self.results)
        self.marks = marks if marks is not None else [[] for _ in self.results]
        self.endResetModel()

    def result(self, row: int) -> Similar | None:
        return self.results[row] if 0 <= row < len(self.results) else None

    def passage(self, row: int) -> Passage | None:
        r = self.result(row)
        return (r.source_id, r.start, r.end) if r is not None else None

    def set_status(self, rows: list[int], status: str) -> None:
        for row in rows:
            self.status[row] = status
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))

    def rows_with(self, status: str) -> list[int]:
        return [row for row, s in enumerate(self.status) if s == status]

    def counts(self) -> dict[str, int]:
        return {key: self.status.count(key) for key in MARKS}

    # -- Qt ---------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.results)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        r = self.result(index.row())
        if r is None:
            return None
        status, col = self.status[index.row()], index.column()
        if role == HTML_ROLE:
            return highlighted(r, self.marks[index.row()]) if col == PASSAGE else None
        if role == Qt.ItemDataRole.DisplayRole:
            if col == STATUS:
                return MARKS[status][0]
            if col == PASSAGE:
                return " ".join(r.text.split())
            if col == SHARES:
                return ", ".join(r.shared_terms)
            return r.source
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == STATUS:
                return TIPS[status]
            if col == SHARES:
                return f"Words this passage shares with the examples: {', '.join(r.shared_terms)}"
            return r.text if col == PASSAGE else f"{r.source}, characters {r.start}–{r.end}"
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == STATUS:
                return QBrush(QColor(MARKS[status][1]))
            if status == "rejected":
                return QBrush(QColor("#8E8A82"))
        if role == Qt.ItemDataRole.FontRole and col == STATUS:
            bold = QFont()
            bold.setBold(True)
            return bold
        return None

    # -- dragging onto an account -------------------------------------------------------------
    def passage_at(self, index: QModelIndex) -> Passage | None:
        return self.passage(index.row()) if index.isValid() else None

    def drag_text(self, index: QModelIndex) -> str:
        r = self.result(index.row())
        return r.text if r is not None else ""


def highlighted(r: Similar, marks: list[tuple[int, int]]) -> str:
    """The passage as HTML on one paragraph, its shared words marked."""
    out, at = [], r.start
    for a, b in sorted(marks):
        if a < at:
            continue
        out.append(escape(r.text[at - r.start:a - r.start]))
        out.append(f"<span style='{MARK_STYLE}'>{escape(r.text[a - r.start:b - r.start])}</span>")
        at = b
    out.append(escape(r.text[at - r.start:]))
    return " ".join("".join(out).split())

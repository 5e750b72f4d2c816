"""Coded passages of one node: source, case, page and the passage in its context."""

from __future__ import annotations

import html

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QAbstractTextDocumentLayout, QPalette, QTextDocument
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from qdaapp.core.coding import CodedPassage
from qdaapp.gui.models.passage_drag import PassageDrag

PASSAGE_COLUMN = 3
PASSAGE_ROLE = Qt.ItemDataRole.UserRole + 1
HTML_ROLE = Qt.ItemDataRole.UserRole + 2

Index = QModelIndex | QPersistentModelIndex
_NO_PARENT = QModelIndex()


def passage_html(p: CodedPassage) -> str:
    """Context in grey, the coded passage in black, both on one flowing line."""
    left = html.escape(p.left.lstrip())
    right = html.escape(p.right.rstrip())
    text = html.escape(p.text).replace("\n", " ¶ ")
    lead = "…" if p.left and p.start > len(p.left) else ""
    tail = "…" if p.right else ""
    return (
        f"<span style='color:#7a7a7a'>{lead}{left}</span>"
        f"<span style='color:#1a1a1a; background:#fff3cf'>{text}</span>"
        f"<span style='color:#7a7a7a'>{right}{tail}</span>"
    )


class PassagesModel(PassageDrag, QAbstractTableModel):
    COLUMNS = ("Source", "Case", "Page", "Passage")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[CodedPassage] = []

    def set_passages(self, passages: list[CodedPassage]) -> None:
        self.beginResetModel()
        self._rows = list(passages)
        self.endResetModel()

    def passage(self, row: int) -> CodedPassage | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def passage_at(self, index: QModelIndex) -> tuple[int, int, int] | None:
        p = self.passage(index.row())
        return (p.source_id, p.start, p.end) if p is not None else None

    def drag_text(self, index: QModelIndex) -> str:
        p = self.passage(index.row())
        return p.text if p is not None else ""

    def row_of_coding(self, coding_id: int) -> int:
        return next((i for i, p in enumerate(self._rows) if p.id == coding_id), -1)

    def rowCount(self, parent: Index = _NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        p = self.passage(index.row()) if index.isValid() else None
        if p is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return p.source
            if col == 1:
                return p.case or ""
            if col == 2:
                return str(p.page) if p.page else ""
            return p.text
        if role == HTML_ROLE and col == PASSAGE_COLUMN:
            return passage_html(p)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{p.source}, {p.start}–{p.end}, coded by {p.coder}. Double-click to open it in its document."
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (0, 1, 2):
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        if role == PASSAGE_ROLE:
            return p
        return None


class HtmlDelegate(QStyledItemDelegate):
    """Draws a cell's HTML_ROLE text wrapped to the cell, up to ``max_lines`` lines."""

    def __init__(self, parent=None, max_lines: int = 3) -> None:
        super().__init__(parent)
        self.max_lines = max_lines

    def _document(self, option: QStyleOptionViewItem, index: Index) -> QTextDocument:
        doc = QTextDocument()
        doc.setDefaultFont(option.font)
        doc.setDocumentMargin(2)
        doc.setHtml(index.data(HTML_ROLE) or "")
        doc.setTextWidth(max(50, option.rect.width()))
        return doc

    def paint(self, painter, option: QStyleOptionViewItem, index: Index) -> None:
        if index.data(HTML_ROLE) is None:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        doc = self._document(option, index)
        painter.save()
        painter.translate(option.rect.topLeft())
        clip = QRectF(0, 0, option.rect.width(), option.rect.height())
        painter.setClipRect(clip)
        ctx = QAbstractTextDocumentLayout.PaintContext()
        ctx.clip = clip
        if option.state & QStyle.StateFlag.State_Selected:
            ctx.palette.setColor(QPalette.ColorRole.Text, option.palette.color(QPalette.ColorRole.HighlightedText))
        doc.documentLayout().draw(painter, ctx)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        base = super().sizeHint(option, index)
        line = option.fontMetrics.lineSpacing()
        return QSize(base.width(), line * self.max_lines + 6)

"""The framework matrix as a Qt table model, and the cell painter (summary
wrapped and elided to four lines, a passage-count badge)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from qdaapp.core.framework import Cell, Matrix

from .common import elided_lines

COUNT_ROLE = Qt.ItemDataRole.UserRole + 11
FRAGMENTS_ROLE = Qt.ItemDataRole.UserRole + 12
KEY_ROLE = Qt.ItemDataRole.UserRole + 13
CELL_LINES = 4
Index = QModelIndex | QPersistentModelIndex


class FrameworkModel(QAbstractTableModel):
    """Rows (cases or sources) by columns (accounts or nodes) of a :class:`Matrix`."""

    def __init__(self, parent: Any | None = None) -> None:
        super().__init__(parent)
        self.matrix: Matrix | None = None

    def set_matrix(self, matrix: Matrix) -> None:
        self.beginResetModel()
        self.matrix = matrix
        self.endResetModel()

    def rowCount(self, parent: Index | None = None) -> int:
        return 0 if (parent is not None and parent.isValid()) or self.matrix is None else len(self.matrix.rows)

    def columnCount(self, parent: Index | None = None) -> int:
        return 0 if (parent is not None and parent.isValid()) or self.matrix is None else len(self.matrix.cols)

    def key(self, index: Index) -> tuple[int, int]:
        return self.matrix.rows[index.row()][0], self.matrix.cols[index.column()][0]

    def cell(self, index: Index) -> Cell:
        return self.matrix.cell(*self.key(index))

    def index_of(self, row_id: int, col_id: int) -> QModelIndex:
        if self.matrix is None:
            return QModelIndex()
        rows = [r for r, (rid, _) in enumerate(self.matrix.rows) if rid == row_id]
        cols = [c for c, (cid, _) in enumerate(self.matrix.cols) if cid == col_id]
        return self.index(rows[0], cols[0]) if rows and cols else QModelIndex()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.matrix is None:
            return None
        if role == KEY_ROLE:
            return self.key(index)
        cell = self.cell(index)
        if role == Qt.ItemDataRole.DisplayRole:
            return cell.summary
        if role == COUNT_ROLE:
            return len(cell.passages)
        if role == FRAGMENTS_ROLE:
            return len(cell.fragments)
        if role == Qt.ItemDataRole.ToolTipRole:
            row, col = self.matrix.rows[index.row()][1], self.matrix.cols[index.column()][1]
            text = cell.summary[:600] + ("…" if len(cell.summary) > 600 else "")
            return f"<b>{row} × {col}</b><br>{text}<br><i>{len(cell.passages)} passage(s)</i>"
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self.matrix is None or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        names = self.matrix.cols if orientation == Qt.Orientation.Horizontal else self.matrix.rows
        if not 0 <= section < len(names):
            return None
        name = names[section][1]
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and "/" in name:
            return name.rsplit("/", 1)[1]
        return name

    def flags(self, index: Index) -> Qt.ItemFlag:
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class CellDelegate(QStyledItemDelegate):
    PAD = 6

    def __init__(self, parent: QWidget, account_columns: bool = True) -> None:
        super().__init__(parent)
        self.account_columns = account_columns

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        line = QFontMetricsF(option.font).lineSpacing()
        return QSize(220, int(line * CELL_LINES + 2 * self.PAD + 4))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        painter.save()
        rect = QRectF(option.rect)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.fillRect(rect, QColor("#DCE7F2") if selected else QColor("white"))
        painter.setPen(QPen(QColor("#E4E1DA"), 1))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        painter.drawLine(rect.topRight(), rect.bottomRight())
        count = int(index.data(COUNT_ROLE) or 0)
        summary = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        font = QFont(option.font)
        metrics = QFontMetricsF(font)
        badge_w = 0.0
        if count:
            small = QFont(font)
            small.setPointSizeF(max(7.0, font.pointSizeF() - 1.5))
            text = str(count)
            badge_w = QFontMetricsF(small).horizontalAdvance(text) + 12
            badge = QRectF(rect.right() - badge_w - self.PAD, rect.top() + self.PAD, badge_w, 16)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#E9E5DC"))
            painter.drawRoundedRect(badge, 8, 8)
            painter.setFont(small)
            painter.setPen(QColor("#4A4A4A"))
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
        x, y = rect.left() + self.PAD, rect.top() + self.PAD
        width = rect.width() - 2 * self.PAD - (badge_w + 4 if badge_w else 0)
        painter.setFont(font)
        if summary:
            painter.setPen(QColor("#1F1F1F"))
            lines = elided_lines(summary.replace("\n", "  ·  " if self.account_columns else " "), font, width,
                                 CELL_LINES)
        else:
            italic = QFont(font)
            italic.setItalic(True)
            painter.setFont(italic)
            painter.setPen(QColor("#8A857B"))
            lines = [f"{count} passage{'s' if count != 1 else ''}, no summary yet"] if count else []
            lines = [metrics.elidedText(line, Qt.TextElideMode.ElideRight, width) for line in lines]
        for line in lines:
            painter.drawText(QPointF(x, y + metrics.ascent()), line)
            y += metrics.lineSpacing()
        painter.restore()

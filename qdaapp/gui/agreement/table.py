"""The agreement table: nodes × sources, each cell coloured by Cohen's kappa, sortable, with its legend.

Rows are the nodes compared, then "All nodes" (always last, whatever the
sort); columns are the node, each source, then "All sources". A cell shows
kappa and percent agreement; its tooltip gives every count. With three
coders or more kappa is undefined and cells are coloured by Krippendorff's
alpha instead.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from qdaapp.core.agreement import BANDS, band

UNDEFINED = "#e4e4e4"
CELL_ROLE = Qt.ItemDataRole.UserRole  # the Cell shown
KEY_ROLE = Qt.ItemDataRole.UserRole + 1  # (node id | None, source id | None)
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
Index = QModelIndex | QPersistentModelIndex


def figure(cell: Any, coders: int) -> float | None:
    """The figure a cell is coloured and sorted by: kappa for two coders, else alpha."""
    return cell.kappa if coders == 2 else cell.alpha


def band_color(value: float | None) -> str:
    found = band(value)
    return UNDEFINED if found is None else found.colour


def number(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def cell_text(cell: Any, coders: int) -> str:
    if not cell.both and not any(n for _who, n in cell.only):
        return "—"  # no one coded the node here
    return f"{number(figure(cell, coders))} · {cell.percent:.0f}%"


def cell_tooltip(cell: Any, unit: str, node: str, source: str) -> str:
    plural = f"{unit}s"
    if not cell.both and not any(n for _who, n in cell.only):
        return f"<b>{node}</b> in <b>{source}</b><br>No coder coded this node here."
    only = "".join(f"<br>Coded by {who} only: {n:,}" for who, n in cell.only)
    kappa = "" if cell.kappa is None and len(cell.only) > 2 else f"<br>Cohen's kappa: {number(cell.kappa)}"
    return (f"<b>{node}</b> in <b>{source}</b><br>{cell.units:,} {plural} compared"
            f"<br>Coded by all: {cell.both:,}<br>Coded by none: {cell.none:,}{only}"
            f"<br>Percent agreement: {cell.percent:.1f}%{kappa}<br>Krippendorff's alpha: {number(cell.alpha)}"
            "<br><br>Double-click or Enter: review the disagreements")


class AgreementModel(QAbstractTableModel):
    """An :class:`~qdaapp.core.agreement.Agreement` as a table; cells can be replaced one at a time."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.agreement: Any = None
        self._cells: dict[tuple[int | None, int | None], Any] = {}

    def set_agreement(self, agreement: Any) -> None:
        same = (self.agreement is not None and agreement.nodes == self.agreement.nodes
                and agreement.sources == self.agreement.sources)
        if not same:
            self.beginResetModel()
        self.agreement = agreement
        self._cells = {(c.node_id, c.source_id): c for c in agreement.cells}
        if same:
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))
        else:
            self.endResetModel()

    def replace_cells(self, cells: list[Any]) -> None:
        """Show fresh figures for some cells (a decision changed them); the pooled ones follow later."""
        for cell in cells:
            key = (cell.node_id, cell.source_id)
            if key in self._cells:
                self._cells[key] = cell
                index = self.index_of(*key)
                self.dataChanged.emit(index, index)

    # -- shape ---------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() or self.agreement is None else len(self.agreement.nodes) + 1

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() or self.agreement is None else len(self.agreement.sources) + 2

    def key(self, row: int, column: int) -> tuple[int | None, int | None]:
        nodes, sources = self.agreement.nodes, self.agreement.sources
        node = nodes[row][0] if row < len(nodes) else None
        source = sources[column - 1][0] if 0 < column <= len(sources) else None
        return node, source

    def index_of(self, node_id: int | None, source_id: int | None) -> QModelIndex:
        nodes = [n for n, _ in self.agreement.nodes]
        sources = [s for s, _ in self.agreement.sources]
        row = nodes.index(node_id) if node_id is not None else len(nodes)
        column = sources.index(source_id) + 1 if source_id is not None else len(sources) + 1
        return self.index(row, column)

    def node_name(self, node_id: int | None) -> str:
        return dict(self.agreement.nodes).get(node_id, "All nodes") if node_id is not None else "All nodes"

    def source_name(self, source_id: int | None) -> str:
        return dict(self.agreement.sources).get(source_id, "All sources") if source_id is not None else "All sources"

    def cell_at(self, index: Index) -> Any:
        if not index.isValid() or index.column() == 0:
            return None
        return self._cells.get(self.key(index.row(), index.column()))

    # -- contents -------------------------------------------------------------------------
    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or self.agreement is None:
            return None
        sources = self.agreement.sources
        name = "Node" if section == 0 else sources[section - 1][1] if section <= len(sources) else "All sources"
        if role == Qt.ItemDataRole.DisplayRole:
            return name
        if role == Qt.ItemDataRole.ToolTipRole and section > 0:
            return f"{name}: click to sort the nodes by their figure here"
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.agreement is None:
            return None
        row, column = index.row(), index.column()
        node_id, source_id = self.key(row, column)
        if column == 0:
            if role == Qt.ItemDataRole.DisplayRole:
                return self.node_name(node_id)
            if role == SORT_ROLE:
                return self.node_name(node_id).casefold()
            if role == Qt.ItemDataRole.FontRole and node_id is None:
                return _bold()
            return None
        cell = self._cells.get((node_id, source_id))
        if cell is None:
            return None
        coders = len(self.agreement.coders)
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(cell, coders)
        if role == Qt.ItemDataRole.BackgroundRole:
            return QColor(band_color(figure(cell, coders)))
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor("#1b1b1b")
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return cell_tooltip(cell, self.agreement.unit, self.node_name(node_id), self.source_name(source_id))
        if role == Qt.ItemDataRole.FontRole and (node_id is None or source_id is None):
            return _bold()
        if role == SORT_ROLE:
            value = figure(cell, coders)
            return -2.0 if value is None else value
        if role == CELL_ROLE:
            return cell
        if role == KEY_ROLE:
            return node_id, source_id
        return None


def _bold() -> Any:
    from PySide6.QtGui import QFont

    font = QFont()
    font.setBold(True)
    return font


class PinnedTotals(QSortFilterProxyModel):
    """Sorts the node rows; the "All nodes" row stays last in either order."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)

    def lessThan(self, left: Index, right: Index) -> bool:
        last = self.sourceModel().rowCount() - 1
        if left.row() == last or right.row() == last:
            ascending = self.sortOrder() == Qt.SortOrder.AscendingOrder
            return (right.row() == last) == ascending
        return super().lessThan(left, right)


class CellDelegate(QStyledItemDelegate):
    """Cells keep their colour when chosen: the chosen cell gets a dark frame instead of the selection colour."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        chosen = bool(option.state & QStyle.StateFlag.State_Selected)
        plain = QStyleOptionViewItem(option)
        plain.state &= ~QStyle.StateFlag.State_Selected
        plain.state &= ~QStyle.StateFlag.State_HasFocus
        super().paint(painter, plain, index)
        if chosen:
            painter.save()
            painter.setPen(QPen(QColor("#1f3f7a"), 3))
            painter.drawRect(option.rect.adjusted(1, 1, -2, -2))
            painter.restore()


class Legend(QWidget):
    """The colour bands, in words."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel("Cohen's kappa:")
        layout.addWidget(self.title)
        for b in reversed(BANDS):
            layout.addWidget(_chip(b.colour, b.words))
        layout.addWidget(_chip(UNDEFINED, "undefined"))
        layout.addStretch(1)

    def set_coders(self, count: int) -> None:
        self.title.setText("Cohen's kappa:" if count == 2 else "Krippendorff's alpha:")


def _chip(color: str, words: str) -> QLabel:
    label = QLabel(f"<span style='background:{color}'>&nbsp;&nbsp;&nbsp;&nbsp;</span>&nbsp;{words}&nbsp;&nbsp;")
    label.setTextFormat(Qt.TextFormat.RichText)
    return label

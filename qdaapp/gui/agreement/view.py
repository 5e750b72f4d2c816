"""The coder agreement workspace: the table, the overall figures, the method in words, and the review.

Opened as a tab beside the documents (Analysis ▸ Coder agreement…). The
table is computed on a worker; double-click or Enter on a cell (or "Review
disagreements") opens the review of that cell on the right. When codings
change (a decision, an undo, anyone's coding) the cells of the nodes and
sources touched are computed again at once, and the pooled figures shortly
after on a worker.
"""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from qdaapp.gui.agreement.review import ReviewPane
from qdaapp.gui.agreement.table import (
    KEY_ROLE,
    AgreementModel,
    CellDelegate,
    Legend,
    PinnedTotals,
    figure,
    number,
)
from qdaapp.gui.narrative.common import watch

REFRESH_AFTER_MS = 600


def overall_text(agreement: Any) -> str:
    cell = agreement.overall
    who = " and ".join(agreement.coders) if len(agreement.coders) == 2 else ", ".join(agreement.coders)
    parts = [f"Percent agreement <b>{cell.percent:.1f}%</b>"]
    if len(agreement.coders) == 2:
        parts.append(f"Cohen's kappa <b>{number(cell.kappa)}</b>")
    parts.append(f"Krippendorff's alpha <b>{number(cell.alpha)}</b>")
    per_node = cell.units // max(1, len(agreement.nodes))
    return (f"<b>{escape(who)}</b>, by {agreement.unit}: {len(agreement.nodes)} node(s) in "
            f"{len(agreement.sources)} source(s) of {per_node:,} {agreement.unit}s in all. Overall: "
            + " · ".join(parts))


class AgreementView(QWidget):
    """One agreement computation and the review of its cells."""

    def __init__(self, flow: Any, request: dict[str, Any], agreement: Any) -> None:
        super().__init__()
        self.setObjectName("AgreementView")
        self.flow = flow
        self.request = request
        self.model = AgreementModel(self)
        self.proxy = PinnedTotals(self)
        self.proxy.setSourceModel(self.model)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.legend = Legend()
        self.review_button = QPushButton("Review disagreements")
        self.review_button.setToolTip("Step through the spans where the coders differ in the chosen cell (Enter)")
        self.review_button.clicked.connect(self.review_current)
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("The table, the figures and the method as an Excel, Word or web page file")
        self.export_button.clicked.connect(lambda: flow.export(self.model.agreement))
        self.recompute_button = QPushButton("Compute again")
        self.recompute_button.clicked.connect(lambda: self.refresh(show_progress=True))
        self.pair_box = QComboBox()
        self.pair_box.setToolTip("The two coders whose disagreements are reviewed")
        self.pair_label = QLabel("Review:")
        buttons = QHBoxLayout()
        buttons.addWidget(self.legend, 1)
        buttons.addWidget(self.pair_label)
        buttons.addWidget(self.pair_box)
        buttons.addWidget(self.review_button)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.recompute_button)

        self.table = QTableView()
        self.table.setObjectName("AgreementTable")
        self.table.setModel(self.proxy)
        self.table.setItemDelegate(CellDelegate(self.table))
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setDefaultSectionSize(112)
        self.table.doubleClicked.connect(self.review_at)
        self.table.installEventFilter(self)
        self.review = ReviewPane()
        self.review.hide()
        self.review.closeRequested.connect(self.close_review)
        self.review.historyRequested.connect(flow.open_coding_history)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.review)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.method = QPlainTextEdit()
        self.method.setReadOnly(True)
        self.method.setObjectName("AgreementMethod")
        self.method.setToolTip("The method in words, to copy into a methods section")
        self.method.setMaximumHeight(96)
        method_title = QLabel("<b>Method</b> (select and copy for a methods section)")
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(method_title)
        layout.addWidget(self.method)

        self._pending: set[tuple[int, int]] = set()
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_AFTER_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self.job: Any = None
        self.closed = False
        self.show_agreement(agreement)
        if flow.project is not None:
            watch(flow.project, self, self.on_change, relevant=lambda change: change.touches("coding"))

    # -- showing ---------------------------------------------------------------------------------
    def show_agreement(self, agreement: Any) -> None:
        self.model.set_agreement(agreement)
        self.summary.setText(overall_text(agreement))
        self.method.setPlainText(agreement.method)
        self.legend.set_coders(len(agreement.coders))
        coders = agreement.coders
        pairs = [(a, b) for i, a in enumerate(coders) for b in coders[i + 1:]]
        current = self.pair_box.currentData()
        self.pair_box.clear()
        for a, b in pairs:
            self.pair_box.addItem(f"{a} and {b}", (a, b))
        if current in pairs:
            self.pair_box.setCurrentIndex(pairs.index(current))
        self.pair_box.setVisible(len(pairs) > 1)
        self.pair_label.setVisible(len(pairs) > 1)
        if self.table.currentIndex().isValid() is False and self.proxy.rowCount():
            self.table.setCurrentIndex(self.proxy.index(0, 1 if self.proxy.columnCount() > 1 else 0))
        header = self.table.horizontalHeader()
        header.resizeSection(0, max(160, min(280, self.table.sizeHintForColumn(0) + 16)))

    def color_of(self, node_id: int | None, source_id: int | None) -> str:
        """The colour the cell is shown in (for tests and screenshots)."""
        index = self.proxy.mapFromSource(self.model.index_of(node_id, source_id))
        return self.proxy.data(index, Qt.ItemDataRole.BackgroundRole).name()

    def figure_of(self, node_id: int | None, source_id: int | None) -> float | None:
        cell = self.model.cell_at(self.model.index_of(node_id, source_id))
        return figure(cell, len(self.model.agreement.coders))

    # -- review ----------------------------------------------------------------------------------
    def review_current(self) -> None:
        self.review_at(self.table.currentIndex())

    def review_at(self, index: QModelIndex) -> bool:
        if not index.isValid():
            self.flow.tell("Choose a cell of the table first.")
            return False
        source_index = self.proxy.mapToSource(index)
        if source_index.column() == 0:
            source_index = self.model.index(source_index.row(), self.model.columnCount() - 1)
        node_id, source_id = self.model.data(source_index, KEY_ROLE)
        pair = self.pair_box.currentData() or tuple(self.model.agreement.coders[:2])
        try:
            self.review.set_scope(self.flow.project, self.flow.runner, pair, self.model.agreement.unit, node_id,
                                  source_id, self.model.node_name(node_id), self.model.source_name(source_id))
        except Exception as exc:
            self.flow.show_error(exc)
            return False
        self.review.show()
        if self.splitter.sizes()[1] < 200:
            total = sum(self.splitter.sizes())
            self.splitter.setSizes([total * 3 // 5, total * 2 // 5])
        self.review.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def close_review(self) -> None:
        self.review.hide()
        self.table.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.review_current()
            return True
        return super().eventFilter(watched, event)

    # -- keeping up with changes -------------------------------------------------------------------
    def on_change(self, change: Any) -> None:
        """Codings changed: recompute the touched cells now, the pooled figures soon, and the review."""
        keys = change.codings("created") + change.codings("removed") + change.codings("changed")
        agreement = self.model.agreement
        nodes = {n for n, _ in agreement.nodes}
        sources = {s for s, _ in agreement.sources}
        cells = {(k.node_id, k.source_id) for k in keys if k.node_id in nodes and k.source_id in sources}
        if cells:
            self.flow.recompute_cells(self, cells)
        if keys:
            self._refresh_timer.start()
        if self.review.isVisible():
            self.review.on_change(change)

    def closeEvent(self, event: QCloseEvent) -> None:
        """The tab is closing: no refresh lands on it any more."""
        self.closed = True
        self._refresh_timer.stop()
        super().closeEvent(event)

    def refresh(self, show_progress: bool = False) -> None:
        """Compute the whole table again on a worker (the pooled figures follow the cells)."""
        self.flow.compute(self.request, self.show_agreement, show_progress=show_progress, view=self)

"""One coding's history in a window: how it was made, by whom and why, and what happened to it since.

Opened from a coding stripe (context menu "History of this coding…"), from
the Coded passages list, from an accepted marker hit in Marker review and
from a search result that is coded. The window is not modal; each line is an
audit event, and Enter (or a double-click) shows that event in the audit
trail. Esc closes it.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from qdaapp.core.errors import NotFound
from qdaapp.core.passage_history import CodingHistory, coding_history, coding_of_hit, codings_at, when_text

if TYPE_CHECKING:  # pragma: no cover
    from qdaapp.gui.main_window import MainWindow

SEQ_ROLE = Qt.ItemDataRole.UserRole
WHEN, WHO, WHAT, REASON = range(4)
KIND_COLORS = {"created": "#2e7d32", "removed": "#b3261e", "restored": "#1565c0", "changed": "#8d5b00"}


def header_html(h: CodingHistory) -> str:
    gone = " <span style='color:#b3261e'>(removed since; shown as it last was)</span>" if not h.exists else ""
    return (f"<b>{escape(h.node)}</b> in <b>{escape(h.source)}</b>{gone}<br>"
            f"<span style='color:#555'>Coded by {escape(h.coder)} on {escape(when_text(h.created_at))}, "
            f"{escape(h.how)}</span>")


class PassageHistoryDialog(QDialog):
    """The lines of one coding's history; each opens its event in the audit trail."""

    openEvent = Signal(int)  # an audit event's seq

    def __init__(self, history: CodingHistory, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = history
        self.setObjectName("PassageHistory")
        self.setWindowTitle(f"History of a coding at {history.node}")
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(900, 440)
        layout = QVBoxLayout(self)
        self.header = QLabel(header_html(history))
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)
        layout.addWidget(self.header)
        self.quote = QLabel(f"<i>“{escape(history.quote)}”</i>" if history.quote else "")
        self.quote.setWordWrap(True)
        self.quote.setVisible(bool(history.quote))
        self.quote.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.quote)
        notes = [f"Memo <b>{escape(m.title or 'untitled')}</b>: {escape(_short(m.text))}" for m in history.memos]
        notes += [f"Memo on its node, <b>{escape(m.title or 'untitled')}</b>: {escape(_short(m.text))}"
                  for m in history.node_memos]
        self.memos = QLabel("<br>".join(notes))
        self.memos.setWordWrap(True)
        self.memos.setVisible(bool(notes))
        layout.addWidget(self.memos)
        self.lines = QTreeWidget()
        self.lines.setHeaderLabels(["When", "Who", "What happened", "Reason"])
        self.lines.setRootIsDecorated(False)
        self.lines.setAlternatingRowColors(True)
        self.lines.setWordWrap(True)
        self.lines.setUniformRowHeights(False)
        self.lines.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        head = self.lines.header()
        head.setStretchLastSection(False)
        head.setSectionResizeMode(WHEN, QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(WHO, QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(WHAT, QHeaderView.ResizeMode.Stretch)
        head.setSectionResizeMode(REASON, QHeaderView.ResizeMode.Interactive)
        head.resizeSection(REASON, 220)
        for ln in history.lines:
            text = ln.text + "".join(f"\n    {d}" for d in ln.details)
            item = QTreeWidgetItem([when_text(ln.time), ln.coder, text, ln.reason or "—"])
            item.setData(WHEN, SEQ_ROLE, ln.seq)
            item.setToolTip(WHAT, f"Event {ln.seq:,}: {text}\n\nEnter or double-click: show it in the audit trail")
            item.setToolTip(REASON, ln.reason or "No reason was given.")
            if ln.kind in KIND_COLORS:
                item.setForeground(WHAT, Qt.GlobalColor.black)
                item.setData(WHAT, Qt.ItemDataRole.DecorationRole, _dot(KIND_COLORS[ln.kind]))
            self.lines.addTopLevelItem(item)
        self.lines.itemActivated.connect(lambda item, _col: self._open(item))
        self.lines.installEventFilter(self)
        layout.addWidget(self.lines, 1)
        hint = QLabel("Enter or double-click a line to see its event in the audit trail · Esc closes")
        hint.setObjectName("Muted")
        layout.addWidget(hint)
        buttons = QDialogButtonBox()
        self.open_button = QPushButton("Show in audit trail")
        self.open_button.setAutoDefault(False)
        self.open_button.clicked.connect(self.open_current)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setAutoDefault(False)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if self.lines.topLevelItemCount():
            self.lines.setCurrentItem(self.lines.topLevelItem(0))
        self.open_button.setEnabled(self.lines.topLevelItemCount() > 0)
        self.lines.setFocus()

    def seqs(self) -> list[int]:
        return [self.lines.topLevelItem(i).data(WHEN, SEQ_ROLE) for i in range(self.lines.topLevelItemCount())]

    def texts(self) -> list[str]:
        return [self.lines.topLevelItem(i).text(WHAT) for i in range(self.lines.topLevelItemCount())]

    def open_current(self) -> None:
        item = self.lines.currentItem()
        if item is not None:
            self._open(item)

    def _open(self, item: QTreeWidgetItem) -> None:
        self.openEvent.emit(int(item.data(WHEN, SEQ_ROLE)))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.lines and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_current()
            return True
        return super().eventFilter(watched, event)


def _dot(color: str) -> Any:
    from PySide6.QtGui import QColor, QPainter, QPixmap

    pixmap = QPixmap(10, 10)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(color))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(1, 1, 8, 8)
    painter.end()
    return pixmap


def _short(text: str, width: int = 120) -> str:
    one = " ".join(text.split())
    return one if len(one) <= width else one[:width - 1] + "…"


class PassageHistories(QObject):
    """Opens coding histories for the window and sends their lines to the audit trail."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.dialogs: list[PassageHistoryDialog] = []
        window.documents.historyRequested.connect(self.open_coding)
        window.passages.historyRequested.connect(self.open_coding)
        window.analysis.review.hitHistoryRequested.connect(self.open_hit)
        search = window.analysis.search
        search.historyRequested.connect(lambda s, a, b, where: self.open_span(s, a, b, where, search))

    def tell(self, text: str) -> None:
        self.w.statusBar().showMessage(text, 8000)

    def open_coding(self, coding_id: int) -> PassageHistoryDialog | None:
        project = self.w.project
        if project is None:
            return None
        try:
            with project.engine.connect() as conn:
                history = coding_history(conn, coding_id)
        except NotFound as exc:
            self.tell(str(exc))
            return None
        dialog = PassageHistoryDialog(history, self.w)
        dialog.openEvent.connect(self.open_event)
        dialog.destroyed.connect(lambda _obj=None, d=dialog: self.dialogs.remove(d) if d in self.dialogs else None)
        self.dialogs.append(dialog)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def open_hit(self, hit_id: int) -> PassageHistoryDialog | None:
        project = self.w.project
        if project is None:
            return None
        with project.engine.connect() as conn:
            coding_id = coding_of_hit(conn, hit_id)
        if coding_id is None:
            self.tell("This marker hit has not made a coding: accept it first.")
            return None
        return self.open_coding(coding_id)

    def open_span(self, source_id: int, start: int, end: int, where: QPoint | None = None,
                  parent: QWidget | None = None) -> PassageHistoryDialog | None:
        """The history of the coding at a search result: the one there, or the one the user picks."""
        project = self.w.project
        if project is None:
            return None
        with project.engine.connect() as conn:
            found = codings_at(conn, source_id, start, end)
        if not found:
            self.tell("No coding covers this passage.")
            return None
        if len(found) == 1 or where is None:
            return self.open_coding(found[0][0])
        menu = QMenu(parent or self.w)
        for coding_id, node, coder in found:
            menu.addAction(f"{node} — {coder}", lambda cid=coding_id: self.open_coding(cid))
        menu.exec(where)
        return None

    def open_event(self, seq: int) -> None:
        self.w.show_audit_trail()
        viewer = self.w.audit_viewer
        if viewer._stale:
            viewer.refresh()
        if not viewer.select_seq(seq):
            viewer.filters.clear()
            if not viewer.select_seq(seq):
                self.tell(f"Event {seq:,} could not be shown in the audit trail.")
                return
        viewer.table.setFocus()

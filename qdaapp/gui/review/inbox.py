"""The Review inbox: every review comment on the project, its replies, and the answer box.

A table (status, from, when, on, comment) with the selected comment beside it.
Double-click (or Enter, or "Go to") shows what the comment is on; "Reply" adds
an answer (an open comment becomes answered); "Mark resolved" / "Reopen". The
inbox reads and writes the side file only, so it works on a read-only project.
"""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from qdaapp.core import review_comments as rc
from qdaapp.gui.audit.query import local_time
from qdaapp.gui.dialogs.messages import error_text

STATUS, AUTHOR, TIME, TARGET, TEXT = range(5)
HEADERS = ("Status", "From", "When", "On", "Comment")
STATUS_TEXT = {"open": "Open", "answered": "Answered", "resolved": "Resolved"}
STATUS_COLOUR = {"open": "#B3261E", "answered": "#8A5A00", "resolved": "#2E6B3A"}
ID_ROLE = Qt.ItemDataRole.UserRole
EMPTY = "<p style='color:#6B6B6B'>Select a comment to read it and its answers.</p>"


class ReviewInbox(QWidget):
    goToTarget = Signal(object)  # the ReviewComment whose target to show
    message = Signal(str)
    changed = Signal()  # a reply or a status was saved

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ReviewInbox")
        self.setToolTip("Comments from your supervisor or reviewers, with your answers")
        self.project: Any = None
        self.comments: list[rc.ReviewComment] = []

        self.show_choice = QComboBox()
        self.show_choice.addItem("Not resolved", "pending")
        self.show_choice.addItem("All comments", "all")
        self.show_choice.currentIndexChanged.connect(lambda _i: self.reload())
        self.count_label = QLabel()
        self.count_label.setObjectName("Muted")
        top = QHBoxLayout()
        top.addWidget(QLabel("Show:"))
        top.addWidget(self.show_choice)
        top.addStretch(1)
        top.addWidget(self.count_label)

        self.table = QTableWidget(0, len(HEADERS))
        self.table.setObjectName("ReviewInboxTable")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        for column, width in ((STATUS, 84), (AUTHOR, 90), (TIME, 130), (TARGET, 260)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(TEXT, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._show_current)
        self.table.itemDoubleClicked.connect(lambda _item: self.go_to_current())
        QShortcut(QKeySequence(Qt.Key.Key_Return), self.table, activated=self.go_to_current,
                  context=Qt.ShortcutContext.WidgetShortcut)
        self.setFocusProxy(self.table)

        self.detail = QTextBrowser()
        self.detail.setObjectName("ReviewInboxDetail")
        self.detail.setHtml(EMPTY)
        self.reply_text = QPlainTextEdit()
        self.reply_text.setObjectName("ReviewReplyText")
        self.reply_text.setPlaceholderText("Your answer…")
        self.reply_text.setMaximumHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self.reply_text.setTabChangesFocus(True)
        self.reply_button = QPushButton("Reply")
        self.reply_button.setToolTip("Save your answer with the comment (Ctrl+Enter)")
        self.reply_button.clicked.connect(self.send_reply)
        QShortcut(QKeySequence("Ctrl+Return"), self.reply_text, activated=self.send_reply,
                  context=Qt.ShortcutContext.WidgetShortcut)
        self.resolve_button = QPushButton("Mark resolved")
        self.resolve_button.clicked.connect(self.toggle_resolved)
        self.go_button = QPushButton("Go to")
        self.go_button.setToolTip("Show what the comment is on (double-click or Enter in the list)")
        self.go_button.clicked.connect(self.go_to_current)
        buttons = QHBoxLayout()
        buttons.addWidget(self.go_button)
        buttons.addStretch(1)
        buttons.addWidget(self.resolve_button)
        buttons.addWidget(self.reply_button)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.detail, 1)
        side_layout.addWidget(self.reply_text)
        side_layout.addLayout(buttons)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        self._update_buttons()

    # -- data ---------------------------------------------------------------------------
    def set_project(self, project: Any) -> None:
        self.project = project
        self.reply_text.clear()
        self.reload()

    def reload(self) -> list[rc.ReviewComment]:
        """Read the comments again (keeps the selection); a damaged side file is said in the pane."""
        current = self.current_comment()
        self.comments = []
        problem = ""
        if self.project is not None:
            try:
                self.comments = rc.list_comments(self.project.path)
            except Exception as exc:  # the inbox says what is wrong with the file
                problem = error_text(exc)
        shown = [c for c in self.comments if self.show_choice.currentData() == "all" or c.status != "resolved"]
        self.table.setRowCount(len(shown))
        for row, comment in enumerate(shown):
            self._fill_row(row, comment)
        pending = sum(1 for c in self.comments if c.status != "resolved")
        self.count_label.setText(f"{pending} not resolved · {len(self.comments)} in all" if self.comments else "")
        if current is not None:
            self.select_comment(current.id)
        if problem:
            self.detail.setHtml(f"<p style='color:#B3261E'>{escape(problem)}</p>")
        elif self.current_comment() is None:
            self.detail.setHtml(EMPTY if shown else self._empty_text())
        else:
            self._show_current()  # the same row may stay selected: show its new replies and status
        self._update_buttons()
        return self.comments

    def _empty_text(self) -> str:
        if self.project is None:
            return ""
        if self.comments:
            return "<p style='color:#6B6B6B'>Every comment is resolved. Show “All comments” to read them.</p>"
        return ("<p style='color:#6B6B6B'>No review comments yet. A supervisor who opens the project (read-only "
                "is fine) adds them with Review ▸ Add review comment… (Ctrl+Shift+R).</p>")

    def _fill_row(self, row: int, c: rc.ReviewComment) -> None:
        first_line = c.text.splitlines()[0] if c.text else ""
        values = (STATUS_TEXT.get(c.status, c.status), c.author, local_time(c.time)[:16], c.label, first_line)
        for column, value in enumerate(values):
            item = QTableWidgetItem(value)
            item.setData(ID_ROLE, c.id)
            if column in (TARGET, TEXT):
                item.setToolTip(c.label if column == TARGET else c.text)
            if column == STATUS:
                item.setForeground(QBrush(QColor(STATUS_COLOUR.get(c.status, "#1F1F1F"))))
            self.table.setItem(row, column, item)

    # -- selection ------------------------------------------------------------------------
    def current_comment(self) -> rc.ReviewComment | None:
        row = self.table.currentRow()
        item = self.table.item(row, 0) if row >= 0 else None
        if item is None or not self.table.selectionModel().hasSelection():
            return None
        return next((c for c in self.comments if c.id == item.data(ID_ROLE)), None)

    def select_comment(self, comment_id: int) -> bool:
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(ID_ROLE) == comment_id:
                self.table.selectRow(row)
                self.table.setCurrentCell(row, 0)
                return True
        return False

    def _show_current(self) -> None:
        c = self.current_comment()
        self._update_buttons()
        if c is None:
            return
        parts = [(f"<p><b>{escape(c.author)}</b> <span style='color:#6B6B6B'>· {escape(local_time(c.time))} · "
                  f"{STATUS_TEXT.get(c.status, c.status)}</span></p>"),
                 f"<p>{escape(c.text).replace(chr(10), '<br>')}</p>",
                 f"<p style='color:#5A5A5A'>On: {escape(c.label)}</p>"]
        for r in c.replies:
            parts.append(f"<p style='margin-left:14px'><b>{escape(r.author)}</b> <span style='color:#6B6B6B'>· "
                         f"{escape(local_time(r.time))}</span><br>{escape(r.text).replace(chr(10), '<br>')}</p>")
        self.detail.setHtml("\n".join(parts))

    def _update_buttons(self) -> None:
        c = self.current_comment()
        for button in (self.reply_button, self.resolve_button, self.go_button):
            button.setEnabled(c is not None)
        self.reply_text.setEnabled(c is not None)
        self.resolve_button.setText("Reopen" if c is not None and c.status == "resolved" else "Mark resolved")
        self.go_button.setEnabled(c is not None and c.kind != "project")

    # -- actions --------------------------------------------------------------------------
    def go_to_current(self) -> None:
        c = self.current_comment()
        if c is not None:
            self.goToTarget.emit(c)

    def send_reply(self) -> bool:
        c = self.current_comment()
        text = self.reply_text.toPlainText().strip()
        if c is None or not text or self.project is None:
            return False
        try:
            rc.reply(self.project.path, c.id, text, author=self.project.coder)
        except Exception as exc:  # said in the status bar; the answer stays in the box
            self.message.emit(error_text(exc))
            return False
        self.reply_text.clear()
        self.reload()
        self.changed.emit()
        return True

    def toggle_resolved(self) -> bool:
        c = self.current_comment()
        if c is None or self.project is None:
            return False
        status = "open" if c.status == "resolved" else "resolved"
        try:
            rc.set_status(self.project.path, c.id, status)
        except Exception as exc:
            self.message.emit(error_text(exc))
            return False
        self.message.emit(f"Comment {'reopened' if status == 'open' else 'marked resolved'}.")
        self.reload()
        self.changed.emit()
        return True

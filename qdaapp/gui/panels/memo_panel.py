"""Bottom dock tab: the memo on whatever is selected (project, source, node, coding, case, diary).

Saving is a command like any other (``memo.create`` / ``memo.update``), so
the audit trail keeps every version. It happens on Ctrl+S, when the editor
loses focus, and before the panel switches to another target.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from qdaapp.core import memos as memo_ops
from qdaapp.core.memos import MemoInfo

Target = tuple[str, int | None]


WRITE_HINT = ("Write what you notice, why you coded this way, questions for later… "
              "Saved when you press Ctrl+S or click elsewhere.")
READ_ONLY_HINT = ("No memo here. The project is open read-only, so memos can be read but not written; "
                  "a review comment (Ctrl+Shift+R) can still be left.")

class MemoPanel(QWidget):
    def __init__(self, runner: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.project: Any = None
        self.describe: Callable[[str, int | None], str] = lambda kind, ident: f"{kind} {ident}"
        self.target: Target = ("project", None)
        self.memo_id: int | None = None
        self._memos: list[MemoInfo] = []
        self._saved = ("", "")

        self.header = QLabel()
        self.header.setObjectName("PanelHeader")
        self.picker = QComboBox()
        self.picker.currentIndexChanged.connect(self._on_pick)
        self.new_button = QPushButton("New memo")
        self.new_button.setToolTip("Start another memo on the same item")
        self.new_button.clicked.connect(self.new_memo)
        self.title = QLineEdit()
        self.title.setPlaceholderText("Title (optional)")
        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText(WRITE_HINT)
        self.status = QLabel()
        self.status.setObjectName("Muted")
        top = QHBoxLayout()
        top.addWidget(self.header, 1)
        top.addWidget(self.picker)
        top.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.title)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.status)
        for widget in (self.editor, self.title):
            widget.installEventFilter(self)
        save = QShortcut(QKeySequence.StandardKey.Save, self)
        save.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save.activated.connect(self.save)
        self.editor.textChanged.connect(self._on_edited)
        self.title.textChanged.connect(self._on_edited)

    # -- targets ------------------------------------------------------------------
    def set_project(self, project: Any) -> None:
        self.project = project
        self.target = ("project", None)
        self.load()

    def set_target(self, kind: str, ident: int | None) -> None:
        if (kind, ident) == self.target:
            return
        self.save()
        self.target = (kind, ident)
        self.load()

    def load(self, memo_id: int | None = None) -> None:
        kind, ident = self.target
        self._memos = []
        if self.project is not None:
            with self.project.read_session() as s:
                if kind == "diary":
                    self._memos = [m for m in memo_ops.list_memos(s, target_type="diary") if m.id == ident]
                elif kind == "project":
                    self._memos = memo_ops.list_memos(s, target_type="project")
                else:
                    self._memos = memo_ops.list_memos(s, target_type=kind, target_id=ident)
        self.picker.blockSignals(True)
        self.picker.clear()
        for i, memo in enumerate(self._memos):
            self.picker.addItem(memo.title or f"Memo {i + 1}")
        self.picker.setVisible(len(self._memos) > 1)
        chosen = next((i for i, m in enumerate(self._memos) if m.id == memo_id), 0)
        self.picker.setCurrentIndex(chosen if self._memos else -1)
        self.picker.blockSignals(False)
        self._show(self._memos[chosen] if self._memos else None)
        if kind == "diary":
            label = "Diary entry" if ident is not None else "New diary entry for today"
        else:
            label = f"Memo on {self.describe(kind, ident)}"
        self.header.setText(f"<b>{label}</b>" if self.project is not None else "No project is open.")
        editable = self.project is not None and not self.project.read_only
        self.editor.setReadOnly(not editable)
        self.title.setReadOnly(not editable)
        self.editor.setPlaceholderText(WRITE_HINT if editable or self.project is None else READ_ONLY_HINT)
        self.new_button.setEnabled(editable and bool(self._memos) and kind != "diary")

    def _show(self, memo: MemoInfo | None) -> None:
        self.memo_id = memo.id if memo else None
        for widget in (self.title, self.editor):
            widget.blockSignals(True)
        self.title.setText(memo.title if memo else "")
        self.editor.setPlainText(memo.text if memo else "")
        for widget in (self.title, self.editor):
            widget.blockSignals(False)
        self._saved = (self.title.text(), self.editor.toPlainText())
        self.status.setText(f"Last changed {memo.updated_at[:16].replace('T', ' ')} by {memo.author or '—'}"
                            if memo else "")

    def _on_pick(self, index: int) -> None:
        self.save()
        if 0 <= index < len(self._memos):
            self._show(self._memos[index])

    def new_memo(self) -> None:
        self.save()
        self.picker.setVisible(True)
        self._show(None)
        self.editor.setFocus()

    # -- saving -------------------------------------------------------------------
    def dirty(self) -> bool:
        return (self.title.text(), self.editor.toPlainText()) != self._saved

    def _on_edited(self) -> None:
        if self.dirty():
            self.status.setText("Not saved yet (Ctrl+S)")

    def save(self) -> bool:
        """Save the memo if it changed; True when there is nothing left unsaved."""
        if self.project is None or self.project.read_only or not self.dirty():
            return True
        title, text = self.title.text().strip(), self.editor.toPlainText()
        kind, ident = self.target
        if self.memo_id is None:
            if not text.strip():
                return True
            if kind == "diary":
                ok, memo_id = self.runner.run(memo_ops.add_diary_entry, text, author=self.project.coder)
            else:
                target = None if kind == "project" else f"{kind}:{ident}"
                ok, memo_id = self.runner.run(memo_ops.add_memo, text, target=target, title=title,
                                              author=self.project.coder)
            if ok:
                self.memo_id = memo_id
                if kind == "diary":
                    self.target = ("diary", memo_id)
        else:
            ok, _ = self.runner.run(memo_ops.update_memo, self.memo_id, text=text, title=title)
        if ok:
            self._saved = (self.title.text(), self.editor.toPlainText())
            self.status.setText("Saved")
        return ok

    def on_change(self, change: Any) -> None:
        """A memo changed somewhere: re-read ours unless the user is typing in it."""
        if not self.dirty():
            self.load(self.memo_id)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut and obj in (self.editor, self.title):
            self.save()
        return super().eventFilter(obj, event)

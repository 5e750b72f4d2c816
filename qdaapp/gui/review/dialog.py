"""The "Add review comment" dialog: what it is on, who writes it, the text."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from qdaapp.core import review_comments as rc
from qdaapp.gui.dialogs.messages import error_text


class CommentDialog(QDialog):
    """Write a comment on ``kind``/``ident`` of ``project``; errors show in the dialog, which stays open."""

    saved = Signal(object)  # the ReviewComment

    def __init__(self, parent: QWidget | None, project: Any, kind: str, ident: int | None,
                 label: str) -> None:
        super().__init__(parent)
        self.setObjectName("ReviewCommentDialog")
        self.setWindowTitle("Add review comment")
        self.project, self.kind, self.ident = project, kind, ident
        self.comment: Any = None
        on = QLabel(f"<b>On:</b> {_escape(label)}")
        on.setObjectName("ReviewCommentTarget")
        on.setWordWrap(True)
        on.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        who = QLabel(f"<b>From:</b> {_escape(project.coder)}")
        self.text = QPlainTextEdit()
        self.text.setObjectName("ReviewCommentText")
        self.text.setPlaceholderText("Your comment for the author of the project, e.g. "
                                     "“Why is this coded as trust rather than reliance?”")
        self.text.setTabChangesFocus(True)
        note = QLabel(f"Saved beside the project in {rc.side_file(project.path).name}; the project itself "
                      "is not changed. The author sees it in the Review inbox.")
        note.setObjectName("Muted")
        note.setWordWrap(True)
        self.error = QLabel()
        self.error.setObjectName("ReviewCommentError")
        self.error.setStyleSheet("color: #B3261E;")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("Save comment")
        self.save_button.setEnabled(False)
        self.save_button.setToolTip("Ctrl+Enter")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.text.textChanged.connect(lambda: self.save_button.setEnabled(bool(self.text.toPlainText().strip())))
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.save)
        layout = QVBoxLayout(self)
        for widget in (on, who, self.text, note, self.error, buttons):
            layout.addWidget(widget)
        self.resize(520, 320)
        self.text.setFocus()

    def save(self) -> bool:
        if not self.text.toPlainText().strip():
            return False
        try:
            self.comment = rc.add_comment(self.project, self.text.toPlainText(), self.kind, self.ident)
        except Exception as exc:  # shown in the dialog; the text stays for another try
            self.error.setText(error_text(exc))
            self.error.setVisible(True)
            return False
        self.saved.emit(self.comment)
        self.accept()
        return True


def _escape(text: str) -> str:
    from html import escape

    return escape(text, quote=False)

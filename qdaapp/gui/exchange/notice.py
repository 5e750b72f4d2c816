"""A small notice in the corner of the window after a file was written: its name and "Open folder".

It is a child of the window (not a window of its own), so it never takes the
focus from the document the user is reading, and it hides itself after a
while unless the pointer rests on it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsDropShadowEffect,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

NOTICE_NAME = "SavedNotice"
SHOW_FOR_MS = 15_000
STYLE = """
QFrame#SavedNotice { background: #FFFFFF; border: 1px solid #CFCABF; border-radius: 8px; }
QLabel#SavedNoticeTitle { font-weight: 600; color: #24313D; }
QLabel#SavedNoticeText { color: #5A5A5A; }
QToolButton#SavedNoticeClose { border: none; color: #6B6B6B; padding: 0 4px; }
QToolButton#SavedNoticeClose:hover { color: #1F1F1F; }
"""


def open_folder(path: Path) -> bool:
    """Show the folder holding ``path`` in the system's file manager."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(path).parent)))


class SavedNotice(QFrame):
    """'Saved Coded themes.docx' with the folder it went to, an Open folder button and ✕."""

    def __init__(self, window: QWidget, path: Path, note: str = "") -> None:
        super().__init__(window)
        self.setObjectName(NOTICE_NAME)
        self.setStyleSheet(STYLE)
        self.path = Path(path)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        title = QLabel(f"Saved {self.path.name}")
        title.setObjectName("SavedNoticeTitle")
        title.setTextFormat(Qt.TextFormat.PlainText)
        self.text_label = where = QLabel(f"in {self.path.parent}" + (f"\n{note}" if note else ""))
        where.setObjectName("SavedNoticeText")
        where.setTextFormat(Qt.TextFormat.PlainText)
        where.setWordWrap(True)
        self.open_button = QPushButton("Open folder")
        self.open_button.setToolTip(f"Show {self.path.parent} in your file manager")
        self.open_button.clicked.connect(lambda: open_folder(self.path))
        close = QToolButton()
        close.setObjectName("SavedNoticeClose")
        close.setText("✕")
        close.setToolTip("Close this notice")
        close.clicked.connect(self.close)

        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(title)
        text.addWidget(where)
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 10, 8, 10)
        row.setSpacing(12)
        row.addLayout(text, 1)
        row.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        shadow = QGraphicsDropShadowEffect(self)
        shadow.setBlurRadius(18)
        shadow.setOffset(0, 2)
        shadow.setColor(Qt.GlobalColor.gray)
        self.setGraphicsEffect(shadow)

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.close)
        window.installEventFilter(self)

    def popup(self, timeout_ms: int = SHOW_FOR_MS) -> SavedNotice:
        self.place()
        self.show()
        self.raise_()
        if timeout_ms > 0:
            self.timer.start(timeout_ms)
        return self

    def place(self) -> None:
        parent = self.parentWidget()
        if parent is None:
            return
        width = min(460, max(300, parent.width() - 40))
        self.setFixedWidth(width)
        self.adjustSize()
        bottom = parent.height() - 16
        status = parent.statusBar() if hasattr(parent, "statusBar") else None
        if status is not None and status.isVisible():
            bottom = status.geometry().top() - 12
        self.move(parent.width() - width - 20, max(8, bottom - self.height()))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize:
            self.place()
        return False

    def enterEvent(self, event: QEvent) -> None:  # keep it while the pointer is on it
        self.timer.stop()
        super().enterEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self.timer.start(SHOW_FOR_MS // 2)
        super().leaveEvent(event)


def show_saved(window: QWidget, path: Path, note: str = "") -> SavedNotice:
    """Replace any earlier notice with one for ``path``; the status bar says it too."""
    for old in window.findChildren(SavedNotice, NOTICE_NAME):
        old.close()
    if hasattr(window, "statusBar"):
        window.statusBar().showMessage(f"Saved {Path(path).name} in {Path(path).parent}", 10_000)
    return SavedNotice(window, path, note).popup()


def current_notice(window: QWidget) -> SavedNotice | None:
    shown = [n for n in window.findChildren(SavedNotice, NOTICE_NAME) if not n.isHidden()]
    return shown[-1] if shown else None

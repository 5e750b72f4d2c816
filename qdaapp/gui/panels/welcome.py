"""The welcome screen shown when no project is open: three big buttons and recent projects."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

PATH_ROLE = Qt.ItemDataRole.UserRole + 1


class WelcomeWidget(QWidget):
    newRequested = Signal()
    openRequested = Signal()
    demoRequested = Signal()
    recentRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Welcome")
        title = QLabel("qdaapp")
        title.setObjectName("WelcomeTitle")
        subtitle = QLabel("Qualitative data analysis for interviews, field notes and your research diary.")
        subtitle.setObjectName("WelcomeSubtitle")
        subtitle.setWordWrap(True)

        self.new_button = self._big_button("New project…", "Start a study, then import your transcripts.")
        self.open_button = self._big_button("Open project…", "Continue with a project file (.qda).")
        self.demo_button = self._big_button("Open the demo project", "A small study with codings, to try things out.")
        self.new_button.setObjectName("PrimaryBigButton")
        self.new_button.clicked.connect(self.newRequested.emit)
        self.open_button.clicked.connect(self.openRequested.emit)
        self.demo_button.clicked.connect(self.demoRequested.emit)

        self.recent_label = QLabel("Recent projects")
        self.recent_label.setObjectName("WelcomeSection")
        self.recent = QListWidget()
        self.recent.setObjectName("RecentList")
        self.recent.setFrameShape(QFrame.Shape.NoFrame)
        self.recent.itemActivated.connect(self._on_recent_activated)
        self.recent.itemClicked.connect(self._on_recent_activated)
        self.recent_empty = QLabel("Projects you open will be listed here.")
        self.recent_empty.setObjectName("Muted")

        buttons = QVBoxLayout()
        buttons.setSpacing(12)
        for button in (self.new_button, self.open_button, self.demo_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        recent_box = QVBoxLayout()
        recent_box.setSpacing(6)
        recent_box.addWidget(self.recent_label, 0, Qt.AlignmentFlag.AlignTop)
        recent_box.addWidget(self.recent, 1)
        recent_box.addWidget(self.recent_empty, 0, Qt.AlignmentFlag.AlignTop)
        recent_box.addStretch(1)
        columns = QHBoxLayout()
        columns.setSpacing(40)
        columns.addLayout(buttons, 0)
        columns.addLayout(recent_box, 1)

        card = QFrame()
        card.setObjectName("WelcomeCard")
        inner = QVBoxLayout(card)
        inner.setContentsMargins(40, 32, 40, 32)
        inner.setSpacing(6)
        inner.addWidget(title)
        inner.addWidget(subtitle)
        inner.addSpacing(24)
        inner.addLayout(columns, 1)
        card.setMaximumWidth(920)

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card, 8)
        row.addStretch(1)
        outer.addLayout(row, 0)
        outer.addStretch(1)
        self.set_recent([])

    @staticmethod
    def _big_button(text: str, tip: str) -> QPushButton:
        """A large button with a bold title and a quieter line saying what happens."""
        button = QPushButton()
        button.setObjectName("BigButton")
        button.setAccessibleName(text)
        button.setToolTip(tip)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        title = QLabel(text)
        title.setObjectName("BigButtonTitle")
        detail = QLabel(tip)
        detail.setObjectName("BigButtonText")
        box = QVBoxLayout(button)
        box.setContentsMargins(18, 10, 18, 10)
        box.setSpacing(2)
        for label in (title, detail):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            box.addWidget(label)
        button.setMinimumSize(360, 68)
        return button

    def set_recent(self, paths: list[str]) -> None:
        self.recent.clear()
        for path in paths:
            p = Path(path)
            item = QListWidgetItem(f"{p.stem}\n{p.parent}")
            item.setData(PATH_ROLE, str(p))
            item.setToolTip(str(p))
            self.recent.addItem(item)
        self.recent.setVisible(bool(paths))
        self.recent_empty.setVisible(not paths)

    def _on_recent_activated(self, item: QListWidgetItem) -> None:
        self.recentRequested.emit(item.data(PATH_ROLE))

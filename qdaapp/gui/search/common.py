"""Small pieces the search, marker review and lexicon widgets share.

:class:`ChangeBridge` delivers a project's changes on the GUI thread: a
command run on a worker (a marker run, coding search results) notifies its
listeners on that worker, and a queued signal carries the change over.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from qdaapp.gui.views.check_lists import keep_rows_still

ERROR_COLOR = "#B3261E"
MUTED_COLOR = "#6B6B6B"
OK_COLOR = "#2E6B3A"
KIND_LABELS = {"interview": "Interviews", "field-note": "Field notes", "document": "Documents", "diary": "Diary"}
ID_ROLE = Qt.ItemDataRole.UserRole + 40


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def when_label(created_at: str) -> str:
    """'18 Mar 14:02' in local time for an ISO timestamp stored in UTC."""
    try:
        moment = datetime.fromisoformat(created_at).astimezone()
    except (TypeError, ValueError):
        return created_at or ""
    return f"{moment.day} {moment:%b %H:%M}"


class ChangeBridge(QObject):
    """Subscribes to one project at a time; ``changed`` fires on the GUI thread.

    A bridge whose widget was deleted unsubscribes itself at the next change.
    """

    changed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project: Any = None
        self._listener: Callable[[Any], None] | None = None

    def attach(self, project: Any) -> None:
        self.detach()
        self.project = project
        if project is None:
            return
        import shiboken6

        def listener(change: Any) -> None:
            if shiboken6.isValid(self):
                self.changed.emit(change)
            else:
                project.unsubscribe(listener)

        self._listener = listener
        project.subscribe(listener)

    def detach(self) -> None:
        if self.project is not None and self._listener is not None:
            self.project.unsubscribe(self._listener)
        self.project, self._listener = None, None


def hint_label(html: str) -> QLabel:
    """The calm box an empty panel shows, saying what to do first."""
    label = QLabel(html)
    label.setObjectName("PanelHint")
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setMargin(16)
    return label


class MessageLabel(QLabel):
    """One line under a control for errors and notes; hidden when empty."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setVisible(False)

    def show_error(self, text: str) -> None:
        self._show(text, ERROR_COLOR)

    def show_note(self, text: str) -> None:
        self._show(text, MUTED_COLOR)

    def show_ok(self, text: str) -> None:
        self._show(text, OK_COLOR)

    def _show(self, text: str, color: str) -> None:
        self.setStyleSheet(f"color: {color}; padding: 2px 2px;")
        self.setText(text)
        self.setVisible(bool(text))

    def clear_message(self) -> None:
        self.setText("")
        self.setVisible(False)


class ChecklistDialog(QDialog):
    """Tick some of a list of named things (sources, nodes, speakers), with a filter box."""

    def __init__(self, parent: QWidget | None, title: str, prompt: str,
                 items: Sequence[tuple[Any, str]], checked: Sequence[Any] = (),
                 accept_text: str = "OK", icon_for: Callable[[Any], Any] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumSize(420, 420)
        label = QLabel(prompt)
        label.setWordWrap(True)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter the list")
        self.filter.setClearButtonEnabled(True)
        self.list = keep_rows_still(QListWidget())
        wanted = set(checked)
        for key, text in items:
            item = QListWidgetItem(text)
            item.setData(ID_ROLE, key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if key in wanted else Qt.CheckState.Unchecked)
            if icon_for is not None:
                item.setIcon(icon_for(key))
            self.list.addItem(item)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton(accept_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.filter)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.buttons)
        self.filter.textChanged.connect(self._on_filter_changed)
        self.list.itemChanged.connect(lambda _item: self._update_ok())
        self._update_ok()

    def _on_filter_changed(self, text: str) -> None:
        needle = text.strip().lower()
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setHidden(bool(needle) and needle not in item.text().lower())

    def _update_ok(self) -> None:
        self.ok.setEnabled(bool(self.checked()))

    def set_checked(self, keys: Sequence[Any]) -> None:
        wanted = set(keys)
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(ID_ROLE) in wanted else Qt.CheckState.Unchecked)

    def checked(self) -> list[Any]:
        return [self.list.item(i).data(ID_ROLE) for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]

"""Find in the open document: a bar above the text with Next / Previous.

Matching runs on the code-point text the view shows, so every match is a
code-point span like any coding; the view converts to Qt's UTF-16 positions.
Typing marks every match and counts them; Enter (or F3) selects the next one
after the caret, Shift+Enter (Shift+F3) the previous one, wrapping at the
ends. Spaces in the query match any run of white space, so a phrase is found
across a line break (PDF text keeps its line ends). The marks are a layer of
their own (the edit's extra selections): coding tints are untouched.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QFrame, QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

if TYPE_CHECKING:
    from .document_view import DocumentView

MAX_MARKS = 5000  # matches marked at once; all are counted and reachable with Next
TYPING_PAUSE_MS = 120  # search once typing pauses (Enter or Next search at once)


def find_all(text: str, query: str, match_case: bool = False) -> list[tuple[int, int]]:
    """Code-point spans of ``query`` in ``text``, in order, not overlapping.

    Case-insensitive matching folds one character at a time, so a span never
    changes length; white space in the query matches any white space.
    """
    words = query.split()
    if not words:
        return []
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words), 0 if match_case else re.IGNORECASE)
    return [m.span() for m in pattern.finditer(text)]


class FindBar(QFrame):
    """The find bar of one :class:`DocumentView` (hidden until Ctrl+F)."""

    closed = Signal()

    def __init__(self, view: DocumentView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("FindBar")
        self._view = view
        self.matches: list[tuple[int, int]] = []
        self._starts: list[int] = []
        self.current: int | None = None
        self.field = QLineEdit()
        self.field.setPlaceholderText("Find in this document")
        self.field.setClearButtonEnabled(True)
        self.field.setToolTip("Enter: next match · Shift+Enter: previous · Esc: close")
        self.field.installEventFilter(self)
        self._typing = QTimer(self, singleShot=True, interval=TYPING_PAUSE_MS)
        self._typing.timeout.connect(self.search)
        self.field.textChanged.connect(self._typing.start)
        self.previous_button = self._button("Previous", "Previous match (Shift+Enter, Shift+F3)", self.find_previous)
        self.next_button = self._button("Next", "Next match (Enter, F3)", self.find_next)
        self.match_case = QCheckBox("Match case")
        self.match_case.toggled.connect(self.search)
        self.count = QLabel("")
        self.count.setMinimumWidth(90)
        self.count.setStyleSheet("QLabel { color: #6B6B6B; }")
        close = self._button("✕", "Close (Esc)", self.close_bar)
        close.setAutoRaise(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        self.field.setMinimumWidth(220)
        self.field.setMaximumWidth(380)
        layout.addWidget(self.field, 1)
        layout.addWidget(self.previous_button)
        layout.addWidget(self.next_button)
        layout.addWidget(self.count)
        layout.addWidget(self.match_case)
        layout.addStretch(1)
        layout.addWidget(close)
        self.setStyleSheet("QFrame#FindBar { border-bottom: 1px solid #D8D5CE; background: #F6F4EF; }")
        self.hide()

    def _button(self, text: str, tip: str, slot: object) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.clicked.connect(lambda _=False: slot())
        return button

    # -- opening and closing ----------------------------------------------------------
    def open(self, query: str | None = None) -> None:
        """Show the bar with the field focused and selected (``query`` replaces its text)."""
        if query is not None and query != self.field.text():
            self.field.setText(query)
        self.show()
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()
        if query is None:
            self.search()

    def close_bar(self) -> None:
        """Hide the bar and its marks; the current match stays selected in the text."""
        self.hide()
        self._view.set_find_marks([], None)
        self._view.text_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.closed.emit()

    # -- searching ----------------------------------------------------------------------
    def search(self) -> None:
        """Find every match of the field's text; mark them, select none yet."""
        self._typing.stop()
        self.matches = find_all(self._view.text(), self.field.text(), self.match_case.isChecked())
        self._starts = [a for a, _ in self.matches]
        self.current = None
        self._show()

    def find_next(self) -> None:
        """Select the first match after the caret (or the current match), wrapping to the first."""
        if not self._ready():
            return
        _, pos = self._view.caret_span()
        i = bisect_left(self._starts, pos)
        if self.current is not None and self._selected_is_current():
            i = self.current + 1
        self._go(i % len(self.matches))

    def find_previous(self) -> None:
        """Select the last match before the caret (or the current match), wrapping to the last."""
        if not self._ready():
            return
        pos, _ = self._view.caret_span()
        i = bisect_right([b for _, b in self.matches], pos) - 1
        if self.current is not None and self._selected_is_current():
            i = self.current - 1
        self._go(i % len(self.matches))

    # -- internals ----------------------------------------------------------------------
    def _ready(self) -> bool:
        if self.isHidden():
            self.open(None)
        elif self._typing.isActive():
            self.search()
        return bool(self.matches)

    def _selected_is_current(self) -> bool:
        return self.current is not None and self._view.selected_span() == self.matches[self.current]

    def _go(self, i: int) -> None:
        self.current = i
        start, end = self.matches[i]
        self._view.select_span(start, end)
        self._show()

    def _show(self) -> None:
        n = len(self.matches)
        query = self.field.text().strip()
        if not query:
            text = ""
        elif not n:
            text = "No matches"
        elif self.current is None:
            text = f"{n:,} match{'es' if n != 1 else ''}"
        else:
            text = f"{self.current + 1:,} of {n:,}"
        self.count.setText(text)
        self.field.setStyleSheet("QLineEdit { background: #FBE9E7; }" if query and not n else "")
        self.previous_button.setEnabled(n > 0)
        self.next_button.setEnabled(n > 0)
        self._view.set_find_marks(self._marked(), self.matches[self.current] if self.current is not None else None)

    def _marked(self) -> list[tuple[int, int]]:
        if len(self.matches) <= MAX_MARKS:
            return self.matches
        middle = self.current if self.current is not None else 0  # the marks around the current match
        lo = max(0, min(middle - MAX_MARKS // 2, len(self.matches) - MAX_MARKS))
        return self.matches[lo : lo + MAX_MARKS]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter / Shift+Enter in the field move between matches (Esc reaches the view, which closes the bar)."""
        if watched is self.field and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.find_previous() if shift else self.find_next()
                return True
        return super().eventFilter(watched, event)

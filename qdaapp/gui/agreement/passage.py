"""A passage with two coders' stripes side by side, one labelled column each.

The text shown is the disagreement's span with the lines around it; the
span is shaded. Each column is a :class:`~qdaapp.gui.views.stripes.StripeMargin`
(the document view's drawing) fed with one coder's codings over the passage,
at every node, so the reader sees what each coder did there.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QResizeEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTextEdit, QVBoxLayout, QWidget

from qdaapp.core.layers import CodingSpan, LayerIndex
from qdaapp.core.text import OffsetMap
from qdaapp.gui.views.stripes import StripeMargin

CONTEXT = 400  # characters of context at most on each side, cut at line breaks
COLUMN_MIN = 64
SPAN_SHADE = "#fff1b8"


def context_bounds(text: str, start: int, end: int, around: int = CONTEXT) -> tuple[int, int]:
    """The passage shown for ``[start, end)``: from the start of its line (or ``around`` before) to the end
    of its last line (or ``around`` after)."""
    line = text.rfind("\n", 0, start) + 1
    a = line if start - line <= around else start - around
    stop = text.find("\n", end)
    line_end = len(text) if stop == -1 else stop
    b = line_end if line_end - end <= around else end + around
    return a, b


class PairedPassage(QWidget):
    """The passage and a stripe column for each of two coders."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QTextEdit()
        self.edit.setReadOnly(True)
        self.edit.setObjectName("PairedPassageText")
        self.edit.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                          | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.margins = (StripeMargin(self.edit), StripeMargin(self.edit))
        self.headers = (QLabel(), QLabel())
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.setSpacing(0)
        for label in self.headers:
            label.setObjectName("StripeColumnLabel")
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setStyleSheet("font-weight: bold; border-bottom: 2px solid #9aa7b8; padding: 2px;")
            head.addWidget(label)
        self.passage_label = QLabel("Passage")
        self.passage_label.setStyleSheet("color: #555; padding: 2px 8px;")
        head.addWidget(self.passage_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(head)
        layout.addWidget(self.edit, 1)
        self.offset = 0  # code point of the source where the passage shown starts
        self._omap = OffsetMap((), 0)
        self.column = COLUMN_MIN
        self._coders: tuple[str, ...] = ("", "")

    def set_coders(self, coders: Sequence[str]) -> None:
        self._coders = tuple(coders)
        for label, coder in zip(self.headers, coders, strict=True):
            label.setText(coder)
            label.setToolTip(f"{coder}'s codings over this passage, at every node")
        self._place()

    def show_passage(self, text: str, start: int, end: int, spans: Sequence[Sequence[CodingSpan]],
                     where: str = "") -> None:
        """Show ``text[a:b]`` around ``[start, end)`` (code points of the source) with each coder's
        ``spans`` (in source offsets) in their column."""
        a, b = context_bounds(text, start, end)
        shown = text[a:b]
        self.offset = a
        self._omap = OffsetMap.for_text(shown)
        self.edit.setPlainText(shown)
        self.passage_label.setText(where or "Passage")
        for margin, coder_spans in zip(self.margins, spans, strict=True):
            local = [CodingSpan(s.coding_id, max(s.start, a) - a, min(s.end, b) - a, s.node_id, s.node_name,
                                s.color, s.coder) for s in coder_spans if s.start < b and s.end > a]
            margin.set_source(LayerIndex(local), self._omap, [])
        self._shade(start - a, end - a)
        self._place()
        cursor = QTextCursor(self.edit.document())
        cursor.setPosition(self._omap.to_utf16(max(0, start - a)))
        self.edit.setTextCursor(cursor)
        self.edit.ensureCursorVisible()

    def clear(self, message: str = "") -> None:
        self.edit.setPlainText(message)
        for margin in self.margins:
            margin.set_source(LayerIndex(), OffsetMap((), 0), [])
        self.edit.setExtraSelections([])
        self._place()

    def selected_span(self) -> tuple[int, int] | None:
        """The text selected in the passage, in code points of the source; None without a selection."""
        cursor = self.edit.textCursor()
        if not cursor.hasSelection():
            return None
        a, b = sorted((cursor.selectionStart(), cursor.selectionEnd()))
        return self.offset + self._omap.to_codepoint(a), self.offset + self._omap.to_codepoint(b)

    def _shade(self, start: int, end: int) -> None:
        selection = QTextEdit.ExtraSelection()
        cursor = QTextCursor(self.edit.document())
        cursor.setPosition(self._omap.to_utf16(max(0, start)))
        cursor.setPosition(self._omap.to_utf16(min(self._omap.length, end)), QTextCursor.MoveMode.KeepAnchor)
        fmt = QTextCharFormat()
        fmt.setBackground(QColor(SPAN_SHADE))
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
        selection.cursor, selection.format = cursor, fmt
        self.edit.setExtraSelections([selection])

    def _place(self) -> None:
        """Two equal columns left of the text, each wide enough for its lanes and labels."""
        self.column = max(COLUMN_MIN, *(m.content_width() for m in self.margins))
        frame = self.edit.frameWidth()
        self.edit.setViewportMargins(2 * self.column, 0, 0, 0)
        for i, margin in enumerate(self.margins):
            margin.max_width = self.column
            margin.setGeometry(frame + i * self.column, frame, self.column, self.edit.height() - 2 * frame)
            margin.update()
        for label, coder in zip(self.headers, self._coders, strict=True):
            label.setFixedWidth(self.column)
            label.setText(label.fontMetrics().elidedText(coder, Qt.TextElideMode.ElideRight, self.column - 6))
        self.headers[0].setContentsMargins(frame, 0, 0, 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place()


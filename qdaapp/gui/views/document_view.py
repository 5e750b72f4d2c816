"""Reading view of one source: highlighted codings and coding stripes.

Offsets in and out of this widget are code points into the source text (see
``core/text.py``); Qt's UTF-16 positions never leave it. Highlights are
applied per text block from the swept segments of :class:`LayerIndex` (one
``setFormat`` per stretch, formats shared per set of nodes), so opening a
document costs one sweep. The text is tinted before the edit takes it, so Qt
lays it out lazily from the top and the first screen paints without waiting
for the rest; what can wait runs after that first paint. Codings change in
batches (:meth:`DocumentView.set_spans` applies only what changed): each
touched block is re-tinted once and the margin repaints only the band the
change covers. The stripe margin (``stripes.py``) draws only what is visible. Find
(Ctrl+F, F3, Shift+F3; ``find_bar.py``) marks its matches as extra selections,
a layer apart from the coding tints.

Run ``python -m qdaapp.gui.views.document_view`` for a quick look.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from PySide6.QtCore import QMimeData, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QContextMenuEvent,
    QFont,
    QFontInfo,
    QFontMetricsF,
    QKeyEvent,
    QKeySequence,
    QPaintEvent,
    QResizeEvent,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QFrame, QTextEdit, QVBoxLayout, QWidget

from qdaapp.core.layers import CodingSpan, LayerIndex, speaker_labels
from qdaapp.core.text import OffsetMap
from qdaapp.gui.views.find_bar import FindBar
from qdaapp.gui.views.stripes import NODES_PROPERTY, LayerHighlighter, StripeMargin

__all__ = ["NODES_PROPERTY", "SPAN_MIME", "DocumentView"]

SPAN_MIME = "application/x-qdaapp-span"
READING_FAMILIES = [
    "Charter", "Bitstream Charter", "Georgia", "Source Serif 4", "Noto Serif",
    "Palatino Linotype", "P052", "DejaVu Serif", "serif",
]  # fmt: skip
READING_POINT_SIZE = 12.0
LINE_SPACING_EM = 1.4
COLUMN_CHARS = 90
FIND_MARK = "#FFF27A"  # every match: a clear yellow, underlined, unlike any coding tint
FIND_CURRENT = "#FFC23D"  # the match Next / Previous went to
FIND_LINE = "#7A5C00"
FIND_QUERY_MAX = 80  # a longer selection is not offered as the query
_PROSE_SAMPLE = "Well, the interviews were more like a conversation about what we did, and why."


class _ReadingEdit(QTextEdit):
    """Read-only text with a span payload on drags and a context signal."""

    contextRequested = Signal(QContextMenuEvent)
    resized = Signal()

    def __init__(self, view: DocumentView) -> None:
        super().__init__(view)
        self._view = view
        self._after_paint: list = []

    def after_next_paint(self, fn) -> None:  # a callable without arguments
        """Call ``fn`` once the text has next been painted (work that can wait until the reader sees the text)."""
        if fn not in self._after_paint:
            self._after_paint.append(fn)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self._after_paint:
            calls, self._after_paint = self._after_paint, []
            for fn in calls:
                QTimer.singleShot(0, self, fn)

    def createMimeDataFromSelection(self) -> QMimeData:
        # A plain QMimeData: Qt's own text-edit mime data lists a fixed set of
        # formats, so drop targets would not see the span format.
        mime = QMimeData()
        mime.setText(self.textCursor().selection().toPlainText())
        span = self._view.selected_span()
        if span is not None:
            data = {"start": span[0], "end": span[1]}
            source_id = self._view.property("source_id")
            if source_id is not None:  # lets an account or another window take the passage
                data["source_id"] = int(source_id)
            payload = json.dumps(data)
            mime.setData(SPAN_MIME, payload.encode("utf-8"))
        return mime

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        self.contextRequested.emit(event)
        event.accept()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.resized.emit()


class DocumentView(QWidget):
    """Reading and coding view of one source.

    Signals (all offsets in code points):

    * ``spanSelected(start, end)``: the selection changed; when it is cleared,
      emitted once with ``start == end`` (the caret position).
    * ``stripeClicked(coding_id)``: a stripe was clicked; its span is selected.
    * ``stripeHistoryRequested(coding_id)``: "History of this coding…" was chosen on a stripe.
    * ``codeRequested()``: emitted by :meth:`request_code` when text is
      selected. The main window owns the shortcut and calls that slot.
    * ``contextMenuForSelection(global_pos, start, end)``: context menu asked
      for; ``start == end`` when nothing is selected.

    Dragging a selection out carries ``application/x-qdaapp-span`` with JSON
    ``{"start": cp, "end": cp, "source_id": id}`` next to the plain text
    (``source_id`` when the view shows a project's source).
    """

    spanSelected = Signal(int, int)
    stripeClicked = Signal(int)
    stripeHistoryRequested = Signal(int)  # a coding's id, from its stripe's context menu
    codeRequested = Signal()
    contextMenuForSelection = Signal(QPoint, int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._omap = OffsetMap((), 0)
        self._index = LayerIndex()
        self._page_starts: list[int] = []
        self._last_selection: tuple[int, int] | None = None
        self._in_relayout = False

        font = QFont()
        font.setFamilies(READING_FAMILIES)
        font.setPointSizeF(READING_POINT_SIZE)
        font.setStyleHint(QFont.StyleHint.Serif)
        self._font = font
        fm = QFontMetricsF(font)
        self._max_column = round(fm.horizontalAdvance(_PROSE_SAMPLE) / len(_PROSE_SAMPLE) * COLUMN_CHARS)
        # Line pitch of 1.4 em, as typographers count it, but never tighter than
        # the font's own line height plus a little air.
        em = QFontInfo(font).pixelSize() or fm.height()
        pitch = max(LINE_SPACING_EM * em, 1.08 * fm.height())
        self._line_height_percent = round(100 * pitch / fm.height())

        self._edit = _ReadingEdit(self)
        self._edit.setReadOnly(True)
        self._edit.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self._edit.setFrameShape(QFrame.Shape.NoFrame)
        self._edit.setFont(font)
        self._edit.setLineWrapMode(QTextEdit.LineWrapMode.FixedPixelWidth)
        self._edit.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._edit.setUndoRedoEnabled(False)
        self._highlighter = LayerHighlighter(self)
        self._margin = StripeMargin(self._edit)
        self._doc: QTextDocument | None = None

        self.find_bar = FindBar(self)
        self._marks: list[QTextEdit.ExtraSelection] = []
        self._marked_spans: list[tuple[int, int]] = []
        self._mark_formats = {}
        for key, color in (("all", FIND_MARK), ("current", FIND_CURRENT)):
            fmt = QTextCharFormat()
            fmt.setBackground(QColor(color))
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
            fmt.setUnderlineColor(QColor(FIND_LINE))
            self._mark_formats[key] = fmt
        self.find_action = self._add_action("Find in document…", self.show_find, QKeySequence.StandardKey.Find)
        self.find_next_action = self._add_action("Find next", self.find_bar.find_next, "F3")
        self.find_previous_action = self._add_action("Find previous", self.find_bar.find_previous, "Shift+F3")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.find_bar)
        layout.addWidget(self._edit)

        self._edit.selectionChanged.connect(self._on_edit_selection_changed)
        self._edit.contextRequested.connect(self._on_edit_context_menu)
        self._edit.resized.connect(self._relayout)
        self._margin.barClicked.connect(self._on_margin_bar_clicked)
        self._margin.historyRequested.connect(self.stripeHistoryRequested)
        self.set_document("", [])

    # -- public API ------------------------------------------------------
    @property
    def text_edit(self) -> QTextEdit:
        return self._edit

    @property
    def stripe_margin(self) -> StripeMargin:
        return self._margin

    def text(self) -> str:
        return self._text

    def spans(self) -> list[CodingSpan]:
        return self._index.spans()

    def set_document(
        self,
        text: str,
        spans: Iterable[CodingSpan],
        page_starts: list[int] | None = None,
        turns: list[tuple[int, int, str]] | None = None,
    ) -> None:
        """Show ``text`` (normalised source text) with its codings."""
        self._text = text
        self._omap = OffsetMap.for_text(text)
        self._page_starts = sorted(page_starts or [])
        self._bold = speaker_labels(text, turns)
        self._last_selection = None
        self.set_find_marks([], None)
        self._load_spans(spans)

        doc = QTextDocument(self)
        doc.setUndoRedoEnabled(False)
        doc.setDefaultFont(self._font)
        cursor = QTextCursor(doc)
        block_format = QTextBlockFormat()
        block_format.setLineHeight(self._line_height_percent, 1)  # 1 == ProportionalHeight
        block_format.setBottomMargin(6)
        cursor.setBlockFormat(block_format)
        cursor.insertText(text)
        # Tint the text before the edit lays it out: formats set afterwards would re-lay out every
        # block at once, while a new document is laid out lazily, from the top, as it is shown.
        self._highlighter.setDocument(doc)
        self._highlighter.rehighlight()
        old, self._doc = self._doc, doc
        doc.blockSignals(True)  # taking the document in announces it as changed: the highlighter would run again
        try:
            self._edit.setDocument(doc)
        finally:
            doc.blockSignals(False)
        self._edit.setLineWrapMode(QTextEdit.LineWrapMode.FixedPixelWidth)
        if old is not None:
            old.deleteLater()
        self._margin.set_source(self._index, self._omap, self._page_starts)
        self._relayout()
        if self.find_bar.isVisible():
            self.find_bar.search()
        self._edit.after_next_paint(self._on_idle_after_open)

    def set_spans(self, spans: Iterable[CodingSpan]) -> None:
        """Replace all codings; only the stretches whose codings changed are redrawn."""
        new = {s.coding_id: s for s in spans}
        gone = [cid for cid in self._index.ids() if cid not in new]
        changed = [s for s in new.values() if self._index.get(s.coding_id) != s]
        if len(gone) + len(changed) <= max(64, len(new) // 2):
            self._update_spans(changed, gone)
            return
        self._load_spans(new.values())
        self._highlighter.rehighlight()
        self._margin.set_source(self._index, self._omap, self._page_starts)
        self._relayout()

    def add_span(self, span: CodingSpan) -> None:
        """Add or replace one coding; only the blocks it covers are redrawn."""
        self._update_spans([span], [])

    def add_spans(self, spans: Iterable[CodingSpan]) -> None:
        """Add or replace many codings at once: the lanes are worked out and the blocks redrawn once."""
        self._update_spans(list(spans), [])

    def remove_span(self, coding_id: int) -> None:
        self._update_spans([], [coding_id])

    def selected_span(self) -> tuple[int, int] | None:
        """Selected code point range, or None when nothing is selected."""
        cursor = self._edit.textCursor()
        if not cursor.hasSelection():
            return None
        to_cp = self._omap.to_codepoint
        return to_cp(cursor.selectionStart()), to_cp(cursor.selectionEnd())

    def select_span(self, start: int, end: int, scroll: bool = True) -> None:
        """Select ``[start, end)`` and, if ``scroll``, bring its start into view."""
        n = len(self._text)
        start, end = max(0, min(start, n)), max(0, min(end, n))
        to16 = self._omap.to_utf16
        cursor = QTextCursor(self._edit.document())
        cursor.setPosition(to16(start))
        cursor.setPosition(to16(end), QTextCursor.MoveMode.KeepAnchor)
        bar = self._edit.verticalScrollBar()
        keep = bar.value()
        self._edit.setTextCursor(cursor)
        bar.setValue(keep)
        if scroll and not self._is_visible(start):
            self.scroll_to(start)

    def scroll_to(self, offset: int) -> None:
        """Scroll so that the line holding ``offset`` sits near the top."""
        offset = max(0, min(offset, len(self._text)))
        top, _ = self._margin.line_box(self._omap.to_utf16(offset))
        self._edit.verticalScrollBar().setValue(int(top - self._edit.viewport().height() * 0.2))

    def lane_of(self, coding_id: int) -> int | None:
        return self._index.lane_of(coding_id)

    def stripe_rects(self) -> dict[int, QRect]:
        """Visible stripes: coding id -> clickable rectangle in margin coordinates."""
        return {span.coding_id: rect for span, rect in self._margin.bars()}

    def caret_span(self) -> tuple[int, int]:
        """The selection, or (caret, caret) when nothing is selected, in code points."""
        cursor = self._edit.textCursor()
        to_cp = self._omap.to_codepoint
        return to_cp(cursor.selectionStart()), to_cp(cursor.selectionEnd())

    def show_find(self) -> None:
        """Ctrl+F: open the find bar, with a short one-line selection as the query."""
        cursor = self._edit.textCursor()
        chosen = cursor.selectedText() if cursor.hasSelection() else ""
        short = chosen.strip() and len(chosen) <= FIND_QUERY_MAX and "\u2029" not in chosen
        self.find_bar.open(chosen.strip() if short else None)

    def set_find_marks(self, spans: list[tuple[int, int]], current: tuple[int, int] | None) -> None:
        """Mark find matches (code points) over the text, ``current`` stronger; [] clears them."""
        if spans is not self._marked_spans:  # new matches: one cursor each, made once
            doc = self._edit.document()
            to16 = self._omap.to_utf16
            self._marks = []
            for a, b in spans:
                mark = QTextEdit.ExtraSelection()
                cursor = QTextCursor(doc)
                cursor.setPosition(to16(a))
                cursor.setPosition(to16(b), QTextCursor.MoveMode.KeepAnchor)
                mark.cursor = cursor
                self._marks.append(mark)
            self._marked_spans = spans
        for span, mark in zip(spans, self._marks, strict=True):
            mark.format = self._mark_formats["current" if span == current else "all"]
        self._edit.setExtraSelections(self._marks)

    def find_marks(self) -> list[tuple[int, int, bool]]:
        """The marked matches as (start, end, is current), in code points (for tests and tools)."""
        to_cp = self._omap.to_codepoint
        current = self._mark_formats["current"].background().color()
        return [(to_cp(m.cursor.selectionStart()), to_cp(m.cursor.selectionEnd()),
                 m.format.background().color() == current) for m in self._edit.extraSelections()]

    def request_code(self) -> None:
        """Slot for the main window's "code selection" shortcut."""
        if self.selected_span() is not None:
            self.codeRequested.emit()

    # -- internals -------------------------------------------------------
    def _add_action(self, text: str, slot: object, keys: object) -> QAction:
        """A shortcut that works while the view (text or find bar) has the focus."""
        action = QAction(text, self)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda _=False: slot())
        self.addAction(action)
        return action

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.find_bar.isVisible():
            self.find_bar.close_bar()  # Esc in the text closes the find bar too
            event.accept()
            return
        super().keyPressEvent(event)

    def _load_spans(self, spans: Iterable[CodingSpan]) -> None:
        self._index = LayerIndex(spans)
        self._highlighter.set_source(self._index, self._omap, self._bold)

    def _update_spans(self, add: list[CodingSpan], remove: list[int]) -> None:
        """Apply a batch of coding changes: one lane pass, each touched block re-tinted once."""
        lanes = self._margin.content_width()
        gone = [span for span in map(self._index.get, remove) if span is not None]
        gone += [old for old in map(self._index.get, [s.coding_id for s in add]) if old is not None and old not in add]
        changed = self._index.update(add, remove)
        if not changed:
            return
        recoloured = [span for span in add if self._highlighter.set_node_color(span.node_id, span.color)]
        if recoloured:
            self._highlighter.rehighlight()
        else:
            self._rehighlight(changed)
        if self._margin.content_width() != lanes or self._index.lanes_moved or len(add) + len(gone) > 50:
            for span in add + gone:
                self._margin.forget_extents(span.coding_id)  # and repaint the whole margin
            if self._margin.content_width() != lanes:
                self._relayout(keep_column=True)
        else:
            self._margin.update_codings(add + gone)

    def _rehighlight(self, stretches: list[tuple[int, int]]) -> None:
        """Re-tint the blocks that hold the (sorted) code point stretches, each block once."""
        doc = self._edit.document()
        to16 = self._omap.to_utf16
        done = -1
        for start, end in stretches:
            block = doc.findBlock(to16(start))
            last = doc.findBlock(to16(max(start, end - 1))).blockNumber()
            while block.isValid() and block.blockNumber() <= last:
                if block.blockNumber() > done:
                    self._highlighter.rehighlightBlock(block)
                    done = block.blockNumber()
                block = block.next()

    def _is_visible(self, offset: int) -> bool:
        top, bottom = self._margin.line_box(self._omap.to_utf16(offset))
        y = self._edit.verticalScrollBar().value()
        return top >= y and bottom <= y + self._edit.viewport().height()

    def _relayout(self, keep_column: bool = False) -> None:
        """Centre the text column (at most ~90 characters) with the margin beside it.

        With ``keep_column`` (a coding added or removed a lane) the text stays
        where it is while the margin still fits in the space left of it, so
        the reader's text does not shift and only the margin is repainted."""
        if self._in_relayout:
            return
        self._in_relayout = True
        try:
            edit = self._edit
            frame = edit.frameWidth()
            scrollbar = edit.verticalScrollBar().sizeHint().width()
            total = edit.width() - 2 * frame - scrollbar
            self._margin.max_width = max(160, int(total * 0.4))
            need = self._margin.content_width()
            doc_margin = int(edit.document().documentMargin())
            column = max(120, min(self._max_column, total - need - 2 * doc_margin))
            pad = max(0, (total - need - column - 2 * doc_margin) // 2)
            left = pad + need
            kept = edit.viewportMargins().left()
            if keep_column and need <= kept and edit.lineWrapColumnOrWidth() == column \
                    and kept + column + 2 * doc_margin <= total:
                left = kept
            edit.setViewportMargins(left, 0, 0, 0)
            if edit.lineWrapColumnOrWidth() != column:
                # Re-wrapping moves every line: keep the first visible one on top.
                bar = edit.verticalScrollBar()
                anchor = self._margin.block_at(bar.value()).position() if bar.value() else None
                edit.setLineWrapColumnOrWidth(column)
                if anchor is not None:
                    bar.setValue(int(self._margin.line_box(anchor)[0]))
            self._margin.setGeometry(frame, frame, left, edit.height() - 2 * frame)
            self._margin.update()
        finally:
            self._in_relayout = False

    def _on_idle_after_open(self) -> None:
        # Qt's layout pays a one-off cost (a pass over the whole document) on
        # the first change after a document is laid out. Pay it while the
        # reader is reading, not on their first coding.
        doc = self._edit.document()
        if doc is self._doc and not doc.isEmpty():
            doc.documentLayout().blockBoundingRect(doc.lastBlock())
            doc.markContentsDirty(0, 1)

    def _on_edit_selection_changed(self) -> None:
        cursor = self._edit.textCursor()
        to_cp = self._omap.to_codepoint
        if cursor.hasSelection():
            current = (to_cp(cursor.selectionStart()), to_cp(cursor.selectionEnd()))
        else:
            current = (to_cp(cursor.position()),) * 2
        if current != self._last_selection:
            was_empty = self._last_selection is None or self._last_selection[0] == self._last_selection[1]
            self._last_selection = current
            if current[0] != current[1] or not was_empty:
                self.spanSelected.emit(*current)

    def _on_edit_context_menu(self, event: QContextMenuEvent) -> None:
        span = self.selected_span()
        if span is None:
            pos = self._omap.to_codepoint(self._edit.cursorForPosition(event.pos()).position())
            span = (pos, pos)
        self.contextMenuForSelection.emit(event.globalPos(), span[0], span[1])

    def _on_margin_bar_clicked(self, coding_id: int) -> None:
        span = self._index.get(coding_id)
        if span is None:
            return
        self.select_span(span.start, span.end, scroll=False)
        self._edit.setFocus(Qt.FocusReason.MouseFocusReason)
        self.stripeClicked.emit(coding_id)


_DEMO_TURNS = [
    ("Researcher", "How did the neighbourhood assembly start, and who was there at the beginning?"),
    ("Ana", ("It started in the square 🌳 after the eviction. We promised each other that nobody would face "
     "the bailiffs alone, and we kept that promise for two years. People trusted us because we showed "
     "up, every single time, even when it was raining.")),
    ("Researcher", "And the council?"),
    ("Ana", ("The council tried to buy us off with a small grant. Some said we should take it; I said no. "
     "If you take their money they decide the agenda 𝄞 and then you are just another committee.")),
    ("David", ("I remember that meeting. Honestly, we were not competent to run a housing office, we had "
     "to learn everything: the law, the forms, how to talk to journalists.")),
]  # fmt: skip
_DEMO_NODES = ["Commitment #56B4E9", "Manipulation #E69F00", "Competence #009E73", "Trust #CC79A7", "Sanction #D55E00"]


def _demo_view() -> DocumentView:
    """A view on a short interview with overlapping codings (for a quick look)."""
    text, turns = "", []
    for speaker, said in _DEMO_TURNS * 6:
        turns.append((len(text), len(text) + len(speaker) + len(said) + 2, speaker))
        text += f"{speaker}: {said}\n"
    spans: list[CodingSpan] = []
    for k, node in enumerate(_DEMO_NODES):
        name, color = node.split()
        pos = 15 * k
        while pos < len(text) - 40:
            length = 90 + (37 * len(spans)) % 260
            coder = "ana" if k % 2 else "david"
            spans.append(CodingSpan(len(spans) + 1, pos, pos + length, k + 1, name, color, coder))
            pos += length + 60 + 45 * k
    view = DocumentView()
    view.set_document(text, spans, page_starts=[0, turns[10][0], turns[20][0]], turns=turns)
    view.resize(1200, 800)
    view.setWindowTitle("qdaapp: document view")
    view.spanSelected.connect(lambda s, e: view.setWindowTitle(f"qdaapp: document view [{s}, {e})"))
    return view


if __name__ == "__main__":
    import sys

    from PySide6.QtWidgets import QApplication

    _app = QApplication(sys.argv)
    _view = _demo_view()
    _view.show()
    sys.exit(_app.exec())

"""How the document view draws coding layers: tints in the text, stripes beside it.

:class:`LayerHighlighter` tints one text block at a time from the swept
segments of :class:`LayerIndex`: one ``setFormat`` per stretch, one shared
format per set of nodes, never one format merge per coding.

:class:`StripeMargin` draws one lane per overlapping node, one vertical bar
per coding in the node's strong colour, the node's name beside the bar. It
only looks at codings that overlap the visible text: the visible code point
range comes from the edit's layout, the codings in it from the index, and
each coding's vertical extent (document coordinates) is cached until the text
is re-wrapped.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QPoint, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QFont,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QSyntaxHighlighter,
    QTextBlock,
    QTextCharFormat,
    QTextFormat,
)
from PySide6.QtWidgets import QApplication, QMenu, QTextEdit, QToolTip, QWidget

from qdaapp.core.layers import CodingSpan, LayerIndex, tint
from qdaapp.core.text import OffsetMap

BAR_WIDTH = 4
LANE_GAP = 6
TEXT_GAP = 10
NODES_PROPERTY = QTextFormat.Property.UserProperty + 1  # "1,4": nodes tinting a stretch
# Formats by (node ids, their colours, bold), shared by every open document: the documents of one
# project tint the same sets of nodes, so the second one opened makes few new formats.
_FORMATS: dict[tuple[tuple[int, ...], tuple[str, ...], bool], QTextCharFormat] = {}


class LayerHighlighter(QSyntaxHighlighter):
    """Tints and bold speaker labels, applied one text block at a time."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._index = LayerIndex()
        self._omap = OffsetMap((), 0)
        self._bold: Sequence[tuple[int, int]] = ()
        self._bold_starts: list[int] = []
        self._colors: dict[int, str] = {}
        self._formats: dict[tuple[tuple[int, ...], bool], QTextCharFormat] = {}
        self.blocks_highlighted = 0  # for tests: proves updates stay local

    def set_source(self, index: LayerIndex, omap: OffsetMap, bold: Sequence[tuple[int, int]]) -> None:
        """New codings or text; the caller re-highlights."""
        self._index, self._omap, self._bold = index, omap, bold
        self._bold_starts = [s for s, _ in bold]
        self._colors = {s.node_id: s.color for s in index.spans()}
        self._formats.clear()

    def set_node_color(self, node_id: int, color: str) -> bool:
        """Record a node's colour; True if it changed (re-highlight everything)."""
        old = self._colors.get(node_id, color)
        self._colors[node_id] = color
        if old != color:
            self._formats.clear()
        return old != color

    def _format(self, nodes: tuple[int, ...], bold: bool) -> QTextCharFormat:
        fmt = self._formats.get((nodes, bold))
        if fmt is None:
            colors = tuple(self._colors.get(n, "#999999") for n in nodes)
            fmt = _FORMATS.get((nodes, colors, bold))
            if fmt is None:
                fmt = QTextCharFormat()
                if nodes:
                    fmt.setBackground(QColor(tint(colors)))
                    fmt.setProperty(NODES_PROPERTY, ",".join(map(str, nodes)))
                if bold:
                    fmt.setFontWeight(QFont.Weight.Bold)
                if len(_FORMATS) > 20_000:
                    _FORMATS.clear()
                _FORMATS[(nodes, colors, bold)] = fmt
            self._formats[(nodes, bold)] = fmt
        return fmt

    def _bold_between(self, a: int, b: int) -> list[tuple[int, int]]:
        out = []
        for s, e in self._bold[max(0, bisect_left(self._bold_starts, a) - 1) :]:
            if s >= b:
                break
            if e > a:
                out.append((max(s, a), min(e, b)))
        return out

    def highlightBlock(self, text: str) -> None:
        self.blocks_highlighted += 1
        block = self.currentBlock()
        p16 = block.position()
        omap = self._omap
        a = omap.to_codepoint(p16)
        b = omap.to_codepoint(p16 + block.length() - 1)
        if a >= b:
            return
        to16 = (lambda cp: cp) if omap.identity else omap.to_utf16
        fmt = self._format
        pieces = self._index.segments_between(a, b)
        for seg in pieces:
            u = to16(max(seg.start, a))
            self.setFormat(u - p16, to16(min(seg.end, b)) - u, fmt(seg.node_ids, False))
        # A speaker label is short: set it over the tints, split where they change (a later setFormat wins).
        for s, e in self._bold_between(a, b):
            pos = s
            for seg in pieces:
                if seg.end <= pos or seg.start >= e:
                    continue
                if seg.start > pos:
                    self._set_cp(pos, seg.start, p16, to16, fmt((), True))
                cut = min(seg.end, e)
                self._set_cp(max(seg.start, pos), cut, p16, to16, fmt(seg.node_ids, True))
                pos = cut
            if pos < e:
                self._set_cp(pos, e, p16, to16, fmt((), True))

    def _set_cp(self, s: int, e: int, p16: int, to16, fmt: QTextCharFormat) -> None:
        u = to16(s)
        self.setFormat(u - p16, to16(e) - u, fmt)


class StripeMargin(QWidget):
    """Margin widget; the owner sets its data and its geometry.

    Content is right-aligned against the text: page numbers, then lanes,
    lane 0 nearest the text. Space to the left is blank (it centres the
    text column in a wide window).
    """

    barClicked = Signal(int)
    historyRequested = Signal(int)  # a coding's id: "History of this coding…" from its bar's menu

    def __init__(self, edit: QTextEdit) -> None:
        super().__init__(edit)
        self._edit = edit
        self.describe: Callable[[int], str] | None = None  # coding id -> when and how it was made
        self._index = LayerIndex()
        self._omap = OffsetMap((), 0)
        self._page_starts: list[int] = []
        self._extents: dict[int, tuple[float, float]] = {}
        self._extent_width = -1
        self.max_width = 400  # lanes beyond this budget are narrowed, then dropped
        self.setMouseTracking(True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        small = QFont(QApplication.font())
        small.setPointSizeF(max(7.0, small.pointSizeF() * 0.95))
        self._label_font = small
        self._label_h = QFontMetrics(small).height()
        self._labels: dict[tuple, QPixmap] = {}  # drawn labels, by (name, colour, room) and (elided text, colour)
        self._gutter = QFontMetrics(small).horizontalAdvance("p. 0000") + 8
        edit.verticalScrollBar().valueChanged.connect(self.update)

    # -- data ------------------------------------------------------------
    def set_source(self, index: LayerIndex, omap: OffsetMap, page_starts: list[int]) -> None:
        self._index = index
        self._omap = omap
        self._page_starts = sorted(page_starts)
        self.forget_extents()

    def forget_extents(self, coding_id: int | None = None) -> None:
        """Drop cached extents: all of them, or one coding's."""
        if coding_id is None:
            self._extents.clear()
        else:
            self._extents.pop(coding_id, None)
        self.update()

    def update_codings(self, spans: list[CodingSpan]) -> None:
        """Codings were added or removed and no other coding changed lane: repaint only their band.

        The band is widened to every bar it meets, so a label that an added
        bar now cuts short (or a removed one frees) is repainted too."""
        dy = self._scroll_y()
        h = self.height()
        bands = []
        for span in spans:
            self._extents.pop(span.coding_id, None)
            top, bottom = self.extent(span)
            y0, y1 = int(top) - dy - 2, int(bottom + 0.999) - dy + 2
            if y1 >= 0 and y0 <= h:
                bands.append((y0, y1))
        if not bands:
            return
        y0, y1 = min(b[0] for b in bands), max(b[1] for b in bands)
        for _span, rect in self.bars():
            if rect.bottom() >= y0 and rect.top() <= y1:
                y0, y1 = min(y0, rect.top() - 2), max(y1, rect.bottom() + 2)
        self.update(QRect(0, y0, self.width(), y1 - y0 + 1))

    # -- geometry --------------------------------------------------------
    @property
    def compact(self) -> bool:
        """True when labelled lanes would not fit: bars only, names in tooltips."""
        full = BAR_WIDTH + 1 + self._label_h + LANE_GAP
        return self._index.lane_count * full > self.max_width - self.gutter_width - TEXT_GAP

    @property
    def lane_width(self) -> int:
        if self.compact:
            return BAR_WIDTH + 3
        return BAR_WIDTH + 1 + self._label_h + LANE_GAP

    @property
    def lanes_shown(self) -> int:
        room = max(0, self.max_width - self.gutter_width - TEXT_GAP)
        return min(self._index.lane_count, room // self.lane_width)

    @property
    def gutter_width(self) -> int:
        if not self._page_starts:
            return 0
        return self._gutter

    def content_width(self) -> int:
        """Width the margin needs besides the centring pad."""
        return self.gutter_width + self.lanes_shown * self.lane_width + TEXT_GAP

    def lane_left(self, lane: int) -> int:
        """Left edge of a lane (bar, then its label), in margin coordinates."""
        gap = 3 if self.compact else LANE_GAP
        return self.width() - TEXT_GAP - (lane + 1) * self.lane_width + gap

    def lane_x(self, lane: int) -> int:
        """Left edge of a lane's bar, in margin coordinates."""
        return self.lane_left(lane)

    def _scroll_y(self) -> int:
        return self._edit.verticalScrollBar().value()

    def line_box(self, u16: int) -> tuple[float, float]:
        """Top and bottom (document coordinates) of the line holding ``u16``."""
        doc = self._edit.document()
        block = doc.findBlock(u16)
        if not block.isValid():
            block = doc.lastBlock()
        rect = doc.documentLayout().blockBoundingRect(block)  # lays the block out
        layout = block.layout()
        line = layout.lineForTextPosition(min(u16 - block.position(), block.length() - 1))
        if not line.isValid():
            return rect.top(), rect.bottom()
        top = layout.position().y() + line.y()
        return top, top + line.height()

    def extent(self, span: CodingSpan) -> tuple[float, float]:
        """Vertical extent of a coding in document coordinates (cached)."""
        width = self._edit.document().textWidth()
        if width != self._extent_width:
            self._extents.clear()
            self._extent_width = width
        hit = self._extents.get(span.coding_id)
        if hit is None:
            to16 = self._omap.to_utf16
            top, bottom = self.line_box(to16(span.start))
            if span.end - 1 > span.start:
                bottom = self.line_box(to16(span.end - 1))[1]
            hit = (top, bottom)
            self._extents[span.coding_id] = hit
        return hit

    def block_at(self, y: float) -> QTextBlock:
        """Last block whose top is at or above document y (binary search).

        ``blockBoundingRect`` lays a block out on demand, so this stays right
        while Qt is still laying out a long document, when a hit test at a
        point is not.
        """
        doc = self._edit.document()
        layout = doc.documentLayout()
        # Gallop from the top before bisecting: a probe lays the text out down to the block it
        # asks about, so near the top of a freshly opened document only that much gets laid out.
        lo, hi, step = 0, doc.blockCount() - 1, 1
        while lo + step < hi:
            if layout.blockBoundingRect(doc.findBlockByNumber(lo + step)).top() > y:
                hi = lo + step - 1
                break
            lo += step
            step *= 2
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if layout.blockBoundingRect(doc.findBlockByNumber(mid)).top() <= y:
                lo = mid
            else:
                hi = mid - 1
        return doc.findBlockByNumber(lo)

    def visible_range(self) -> tuple[int, int]:
        """Code point range shown in the edit's viewport (whole blocks)."""
        y = self._scroll_y()
        top = self.block_at(y)
        bottom = self.block_at(y + self._edit.viewport().height())
        to_cp = self._omap.to_codepoint
        return to_cp(top.position()), to_cp(bottom.position() + bottom.length() - 1)

    def bars(self) -> list[tuple[CodingSpan, QRect]]:
        """Visible codings with their clickable lane rectangles (margin coordinates)."""
        if not len(self._index):
            return []
        a, b = self.visible_range()
        dy = self._scroll_y()
        h = self.height()
        shown = self.lanes_shown
        width = self.lane_width - (3 if self.compact else LANE_GAP)
        out = []
        for span in self._index.spans_overlapping(a, b):
            lane = self._index.lane_of(span.coding_id)
            if lane is None or lane >= shown:
                continue
            top, bottom = self.extent(span)
            y0, y1 = int(top) - dy, int(bottom + 0.999) - dy
            if y1 < 0 or y0 > h:
                continue
            x = self.lane_left(lane)
            out.append((span, QRect(x, y0, width, max(1, y1 - y0))))
        return out

    def bar_at(self, pos: QPoint) -> CodingSpan | None:
        """The coding whose lane rectangle holds ``pos``; the shortest wins."""
        hits = [(r.height(), s.coding_id, s) for s, r in self.bars() if r.contains(pos)]
        return min(hits)[2] if hits else None

    # -- painting --------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(event.rect(), self._edit.palette().base())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setFont(self._label_font)
        self._paint_pages(painter)
        fm = painter.fontMetrics()
        min_label = fm.horizontalAdvance("Abc…") + 4 if not self.compact else 1 << 30
        clip_top, clip_bottom = event.rect().top(), event.rect().bottom()
        lanes: dict[int, list[tuple[CodingSpan, QRect]]] = {}
        for span, rect in self.bars():
            lanes.setdefault(self._index.lane_of(span.coding_id) or 0, []).append((span, rect))
        for lane, items in lanes.items():
            items.sort(key=lambda item: (item[1].top(), item[0].start))
            x = self.lane_x(lane)
            for k, (span, rect) in enumerate(items):
                if rect.bottom() < clip_top or rect.top() > clip_bottom:
                    continue  # outside the part being repainted (its label stays within its bar)
                color = QColor(span.color)
                top, bottom = rect.top() + 1, rect.bottom() - 1
                painter.fillRect(QRect(x, top, BAR_WIDTH, max(1, bottom - top + 1)), color)
                # Bracket ends keep neighbouring codings of one node apart.
                painter.fillRect(QRect(x, top, BAR_WIDTH + 4, 2), color)
                painter.fillRect(QRect(x, bottom - 1, BAR_WIDTH + 4, 2), color)
                label_top = max(top, 0) + 4
                limit = bottom
                if k + 1 < len(items):
                    limit = min(limit, items[k + 1][1].top())
                room = limit - label_top - 3
                if room < min_label:
                    continue
                painter.drawPixmap(x + BAR_WIDTH + 1, label_top, self._label(span.node_name, span.color, room))
        painter.end()

    def _label(self, name: str, color: str, room: int) -> QPixmap:
        """A node's name as its bar's label (reading downwards, elided to ``room`` pixels), drawn once and kept.

        Rotated text is slow to draw and a margin shows dozens of labels, so
        each one is drawn into a pixmap the first time it is needed."""
        key = (name, color, room)
        pixmap = self._labels.get(key)
        if pixmap is not None:
            return pixmap
        fm = QFontMetrics(self._label_font)
        text = fm.elidedText(name, Qt.TextElideMode.ElideRight, room)
        elided = (text, color)
        pixmap = self._labels.get(elided)
        if pixmap is None:
            ratio = self.devicePixelRatioF()
            width = max(1, fm.horizontalAdvance(text) + 2)
            pixmap = QPixmap(round(self._label_h * ratio), round(width * ratio))
            pixmap.setDevicePixelRatio(ratio)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            painter.setFont(self._label_font)
            painter.setPen(QColor(color).darker(170))
            painter.rotate(90)
            painter.drawText(QRectF(0, -self._label_h, width, self._label_h),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)
            painter.end()
            if len(self._labels) > 4000:
                self._labels.clear()
            self._labels[elided] = pixmap
        self._labels[key] = pixmap
        return pixmap

    def _paint_pages(self, painter: QPainter) -> None:
        if not self._page_starts:
            return
        a, b = self.visible_range()
        lo = bisect_left(self._page_starts, a)
        hi = bisect_right(self._page_starts, b)
        dy = self._scroll_y()
        right = self.width() - TEXT_GAP - self.lanes_shown * self.lane_width - 6
        left = right - self.gutter_width + 8
        painter.setPen(QPen(QColor("#8a8a8a")))
        for i in range(lo, hi):
            top, bottom = self.line_box(self._omap.to_utf16(self._page_starts[i]))
            y0, y1 = int(top) - dy, int(bottom) - dy
            if i > 0:
                painter.drawLine(left, y0 - 3, right, y0 - 3)
            painter.drawText(
                QRect(left, y0, right - left, max(1, y1 - y0)),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                f"p. {i + 1}",
            )

    # -- interaction -----------------------------------------------------
    def tooltip_text_at(self, pos: QPoint) -> str:
        span = self.bar_at(pos)
        if span is None:
            return ""
        if self.describe is None:  # a view outside a project's window: no history to offer
            return f"{span.node_name} — {span.coder}"
        return f"{span.node_name} — {self.describe(span.coding_id) or span.coder}\nRight-click: history of this coding"

    def context_menu_at(self, pos: QPoint) -> QMenu | None:
        """The menu of the bar at ``pos`` (None off the bars)."""
        span = self.bar_at(pos)
        if span is None:
            return None
        menu = QMenu(self)
        menu.addAction("History of this coding…", lambda cid=span.coding_id: self.historyRequested.emit(cid))
        return menu

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.context_menu_at(event.pos())
        if menu is None:
            super().contextMenuEvent(event)
            return
        menu.exec(event.globalPos())
        event.accept()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            text = self.tooltip_text_at(event.pos())
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            span = self.bar_at(event.position().toPoint())
            if span is not None:
                self.barClicked.emit(span.coding_id)
                event.accept()
                return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        over = self.bar_at(event.position().toPoint()) is not None
        shape = Qt.CursorShape.PointingHandCursor if over else Qt.CursorShape.ArrowCursor
        if self.cursor().shape() != shape:
            self.setCursor(shape)
        super().mouseMoveEvent(event)

    def wheelEvent(self, event) -> None:
        self._edit.verticalScrollBar().event(event)

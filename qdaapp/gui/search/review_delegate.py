"""The queue's tree view, and the drawing of a hit row: status mark, a "not" badge, the marker in bold.

The marker sits at ``[start - sentence_start, end - sentence_start)`` of the
sentence. When the sentence is wider than the cell, the text before the
marker is cut on the left and the text after it on the right, so the marker
is always in view (the tooltip has the whole sentence).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QKeyEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
)

from qdaapp.core.review import ACT_COLORS, HitRow
from qdaapp.gui.search.review_model import HIT_ROLE, PASSAGE, SOURCE, SPEAKER, STATUS_ROLE, SUBJECT, ReviewModel

Index = QModelIndex | QPersistentModelIndex
MARKS = {"candidate": ("○", QColor("#9A968E")), "accepted": ("✓", QColor("#2E6B3A")),
         "rejected": ("✗", QColor("#B3261E"))}
REJECTED_TEXT = QColor("#8E8A82")


def split_sentence(h: HitRow) -> tuple[str, str, str]:
    """(before, marker, after) of the hit's sentence, on one line."""
    text = h.sentence.replace("\n", " ")
    a = max(0, min(len(text), h.start - h.sentence_start))
    b = max(a, min(len(text), h.end - h.sentence_start))
    return text[:a], text[a:b], text[b:]


def fit(before: str, marker: str, after: str, fm: QFontMetrics, bold: QFontMetrics, width: int) -> tuple[str, str, str]:
    """Cut ``before`` (on the left) and ``after`` (on the right) so all three fit ``width``."""
    wb, wm, wa = fm.horizontalAdvance(before), bold.horizontalAdvance(marker), fm.horizontalAdvance(after)
    if wb + wm + wa <= width:
        return before, marker, after
    if wm >= width:
        return "", bold.elidedText(marker, Qt.TextElideMode.ElideRight, width), ""
    room = width - wm
    keep_before = min(wb, max(int(room * 0.45), room - wa))
    before = fm.elidedText(before, Qt.TextElideMode.ElideLeft, keep_before) if keep_before < wb else before
    room_after = room - fm.horizontalAdvance(before)
    after = fm.elidedText(after, Qt.TextElideMode.ElideRight, max(0, room_after))
    return before, marker, after


class PassageDelegate(QStyledItemDelegate):
    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        h = index.data(HIT_ROLE)
        if h is None or index.column() != PASSAGE:
            super().paint(painter, option, index)
            return
        status = index.data(STATUS_ROLE) or "candidate"
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        style = opt.widget.style() if opt.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        painter.save()
        rect = option.rect.adjusted(4, 0, -4, 0)
        font = QFont(option.font)
        bold = QFont(font)
        bold.setBold(True)
        fm, bfm = QFontMetrics(font), QFontMetrics(bold)
        text_color = option.palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        if status == "rejected" and not selected:
            text_color = REJECTED_TEXT
        mark, mark_color = MARKS.get(status, MARKS["candidate"])
        painter.setFont(bold)
        painter.setPen(text_color if selected else mark_color)
        mark_rect = QRect(rect.left(), rect.top(), 18, rect.height())
        painter.drawText(mark_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, mark)
        x = rect.left() + 20
        if h.polarity == "negative":
            x = self._badge(painter, x, rect, font, selected)
        before, marker, after = fit(*split_sentence(h), fm, bfm, rect.right() - x)
        baseline = rect.top() + (rect.height() + fm.ascent() - fm.descent()) // 2
        painter.setFont(font)
        painter.setPen(text_color)
        painter.drawText(x, baseline, before)
        x += fm.horizontalAdvance(before)
        wm = bfm.horizontalAdvance(marker)
        if not selected:
            tint = QColor(ACT_COLORS.get(h.act, "#999999"))
            tint.setAlpha(70)
            painter.fillRect(QRect(x - 1, rect.top() + 3, wm + 2, rect.height() - 6), tint)
        painter.setFont(bold)
        painter.drawText(x, baseline, marker)
        x += wm
        painter.setFont(font)
        painter.drawText(x, baseline, after)
        painter.restore()

    @staticmethod
    def _badge(painter: QPainter, x: int, rect: QRect, font: QFont, selected: bool) -> int:
        small = QFont(font)
        small.setPointSizeF(max(6.0, font.pointSizeF() * 0.8))
        small.setBold(True)
        sfm = QFontMetrics(small)
        w = sfm.horizontalAdvance("not") + 8
        h = sfm.height() + 1
        box = QRect(x, rect.top() + (rect.height() - h) // 2, w, h)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QColor("#B3261E") if not selected else QColor("white"))
        painter.setBrush(QColor("#FBEAE8") if not selected else Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(box, 4, 4)
        painter.setFont(small)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, "not")
        return x + w + 6

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        base = super().sizeHint(option, index)
        return QSize(base.width(), max(base.height(), option.fontMetrics.height() + 8))


class ReviewTree(QTreeView):
    """The queue's view; keys go to ``on_key(event) -> handled`` before the tree's own handling."""

    def __init__(self, model: ReviewModel, on_key: Callable[[QKeyEvent], bool]) -> None:
        super().__init__()
        self._on_key = on_key
        self.setModel(model)
        self.setItemDelegateForColumn(PASSAGE, PassageDelegate(self))
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAllColumnsShowFocus(True)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(PASSAGE, QHeaderView.ResizeMode.Stretch)
        for col, width in ((SUBJECT, 70), (SPEAKER, 110), (SOURCE, 170)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, width)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._on_key(event):
            super().keyPressEvent(event)

"""Shared pieces of the narrative views: change watching, commands with
messages, passage mime data, speech-act swatches and a two-line card delegate."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import shiboken6
from PySide6.QtCore import QMimeData, QModelIndex, QObject, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QIcon, QPainter, QPen, QPixmap, QTextLayout
from PySide6.QtWidgets import QLabel, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from qdaapp.core.commands import Change
from qdaapp.core.errors import QdaError
from qdaapp.core.review import ACT_COLORS
from qdaapp.gui.dialogs.messages import show_error

SPAN_MIME = "application/x-qdaapp-span"
PASSAGES_MIME = "application/x-qdaapp-passages"
NO_ACT_COLOR = "#BBBBBB"
# What the narrative views show: a change that touches any of these re-reads them.
NARRATIVE_ENTITIES = ("fragment", "fragment link", "fragment passage", "account", "account passage", "actant role",
                      "actor", "framework cell", "case", "source", "node", "coding")
Passage = tuple[int, int, int]  # source id, start, end (code points)

HEADING_ROLE = Qt.ItemDataRole.UserRole + 1
COLOR_ROLE = Qt.ItemDataRole.UserRole + 2
ID_ROLE = Qt.ItemDataRole.UserRole + 3
SPAN_ROLE = Qt.ItemDataRole.UserRole + 4


def act_color(act: str | None) -> QColor:
    return QColor(ACT_COLORS.get(act or "", NO_ACT_COLOR))


def act_swatch(act: str | None, filled: bool = True, size: int = 14) -> QPixmap:
    """A rounded square in the act's colour; outlined (not filled) for a missing act."""
    ratio = 2.0
    pixmap = QPixmap(int(size * ratio), int(size * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    color = act_color(act)
    painter.setPen(QPen(color, 1.6))
    painter.setBrush(color if filled else Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(QRectF(1, 1, size - 2, size - 2), 3, 3)
    painter.end()
    return pixmap


def act_icon(act: str | None, filled: bool = True) -> QIcon:
    return QIcon(act_swatch(act, filled))


def account_progress(row: dict) -> str:
    """'6 fragments · 4 of 5 speech acts · 3 interviewees' for a row of ``flowgraph.list_accounts``."""
    if not row["fragments"]:
        n = row["passages"]
        return f"{n} passage{'s' if n != 1 else ''} · no fragments yet"
    acts, n_frag, n_cases = len(row["present"]), row["fragments"], row["cases"]
    return " · ".join([f"{n_frag} fragment{'s' if n_frag != 1 else ''}",
                       f"{acts} of {acts + len(row['missing'])} speech acts",
                       f"{n_cases} interviewee{'s' if n_cases != 1 else ''}"])


def is_relevant(change: Change) -> bool:
    return change.touches(*NARRATIVE_ENTITIES)


class _Relay(QObject):
    changed = Signal(object)


def watch(project: Any, owner: QObject, handler: Callable[[Change], None],
          relevant: Callable[[Change], bool] = is_relevant) -> Callable[[Change], None]:
    """Call ``handler(change)`` on the GUI thread after each ``relevant`` project change (by default one
    touching the narrative tables), for as long as ``owner`` lives; the subscription ends with it."""
    relay = _Relay(owner)
    relay.changed.connect(handler)

    def listener(change: Change) -> None:
        if not shiboken6.isValid(relay):
            project.unsubscribe(listener)
            return
        if relevant(change):
            relay.changed.emit(change)

    project.subscribe(listener)
    owner.destroyed.connect(lambda *_: project.unsubscribe(listener))
    return listener


def try_run(parent: QWidget | None, project: Any, fn: Callable, *args: Any, **kwargs: Any) -> tuple[bool, Any]:
    """Run a command; a refusal is shown to the user. Returns (done, result)."""
    try:
        return True, project.run(fn, *args, **kwargs)
    except QdaError as exc:
        show_error(parent, exc)
        return False, None


def passages_from_mime(mime: QMimeData) -> list[Passage]:
    """Passages carried by a drag: a span with its source, or a list of passages.
    A span without ``source_id`` (a bare selection offset) is ignored."""
    found: list[Passage] = []
    items: list = []
    try:
        if mime.hasFormat(PASSAGES_MIME):
            data = json.loads(bytes(mime.data(PASSAGES_MIME).data()).decode("utf-8"))
            items.extend(data if isinstance(data, list) else [])
        if mime.hasFormat(SPAN_MIME):
            items.append(json.loads(bytes(mime.data(SPAN_MIME).data()).decode("utf-8")))
    except (ValueError, UnicodeDecodeError):
        return []
    for item in items:
        if not isinstance(item, dict):
            continue
        try:
            sid, start, end = int(item["source_id"]), int(item["start"]), int(item["end"])
        except (KeyError, TypeError, ValueError):
            continue
        if 0 <= start < end and (sid, start, end) not in found:
            found.append((sid, start, end))
    return found


def passages_mime(passages: Iterable[Passage], text: str = "") -> QMimeData:
    mime = QMimeData()
    mime.setData(PASSAGES_MIME, json.dumps([{"source_id": s, "start": a, "end": b}
                                            for s, a, b in passages]).encode("utf-8"))
    if text:
        mime.setText(text)
    return mime


def one_line(text: str) -> str:
    return " ".join(text.split())


def elided_lines(text: str, font: QFont, width: float, max_lines: int) -> list[str]:
    """``text`` wrapped to ``width``; at most ``max_lines`` lines, the last elided with '…'."""
    if width <= 10 or not text:
        return []
    layout = QTextLayout(text, font)
    layout.beginLayout()
    lines: list[str] = []
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        start, length = line.textStart(), line.textLength()
        if len(lines) == max_lines - 1:
            rest = text[start:].replace("\n", " ")
            lines.append(QFontMetricsF(font).elidedText(rest, Qt.TextElideMode.ElideRight, width))
            break
        lines.append(text[start:start + length].rstrip("\n"))
    layout.endLayout()
    return lines


def section_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("PanelHeader")
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


def hint_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("PanelHint")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setStyleSheet("QLabel { color: #4F4B45; background: #FBF8F1; border: 1px dashed #D5CDBB;"
                        " border-radius: 6px; padding: 8px; }")
    return label


def muted_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("Muted")
    label.setWordWrap(True)
    label.setStyleSheet("QLabel { color: #6B6B6B; }")
    return label


class CardDelegate(QStyledItemDelegate):
    """List rows as small cards: a coloured bar, a bold heading line and up to
    ``lines`` lines of body text (elided)."""

    PAD = 6

    def __init__(self, parent: QWidget, lines: int = 3) -> None:
        super().__init__(parent)
        self.lines = lines

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        body = QFont(option.font)
        heading = QFont(option.font)
        heading.setPointSizeF(max(7.5, body.pointSizeF() - 1.0))
        heading.setBold(True)
        return heading, body

    def _width(self, option: QStyleOptionViewItem) -> float:
        view = self.parent()
        if isinstance(view, QWidget) and hasattr(view, "verticalScrollBar"):
            # As if the scroll bar were shown, so rows keep their height when it appears.
            width = view.width() - 2 * view.frameWidth() - view.verticalScrollBar().sizeHint().width()
        else:
            width = 240
        return max(60.0, width - 3 * self.PAD - 8)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        heading, body = self._fonts(option)
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        n = max(1, len(elided_lines(one_line(text), body, self._width(option), self.lines)))
        height = QFontMetricsF(heading).lineSpacing() + n * QFontMetricsF(body).lineSpacing() + 2 * self.PAD + 2
        return QSize(int(self._width(option)), int(height))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        painter.save()
        rect = QRectF(option.rect)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.fillRect(rect, QColor("#DCE7F2") if selected else QColor("white"))
        painter.setPen(QPen(QColor("#ECE9E2"), 1))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        color = index.data(COLOR_ROLE)
        if color:
            painter.fillRect(QRectF(rect.left() + 2, rect.top() + 4, 4, rect.height() - 8), QColor(color))
        heading_font, body_font = self._fonts(option)
        x = rect.left() + self.PAD + 8
        y = rect.top() + self.PAD
        heading = str(index.data(HEADING_ROLE) or "")
        metrics = QFontMetricsF(heading_font)
        painter.setFont(heading_font)
        painter.setPen(QColor("#4A4A4A"))
        painter.drawText(QPointF(x, y + metrics.ascent()),
                         metrics.elidedText(heading, Qt.TextElideMode.ElideRight, rect.width() - x - self.PAD))
        y += metrics.lineSpacing()
        painter.setFont(body_font)
        painter.setPen(QColor("#1F1F1F") if index.flags() & Qt.ItemFlag.ItemIsEnabled else QColor("#9A968E"))
        body_metrics = QFontMetricsF(body_font)
        text = one_line(str(index.data(Qt.ItemDataRole.DisplayRole) or ""))
        for line in elided_lines(text, body_font, self._width(option), self.lines):
            painter.drawText(QPointF(x, y + body_metrics.ascent()), line)
            y += body_metrics.lineSpacing()
        painter.restore()


ACT_HINTS = {
    "manipulation": "someone is made or asked to act (\"have to\", \"must\", \"were told to\")",
    "commitment": "the subject accepts the task (\"want to\", \"decided to\", \"agreed to\")",
    "competence": "the subject is able to act (\"able to\", \"know how to\", \"managed to\")",
    "performance": "the task is done (\"we set up\", \"we did\")",
    "sanction": "the result is evaluated (\"worked well\", \"failed\")",
}

"""The graphics items of the flow chart: fragment boxes, arrows and the title.

Boxes and arrows paint through :mod:`qdaapp.render.flowchart`, the same code
that writes the exported SVG, PNG and PDF figures.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from qdaapp.core.flowgraph import Box, route
from qdaapp.render import flowchart

SELECTION = QColor(47, 111, 163, 70)


class FragmentItem(QGraphicsItem):
    """One fragment box; its position is the box's top-left corner in chart coordinates."""

    def __init__(self, box: Box, fonts: dict[str, QFont], movable: bool = True) -> None:
        super().__init__()
        self.box = box
        self.fonts = fonts
        self.edges: list[EdgeItem] = []
        flags = (QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
                 | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges
                 | QGraphicsItem.GraphicsItemFlag.ItemIsFocusable)
        if movable:
            flags |= QGraphicsItem.GraphicsItemFlag.ItemIsMovable
        self.setFlags(flags)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.OpenHandCursor if movable else Qt.CursorShape.ArrowCursor)
        self.setPos(box.x, box.y)
        self._update_tooltip()

    @property
    def fragment_id(self) -> int:
        return self.box.id

    def rect(self) -> QRectF:
        return QRectF(0, 0, self.box.width, self.box.height)

    def scene_rect(self) -> QRectF:
        return QRectF(self.pos(), QSizeF(self.box.width, self.box.height))

    def boundingRect(self) -> QRectF:
        return self.rect().adjusted(-5, -5, 5, 5)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRect(self.rect())
        return path

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        selected = self.isSelected()
        if selected:
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(QPen(SELECTION, 6))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(self.rect().adjusted(-2, -2, 2, 2), 3, 3)
            painter.restore()
        flowchart.paint_box(painter, self.box, self.rect(), self.fonts, selected)

    def set_box(self, box: Box, move: bool = True) -> None:
        if (box.width, box.height) != (self.box.width, self.box.height):
            self.prepareGeometryChange()
        self.box = box
        if move and (abs(self.pos().x() - box.x) > 0.01 or abs(self.pos().y() - box.y) > 0.01):
            self.setPos(box.x, box.y)
        self._update_tooltip()
        self.update()

    def moved(self) -> bool:
        return abs(self.pos().x() - self.box.x) > 0.5 or abs(self.pos().y() - self.box.y) > 0.5

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: Any) -> Any:
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            for edge in self.edges:
                edge.adjust()
        return super().itemChange(change, value)

    def _update_tooltip(self) -> None:
        b = self.box
        parts = [f"<b>{(b.act or 'no speech act').capitalize()}</b>" + (f" · {b.case}" if b.case else "")]
        if b.actors:
            parts.append("Actors: " + ", ".join(b.actors))
        parts.append("<span style='color:#6B6B6B'>Double-click to edit · drag to move · "
                     "Shift+drag to another box to link</span>")
        self.setToolTip("<br>".join(parts))


class EdgeItem(QGraphicsItem):
    """A link between two boxes, along the route the layout gave it; while a
    box is being dragged (or was placed by hand) the arrow goes straight."""

    def __init__(self, source: FragmentItem, target: FragmentItem, edge: dict, fonts: dict[str, QFont]) -> None:
        super().__init__()
        self.source, self.target, self.fonts = source, target, fonts
        self.label, self.kind = edge.get("label", ""), edge.get("kind", "extra")
        self.routed = list(edge.get("points", []))
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(-1)
        self.setToolTip((f"“{self.label}” · " if self.label else "")
                        + ("The story's sequence" if self.kind == "sequence" else "A link you drew")
                        + " · Right-click to label or remove this link")
        source.edges.append(self)
        target.edges.append(self)
        self.points: list[tuple[float, float]] = []
        self._path = QPainterPath()
        self._bounds = QRectF()
        self.adjust()

    @property
    def key(self) -> tuple[int, int]:
        return self.source.fragment_id, self.target.fragment_id

    def detach(self) -> None:
        for item in (self.source, self.target):
            if self in item.edges:
                item.edges.remove(self)

    def adjust(self) -> None:
        self.prepareGeometryChange()
        if self.routed and not (self.source.moved() or self.target.moved()):
            self.points = self.routed
        else:
            a, b = self.source.scene_rect(), self.target.scene_rect()
            self.points = route((a.x(), a.y(), a.width(), a.height()), (b.x(), b.y(), b.width(), b.height()))
        self._path = flowchart.edge_path(self.points)
        bounds = self._path.boundingRect().adjusted(-8, -8, 8, 8)
        if self.label:
            bounds = bounds.united(flowchart.label_rect(self.points, self.label, self.fonts).adjusted(-2, -2, 2, 2))
        self._bounds = bounds

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(10)
        return stroker.createStroke(self._path)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        if self.isSelected():
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(QPen(SELECTION, 7, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            painter.drawPath(self._path)
            painter.restore()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        flowchart.paint_edge(painter, self.points, self.label, self.fonts)


class TitleItem(QGraphicsItem):
    """The figure's title above the boxes, in the font the export uses."""

    def __init__(self, title: str, width: float, fonts: dict[str, QFont]) -> None:
        super().__init__()
        self.title, self.fonts = title, fonts
        self.width = max(width, 280.0)
        self._height = QFontMetricsF(fonts["title"]).boundingRect(
            QRectF(0, 0, self.width, 10_000), int(Qt.TextFlag.TextWordWrap), title).height()
        self.setPos(0, -self._height - 22)
        self.setZValue(-2)

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, self.width, self._height)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setFont(self.fonts["title"])
        painter.setPen(QColor("#111111"))
        painter.drawText(self.boundingRect(), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
                         | int(Qt.TextFlag.TextWordWrap), self.title)

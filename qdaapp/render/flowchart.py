"""Drawing flow charts with QPainter: on screen, and to SVG, PDF and PNG.

One painting routine serves the app's flow-chart view and the exports, so
the figure a user sees is the figure they get. The look follows a journal
figure: white background, thin black outlines, the speech act as a coloured
band with its label, actors in small capitals, the case in the corner, plain
arrows with optional labels, vector text.

This package uses Qt but never the app's widgets, so the command line can
render headless (QT_QPA_PLATFORM=offscreen).
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QImage,
    QPageSize,
    QPainter,
    QPainterPath,
    QPdfWriter,
    QPen,
    QPolygonF,
    QTextOption,
)

from qdaapp.core.flowgraph import Box, Graph, restack

ACT_COLORS = {"manipulation": "#E69F00", "commitment": "#56B4E9", "competence": "#009E73",
              "performance": "#0072B2", "sanction": "#D55E00"}
BAND = 18.0
PAD = 10.0
MARGIN = 36.0


def ensure_app() -> QGuiApplication:
    """A Qt application for painting: offscreen when there is no display.

    It is a full QApplication so the same process can open windows later
    (a GUI-less application cannot be upgraded once it exists).
    """
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication([])
    return app  # type: ignore[return-value]


def fonts() -> dict[str, QFont]:
    body = QFont("DejaVu Sans")
    body.setStyleHint(QFont.StyleHint.SansSerif)
    body.setPointSizeF(8.5)
    small = QFont(body)
    small.setPointSizeF(7.0)
    caps = QFont(small)
    caps.setCapitalization(QFont.Capitalization.SmallCaps)
    label = QFont(small)
    label.setBold(True)
    title = QFont(body)
    title.setPointSizeF(11)
    title.setBold(True)
    return {"body": body, "small": small, "caps": caps, "label": label, "title": title}


def paint_box(painter: QPainter, box: Box, rect: QRectF, f: dict[str, QFont], selected: bool = False) -> None:
    """One fragment box: band with the act, summary, actors, case."""
    painter.save()
    painter.setPen(QPen(QColor("#1a1a1a"), 1.6 if selected else 0.8))
    painter.setBrush(QColor("white"))
    painter.drawRect(rect)
    color = QColor(ACT_COLORS.get(box.act or "", "#BBBBBB"))
    band = QRectF(rect.left(), rect.top(), rect.width(), BAND)
    painter.fillRect(band.adjusted(0.4, 0.4, -0.4, 0), color)
    painter.setFont(f["label"])
    painter.setPen(QColor("white") if box.act in ("performance", "commitment", "competence", "sanction",
                                                   "manipulation") else QColor("#333333"))
    act_label = (box.act or "no speech act").upper()
    painter.drawText(band.adjusted(PAD, 0, -PAD, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                     act_label)
    if box.case:
        painter.setFont(f["small"])
        painter.drawText(band.adjusted(PAD, 0, -PAD, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                         box.case)
    painter.setPen(QColor("#111111"))
    painter.setFont(f["body"])
    text_rect = QRectF(rect.left() + PAD, rect.top() + BAND + 6, rect.width() - 2 * PAD,
                       rect.height() - BAND - 12 - (14 if box.actors else 0))
    option = QTextOption(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    painter.drawText(text_rect, box.summary, option)
    if box.actors:
        painter.setFont(f["caps"])
        painter.setPen(QColor("#444444"))
        actors_rect = QRectF(rect.left() + PAD, rect.bottom() - 18, rect.width() - 2 * PAD, 14)
        painter.drawText(actors_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         QFontMetricsF(f["caps"]).elidedText(", ".join(box.actors), Qt.TextElideMode.ElideRight,
                                                             actors_rect.width()))
    painter.restore()


def fit_heights(graph: Graph, f: dict[str, QFont]) -> None:
    """Make each box tall enough for its wrapped summary with the real font."""
    metrics = QFontMetricsF(f["body"])
    for box in graph.boxes:
        text = metrics.boundingRect(QRectF(0, 0, box.width - 2 * PAD, 10_000),
                                    int(Qt.TextFlag.TextWordWrap), box.summary)
        box.height = BAND + 16 + text.height() + (18 if box.actors else 0)
    restack(graph)


def edge_points(a: QRectF, b: QRectF) -> tuple[QPointF, QPointF]:
    if b.top() >= a.bottom() - 1:
        return QPointF(a.center().x(), a.bottom()), QPointF(b.center().x(), b.top())
    if a.top() >= b.bottom() - 1:
        return QPointF(a.center().x(), a.top()), QPointF(b.center().x(), b.bottom())
    if b.left() >= a.right():
        return QPointF(a.right(), a.center().y()), QPointF(b.left(), b.center().y())
    return QPointF(a.left(), a.center().y()), QPointF(b.right(), b.center().y())


def paint_edge(painter: QPainter, a: QRectF, b: QRectF, label: str, f: dict[str, QFont]) -> None:
    start, end = edge_points(a, b)
    painter.save()
    pen = QPen(QColor("#222222"), 0.9)
    painter.setPen(pen)
    path = QPainterPath(start)
    if abs(start.x() - end.x()) > 1 and end.y() > start.y():
        mid = (start.y() + end.y()) / 2
        path.cubicTo(QPointF(start.x(), mid), QPointF(end.x(), mid), end)
        angle = math.pi / 2
    else:
        path.lineTo(end)
        angle = math.atan2(end.y() - start.y(), end.x() - start.x())
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(path)
    size = 6.0
    head = QPolygonF([end,
                      QPointF(end.x() - size * math.cos(angle - 0.4), end.y() - size * math.sin(angle - 0.4)),
                      QPointF(end.x() - size * math.cos(angle + 0.4), end.y() - size * math.sin(angle + 0.4))])
    painter.setBrush(QColor("#222222"))
    painter.drawPolygon(head)
    if label:
        painter.setFont(f["small"])
        mid_point = path.pointAtPercent(0.5)
        metrics = QFontMetricsF(f["small"])
        w = metrics.horizontalAdvance(label) + 6
        box = QRectF(mid_point.x() + 4, mid_point.y() - 7, w, 14)
        painter.fillRect(box, QColor("white"))
        painter.setPen(QColor("#333333"))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, label)
    painter.restore()


def paint_graph(painter: QPainter, graph: Graph, f: dict[str, QFont], offset: QPointF) -> None:
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    rects = {b.id: QRectF(b.x + offset.x(), b.y + offset.y(), b.width, b.height) for b in graph.boxes}
    for e in graph.edges:
        if e["from"] in rects and e["to"] in rects:
            paint_edge(painter, rects[e["from"]], rects[e["to"]], e.get("label", ""), f)
    for b in graph.boxes:
        paint_box(painter, b, rects[b.id], f)


def _title_height(graph: Graph, f: dict[str, QFont], width: float) -> float:
    rect = QFontMetricsF(f["title"]).boundingRect(QRectF(0, 0, width, 10_000), int(Qt.TextFlag.TextWordWrap),
                                                  graph.title)
    return rect.height() + 14


def figure_size(graph: Graph, f: dict[str, QFont]) -> tuple[QSizeF, float]:
    width = max((b.x + b.width for b in graph.boxes), default=280.0)
    height = max((b.y + b.height for b in graph.boxes), default=60.0)
    title = _title_height(graph, f, width)
    return QSizeF(width + 2 * MARGIN, height + 2 * MARGIN + title), title


def _paint_figure(painter: QPainter, graph: Graph, f: dict[str, QFont], size: QSizeF, title: float) -> None:
    painter.fillRect(QRectF(QPointF(0, 0), size), QColor("white"))
    painter.setFont(f["title"])
    painter.setPen(QColor("#111111"))
    painter.drawText(QRectF(MARGIN, MARGIN, size.width() - 2 * MARGIN, title),
                     int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop) | int(Qt.TextFlag.TextWordWrap),
                     graph.title)
    paint_graph(painter, graph, f, QPointF(MARGIN, MARGIN + title))


def export(graph: Graph, path: Path) -> None:
    """Write ``graph`` as SVG, PDF (vector) or PNG, chosen by the suffix."""
    ensure_app()
    f = fonts()
    fit_heights(graph, f)
    size, title = figure_size(graph, f)
    suffix = path.suffix.lower()
    painter = QPainter()
    if suffix == ".svg":
        from PySide6.QtSvg import QSvgGenerator

        gen = QSvgGenerator()
        gen.setFileName(str(path))
        gen.setSize(size.toSize())
        gen.setViewBox(QRectF(QPointF(0, 0), size))
        gen.setTitle(graph.title)
        gen.setDescription("Flow chart of a narrative account (qdaapp)")
        painter.begin(gen)
        _paint_figure(painter, graph, f, size, title)
        painter.end()
    elif suffix == ".pdf":
        writer = QPdfWriter(str(path))
        writer.setResolution(72)
        writer.setTitle(graph.title)
        writer.setCreator("qdaapp")
        writer.setPageSize(QPageSize(size, QPageSize.Unit.Point, "figure"))
        writer.setPageMargins(QMarginsF(0, 0, 0, 0))
        painter.begin(writer)
        _paint_figure(painter, graph, f, size, title)
        painter.end()
    elif suffix == ".png":
        scale = 2.0
        image = QImage((size * scale).toSize(), QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        painter.begin(image)
        painter.scale(scale, scale)
        _paint_figure(painter, graph, f, size, title)
        painter.end()
        if not image.save(str(path), "PNG"):
            raise OSError(f"could not save {path.name}")
    else:
        raise ValueError(suffix)

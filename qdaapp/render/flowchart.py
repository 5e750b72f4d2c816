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
from itertools import pairwise
from pathlib import Path

from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QPaintDevice,
    QPainter,
    QPainterPath,
    QPdfWriter,
    QPen,
    QPolygonF,
    QTextOption,
)

from qdaapp.core.flowgraph import PAGE_MARGIN, PAGES, Box, Graph, Point, arrange, page_area

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


def screen_dpi() -> float:
    """The resolution text is measured at when no device is named (Qt's default)."""
    screen = QGuiApplication.primaryScreen()
    return float(round(screen.logicalDotsPerInchY())) if screen is not None else 96.0


def fonts(dpi: float | None = None) -> dict[str, QFont]:
    """The chart's fonts for a device of ``dpi`` (default: the screen's).

    Sizes are those of a 96-dpi screen and are scaled for other devices, so
    text keeps one size in chart units everywhere: what was measured to size
    the boxes is what a PDF (72 dpi), an SVG or a PNG draws.
    """
    k = 96.0 / (dpi or screen_dpi())
    body = QFont("DejaVu Sans")
    body.setStyleHint(QFont.StyleHint.SansSerif)
    body.setPointSizeF(8.5 * k)
    small = QFont(body)
    small.setPointSizeF(7.0 * k)
    caps = QFont(small)
    caps.setCapitalization(QFont.Capitalization.SmallCaps)
    label = QFont(small)
    label.setBold(True)
    title = QFont(body)
    title.setPointSizeF(11 * k)
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
    """Give every box the height of the tallest wrapped summary with the real
    font (boxes of one size read as a figure), then lay the grid out again."""
    metrics = QFontMetricsF(f["body"])
    tallest = 0.0
    for box in graph.boxes:
        text = metrics.boundingRect(QRectF(0, 0, box.width - 2 * PAD, 10_000),
                                    int(Qt.TextFlag.TextWordWrap), box.summary)
        tallest = max(tallest, BAND + 16 + text.height() + (18 if box.actors else 0))
    if graph.boxes:
        arrange(graph, math.ceil(tallest))


def edge_path(points: list[Point]) -> QPainterPath:
    """The arrow's line through its route's points."""
    path = QPainterPath(QPointF(*points[0]))
    for x, y in points[1:]:
        path.lineTo(x, y)
    return path


def paint_edge(painter: QPainter, points: list[Point], label: str, f: dict[str, QFont]) -> None:
    """A plain arrow along ``points`` (tail to head), with its label beside the middle."""
    if len(points) < 2:
        return
    painter.save()
    painter.setPen(QPen(QColor("#222222"), 0.9, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap,
                        Qt.PenJoinStyle.MiterJoin))
    path = edge_path(points)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(path)
    (x0, y0), (x1, y1) = points[-2], points[-1]
    angle = math.atan2(y1 - y0, x1 - x0)
    end, size = QPointF(x1, y1), 6.0
    head = QPolygonF([end,
                      QPointF(end.x() - size * math.cos(angle - 0.4), end.y() - size * math.sin(angle - 0.4)),
                      QPointF(end.x() - size * math.cos(angle + 0.4), end.y() - size * math.sin(angle + 0.4))])
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#222222"))
    painter.drawPolygon(head)
    if label:
        painter.setFont(f["small"])
        box = label_rect(points, label, f)
        painter.fillRect(box, QColor("white"))
        painter.setPen(QColor("#333333"))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, label)
    painter.restore()


def label_rect(points: list[Point], label: str, f: dict[str, QFont]) -> QRectF:
    """Where an arrow's label goes: at the middle of its line, on the line when that
    part runs across (the label's white ground interrupts it), and beside it on
    the outer side when it runs up or down, so it never covers a box."""
    path = edge_path(points)
    mid = path.pointAtPercent(0.5)
    w, h = QFontMetricsF(f["small"]).horizontalAdvance(label) + 6, 14.0
    vertical = any(abs(x0 - x1) < 0.01 and min(y0, y1) - 0.5 <= mid.y() <= max(y0, y1) + 0.5
                   and abs(x0 - mid.x()) < 0.5 for (x0, y0), (x1, y1) in pairwise(points))
    if not vertical:
        return QRectF(mid.x() - w / 2, mid.y() - h / 2, w, h)
    if mid.x() < points[0][0] - 0.5:  # the line went out to the left of where it started
        return QRectF(mid.x() - 4 - w, mid.y() - h / 2, w, h)
    return QRectF(mid.x() + 4, mid.y() - h / 2, w, h)


def paint_graph(painter: QPainter, graph: Graph, f: dict[str, QFont], offset: QPointF) -> None:
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    dx, dy = offset.x(), offset.y()
    for e in graph.edges:
        if e.get("points"):
            paint_edge(painter, [(x + dx, y + dy) for x, y in e["points"]], e.get("label", ""), f)
    for b in graph.boxes:
        paint_box(painter, b, QRectF(b.x + dx, b.y + dy, b.width, b.height), f)


def _title_height(graph: Graph, f: dict[str, QFont], width: float) -> float:
    rect = QFontMetricsF(f["title"]).boundingRect(QRectF(0, 0, width, 10_000), int(Qt.TextFlag.TextWordWrap),
                                                  graph.title)
    return rect.height() + 14


def chart_bounds(graph: Graph) -> QRectF:
    """Everything drawn: boxes (a box placed by hand may lie left of or above the grid) and arrows."""
    rect = QRectF(0, 0, max(graph.width, 1.0), max(graph.height, 1.0))
    for b in graph.boxes:
        rect = rect.united(QRectF(b.x, b.y, b.width, b.height))
    for e in graph.edges:
        for x, y in e.get("points", []):
            rect = rect.united(QRectF(x - 1, y - 1, 2, 2))
    return rect


def figure_size(graph: Graph, f: dict[str, QFont], margin: float = MARGIN) -> tuple[QSizeF, float]:
    """The figure's own size (chart, title and ``margin`` around) and the title's height."""
    bounds = chart_bounds(graph) if graph.boxes else QRectF(0, 0, 280.0, 60.0)
    title = _title_height(graph, f, bounds.width())
    return QSizeF(bounds.width() + 2 * margin, bounds.height() + 2 * margin + title), title


def _paint_figure(painter: QPainter, graph: Graph, f: dict[str, QFont], size: QSizeF, title: float,
                  margin: float = MARGIN, background: bool = True) -> None:
    if background:
        painter.fillRect(QRectF(QPointF(0, 0), size), QColor("white"))
    painter.setFont(f["title"])
    painter.setPen(QColor("#111111"))
    painter.drawText(QRectF(margin, margin, size.width() - 2 * margin, title),
                     int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop) | int(Qt.TextFlag.TextWordWrap),
                     graph.title)
    bounds = chart_bounds(graph) if graph.boxes else QRectF()
    paint_graph(painter, graph, f, QPointF(margin - bounds.left(), margin + title - bounds.top()))


def page_size(page: str, landscape: bool = False) -> QSizeF:
    """A paper size in points."""
    w, h = PAGES[page]
    return QSizeF(h, w) if landscape else QSizeF(w, h)


def _paint_page(painter: QPainter, graph: Graph, f: dict[str, QFont], paper: QSizeF) -> None:
    """The figure on a sheet of ``paper``: inside the margins, scaled down to fit
    (never up), centred across and set at the top."""
    painter.fillRect(QRectF(QPointF(0, 0), paper), QColor("white"))
    size, title = figure_size(graph, f, margin=0.0)
    area = QSizeF(paper.width() - 2 * PAGE_MARGIN, paper.height() - 2 * PAGE_MARGIN)
    scale = min(1.0, area.width() / size.width(), area.height() / size.height())
    painter.save()
    painter.translate(PAGE_MARGIN + (area.width() - size.width() * scale) / 2, PAGE_MARGIN)
    painter.scale(scale, scale)
    _paint_figure(painter, graph, f, size, title, margin=0.0, background=False)
    painter.restore()


def export(graph: Graph, path: Path, page: str | None = None, landscape: bool = False) -> None:
    """Write ``graph`` as SVG, PDF (vector) or PNG, chosen by the suffix.

    Without ``page`` the sheet is the figure's own size. With ``page``
    (``a4`` or ``letter``, portrait unless ``landscape``) the sheet is exactly
    that paper: a snake is re-wrapped to suit it and the chart is scaled down
    to fit inside the margins, text staying vector in SVG and PDF.
    """
    ensure_app()
    f = fonts()
    if page is not None:
        if page not in PAGES:
            raise ValueError(f"unknown page size {page!r}; use {' or '.join(PAGES)}")
        graph.page = page_area(page, landscape)
    fit_heights(graph, f)
    size, title = figure_size(graph, f)
    sheet = page_size(page, landscape) if page else size

    def paint(painter: QPainter, device: QPaintDevice) -> None:
        on_device = fonts(device.logicalDpiY())
        if page:
            _paint_page(painter, graph, on_device, sheet)
        else:
            _paint_figure(painter, graph, on_device, size, title)

    suffix = path.suffix.lower()
    painter = QPainter()
    if suffix == ".svg":
        from PySide6.QtSvg import QSvgGenerator

        gen = QSvgGenerator()
        gen.setFileName(str(path))
        # 254 dots per inch make whole numbers of tenths of a millimetre for A4 and Letter alike
        gen.setResolution(254 if page else 72)
        gen.setSize((sheet * (254 / 72) if page else sheet).toSize())
        gen.setViewBox(QRectF(QPointF(0, 0), sheet))
        gen.setTitle(graph.title)
        gen.setDescription("Flow chart of a narrative account (qdaapp)")
        painter.begin(gen)
        paint(painter, gen)
        painter.end()
    elif suffix == ".pdf":
        writer = QPdfWriter(str(path))
        writer.setResolution(72)
        writer.setTitle(graph.title)
        writer.setCreator("qdaapp")
        if page:
            writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4 if page == "a4" else QPageSize.PageSizeId.Letter))
            writer.setPageOrientation(QPageLayout.Orientation.Landscape if landscape
                                      else QPageLayout.Orientation.Portrait)
        else:
            writer.setPageSize(QPageSize(sheet, QPageSize.Unit.Point, "figure"))
        writer.setPageMargins(QMarginsF(0, 0, 0, 0))
        painter.begin(writer)
        paint(painter, writer)
        painter.end()
    elif suffix == ".png":
        dpi = 300.0 if page else 144.0
        scale = dpi / 72
        image = QImage((sheet * scale).toSize(), QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        painter.begin(image)
        painter.scale(scale, scale)
        paint(painter, image)
        painter.end()
        image.setDotsPerMeterX(round(dpi / 0.0254))  # after painting: the text was laid out at the figure's scale
        image.setDotsPerMeterY(round(dpi / 0.0254))
        if not image.save(str(path), "PNG"):
            raise OSError(f"could not save {path.name}")
    else:
        raise ValueError(suffix)

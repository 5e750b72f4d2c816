"""Bar charts of node frequencies, drawn with QPainter to SVG (vector) or PNG.

The look is a journal figure: white background, horizontal grouped bars
(node paths stay readable however long), the Okabe-Ito colour-blind-safe
palette in a fixed order, a light grid on the value axis, axis labels and a
legend. Past eight groups the colours repeat with a hatch so every group
stays distinguishable.

Also here: bytes-returning wrappers the command line hands to the core
reports as callbacks (the core never imports Qt), for charts and for the
flow charts of :mod:`qdaapp.render.flowchart`.
"""

from __future__ import annotations

import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QImage, QPainter, QPen

from qdaapp.core.exchange.analysis import FrequencyTable
from qdaapp.core.flowgraph import Graph

from .flowchart import ensure_app

OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999")
WIDTH = 720.0  # points; PNG is drawn at SCALE times this
SCALE = 2.0
MARGIN = 24.0
MAX_LABEL = 230.0


@dataclass
class BarChart:
    """``values[c][s]``: the value of series ``s`` (a legend entry) for category ``c`` (a row)."""

    title: str
    categories: list[str]
    series: list[str]
    values: list[list[float]]
    value_label: str = "Codings"
    series_label: str = ""


def frequency_chart(table: FrequencyTable) -> BarChart:
    """Nodes as rows, the cases (or attribute values) as coloured bars within each row."""
    by = {"case": "case", "source": "source"}.get(table.by, table.group_label)
    return BarChart(f"Codings per node by {by}", [p for _, p in table.nodes], list(table.groups),
                    [list(map(float, row)) for row in table.counts], "Number of codings", table.group_label)


def _fonts() -> dict[str, QFont]:
    """Fonts sized in pixels, so measuring and drawing agree on every device (SVG, PNG, screen)."""

    def font(px: int, bold: bool = False) -> QFont:
        f = QFont("DejaVu Sans")
        f.setStyleHint(QFont.StyleHint.SansSerif)
        f.setPixelSize(px)
        f.setBold(bold)
        return f

    return {"body": font(12), "small": font(10), "title": font(15, bold=True), "axis": font(12)}


def nice_ticks(top: float) -> list[float]:
    """0 .. >= top in steps of 1, 2 or 5 times a power of ten, about five steps."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / 5
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(step, 1.0)
    return [i * step for i in range(math.ceil(top / step - 1e-9) + 1)]


def _breakable(label: str) -> str:
    """Let a long node path wrap after its '/' separators."""
    return label.replace("/", "/\u200b")


@dataclass
class _Layout:
    size: QSizeF
    title_h: float
    legend: list[tuple[float, float, int]]  # (x, y, series index) for each swatch
    legend_h: float
    label_w: float
    plot: QRectF
    bar_h: float
    block: float
    ticks: list[float]


def _layout(chart: BarChart, f: dict[str, QFont]) -> _Layout:
    body, small = QFontMetricsF(f["body"]), QFontMetricsF(f["small"])
    title_h = QFontMetricsF(f["title"]).boundingRect(QRectF(0, 0, WIDTH - 2 * MARGIN, 1000),
                                                     int(Qt.TextFlag.TextWordWrap), chart.title).height() + 10
    label_w = min(MAX_LABEL, max((body.horizontalAdvance(c) for c in chart.categories), default=40.0)) + 10
    wrap = int(Qt.TextFlag.TextWordWrap)
    label_h = max((body.boundingRect(QRectF(0, 0, label_w - 10, 1000), wrap, _breakable(c)).height()
                   for c in chart.categories), default=body.height())
    label_h = min(label_h, 3 * body.lineSpacing())
    legend: list[tuple[float, float, int]] = []
    x, y = MARGIN, 0.0
    prefix = (small.horizontalAdvance(chart.series_label + ":") + 10) if chart.series_label else 0.0
    x += prefix
    line = small.height() + 6
    for i, name in enumerate(chart.series):
        w = 14 + min(small.horizontalAdvance(name), 200) + 16
        if x + w > WIDTH - MARGIN and x > MARGIN + prefix:
            x, y = MARGIN + prefix, y + line
        legend.append((x, y, i))
        x += w
    legend_h = (y + line + 8) if chart.series else 0.0
    n = max(1, len(chart.series))
    bar_h = 14.0 if n == 1 else max(3.0, min(10.0, 40.0 / n))
    block = max(n * bar_h + max(8.0, bar_h * 0.9), label_h + 6)
    top = MARGIN + title_h + legend_h
    plot_h = max(1, len(chart.categories)) * block
    left = MARGIN + label_w
    plot = QRectF(left, top, WIDTH - MARGIN - 12 - left, plot_h)
    height = top + plot_h + 6 + small.height() + 8 + body.height() + MARGIN
    peak = max((v for row in chart.values for v in row), default=0.0)
    return _Layout(QSizeF(WIDTH, math.ceil(height)), title_h, legend, legend_h, label_w, plot, bar_h, block,
                   nice_ticks(peak))


def chart_size(chart: BarChart) -> QSizeF:
    """The figure's size in points (the PNG is :data:`SCALE` times larger in pixels)."""
    ensure_app()
    return _layout(chart, _fonts()).size


def _brush(i: int) -> tuple[QColor, QBrush | None]:
    colour = QColor(OKABE_ITO[i % len(OKABE_ITO)])
    if i < len(OKABE_ITO):
        return colour, None
    patterns = (Qt.BrushStyle.BDiagPattern, Qt.BrushStyle.FDiagPattern, Qt.BrushStyle.CrossPattern)
    hatch = QBrush(QColor("#222222"), patterns[(i // len(OKABE_ITO) - 1) % len(patterns)])
    return colour, hatch


def _swatch(painter: QPainter, rect: QRectF, i: int) -> None:
    colour, hatch = _brush(i)
    painter.fillRect(rect, colour)
    if hatch is not None:
        painter.fillRect(rect, hatch)
    painter.setPen(QPen(QColor(0, 0, 0, 110), 0.5))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(rect)


def paint_chart(painter: QPainter, chart: BarChart) -> QSizeF:
    """Draw the whole figure from (0, 0); returns its size."""
    f = _fonts()
    lay = _layout(chart, f)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    painter.fillRect(QRectF(QPointF(0, 0), lay.size), QColor("white"))
    ink = QColor("#1a1a1a")
    painter.setPen(ink)
    painter.setFont(f["title"])
    painter.drawText(QRectF(MARGIN, MARGIN, WIDTH - 2 * MARGIN, lay.title_h),
                     int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop) | int(Qt.TextFlag.TextWordWrap),
                     chart.title)
    small, body = QFontMetricsF(f["small"]), QFontMetricsF(f["body"])
    legend_top = MARGIN + lay.title_h
    painter.setFont(f["small"])
    if chart.series_label and chart.series:
        painter.setPen(ink)
        painter.drawText(QRectF(MARGIN, legend_top, 200, small.height()),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), chart.series_label + ":")
    for x, y, i in lay.legend:
        box = QRectF(x, legend_top + y + (small.height() - 9) / 2, 9, 9)
        _swatch(painter, box, i)
        painter.setPen(ink)
        painter.drawText(QRectF(x + 14, legend_top + y, 200, small.height()),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         small.elidedText(chart.series[i], Qt.TextElideMode.ElideRight, 200))
    plot, ticks = lay.plot, lay.ticks
    scale = plot.width() / ticks[-1]
    painter.setFont(f["small"])
    for t in ticks:  # grid and tick labels on the value axis
        x = plot.left() + t * scale
        painter.setPen(QPen(QColor("#E3E3E3"), 0.6))
        if t > 0:
            painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
        painter.setPen(QPen(ink, 0.8))
        painter.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + 4))
        painter.drawText(QRectF(x - 30, plot.bottom() + 6, 60, small.height()),
                         int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop), f"{t:g}")
    n = len(chart.series)
    for c, name in enumerate(chart.categories):
        top = plot.top() + c * lay.block + (lay.block - n * lay.bar_h) / 2
        painter.setFont(f["body"])
        painter.setPen(ink)
        centre = plot.top() + (c + 0.5) * lay.block
        painter.drawText(QRectF(MARGIN, centre - lay.block / 2, lay.label_w - 10, lay.block),
                         int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                         | int(Qt.TextFlag.TextWordWrap),
                         _breakable(name))
        for s in range(n):
            value = chart.values[c][s]
            if value <= 0:
                continue
            bar = QRectF(plot.left(), top + s * lay.bar_h, value * scale, lay.bar_h)
            _swatch(painter, bar, s)
            if lay.bar_h >= 7:
                painter.setFont(f["small"])
                painter.setPen(QColor("#333333"))
                painter.drawText(QRectF(bar.right() + 3, bar.top() - 2, 40, lay.bar_h + 4),
                                 int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), f"{value:g}")
    if not chart.categories or not chart.series:
        painter.setFont(f["body"])
        painter.setPen(QColor("#666666"))
        painter.drawText(plot, int(Qt.AlignmentFlag.AlignCenter), "No codings to show")
    painter.setPen(QPen(ink, 0.9))
    painter.drawLine(plot.bottomLeft(), plot.bottomRight())
    painter.drawLine(plot.topLeft(), plot.bottomLeft())
    painter.setFont(f["axis"])
    painter.drawText(QRectF(plot.left(), plot.bottom() + 8 + small.height(), plot.width(), body.height() + 4),
                     int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop), chart.value_label)
    return lay.size


def render_chart(chart: BarChart, fmt: str) -> bytes:
    """The figure as 'svg' (vector text) or 'png' (white, :data:`SCALE` x) bytes."""
    ensure_app()
    size = _layout(chart, _fonts()).size
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    painter = QPainter()
    if fmt == "svg":
        from PySide6.QtSvg import QSvgGenerator

        gen = QSvgGenerator()
        gen.setOutputDevice(buffer)
        gen.setSize(size.toSize())
        gen.setViewBox(QRectF(QPointF(0, 0), size))
        gen.setTitle(chart.title)
        gen.setDescription("Bar chart (qdaapp)")
        painter.begin(gen)
        paint_chart(painter, chart)
        painter.end()
    elif fmt == "png":
        image = QImage((size * SCALE).toSize(), QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        image.setDotsPerMeterX(round(96 * SCALE / 0.0254))  # prints at the figure's intended size
        image.setDotsPerMeterY(round(96 * SCALE / 0.0254))
        painter.begin(image)
        painter.scale(SCALE, SCALE)
        paint_chart(painter, chart)
        painter.end()
        if not image.save(buffer, "PNG"):
            raise OSError("the chart could not be encoded as PNG")
    else:
        raise ValueError(f"unknown chart format {fmt!r}")
    data = bytes(buffer.data())
    buffer.close()
    return data


def frequency_chart_bytes(table: FrequencyTable, fmt: str) -> bytes:
    """Callback for :func:`qdaapp.core.exchange.analysis.export_frequencies`."""
    return render_chart(frequency_chart(table), fmt)


def save_chart(chart: BarChart, path: str | Path) -> None:
    from qdaapp.core.safe_write import write_via_temp

    data = render_chart(chart, Path(path).suffix.lower().lstrip("."))
    write_via_temp(Path(path), lambda tmp: tmp.write_bytes(data))


def flowchart_bytes(graph: Graph, fmt: str) -> bytes:
    """An account's flow chart as 'png' or 'svg' bytes (callback for the audit report)."""
    from .flowchart import export

    fd, tmp = tempfile.mkstemp(prefix="qdaapp-flow-", suffix=f".{fmt}")
    os.close(fd)
    try:
        export(graph, Path(tmp))
        return Path(tmp).read_bytes()
    finally:
        os.unlink(tmp)


__all__ = [
    "OKABE_ITO",
    "BarChart",
    "chart_size",
    "flowchart_bytes",
    "frequency_chart",
    "frequency_chart_bytes",
    "paint_chart",
    "render_chart",
    "save_chart",
]

"""The marker density chart: grouped bars per case, one bar per speech act, drawn with QPainter.

``export(result, path)`` writes a PNG or an SVG, depending on the suffix.
The same ``paint`` function draws both, so they look alike. Qt is imported
here only; without a running application a headless one is created.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

from qdaapp.core.errors import InvalidInput

# Okabe-Ito colours, the same as the speech-act codes of the Greimas coding frame.
ACT_COLOURS = {"manipulation": "#E69F00", "commitment": "#56B4E9", "competence": "#009E73",
               "performance": "#0072B2", "sanction": "#D55E00"}
WIDTH, HEIGHT = 960, 540
_app: Any = None


def _ensure_app() -> None:
    global _app
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _app = QGuiApplication([])


def _nice_step(top: float) -> float:
    raw = max(top, 1e-9) / 5
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def paint(painter: Any, width: int, height: int, result: dict) -> None:
    """Draw the chart of ``result`` (from density.compute) in a width x height area."""
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QFontMetrics, QPen

    acts = result["acts"]
    groups = result["cases"] + ([result["total"]] if len(result["cases"]) > 1 else [])
    painter.fillRect(QRectF(0, 0, width, height), QColor("#FFFFFF"))
    title_font, font = QFont(), QFont()
    title_font.setPixelSize(18)
    title_font.setBold(True)
    font.setPixelSize(12)
    metrics = QFontMetrics(font)
    painter.setPen(QColor("#000000"))
    painter.setFont(title_font)
    subtitle = f"run {result['run']}, lexicon {result['lexicon']} v{result['lexicon_version']}"
    painter.drawText(QRectF(20, 10, width - 40, 26), Qt.AlignLeft | Qt.AlignVCenter,
                     f"Speech-act markers per 1,000 words ({subtitle})")
    painter.setFont(font)
    # Legend, one row under the title.
    x = 20.0
    for act in acts:
        painter.fillRect(QRectF(x, 44, 12, 12), QColor(ACT_COLOURS.get(act, "#999999")))
        painter.drawText(QRectF(x + 16, 40, 140, 20), Qt.AlignLeft | Qt.AlignVCenter, act)
        x += 16 + metrics.horizontalAdvance(act) + 24
    left, right, top, bottom = 64.0, width - 20.0, 80.0, height - 56.0
    peak = max([g["acts"][a]["per_1000"] for g in groups for a in acts] + [0.0])
    step = _nice_step(peak if peak > 0 else 1.0)
    ceiling = step * max(1, math.ceil(peak / step))
    grid = QPen(QColor("#DDDDDD"))
    value = 0.0
    while value <= ceiling + 1e-9:
        y = bottom - (bottom - top) * value / ceiling
        painter.setPen(grid)
        painter.drawLine(int(left), int(y), int(right), int(y))
        painter.setPen(QColor("#000000"))
        painter.drawText(QRectF(0, y - 8, left - 8, 16), Qt.AlignRight | Qt.AlignVCenter, f"{value:g}")
        value += step
    painter.drawLine(int(left), int(bottom), int(right), int(bottom))
    if not groups:
        painter.drawText(QRectF(left, top, right - left, bottom - top), Qt.AlignCenter, "No sources in this run")
        return
    slot = (right - left) / len(groups)
    bar = max(1.0, min(48.0, slot * 0.8 / max(1, len(acts))))
    for n, group in enumerate(groups):
        x0 = left + n * slot + (slot - bar * len(acts)) / 2
        for k, act in enumerate(acts):
            value = group["acts"][act]["per_1000"]
            h = (bottom - top) * value / ceiling
            painter.fillRect(QRectF(x0 + k * bar, bottom - h, bar * 0.9, h), QColor(ACT_COLOURS.get(act, "#999999")))
        label = metrics.elidedText(f"{group['case']} ({group['words']} words)", Qt.ElideRight, int(slot - 4))
        painter.drawText(QRectF(left + n * slot, bottom + 6, slot, 18), Qt.AlignHCenter | Qt.AlignTop, label)
    painter.save()
    painter.translate(14, (top + bottom) / 2)
    painter.rotate(-90)
    painter.drawText(QRectF(-120, -8, 240, 16), Qt.AlignCenter, "hits per 1,000 words")
    painter.restore()


def export(result: dict, path: str | os.PathLike) -> Path:
    """Write the chart to ``path``: .png (twice the pixel density, for print) or .svg."""
    out = Path(path)
    suffix = out.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise InvalidInput(f"A chart can be saved as .png or .svg, not '{suffix or out.name}'.")
    _ensure_app()
    from PySide6.QtCore import QRect, QSize
    from PySide6.QtGui import QImage, QPainter

    painter = QPainter()
    if suffix == ".png":
        image = QImage(WIDTH * 2, HEIGHT * 2, QImage.Format_ARGB32)
        image.setDevicePixelRatio(2.0)
        painter.begin(image)
        painter.setRenderHint(QPainter.Antialiasing)
        paint(painter, WIDTH, HEIGHT, result)
        painter.end()
        if not image.save(str(out), "PNG"):
            raise InvalidInput(f"The chart could not be written to {out}; check the folder exists and is writable.")
        return out
    from PySide6.QtSvg import QSvgGenerator

    generator = QSvgGenerator()
    generator.setFileName(str(out))
    generator.setSize(QSize(WIDTH, HEIGHT))
    generator.setViewBox(QRect(0, 0, WIDTH, HEIGHT))
    generator.setTitle(result.get("title", "Marker density"))
    if not painter.begin(generator):
        raise InvalidInput(f"The chart could not be written to {out}; check the folder exists and is writable.")
    paint(painter, WIDTH, HEIGHT, result)
    painter.end()
    return out

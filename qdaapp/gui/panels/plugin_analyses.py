"""Analyses contributed by plugins (Analysis ▸ Plugin analyses ▸ …), each shown as a workspace tab.

The tab runs the analysis on the open project, shows its chart (drawn by the
plugin's own ``chart`` function, as the command line saves it) above its
table, and saves either: the chart as PNG or SVG, the table as CSV.
**Refresh** runs it again (after a new marker run, say). Errors from the
analysis (no marker run yet, a plugin turned off) are shown in the tab.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from qdaapp.core import plugins as plugin_ops
from qdaapp.core.errors import QdaError
from qdaapp.core.logs import log_exception
from qdaapp.core.safe_write import write_via_temp
from qdaapp.gui.dialogs.messages import show_error


class FittedImage(QWidget):
    """A picture drawn as large as fits, keeping its proportions (a chart is never cropped)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pixmap = QPixmap()
        self.setMinimumHeight(200)

    def setPixmap(self, pixmap: QPixmap) -> None:
        self._pixmap = pixmap
        self.update()

    def pixmap(self) -> QPixmap:
        return self._pixmap

    def paintEvent(self, _event: QPaintEvent) -> None:
        if self._pixmap.isNull():
            return
        size = self._pixmap.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        x, y = (self.width() - size.width()) // 2, (self.height() - size.height()) // 2
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawPixmap(QRect(x, y, size.width(), size.height()), self._pixmap)
        painter.end()


class AnalysisView(QWidget):
    def __init__(self, project: Any, spec: plugin_ops.Analysis, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project, self.spec = project, spec
        self.result: dict | None = None
        self.title = QLabel(f"<b>{spec.title or spec.name}</b>")
        self.title.setWordWrap(True)
        self.description = QLabel(spec.description)
        self.description.setObjectName("Muted")
        self.description.setWordWrap(True)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setObjectName("PanelHint")
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setToolTip("Run the analysis again on the project as it is now")
        self.chart_button = QPushButton("Save chart…")
        self.chart_button.setToolTip("The chart as PNG (for documents) or SVG (for print)")
        self.table_button = QPushButton("Save table…")
        self.table_button.setToolTip("The table as CSV, for Excel or R")
        self.refresh_button.clicked.connect(lambda: self.refresh())
        self.chart_button.clicked.connect(lambda: self.save_chart())
        self.table_button.clicked.connect(lambda: self.save_table())
        self.chart = FittedImage()
        self.chart.setVisible(spec.chart is not None)
        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.chart)
        split.addWidget(self.table)
        split.setSizes([460, 220])
        buttons = QHBoxLayout()
        buttons.addWidget(self.refresh_button)
        buttons.addStretch(1)
        buttons.addWidget(self.chart_button)
        buttons.addWidget(self.table_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.description)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(split, 1)
        self.refresh()

    def refresh(self) -> dict | None:
        """Run the analysis; its table and chart are shown, or the reason it could not run."""
        registry = plugin_ops.registry()
        self.result = None
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            run = registry.load(self.spec.plugin, self.spec.run)
            self.result = run(self.project)
            if self.spec.chart is not None:
                with tempfile.TemporaryDirectory() as tmp:
                    png = Path(tmp) / "chart.png"
                    registry.load(self.spec.plugin, self.spec.chart)(self.result, png)
                    self.chart.setPixmap(QPixmap(str(png)))
        except QdaError as exc:
            self.message.setText(str(exc))
        except Exception as exc:  # a plugin's own bug: say so plainly, details in the log
            path = log_exception(exc)
            self.message.setText(f"The plugin '{self.spec.plugin}' failed to run this analysis. Details: {path}")
        finally:
            QApplication.restoreOverrideCursor()
        ok = self.result is not None
        if ok:
            self.message.setText("")
        self.message.setVisible(not ok)
        self.chart.setVisible(ok and self.spec.chart is not None)
        self.chart_button.setEnabled(ok and self.spec.chart is not None)
        self.table_button.setEnabled(ok and bool(self.result.get("columns")))
        self._fill_table()
        return self.result

    def _fill_table(self) -> None:
        columns = (self.result or {}).get("columns") or []
        rows = (self.result or {}).get("rows") or []
        self.table.clear()
        self.table.setColumnCount(len(columns))
        self.table.setRowCount(len(rows))
        self.table.setHorizontalHeaderLabels([str(c).replace("_", " ") for c in columns])
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                item = QTableWidgetItem("" if value is None else str(value))
                if isinstance(value, (int, float)):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)

    def _ask(self, title: str, name: str, filters: str) -> Path | None:
        start = str(self.project.path.parent / name)
        path, _ = QFileDialog.getSaveFileName(self, title, start, filters)
        return Path(path) if path else None

    def save_chart(self, path: str | Path | None = None) -> Path | None:
        if self.result is None or self.spec.chart is None:
            return None
        out = Path(path) if path else self._ask("Save chart", f"{self.spec.name}.png", "PNG (*.png);;SVG (*.svg)")
        if out is None:
            return None
        if out.suffix.lower() not in (".png", ".svg"):
            out = out.with_name(out.name + ".png")
        try:
            chart = plugin_ops.registry().load(self.spec.plugin, self.spec.chart)
            write_via_temp(out, lambda tmp: chart(self.result, tmp))
        except Exception as exc:
            show_error(self, exc)
            return None
        return out

    def save_table(self, path: str | Path | None = None) -> Path | None:
        if self.result is None:
            return None
        out = Path(path) if path else self._ask("Save table", f"{self.spec.name}.csv", "CSV (*.csv)")
        if out is None:
            return None
        if out.suffix.lower() != ".csv":
            out = out.with_name(out.name + ".csv")
        try:
            plugin_ops.save_analysis_table(self.result, out)
        except (OSError, QdaError) as exc:
            show_error(self, exc)
            return None
        return out

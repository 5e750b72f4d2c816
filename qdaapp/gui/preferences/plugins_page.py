"""Preferences ▸ Plugins: what is installed, what each adds, turning plugins on and off.

The list comes from :func:`qdaapp.core.plugins.registry`; a plugin that could
not be loaded is shown in red with its message (Details shows where it lives
and what to do). Turning one off or on goes through
:func:`qdaapp.core.plugins.set_enabled`, which stores the choice and reloads
the registry; it applies to the next import or search.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QBrush, QColor, QDesktopServices, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from qdaapp.core import plugins as plugin_ops
from qdaapp.core.logs import data_dir
from qdaapp.gui.dialogs.messages import show_error

NAME_ROLE = Qt.ItemDataRole.UserRole + 1
ERROR_RED = QColor("#B42318")
ORIGINS = {"builtin": "Comes with qdaapp", "entry-point": "Installed package", "folder": "App's plugins folder",
           "user": "Your plugin folder"}
KIND_NAMES = {"importers": "Importers", "exporters": "Exporters", "lexicons": "Lexicons", "frames": "Coding frames",
              "analyses": "Analyses"}
COLUMNS = ("Plugin", "Version", "Description", "Adds", "From")


def user_plugin_folder() -> Path:
    """``data_dir()/plugins``, created if it is not there yet."""
    folder = data_dir() / "plugins"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def contributes_text(plugin: Any) -> str:
    parts = []
    for kind, items in plugin.contributes().items():
        if items:
            parts.append(f"{KIND_NAMES.get(kind, kind)}: {', '.join(items)}")
    return "\n".join(parts) or "—"


def failure_count_text(n: int) -> str:
    return f"{n} plugin{'s' if n != 1 else ''} could not be loaded — see Preferences ▸ Plugins"


class PluginsPage(QWidget):
    """The table of plugins with their on/off boxes, failures in red, and the plugin folder."""

    changed = Signal(str, bool)  # plugin name, enabled

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PluginsPage")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        title = QLabel("<b>Plugins</b>")
        intro = QLabel("Plugins add importers, exporters, speech-act lexicons, coding frames and analyses. "
                       "Untick a plugin to turn it off; the one that comes with qdaapp is always on.")
        intro.setWordWrap(True)
        intro.setObjectName("Muted")
        layout.addWidget(title)
        layout.addWidget(intro)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("PluginTable")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setStyleSheet("QTableWidget#PluginTable::item { padding-top: 4px; padding-bottom: 4px; }")
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for col, mode in enumerate((QHeaderView.ResizeMode.ResizeToContents, QHeaderView.ResizeMode.ResizeToContents,
                                    QHeaderView.ResizeMode.Stretch, QHeaderView.ResizeMode.Interactive,
                                    QHeaderView.ResizeMode.ResizeToContents)):
            header.setSectionResizeMode(col, mode)
        header.resizeSection(3, 200)
        self._fit = QTimer(self)  # rows grow to fit their wrapped text once the widths settle
        self._fit.setSingleShot(True)
        self._fit.setInterval(0)
        self._fit.timeout.connect(self.table.resizeRowsToContents)
        header.sectionResized.connect(lambda *_: self._fit.start())
        self.table.viewport().installEventFilter(self)
        self.table.itemChanged.connect(self._on_item_changed)
        layout.addWidget(self.table, 1)

        self.details = QLabel()
        self.details.setObjectName("PluginDetails")
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setStyleSheet("QLabel#PluginDetails { color: #B42318; background: #FEF3F2; "
                                   "border: 1px solid #F4C7C3; border-radius: 6px; padding: 8px; }")
        self.details.setVisible(False)
        layout.addWidget(self.details)

        self.message = QLabel()
        self.message.setObjectName("PluginMessage")
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        layout.addWidget(self.message)

        row = QHBoxLayout()
        self.details_button = QPushButton("Details")
        self.details_button.setCheckable(True)
        self.details_button.setToolTip("Where each plugin that could not be loaded lives, and what to do")
        self.details_button.toggled.connect(self._show_details)
        self.folder_button = QPushButton("Open plugin folder")
        self.folder_button.setToolTip("Put a plugin's folder here, then restart qdaapp")
        self.folder_button.clicked.connect(self.open_folder)
        self.folder_label = QLabel()
        self.folder_label.setObjectName("Muted")
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.details_button)
        row.addWidget(self.folder_label, 1)
        row.addWidget(self.folder_button)
        layout.addLayout(row)
        self.reload()

    # -- filling ----------------------------------------------------------------------------
    def reload(self) -> None:
        listed = plugin_ops.registry().plugins()
        self.table.blockSignals(True)
        self.table.setRowCount(len(listed))
        self.rows: dict[str, int] = {}
        failed = []
        for row, plugin in enumerate(listed):
            for col, cell in enumerate(self._cells(plugin)):
                self.table.setItem(row, col, cell)
            self.rows.setdefault(plugin.name, row)
            if plugin.error:
                failed.append(plugin)
        self.table.blockSignals(False)
        self.table.resizeRowsToContents()
        self.failures = len(failed)
        self.details.setText("\n\n".join(self._details(p) for p in failed))
        self.details_button.setVisible(bool(failed))
        self._show_details(self.details_button.isChecked() and bool(failed))
        self.folder_label.setText(f"Your plugin folder: {data_dir() / 'plugins'}")

    def _cells(self, plugin: Any) -> list[QTableWidgetItem]:
        error = plugin.error
        description = f"Could not be loaded: {error}" if error else (plugin.description or "—")
        texts = [plugin.name, plugin.version or "—", description, contributes_text(plugin) if not error else "—",
                 ORIGINS.get(plugin.origin, plugin.origin)]
        cells = [QTableWidgetItem(text) for text in texts]
        first = cells[0]
        first.setData(NAME_ROLE, plugin.name)
        font = first.font()
        font.setBold(True)
        first.setFont(font)
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not plugin.builtin:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        first.setFlags(flags)
        first.setCheckState(Qt.CheckState.Checked if plugin.enabled else Qt.CheckState.Unchecked)
        where = f"\n{plugin.location}" if plugin.location else ""
        first.setToolTip("The built-in plugin cannot be turned off." if plugin.builtin else
                         f"{'On' if plugin.enabled else 'Off'} — tick or untick to change{where}")
        cells[2].setToolTip(description)
        cells[4].setToolTip(str(plugin.location or plugin.package or ""))
        colour = ERROR_RED if error else None if plugin.enabled else QColor("#8A8A8A")
        for cell in cells:
            cell.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            if colour is not None:
                cell.setForeground(QBrush(colour))
        return cells

    @staticmethod
    def _details(plugin: Any) -> str:
        lines = [f"{plugin.name}: {plugin.error}"]
        if plugin.location:
            lines.append(f"Folder: {plugin.location}")
        elif plugin.package:
            lines.append(f"Package: {plugin.package}")
        lines.append("Fix the plugin or remove its folder, then restart qdaapp. The rest of qdaapp works as usual.")
        return "\n".join(lines)

    def _show_details(self, shown: bool) -> None:
        self.details.setVisible(shown)
        self.details_button.setText("Hide details" if shown else "Details")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.table.resizeRowsToContents()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._fit.start()
        return False

    # -- actions ----------------------------------------------------------------------------
    def cell(self, name: str, column: int = 0) -> QTableWidgetItem | None:
        """The cell of plugin ``name`` in ``column`` (0: the name with its on/off box)."""
        row = self.rows.get(name)
        return self.table.item(row, column) if row is not None else None

    def set_enabled(self, name: str, enabled: bool) -> bool:
        """Turn ``name`` on or off (what ticking its box does); False if it could not be changed."""
        try:
            plugin = plugin_ops.set_enabled(name, enabled)
        except Exception as exc:
            show_error(self, exc)
            self.reload()
            return False
        self.reload()
        state = "on" if plugin.enabled else "off"
        self.message.setText(f"{name} is now {state}. This takes effect for new imports and searches; "
                             "what is already in your projects does not change.")
        self.message.setVisible(True)
        self.changed.emit(name, plugin.enabled)
        return True

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        name = item.data(NAME_ROLE)
        if item.column() != 0 or not name:
            return
        enabled = item.checkState() == Qt.CheckState.Checked
        if enabled != plugin_ops.registry().get(name).enabled:
            # the table is refilled afterwards: not from inside the signal of one of its cells
            QTimer.singleShot(0, self, lambda: self.set_enabled(name, enabled))

    def open_folder(self) -> Path:
        folder = user_plugin_folder()
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
        return folder
